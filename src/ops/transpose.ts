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
import { ANY_VALUE, checkArray, isOptions } from './signature.js';
import { checkOptions } from '../args.js';
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

/** Options of {@link transpose}: the matrix a is read as. */
export interface TransposeOptions {
  /** Rows of the row-major matrix. @default a.shape[0] of a 2-D a (or a.length / cols) */
  readonly rows?: number;
  /** Columns of the row-major matrix. @default a.shape[1] of a 2-D a (or a.length / rows) */
  readonly cols?: number;
}

export const TRANSPOSE = defineOp({
  name: 'transpose',
  numpy: 'numpy.transpose',
  category: 'linalg',
  summary: 'transpose of a rows×cols row-major matrix (f32, i32, u32; exact)',
  tolerance: 'exact',
  dtypes: ['f32', 'i32', 'u32'],
  check: (a: DeviceArray, shape: TransposeOptions | number | undefined, more: number | undefined, extra: readonly unknown[]): TransposeCall => {
    checkArray('transpose', 'a', a);
    let rows: number;
    let cols: number;
    if (isOptions(shape) || (shape === undefined && more === undefined && extra.length === 0)) {
      // transpose(a, { rows, cols }) or transpose(a): the matrix is a's 2-D shape unless rows and cols say otherwise.
      checkNoExtra('transpose', more === undefined ? extra : [more, ...extra], 'two arguments (a, options)');
      const o = checkOptions('transpose', shape, { rows: ANY_VALUE, cols: ANY_VALUE }) as TransposeOptions;
      if (o.rows === undefined && o.cols === undefined && a.ndim !== 2) {
        throw new ShapeError(`transpose: a has shape [${a.shape.join(', ')}]; pass { rows, cols } to read it as a matrix, or give a 2-D array`);
      }
      rows = o.rows ?? (o.cols !== undefined && o.cols > 0 ? a.length / o.cols : (a.shape[0] ?? 0));
      cols = o.cols ?? (o.rows !== undefined && o.rows > 0 ? a.length / o.rows : (a.shape[1] ?? 0));
    } else {
      checkNoExtra('transpose', extra, 'three arguments (a, rows, cols)');
      rows = shape as number;
      cols = more as number;
    }
    checkLive('transpose', { a });
    requireDType('transpose', 'a', a, TRANSPOSE_DTYPES);
    checkDim('transpose', 'rows', rows);
    checkDim('transpose', 'cols', cols);
    if (rows * cols !== a.length) throw new ShapeError(`transpose: a must hold rows·cols = ${rows}·${cols} = ${rows * cols} elements, but has ${a.length}`);
    // A 2-D array is its own matrix: rows and cols that contradict its shape would reinterpret its data (NumPy
    // refuses too); reshape it first to read it as another matrix.
    if (a.ndim === 2 && (rows !== a.shape[0] || cols !== a.shape[1])) {
      throw new ShapeError(`transpose: a has shape [${a.shape.join(', ')}] but rows×cols = ${rows}×${cols} was given; a 2-D array is transposed as its own shape (reshape it first to read it as another matrix)`);
    }
    return { backend: a.backend, a, rows, cols, shape: [cols, rows], dtype: a.dtype };
  },
  dawn: dawnTranspose,
  host: hostTranspose,
  reference: transposeCpu,
});

/**
 * The transpose of a rows×cols row-major matrix (a 2-D array, or any array read as `{ rows, cols }`): a new cols×rows array (`shape [cols, rows]`) of the same
 * dtype (f32, i32 or u32; values are moved, never converted, so the result is exact). Enqueues only.
 *
 * @throws DTypeError for other dtypes; ShapeError if rows or cols is not a non-negative integer or
 *   rows·cols ≠ a.length; LimitError if a grid dimension would exceed 65,535 workgroups (cols above
 *   ~1M with the lavapipe blocking; a single row or column is a copy and has no such limit).
 *
 * @example
 * ```ts
 * using a = device.array(new Int32Array([1, 2, 3, 4, 5, 6])); // 2×3
 * using t = transpose(a, { rows: 2, cols: 3 });               // shape [3, 2]
 * console.log(await t.toArray()); // Int32Array [1, 4, 2, 5, 3, 6]
 * using m = device.array([1, 2, 3, 4, 5, 6], { shape: [2, 3] });
 * using u = transpose(m);                                     // a 2-D array: its own shape
 * ```
 */
export function transpose<D extends DType>(a: DeviceArray<D>, options?: TransposeOptions, ...extra: []): DeviceArray<D>;
/** @deprecated rows and cols as positional arguments: pass `{ rows, cols }` (or a 2-D array alone). */
export function transpose<D extends DType>(a: DeviceArray<D>, rows: number, cols: number, ...extra: []): DeviceArray<D>;
export function transpose<D extends DType>(a: DeviceArray<D>, options?: TransposeOptions | number, cols?: number, ...extra: []): DeviceArray<D> {
  return TRANSPOSE.call(a, options, cols, extra) as DeviceArray<D>;
}
