// lib/serial-block: the entry point of the kernels where one invocation walks one whole block of BLOCK
// elements serially (scan-block-*, the radix-sort passes): on a CPU adapter (lavapipe) the cost is per
// invocation, so a few long serial blocks beat trees with barriers.
// One invocation per block b < ceil(n / BLOCK): ceil(ceil(n / BLOCK) / WG) workgroups, a 2-D grid over
//   65535 (block = (wid.x + wid.y * num_workgroups.x) * WG + local index); surplus invocations return.
// The importing kernel declares the overrides WG and BLOCK, `params` (with n), and
//   run_block(b, start, end)   the work of block b, elements [start, end)
//#import grid

@compute @workgroup_size(WG)
fn main(grid: Grid) {
  let b = global_index(grid);
  let n = params.n;
  if (b >= (n + BLOCK - 1u) / BLOCK) {
    return;
  }
  let start = b * BLOCK;
  run_block(b, start, min(n, start + BLOCK));
}
