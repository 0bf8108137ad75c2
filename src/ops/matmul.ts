/**
 * Matrix product and transpose of row-major f32 matrices on the device, with their CPU references.
 *
 * Kernels (see scratch/matmul/FINDINGS.md for the measurements behind every choice here):
 * - `kernels/matmul-rb.wgsl`: scalar loads, RM×CN register block per invocation, any shape. The
 *   lavapipe winner (WG_X 8, RM 12, CN 12: ~15 GFLOP/s at 1024³).
 * - `kernels/matmul-rb4.wgsl`: vec4 loads, needs k % 4 = n % 4 = 0 (and m % 4 = RM % 4 = 0 with transA).
 * - `kernels/matmul-tiled.wgsl`: 16×16 shared-memory tiles, any shape; the hardware-GPU candidate.
 * - `kernels/matmul-skinny.wgsl`: up to 16 columns (A m×k, k % 4 = 0): row blocks of A against Bᵀ,
 *   vec4 loads; its own tunable (`skinnyTunable`).
 * - `kernels/transpose.wgsl`: BR×BC block per invocation, any 4-byte dtype through `alias T`.
 * Which one runs is an autotuner choice (`matmulTunable`, `gpukit tune`); the CPU references below are plain
 * loops with float64 accumulation.
 */

import { fallback, onFallback, same } from './engine.js';
import { DeviceArray } from '../buffers/device-array.js';
import { broadcastShapes } from '../buffers/strided.js';
import type { DType } from '../buffers/dtype.js';
import type { DeviceContext } from '../backends/dawn/context.js';
import { ArgumentError, LimitError, ShapeError } from '../errors.js';
import { foldGroups } from '../backends/dawn/geometry.js';
import { chunkElements, pieces } from '../buffers/chunks.js';
import { registerTunable, softwareProfile, tunedParams, type TuneParams } from '../backends/dawn/tuning.js';
import { builtin, checkLive, deviceOf, requireDType } from './util.js';
import { add } from './elementwise.js';
import { checkArray, checkArrays, checkHost, checkSize } from './signature.js';
import { checkNoExtra, checkOptions } from '../args.js';

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

// --- device wrappers ------------------------------------------------------------------------------

/** Shape and layout of a {@link matmul}: op(A) is m×k, op(B) is k×n, the result m×n. */
export interface MatmulShape extends MatmulOptions {
  readonly m: number;
  readonly k: number;
  readonly n: number;
}

/** Values of the `KERNEL` tuning parameter. */
export const MATMUL_KERNELS = ['matmul-rb', 'matmul-rb4', 'matmul-tiled'] as const;
const RB = 0;
const RB4 = 1;
const TILED = 2;

// The candidate set of FINDINGS.md: CPU-adapter blockings of matmul-rb, GPU-typical register blocking
// (scalar and vec4), and the shared-memory tiles. Each lists only the parameters its kernel reads, so a
// cached winner compares equal to its candidate.
const MATMUL_CANDIDATES: readonly TuneParams[] = [
  { KERNEL: RB, WG_X: 8, RM: 12, CN: 12 },
  { KERNEL: RB, WG_X: 8, RM: 16, CN: 12 },
  { KERNEL: RB, WG_X: 8, RM: 8, CN: 8 },
  { KERNEL: RB, WG_X: 64, RM: 4, CN: 4 },
  { KERNEL: RB4, WG_X: 64, RM: 4, NC: 1 },
  { KERNEL: RB4, WG_X: 16, RM: 4, NC: 2 },
  { KERNEL: TILED, TILE: 16 },
  { KERNEL: TILED, TILE: 8 },
];

function param(p: TuneParams, key: string, fallback: number): number {
  return p[key] ?? fallback;
}

/** Why a parameter set cannot run on this device (register-block bounds, workgroup limits), or undefined. */
function matmulParamsProblem(ctx: DeviceContext, p: TuneParams): string | undefined {
  const L = ctx.limits;
  const kernel = param(p, 'KERNEL', RB);
  const inRange = (v: number, lo: number, hi: number) => Number.isInteger(v) && v >= lo && v <= hi;
  if (kernel === TILED) {
    const tile = param(p, 'TILE', 16);
    if (!inRange(tile, 1, Math.min(L.maxComputeWorkgroupSizeX, L.maxComputeWorkgroupSizeY))) return `TILE ${tile} exceeds the workgroup size limits`;
    if (tile * tile > L.maxComputeInvocationsPerWorkgroup) return `TILE² = ${tile * tile} exceeds maxComputeInvocationsPerWorkgroup ${L.maxComputeInvocationsPerWorkgroup}`;
    if (8 * tile * tile > L.maxComputeWorkgroupStorageSize) return `TILE ${tile} needs ${8 * tile * tile} bytes of workgroup memory`;
    return undefined;
  }
  if (kernel !== RB && kernel !== RB4) return `KERNEL must be 0 (rb), 1 (rb4) or 2 (tiled), got ${kernel}`;
  const wgx = param(p, 'WG_X', 8);
  if (!inRange(wgx, 1, Math.min(L.maxComputeWorkgroupSizeX, L.maxComputeInvocationsPerWorkgroup))) return `WG_X ${wgx} exceeds the workgroup size limits`;
  // The kernels' accumulator arrays are sized MAX_RM = 16 × MAX_CN = 16 (rb) or MAX_NC = 4 vec4s (rb4).
  if (!inRange(param(p, 'RM', 12), 1, 16)) return `RM must be 1..16, got ${param(p, 'RM', 12)}`;
  if (kernel === RB && !inRange(param(p, 'CN', 12), 1, 16)) return `CN must be 1..16, got ${param(p, 'CN', 12)}`;
  if (kernel === RB4 && !inRange(param(p, 'NC', 1), 1, 4)) return `NC must be 1..4, got ${param(p, 'NC', 1)}`;
  return undefined;
}

/**
 * The autotuner's view of {@link matmul}. Size = m·k·n (multiply-adds; the tuner times cubes).
 * Params: `KERNEL` (0 matmul-rb, 1 matmul-rb4, 2 matmul-tiled) and that kernel's overrides
 * (`WG_X, RM, CN` for rb; `WG_X, RM, NC` for rb4; `TILE` for tiled).
 * Defaults: the lavapipe winner rb 8/12×12 on a software adapter, 16×16 tiles on a GPU.
 */
export const matmulTunable = registerTunable({
  op: 'matmul',
  sizes: [2 ** 12, 2 ** 18, 2 ** 24, 2 ** 30],
  candidates: (ctx) => MATMUL_CANDIDATES.filter((p) => matmulParamsProblem(ctx, p) === undefined),
  defaults: (ctx) => {
    const want = softwareProfile(ctx)
      ? [{ KERNEL: RB, WG_X: 8, RM: 12, CN: 12 }]
      : [{ KERNEL: TILED, TILE: 16 }, { KERNEL: TILED, TILE: 8 }, { KERNEL: RB, WG_X: 64, RM: 4, CN: 4 }];
    return want.find((p) => matmulParamsProblem(ctx, p) === undefined) ?? { KERNEL: RB, WG_X: 1, RM: 1, CN: 1 };
  },
});

/** @internal How {@link matmul} runs one problem: which kernel, its overrides, the grid, and whether B is transposed first. */
export interface MatmulPlan {
  readonly kernel: (typeof MATMUL_KERNELS)[number];
  /** Pipeline overrides, TRANS_A / TRANS_B (0/1) included. */
  readonly constants: Readonly<Record<string, number>>;
  readonly workgroups: readonly [number, number, number];
  /** B (stored n×k) is transposed into a k×n temporary first and the product runs untransposed in B. */
  readonly transposeB: boolean;
}

/**
 * TRANS_B with k a multiple of 1024 halves matmul-rb's speed on lavapipe (every invocation walks its
 * own row of Bᵀ with a 4 KiB stride: cache-set aliasing; 7.9 vs 15.3 GFLOP/s at 1024³). An explicit
 * transpose first moves B once at ~0.66 GB/s, which pays off once the product is large compared with
 * B, i.e. from about m ≈ 100 rows at those rates.
 */
const PRE_TRANSPOSE_K = 1024;
const PRE_TRANSPOSE_MIN_M = 128;

/**
 * @internal The plan for an m×k×n product (all ≥ 1) on this device: the tuned kernel, falling back to
 * matmul-rb with the same output block when matmul-rb4's divisibility conditions do not hold.
 */
export function planMatmul(ctx: DeviceContext, m: number, k: number, n: number, transA: boolean, transB: boolean): MatmulPlan {
  const p = tunedParams(ctx, matmulTunable, m * k * n);
  const problem = matmulParamsProblem(ctx, p);
  if (problem !== undefined) throw new ArgumentError(`matmul: tuning parameters ${JSON.stringify(p)} are not usable here: ${problem}`);
  // A 1×k or k×1 matrix has the same memory layout as its transpose, so the flag changes nothing.
  const tA = transA && m > 1 && k > 1;
  let tB = transB && n > 1 && k > 1;
  let kernel = param(p, 'KERNEL', RB);
  const wgx = param(p, 'WG_X', 8);
  const rm = param(p, 'RM', 12);
  let cn = param(p, 'CN', 12);
  if (kernel === RB4) {
    const nc = param(p, 'NC', 1);
    const fits = k % 4 === 0 && n % 4 === 0 && (!tA || (m % 4 === 0 && rm % 4 === 0));
    if (fits) {
      return finish(ctx, m, n, {
        kernel: 'matmul-rb4',
        constants: { WG_X: wgx, RM: rm, NC: nc, TRANS_A: tA ? 1 : 0, TRANS_B: tB ? 1 : 0 },
        workgroups: [Math.ceil(n / 4 / (wgx * nc)), Math.ceil(m / rm), 1],
        transposeB: false,
      });
    }
    // Same RM × 4·NC block per invocation, scalar loads: any shape.
    kernel = RB;
    cn = Math.min(16, 4 * nc);
  }
  if (kernel === TILED) {
    const tile = param(p, 'TILE', 16);
    return finish(ctx, m, n, {
      kernel: 'matmul-tiled',
      constants: { TILE: tile, TRANS_A: tA ? 1 : 0, TRANS_B: tB ? 1 : 0 },
      workgroups: [Math.ceil(n / tile), Math.ceil(m / tile), 1],
      transposeB: false,
    });
  }
  const transposeB = tB && k % PRE_TRANSPOSE_K === 0 && m >= PRE_TRANSPOSE_MIN_M;
  if (transposeB) tB = false;
  // Tall-skinny products (n below one workgroup's WG_X·CN columns, e.g. 4096×1024 · 1024×10): most
  // invocations of a workgroup would own no column. Narrow each invocation's column block so the
  // workgroup's invocations share the n columns.
  if (n < wgx * cn) cn = Math.max(1, Math.ceil(n / wgx));
  return finish(ctx, m, n, {
    kernel: 'matmul-rb',
    constants: { WG_X: wgx, RM: rm, CN: cn, TRANS_A: tA ? 1 : 0, TRANS_B: tB ? 1 : 0 },
    workgroups: [Math.ceil(n / (wgx * cn)), Math.ceil(m / rm), 1],
    transposeB,
  });
}

function finish(ctx: DeviceContext, m: number, n: number, plan: MatmulPlan): MatmulPlan {
  // Checked here, before anything is allocated or enqueued. The kernels take no row offset, so a
  // taller grid cannot be split into several dispatches.
  const max = ctx.limits.maxComputeWorkgroupsPerDimension;
  plan.workgroups.forEach((g, i) => {
    if (g > max) throw new LimitError('maxComputeWorkgroupsPerDimension', g, max, `matmul of ${m}×${n} with ${plan.kernel} needs ${g} workgroups along ${'xyz'[i] ?? '?'}`);
  });
  return plan;
}

function checkDim(op: string, name: string, v: number): void {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new ShapeError(`${op}: ${name} must be a non-negative integer, got ${String(v)}`);
}

/**
 * C = op(A)·op(B) for row-major f32 matrices: op(A) is m×k, op(B) is k×n, C is a new m×n array
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
 * Accuracy: products are summed in k order in f32 (fma, or mul + add where the backend splits it).
 * Each element agrees with {@link matmulCpu} (float64 sums) within
 * `1e-4·sqrt(k)·Σ_p |op(A)[i][p]·op(B)[p][j]|`; the rigorous worst case is `k·2^-24` times that sum,
 * which this bound covers up to k ≈ 2.8·10^6.
 *
 * @throws ArgumentError if a or b is not a DeviceArray, or the shape object is missing, lacks m, k or n
 *   (named), has an unknown key or a value of the wrong type (m: '2', transA: 'yes'); DTypeError if a or b
 *   is not f32; ShapeError if a dimension is not a non-negative integer or an
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
export function checkMatmul(a: DeviceArray, b: DeviceArray, opts: MatmulShape): { m: number; k: number; n: number; transA: boolean; transB: boolean } {
  checkArrays('matmul', { a, b });
  // m, k, n cannot be inferred from flat arrays: each is required, and a missing one is named.
  checkOptions('matmul', opts, { m: 'number', k: 'number', n: 'number', transA: 'boolean', transB: 'boolean' }, ['m', 'k', 'n']);
  requireDType('matmul', 'a', a, ['f32']);
  requireDType('matmul', 'b', b, ['f32']);
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
  return { m, k, n, transA, transB };
}

/**
 * Matrix product, NumPy's `matmul` semantics from the arrays' shapes: 2-D × 2-D; a 1-D operand is
 * promoted (a row vector on the left, a column on the right) and its axis dropped from the result;
 * 3-D and more are stacks of matrices whose batch axes broadcast (`(3,1,m,k) @ (1,5,k,n)` → `(3,5,m,n)`).
 * A transposed view (`w.T`) is read in place through the kernels' transpose flags, no copy; other
 * views are gathered first. The old form `matmul(a, b, { m, k, n, transA?, transB? })` on flat arrays
 * still works.
 */
export function matmul(a: DeviceArray, b: DeviceArray, opts?: MatmulShape | MatmulOptions, ...extra: []): DeviceArray<'f32'> {
  checkArrays('matmul', { a, b });
  checkNoExtra('matmul', extra, 'three arguments (a, b, options)');
  checkLive('matmul', { a, b });
  const o: unknown = opts;
  if (typeof o === 'object' && o !== null && ('m' in o || 'k' in o || 'n' in o)) return matmulFlat(a, b, opts as MatmulShape);
  requireDType('matmul', 'a', a, ['f32']);
  requireDType('matmul', 'b', b, ['f32']);
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
    return final.length === 2 ? r : r.reinterpret('f32', final);
  }
  const out = new DeviceArray<'f32'>(a.host ?? a.ctx, 'f32', [...batch, m, n]);
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
  return final.length === out.ndim ? out : out.reinterpret('f32', final);
}

/**
 * A product whose a or result is larger than one binding: blocks of rows of a and of the result, bound as
 * aligned windows (a block of r rows starts at element r0·k of a and r0·n of the result, so r is a multiple
 * of what keeps both aligned), each an ordinary product with the whole of b. b must fit one binding
 * (tiling over k is not implemented), and a must not be transposed (its rows would not be contiguous).
 */
function matmulRows(ctx: DeviceContext, a: DeviceArray, b: DeviceArray, m: number, k: number, n: number, transA: boolean, transB: boolean, chunk: number): DeviceArray<'f32'> {
  const max = ctx.limits.maxStorageBufferBindingSize;
  if (k * n > chunk) {
    if (!transB && b.isContiguous && m * k <= chunk && n <= chunk) return matmulK(ctx, a, b, m, k, n, transA, chunk);
    throw new LimitError(
      'maxStorageBufferBindingSize',
      k * n * 4,
      max,
      `matmul: b (${transB ? `${n}×${k}, transposed` : `${k}×${n}`}) is larger than one binding`,
      'matmul tiles a b over one binding along k only when b is not transposed and a fits one binding (and splits a large a by rows when b fits): pass b untransposed (b.T.contiguous()), or split the product yourself',
    );
  }
  if (transA || !a.isContiguous) {
    throw new LimitError('maxStorageBufferBindingSize', m * k * 4, max, `matmul: a (${transA ? `${k}×${m}, transposed` : `${m}×${k}, a strided view`}) is larger than one binding`, 'matmul splits a large a by rows, which must be contiguous: pass a plain (not transposed) a, e.g. x.T.contiguous()');
  }
  const words = Math.max(1, ctx.limits.minStorageBufferOffsetAlignment / 4);
  const gcd = (x: number, y: number): number => (y === 0 ? x : gcd(y, x % y));
  const ra = words / gcd(k, words);
  const rn = words / gcd(n, words);
  const step = (ra / gcd(ra, rn)) * rn;
  const rows = Math.floor(Math.min(chunk / k, chunk / n) / step) * step;
  if (rows === 0) {
    throw new LimitError('maxStorageBufferBindingSize', step * Math.max(k, n) * 4, max, `matmul: ${step} rows of a (${m}×${k}) or of the result (${m}×${n}) at aligned offsets`, 'a row block this wide does not fit one binding');
  }
  const out = new DeviceArray(ctx, 'f32', [m, n]);
  const flatA = a.reshape(-1);
  try {
    for (const q of pieces(m, rows)) {
      // A block of a that straddles two of its buffers is read through a copy (the kernel's gather).
      using aw = flatA.slice([q.start * k, (q.start + q.length) * k]);
      const r = matmulFlat(aw, b, { m: q.length, k, n, transB });
      try {
        r.copyRangeTo(out, q.start * n);
      } finally {
        r.destroy();
      }
    }
  } catch (e) {
    out.destroy();
    throw e;
  } finally {
    flatA.destroy();
  }
  return out;
}

/**
 * A product whose b is larger than one binding (a fits one): tiles over k and over rows of the result.
 * Each (row block, k block) product reads a's block gathered from a (a strided view of an array that fits)
 * and b's k rows (contiguous: a window or a copy); the k blocks of a row block are summed in k order
 * (one more f32 rounding per block, well inside the documented bound) and copied into place.
 */
function matmulK(ctx: DeviceContext, a: DeviceArray, b: DeviceArray, m: number, k: number, n: number, transA: boolean, chunk: number): DeviceArray<'f32'> {
  const kb = Math.floor(chunk / n);
  const rows = Math.max(1, Math.floor(Math.min(chunk / kb, chunk / n)));
  const a2 = transA ? a.reshape(k, m) : a.reshape(m, k);
  const view = transA ? a2.T : a2;
  const flatB = b.reshape(-1);
  const out = new DeviceArray(ctx, 'f32', [m, n]);
  try {
    for (const r of pieces(m, rows)) {
      let acc: DeviceArray | undefined;
      try {
        for (const q of pieces(k, kb)) {
          using aBlock = view.slice([r.start, r.start + r.length], [q.start, q.start + q.length]);
          using aDense = aBlock.contiguous();
          using bBlock = flatB.slice([q.start * n, (q.start + q.length) * n]);
          const part = matmulFlat(aDense, bBlock, { m: r.length, k: q.length, n });
          if (acc === undefined) acc = part;
          else {
            const sum = add(acc, part);
            acc.destroy();
            part.destroy();
            acc = sum;
          }
        }
        acc?.copyRangeTo(out, r.start * n);
      } finally {
        acc?.destroy();
      }
    }
  } catch (e) {
    out.destroy();
    throw e;
  } finally {
    if (view !== a2) view.destroy();
    a2.destroy();
    flatB.destroy();
  }
  return out;
}

/** One m×k · k×n product of 2-D arrays or views: transposed views go through the kernels' flags. */
function matmul2d(a: DeviceArray, b: DeviceArray, m: number, k: number, n: number): DeviceArray<'f32'> {
  const ta = !a.isPlain && a.T.isPlain;
  const tb = !b.isPlain && b.T.isPlain;
  return matmulFlat(ta ? a.T : a, tb ? b.T : b, { m, k, n, transA: ta, transB: tb });
}

/**
 * Up to this many columns (with 4× as many rows) the product runs on matmul-skinny (k % 4 = 0, A not
 * transposed); otherwise, below it, it is computed transposed (see matmulFlat). `GPUKIT_MATMUL_NO_SKINNY=1`
 * and `GPUKIT_MATMUL_NO_SWAP=1` turn those off, for side-by-side measurements (bench/tall-skinny.ts).
 */
const TALL_SKINNY_N = 16;

/**
 * The autotuner's view of kernels/matmul-skinny.wgsl (n ≤ 16 columns). Size = k. Params: `WG`, `LANES`
 * (invocations sharing a row block, splitting k) and `RM` (rows per invocation). Software adapter: a
 * block of 12 rows per invocation, no lanes along k (each element of B loaded serves 12 rows: loads,
 * per SIMD lane, are what a CPU adapter pays for). GPU: one row per 16 elements of k per lane (64
 * lanes of a 256-wide workgroup at k = 1024), coalesced reads of A and Bᵀ, a tree per column.
 */
export const skinnyTunable = registerTunable({
  op: 'matmul-skinny',
  sizes: [256, 1024, 4096, 16384],
  candidates: (ctx) => {
    const software = [8, 32, 64].flatMap((WG) => [4, 8, 12, 16].map((RM) => ({ WG, LANES: 1, RM })));
    const gpu = [64, 256].flatMap((WG) => [4, 16, 64, 256].flatMap((LANES) => [1, 2].map((RM) => ({ WG, LANES, RM }))));
    const all = softwareProfile(ctx) ? software : [...software, ...gpu];
    return all.filter((p) => p.LANES <= p.WG && p.WG <= ctx.limits.maxComputeInvocationsPerWorkgroup);
  },
  defaults: (ctx, k) => {
    if (softwareProfile(ctx)) return { WG: 8, LANES: 1, RM: 12 };
    const WG = Math.min(256, ctx.limits.maxComputeInvocationsPerWorkgroup);
    return { WG, LANES: Math.min(WG, 2 ** Math.ceil(Math.log2(Math.max(1, Math.ceil(k / 16))))), RM: 1 };
  },
});

/** C (m×n, n ≤ 16) = A·op(B) on matmul-skinny: A m×k not transposed, k % 4 = 0; B is handed over as Bᵀ (n×k). */
function matmulSkinny(ctx: DeviceContext, a: DeviceArray, b: DeviceArray, m: number, k: number, n: number, transB: boolean): DeviceArray<'f32'> {
  const p = tunedParams(ctx, skinnyTunable, k);
  const WG = param(p, 'WG', 8);
  const LANES = param(p, 'LANES', 1);
  // With lanes along k, the lanes' RM·n sums meet in 16 words of workgroup memory per invocation.
  const RM = LANES > 1 ? Math.max(1, Math.min(param(p, 'RM', 1), Math.floor(16 / n))) : param(p, 'RM', 12);
  const kernel = builtin(ctx, 'matmul-skinny', { constants: { WG, LANES, RM, NB: n } });
  const out = new DeviceArray(ctx, 'f32', [m, n]);
  // Bᵀ: b itself when it is stored transposed, else a transpose of the small k×n matrix.
  const bt = transB ? b : new DeviceArray(ctx, 'f32', [n, k]);
  try {
    if (!transB) transposeInto(ctx, b, k, n, bt);
    const groups = Math.ceil(m / (RM * (WG / LANES)));
    kernel.run({ a, bt, out, params: { m, k, n, pad: 0 } }, { workgroups: foldGroups(groups, ctx.limits.maxComputeWorkgroupsPerDimension, `matmul-skinny over ${m} rows`) });
  } catch (e) {
    out.destroy();
    throw e;
  } finally {
    if (bt !== b) bt.destroy();
  }
  return out;
}

function matmulFlat(a: DeviceArray, b: DeviceArray, opts: MatmulShape): DeviceArray<'f32'> {
  checkMatmul(a, b, opts);
  if (onFallback(a)) return fallback('matmul').matmul(a, b, opts);
  const ctx = deviceOf('matmul', a, b);
  const { m, k, n, transA, transB } = checkMatmul(a, b, opts);
  const empty = m === 0 || n === 0 || k === 0;
  const chunk = chunkElements(ctx.limits);
  if (!empty && (m * k > chunk || m * n > chunk || k * n > chunk)) return matmulRows(ctx, a, b, m, k, n, transA, transB, chunk);
  if (!empty && n <= TALL_SKINNY_N && m >= 4 * TALL_SKINNY_N && k % 4 === 0 && !transA && process.env['GPUKIT_MATMUL_NO_SKINNY'] !== '1') {
    return matmulSkinny(ctx, a, b, m, k, n, transB);
  }
  // Tall-skinny (few columns, many rows): compute Cᵀ = Bᵀ·Aᵀ, whose many columns fill the workgroups,
  // through the transpose flags (no copy of a or b), then transpose the small n×m result.
  if (!empty && n < TALL_SKINNY_N && m >= 4 * TALL_SKINNY_N && process.env['GPUKIT_MATMUL_NO_SWAP'] !== '1') {
    const ct = matmulFlat(b, a, { m: n, k, n: m, transA: !transB, transB: !transA });
    try {
      const out = new DeviceArray(ctx, 'f32', [m, n]);
      transposeInto(ctx, ct, n, m, out);
      return out;
    } finally {
      ct.destroy();
    }
  }
  const plan = empty ? undefined : planMatmul(ctx, m, k, n, transA, transB);
  const out = new DeviceArray(ctx, 'f32', [m, n]);
  if (plan === undefined) {
    if (out.length > 0) ctx.clear(out.buffer, 0, out.bindingSize);
    ctx.noWork('matmul|empty', [...a.storageBuffers, ...b.storageBuffers], out.storageBuffers); // a failed input still fails the result
    return out;
  }
  try {
    const kernel = builtin(ctx, plan.kernel, { constants: plan.constants });
    const params = { m, k, n, pad: 0 };
    if (plan.transposeB) {
      const bt = new DeviceArray(ctx, 'f32', [k, n]);
      try {
        transposeInto(ctx, b, n, k, bt);
        kernel.run({ a, b: bt, out, params }, { workgroups: plan.workgroups });
      } finally {
        bt.destroy();
      }
    } else {
      kernel.run({ a, b, out, params }, { workgroups: plan.workgroups });
    }
  } catch (e) {
    out.destroy();
    throw e;
  }
  return out;
}

// FINDINGS.md's transpose table (4096², lavapipe): 8×1 threads × 8×2 blocks and 8×8 × 2×2 are best there
// (0.66 GB/s), 8×8 × 1×1 is the plain GPU-friendly shape.
const TRANSPOSE_CANDIDATES: readonly TuneParams[] = [
  { WG_X: 8, WG_Y: 1, BR: 8, BC: 2 },
  { WG_X: 8, WG_Y: 8, BR: 2, BC: 2 },
  { WG_X: 8, WG_Y: 1, BR: 4, BC: 4 },
  { WG_X: 8, WG_Y: 8, BR: 1, BC: 1 },
  { WG_X: 16, WG_Y: 16, BR: 1, BC: 1 },
];

function transposeFits(ctx: DeviceContext, p: TuneParams): boolean {
  const L = ctx.limits;
  const x = param(p, 'WG_X', 8);
  const y = param(p, 'WG_Y', 8);
  return x <= L.maxComputeWorkgroupSizeX && y <= L.maxComputeWorkgroupSizeY && x * y <= L.maxComputeInvocationsPerWorkgroup;
}

/**
 * The autotuner's view of {@link transpose}. Size = rows·cols. Params: workgroup `WG_X × WG_Y`, each
 * invocation moving a `BR × BC` block. Defaults: `{8, 1, 8, 2}` on a software adapter, `{8, 8, 1, 1}` on a GPU.
 */
export const transposeTunable = registerTunable({
  op: 'transpose',
  sizes: [2 ** 12, 2 ** 16, 2 ** 20, 2 ** 24],
  candidates: (ctx) => TRANSPOSE_CANDIDATES.filter((p) => transposeFits(ctx, p)),
  defaults: (ctx) => (softwareProfile(ctx) ? { WG_X: 8, WG_Y: 1, BR: 8, BC: 2 } : { WG_X: 8, WG_Y: 8, BR: 1, BC: 1 }),
});

const TRANSPOSE_DTYPES: readonly DType[] = ['f32', 'i32', 'u32'];

/** The grid of a transpose of a rows×cols matrix (both ≥ 2), checked against the device limit. */
function transposeGrid(ctx: DeviceContext, rows: number, cols: number, p: TuneParams): [number, number, number] {
  const grid: [number, number, number] = [Math.ceil(cols / (param(p, 'WG_X', 8) * param(p, 'BC', 1))), Math.ceil(rows / (param(p, 'WG_Y', 8) * param(p, 'BR', 1))), 1];
  const max = ctx.limits.maxComputeWorkgroupsPerDimension;
  grid.forEach((g, i) => {
    if (g > max) throw new LimitError('maxComputeWorkgroupsPerDimension', g, max, `transpose of ${rows}×${cols} needs ${g} workgroups along ${'xy'[i] ?? '?'}`);
  });
  return grid;
}

/** Encodes dst = srcᵀ (src rows×cols, both arrays rows·cols long, same dtype). */
function transposeInto(ctx: DeviceContext, src: DeviceArray, rows: number, cols: number, dst: DeviceArray): void {
  if (rows * cols === 0) return;
  // A vector is its own transpose in memory: a copy, and no grid limit for long vectors.
  if (rows === 1 || cols === 1) {
    ctx.copy(src.buffer, 0, dst.buffer, 0, src.bindingSize);
    return;
  }
  const p = tunedParams(ctx, transposeTunable, rows * cols);
  const workgroups = transposeGrid(ctx, rows, cols, p);
  const constants = { WG_X: param(p, 'WG_X', 8), WG_Y: param(p, 'WG_Y', 8), BR: param(p, 'BR', 1), BC: param(p, 'BC', 1) };
  const kernel = builtin(ctx, 'transpose', { constants, dtype: src.dtype });
  kernel.run({ a: src, out: dst, params: { m: rows, n: cols, pad0: 0, pad1: 0 } }, { workgroups });
}

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
  checkArray('transpose', 'a', a);
  checkNoExtra('transpose', extra, 'three arguments (a, rows, cols)');
  checkLive('transpose', { a });
  if (onFallback(a)) return same<D>(fallback('transpose').transpose(a, rows, cols));
  const ctx = deviceOf('transpose', a);
  requireDType('transpose', 'a', a, TRANSPOSE_DTYPES);
  checkDim('transpose', 'rows', rows);
  checkDim('transpose', 'cols', cols);
  if (rows * cols !== a.length) throw new ShapeError(`transpose: a must hold rows·cols = ${rows}·${cols} = ${rows * cols} elements, but has ${a.length}`);
  const out = new DeviceArray(ctx, a.dtype, [cols, rows]);
  try {
    transposeInto(ctx, a, rows, cols, out);
  } catch (e) {
    out.destroy();
    throw e;
  }
  return out;
}
