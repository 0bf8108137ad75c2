// lib/items: the workgroup-strided walk of the kernels where an invocation takes ITEMS items: workgroup g
// owns items [g·WG·ITEMS, (g+1)·WG·ITEMS) and invocation lid takes items_base + k·WG, k < ITEMS, so
// neighbouring invocations touch neighbouring items. The importing kernel declares the overrides WG, ITEMS.
//#import grid

fn items_base(grid: Grid) -> u32 {
  return group_index(grid) * WG * ITEMS + grid.lid.x;
}
