// searchsorted.wgsl — NumPy's np.searchsorted(sorted, v, side): for each v[j], the first i in [0, n] with
// sorted[i] >= v[j] (side left) or sorted[i] > v[j] (side right), by binary search over the 1-d `sorted`.
// Keys compare in NumPy's sort order through an order-preserving u32 map of their bits (KIND 0 u32, 1 i32,
// 2 f32): for f32 every NaN maps above +Inf (NaNs equal to each other) and -0 maps as +0 (equal).
// Bindings (group 0): 0 sorted: array<u32> (n key bit patterns, read), 1 v: array<u32> (m, read),
//   2 out: array<u32> (m i32 indices, write), 3 params: uniform Params.
// Dispatch: one invocation per element of v (m), workgroups for ceil(m / WG) (2-D beyond 65,535).

//#import grid

struct Params {
  n: u32,
  m: u32,
  right: u32,
  pad: u32,
}

@group(0) @binding(0) var<storage, read> sorted: array<u32>;
@group(0) @binding(1) var<storage, read> v: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<u32>;
@group(0) @binding(3) var<uniform> params: Params;

override WG: u32 = 64;
override KIND: u32 = 2u;

fn key(bits: u32) -> u32 {
  if (KIND == 1u) { return bits ^ 0x80000000u; }
  if (KIND == 2u) {
    if ((bits & 0x7fffffffu) > 0x7f800000u) { return 0xffffffffu; }
    let u = select(bits, 0u, bits == 0x80000000u);
    return select(u | 0x80000000u, ~u, (u >> 31u) == 1u);
  }
  return bits;
}

@compute @workgroup_size(WG)
fn main(grid: Grid) {
  let j = global_index(grid);
  if (j >= params.m) { return; }
  let k = key(v[j]);
  var lo = 0u;
  var hi = params.n;
  while (lo < hi) {
    let mid = lo + (hi - lo) / 2u;
    let s = key(sorted[mid]);
    let go_right = select(s < k, s <= k, params.right != 0u);
    lo = select(lo, mid + 1u, go_right);
    hi = select(mid, hi, go_right);
  }
  out[j] = lo;
}
