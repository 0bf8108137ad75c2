// scatter.wgsl — accumulates values into acc along one axis (NumPy's np.add.at, and a scatter-max):
// acc seen as [outer, n, inner], indices as m values, values as [outer, m, inner]:
//   acc[a, idx[j], b] ⊕= values[a, j, b],  ⊕ = + (OP 0) or max (OP 1).
// Everything is bound as u32 bits; KIND says what they hold: 0 u32, 1 i32, 2 f32.
// Integers add with atomicAdd (exact, wrapping mod 2^32, order-free). f32 adds and all maxes (but u32's,
// which has atomicMax) go through a compare-and-swap loop on the bits: each update is one f32 rounding,
// applied in an order the GPU picks, so f32 sums are not bit-reproducible (within the sum bound per bin).
// max propagates NaN, as np.maximum.
// Indices are read as u32 bits; SIGNED reads them as i32; a negative one counts from the end when WRAP,
// else it is out of range. Out-of-range indices are skipped and recorded in the error word exactly as in
// take.wgsl (err[0] count, err[1] max bad index >= n, err[2] max |bad negative index|).
// Bindings (group 0): 0 indices (read), 1 values (read), 2 acc (atomic), 3 err (atomic), 4 params.
// Dispatch: max(outer·m·inner, m) invocations (one per value), workgroups for ceil(· / WG) (2-D beyond 65,535).

//#import axis-index

@group(0) @binding(0) var<storage, read> indices: array<u32>;
@group(0) @binding(1) var<storage, read> values: array<u32>;
@group(0) @binding(2) var<storage, read_write> acc: array<atomic<u32>>;
@group(0) @binding(3) var<storage, read_write> err: array<atomic<u32>>;
@group(0) @binding(4) var<uniform> params: Params;

override WG: u32 = 64;
override SIGNED: bool = true;
override WRAP: bool = true;
override KIND: u32 = 2u;
override OP: u32 = 0u;

fn is_nan(bits: u32) -> bool {
  return (bits & 0x7fffffffu) > 0x7f800000u;
}

// The bits of old ⊕ v (CAS path: f32 add, f32 max, i32 max).
fn combine(old: u32, v: u32) -> u32 {
  if (OP == 0u) { return bitcast<u32>(bitcast<f32>(old) + bitcast<f32>(v)); }
  if (KIND == 1u) { return select(old, v, bitcast<i32>(v) > bitcast<i32>(old)); }
  if (is_nan(old)) { return old; }
  if (is_nan(v)) { return v; }
  return select(old, v, bitcast<f32>(v) > bitcast<f32>(old));
}

@compute @workgroup_size(WG)
fn main(grid: Grid) {
  let o = global_index(grid);
  let p = place(grid);
  if (p.outside || p.k == BAD) { return; }
  let at = p.at;
  let v = values[o];
  if (OP == 0u && KIND != 2u) { atomicAdd(&acc[at], v); return; }
  if (OP == 1u && KIND == 0u) { atomicMax(&acc[at], v); return; }
  var old = atomicLoad(&acc[at]);
  loop {
    let next = combine(old, v);
    if (next == old) { break; }
    let r = atomicCompareExchangeWeak(&acc[at], old, next);
    if (r.exchanged) { break; }
    old = r.old_value;
  }
}
