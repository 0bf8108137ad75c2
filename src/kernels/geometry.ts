import { LimitError, ShapeError } from '../errors.js';

/** How many workgroups a dispatch launches: explicit, or enough for `invocations` threads. */
export type Dispatch =
  | { readonly workgroups: number | readonly [number, number?, number?] }
  | { readonly invocations: number };

/** Lays `groups` workgroups out as x (≤ maxPerDim) × y, the smallest y that fits. */
export function foldGroups(groups: number, maxPerDim: number): [number, number, number] {
  if (groups <= maxPerDim) return [groups, 1, 1];
  const y = Math.ceil(groups / maxPerDim);
  if (y > maxPerDim) throw new LimitError('maxComputeWorkgroupsPerDimension', groups, maxPerDim * maxPerDim, `a 2-D grid of ${groups} workgroups`);
  return [Math.ceil(groups / y), y, 1];
}

/**
 * The grid for a dispatch. `{ invocations: n }` launches ceil(n / workgroup size) workgroups along x and,
 * beyond the per-dimension limit (65,535 by default), folds them into a 2-D grid: kernels compute their
 * linear workgroup index as `wid.x + wid.y * num_workgroups.x` and guard against running past n.
 */
export function gridFor(dispatch: Dispatch, workgroupSize: readonly [number, number, number], maxPerDim: number): [number, number, number] {
  if ('invocations' in dispatch) {
    const n = dispatch.invocations;
    if (!Number.isInteger(n) || n < 0) throw new ShapeError(`invocations must be a non-negative integer, got ${n}`);
    const perGroup = workgroupSize[0] * workgroupSize[1] * workgroupSize[2];
    return foldGroups(Math.ceil(n / perGroup), maxPerDim);
  }
  const w = dispatch.workgroups;
  const dims = typeof w === 'number' ? [w] : [...w];
  const grid: [number, number, number] = [dims[0] ?? 1, dims[1] ?? 1, dims[2] ?? 1];
  grid.forEach((g, i) => {
    if (!Number.isInteger(g) || g < 0) throw new ShapeError(`workgroups[${i}] must be a non-negative integer, got ${g}`);
    if (g > maxPerDim) throw new LimitError('maxComputeWorkgroupsPerDimension', g, maxPerDim, `workgroups[${i}]`);
  });
  return grid;
}
