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
//   other R compose with SCALAR (src/kernels/compose.ts) for the scalar form. The elements past the
//   last whole chunk (R % 4 of them, scalar form only) are lane 0's.
// OP (override) selects the reduction; IS_FLOAT says T is f32 (NaN tests, f32 accumulation).
// Floats: each lane sums in blocks of 16 chunks (a vec4 of partial sums, then its four lanes), then the
// blocks, then the tree: each term meets at most 16 + 2 + ceil(R/64) + log2(LANES) roundings. NaN:
// min/max give NaN, arg* the first NaN (recognised by its bits: WGSL lets an implementation assume floats
// are never NaN). Integers wrap modulo 2^32, as WGSL does.
// softmax/logsumexp: one online pass per lane gives the row's maximum and sum of exps together (lane_stats:
// per block of RB chunks held in registers, its maximum, then the running sum rescaled to it and the
// block's exps added), lanes merged by the same rule; softmax then writes exp(x − shift) · (1 / total),
// from registers when each lane's chunks fit one block, else reading the row a second time.
// Dispatch: ceil(rows / (WG / LANES)) workgroups (2-D folded beyond 65,535).
// FUSED (a composition flag; f32 only): x is not bound. Element e of the rows is computed by fused_x(e), a
//   recorded elementwise chain that fusion appends with its own bindings (from 4 on) and uniform
//   (src/backends/dawn/fusion.ts `rowPrologue`); slot_of calls fused_row(row, base) once per invocation,
//   for the row's offsets into the chain's arrays; fused_x4(e) gives the four elements from e (e − base a
//   multiple of 4: the vec4 form's loads, and the scalar form's, whose rows need not start at one).

alias T = f32;
//#import grid

struct Params {
  rows: u32,
  r: u32,
  ddof: u32,
  pad: u32,
}

//#if FUSED
fn load4(e: u32) -> vec4<T> { return fused_x4(e); }
fn load1(e: u32) -> T { return fused_x(e); }
//#endif
//#if !SCALAR
//#if !FUSED
@group(0) @binding(0) var<storage, read> x: array<vec4<T>>;
fn load4(e: u32) -> vec4<T> { return x[e >> 2u]; }
fn load1(e: u32) -> T { return x[e >> 2u][e & 3u]; }
//#endif
@group(0) @binding(3) var<storage, read_write> y: array<vec4<f32>>;
fn store4(e: u32, v: vec4<f32>) { y[e >> 2u] = v; }
fn store1(e: u32, v: f32) { y[e >> 2u][e & 3u] = v; }
//#else
//#if !FUSED
@group(0) @binding(0) var<storage, read> x: array<T>;
fn load4(e: u32) -> vec4<T> { return vec4<T>(x[e], x[e + 1u], x[e + 2u], x[e + 3u]); }
fn load1(e: u32) -> T { return x[e]; }
//#endif
@group(0) @binding(3) var<storage, read_write> y: array<f32>;
fn store4(e: u32, v: vec4<f32>) { y[e] = v.x; y[e + 1u] = v.y; y[e + 2u] = v.z; y[e + 3u] = v.w; }
fn store1(e: u32, v: f32) { y[e] = v; }
//#endif

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

fn nan_bits(b: u32) -> bool {
  return (b & 0x7fffffffu) > 0x7f800000u;
}

// The softmax shift of a maximum m: m when finite, else 0 (by its bits: WGSL may assume floats are finite).
fn shift_of(m: f32) -> f32 {
  return select(0.0, m, (bitcast<u32>(m) & 0x7f800000u) != 0x7f800000u);
}

// Online softmax statistics: two (maximum, sum of exp(x − shift(maximum))) pairs merged into one, each sum
// rescaled to the larger maximum (exp(−Inf) = 0 drops an empty side). With an infinite maximum the sum is
// meaningless; the caller replaces it (row_stats).
fn online(am: f32, as_: f32, bm: f32, bs: f32) -> vec2<u32> {
  let m = max(am, bm);
  let sh = shift_of(m);
  return vec2<u32>(bitcast<u32>(m), bitcast<u32>(as_ * exp(am - sh) + bs * exp(bm - sh)));
}

// Combines two lane partials (kind: 0 f32 sum, 1 T sum, 2 T product, 3 min, 4 max — value and first index,
// a NaN winning —, 5 or, 6 and, 7 softmax statistics: an f32 maximum m, NaN when the lane saw one, and the
// sum of exp(x − shift(m)), see online()).
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
    default: {
      if (nan_bits(a.x)) { return a; }
      if (nan_bits(b.x)) { return b; }
      return online(bitcast<f32>(a.x), bitcast<f32>(a.y), bitcast<f32>(b.x), bitcast<f32>(b.y));
    }
  }
}

// The row's combined partial, in every lane (call from uniform control flow: all invocations, every time).
fn across_lanes(kind: u32, slot: Slot, v: vec2<u32>) -> vec2<u32> {
  if (LANES == 1u) { return v; }
  tree[slot.lid] = v;
  workgroupBarrier();
  for (var s = LANES / 2u; s > 0u; s >>= 1u) {
    if (slot.lane < s) { tree[slot.lid] = combine(kind, tree[slot.lid], tree[slot.lid + s]); }
    workgroupBarrier();
  }
  let r = tree[slot.lid - slot.lane];
  workgroupBarrier();
  return r;
}

fn fmap4(v: vec4<T>, f: u32, m: f32) -> vec4<f32> {
  let w = vec4<f32>(v);
  switch f {
    case 1u: { return w * w; }
    case 2u: { let d = w - m; return d * d; }
    default: { return w; }
  }
}

fn fmap1(v: T, f: u32, m: f32) -> f32 {
  return fmap4(vec4<T>(v), f, m).x;
}

// This lane's blocked f32 sum of f(x) over its chunks of the row (f: 0 identity, 1 square, 2 squared
// deviation from m); lane 0 adds the elements past the last whole chunk.
fn fsum(slot: Slot, f: u32, m: f32) -> f32 {
  var total = 0.0;
  var c = slot.lane;
  while (c < slot.nc) {
    var part = vec4<f32>(0.0);
    let end = min(slot.nc, c + 16u * LANES);
    for (; c < end; c += LANES) { part = part + fmap4(load4(slot.base + 4u * c), f, m); }
    total = total + ((part.x + part.y) + (part.z + part.w));
  }
  if (slot.lane == 0u) {
    for (var e = 4u * slot.nc; e < slot.r; e++) { total = total + fmap1(load1(slot.base + e), f, m); }
  }
  return total;
}

// The row's f32 sum of f(x), in every lane.
fn row_fsum(slot: Slot, f: u32, m: f32) -> f32 {
  return bitcast<f32>(across_lanes(0u, slot, vec2<u32>(bitcast<u32>(fsum(slot, f, m)), 0u)).x);
}

// Chunks per lane held in registers at a time by softmax and logsumexp (a block). A parameter: a fused
// softmax whose rows are read twice anyway takes 1 (src/backends/dawn/ops/axis.ts runRows).
//#param const RB: u32 = 8u

// This lane's softmax statistics over its chunks (online, one read): per block of RB chunks (kept in `blk`,
// chunks past the row's end as −Inf) its maximum b, then s = s·exp(m − shift(b)) + Σ exp(v − shift(b)).
// Returns (m's bits — a quiet NaN's when the lane saw a NaN —, s's bits); lane 0 adds the elements past
// the last whole chunk. When the lane's chunks fit one block (nc ≤ RB·LANES), `blk` keeps them all.
fn lane_stats(slot: Slot, blk: ptr<function, array<vec4<f32>, RB>>) -> vec2<u32> {
  let ninf = bitcast<f32>(0xff800000u | params.pad); // params.pad is 0: a runtime −Inf (a constant one is a compile error)
  var m = ninf;
  var s = 0.0;
  var nanv = vec4<bool>(false);
  for (var c = slot.lane; c < slot.nc; c += RB * LANES) {
    var b4 = vec4<f32>(m);
    for (var j = 0u; j < RB; j++) {
      let k = c + j * LANES;
      let v = load4(slot.base + 4u * min(k, slot.nc - 1u));
      nanv = nanv | nan4(v);
      (*blk)[j] = select(vec4<f32>(ninf), vec4<f32>(v), k < slot.nc);
      b4 = max(b4, (*blk)[j]);
    }
    let b = max(max(b4.x, b4.y), max(b4.z, b4.w));
    let sh = shift_of(b);
    var part = vec4<f32>(0.0);
    for (var j = 0u; j < RB; j++) { part = part + exp((*blk)[j] - sh); }
    s = s * exp(m - sh) + ((part.x + part.y) + (part.z + part.w));
    m = b;
  }
  var nan = any(nanv);
  if (slot.lane == 0u && 4u * slot.nc < slot.r) {
    var b = m;
    for (var e = 4u * slot.nc; e < slot.r; e++) {
      let v = load1(slot.base + e);
      nan = nan || is_nan(v);
      b = max(b, f32(v));
    }
    let sh = shift_of(b);
    var part = 0.0;
    for (var e = 4u * slot.nc; e < slot.r; e++) { part = part + exp(f32(load1(slot.base + e)) - sh); }
    s = s * exp(m - sh) + part;
    m = b;
  }
  return vec2<u32>(select(bitcast<u32>(m), 0x7fc00000u, nan), bitcast<u32>(s));
}

// A row's softmax statistics, in every lane: shift (its maximum when finite, else 0), total (the sum of
// exp(x − shift): +Inf when the maximum is +Inf, 0 when it is −Inf, as summing at shift 0 gives), and
// whether the row holds a NaN.
struct Stats {
  shift: f32,
  total: f32,
  nan: bool,
}

fn row_stats(slot: Slot, blk: ptr<function, array<vec4<f32>, RB>>) -> Stats {
  let t = across_lanes(7u, slot, lane_stats(slot, blk));
  let m = bitcast<f32>(t.x);
  let inf = bitcast<f32>(0x7f800000u | params.pad);
  return Stats(shift_of(m), select(bitcast<f32>(t.y), inf, t.x == 0x7f800000u), nan_bits(t.x));
}

// argmin/argmax partial of this lane: the best value's bits and its index (NONE: no element; the first
// NaN wins, ties go to the first index). Each vec4 lane keeps its best and the chunk it came from (strict
// comparisons keep the first); NaNs are only flagged in the loop, and looked for again if there is one.
fn pick(slot: Slot, lo: bool) -> vec2<u32> {
  var best = vec4<T>(T(0));
  var at = vec4<u32>(NONE);
  var nanv = vec4<bool>(false);
  if (slot.lane < slot.nc) {
    best = load4(slot.base + 4u * slot.lane);
    at = vec4<u32>(slot.lane);
    nanv = nan4(best);
  }
  for (var c = slot.lane + LANES; c < slot.nc; c += LANES) {
    let v = load4(slot.base + 4u * c);
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
    for (var c = slot.lane; c < slot.nc; c += LANES) {
      let n = nan4(load4(slot.base + 4u * c));
      if (any(n)) {
        let i = select(select(select(3u, 2u, n.z), 1u, n.y), 0u, n.x);
        p = vec2<u32>(bitcast<u32>(load1(slot.base + 4u * c + i)), 4u * c + i);
        break;
      }
    }
  }
  if (slot.lane == 0u) {
    for (var e = 4u * slot.nc; e < slot.r; e++) { p = combine(kind, p, vec2<u32>(bitcast<u32>(load1(slot.base + e)), e)); }
  }
  return p;
}

// An invocation's place: its index lid in the workgroup, its lane, its row and whether that row exists
// (invalid rows see r = 0), the row's first element (base) and its whole vec4 chunks (nc).
struct Slot {
  lid: u32,
  lane: u32,
  row: u32,
  valid: bool,
  r: u32,
  base: u32,
  nc: u32,
}

fn slot_of(grid: Grid) -> Slot {
  let row = group_index(grid) * (WG / LANES) + grid.lid.x / LANES;
  let valid = row < params.rows;
  let r = select(0u, params.r, valid);
//#if FUSED
  fused_row(row, row * r);
//#endif
  return Slot(grid.lid.x, grid.lid.x % LANES, row, valid, r, row * r, r / 4u);
}

@compute @workgroup_size(WG)
fn main(grid: Grid) {
  let slot = slot_of(grid);
  var res = 0u;
  if (OP == 0u && IS_FLOAT) { // sum (f32)
    res = bitcast<u32>(row_fsum(slot, 0u, 0.0));
  } else if (OP == 0u || OP == 1u) { // sum (integers: wrapping), prod
    var a4 = vec4<T>(select(T(0), T(1), OP == 1u));
    for (var c = slot.lane; c < slot.nc; c += LANES) {
      let v = load4(slot.base + 4u * c);
      if (OP == 0u) { a4 = a4 + v; } else { a4 = a4 * v; }
    }
    var a: T;
    if (OP == 0u) { a = (a4.x + a4.y) + (a4.z + a4.w); } else { a = (a4.x * a4.y) * (a4.z * a4.w); }
    if (slot.lane == 0u) {
      for (var e = 4u * slot.nc; e < slot.r; e++) {
        if (OP == 0u) { a = a + load1(slot.base + e); } else { a = a * load1(slot.base + e); }
      }
    }
    res = across_lanes(OP + 1u, slot, vec2<u32>(bitcast<u32>(a), 0u)).x;
  } else if (OP == 2u || OP == 3u) { // min, max (r >= 1): no indices per element
    var b4 = vec4<T>(T(0));
    var nan = false;
    var seen = slot.lane < slot.nc;
    if (seen) { b4 = load4(slot.base + 4u * slot.lane); }
    for (var c = slot.lane; c < slot.nc; c += LANES) {
      let v = load4(slot.base + 4u * c);
      nan = nan || any(nan4(v));
      if (OP == 2u) { b4 = min(b4, v); } else { b4 = max(b4, v); }
    }
    var b: T;
    if (OP == 2u) { b = min(min(b4.x, b4.y), min(b4.z, b4.w)); } else { b = max(max(b4.x, b4.y), max(b4.z, b4.w)); }
    if (slot.lane == 0u) {
      for (var e = 4u * slot.nc; e < slot.r; e++) {
        let v = load1(slot.base + e);
        if (!seen) { b = v; seen = true; }
        nan = nan || is_nan(v);
        if (OP == 2u) { b = min(b, v); } else { b = max(b, v); }
      }
    }
    let qnan = bitcast<u32>(0x7fc00000u | params.pad);
    let p = vec2<u32>(select(bitcast<u32>(b), qnan, nan), select(NONE, 0u, seen));
    res = across_lanes(OP + 1u, slot, p).x;
  } else if (OP == 4u || OP == 5u) { // argmin, argmax
    res = across_lanes(OP - 1u, slot, pick(slot, OP == 4u)).y;
  } else if (OP == 6u || OP == 7u) { // any, all: non-zero (NaN counts as non-zero, as in NumPy)
    var hit = OP == 7u;
    for (var c = slot.lane; c < slot.nc; c += LANES) {
      let v = load4(slot.base + 4u * c);
      let nz = nan4(v) | (v != vec4<T>(T(0)));
      if (OP == 6u && any(nz)) { hit = true; break; }
      if (OP == 7u && !all(nz)) { hit = false; break; }
    }
    if (slot.lane == 0u) {
      for (var e = 4u * slot.nc; e < slot.r; e++) {
        let v = load1(slot.base + e);
        let nz = is_nan(v) || v != T(0);
        if (OP == 6u) { hit = hit || nz; } else { hit = hit && nz; }
      }
    }
    res = across_lanes(OP - 1u, slot, vec2<u32>(select(0u, 1u, hit), 0u)).x;
  } else if (OP == 8u) { // mean
    res = bitcast<u32>(row_fsum(slot, 0u, 0.0) / f32(slot.r));
  } else if (OP == 9u || OP == 10u) { // var, std (two passes: the mean, then squared deviations)
    let m = row_fsum(slot, 0u, 0.0) / f32(slot.r);
    let ss = row_fsum(slot, 2u, m);
    let dof = slot.r - params.ddof; // the host passes ddof ≤ r
    let v = ss / f32(max(dof, 1u));
    res = bitcast<u32>(select(v, sqrt(v), OP == 10u));
    // No degrees of freedom left (r − ddof ≤ 0): NaN, as the Array API standard's special case says (NumPy
    // gives +Inf with a warning, or NaN for 0/0); written as bits, since WGSL lets an implementation assume
    // floats are finite.
    if (dof == 0u) { res = 0x7fc00000u | params.pad; }
  } else if (OP == 11u) { // norm
    res = bitcast<u32>(sqrt(row_fsum(slot, 1u, 0.0)));
  } else { // 13: logsumexp, shifted by the row's finite maximum (else 0), one online pass
    var blk: array<vec4<f32>, RB>;
    let st = row_stats(slot, &blk);
    res = select(bitcast<u32>(log(st.total) + st.shift), 0x7fc00000u | params.pad, st.nan);
  }
  if (slot.valid && slot.lane == 0u) { out[slot.row] = res; }
}

// softmax: the row's statistics in one online pass, then each element's exp(x − shift) · (1 / total); a
// row holding a NaN gives NaNs. When each lane's chunks fit one block (R / 4 ≤ RB·LANES: a GPU geometry
// with about 16 elements per lane) they are written from registers, so the row is read once; else the
// lane reads its chunks again.
@compute @workgroup_size(WG)
fn softmax(grid: Grid) {
  let slot = slot_of(grid);
  var blk: array<vec4<f32>, RB>;
  let st = row_stats(slot, &blk);
  let inv = 1.0 / st.total;
  let qnan = bitcast<f32>(0x7fc00000u | params.pad); // params.pad is 0: a runtime NaN
  if (params.r / 4u <= RB * LANES) {
    for (var j = 0u; j < RB; j++) {
      let c = slot.lane + j * LANES;
      if (c < slot.nc) { store4(slot.base + 4u * c, select(exp(blk[j] - st.shift) * inv, vec4<f32>(qnan), st.nan)); }
    }
  } else {
    for (var c = slot.lane; c < slot.nc; c += LANES) {
      let e = slot.base + 4u * c;
      store4(e, select(exp(vec4<f32>(load4(e)) - st.shift) * inv, vec4<f32>(qnan), st.nan));
    }
  }
  if (slot.lane == 0u) {
    for (var e = slot.base + 4u * slot.nc; e < slot.base + slot.r; e++) { store1(e, select(exp(f32(load1(e)) - st.shift) * inv, qnan, st.nan)); }
  }
}
