// sort-histogram: pass 1 of one LSD radix-sort digit pass.
//   hist[d * nb + b] = number of keys k in block b with ((k >> params.shift) & (RADIX - 1)) == d,
//   for block b < nb = ceil(n / BLOCK) and digit d < RADIX = 1 << RADIX_BITS.
// The table is digit-major, so its exclusive scan (scan-block-* with T = u32) gives, for each (d, b), the
// output position of block b's first key with digit d: that is what makes the scatter stable.
// One invocation counts one whole block serially into a private histogram (lavapipe: cost is per
// invocation and global memory operations are per lane, so long serial blocks and private counters win).
// Keys are always u32 bit patterns here (i32/f32 keys go through sort-map-keys first), so this kernel has
// no element-type alias.
//
// Bindings (@group(0)):
//   0  keys    array<vec4<u32>>, read      n keys (order-preserving u32, see sort-map-keys); the buffer is
//                                          padded to a multiple of 4 keys, padding is ignored
//   1  hist    array<u32>, read_write      RADIX * nb counters (every one is written)
//   2  params  uniform { n, shift }        shift = bit offset of the digit (0, 8, 16, 24 for 8-bit digits)
// Dispatch: one invocation per block: ceil(nb / WG) workgroups, a 2-D grid over 65535
//   (block = (wid.x + wid.y * num_workgroups.x) * WG + local index); surplus invocations return.
// Overrides: WG (workgroup size), BLOCK (keys per invocation, a multiple of 4), RADIX_BITS (1..11).
override WG: u32 = 64;
override BLOCK: u32 = 4096;
override RADIX_BITS: u32 = 8;
// A private array's size must be a const-expression, not an override: this is the ceiling for RADIX_BITS,
// and src/ops/sort.ts rewrites this line to 1 << RADIX_BITS (a 2048-entry array is slow to compile).
//#param const MAX_RADIX: u32 = 2048u

struct Params {
  n: u32,
  shift: u32,
  // Data larger than one binding is counted chunk by chunk: `keys` is the window whose first block is
  // block `block0` of the table's `nb_all` (0 and ceil(n / BLOCK) otherwise).
  block0: u32,
  nb_all: u32,
}

@group(0) @binding(0) var<storage, read> keys: array<vec4<u32>>;
@group(0) @binding(1) var<storage, read_write> hist: array<u32>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let b = (wid.x + wid.y * nwg.x) * WG + lid;
  let n = params.n;
  let nb = (n + BLOCK - 1u) / BLOCK;
  if (b >= nb) {
    return;
  }
  let radix = 1u << RADIX_BITS;
  let mask = vec4u(radix - 1u);
  let sh = vec4u(params.shift);
  // Sized by MAX_RADIX (radix: the op composes it with MAX_RADIX = radix); only the first `radix` entries are used.
  var h: array<u32, MAX_RADIX>;
  let start = b * BLOCK;
  let end = min(n, start + BLOCK);
  let v1 = end / 4u;
  for (var i = start / 4u; i < v1; i++) {
    let d = (keys[i] >> sh) & mask;
    h[d.x] += 1u;
    h[d.y] += 1u;
    h[d.z] += 1u;
    h[d.w] += 1u;
  }
  let r = end & 3u;
  if (r != 0u) {
    let d = (keys[v1] >> sh) & mask;
    h[d.x] += 1u;
    if (r > 1u) { h[d.y] += 1u; }
    if (r > 2u) { h[d.z] += 1u; }
  }
  for (var d = 0u; d < radix; d++) {
    hist[d * params.nb_all + params.block0 + b] = h[d];
  }
}
