// reduce-arg: argmin / argmax of x[0..n): the index of the first minimum (maximum).
// NaN rule: a NaN beats every number, so if x holds any NaN the result is the index of the FIRST NaN
// (and the value is NaN); ties between equal values (and between NaNs) go to the lower index, so the
// result is the first occurrence. NaN is tested on the bits (fast-math cannot fold it away); -0 == +0
// (whichever comes first wins). n = 0 gives index 0xffffffff and value identity().
// Same pass structure as reduce.wgsl (no barriers, no workgroup memory); the partials are
// (value, index) pairs kept per vec4 lane: Pair { v: vec4<T>, i: vec4<u32> } (32 bytes).
//
// Entry points (one pipeline each, same module):
//   main     pass 1: x -> partials. vec4 index q covers elements 4q..4q+3; elements >= n are
//            (identity(), 0xffffffff). Invocation lid of workgroup g folds vec4 g*WG*ITEMS + j*WG + lid,
//            j < ITEMS, and writes partials[g*WG + lid] (every invocation of the grid writes one Pair).
//   combine  middle pass: partials (params.n = Pair count) -> out, same geometry as main.
//   finish   @workgroup_size(1), dispatch (1,1,1): partials[0..params.n) -> out[0] with all four lanes
//            equal to the answer: read value out[0].v.x (byte 0) and index out[0].i.x (byte 16).
// Geometry: exactly reduce.wgsl's (V = ceil(n/4), B = WG*ITEMS, nwg = ceil(V/B), 2-D grid over 65535,
//   P1 = gx*gy*WG Pairs; combine while count > FINISH_MAX; finish), but a Pair is 32 bytes.
//   n = 2^24, WG = 8, ITEMS = 2048, FINISH_MAX = 2048: main 256 wg -> 2048 Pairs (64 KiB); finish.
//
// Bindings (@group(0)); `auto` layouts keep only what an entry point uses:
//   0  x         array<vec4<T>>, read        main only; n elements, buffer padded to 16 bytes
//   1  partials  array<Pair>, read_write     main: output; combine/finish: input
//   2  params    uniform Params { n: u32 }   main: element count; combine/finish: Pair count
//   3  out       array<Pair>, read_write     combine/finish: output
// Overrides: WG (workgroup size), ITEMS (vec4 per invocation per pass; >= 2, or combine cannot
//   shrink); lavapipe: WG = 8, ITEMS = 1024..4096.
// Indices are u32: n < 2^32 (and the 0xffffffff sentinel is never a real index).
// Parameters (src/kernels/compose.ts; the defaults are f32 argmin): T the element type; ARGMAX (flag) for the
// largest; IDENTITY the bits of identity(): +inf 0x7f800000u / -inf 0xff800000u (f32), 0x7fffffffu /
// 0x80000000u (i32), 0xffffffffu / 0u (u32); INTEGER (flag) for i32/u32, which have no NaN rule.
//#param alias T = f32
//#param const IDENTITY: u32 = 0x7f800000u
//#import items

// The order: identity, map, better.
fn identity() -> T { let bits = IDENTITY; return bitcast<T>(bits); } // a let: a const inf is an error
fn map(q: u32) -> vec4<T> { return x[q]; }
//#if ARGMAX
fn ahead(a: vec4<T>, b: vec4<T>) -> vec4<bool> { return a > b; }
//#else
fn ahead(a: vec4<T>, b: vec4<T>) -> vec4<bool> { return a < b; }
//#endif
//#if !INTEGER
fn isnan4(v: vec4<T>) -> vec4<bool> { return (bitcast<vec4u>(v) & vec4u(0x7fffffffu)) > vec4u(0x7f800000u); }
// Is (a, ai) preferred over (b, bi)?  NaN first, then the smaller (larger) value, then the lower index.
fn better(a: vec4<T>, ai: vec4u, b: vec4<T>, bi: vec4u) -> vec4<bool> {
  let an = isnan4(a);
  let bn = isnan4(b);
  return (an & !bn) | (!an & !bn & ahead(a, b)) | (((an & bn) | (a == b)) & (ai < bi));
}
//#else
fn better(a: vec4<T>, ai: vec4u, b: vec4<T>, bi: vec4u) -> vec4<bool> { return ahead(a, b) | ((a == b) & (ai < bi)); }
//#endif

override WG: u32 = 8;
override ITEMS: u32 = 2048;

struct Pair {
  v: vec4<T>,
  i: vec4u,
}

struct Params {
  n: u32,
  // main over one chunk of an array larger than one binding: x is the window whose element 0 is element
  // `base` of the array, and its partials start at partials[pbase]. 0 and 0 otherwise (and in combine/finish).
  base: u32,
  pbase: u32,
}

@group(0) @binding(0) var<storage, read> x: array<vec4<T>>;
@group(0) @binding(1) var<storage, read_write> partials: array<Pair>;
@group(0) @binding(2) var<uniform> params: Params;
@group(0) @binding(3) var<storage, read_write> out: array<Pair>;

// The empty partial: identity() in every lane, no index.
fn empty() -> Pair { return Pair(vec4<T>(identity()), vec4u(0xffffffffu)); }

fn fold(acc: Pair, v: vec4<T>, i: vec4u) -> Pair {
  let take = better(v, i, acc.v, acc.i);
  return Pair(select(acc.v, v, take), select(acc.i, i, take));
}

@compute @workgroup_size(WG)
fn main(grid: Grid) {
  let g = group_index(grid);
  let n = params.n;
  let base = items_base(grid);
  let lanes = vec4u(0u, 1u, 2u, 3u);
  var acc = empty();
  if ((g + 1u) * (WG * ITEMS) <= n / 4u) {
    for (var j = 0u; j < ITEMS; j++) {
      let q = base + j * WG;
      acc = fold(acc, map(q), vec4u(params.base + q * 4u) + lanes);
    }
  } else {
    let nv = (n + 3u) / 4u;
    for (var j = 0u; j < ITEMS; j++) {
      let q = base + j * WG;
      if (q < nv) {
        let idx = vec4u(q * 4u) + lanes;
        let ok = idx < vec4u(n);
        acc = fold(acc, select(vec4<T>(identity()), map(q), ok), select(vec4u(0xffffffffu), idx + vec4u(params.base), ok));
      }
    }
  }
  partials[params.pbase + g * WG + grid.lid.x] = acc;
}

@compute @workgroup_size(WG)
fn combine(grid: Grid) {
  let g = group_index(grid);
  let count = params.n;
  let base = items_base(grid);
  var acc = empty();
  for (var j = 0u; j < ITEMS; j++) {
    let k = base + j * WG;
    if (k < count) {
      let p = partials[k];
      acc = fold(acc, p.v, p.i);
    }
  }
  out[g * WG + grid.lid.x] = acc;
}

@compute @workgroup_size(1)
fn finish() {
  let count = params.n;
  var acc = empty();
  for (var k = 0u; k < count; k++) {
    let p = partials[k];
    acc = fold(acc, p.v, p.i);
  }
  // lanes: fold (y,z,w) into x
  var r = Pair(vec4<T>(acc.v.x), vec4u(acc.i.x));
  r = fold(r, vec4<T>(acc.v.y), vec4u(acc.i.y));
  r = fold(r, vec4<T>(acc.v.z), vec4u(acc.i.z));
  r = fold(r, vec4<T>(acc.v.w), vec4u(acc.i.w));
  out[0] = r;
}
