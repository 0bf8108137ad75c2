/**
 * Where a fused row kernel finds each element of a recorded chain's arrays (engine-neutral; used by
 * src/backends/dawn/fusion.ts `rowPrologue`). A reduction along axes walks the chain's result as rows × R:
 * the kept axes, in order, make the row, the reduced ones the position k along it (the layout of
 * src/ops/axis.ts `checkReduceAxis`). Each array the chain reads (plain, C order, broadcast to the chain's
 * shape by NumPy's rule) is then at `rowBase(row) + k · kStride`: the row's base is computed once per row,
 * from up to {@link MAX_ROW_DIMS} merged kept axes, and each element costs one multiply-add per array.
 * Reduced axes that do not merge into one stride for every array (axis (0, 2) of a 3-d array) have no such
 * form: undefined, and the reduction runs unfused.
 */

/** The most kept-axis groups (after merging) a row's base is computed from: a vec4 of extents. */
export const MAX_ROW_DIMS = 4;

/** One array's offsets: its strides along the kept groups (outermost first, padded to 4) and along k. */
export interface RowLeaf {
  readonly row: readonly [number, number, number, number];
  readonly k: number;
}

/** The kept groups' extents (outermost first; 1 where unused) and each array's strides. */
export interface RowLayout {
  readonly kext: readonly [number, number, number, number];
  readonly leaves: readonly RowLeaf[];
}

/** An array's element strides over the chain's axes: C order, 0 where it is broadcast (extent 1 or absent). */
function broadcastStrides(shape: readonly number[], leaf: readonly number[]): number[] {
  const nd = shape.length;
  const lead = nd - leaf.length;
  const out = new Array<number>(nd).fill(0);
  let s = 1;
  for (let d = leaf.length - 1; d >= 0; d--) {
    const e = leaf[d] ?? 1;
    if (e !== 1) out[d + lead] = s;
    s *= e;
  }
  return out;
}

/**
 * Merges consecutive axes (outer to inner) into groups wherever every array's stride along the outer one is
 * its stride along the inner one times the inner extent; extent-1 axes drop out. Each group: its extent and
 * each array's stride along it (its innermost axis's).
 */
function merge(axes: readonly number[], shape: readonly number[], strides: readonly (readonly number[])[]): { ext: number; s: number[] }[] {
  const groups: { ext: number; s: number[] }[] = [];
  for (const d of axes) {
    const e = shape[d] ?? 1;
    if (e === 1) continue;
    const s = strides.map((st) => st[d] ?? 0);
    const g = groups.at(-1);
    if (g !== undefined && g.s.every((v, i) => v === (s[i] ?? 0) * e)) {
      g.ext *= e;
      g.s = s;
    } else groups.push({ ext: e, s });
  }
  return groups;
}

/**
 * The row layout of a reduction of a chain of `shape` along the axes `order.slice(kept)` (the kept axes
 * `order.slice(0, kept)`), for arrays of the given shapes (each plain and broadcastable to `shape`).
 * Undefined when the reduced axes do not merge into one stride, or the kept ones take more than
 * {@link MAX_ROW_DIMS} groups.
 *
 * @example
 * ```ts
 * rowLayout([3, 4], [0, 1], 1, [[3, 4], [4]]); // { kext: [1, 1, 1, 3], leaves: [{ row: [0, 0, 0, 4], k: 1 }, { row: [0, 0, 0, 0], k: 1 }] }
 * ```
 */
export function rowLayout(shape: readonly number[], order: readonly number[], kept: number, leaves: readonly (readonly number[])[]): RowLayout | undefined {
  const strides = leaves.map((l) => broadcastStrides(shape, l));
  const rowGroups = merge(order.slice(0, kept), shape, strides);
  const kGroups = merge(order.slice(kept), shape, strides);
  if (kGroups.length > 1 || rowGroups.length > MAX_ROW_DIMS) return undefined;
  const pad = MAX_ROW_DIMS - rowGroups.length;
  const kext = [...new Array<number>(pad).fill(1), ...rowGroups.map((g) => g.ext)] as unknown as RowLayout['kext'];
  return {
    kext,
    leaves: leaves.map((_, i) => ({
      row: [...new Array<number>(pad).fill(0), ...rowGroups.map((g) => g.s[i] ?? 0)] as unknown as RowLeaf['row'],
      k: kGroups[0]?.s[i] ?? 0,
    })),
  };
}
