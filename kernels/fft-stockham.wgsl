// fft-stockham.wgsl — one out-of-place Stockham autosort pass of a batched complex FFT
// (power-of-two n; forward X_k = Σ x_j e^{-2πi jk/n}, inverse with e^{+...} and a scale).
// Entry points radix2 / radix4 / radix8 each do one radix-R stage: for every butterfly
// t < batch · n/R, with b = t / (n/R), j = t % (n/R), k = j % ns (ns = product of the radices of
// the earlier stages, 1 for the first):
//   v_r = src[b·n + j + r·n/R] · w^(r·k·n/(ns·R)),  r < R,   w = twiddles = e^{-2πi/n} (conj. if inverse)
//   V = DFT_R(v)   (sign -1, or +1 if inverse)
//   dst[b·n + (j / ns)·ns·R + k + q·ns] = V_q · scale
// A full transform is a sequence of passes with radices R_1·R_2·…= n (ns = R_1·…·R_{s-1} for pass s),
// ping-ponging src/dst; after the last pass the result is in natural order. Host plan used in
// FINDINGS: as many radix-8 (or 4) passes as fit, then one radix-4/2 pass for the rest;
// the pass count S decides the buffers: pass s writes `out` if (S-1-s) is even, else a temp buffer,
// and pass 0 reads the input, so the input is preserved and one temp of n·batch vec2 is needed.
// For the inverse, scale = 1/n on the last pass and 1 elsewhere; inverse = 1 on every pass.
//
// Bindings (@group(0)):
//   0 src      : array<vec2<T>>, n·batch complex (read)
//   1 dst      : array<vec2<T>>, n·batch complex (write)
//   2 twiddles : array<vec2<T>>, n entries, twiddles[m] = (cos 2πm/n, -sin 2πm/n), computed in f64
//                on the host and rounded to f32 (more accurate than in-kernel sin/cos)
//   3 params   : Params (uniform): n, log2n, ns, log2ns, batch, inverse (0/1), scale
// Dispatch: butterflies = batch·n/R; workgroups = ceil(butterflies / (WG·ITEMS)), as a 2-D grid
//   (x ≤ 65535) when larger; linear workgroup index = wid.x + wid.y·num_workgroups.x; invocation
//   lid handles butterflies base + i·WG + lid, i < ITEMS (neighbouring invocations, neighbouring j;
//   lib/items).

alias T = f32;
//#import items

struct Params {
  n: u32,
  log2n: u32,
  ns: u32,
  log2ns: u32,
  batch: u32,
  inverse: u32,
  scale: f32,
  _pad0: u32,
}

@group(0) @binding(0) var<storage, read> src: array<vec2<T>>;
@group(0) @binding(1) var<storage, read_write> dst: array<vec2<T>>;
@group(0) @binding(2) var<storage, read> twiddles: array<vec2<T>>;
@group(0) @binding(3) var<uniform> params: Params;

override WG: u32 = 64;
override ITEMS: u32 = 1;

const SQRT_HALF: f32 = 0.707106781186547524;

fn cmul(a: vec2<f32>, b: vec2<f32>) -> vec2<f32> {
  return vec2<f32>(a.x * b.x - a.y * b.y, a.x * b.y + a.y * b.x);
}

// a · (-i) forward, a · (+i) inverse.
fn rot(a: vec2<f32>) -> vec2<f32> {
  if (params.inverse != 0u) { return vec2<f32>(-a.y, a.x); }
  return vec2<f32>(a.y, -a.x);
}

fn twiddle(m: u32) -> vec2<f32> {
  let w = vec2<f32>(twiddles[m]);
  if (params.inverse != 0u) { return vec2<f32>(w.x, -w.y); }
  return w;
}

struct Geo {
  valid: bool,
  src0: u32,   // index of v_0; v_r at src0 + r·n/R
  dst0: u32,   // index of V_0; V_q at dst0 + q·ns
  k: u32,
  tw_shift: u32,
}

fn geometry(t: u32, log2r: u32) -> Geo {
  var g: Geo;
  let per = params.log2n - log2r;
  g.valid = t < (params.batch << per);
  let b = t >> per;
  let j = t & ((1u << per) - 1u);
  let base = b << params.log2n;
  g.k = j & (params.ns - 1u);
  g.src0 = base + j;
  g.dst0 = base + ((j >> params.log2ns) << (params.log2ns + log2r)) + g.k;
  g.tw_shift = params.log2n - params.log2ns - log2r;
  return g;
}

// One radix-2^log2r stage (log2r: 1, 2 or 3) over this invocation's butterflies (lib/items).
fn stage(grid: Grid, log2r: u32) {
  let base = items_base(grid);
  let stride = params.n >> log2r;
  for (var i = 0u; i < ITEMS; i++) {
    let g = geometry(base + i * WG, log2r);
    if (!g.valid) { return; }
    switch log2r {
      case 1u: { butterfly2(g, stride); }
      case 2u: { butterfly4(g, stride); }
      default: { butterfly8(g, stride); }
    }
  }
}

@compute @workgroup_size(WG)
fn radix2(grid: Grid) { stage(grid, 1u); }

@compute @workgroup_size(WG)
fn radix4(grid: Grid) { stage(grid, 2u); }

@compute @workgroup_size(WG)
fn radix8(grid: Grid) { stage(grid, 3u); }

fn butterfly2(g: Geo, stride: u32) {
  let a0 = vec2<f32>(src[g.src0]);
  let a1 = cmul(vec2<f32>(src[g.src0 + stride]), twiddle(g.k << g.tw_shift));
  let s = params.scale;
  dst[g.dst0] = vec2<T>((a0 + a1) * s);
  dst[g.dst0 + params.ns] = vec2<T>((a0 - a1) * s);
}

fn dft4(a0: vec2<f32>, a1: vec2<f32>, a2: vec2<f32>, a3: vec2<f32>) -> array<vec2<f32>, 4> {
  let t0 = a0 + a2;
  let t1 = a0 - a2;
  let t2 = a1 + a3;
  let t3 = rot(a1 - a3);
  return array<vec2<f32>, 4>(t0 + t2, t1 + t3, t0 - t2, t1 - t3);
}

fn butterfly4(g: Geo, stride: u32) {
  let m = g.k << g.tw_shift;
  let a0 = vec2<f32>(src[g.src0]);
  let a1 = cmul(vec2<f32>(src[g.src0 + stride]), twiddle(m));
  let a2 = cmul(vec2<f32>(src[g.src0 + 2u * stride]), twiddle(2u * m));
  let a3 = cmul(vec2<f32>(src[g.src0 + 3u * stride]), twiddle(3u * m));
  let v = dft4(a0, a1, a2, a3);
  let s = params.scale;
  let ns = params.ns;
  dst[g.dst0] = vec2<T>(v[0] * s);
  dst[g.dst0 + ns] = vec2<T>(v[1] * s);
  dst[g.dst0 + 2u * ns] = vec2<T>(v[2] * s);
  dst[g.dst0 + 3u * ns] = vec2<T>(v[3] * s);
}

fn butterfly8(g: Geo, stride: u32) {
  let m = g.k << g.tw_shift;
  var a: array<vec2<f32>, 8>;
  a[0] = vec2<f32>(src[g.src0]);
  for (var r = 1u; r < 8u; r++) {
    a[r] = cmul(vec2<f32>(src[g.src0 + r * stride]), twiddle(r * m));
  }
  let e = dft4(a[0], a[2], a[4], a[6]);
  let o = dft4(a[1], a[3], a[5], a[7]);
  // o_q · w8^q, w8 = e^{∓2πi/8}
  let sgn = select(-1.0, 1.0, params.inverse != 0u);
  let o1 = cmul(o[1], vec2<f32>(SQRT_HALF, sgn * SQRT_HALF));
  let o2 = rot(o[2]);
  let o3 = cmul(o[3], vec2<f32>(-SQRT_HALF, sgn * SQRT_HALF));
  let s = params.scale;
  let ns = params.ns;
  dst[g.dst0] = vec2<T>((e[0] + o[0]) * s);
  dst[g.dst0 + ns] = vec2<T>((e[1] + o1) * s);
  dst[g.dst0 + 2u * ns] = vec2<T>((e[2] + o2) * s);
  dst[g.dst0 + 3u * ns] = vec2<T>((e[3] + o3) * s);
  dst[g.dst0 + 4u * ns] = vec2<T>((e[0] - o[0]) * s);
  dst[g.dst0 + 5u * ns] = vec2<T>((e[1] - o1) * s);
  dst[g.dst0 + 6u * ns] = vec2<T>((e[2] - o2) * s);
  dst[g.dst0 + 7u * ns] = vec2<T>((e[3] - o3) * s);
}
