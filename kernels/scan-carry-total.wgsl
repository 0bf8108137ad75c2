// scan-carry-total: the running total of a scan over data larger than one binding, carried from one chunk
// to the next. After chunk k has been scanned on its own into `out` (its window), one invocation computes
//   carry_out[0] = carry_in[0] + (sum of the chunk)
// where the chunk's sum is its last scanned element (inclusive) or that plus its last input (exclusive).
// scan-carry-add then adds carry_in[0] to every element of the chunk (a later dispatch: it sees this one's
// reads done, and this one reads the chunk before it is shifted).
//
// Bindings (@group(0)):
//   0  x          array<T>, read        the chunk's input window (params.n elements)
//   1  out        array<T>, read        the chunk's output window, scanned on its own
//   2  carry_in   array<T>, read        element 0: the total of every chunk before this one
//   3  carry_out  array<T>, read_write  element 0: carry_in[0] + this chunk's total
//   4  params     uniform { n, exclusive }
// Dispatch: one workgroup of one invocation.
alias T = f32;

struct Params {
  n: u32,
  exclusive: u32,
}

@group(0) @binding(0) var<storage, read> x: array<T>;
@group(0) @binding(1) var<storage, read> out: array<T>;
@group(0) @binding(2) var<storage, read> carry_in: array<T>;
@group(0) @binding(3) var<storage, read_write> carry_out: array<T>;
@group(0) @binding(4) var<uniform> params: Params;

@compute @workgroup_size(1)
fn main() {
  let last = params.n - 1u;
  var total = out[last];
  if (params.exclusive != 0u) {
    total += x[last];
  }
  carry_out[0] = carry_in[0] + total;
}
