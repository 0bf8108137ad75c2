// lib/grid: the builtins of an entry point on a 1-D workgroup, as one struct (`fn main(grid: Grid)`), and
// the workgroup's linear index in the 2-D grid gpukit folds dispatches into beyond 65,535 workgroups
// (wid.x + wid.y * num_workgroups.x; src/backends/dawn/geometry.ts).
struct Grid {
  @builtin(workgroup_id) wid: vec3u,
  @builtin(num_workgroups) nwg: vec3u,
  @builtin(local_invocation_index) lid: u32,
}

fn group_index(grid: Grid) -> u32 {
  return grid.wid.x + grid.wid.y * grid.nwg.x;
}
