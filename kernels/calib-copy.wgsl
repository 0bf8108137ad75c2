// calib-copy: dst[i] = src[i] for i < n vec4s — the device-memory bandwidth ceiling for `gpukit bench`
//   (bytes moved = 2 × 16 × n: one read and one write per vec4).
// Layout: workgroup-strided vec4 as in axpy.wgsl: workgroup g owns vec4 block [g*WG*ITEMS, (g+1)*WG*ITEMS)
//   and invocation `lid` touches g*WG*ITEMS + j*WG + lid for j < ITEMS, so neighbouring invocations
//   (SIMD lanes on lavapipe) touch neighbouring 16-byte words.
//
// Bindings (@group(0)):
//   0  src     array<vec4<T>>, read         n vec4s
//   1  dst     array<vec4<T>>, read_write   n vec4s
//   2  params  uniform Params { n: u32 }    n counts vec4s, not elements
// Dispatch: ceil(n / (WG*ITEMS)) workgroups, 2-D past 65,535 (linear id = wid.x + wid.y * nwg.x).
// Overrides: WG (workgroup size), ITEMS (vec4 per invocation).
alias T = f32;

override WG: u32 = 8;
override ITEMS: u32 = 64;

struct Params {
  n: u32,
}

@group(0) @binding(0) var<storage, read> src: array<vec4<T>>;
@group(0) @binding(1) var<storage, read_write> dst: array<vec4<T>>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let g = wid.x + wid.y * nwg.x;
  let base = g * (WG * ITEMS) + lid;
  for (var j = 0u; j < ITEMS; j++) {
    let i = base + j * WG;
    if (i < params.n) { dst[i] = src[i]; }
  }
}
