// lib/radix-scatter: the scatter pass of sort-scatter and sort-scatter-pairs (see those files).
// The importing kernel declares WG, BLOCK, RADIX_BITS, its bindings `offsets` and `params: Params`,
// load_keys/load_vals and visit (lib/radix-block), and calls nothing else: the entry point is here.
//#import radix-block

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

// Output index o within the bound output window (o itself unless WINDOWED); visit writes only when
// `!WINDOWED || w < params.out_len`.
fn slot(o: u32) -> u32 {
  if (WINDOWED) {
    return o - params.out0;
  }
  return o;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let b = radix_block(wid, nwg, lid);
  if (b >= nb()) {
    return;
  }
  var off: array<u32, MAX_RADIX>; // radix_table
  for (var d = 0u; d < (1u << RADIX_BITS); d++) {
    off[d] = offsets[d * params.nb_all + params.block0 + b];
  }
  walk_block(&off, b);
}
