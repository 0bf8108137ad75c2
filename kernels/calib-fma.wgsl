// calib-fma: the arithmetic ceiling for `gpukit bench`. Each invocation runs 8 independent vec4 chains
//   of ITERS fused multiply-adds (acc = fma(acc, m, c)), so a core's SIMD lanes and pipelines stay busy
//   with no memory traffic, then writes one value so the compiler cannot drop the work.
//   FLOPs per invocation = ITERS × 8 chains × 4 lanes × 2 (an FMA counts as two).
//
// Bindings (@group(0)):
//   0  out     array<T>, read_write   one element per invocation
//   1  params  uniform Params { n: u32, m: T, c: T }   n invocations doing work; m, c keep the chains opaque
// Dispatch: ceil(n / WG) workgroups, 2-D past 65,535 (linear id = wid.x + wid.y * nwg.x).
// Overrides: WG (workgroup size), ITERS (FMAs per chain).
alias T = f32;

override WG: u32 = 64;
override ITERS: u32 = 1024;

struct Params {
  n: u32,
  m: T,
  c: T,
}

@group(0) @binding(0) var<storage, read_write> out: array<T>;
@group(0) @binding(1) var<uniform> params: Params;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x) * WG + lid;
  if (i >= params.n) { return; }
  let m = vec4<T>(params.m);
  let c = vec4<T>(params.c);
  let s = T(i) * T(1e-9);
  var a0 = vec4<T>(s, s + 1, s + 2, s + 3);
  var a1 = a0 + 4; var a2 = a0 + 8; var a3 = a0 + 12;
  var a4 = a0 + 16; var a5 = a0 + 20; var a6 = a0 + 24; var a7 = a0 + 28;
  for (var k = 0u; k < ITERS; k++) {
    a0 = a0 * m + c; a1 = a1 * m + c; a2 = a2 * m + c; a3 = a3 * m + c;
    a4 = a4 * m + c; a5 = a5 * m + c; a6 = a6 * m + c; a7 = a7 * m + c;
  }
  let r = (a0 + a1) + (a2 + a3) + (a4 + a5) + (a6 + a7);
  out[i] = r.x + r.y + r.z + r.w;
}
