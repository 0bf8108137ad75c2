// lib/radix-block: one invocation's walk over its block of keys, shared by the radix-sort passes
// (sort-histogram, sort-scatter, sort-scatter-pairs), and their entry point.
// One invocation per block of BLOCK keys (lib/serial-block has the entry point and its geometry).
// The importing kernel declares `params` (with n, shift) and:
//   load_keys(i) -> vec4u   vec4 i of its keys
//   load_vals(i) -> vec4u   vec4 i of its values (vec4u(0u) when it moves none)
//   start_block(t, b)       before the walk of block b (t: the invocation's digit table, all zero)
//   visit(t, d, k, v)       for each key k (value v, digit d) of the block, in order
//   end_block(t, b)         after it
// Params: n, shift, block0, nb_all (see sort-histogram), and with RADIX_SCATTER (//#define) out0, out_len
// (see lib/radix-scatter).
// Overrides: WG (workgroup size), BLOCK (keys per invocation, a multiple of 4), RADIX_BITS (1..11); the
// passes of one digit must use the same three.
override WG: u32 = 64;
override BLOCK: u32 = 4096;
override RADIX_BITS: u32 = 8;
//#param const MAX_RADIX: u32 = 2048u
//#import serial-block

// An invocation's digit table (a function variable of the entry point, zero at start): sort-histogram's
// counters, the scatter's running offsets. A private array's size must be a const-expression, not an
// override: MAX_RADIX is the ceiling for RADIX_BITS, and the op composes it as 1 << RADIX_BITS (a
// 2048-entry array is slow to compile). Only the first RADIX = 1 << RADIX_BITS entries are used.
alias radix_table = array<u32, MAX_RADIX>;

struct Params {
  n: u32,
  shift: u32,
  // Data larger than one binding is handled chunk by chunk: the keys bound are the window whose first block
  // is block `block0` of the table's `nb_all` (0 and ceil(n / BLOCK) otherwise).
  block0: u32,
  nb_all: u32,
//#if RADIX_SCATTER
  // WINDOWED: the output bound is the window of destinations [out0, out0 + out_len): keys bound for other
  // windows are skipped (the op runs every input chunk against every output window).
  out0: u32,
  out_len: u32,
//#endif
}

// Visits the keys [start, end) in order: whole vec4s, then the last 1..3 keys of the data.
fn walk_block(t: ptr<function, radix_table>, start: u32, end: u32) {
  let mask = vec4u((1u << RADIX_BITS) - 1u);
  let sh = vec4u(params.shift);
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

fn run_block(b: u32, start: u32, end: u32) {
  // The digit table: counts for the histogram, running offsets for the scatter. Declared through the alias,
  // not as `array<u32, MAX_RADIX>` again: wgpu's naga (Deno 2.9) gives a spelled-out array with a named-constant
  // size a different type from the alias's, and rejects the calls below (Dawn's Tint unifies them).
  var h: radix_table;
  start_block(&h, b);
  walk_block(&h, start, end);
  end_block(&h, b);
}
