// reduce-rows: reduces each row of a dense rows×R array (the reduced axes moved last and made contiguous)
// to one value — sum, prod, min, max, argmin, argmax, any, all, mean, var, std, norm, logsumexp (entry
// point main) — or to its softmax (entry point softmax: the whole row).
// Bindings (group 0): 0 x: the rows (read), 1 out: array<u32> (main: each result's bits — T for
//   sum/prod/min/max, u32 for arg*/any/all, f32 for mean/var/std/norm/logsumexp), 2 params: uniform
//   Params, 3 y: softmax's rows × R (f32).
// Geometry: LANES invocations share a row (a power of two dividing WG), so a workgroup takes WG / LANES
//   rows. Lane l folds the row's vec4 chunks l, l + LANES, ... (neighbouring lanes read neighbouring
//   memory); lanes combine through a tree in workgroup memory. LANES = 1 is a row per invocation and no
//   tree: long serial folds, what a software adapter (a CPU) runs fastest; a GPU wants a row per
//   workgroup (or per few lanes for short rows).
// Loads: the vec4 form below binds x (and y) as vec4s, one load per four elements, for R % 4 == 0;
//   src/ops/axis.ts swaps in the scalar form (between the markers) for other R. The elements past the
//   last whole chunk (R % 4 of them, scalar form only) are lane 0's.
// OP (override) selects the reduction; IS_FLOAT says T is f32 (NaN tests, f32 accumulation).
// Floats: each lane sums in blocks of 16 chunks (a vec4 of partial sums, then its four lanes), then the
// blocks, then the tree: each term meets at most 16 + 2 + ceil(R/64) + log2(LANES) roundings. NaN:
// min/max give NaN, arg* the first NaN (recognised by its bits: WGSL lets an implementation assume floats
// are never NaN). Integers wrap modulo 2^32, as WGSL does.
// Dispatch: ceil(rows / (WG / LANES)) workgroups (2-D folded beyond 65,535).

alias T = f32;

struct Params {
  rows: u32,
  r: u32,
  ddof: u32,
  pad: u32,
}

//#vec4
@group(0) @binding(0) var<storage, read> x: array<vec4<T>>;
@group(0) @binding(3) var<storage, read_write> y: array<vec4<f32>>;
fn load4(e: u32) -> vec4<T> { return x[e >> 2u]; }
fn load1(e: u32) -> T { return x[e >> 2u][e & 3u]; }
fn store4(e: u32, v: vec4<f32>) { y[e >> 2u] = v; }
fn store1(e: u32, v: f32) { y[e >> 2u][e & 3u] = v; }
//#scalar
// @group(0) @binding(0) var<storage, read> x: array<T>;
// @group(0) @binding(3) var<storage, read_write> y: array<f32>;
// fn load4(e: u32) -> vec4<T> { return vec4<T>(x[e], x[e + 1u], x[e + 2u], x[e + 3u]); }
// fn load1(e: u32) -> T { return x[e]; }
// fn store4(e: u32, v: vec4<f32>) { y[e] = v.x; y[e + 1u] = v.y; y[e + 2u] = v.z; y[e + 3u] = v.w; }
// fn store1(e: u32, v: f32) { y[e] = v; }
//#end

@group(0) @binding(1) var<storage, read_write> out: array<u32>;
@group(0) @binding(2) var<uniform> params: Params;

override WG: u32 = 64;
override LANES: u32 = 1;
override OP: u32 = 0u;
override IS_FLOAT: bool = true;

const NONE = 0xffffffffu;

// Lane partials: x the value's bits, y an index (arg*, min/max: NONE when the lane saw nothing) or a flag.
var<workgroup> tree: array<vec2<u32>, WG>;

fn is_nan(v: T) -> bool {
  return IS_FLOAT && (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
}

fn nan4(v: vec4<T>) -> vec4<bool> {
  return vec4<bool>(IS_FLOAT) & ((bitcast<vec4<u32>>(v) & vec4<u32>(0x7fffffffu)) > vec4<u32>(0x7f800000u));
}

// Combines two lane partials (kind: 0 f32 sum, 1 T sum, 2 T product, 3 min, 4 max — value and first index,
// a NaN winning —, 5 or, 6 and, 7 f32 maximum with a NaN flag).
fn combine(kind: u32, a: vec2<u32>, b: vec2<u32>) -> vec2<u32> {
  switch kind {
    case 0u: { return vec2<u32>(bitcast<u32>(bitcast<f32>(a.x) + bitcast<f32>(b.x)), 0u); }
    case 1u: { return vec2<u32>(bitcast<u32>(bitcast<T>(a.x) + bitcast<T>(b.x)), 0u); }
    case 2u: { return vec2<u32>(bitcast<u32>(bitcast<T>(a.x) * bitcast<T>(b.x)), 0u); }
    case 3u, 4u: {
      if (b.y == NONE) { return a; }
      if (a.y == NONE) { return b; }
      let av = bitcast<T>(a.x);
      let bv = bitcast<T>(b.x);
      let an = is_nan(av);
      let bn = is_nan(bv);
      if (an || bn) { return select(b, a, an && (!bn || a.y < b.y)); }
      let better = select(bv > av, bv < av, kind == 3u);
      return select(a, b, better || (bv == av && b.y < a.y));
    }
    case 5u: { return a | b; }
    case 6u: { return a & b; }
    default: { return vec2<u32>(bitcast<u32>(max(bitcast<f32>(a.x), bitcast<f32>(b.x))), a.y | b.y); }
  }
}

// The row's combined partial, in every lane (call from uniform control flow: all invocations, every time).
fn across_lanes(kind: u32, lid: u32, lane: u32, v: vec2<u32>) -> vec2<u32> {
  if (LANES == 1u) { return v; }
  tree[lid] = v;
  workgroupBarrier();
  for (var s = LANES / 2u; s > 0u; s >>= 1u) {
    if (lane < s) { tree[lid] = combine(kind, tree[lid], tree[lid + s]); }
    workgroupBarrier();
  }
  let r = tree[lid - lane];
  workgroupBarrier();
  return r;
}

fn fmap4(v: vec4<T>, f: u32, m: f32) -> vec4<f32> {
  let w = vec4<f32>(v);
  switch f {
    case 1u: { return w * w; }
    case 2u: { let d = w - m; return d * d; }
    case 3u: { return exp(w - m); }
    default: { return w; }
  }
}

fn fmap1(v: T, f: u32, m: f32) -> f32 {
  return fmap4(vec4<T>(v), f, m).x;
}

// This lane's blocked f32 sum of f(x) over its chunks of the row (f: 0 identity, 1 square, 2 squared
// deviation from m, 3 exp(x - m)); lane 0 adds the elements past the last whole chunk.
fn fsum(base: u32, r: u32, lane: u32, f: u32, m: f32) -> f32 {
  let nc = r / 4u;
  var total = 0.0;
  var c = lane;
  while (c < nc) {
    var part = vec4<f32>(0.0);
    let end = min(nc, c + 16u * LANES);
    for (; c < end; c += LANES) { part = part + fmap4(load4(base + 4u * c), f, m); }
    total = total + ((part.x + part.y) + (part.z + part.w));
  }
  if (lane == 0u) {
    for (var e = 4u * nc; e < r; e++) { total = total + fmap1(load1(base + e), f, m); }
  }
  return total;
}

// The row's f32 sum of f(x), in every lane.
fn row_fsum(base: u32, r: u32, lid: u32, lane: u32, f: u32, m: f32) -> f32 {
  return bitcast<f32>(across_lanes(0u, lid, lane, vec2<u32>(bitcast<u32>(fsum(base, r, lane, f, m)), 0u)).x);
}

// The row's softmax shift, in every lane: its maximum when finite, else 0; and whether it holds a NaN.
fn row_shift(base: u32, r: u32, lid: u32, lane: u32) -> vec2<f32> {
  let nc = r / 4u;
  let ninf = bitcast<f32>(0xff800000u | params.pad); // params.pad is 0: a runtime −Inf (a constant one is a compile error)
  var m4 = vec4<f32>(ninf);
  var nan = false;
  for (var c = lane; c < nc; c += LANES) {
    let v = load4(base + 4u * c);
    nan = nan || any(nan4(v));
    m4 = max(m4, vec4<f32>(v));
  }
  var m = max(max(m4.x, m4.y), max(m4.z, m4.w));
  if (lane == 0u) {
    for (var e = 4u * nc; e < r; e++) {
      let v = load1(base + e);
      nan = nan || is_nan(v);
      m = max(m, f32(v));
    }
  }
  let t = across_lanes(7u, lid, lane, vec2<u32>(bitcast<u32>(m), select(0u, 1u, nan)));
  let mx = bitcast<f32>(t.x);
  let infinite = (t.x & 0x7fffffffu) == 0x7f800000u;
  return vec2<f32>(select(mx, 0.0, infinite), select(0.0, 1.0, t.y != 0u));
}

// argmin/argmax partial of this lane: the best value's bits and its index (NONE: no element; the first
// NaN wins, ties go to the first index). Each vec4 lane keeps its best and the chunk it came from (strict
// comparisons keep the first); NaNs are only flagged in the loop, and looked for again if there is one.
fn pick(base: u32, r: u32, lane: u32, lo: bool) -> vec2<u32> {
  let nc = r / 4u;
  var best = vec4<T>(T(0));
  var at = vec4<u32>(NONE);
  var nanv = vec4<bool>(false);
  if (lane < nc) {
    best = load4(base + 4u * lane);
    at = vec4<u32>(lane);
    nanv = nan4(best);
  }
  for (var c = lane + LANES; c < nc; c += LANES) {
    let v = load4(base + 4u * c);
    nanv = nanv | nan4(v);
    let better = select(v > best, v < best, vec4<bool>(lo));
    best = select(best, v, better);
    at = select(at, vec4<u32>(c), better);
  }
  let kind = select(4u, 3u, lo);
  var p = vec2<u32>(0u, NONE);
  for (var i = 0u; i < 4u; i++) {
    if (at[i] != NONE) { p = combine(kind, p, vec2<u32>(bitcast<u32>(best[i]), 4u * at[i] + i)); }
  }
  if (any(nanv)) { // the lane's first NaN among its chunks
    for (var c = lane; c < nc; c += LANES) {
      let n = nan4(load4(base + 4u * c));
      if (any(n)) {
        let i = select(select(select(3u, 2u, n.z), 1u, n.y), 0u, n.x);
        p = vec2<u32>(bitcast<u32>(load1(base + 4u * c + i)), 4u * c + i);
        break;
      }
    }
  }
  if (lane == 0u) {
    for (var e = 4u * nc; e < r; e++) { p = combine(kind, p, vec2<u32>(bitcast<u32>(load1(base + e)), e)); }
  }
  return p;
}

// The row's workgroup slot: its lane, its row and whether that row exists (invalid rows see r = 0).
struct Slot {
  lane: u32,
  row: u32,
  valid: bool,
  r: u32,
}

fn slot(wid: vec3<u32>, lid: u32, nwg: vec3<u32>) -> Slot {
  let row = (wid.x + wid.y * nwg.x) * (WG / LANES) + lid / LANES;
  let valid = row < params.rows;
  return Slot(lid % LANES, row, valid, select(0u, params.r, valid));
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32, @builtin(num_workgroups) nwg: vec3<u32>) {
  let s = slot(wid, lid, nwg);
  let lane = s.lane;
  let r = s.r;
  let base = s.row * r;
  let nc = r / 4u;
  var res = 0u;
  if (OP == 0u && IS_FLOAT) { // sum (f32)
    res = bitcast<u32>(row_fsum(base, r, lid, lane, 0u, 0.0));
  } else if (OP == 0u || OP == 1u) { // sum (integers: wrapping), prod
    var a4 = vec4<T>(select(T(0), T(1), OP == 1u));
    for (var c = lane; c < nc; c += LANES) {
      let v = load4(base + 4u * c);
      if (OP == 0u) { a4 = a4 + v; } else { a4 = a4 * v; }
    }
    var a: T;
    if (OP == 0u) { a = (a4.x + a4.y) + (a4.z + a4.w); } else { a = (a4.x * a4.y) * (a4.z * a4.w); }
    if (lane == 0u) {
      for (var e = 4u * nc; e < r; e++) {
        if (OP == 0u) { a = a + load1(base + e); } else { a = a * load1(base + e); }
      }
    }
    res = across_lanes(OP + 1u, lid, lane, vec2<u32>(bitcast<u32>(a), 0u)).x;
  } else if (OP == 2u || OP == 3u) { // min, max (r >= 1): no indices per element
    var b4 = vec4<T>(T(0));
    var nan = false;
    var seen = lane < nc;
    if (seen) { b4 = load4(base + 4u * lane); }
    for (var c = lane; c < nc; c += LANES) {
      let v = load4(base + 4u * c);
      nan = nan || any(nan4(v));
      if (OP == 2u) { b4 = min(b4, v); } else { b4 = max(b4, v); }
    }
    var b: T;
    if (OP == 2u) { b = min(min(b4.x, b4.y), min(b4.z, b4.w)); } else { b = max(max(b4.x, b4.y), max(b4.z, b4.w)); }
    if (lane == 0u) {
      for (var e = 4u * nc; e < r; e++) {
        let v = load1(base + e);
        if (!seen) { b = v; seen = true; }
        nan = nan || is_nan(v);
        if (OP == 2u) { b = min(b, v); } else { b = max(b, v); }
      }
    }
    let qnan = bitcast<u32>(0x7fc00000u | params.pad);
    let p = vec2<u32>(select(bitcast<u32>(b), qnan, nan), select(NONE, 0u, seen));
    res = across_lanes(OP + 1u, lid, lane, p).x;
  } else if (OP == 4u || OP == 5u) { // argmin, argmax
    res = across_lanes(OP - 1u, lid, lane, pick(base, r, lane, OP == 4u)).y;
  } else if (OP == 6u || OP == 7u) { // any, all: non-zero (NaN counts as non-zero, as in NumPy)
    var hit = OP == 7u;
    for (var c = lane; c < nc; c += LANES) {
      let v = load4(base + 4u * c);
      let nz = nan4(v) | (v != vec4<T>(T(0)));
      if (OP == 6u && any(nz)) { hit = true; break; }
      if (OP == 7u && !all(nz)) { hit = false; break; }
    }
    if (lane == 0u) {
      for (var e = 4u * nc; e < r; e++) {
        let v = load1(base + e);
        let nz = is_nan(v) || v != T(0);
        if (OP == 6u) { hit = hit || nz; } else { hit = hit && nz; }
      }
    }
    res = across_lanes(OP - 1u, lid, lane, vec2<u32>(select(0u, 1u, hit), 0u)).x;
  } else if (OP == 8u) { // mean
    res = bitcast<u32>(row_fsum(base, r, lid, lane, 0u, 0.0) / f32(r));
  } else if (OP == 9u || OP == 10u) { // var, std (two passes: the mean, then squared deviations)
    let m = row_fsum(base, r, lid, lane, 0u, 0.0) / f32(r);
    let v = row_fsum(base, r, lid, lane, 2u, m) / f32(r - params.ddof);
    res = bitcast<u32>(select(v, sqrt(v), OP == 10u));
  } else if (OP == 11u) { // norm
    res = bitcast<u32>(sqrt(row_fsum(base, r, lid, lane, 1u, 0.0)));
  } else { // 13: logsumexp, shifted by the row's finite maximum (else 0)
    let sh = row_shift(base, r, lid, lane);
    let total = row_fsum(base, r, lid, lane, 3u, sh.x);
    res = select(bitcast<u32>(log(total) + sh.x), 0x7fc00000u | params.pad, sh.y != 0.0);
  }
  if (s.valid && lane == 0u) { out[s.row] = res; }
}

@compute @workgroup_size(WG)
fn softmax(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32, @builtin(num_workgroups) nwg: vec3<u32>) {
  let s = slot(wid, lid, nwg);
  let lane = s.lane;
  let r = s.r;
  let base = s.row * r;
  let nc = r / 4u;
  let sh = row_shift(base, r, lid, lane);
  let total = row_fsum(base, r, lid, lane, 3u, sh.x);
  let nan = sh.y != 0.0;
  let qnan = bitcast<f32>(0x7fc00000u | params.pad); // params.pad is 0: a runtime NaN
  for (var c = lane; c < nc; c += LANES) {
    let e = base + 4u * c;
    store4(e, select(exp(vec4<f32>(load4(e)) - sh.x) / total, vec4<f32>(qnan), nan));
  }
  if (lane == 0u) {
    for (var e = base + 4u * nc; e < base + r; e++) { store1(e, select(exp(f32(load1(e)) - sh.x) / total, qnan, nan)); }
  }
}
