// calib-fma: the arithmetic ceiling for `gpukit bench`. Each invocation runs 2 independent vec4 chains
//   of ITERS multiply-adds (acc = acc * m + c), unrolled 32 per loop trip, so a core's SIMD lanes stay
//   busy with no memory traffic, then writes one value so the compiler cannot drop the work.
//   FLOPs per invocation = ITERS × 2 chains × 4 lanes × 2 (a multiply-add counts as two). ITERS must be
//   a multiple of 32.
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
  var a1 = a0 + 4;
  // 32 steps per trip: a CPU adapter pays loop control per trip, so short bodies measure the loop, not
  // the FMA units. Two vec4 chains are 8 SIMD registers per row: enough independent work without spills.
  for (var k = 0u; k < ITERS / 32u; k++) {
    a0 = a0 * m + c; a1 = a1 * m + c; a0 = a0 * m + c; a1 = a1 * m + c; a0 = a0 * m + c; a1 = a1 * m + c; a0 = a0 * m + c; a1 = a1 * m + c;
    a0 = a0 * m + c; a1 = a1 * m + c; a0 = a0 * m + c; a1 = a1 * m + c; a0 = a0 * m + c; a1 = a1 * m + c; a0 = a0 * m + c; a1 = a1 * m + c;
    a0 = a0 * m + c; a1 = a1 * m + c; a0 = a0 * m + c; a1 = a1 * m + c; a0 = a0 * m + c; a1 = a1 * m + c; a0 = a0 * m + c; a1 = a1 * m + c;
    a0 = a0 * m + c; a1 = a1 * m + c; a0 = a0 * m + c; a1 = a1 * m + c; a0 = a0 * m + c; a1 = a1 * m + c; a0 = a0 * m + c; a1 = a1 * m + c;
    a0 = a0 * m + c; a1 = a1 * m + c; a0 = a0 * m + c; a1 = a1 * m + c; a0 = a0 * m + c; a1 = a1 * m + c; a0 = a0 * m + c; a1 = a1 * m + c;
    a0 = a0 * m + c; a1 = a1 * m + c; a0 = a0 * m + c; a1 = a1 * m + c; a0 = a0 * m + c; a1 = a1 * m + c; a0 = a0 * m + c; a1 = a1 * m + c;
    a0 = a0 * m + c; a1 = a1 * m + c; a0 = a0 * m + c; a1 = a1 * m + c; a0 = a0 * m + c; a1 = a1 * m + c; a0 = a0 * m + c; a1 = a1 * m + c;
    a0 = a0 * m + c; a1 = a1 * m + c; a0 = a0 * m + c; a1 = a1 * m + c; a0 = a0 * m + c; a1 = a1 * m + c; a0 = a0 * m + c; a1 = a1 * m + c;
  }
  let r = a0 + a1;
  out[i] = r.x + r.y + r.z + r.w;
}
