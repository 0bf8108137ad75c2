// sort-map-keys: the pre-pass and post-pass of the radix sort for i32 and f32 keys.
//   Forward (params.inverse == 0): keys_out[i] = an order-preserving u32 for the key bits keys_in[i]:
//     KIND 1 (i32): bits ^ 0x80000000
//     KIND 2 (f32): negative -> ~bits, positive -> bits | 0x80000000; every NaN -> 0xFFFFFFFF, so NaNs
//                   sort after +Inf (and keep their input order); -0 sorts just before +0
//     KIND 3 (f32, signed zeros equal): as KIND 2 with -0 mapped as +0 (NumPy's order: they compare equal,
//                   so a stable sort keeps their input order)
//     KIND 0 (u32): a copy
//   Inverse (params.inverse == 1): the inverse map (a NaN comes back as 0x7FFFFFFF, a quiet NaN).
// Keys travel as raw 32-bit patterns (u32), whatever their type, so there is no element-type alias
// here: the dtype is the KIND override, set by the host from the dtype.
//
// Bindings (@group(0)):
//   0  keys_in   array<vec4<u32>>, read        n keys (bit patterns), buffer padded to a multiple of 4
//   1  keys_out  array<vec4<u32>>, read_write  n keys, buffer padded to a multiple of 4; the padding of the
//                                            last vec4 receives mapped garbage
//   2  params    uniform { n, inverse }
// Dispatch: one invocation per ITEMS keys: ceil(ceil(n / ITEMS) / WG) workgroups, a 2-D grid over 65535
//   (chunk = (wid.x + wid.y * num_workgroups.x) * WG + local index).
// Overrides: WG (workgroup size), ITEMS (keys per invocation, a multiple of 4), KIND (0 u32, 1 i32, 2 f32, 3 f32 ±0 equal).
override WG: u32 = 64;
override ITEMS: u32 = 1024;
override KIND: u32 = 2;
//#import grid

struct Params {
  n: u32,
  inverse: u32,
}

@group(0) @binding(0) var<storage, read> keys_in: array<vec4<u32>>;
@group(0) @binding(1) var<storage, read_write> keys_out: array<vec4<u32>>;
@group(0) @binding(2) var<uniform> params: Params;

fn map_fwd(w: vec4u) -> vec4u {
  if (KIND == 1u) {
    return w ^ vec4u(0x80000000u);
  }
  if (KIND == 2u || KIND == 3u) {
    let u = select(w, vec4u(0u), vec4<bool>(KIND == 3u) & (w == vec4u(0x80000000u)));
    let neg = (u >> vec4u(31u)) == vec4u(1u);
    let m = select(u | vec4u(0x80000000u), ~u, neg);
    let nan = (u & vec4u(0x7fffffffu)) > vec4u(0x7f800000u);
    return select(m, vec4u(0xffffffffu), nan);
  }
  return w;
}

fn map_inv(m: vec4u) -> vec4u {
  if (KIND == 1u) {
    return m ^ vec4u(0x80000000u);
  }
  if (KIND == 2u || KIND == 3u) {
    let pos = (m >> vec4u(31u)) == vec4u(1u);
    return select(~m, m & vec4u(0x7fffffffu), pos);
  }
  return m;
}

@compute @workgroup_size(WG)
fn main(grid: Grid) {
  let c = global_index(grid);
  let n = params.n;
  let start = c * ITEMS;
  if (start >= n) {
    return;
  }
  let v0 = start / 4u;
  let v1 = (min(n, start + ITEMS) + 3u) / 4u;
  if (params.inverse != 0u) {
    for (var i = v0; i < v1; i++) {
      keys_out[i] = map_inv(keys_in[i]);
    }
  } else {
    for (var i = v0; i < v1; i++) {
      keys_out[i] = map_fwd(keys_in[i]);
    }
  }
}
