// scan-carry-add: shifts one chunk of a scan over data larger than one binding by the total of the
// chunks before it: out[i] += carry[0] for i < params.n (see scan-carry-total.wgsl).
// Each invocation handles ITEMS vec4s, strided by the workgroup size (a software adapter pays per
// invocation: few long ones; a GPU: ITEMS = 1).
//
// Bindings (@group(0)):
//   0  out     array<vec4<T>>, read_write  the chunk's output window (params.n elements; lanes past n in the
//                                          last vec4 are shifted too: slack past the end of the array)
//   1  carry   array<T>, read              element 0: the running total before this chunk
//   2  params  uniform { n }
// Dispatch: ceil(ceil(n / 4) / (WG * ITEMS)) workgroups, 2-D grid over 65535
//   (vec4 j = ((wid.x + wid.y * num_workgroups.x) * ITEMS + k) * WG + local index).
alias T = f32;
//#import items
override WG: u32 = 64;
override ITEMS: u32 = 16;

struct Params {
  n: u32,
}

@group(0) @binding(0) var<storage, read_write> out: array<vec4<T>>;
@group(0) @binding(1) var<storage, read> carry: array<T>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(WG)
fn main(grid: Grid) {
  let count = (params.n + 3u) / 4u;
  let c = vec4<T>(carry[0]);
  let base = items_base(grid);
  for (var k = 0u; k < ITEMS; k++) {
    let j = base + k * WG;
    if (j >= count) { return; }
    out[j] += c;
  }
}
