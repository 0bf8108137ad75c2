// random-philox.wgsl — counter-based random numbers, Philox4x32-10 (Salmon et al., SC 2011; as in
// Random123 / cuRAND / JAX). Bit-identical to src/ops/random.ts for raw u32 and uniform; normal
// agrees to a few ulps of log/sin/cos.
//
// Stream: element i has global position g = offset + i (offset = offset_hi·2^32 + offset_lo) and is
// output word g % 4 of philox4x32_10(counter = [q_lo, q_hi, 0, 0], key = [seed_lo, seed_hi]) with
// q = g / 4 (64-bit). dist selects what is written (all as u32 bits; the host views f32 results as f32):
//   dist = 0  raw u32 word
//   dist = 1  uniform f32 in [0, 1): f32(word >> 8) * 2^-24 (exact)
//   dist = 2  standard normal f32: Box–Muller on words (0,1) and (2,3) of the block:
//             u1 = ((w_a >> 8) + 1) * 2^-24 in (0, 1], u2 = (w_b >> 8) * 2^-24,
//             r = sqrt(-2 ln u1), θ = 2π u2; lane a gets r cos θ, lane b gets r sin θ.
//             log and sin/cos are evaluated in-kernel from the integers (exact range reduction,
//             polynomials), not with WGSL's built-ins, so adapters agree to a few ulps.
//
// Bindings (@group(0)):
//   0 out    : array<u32>, n elements (write)
//   1 params : Params (uniform)
// Dispatch: one invocation per ITEMS Philox blocks; blocks = (n + (offset_lo & 3) + 3) / 4;
//   workgroups = ceil(blocks / (WG * ITEMS)), split into a 2-D grid (x ≤ 65535) when larger;
//   linear workgroup index = wid.x + wid.y * num_workgroups.x. Invocations past the end return.
//   Within a workgroup, block t = wg·WG·ITEMS + k·WG + local_id (k < ITEMS), so neighbouring
//   invocations take neighbouring blocks (lib/items).
//#import items

struct Params {
  n: u32,
  seed_lo: u32,
  seed_hi: u32,
  offset_lo: u32,
  offset_hi: u32,
  dist: u32,
  _pad0: u32,
  _pad1: u32,
}

@group(0) @binding(0) var<storage, read_write> out: array<u32>;
@group(0) @binding(1) var<uniform> params: Params;

override WG: u32 = 64;
override ITEMS: u32 = 16;

const M0: u32 = 0xD2511F53u;
const M1: u32 = 0xCD9E8D57u;
const W0: u32 = 0x9E3779B9u;
const W1: u32 = 0xBB67AE85u;
const TWO_POW_M24: f32 = 5.9604644775390625e-8;

// High 32 bits of a 32×32 → 64-bit product; WGSL has no u64, so go through 16-bit halves.
fn mulhi(a: u32, b: u32) -> u32 {
  let al = a & 0xFFFFu;
  let ah = a >> 16u;
  let bl = b & 0xFFFFu;
  let bh = b >> 16u;
  let ll = al * bl;
  let lh = al * bh;
  let hl = ah * bl;
  let hh = ah * bh;
  let mid = (ll >> 16u) + (lh & 0xFFFFu) + (hl & 0xFFFFu);
  return hh + (lh >> 16u) + (hl >> 16u) + (mid >> 16u);
}

fn philox_round(c: vec4<u32>, k: vec2<u32>) -> vec4<u32> {
  let hi0 = mulhi(M0, c.x);
  let lo0 = M0 * c.x;
  let hi1 = mulhi(M1, c.z);
  let lo1 = M1 * c.z;
  return vec4<u32>(hi1 ^ c.y ^ k.x, lo1, hi0 ^ c.w ^ k.y, lo0);
}

fn philox4x32_10(ctr: vec4<u32>, key: vec2<u32>) -> vec4<u32> {
  var c = ctr;
  var k = key;
  c = philox_round(c, k);
  for (var r = 1u; r < 10u; r++) {
    k = k + vec2<u32>(W0, W1);
    c = philox_round(c, k);
  }
  return c;
}

fn to_uniform(w: u32) -> f32 {
  return f32(w >> 8u) * TWO_POW_M24;
}

// Box–Muller with its own log and sin/cos, so the result does not rest on the adapter's built-ins
// (WGSL only promises 2^-11 absolute error for sin/cos; lavapipe's were off by ~1e-5 here).
// Both arguments are 24-bit integers, so the range reductions below are exact.
const LN2: f32 = 0.693147180559945309;
const SQRT2: f32 = 1.41421356237309505;
const TWO_PI_OVER_2_24: f32 = 3.74507028e-7;  // 2π / 2^24

// -2 ln((k + 1) / 2^24) for k + 1 in [1, 2^24]: split x = 2^e · m with m in [√½, √2), then
// ln m = 2 atanh(s), s = (m - 1)/(m + 1), |s| < 0.172 (series to s^9: truncation < 1e-9).
fn minus_two_log_u1(k: u32) -> f32 {
  let x = f32(k + 1u);
  let bits = bitcast<u32>(x);
  var e = i32(bits >> 23u) - 127;
  var m = bitcast<f32>((bits & 0x007FFFFFu) | 0x3F800000u);
  if (m > SQRT2) { m = m * 0.5; e = e + 1; }
  let s = (m - 1.0) / (m + 1.0);
  let s2 = s * s;
  let ln_m = 2.0 * s * (1.0 + s2 * (1.0 / 3.0 + s2 * (0.2 + s2 * (1.0 / 7.0 + s2 * (1.0 / 9.0)))));
  return 2.0 * f32(24 - e) * LN2 - 2.0 * ln_m;
}

// (cos θ, sin θ) for θ = 2π j / 2^24, j a 24-bit integer: nearest quarter turn by integer
// arithmetic, then Taylor polynomials on |φ| ≤ π/4 (truncation < 3e-8).
fn sincos_turn24(j: u32) -> vec2<f32> {
  let quadrant = ((j + 0x200000u) >> 22u) & 3u;
  let d = i32(j) - i32(((j + 0x200000u) >> 22u) << 22u);
  let phi = f32(d) * TWO_PI_OVER_2_24;
  let p2 = phi * phi;
  let s = phi * (1.0 - p2 * (1.0 / 6.0 - p2 * (1.0 / 120.0 - p2 * (1.0 / 5040.0 - p2 * (1.0 / 362880.0)))));
  let c = 1.0 - p2 * (0.5 - p2 * (1.0 / 24.0 - p2 * (1.0 / 720.0 - p2 * (1.0 / 40320.0 - p2 * (1.0 / 3628800.0)))));
  switch quadrant {
    case 0u: { return vec2<f32>(c, s); }
    case 1u: { return vec2<f32>(-s, c); }
    case 2u: { return vec2<f32>(-c, -s); }
    default: { return vec2<f32>(s, -c); }
  }
}

fn box_muller(a: u32, b: u32) -> vec2<f32> {
  let r = sqrt(minus_two_log_u1(a >> 8u));
  return r * sincos_turn24(b >> 8u);
}

@compute @workgroup_size(WG)
fn main(grid: Grid) {
  let n = params.n;
  let head = params.offset_lo & 3u;
  let blocks = (n + head + 3u) / 4u;
  // First block q0 = offset / 4 as a 64-bit (lo, hi) pair.
  let q0_lo = (params.offset_lo >> 2u) | (params.offset_hi << 30u);
  let q0_hi = params.offset_hi >> 2u;
  let key = vec2<u32>(params.seed_lo, params.seed_hi);
  let base = items_base(grid);
  for (var k = 0u; k < ITEMS; k++) {
    let t = base + k * WG;
    if (t >= blocks) { return; }
    let q_lo = q0_lo + t;
    let q_hi = q0_hi + select(0u, 1u, q_lo < t);
    let w = philox4x32_10(vec4<u32>(q_lo, q_hi, 0u, 0u), key);
    var v: vec4<u32>;
    if (params.dist == 0u) {
      v = w;
    } else if (params.dist == 1u) {
      v = bitcast<vec4<u32>>(vec4<f32>(to_uniform(w.x), to_uniform(w.y), to_uniform(w.z), to_uniform(w.w)));
    } else {
      v = bitcast<vec4<u32>>(vec4<f32>(box_muller(w.x, w.y), box_muller(w.z, w.w)));
    }
    // Element index of lane j is 4t + j - head; skip lanes before the first element and past n.
    let e0 = 4u * t;
    if (head == 0u && e0 + 4u <= n) {
      out[e0] = v.x;
      out[e0 + 1u] = v.y;
      out[e0 + 2u] = v.z;
      out[e0 + 3u] = v.w;
      continue;
    }
    for (var j = 0u; j < 4u; j++) {
      let e = e0 + j;
      if (e >= head && e - head < n) {
        out[e - head] = v[j];
      }
    }
  }
}
