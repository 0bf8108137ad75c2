// scan-carry-add: shifts one chunk of a scan over data larger than one binding by the total of the
// chunks before it: out[i] += carry[0] for i < params.n (see scan-carry-total.wgsl).
//
// Bindings (@group(0)):
//   0  out     array<T>, read_write  the chunk's output window (params.n elements)
//   1  carry   array<T>, read        element 0: the running total before this chunk
//   2  params  uniform { n }
// Dispatch: one invocation per element, WG per workgroup, 2-D grid over 65535
//   (i = (wid.x + wid.y * num_workgroups.x) * WG + local index).
alias T = f32;
override WG: u32 = 64;

struct Params {
  n: u32,
}

@group(0) @binding(0) var<storage, read_write> out: array<T>;
@group(0) @binding(1) var<storage, read> carry: array<T>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let i = (wid.x + wid.y * nwg.x) * WG + lid;
  if (i < params.n) {
    out[i] += carry[0];
  }
}
