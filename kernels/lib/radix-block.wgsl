// lib/radix-block: one invocation's walk over its block of keys, shared by the radix-sort passes
// (sort-histogram, sort-scatter, sort-scatter-pairs).
// The importing kernel declares the overrides WG, BLOCK, RADIX_BITS, `params` (with n, shift), and:
//   load_keys(i) -> vec4u   vec4 i of its keys
//   load_vals(i) -> vec4u   vec4 i of its values (vec4u(0u) when it moves none)
//   visit(t, d, k, v)       called for each key k (value v, digit d) of the block, in order, with the
//                           invocation's digit table t (declared in its entry point as a `radix_table`)
//#param const MAX_RADIX: u32 = 2048u

// An invocation's digit table (a function variable of the entry point, zero at start): sort-histogram's
// counters, the scatter's running offsets. A private array's size must be a const-expression, not an
// override: MAX_RADIX is the ceiling for RADIX_BITS, and the op composes it as 1 << RADIX_BITS (a
// 2048-entry array is slow to compile). Only the first RADIX = 1 << RADIX_BITS entries are used.
alias radix_table = array<u32, MAX_RADIX>;

// The block of this invocation (a 2-D grid over 65535); blocks at or past nb() are surplus.
fn radix_block(wid: vec3u, nwg: vec3u, lid: u32) -> u32 {
  return (wid.x + wid.y * nwg.x) * WG + lid;
}

fn nb() -> u32 {
  return (params.n + BLOCK - 1u) / BLOCK;
}

// Visits the keys of block b in order: whole vec4s, then the last 1..3 keys of the data.
fn walk_block(t: ptr<function, radix_table>, b: u32) {
  let mask = vec4u((1u << RADIX_BITS) - 1u);
  let sh = vec4u(params.shift);
  let start = b * BLOCK;
  let end = min(params.n, start + BLOCK);
  let v1 = end / 4u;
  for (var i = start / 4u; i < v1; i++) {
    let k = load_keys(i);
    let v = load_vals(i);
    let d = (k >> sh) & mask;
    visit(t, d.x, k.x, v.x);
    visit(t, d.y, k.y, v.y);
    visit(t, d.z, k.z, v.z);
    visit(t, d.w, k.w, v.w);
  }
  let r = end & 3u;
  if (r != 0u) {
    let k = load_keys(v1);
    let v = load_vals(v1);
    let d = (k >> sh) & mask;
    visit(t, d.x, k.x, v.x);
    if (r > 1u) { visit(t, d.y, k.y, v.y); }
    if (r > 2u) { visit(t, d.z, k.z, v.z); }
  }
}
