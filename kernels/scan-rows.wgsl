// scan-rows: the prefix sum of each row of a dense rows×R array (the scanned axis moved last and made
// contiguous), one invocation per row, in order: element j of a row is x[0] + … + x[j] (inclusive) or
// x[0] + … + x[j-1] (exclusive; 0 first). Integers wrap modulo 2^32, as WGSL does.
// Bindings (group 0): 0 x: array<T> (read), 1 out: array<T> (write), 2 params: uniform Params.
// Dispatch: workgroups for ceil(rows / WG) invocations (2-D folded beyond 65,535).

alias T = f32;
//#import grid

struct Params {
  rows: u32,
  r: u32,
  exclusive: u32,
  pad: u32,
}

@group(0) @binding(0) var<storage, read> x: array<T>;
@group(0) @binding(1) var<storage, read_write> out: array<T>;
@group(0) @binding(2) var<uniform> params: Params;

override WG: u32 = 64;

@compute @workgroup_size(WG)
fn main(grid: Grid) {
  let row = global_index(grid);
  if (row >= params.rows) { return; }
  let base = row * params.r;
  var acc = T(0);
  for (var j = 0u; j < params.r; j++) {
    let v = x[base + j];
    if (params.exclusive != 0u) {
      out[base + j] = acc;
      acc = acc + v;
    } else {
      acc = acc + v;
      out[base + j] = acc;
    }
  }
}
