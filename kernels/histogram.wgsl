// histogram.wgsl — counts of f32 values in `bins` equal-width bins over [lo, hi], the last bin closed as
// NumPy's (x == hi counts in it), plus three counters for values outside: below (x < lo, incl. -inf),
// above (x > hi, incl. +inf), nan.
// Same f32 operations as histogramCpu in src/ops/histogram.ts, so every value lands in the same bin:
//   bin = min(floor((x - lo) * scale), bins - 1),  scale = f32(bins / (hi - lo)) computed on the host
//   (WGSL division is not correctly rounded; subtraction and multiplication are).
// NaN is detected from the bit pattern, not with x != x, which a compiler may fold away.
//
// Bindings (@group(0)):
//   0 x      : array<T>, n elements (read)
//   1 counts : array<atomic<u32>>, bins + 3 words: [0, bins) bins, then below, above, nan.
//              Accumulated into: the host zeroes it first (clearBuffer) for a fresh histogram.
//   2 params : Params (uniform)
// Dispatch: each workgroup takes WG * ITEMS consecutive elements (invocation lid reads
//   base + k * WG + lid, k < ITEMS); workgroups = ceil(n / (WG * ITEMS)), as a 2-D grid (x ≤ 65535)
//   when larger; linear workgroup index = wid.x + wid.y * num_workgroups.x.
// When bins <= LOCAL_BINS, counts go to workgroup-local atomics (zero-initialised by WGSL) and are
//   merged with one global atomicAdd per non-zero bin per workgroup; otherwise straight to global
//   atomics. LOCAL_BINS sizes the workgroup array (4 * (LOCAL_BINS + 3) bytes ≤ 16 KiB by default
//   limits, so ≤ 4093); the zero-init costs LOCAL_BINS stores per workgroup, so set it close to bins.

alias T = f32;
//#import items

struct Params {
  n: u32,
  bins: u32,
  lo: f32,
  hi: f32,
  scale: f32,
  _pad0: u32,
  _pad1: u32,
  _pad2: u32,
}

@group(0) @binding(0) var<storage, read> x: array<T>;
@group(0) @binding(1) var<storage, read_write> counts: array<atomic<u32>>;
@group(0) @binding(2) var<uniform> params: Params;

override WG: u32 = 64;
override ITEMS: u32 = 256;
override LOCAL_BINS: u32 = 256;

var<workgroup> local_counts: array<atomic<u32>, LOCAL_BINS + 3u>;

fn slot_of(v: f32) -> u32 {
  let bits = bitcast<u32>(v);
  if ((bits & 0x7FFFFFFFu) > 0x7F800000u) { return params.bins + 2u; }
  if (v < params.lo) { return params.bins; }
  if (v > params.hi) { return params.bins + 1u; }
  let t = floor((v - params.lo) * params.scale);
  return min(u32(t), params.bins - 1u);
}

@compute @workgroup_size(WG)
fn main(grid: Grid) {
  let n = params.n;
  let slots = params.bins + 3u;
  let base = items_base(grid);
  if (params.bins <= LOCAL_BINS) {
    for (var k = 0u; k < ITEMS; k++) {
      let i = base + k * WG;
      if (i >= n) { break; }
      atomicAdd(&local_counts[slot_of(f32(x[i]))], 1u);
    }
    workgroupBarrier();
    for (var s = grid.lid.x; s < slots; s += WG) {
      let c = atomicLoad(&local_counts[s]);
      if (c != 0u) { atomicAdd(&counts[s], c); }
    }
  } else {
    for (var k = 0u; k < ITEMS; k++) {
      let i = base + k * WG;
      if (i >= n) { break; }
      atomicAdd(&counts[slot_of(f32(x[i]))], 1u);
    }
  }
}
