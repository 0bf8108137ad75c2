import { describeValue, isGenuine } from '../../args.js';
import { DeviceArray } from '../../buffers/device-array.js';
import { ArgumentError, LimitError, ShapeError } from '../../errors.js';

/**
 * How many workgroups a dispatch launches: explicit `workgroups`, or enough for `invocations` threads.
 * `invocations` has as many dimensions as the kernel's workgroup: a number for a 1-D `@workgroup_size(64)`,
 * `[w, h]` for a 2-D `@workgroup_size(8, 8)`, `[w, h, d]` for 3-D (missing trailing dimensions are 1).
 */
export type Dispatch =
  | { readonly workgroups: number | readonly [number, number?, number?] }
  | { readonly invocations: number | readonly [number, number?, number?] };

/**
 * Lays `groups` workgroups out as x (≤ maxPerDim) × y, the smallest y that fits. Beyond maxPerDim² the
 * LimitError names the real limit, maxComputeWorkgroupsPerDimension, and the rows the grid would need.
 */
export function foldGroups(groups: number, maxPerDim: number, what = `a grid of ${groups} workgroups`): [number, number, number] {
  if (groups <= maxPerDim) return [groups, 1, 1];
  const y = Math.ceil(groups / maxPerDim);
  if (y > maxPerDim) {
    throw new LimitError('maxComputeWorkgroupsPerDimension', y, maxPerDim, `${what}, folded into rows of ${maxPerDim}, needs ${y} rows (at most ${maxPerDim} × ${maxPerDim} workgroups fit)`);
  }
  return [Math.ceil(groups / y), y, 1];
}

/** The 1 to 3 sizes of a `workgroups` or `invocations` value, checked as non-negative integers. */
function dimsOf(key: 'workgroups' | 'invocations', v: unknown, label: string): number[] {
  let dims: unknown[];
  if (typeof v === 'number') dims = [v];
  else if (Array.isArray(v) && v.length >= 1 && v.length <= 3) dims = [...(v as unknown[])];
  else throw new ArgumentError(`${label}: ${key} must be a number or an array of 1 to 3 numbers, got ${describeValue(v)}`);
  return dims.map((d, i) => {
    if (d === undefined) return 1;
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      throw new ShapeError(`${label}: ${key}${Array.isArray(v) ? `[${i}]` : ''} must be a non-negative integer, got ${describeValue(d)}`);
    }
    return d;
  });
}

/**
 * The grid for a dispatch.
 * - `{ invocations: n }` (a 1-D workgroup only) launches ceil(n / workgroup size) workgroups along x and,
 *   beyond the per-dimension limit (65,535 by default), folds them into a 2-D grid: kernels compute their
 *   linear workgroup index as `wid.x + wid.y * num_workgroups.x` and guard against running past n.
 * - `{ invocations: [w, h] }` or `[w, h, d]` launches ceil(w / size.x) × ceil(h / size.y) × ceil(d / size.z)
 *   workgroups (each dimension within the limit; kernels guard `gid.x < w`, `gid.y < h`). A scalar for a
 *   workgroup of several dimensions is refused: it used to cover only n / (size.x·size.y) rows.
 * - `{ workgroups }` is taken as it is.
 */
export function gridFor(dispatch: Dispatch, workgroupSize: readonly [number, number, number], maxPerDim: number, label = 'kernel'): [number, number, number] {
  const d = checkDispatch(dispatch, label);
  if ('invocations' in d) {
    const inv = dimsOf('invocations', d.invocations, label);
    const multi = workgroupSize[1] > 1 || workgroupSize[2] > 1;
    if (typeof d.invocations === 'number' && multi) {
      const n = workgroupSize[2] > 1 ? 3 : 2;
      throw new ArgumentError(
        `${label}: the workgroup is ${workgroupSize.slice(0, n).join('×')} (${n}-D), so invocations must have ${n} dimensions (${n === 2 ? '[w, h]' : '[w, h, d]'}), got the number ${d.invocations}`,
      );
    }
    const [x = 0, y = 1, z = 1] = inv;
    if (!multi && y === 1 && z === 1) {
      const groups = Math.ceil(x / workgroupSize[0]);
      return foldGroups(groups, maxPerDim, `${label}: ${x} invocations in workgroups of ${workgroupSize[0]} (${groups} workgroups)`);
    }
    const grid: [number, number, number] = [Math.ceil(x / workgroupSize[0]), Math.ceil(y / workgroupSize[1]), Math.ceil(z / workgroupSize[2])];
    grid.forEach((g, i) => {
      if (g > maxPerDim) throw new LimitError('maxComputeWorkgroupsPerDimension', g, maxPerDim, `${label}: invocations [${inv.join(', ')}] need ${g} workgroups along ${'xyz'[i] ?? '?'}`);
    });
    return grid;
  }
  const dims = dimsOf('workgroups', d.workgroups, label);
  const grid: [number, number, number] = [dims[0] ?? 1, dims[1] ?? 1, dims[2] ?? 1];
  grid.forEach((g, i) => {
    if (g > maxPerDim) throw new LimitError('maxComputeWorkgroupsPerDimension', g, maxPerDim, `${label}: workgroups[${i}]`);
  });
  return grid;
}

/** A dispatch is an object with exactly one of `invocations` and `workgroups`. */
function checkDispatch(dispatch: unknown, label: string): Dispatch {
  if (typeof dispatch !== 'object' || dispatch === null || Array.isArray(dispatch)) {
    throw new ArgumentError(`${label}: the dispatch must be { invocations } or { workgroups }, got ${describeValue(dispatch)}`);
  }
  const keys = Object.keys(dispatch);
  const has = (k: string) => keys.includes(k) && (dispatch as Record<string, unknown>)[k] !== undefined;
  const other = keys.filter((k) => k !== 'invocations' && k !== 'workgroups');
  if (other.length > 0) throw new ArgumentError(`${label}: unknown dispatch key${other.length > 1 ? 's' : ''} ${other.join(', ')}; pass { invocations } or { workgroups }`);
  if (has('invocations') === has('workgroups')) {
    throw new ArgumentError(`${label}: the dispatch must have exactly one of invocations and workgroups, got ${keys.length === 0 ? '{}' : `{ ${keys.join(', ')} }`}`);
  }
  return has('invocations') ? { invocations: (dispatch as { invocations: number }).invocations } : { workgroups: (dispatch as { workgroups: number }).workgroups };
}

/**
 * Checks `Kernel.run`'s arguments before anything is bound: `args` a plain object, every DeviceArray in it
 * the array itself (not a Proxy of one), and `dispatch` well formed and within the device's grid limits.
 */
export function checkRunArgs(label: string, args: unknown, dispatch: unknown, workgroupSize: readonly [number, number, number], maxPerDim: number): void {
  if (typeof args !== 'object' || args === null || Array.isArray(args) || args instanceof DeviceArray) {
    throw new ArgumentError(`${label}: run() takes its arguments as an object by binding name ({ x, y, params }), got ${describeValue(args)}`);
  }
  for (const [name, v] of Object.entries(args)) {
    if (v instanceof DeviceArray && !isGenuine(v)) throw new ArgumentError(`${label}: '${name}' is a Proxy of a DeviceArray, not the array itself; pass the array`);
  }
  gridFor(dispatch as Dispatch, workgroupSize, maxPerDim, label);
}
