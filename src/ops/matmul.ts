/**
 * Matrix product of row-major f32 matrices: the manifest (argument check, NumPy's name, docs) and the public
 * function with NumPy's shape rules. The engines' implementations: src/backends/dawn/ops/matmul.ts (below) and
 * src/backends/host/ops/matmul.ts (one gpu.js kernel); the float64 reference is matmulCpu (src/reference/matmul.ts).
 * transpose is src/ops/transpose.ts.
 *
 * Dawn's kernels (see scratch/matmul/FINDINGS.md for the measurements behind every choice here):
 * - `kernels/matmul-rb.wgsl`: scalar loads, RM×CN register block per invocation, any shape. The
 *   lavapipe winner (WG_X 8, RM 12, CN 12: ~15 GFLOP/s at 1024³).
 * - `kernels/matmul-rb4.wgsl`: vec4 loads, needs k % 4 = n % 4 = 0 (and m % 4 = RM % 4 = 0 with transA).
 * - `kernels/matmul-tiled.wgsl`: 16×16 shared-memory tiles, any shape; the hardware-GPU candidate.
 * - `kernels/matmul-skinny.wgsl`: up to 16 columns (A m×k, k % 4 = 0): row blocks of A against Bᵀ,
 *   vec4 loads; its own tunable (`skinnyTunable`).
 * Which one runs is an autotuner choice (`matmulTunable`, `gpukit tune`).
 */
import { DeviceArray } from '../buffers/device-array.js';
import { broadcastShapes } from '../buffers/strided.js';
import { ShapeError } from '../errors.js';
import { promoteTypes } from '../buffers/dtype.js';
import { checkLive, requireDType } from './util.js';
import { checkArrays } from './signature.js';
import { checkNoExtra, checkOptions } from '../args.js';
import { defineOp, type Checked } from './manifest.js';
import { matmulCpu, type MatmulOptions } from '../reference/matmul.js';
import { dawnMatmul } from '../backends/dawn/ops/matmul.js';
import { hostMatmul } from '../backends/host/ops/matmul.js';
import { checkDim } from './transpose.js';

export type { MatmulOptions } from '../reference/matmul.js';

/** Shape and layout of a {@link matmul}: op(A) is m×k, op(B) is k×n, the result m×n. */
export interface MatmulShape extends MatmulOptions {
  readonly m: number;
  readonly k: number;
  readonly n: number;
}

/** A checked flat product: op(A) m×k times op(B) k×n, flags resolved; the result is m×n of `dtype` (both operands'). */
export interface MatmulCall extends Checked {
  readonly a: DeviceArray;
  readonly b: DeviceArray;
  readonly m: number;
  readonly k: number;
  readonly n: number;
  readonly transA: boolean;
  readonly transB: boolean;
  readonly shape: readonly number[];
  readonly dtype: MatmulDType;
}

/** The dtypes matmul takes (both operands of one of them): f32, and the integers i32 and u32. */
export type MatmulDType = 'f32' | 'i32' | 'u32';

/**
 * The dtype of a product of `a` and `b` by the standard's promotion (each f32, i32 or u32; the same one,
 * since f32 with an integer, and i32 with u32 — int64 in the standard — are refused), or a DTypeError.
 */
export function matmulDType(op: string, a: DeviceArray, b: DeviceArray, names: readonly [string, string] = ['a', 'b']): MatmulDType {
  requireDType(op, names[0], a, ['f32', 'i32', 'u32']);
  requireDType(op, names[1], b, ['f32', 'i32', 'u32']);
  return promoteTypes(op, a.dtype, b.dtype) as MatmulDType;
}

/**
 * C = op(A)·op(B) for row-major f32 matrices (or i32 / u32, wrapping as {@link matmul} says): op(A) is m×k,
 * op(B) is k×n, C is a new m×n array
 * (`shape [m, n]`). With `transA`, `a` holds A stored k×m (op(A) = aᵀ); with `transB`, `b` holds
 * B stored n×k. Any m, k, n ≥ 0: an empty dimension gives an empty result, and k = 0 gives zeros.
 * Enqueues and returns at once.
 *
 * The kernel is chosen per adapter by the autotuner (`matmulTunable`; on lavapipe the
 * register-blocked matmul-rb, on a GPU shared-memory tiles), with a valid fallback when the tuned
 * kernel's shape conditions do not hold. With `transB`, k a multiple of 1024 and m ≥ 128, matmul-rb
 * first transposes B explicitly (into a temporary) and runs the untransposed product: about 2× faster on
 * lavapipe than striding through Bᵀ, whose 4 KiB row stride aliases in the CPU cache.
 *
 * Accuracy: products are summed in k order in f32 (fma, or mul + add where the backend splits it); on
 * Dawn, a product with few outputs and k ≥ 2048 (32×50,000 · 50,000×1) is split along k into blocks of
 * ≥ 1024 summed in k order each, the blocks' sums then added in order (the same bound).
 * Each element agrees with matmulCpu (float64 sums) within
 * `1e-4·sqrt(k)·Σ_p |op(A)[i][p]·op(B)[p][j]|`; the rigorous worst case is `k·2^-24` times that sum,
 * which this bound covers up to k ≈ 2.8·10^6.
 *
 * @throws ArgumentError if a or b is not a DeviceArray, or the shape object is missing, lacks m, k or n
 *   (named), has an unknown key or a value of the wrong type (m: '2', transA: 'yes'); DTypeError if a or b
 *   is not f32, i32 or u32, or their dtypes differ; ShapeError if a dimension is not a non-negative integer or an
 *   operand's length is not m·k (resp. k·n); LimitError if a grid dimension would exceed the device's
 *   65,535 workgroups (e.g. m above ~786k rows with the lavapipe blocking).
 *
 * @example
 * ```ts
 * using a = device.array(new Float32Array([1, 2, 3, 4, 5, 6])); // 2×3
 * using b = device.array(new Float32Array([1, 0, 0, 1, 1, 1]));  // 3×2
 * using c = matmul(a, b, { m: 2, k: 3, n: 2 });                   // shape [2, 2]
 * console.log(await c.toArray()); // Float32Array [4, 5, 10, 11]
 * ```
 */
/** Checks matmul's arguments (both engines share it) and returns the shape with its flags resolved. */
export function checkMatmul(a: DeviceArray, b: DeviceArray, opts: MatmulShape): { m: number; k: number; n: number; transA: boolean; transB: boolean; dtype: MatmulDType } {
  checkArrays('matmul', { a, b });
  // m, k, n cannot be inferred from flat arrays: each is required, and a missing one is named.
  checkOptions('matmul', opts, { m: 'number', k: 'number', n: 'number', transA: 'boolean', transB: 'boolean' }, ['m', 'k', 'n']);
  const dtype = matmulDType('matmul', a, b);
  const { m, k, n } = opts;
  checkDim('matmul', 'm', m);
  checkDim('matmul', 'k', k);
  checkDim('matmul', 'n', n);
  const transA = opts.transA === true;
  const transB = opts.transB === true;
  if (a.length !== m * k) {
    throw new ShapeError(`matmul: a must hold m·k = ${m * k} elements (${transA ? `${k}×${m}, transposed` : `${m}×${k}`}), but has ${a.length}`);
  }
  if (b.length !== k * n) {
    throw new ShapeError(`matmul: b must hold k·n = ${k * n} elements (${transB ? `${n}×${k}, transposed` : `${k}×${n}`}), but has ${b.length}`);
  }
  return { m, k, n, transA, transB, dtype };
}

export const MATMUL = defineOp({
  name: 'matmul',
  numpy: 'numpy.matmul',
  category: 'linalg',
  summary: 'matrix product (NumPy shape rules, batched; or flat row-major with { m, k, n, transA, transB }); f32, i32 / u32 wrapping as NumPy\'s',
  tolerance: 'dot',
  dtypes: ['f32', 'i32', 'u32'],
  check: (a: DeviceArray, b: DeviceArray, opts: MatmulShape): MatmulCall => {
    const s = checkMatmul(a, b, opts);
    return { backend: a.backend, a, b, ...s, shape: [s.m, s.n] };
  },
  dawn: dawnMatmul,
  host: hostMatmul,
  reference: matmulCpu,
});

/**
 * Matrix product, NumPy's `matmul` semantics from the arrays' shapes: 2-D × 2-D; a 1-D operand is
 * promoted (a row vector on the left, a column on the right) and its axis dropped from the result;
 * 3-D and more are stacks of matrices whose batch axes broadcast (`(3,1,m,k) @ (1,5,k,n)` → `(3,5,m,n)`).
 * A transposed view (`w.T`) is read in place through the kernels' transpose flags, no copy; other
 * views are gathered first. `matmul(X.T, r)` and `matmul(r, X)` cost the same on Dawn: a column
 * result is computed as the row it is in memory, and a long k with few outputs is split across workgroups. The old form `matmul(a, b, { m, k, n, transA?, transB? })` on flat arrays
 * still works.
 *
 * Dtypes: both operands f32, or both i32, or both u32 (the standard's promotion: f32 with an integer dtype,
 * and i32 with u32, whose standard answer is int64, are DTypeErrors naming astype). Integer products
 * (new; f32-only before) keep the dtype and wrap modulo 2^32, products and sums alike (two's complement for
 * i32): exactly NumPy's `np.matmul` of int32 / uint32 arrays, which returns int32 / uint32 with wraparound,
 * bit for bit, on both engines. This differs from `sum`, which refuses an overflowing integer sum with an
 * OverflowError because NumPy's integer sum promotes to 64 bits: NumPy's int32 matmul does not promote.
 * `astype(x, 'f32')` first for a rounded float product instead. On Dawn an integer product runs one tiled
 * kernel (no autotuning, split-k or row blocks): an operand or result larger than one binding is a LimitError.
 *
 * Fusion (Dawn): an f32 product that runs as one kernel is recorded like an elementwise op, and an
 * elementwise chain on it that reads only it, JS numbers, same-shape arrays and row-broadcast ones (a bias
 * of shape `[n]`) runs in the product's kernel at its store: `relu(add(matmul(x, w), b))` is one dispatch
 * (`device.profile()` lists `matmul-rb|epilogue(add,relu)`), bit-identical to the ops one by one. A
 * product is computed once at most: while its own array is held (not destroyed) when the chain runs, that
 * kernel stores the plain product too (`matmul-rb|epilogue(add,relu)+product`: one more store of m·n
 * values, what unfused writes anyway), so reading it later runs nothing; destroy it (or end its `using`
 * scope) before the chain runs to skip that store. The product's kernel compiles at the call, so its
 * compile error is the call's, as unfused. Split-k, larger-than-a-binding, swapped (few columns) and
 * integer products run at their call. `openDevice({ fuse: false })`, `GPUKIT_FUSE=0` or
 * `GPUKIT_FUSE_EPILOGUE=0` turn it off.
 *
 * @example
 * ```ts
 * using a = device.array([[1, 2], [3, 4]], { dtype: 'i32' });
 * using c = matmul(a, a);                 // i32 [[7, 10], [15, 22]]
 * using big = device.array([[2147483647, 1]], { dtype: 'i32' });
 * using w = matmul(big, big.T);           // i32 [[2]]: 2147483647² + 1 wraps to 2, as np.matmul of int32
 * ```
 * @see https://numpy.org/doc/stable/reference/generated/numpy.matmul.html
 */
export function matmul<D extends MatmulDType = 'f32'>(a: DeviceArray<D>, b: DeviceArray<D>, opts?: MatmulShape | MatmulOptions, ...extra: []): DeviceArray<D>;
export function matmul(a: DeviceArray, b: DeviceArray, opts?: MatmulShape | MatmulOptions, ...extra: []): DeviceArray<MatmulDType>;
export function matmul(a: DeviceArray, b: DeviceArray, opts?: MatmulShape | MatmulOptions, ...extra: []): DeviceArray<MatmulDType> {
  checkArrays('matmul', { a, b });
  checkNoExtra('matmul', extra, 'three arguments (a, b, options)');
  checkLive('matmul', { a, b });
  const o: unknown = opts;
  if (typeof o === 'object' && o !== null && ('m' in o || 'k' in o || 'n' in o)) return MATMUL.call(a, b, opts as MatmulShape);
  const dtype = matmulDType('matmul', a, b);
  if (o !== undefined) checkOptions('matmul', o, {});
  if (a.ndim === 0 || b.ndim === 0) throw new ShapeError(`matmul: operands must have at least 1 dimension, got shapes [${a.shape.join(', ')}] and [${b.shape.join(', ')}]`);
  const a2 = a.ndim === 1 ? a.reshape(1, a.length) : a;
  const b2 = b.ndim === 1 ? b.reshape(b.length, 1) : b;
  const m = a2.shape[a2.ndim - 2] ?? 0;
  const k = a2.shape[a2.ndim - 1] ?? 0;
  const k2 = b2.shape[b2.ndim - 2] ?? 0;
  const n = b2.shape[b2.ndim - 1] ?? 0;
  if (k !== k2) throw new ShapeError(`matmul: shapes [${a.shape.join(', ')}] and [${b.shape.join(', ')}] do not align: ${k} (last axis of a) ≠ ${k2} (${b.ndim === 1 ? 'the length' : 'second to last axis'} of b)`);
  const batch = broadcastShapes('matmul', a2.shape.slice(0, -2), b2.shape.slice(0, -2));
  const final = [...batch, ...(a.ndim === 1 ? [] : [m]), ...(b.ndim === 1 ? [] : [n])];
  if (batch.length === 0) {
    const r = matmul2d(a2, b2, m, k, n);
    return final.length === 2 ? r : r.reinterpret(dtype, final);
  }
  const out = new DeviceArray<MatmulDType>(a.backend, dtype, [...batch, m, n]);
  const count = batch.reduce((x, y) => x * y, 1);
  const pick = (arr: DeviceArray, flat: number): DeviceArray => {
    // The batch index of `arr` for output batch `flat` (broadcast axes: index 0), as a 2-D view.
    const bs = arr.shape.slice(0, -2);
    const idx: number[] = [];
    let rem = flat;
    for (let d = batch.length - 1; d >= 0; d--) {
      const e = batch[d] ?? 1;
      const c = rem % e;
      rem = Math.floor(rem / e);
      const own = d - (batch.length - bs.length);
      if (own >= 0) idx[own] = (bs[own] ?? 1) === 1 ? 0 : c;
    }
    return arr.slice(...idx);
  };
  try {
    for (let t = 0; t < count; t++) {
      const r = matmul2d(pick(a2, t), pick(b2, t), m, k, n);
      try {
        r.copyInto(out, t * m * n);
      } finally {
        r.destroy();
      }
    }
  } catch (e) {
    out.destroy();
    throw e;
  }
  return final.length === out.ndim ? out : out.reinterpret(dtype, final);
}
/** One m×k · k×n product of 2-D arrays or views: transposed views go through the kernels' flags. */
function matmul2d(a: DeviceArray, b: DeviceArray, m: number, k: number, n: number): DeviceArray<MatmulDType> {
  const ta = !a.isPlain && a.T.isPlain;
  const tb = !b.isPlain && b.T.isPlain;
  return MATMUL.call(ta ? a.T : a, tb ? b.T : b, { m, k, n, transA: ta, transB: tb });
}
