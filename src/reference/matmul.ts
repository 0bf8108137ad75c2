/** The float64 references for matmul and transpose (plain loops; the tests compare both engines with them). */
import { ShapeError } from '../errors.js';
import { checkOptions } from '../args.js';
import { checkHost, checkSize } from '../ops/signature.js';

/** The layout flags of a matmul (re-exported by src/ops/matmul.ts). */
export interface MatmulOptions {
  /** A is stored transposed: a holds a k×m row-major matrix and op(A) = aᵀ. @default false */
  readonly transA?: boolean;
  /** B is stored transposed: b holds an n×k row-major matrix and op(B) = bᵀ. @default false */
  readonly transB?: boolean;
}

/**
 * C = op(A)·op(B), C is m×n row-major. A is m×k (k×m if transA), B is k×n (n×k if transB).
 * @example matmulCpu(new Float32Array([1, 2]), new Float32Array([3, 4]), 1, 2, 1) // Float32Array [11]
 */
export function matmulCpu(
  a: Float32Array,
  b: Float32Array,
  m: number,
  k: number,
  n: number,
  opts: MatmulOptions = {},
): Float32Array {
  checkHost('matmulCpu', 'a', a, [Float32Array]);
  checkHost('matmulCpu', 'b', b, [Float32Array]);
  checkSize('matmulCpu', 'm', m);
  checkSize('matmulCpu', 'k', k);
  checkSize('matmulCpu', 'n', n);
  checkOptions('matmulCpu', opts, { transA: 'boolean', transB: 'boolean' });
  const transA = opts.transA === true;
  const transB = opts.transB === true;
  if (a.length < m * k) throw new ShapeError(`matmulCpu: a has ${a.length} elements, need ${m * k}`);
  if (b.length < k * n) throw new ShapeError(`matmulCpu: b has ${b.length} elements, need ${k * n}`);
  // Strides so that op(A)[i][p] = a[i * aRow + p * aCol] and op(B)[p][j] = b[p * bRow + j * bCol].
  const aRow = transA ? 1 : k;
  const aCol = transA ? m : 1;
  const bRow = transB ? 1 : n;
  const bCol = transB ? k : 1;
  const out = new Float32Array(m * n);
  const acc = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    acc.fill(0);
    for (let p = 0; p < k; p++) {
      const av = a[i * aRow + p * aCol] ?? 0;
      const bBase = p * bRow;
      for (let j = 0; j < n; j++) {
        acc[j] = (acc[j] ?? 0) + av * (b[bBase + j * bCol] ?? 0);
      }
    }
    out.set(acc, i * n);
  }
  return out;
}

/**
 * out = aᵀ: a is rows×cols row-major, the result is cols×rows row-major.
 * @example transposeCpu(new Float32Array([1, 2, 3, 4, 5, 6]), 2, 3) // Float32Array [1, 4, 2, 5, 3, 6]
 */
export function transposeCpu(a: Float32Array, rows: number, cols: number): Float32Array {
  checkHost('transposeCpu', 'a', a, [Float32Array]);
  checkSize('transposeCpu', 'rows', rows);
  checkSize('transposeCpu', 'cols', cols);
  if (a.length < rows * cols) throw new ShapeError(`transposeCpu: a has ${a.length} elements, need ${rows * cols}`);
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      out[c * rows + r] = a[r * cols + c] ?? 0;
    }
  }
  return out;
}
