// scan-block-apply: pass 3 of the reduce-then-scan prefix sum (and the whole scan when n <= BLOCK).
//   out[i] = offsets[b] + x[b*BLOCK] + ... + x[i]        (inclusive, params.exclusive == 0)
//   out[i] = offsets[b] + x[b*BLOCK] + ... + x[i - 1]    (exclusive, params.exclusive == 1)
// where b = i / BLOCK and offsets is the exclusive scan of the per-block sums (scan-block-reduce output);
// with params.has_offsets == 0 the offsets are taken as 0 (single block; bind any small buffer).
// One invocation rescans one whole block serially with vec4 loads and stores.
//
// Bindings (@group(0)):
//   0  x        array<vec4<T>>, read        n elements, buffer padded to a multiple of 4 elements
//   1  offsets  array<T>, read              ceil(n / BLOCK) elements (or any >= 1 element if has_offsets == 0)
//   2  out      array<vec4<T>>, read_write  n elements, buffer padded to a multiple of 4 elements; the
//                                           padding after element n-1 (up to the next multiple of 4) is
//                                           overwritten with garbage
//   3  params   uniform { n, exclusive, has_offsets }
// Dispatch: one invocation per block, ceil(ceil(n / BLOCK) / WG) workgroups, 2-D grid over 65535
//   (lib/serial-block).
// Overrides: WG (workgroup size), BLOCK (elements per invocation, a multiple of 4; must equal the BLOCK
//   used by scan-block-reduce for the same scan).
//#import scan-block

struct Params {
  n: u32,
  exclusive: u32,
  has_offsets: u32,
}

@group(0) @binding(1) var<storage, read> offsets: array<T>;
@group(0) @binding(2) var<storage, read_write> out: array<vec4<T>>;
@group(0) @binding(3) var<uniform> params: Params;

fn run_block(b: u32, start: u32, end: u32) {
  let v0 = start / 4u;
  let v1 = (end + 3u) / 4u; // includes the partial last vec4; its padding lanes get garbage
  var s = T();
  if (params.has_offsets != 0u) {
    s = offsets[b];
  }
  let ex = params.exclusive != 0u;
  for (var i = v0; i < v1; i++) {
    let v = x[i];
    let p1 = v.x;
    let p2 = p1 + v.y;
    let p3 = p2 + v.z;
    let p4 = p3 + v.w;
    let incl = vec4<T>(p1, p2, p3, p4);
    let excl = vec4<T>(T(), p1, p2, p3);
    out[i] = vec4<T>(s) + select(incl, excl, ex);
    s += p4;
  }
}
