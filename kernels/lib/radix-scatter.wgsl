// lib/radix-scatter: what sort-scatter and sort-scatter-pairs share (see those files): the keys' bindings,
// the windowed output and the table's start. The importing kernel declares `params` and visit.
//#define RADIX_SCATTER
//#import radix-block

// Set by the op for data larger than one binding (see Params in lib/radix-block); a pipeline constant,
// so off it costs nothing.
override WINDOWED: bool = false;

@group(0) @binding(0) var<storage, read> keys_in: array<vec4<u32>>;
@group(0) @binding(1) var<storage, read> offsets: array<u32>;
@group(0) @binding(2) var<storage, read_write> keys_out: array<u32>;

fn load_keys(i: u32) -> vec4u { return keys_in[i]; }

// Output index o within the bound output window (o itself unless WINDOWED); visit writes only when
// `!WINDOWED || w < params.out_len`.
fn slot(o: u32) -> u32 {
  if (WINDOWED) {
    return o - params.out0;
  }
  return o;
}

// The block's first output position for each digit.
fn start_block(t: ptr<function, radix_table>, b: u32) {
  for (var d = 0u; d < (1u << RADIX_BITS); d++) {
    (*t)[d] = offsets[d * params.nb_all + params.block0 + b];
  }
}

fn end_block(t: ptr<function, radix_table>, b: u32) {}
