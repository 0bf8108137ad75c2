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
//#import radix-block

@group(0) @binding(0) var<storage, read> keys: array<vec4<u32>>;
@group(0) @binding(1) var<storage, read_write> hist: array<u32>;
@group(0) @binding(2) var<uniform> params: Params;

fn load_keys(i: u32) -> vec4u { return keys[i]; }
fn load_vals(i: u32) -> vec4u { return vec4u(0u); }
fn start_block(t: ptr<function, radix_table>, b: u32) {}
fn visit(t: ptr<function, radix_table>, d: u32, k: u32, v: u32) { (*t)[d] += 1u; }
fn end_block(t: ptr<function, radix_table>, b: u32) {
  for (var d = 0u; d < (1u << RADIX_BITS); d++) {
    hist[d * params.nb_all + params.block0 + b] = (*t)[d];
  }
}
