/**
 * matmul on Dawn: the kernels, the autotuner's views of them and the plan of each product.
 *
 * Kernels (see scratch/matmul/FINDINGS.md for the measurements behind every choice here):
 * - `kernels/matmul-rb.wgsl`: scalar loads, RM×CN register block per invocation, any shape. The
 *   lavapipe winner (WG_X 8, RM 12, CN 12: ~15 GFLOP/s at 1024³).
 * - `kernels/matmul-rb4.wgsl`: vec4 loads, needs k % 4 = n % 4 = 0 (and m % 4 = RM % 4 = 0 with transA).
 * - `kernels/matmul-tiled.wgsl`: 16×16 shared-memory tiles, any shape; the hardware-GPU candidate.
 * - `kernels/matmul-skinny.wgsl`: up to 16 columns (A m×k, k % 4 = 0): row blocks of A against Bᵀ,
 *   vec4 loads; its own tunable (`skinnyTunable`).
 * - `kernels/transpose.wgsl` (src/backends/dawn/ops/transpose.ts) for the pre-transposed B and swapped products.
 * - `kernels/matmul-splitk-sum.wgsl`: the sum of the layers of a product split along k (matmul-rb with SPLIT_K).
 * Which one runs is an autotuner choice (`matmulTunable`, `gpukit tune`).
 */
import { DeviceArray } from '../../../buffers/device-array.js';
import { builtin, compileKernelSync, type Kernel } from '../kernel.js';
import { composeKernel } from '../../../kernels/compose.js';
import type { DeviceContext } from '../context.js';
import { ArgumentError, LimitError } from '../../../errors.js';
import { foldGroups } from '../geometry.js';
import { chunkElements, pieces } from '../../../buffers/chunks.js';
import { registerTunable, softwareProfile, tunedParams, type TuneParams } from '../tuning.js';
import { deviceOf } from '../../../ops/util.js';
import { outputsOf, parseArgs } from '../../../kernels/codegen.js';
import { checkElementwiseCall } from '../../../ops/signature.js';
import { readyElementwise } from './elementwise.js';
import type { MatmulCall, MatmulShape } from '../../../ops/matmul.js';

/** The sum of two k-block partial products (x + y, f32, same shape): the ready `add` body of Dawn. */
const BLOCK_ADD = { args: 'x: f32[], y: f32[], out: f32[]', body: 'out = x + y' } as const;
const blockAddSpec = (() => {
  const args = parseArgs(BLOCK_ADD.args);
  const o = outputsOf(BLOCK_ADD.body, args);
  return { args, outputs: o.outputs, writeOnly: o.writeOnly, ind: false };
})();
let blockAdd: ((checked: ReturnType<typeof checkElementwiseCall>) => DeviceArray) | undefined;
function addBlock(x: DeviceArray, y: DeviceArray): DeviceArray {
  blockAdd ??= readyElementwise('matmul|k-blocks', BLOCK_ADD.args, BLOCK_ADD.body);
  return blockAdd(checkElementwiseCall('matmul|k-blocks', blockAddSpec, [{ x, y }]));
}
import { transposeInto } from './transpose.js';
import { fusionOf, type MatmulEpilogue } from '../fusion.js';

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
 * The autotuner's view of `matmul`. Size = m·k·n (multiply-adds; the tuner times cubes).
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

/** @internal How `matmul` runs one problem: which kernel, its overrides, the grid, and whether B is transposed first. */
export interface MatmulPlan {
  readonly kernel: (typeof MATMUL_KERNELS)[number];
  /** Pipeline overrides, TRANS_A / TRANS_B (0/1) included. */
  readonly constants: Readonly<Record<string, number>>;
  readonly workgroups: readonly [number, number, number];
  /** B (stored n×k) is transposed into a k×n temporary first and the product runs untransposed in B. */
  readonly transposeB: boolean;
  /**
   * Split k: 0 for none; else matmul-rb composed with SPLIT_K, each of the `workgroups[2]` layers summing
   * `kc` steps of k into a partial product, then matmul-splitk-sum adding the layers in order.
   */
  readonly kc: number;
}

/**
 * Split-k: a product whose output gives fewer workgroups than this (a software adapter's threads each want
 * several; a GPU's multiprocessors several each) and whose k is at least twice SPLIT_MIN_K is split along
 * k into layers of at least SPLIT_MIN_K steps (so each layer's partial write, and its read by the sum, stay
 * small beside its multiply-adds), up to this many workgroups in all. 32×50,000 · 50,000×1 on lavapipe:
 * 3 workgroups unsplit. `GPUKIT_MATMUL_NO_SPLIT=1` turns it off, for side-by-side measurements.
 */
const SPLIT_TARGET_SOFTWARE = 32;
const SPLIT_TARGET_GPU = 256;
const SPLIT_MIN_K = 1024;

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
      return finish(ctx, m, k, n, {
        kernel: 'matmul-rb4',
        constants: { WG_X: wgx, RM: rm, NC: nc, TRANS_A: tA ? 1 : 0, TRANS_B: tB ? 1 : 0 },
        workgroups: [Math.ceil(n / 4 / (wgx * nc)), Math.ceil(m / rm), 1],
        transposeB: false,
        kc: 0,
      });
    }
    // Same RM × 4·NC block per invocation, scalar loads: any shape.
    kernel = RB;
    cn = Math.min(16, 4 * nc);
  }
  if (kernel === TILED) {
    const tile = param(p, 'TILE', 16);
    return finish(ctx, m, k, n, {
      kernel: 'matmul-tiled',
      constants: { TILE: tile, TRANS_A: tA ? 1 : 0, TRANS_B: tB ? 1 : 0 },
      workgroups: [Math.ceil(n / tile), Math.ceil(m / tile), 1],
      transposeB: false,
      kc: 0,
    });
  }
  const transposeB = tB && k % PRE_TRANSPOSE_K === 0 && m >= PRE_TRANSPOSE_MIN_M;
  if (transposeB) tB = false;
  return finish(ctx, m, k, n, rbPlan(m, n, wgx, rm, cn, tA, tB, transposeB));
}

/** A matmul-rb plan with this blocking (narrowed to n), unsplit. */
function rbPlan(m: number, n: number, wgx: number, rm: number, cn: number, tA: boolean, tB: boolean, transposeB: boolean): MatmulPlan {
  // Tall-skinny products (n below one workgroup's WG_X·CN columns, e.g. 4096×1024 · 1024×10): most
  // invocations of a workgroup would own no column. Narrow each invocation's column block so the
  // workgroup's invocations share the n columns.
  const c = n < wgx * cn ? Math.max(1, Math.ceil(n / wgx)) : cn;
  // A row vector times a matrix (1×k · k×32, and a column result computed as one): a block of one row,
  // not RM rows of which all but the first repeat its loads and multiply-adds (3.3× faster at 1×50,000 ·
  // 50,000×32 on lavapipe). Only m = 1: every other RM is one more pipeline to compile.
  const r = m === 1 ? 1 : rm;
  return {
    kernel: 'matmul-rb',
    constants: { WG_X: wgx, RM: r, CN: c, TRANS_A: tA ? 1 : 0, TRANS_B: tB ? 1 : 0 },
    workgroups: [Math.ceil(n / (wgx * c)), Math.ceil(m / r), 1],
    transposeB,
    kc: 0,
  };
}

/**
 * The plan split along k when its output gives too few workgroups (see SPLIT_TARGET_*): matmul-rb with the
 * plan's blocking (or, for another kernel, the GPU blocking of matmul-rb), layers of kc steps of k.
 */
function splitK(ctx: DeviceContext, m: number, k: number, n: number, plan: MatmulPlan): MatmulPlan {
  const groups = plan.workgroups[0] * plan.workgroups[1];
  const target = softwareProfile(ctx) ? SPLIT_TARGET_SOFTWARE : SPLIT_TARGET_GPU;
  if (plan.transposeB || groups >= target || k < 2 * SPLIT_MIN_K || process.env['GPUKIT_MATMUL_NO_SPLIT'] === '1') return plan;
  let layers = Math.min(Math.ceil(target / groups), Math.floor(k / SPLIT_MIN_K), ctx.limits.maxComputeWorkgroupsPerDimension, Math.floor(chunkElements(ctx.limits) / (m * n)));
  if (layers < 2) return plan;
  const kc = Math.ceil(k / layers);
  layers = Math.ceil(k / kc);
  const c = plan.constants;
  const tA = c['TRANS_A'] === 1;
  const tB = c['TRANS_B'] === 1;
  const base = plan.kernel === 'matmul-rb' ? plan : rbPlan(m, n, Math.min(64, ctx.limits.maxComputeWorkgroupSizeX, ctx.limits.maxComputeInvocationsPerWorkgroup), 4, 4, tA, tB, false);
  return { ...base, workgroups: [base.workgroups[0], base.workgroups[1], layers], kc };
}

function finish(ctx: DeviceContext, m: number, k: number, n: number, unsplit: MatmulPlan): MatmulPlan {
  const plan = splitK(ctx, m, k, n, unsplit);
  // Checked here, before anything is allocated or enqueued. The kernels take no row offset, so a
  // taller grid cannot be split into several dispatches.
  const max = ctx.limits.maxComputeWorkgroupsPerDimension;
  plan.workgroups.forEach((g, i) => {
    if (g > max) throw new LimitError('maxComputeWorkgroupsPerDimension', g, max, `matmul of ${m}×${n} with ${plan.kernel} needs ${g} workgroups along ${'xyz'[i] ?? '?'}`);
  });
  return plan;
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
      const r = matmulFlat(ctx, aw, b, { m: q.length, k, n, transB });
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
          const part = matmulFlat(ctx, aDense, bBlock, { m: r.length, k: q.length, n });
          if (acc === undefined) acc = part;
          else {
            const sum = addBlock(acc, part);
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

/**
 * matmul-skinny's source: with an epilogue appended (and B read in place, B_ROWS, when it is not Bᵀ; the
 * plain product stored too with the epilogue's `product`).
 */
function skinnySource(transB: boolean, e?: MatmulEpilogue): string {
  return e === undefined ? composeKernel('matmul-skinny') : `${composeKernel('matmul-skinny', { EPILOGUE: true, B_ROWS: !transB, PRODUCT: e.product })}\n${e.wgsl}`;
}

/** matmul-skinny's kernel for k and n columns (the tuned geometry), compiled (with the epilogue when given). */
function skinnyKernel(ctx: DeviceContext, k: number, n: number, transB: boolean, e?: MatmulEpilogue): { kernel: Kernel; rows: number } {
  const p = tunedParams(ctx, skinnyTunable, k);
  const WG = param(p, 'WG', 8);
  const LANES = param(p, 'LANES', 1);
  // With lanes along k, the lanes' RM·n sums meet in 16 words of workgroup memory per invocation.
  const RM = LANES > 1 ? Math.max(1, Math.min(param(p, 'RM', 1), Math.floor(16 / n))) : param(p, 'RM', 12);
  const constants = { WG, LANES, RM, NB: n };
  const kernel = e === undefined ? builtin(ctx, 'matmul-skinny', { constants }) : compileKernelSync(ctx, skinnySource(transB, e), { label: `matmul-skinny|${e.name}`, constants });
  return { kernel, rows: RM * (WG / LANES) };
}

/**
 * C (m×n, n ≤ 16) = A·op(B) on matmul-skinny (`s`, from {@link skinnyKernel}): A m×k not transposed, k % 4 = 0;
 * B is handed over as Bᵀ (n×k), or, with an epilogue, read in place (the same values summed in the same
 * order: the same bits). `prod` (with an epilogue storing the product too) receives the plain product.
 */
function matmulSkinny(ctx: DeviceContext, s: { kernel: Kernel; rows: number }, a: DeviceArray, b: DeviceArray, m: number, k: number, n: number, transB: boolean, e?: MatmulEpilogue, prod?: DeviceArray): DeviceArray<'f32'> {
  const out = new DeviceArray(ctx, 'f32', [m, n]);
  // Bᵀ: b itself when it is stored transposed (or read in place), else a transpose of the small k×n matrix.
  const bt = transB || e !== undefined ? b : new DeviceArray(ctx, 'f32', [n, k]);
  try {
    if (bt !== b) transposeInto(ctx, b, k, n, bt);
    const groups = Math.ceil(m / s.rows);
    const bind = e === undefined ? { a, bt, out, params: { m, k, n, pad: 0 } } : { a, [transB ? 'bt' : 'b']: b, out, params: { m, k, n, pad: 0 }, ...(prod !== undefined ? { prod } : {}), ...e.args };
    s.kernel.run(bind, { workgroups: foldGroups(groups, ctx.limits.maxComputeWorkgroupsPerDimension, `matmul-skinny over ${m} rows`) });
  } catch (e) {
    out.destroy();
    throw e;
  } finally {
    if (bt !== b) bt.destroy();
  }
  return out;
}

/** One checked product of plain (or window) arrays: the chunked, skinny, swapped or planned path. */
function matmulFlat(ctx: DeviceContext, a: DeviceArray, b: DeviceArray, opts: MatmulShape): DeviceArray<'f32'> {
  const { m, k, n } = opts;
  const transA = opts.transA === true;
  const transB = opts.transB === true;
  const empty = m === 0 || n === 0 || k === 0;
  const chunk = chunkElements(ctx.limits);
  if (!empty && (m * k > chunk || m * n > chunk || k * n > chunk)) return matmulRows(ctx, a, b, m, k, n, transA, transB, chunk);
  if (!empty && n <= TALL_SKINNY_N && m >= 4 * TALL_SKINNY_N && k % 4 === 0 && !transA && process.env['GPUKIT_MATMUL_NO_SKINNY'] !== '1') {
    return matmulSkinny(ctx, skinnyKernel(ctx, k, n, transB), a, b, m, k, n, transB);
  }
  // Tall-skinny (few columns, many rows): compute Cᵀ = Bᵀ·Aᵀ, whose many columns fill the workgroups,
  // through the transpose flags (no copy of a or b), then transpose the small n×m result.
  if (!empty && n < TALL_SKINNY_N && m >= 4 * TALL_SKINNY_N && process.env['GPUKIT_MATMUL_NO_SWAP'] !== '1') {
    const ct = matmulFlat(ctx, b, a, { m: n, k, n: m, transA: !transB, transB: !transA });
    try {
      const out = new DeviceArray(ctx, 'f32', [m, n]);
      transposeInto(ctx, ct, n, m, out);
      return out;
    } finally {
      ct.destroy();
    }
  }
  // A column result (n = 1) has the memory of its transpose, a row: computed as Cᵀ = Bᵀ·op(A)ᵀ (1×k · k×m),
  // so m lies along the workgroups' columns and X.T @ r runs exactly as r @ X does (issue 26).
  if (!empty && n === 1 && m > 1 && process.env['GPUKIT_MATMUL_NO_SWAP'] !== '1') {
    return matmulFlat(ctx, b, a, { m: 1, k, n: m, transB: !transA }).reinterpret('f32', [m, 1]);
  }
  const plan = empty ? undefined : planMatmul(ctx, m, k, n, transA, transB);
  const out = new DeviceArray(ctx, 'f32', [m, n]);
  if (plan === undefined) {
    if (out.length > 0) ctx.clear(out.buffer, 0, out.bindingSize);
    ctx.noWork('matmul|empty', [...a.storageBuffers, ...b.storageBuffers], out.storageBuffers); // a failed input still fails the result
    return out;
  }
  try {
    if (plan.kc > 0) {
      splitProduct(ctx, plan, a, b, out, m, k, n);
      return out;
    }
    const kernel = builtin(ctx, plan.kernel, { constants: plan.constants });
    const params = { m, k, n, kc: 0 };
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

/** Encodes a split-k plan: the layers' partial products into a temporary, then their sum into `out`. */
function splitProduct(ctx: DeviceContext, plan: MatmulPlan, a: DeviceArray, b: DeviceArray, out: DeviceArray, m: number, k: number, n: number): void {
  const layers = plan.workgroups[2];
  const kernel = compileKernelSync(ctx, composeKernel('matmul-rb', { SPLIT_K: true }), { label: 'matmul-rb|split-k', constants: plan.constants });
  const sum = builtin(ctx, 'matmul-splitk-sum', { constants: { WG: 64 } });
  using part = new DeviceArray(ctx, 'f32', [layers * m * n]);
  kernel.run({ a, b, out: part, params: { m, k, n, kc: plan.kc } }, { workgroups: plan.workgroups });
  sum.run({ part, out, params: { mn: m * n, layers, pad0: 0, pad1: 0 } }, { workgroups: foldGroups(Math.ceil((m * n) / 64), ctx.limits.maxComputeWorkgroupsPerDimension, `matmul-splitk-sum over ${m * n} elements`) });
}

/**
 * An integer product (i32 or u32, both operands of that dtype): kernels/matmul-tiled.wgsl composed with
 * INTEGER, 16×16 tiles (8×8 where the device's workgroup limits are lower), products and sums wrapping
 * modulo 2^32 as WGSL defines them (NumPy's int32 / uint32 matmul, bit for bit). Not tuned, no split-k,
 * no row blocks: an operand or result larger than one binding is a LimitError, before anything is allocated.
 */
function matmulInt(ctx: DeviceContext, dtype: 'i32' | 'u32', a: DeviceArray, b: DeviceArray, m: number, k: number, n: number, transA: boolean, transB: boolean): DeviceArray<'i32' | 'u32'> {
  const L = ctx.limits;
  const chunk = chunkElements(L);
  for (const [what, size] of [['a', m * k], ['b', k * n], ['the result', m * n]] as const) {
    if (size > chunk) throw new LimitError('maxStorageBufferBindingSize', size * 4, L.maxStorageBufferBindingSize, `matmul: ${what} of an integer product (${m}×${k} · ${k}×${n}, ${dtype}) is larger than one binding`, 'integer matmul runs in one dispatch: split the product yourself, or compute it in f32 (astype)');
  }
  const tile = 16 * 16 <= L.maxComputeInvocationsPerWorkgroup && 16 <= Math.min(L.maxComputeWorkgroupSizeX, L.maxComputeWorkgroupSizeY) ? 16 : 8;
  const groups = [Math.ceil(n / tile), Math.ceil(m / tile), 1] as const;
  groups.forEach((g, i) => {
    if (g > L.maxComputeWorkgroupsPerDimension) throw new LimitError('maxComputeWorkgroupsPerDimension', g, L.maxComputeWorkgroupsPerDimension, `matmul of ${m}×${n} (${dtype}, matmul-tiled) needs ${g} workgroups along ${'xyz'[i] ?? '?'}`);
  });
  const out = new DeviceArray(ctx, dtype, [m, n]);
  if (m * n === 0 || k === 0) {
    if (out.length > 0) ctx.clear(out.buffer, 0, out.bindingSize);
    ctx.noWork('matmul|empty', [...a.storageBuffers, ...b.storageBuffers], out.storageBuffers); // a failed input still fails the result
    return out;
  }
  try {
    // A 1×k or k×1 matrix has the same memory layout as its transpose, so the flag changes nothing.
    const constants = { TILE: tile, TRANS_A: transA && m > 1 && k > 1 ? 1 : 0, TRANS_B: transB && n > 1 && k > 1 ? 1 : 0 };
    const kernel = compileKernelSync(ctx, composeKernel('matmul-tiled', { T: dtype, INTEGER: true }), { label: `matmul-tiled|${dtype}`, constants });
    kernel.run({ a, b, out, params: { m, k, n, kc: 0 } }, { workgroups: groups });
  } catch (e) {
    out.destroy();
    throw e;
  }
  return out;
}

/** C = op(A)·op(B) of a checked flat call, as a new m×n array of the call's dtype (f32, i32 or u32). */
export function dawnMatmul(ctx: DeviceContext, { a, b, m, k, n, transA, transB, dtype }: MatmulCall): DeviceArray<'f32' | 'i32' | 'u32'> {
  deviceOf('matmul', a, b);
  if (dtype !== 'f32') return matmulInt(ctx, dtype, a, b, m, k, n, transA, transB);
  return (ctx.fuse && ctx.epilogues ? lazyMatmul(ctx, a, b, { m, k, n, transA, transB }) : undefined) ?? matmulFlat(ctx, a, b, { m, k, n, transA, transB });
}

/**
 * With fusion on: the product recorded as a lazy array (src/backends/dawn/fusion.ts `recordMatmul`) when it
 * runs as one f32 kernel: matmul-skinny, or a planned matmul-rb, matmul-rb4 or matmul-tiled (not empty, not
 * split along k or by rows, not swapped or pre-transposed), so an elementwise chain on it can run as that
 * kernel's epilogue (the skinny one then reads B in place: no transpose). Computed alone it runs exactly as
 * unfused. Undefined for any other product (it runs now).
 */
function lazyMatmul(ctx: DeviceContext, a: DeviceArray, b: DeviceArray, opts: Required<MatmulShape>): DeviceArray<'f32'> | undefined {
  const { m, k, n, transA, transB } = opts;
  if (m === 0 || n === 0 || k === 0) return undefined;
  const chunk = chunkElements(ctx.limits);
  if (m * k > chunk || m * n > chunk || k * n > chunk) return undefined;
  const skinny = n <= TALL_SKINNY_N && m >= 4 * TALL_SKINNY_N && k % 4 === 0 && !transA && process.env['GPUKIT_MATMUL_NO_SKINNY'] !== '1';
  if (skinny) {
    // The epilogue variant binds b itself (B_ROWS) or as Bᵀ: plain operands only.
    if (!a.isPlain || !b.isPlain) return undefined;
    // Compiled at the call, as unfused: a compile failure is this call's error, not its first use's.
    skinnyKernel(ctx, k, n, transB);
    return fusionOf(ctx).recordMatmul<'f32'>({
      a,
      b,
      m,
      n,
      run: (a2, b2) => matmulFlat(ctx, a2, b2, opts),
      withEpilogue: (e) => {
        const s = skinnyKernel(ctx, k, n, transB, e);
        return (a2, b2) => withProduct(ctx, m, n, e, (prod) => matmulSkinny(ctx, s, a2, b2, m, k, n, transB, e, prod));
      },
      source: (e) => skinnySource(transB, e),
    });
  }
  const swap = (n < TALL_SKINNY_N && m >= 4 * TALL_SKINNY_N) || (n === 1 && m > 1);
  if (swap && process.env['GPUKIT_MATMUL_NO_SWAP'] !== '1') return undefined;
  // The plan's LimitError belongs to the call: planned now, and again (the same) when it runs.
  const plan = planMatmul(ctx, m, k, n, transA, transB);
  if (plan.kc > 0 || plan.transposeB) return undefined;
  // Compiled at the call, as unfused (the same cached kernel runs): a compile failure is this call's error.
  builtin(ctx, plan.kernel, { constants: plan.constants });
  const source = (e?: MatmulEpilogue): string => (e === undefined ? composeKernel(plan.kernel) : `${composeKernel(plan.kernel, { EPILOGUE: true, PRODUCT: e.product })}\n${e.wgsl}`);
  return fusionOf(ctx).recordMatmul<'f32'>({
    a,
    b,
    m,
    n,
    run: (a2, b2) => matmulFlat(ctx, a2, b2, opts),
    withEpilogue: (e) => {
      const kernel = compileKernelSync(ctx, source(e), { label: `${plan.kernel}|${e.name}`, constants: plan.constants });
      return (a2, b2) =>
        withProduct(ctx, m, n, e, (prod) => {
          const out = new DeviceArray(ctx, 'f32', [m, n]);
          try {
            kernel.run({ a: a2, b: b2, out, params: { m, k, n, kc: 0 }, ...(prod !== undefined ? { prod } : {}), ...e.args }, { workgroups: plan.workgroups });
          } catch (err) {
            out.destroy();
            throw err;
          }
          return out;
        });
    },
    source,
  });
}

/**
 * Runs an epilogue kernel (`run` makes its result), with a fresh m×n array for the plain product when the
 * epilogue stores it too; returns both (the product's array freed if the run throws).
 */
function withProduct(ctx: DeviceContext, m: number, n: number, e: MatmulEpilogue, run: (prod: DeviceArray | undefined) => DeviceArray): { out: DeviceArray; product: DeviceArray | undefined } {
  const product = e.product ? new DeviceArray(ctx, 'f32', [m, n]) : undefined;
  try {
    return { out: run(product), product };
  } catch (err) {
    product?.destroy();
    throw err;
  }
}
