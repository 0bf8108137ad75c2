/**
 * transpose of a row-major matrix: the manifest (argument check, NumPy's name, docs) and the public function.
 * The engines' implementations: src/backends/dawn/ops/transpose.ts (kernels/transpose.wgsl) and
 * src/backends/host/ops/transpose.ts (gpu.js for f32, a CPU loop for integers); the float64 reference is
 * transposeCpu (src/reference/matmul.ts).
 */
import type { DeviceArray } from '../buffers/device-array.js';
import type { DType } from '../buffers/dtype.js';
import { ShapeError } from '../errors.js';
import { checkLive, requireDType } from './util.js';
import { checkArray } from './signature.js';
import { checkNoExtra } from '../args.js';
import { defineOp, type Checked } from './manifest.js';
import { transposeCpu } from '../reference/matmul.js';
import { dawnTranspose } from '../backends/dawn/ops/transpose.js';
import { hostTranspose } from '../backends/host/ops/transpose.js';

/** A checked transpose: a (rows×cols, row-major) becomes a cols×rows array of its dtype. */
export interface TransposeCall extends Checked {
  readonly a: DeviceArray;
  readonly rows: number;
  readonly cols: number;
  readonly shape: readonly number[];
  readonly dtype: DType;
}

const TRANSPOSE_DTYPES: readonly DType[] = ['f32', 'i32', 'u32'];

/** @internal A matrix dimension: a non-negative safe integer (matmul's m, k, n; transpose's rows, cols). */
export function checkDim(op: string, name: string, v: number): void {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new ShapeError(`${op}: ${name} must be a non-negative integer, got ${String(v)}`);
}

export const TRANSPOSE = defineOp({
  name: 'transpose',
  numpy: 'numpy.transpose',
  category: 'linalg',
  summary: 'transpose of a rows×cols row-major matrix (f32, i32, u32; exact)',
  tolerance: 'exact',
  check: (a: DeviceArray, rows: number, cols: number, extra: readonly unknown[]): TransposeCall => {
    checkArray('transpose', 'a', a);
    checkNoExtra('transpose', extra, 'three arguments (a, rows, cols)');
    checkLive('transpose', { a });
    requireDType('transpose', 'a', a, TRANSPOSE_DTYPES);
    checkDim('transpose', 'rows', rows);
    checkDim('transpose', 'cols', cols);
    if (rows * cols !== a.length) throw new ShapeError(`transpose: a must hold rows·cols = ${rows}·${cols} = ${rows * cols} elements, but has ${a.length}`);
    return { backend: a.backend, a, rows, cols, shape: [cols, rows], dtype: a.dtype };
  },
  dawn: dawnTranspose,
  host: hostTranspose,
  reference: transposeCpu,
});

/**
 * The transpose of a rows×cols row-major matrix: a new cols×rows array (`shape [cols, rows]`) of the same
 * dtype (f32, i32 or u32; values are moved, never converted, so the result is exact). Enqueues only.
 *
 * @throws DTypeError for other dtypes; ShapeError if rows or cols is not a non-negative integer or
 *   rows·cols ≠ a.length; LimitError if a grid dimension would exceed 65,535 workgroups (cols above
 *   ~1M with the lavapipe blocking; a single row or column is a copy and has no such limit).
 *
 * @example
 * ```ts
 * using a = device.array(new Int32Array([1, 2, 3, 4, 5, 6])); // 2×3
 * using t = transpose(a, 2, 3);                               // shape [3, 2]
 * console.log(await t.toArray()); // Int32Array [1, 4, 2, 5, 3, 6]
 * ```
 */
export function transpose<D extends DType>(a: DeviceArray<D>, rows: number, cols: number, ...extra: []): DeviceArray<D> {
  return TRANSPOSE.call(a, rows, cols, extra) as DeviceArray<D>;
}
