// saxpy.wgsl: y = a * x + y over n elements. Bindings: x (read), y (read_write), params {n, a}.
// Dispatch: { invocations: n } — a 1-D grid, or 2-D past 65,535 workgroups.
alias T = f32;
override WG: u32 = 64;
struct Params { n: u32, a: f32 }
@group(0) @binding(0) var<storage, read> x: array<T>;
@group(0) @binding(1) var<storage, read_write> y: array<T>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32, @builtin(num_workgroups) nwg: vec3u) {
  let i = (wid.x + wid.y * nwg.x) * WG + lid;
  if (i < params.n) {
    y[i] = T(params.a) * x[i] + y[i];
  }
}
