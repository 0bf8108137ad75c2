// sort-scatter-pairs: pass 2 of one LSD radix-sort digit pass, moving a u32 value along with each key.
//   Moves every key of block b to keys_out[offsets[d * nb + b] + (rank of the key among block b's keys
//   with the same digit d)], and its value to the same index of vals_out, where
//   d = (key >> params.shift) & (RADIX - 1) and offsets is the exclusive scan of sort-histogram's table.
//   One invocation walks its block in order, so the pass is stable.
// Keys and values are u32 bit patterns (see sort-map-keys), so there is no element-type alias.
//
// Bindings (@group(0)):
//   0  keys_in   array<vec4<u32>>, read      n keys, buffer padded to a multiple of 4 keys
//   1  offsets   array<u32>, read            RADIX * nb entries (exclusive scan of the histogram table)
//   2  keys_out  array<u32>, read_write      n keys
//   3  vals_in   array<vec4<u32>>, read      n values, buffer padded to a multiple of 4
//   4  vals_out  array<u32>, read_write      n values
//   5  params    uniform { n, shift }
// Dispatch: as sort-histogram (one invocation per block, nb = ceil(n / BLOCK), 2-D grid over 65535).
// Overrides: WG, BLOCK, RADIX_BITS — must equal those used by sort-histogram for the same pass.
//#import radix-scatter

@group(0) @binding(3) var<storage, read> vals_in: array<vec4<u32>>;
@group(0) @binding(4) var<storage, read_write> vals_out: array<u32>;
@group(0) @binding(5) var<uniform> params: Params;

fn load_vals(i: u32) -> vec4u { return vals_in[i]; }
fn visit(t: ptr<function, radix_table>, d: u32, k: u32, v: u32) {
  let w = slot((*t)[d]);
  if (!WINDOWED || w < params.out_len) {
    keys_out[w] = k;
    vals_out[w] = v;
  }
  (*t)[d] += 1u;
}
