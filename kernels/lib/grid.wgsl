// lib/grid: the builtins of an entry point on a 1-D workgroup (@workgroup_size(WG)), as one struct
// (`fn main(grid: Grid)`), and the workgroup's linear index in the 2-D grid gpukit folds dispatches into
// beyond 65,535 workgroups (wid.x + wid.y * num_workgroups.x; src/backends/dawn/geometry.ts), and the
// invocation's index in that grid. The importing kernel declares WG, its workgroup size.
// The invocation's index in its workgroup is lid.x: on a 1-D workgroup the same number as
// local_invocation_index, which costs more on lavapipe (measured: fft with one butterfly per
// invocation ran up to ~1.4× slower with it, docs/notes/wgsl-modules.md).
struct Grid {
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_id) lid: vec3u,
}

fn group_index(grid: Grid) -> u32 {
  return grid.wid.x + grid.wid.y * grid.nwg.x;
}

fn global_index(grid: Grid) -> u32 {
  return group_index(grid) * WG + grid.lid.x;
}
