// reduce-rows: reduces each row of a dense rows×R array (the reduced axes moved last and made contiguous)
// to one value — sum, prod, min, max, argmin, argmax, any, all, mean, var, std, norm, logsumexp — or to its
// softmax (the whole row), one invocation per row.
// Bindings (group 0): 0 x: array<T> (read), 1 out: array<u32> (write: each result's bits — T for
//   sum/prod/min/max, u32 for arg*/any/all, f32 for mean/var/std/norm/logsumexp and softmax's rows × R),
//   2 params: uniform Params.
// OP (override) selects the reduction; IS_FLOAT says T is f32 (NaN tests, f32 accumulation).
// Floats: sums run in blocks of 64 (each part's sum, then the blocks' sums), so each term meets at most
// 64 + ceil(R/64) roundings. NaN: min/max give NaN, arg* the first NaN (recognised by its bits: WGSL lets
// an implementation assume floats are never NaN). Integers wrap modulo 2^32, as WGSL does.
// Dispatch: workgroups for ceil(rows / WG) invocations (2-D folded beyond 65,535).

alias T = f32;

struct Params {
  rows: u32,
  r: u32,
  ddof: u32,
  pad: u32,
}

@group(0) @binding(0) var<storage, read> x: array<T>;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;
@group(0) @binding(2) var<uniform> params: Params;

override WG: u32 = 64;
override OP: u32 = 0u;
override IS_FLOAT: bool = true;

fn is_nan(v: T) -> bool {
  return IS_FLOAT && (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u;
}

fn as_f32(v: T) -> f32 {
  return f32(v);
}

// Blocked sum of f(x[k]) over the row (f: 0 identity, 1 square, 2 squared deviation from m).
fn fsum(base: u32, r: u32, f: u32, m: f32) -> f32 {
  var total = 0.0;
  var k = 0u;
  while (k < r) {
    var part = 0.0;
    let end = min(r, k + 64u);
    for (var j = k; j < end; j++) {
      var v = as_f32(x[base + j]);
      if (f == 1u) { v = v * v; }
      if (f == 2u) { let d = v - m; v = d * d; }
      if (f == 3u) { v = exp(v - m); }
      part = part + v;
    }
    total = total + part;
    k = end;
  }
  return total;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32, @builtin(num_workgroups) nwg: vec3<u32>) {
  let row = (wid.x + wid.y * nwg.x) * WG + lid;
  if (row >= params.rows) { return; }
  let r = params.r;
  let base = row * r;
  if (OP == 0u) { // sum
    if (IS_FLOAT) { out[row] = bitcast<u32>(fsum(base, r, 0u, 0.0)); return; }
    var s = T(0);
    for (var j = 0u; j < r; j++) { s = s + x[base + j]; }
    out[row] = bitcast<u32>(s);
  } else if (OP == 1u) { // prod
    var p = T(1);
    for (var j = 0u; j < r; j++) { p = p * x[base + j]; }
    out[row] = bitcast<u32>(p);
  } else if (OP == 2u || OP == 3u || OP == 4u || OP == 5u) { // min, max, argmin, argmax (r >= 1)
    var best = x[base];
    var at = 0u;
    var nan = is_nan(best);
    for (var j = 1u; j < r && !nan; j++) {
      let v = x[base + j];
      if (is_nan(v)) { best = v; at = j; nan = true; }
      else if ((OP == 2u || OP == 4u) && v < best) { best = v; at = j; }
      else if ((OP == 3u || OP == 5u) && v > best) { best = v; at = j; }
    }
    if (OP <= 3u) { out[row] = bitcast<u32>(best); } else { out[row] = at; }
  } else if (OP == 6u || OP == 7u) { // any, all: non-zero (NaN counts as non-zero, as in NumPy)
    var hit = select(1u, 0u, OP == 6u);
    for (var j = 0u; j < r; j++) {
      let v = x[base + j];
      let nz = is_nan(v) || v != T(0);
      if (OP == 6u && nz) { hit = 1u; break; }
      if (OP == 7u && !nz) { hit = 0u; break; }
    }
    out[row] = hit;
  } else if (OP == 8u) { // mean
    out[row] = bitcast<u32>(fsum(base, r, 0u, 0.0) / f32(r));
  } else if (OP == 9u || OP == 10u) { // var, std (two passes: the mean, then squared deviations)
    let m = fsum(base, r, 0u, 0.0) / f32(r);
    let v = fsum(base, r, 2u, m) / f32(r - params.ddof);
    out[row] = bitcast<u32>(select(v, sqrt(v), OP == 10u));
  } else if (OP == 11u) { // norm
    out[row] = bitcast<u32>(sqrt(fsum(base, r, 1u, 0.0)));
  } else { // 12: softmax (the whole row out), 13: logsumexp — shifted by the row's finite maximum (else 0)
    var m = as_f32(x[base]);
    var nan = is_nan(x[base]);
    for (var j = 1u; j < r; j++) {
      let v = x[base + j];
      nan = nan || is_nan(v);
      m = max(m, as_f32(v));
    }
    let infinite = (bitcast<u32>(m) & 0x7fffffffu) == 0x7f800000u;
    let shift = select(m, 0.0, infinite);
    let s = fsum(base, r, 3u, shift);
    let qnan = bitcast<f32>(0x7fc00000u | params.pad); // params.pad is 0: a runtime NaN (a constant one is a compile error)
    if (OP == 12u) {
      for (var j = 0u; j < r; j++) {
        let e = exp(as_f32(x[base + j]) - shift) / s;
        out[base + j] = bitcast<u32>(select(e, qnan, nan));
      }
    } else {
      out[row] = bitcast<u32>(select(log(s) + shift, qnan, nan));
    }
  }
}
