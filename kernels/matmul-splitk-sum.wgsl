// matmul-splitk-sum: the sum of a split-k product's layers. part holds `layers` partial m×n products one
//   after the other (matmul-rb with SPLIT_K); out[i] = part[i] + part[mn + i] + ... in layer order (k order
//   of the blocks: a blocked sum, within matmul's documented bound).
// Bindings (group 0): 0 part: array<f32> (read, layers·mn), 1 out: array<f32> (write, mn),
//   2 params: uniform Params { mn, layers, pad0, pad1 }.
// Dispatch: ceil(mn / WG) invocations' workgroups, one output element per invocation (2-D folded).

struct Params {
  mn: u32,
  layers: u32,
  pad0: u32,
  pad1: u32,
}

@group(0) @binding(0) var<storage, read> part: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

override WG: u32 = 64;
//#import grid

@compute @workgroup_size(WG)
fn main(grid: Grid) {
  let i = group_index(grid) * WG + grid.lid.x;
  if (i >= params.mn) { return; }
  var s = part[i];
  for (var z = 1u; z < params.layers; z++) { s = s + part[z * params.mn + i]; }
  out[i] = s;
}
