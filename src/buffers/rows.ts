/**
 * The row-to-row layout both engines share: an array's axis moved last and gathered into dense rows × R, an
 * engine's fill writing rows × R results, moved back into the array's axis order. Engine-neutral (views,
 * contiguous copies and allocation through the array's own backend), so the Dawn and host backends run the
 * same plan and differ only in their fill.
 */
import { DeviceArray } from './device-array.js';
import type { DType } from './dtype.js';

/** What a row-to-row op along one axis needs of its plan (src/ops/axis.ts `checkRows` makes one). */
export interface RowsLayout {
  readonly x: DeviceArray;
  /** x's axes with the op's axis last. */
  readonly order: readonly number[];
  /** The inverse of `order`. */
  readonly back: readonly number[];
  readonly rows: number;
  readonly R: number;
  /** x's shape with the axis moved last (the dense rows' shape). */
  readonly movedShape: readonly number[];
  /** The result's shape (x's). */
  readonly shape: readonly number[];
  /** The result's dtype. */
  readonly dtype: DType;
}

/** Writes res (rows × R, dense) from dense (rows × R): an engine's own code. */
export type RowsFill = (dense: DeviceArray, res: DeviceArray, rows: number, R: number) => void;

/**
 * A row-to-row op along one axis: the axis moved last as a view and gathered into dense rows × R,
 * `fill(dense, res, rows, R)` writing res (rows × R; not called when there are no rows), then moved back into
 * x's axis order as an array of its own. `empty(x, result)` runs when there are no rows, so an engine can
 * still pass a failed input's failure on to the result (Dawn's `noWork`).
 */
export function alongRows(c: RowsLayout, fill: RowsFill, empty?: (x: DeviceArray, result: DeviceArray) => void): DeviceArray {
  const { x: src, order, back, rows, R, movedShape, dtype } = c;
  const moved = src.transpose(order);
  const dense = moved.contiguous();
  const res = new DeviceArray(src.backend, dtype, movedShape);
  let kept = false;
  try {
    if (rows > 0) fill(dense, res, rows, R);
    const t = res.transpose(back);
    let r: DeviceArray;
    if (t.isPlain) {
      // x's C order already (the axis was last, or the others have extent 1): res itself, in x's shape.
      kept = true;
      r = res.reinterpret(res.dtype, c.shape);
    } else r = t.contiguous();
    if (rows === 0) empty?.(src, r);
    return r;
  } finally {
    if (!kept) res.destroy();
    dense.destroy();
  }
}
