// sort-scatter: pass 2 of one LSD radix-sort digit pass (keys only).
//   Moves every key of block b to keys_out[offsets[d * nb + b] + (rank of the key among block b's keys
//   with the same digit d)], where d = (key >> params.shift) & (RADIX - 1) and offsets is the exclusive
//   scan of sort-histogram's table. One invocation walks its block in order, so the pass is stable.
// Keys are always u32 bit patterns here (see sort-map-keys), so there is no element-type alias.
//
// Bindings (@group(0)):
//   0  keys_in   array<vec4<u32>>, read      n keys, buffer padded to a multiple of 4 keys
//   1  offsets   array<u32>, read            RADIX * nb entries (exclusive scan of the histogram table)
//   2  keys_out  array<u32>, read_write      n keys
//   3  params    uniform { n, shift }
// Dispatch: as sort-histogram (one invocation per block, nb = ceil(n / BLOCK), 2-D grid over 65535).
// Overrides: WG, BLOCK, RADIX_BITS — must equal those used by sort-histogram for the same pass.
//#import radix-scatter

@group(0) @binding(3) var<uniform> params: Params;

fn load_vals(i: u32) -> vec4u { return vec4u(0u); }
fn visit(t: ptr<function, radix_table>, d: u32, k: u32, v: u32) {
  let w = slot((*t)[d]);
  if (!WINDOWED || w < params.out_len) { keys_out[w] = k; }
  (*t)[d] += 1u;
}
