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
override WG: u32 = 64;
override BLOCK: u32 = 4096;
override RADIX_BITS: u32 = 8;
// A private array's size must be a const-expression, not an override: this is the ceiling for RADIX_BITS,
// and src/ops/sort.ts rewrites this line to 1 << RADIX_BITS (a 2048-entry array is slow to compile).
//#param const MAX_RADIX: u32 = 2048u
// Set by the op for data larger than one binding (see Params); a pipeline constant, so off it costs nothing.
override WINDOWED: bool = false;

struct Params {
  n: u32,
  shift: u32,
  // Data larger than one binding (WINDOWED): keys_in is the window whose first block is block `block0` of
  // the table's `nb_all`, and keys_out the window of destinations [out0, out0 + out_len): keys bound for
  // other windows are skipped (the op runs every input chunk against every output window).
  block0: u32,
  nb_all: u32,
  out0: u32,
  out_len: u32,
}

@group(0) @binding(0) var<storage, read> keys_in: array<vec4<u32>>;
@group(0) @binding(1) var<storage, read> offsets: array<u32>;
@group(0) @binding(2) var<storage, read_write> keys_out: array<u32>;
@group(0) @binding(3) var<uniform> params: Params;

fn put_key(o: u32, v: u32) {
  if (WINDOWED) {
    let w = o - params.out0;
    if (w < params.out_len) { keys_out[w] = v; }
  } else {
    keys_out[o] = v;
  }
}

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
  var off: array<u32, MAX_RADIX>;
  for (var d = 0u; d < radix; d++) {
    off[d] = offsets[d * params.nb_all + params.block0 + b];
  }
  let start = b * BLOCK;
  let end = min(n, start + BLOCK);
  let v1 = end / 4u;
  for (var i = start / 4u; i < v1; i++) {
    let k = keys_in[i];
    let d = (k >> sh) & mask;
    put_key(off[d.x], k.x);
    off[d.x] += 1u;
    put_key(off[d.y], k.y);
    off[d.y] += 1u;
    put_key(off[d.z], k.z);
    off[d.z] += 1u;
    put_key(off[d.w], k.w);
    off[d.w] += 1u;
  }
  let r = end & 3u;
  if (r != 0u) {
    let k = keys_in[v1];
    let d = (k >> sh) & mask;
    put_key(off[d.x], k.x);
    off[d.x] += 1u;
    if (r > 1u) {
      put_key(off[d.y], k.y);
      off[d.y] += 1u;
    }
    if (r > 2u) {
      put_key(off[d.z], k.z);
    }
  }
}
