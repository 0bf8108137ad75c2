/**
 * Prefix sum (scan): the GPU op {@link scan} and its CPU reference {@link scanCpu}.
 *
 * The GPU scan is reduce-then-scan (kernels/scan-block-reduce.wgsl, kernels/scan-block-apply.wgsl):
 * one invocation sums a whole block of BLOCK elements serially, the block sums are scanned the same way
 * (recursively), and a last pass rescans every block from its offset. Passes: 2·L + 1 for L levels with
 * more than one block (n = 2^24 at BLOCK = 4096: 3). Measured choices in scratch/sort/FINDINGS.md.
 *
 * Accuracy (f32): the GPU sums in f32, blockwise (four lane partials per block in the reduce, a serial
 * running sum in the apply, then the offsets), so its rounding differs from any serial loop. Tests compare
 * it with {@link scanCpu} (float64 running sum, rounded once) per element within
 * `|scan(x)[i] − scanCpu(x)[i]| ≤ 2^-24 · (√n + 2) · (|x[0]| + … + |x[i]|)`.
 * Why this form: an f32 sum whose terms pass through at most k roundings is off by at most about
 * k · 2^-24 · Σ|x| in the worst case and √k · 2^-24 · Σ|x| typically (rounding errors add like a random
 * walk); here k ≤ L · (BLOCK/4 + 6) for L levels (and never more than n), so √n covers every parameter choice with a
 * wide margin, and the +2 covers the final roundings when n is tiny. Measured (BLOCK = 4096): uniform(−0.5, 1)
 * (partial sums grow like n/4) at n = 2^20, error ≤ 26 · 2^-24 · Σ|x| against the allowed 1026, and at 2^24,
 * ≤ 55 against 4098; uniform(−1, 1) at 2^24, ≤ 0.5 (max error 7·10^-3). A tolerance cannot separate a
 * one-element shift from rounding at large n: the exact integer tests (same kernels, T = i32/u32) catch those.
 * Integer scans wrap modulo 2^32 like WGSL arithmetic and are exact.
 */

import { fallback, onFallback } from './engine.js';
import { alongRows, byRowBlocks } from './axis.js';
import { compileKernelSync } from '../backends/dawn/kernel.js';
import { builtinKernel } from '../kernels/load.js';
import { DeviceArray } from '../buffers/device-array.js';
import type { DeviceContext } from '../backends/dawn/context.js';
import { ArgumentError } from '../errors.js';
import { registerTunable, softwareProfile, tunedParams, type TuneParams } from '../backends/dawn/tuning.js';
import { builtin, checkLive, deviceOf, requireDType } from './util.js';
import { foldGroups } from '../backends/dawn/geometry.js';
import { chunkElements, pieces } from '../buffers/chunks.js';
import { checkArray, checkHost } from './signature.js';
import { checkNoExtra, checkOptions, describeValue } from '../args.js';

/**
 * CPU reference for the prefix sum (scan) op.
 *
 * Numerical choice for f32: the running sum is kept in float64 and each output is rounded to f32 once.
 * That is the exactly-rounded answer up to float64 error, i.e. what a GPU scan should be compared with
 * (the GPU sums in f32 in a different order — per block, then block offsets — so neither a serial f32
 * loop nor the GPU is "the" answer; tests compare the GPU with this reference within a tolerance that
 * grows with n). For i32 and u32 the sum wraps modulo 2^32, exactly as WGSL integer addition does, so
 * integer results must match exactly.
 *
 * @example
 * scanCpu(new Float32Array([1, 2, 3]), false); // Float32Array [1, 3, 6]
 * scanCpu(new Int32Array([1, 2, 3]), true);    // Int32Array [0, 1, 3]
 */
export function scanCpu<A extends Float32Array | Int32Array | Uint32Array>(x: A, exclusive: boolean): A {
  checkHost('scanCpu', 'x', x, [Float32Array, Int32Array, Uint32Array]);
  if (typeof exclusive !== 'boolean') throw new ArgumentError(`scanCpu: exclusive must be a boolean, got ${typeof exclusive}`);
  const n = x.length;
  const out = new (x.constructor as new (length: number) => A)(n);
  if (x instanceof Float32Array) {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const v = x[i] ?? 0;
      if (exclusive) {
        out[i] = s;
        s += v;
      } else {
        s += v;
        out[i] = s;
      }
    }
    return out;
  }
  // Integers: accumulate modulo 2^32; storing into the typed array applies the i32/u32 wrap.
  let s = 0;
  for (let i = 0; i < n; i++) {
    const v = x[i] ?? 0;
    if (exclusive) {
      out[i] = s;
      s = (s + v) | 0;
    } else {
      s = (s + v) | 0;
      out[i] = s;
    }
  }
  return out;
}

const SCAN_WGS = [8, 16, 64];
const SCAN_BLOCKS = [256, 512, 1024, 2048, 4096, 8192];
// A GPU wants many short serial chains (one invocation per block), i.e. small blocks and big workgroups.
const GPU_SCAN_WGS = [128, 256];
const GPU_SCAN_BLOCKS = [16, 32, 64, 128];

export const scanTunable = registerTunable({
  op: 'scan',
  sizes: [2 ** 12, 2 ** 16, 2 ** 20, 2 ** 24],
  candidates: (ctx) => {
    const cands = SCAN_WGS.flatMap((WG) => SCAN_BLOCKS.map((BLOCK) => ({ WG, BLOCK })));
    if (!softwareProfile(ctx)) cands.push(...GPU_SCAN_WGS.flatMap((WG) => GPU_SCAN_BLOCKS.map((BLOCK) => ({ WG, BLOCK }))));
    return cands.filter((p) => p.WG <= ctx.limits.maxComputeInvocationsPerWorkgroup);
  },
  // Lavapipe: cost is per invocation and per lane memory instruction, so few long blocks win (flat from
  // 1024 to 8192; 4096 gives 3 passes at 2^24). A GPU: short blocks, many invocations.
  defaults: (ctx) => (softwareProfile(ctx) ? { WG: 64, BLOCK: 4096 } : { WG: 256, BLOCK: 64 }),
});

/** WG and BLOCK of a scan at size n, checked (pinned parameters come from users). */
export function scanParams(ctx: DeviceContext, n: number): { WG: number; BLOCK: number } {
  return checkScanParams(tunedParams(ctx, scanTunable, n));
}

function checkScanParams(p: TuneParams): { WG: number; BLOCK: number } {
  const WG = p['WG'] ?? 64;
  const BLOCK = p['BLOCK'] ?? 4096;
  if (!Number.isInteger(BLOCK) || BLOCK < 4 || BLOCK % 4 !== 0) throw new ArgumentError(`scan: BLOCK must be a positive multiple of 4, got ${String(BLOCK)}`);
  if (!Number.isInteger(WG) || WG < 1) throw new ArgumentError(`scan: WG must be a positive integer, got ${String(WG)}`);
  return { WG, BLOCK };
}

/**
 * @internal Encodes the passes of a scan of all of `x` into `out` (same dtype and length ≥ 1, `out` not
 * aliasing `x`). Temporaries go to `scratch`; the caller destroys them once everything is encoded.
 * The last vec4 of `out` past `x.length` receives garbage (the pool's buffers always have room for it).
 */
export function encodeScan(
  ctx: DeviceContext,
  x: DeviceArray,
  out: DeviceArray,
  exclusive: boolean,
  params: { readonly WG: number; readonly BLOCK: number },
  scratch: DeviceArray[],
): void {
  const n = x.length;
  const chunk = chunkElements(ctx.limits);
  if (n > chunk) {
    encodeChunkedScan(ctx, x, out, exclusive, chunk, scratch);
    return;
  }
  const { WG, BLOCK } = params;
  const constants = { WG, BLOCK };
  const apply = builtin(ctx, 'scan-block-apply', { dtype: x.dtype, constants });
  const nb = Math.ceil(n / BLOCK);
  if (nb <= 1) {
    // No offsets: the kernel ignores the binding, so `x` (bound read-only twice, which WebGPU allows) fills it.
    apply.run({ x, offsets: x, out, params: { n, exclusive: exclusive ? 1 : 0, has_offsets: 0 } }, { invocations: 1 });
    return;
  }
  const reduce = builtin(ctx, 'scan-block-reduce', { dtype: x.dtype, constants });
  const sums = new DeviceArray(ctx, x.dtype, nb);
  scratch.push(sums);
  const offsets = new DeviceArray(ctx, x.dtype, nb);
  scratch.push(offsets);
  reduce.run({ x, sums, params: { n } }, { invocations: nb });
  encodeScan(ctx, sums, offsets, true, params, scratch);
  apply.run({ x, offsets, out, params: { n, exclusive: exclusive ? 1 : 0, has_offsets: 1 } }, { invocations: nb });
}

/** Options of {@link scan}. */
export interface ScanOptions {
  /** Exclusive scan (`out[i] = x[0] + … + x[i-1]`, `out[0] = 0`) instead of inclusive. @default false */
  readonly exclusive?: boolean;
  /**
   * Scan along this axis of an n-d array (negative counts from the end); the result has x's shape.
   * @default none: the flattened array, as NumPy's cumsum without an axis
   */
  readonly axis?: number;
}

/**
 * Prefix sum of an f32, i32 or u32 array, as a new array of the same dtype and length: inclusive
 * (`out[i] = x[0] + … + x[i]`) by default, exclusive with `{ exclusive: true }`. Integer sums wrap modulo
 * 2^32; f32 sums are within the tolerance documented at the top of this module of the exactly
 * rounded prefix sums ({@link scanCpu}). Enqueues and returns at once.
 *
 * @example
 * ```ts
 * using x = device.array(new Int32Array([1, 2, 3, 4]), 'i32');
 * using s = scan(x);                       // [1, 3, 6, 10]
 * using e = scan(x, { exclusive: true });  // [0, 1, 3, 6]
 * console.log(await s.toArray(), await e.toArray());
 * ```
 */
export function scan(x: DeviceArray, opts: ScanOptions = {}, ...extra: []): DeviceArray {
  return scanAs('scan', x, opts, extra);
}

/** Axis `axis` of x, checked here so the error names the function the caller called (scan or cumsum). */
function checkScanAxis(op: string, x: DeviceArray, axis: unknown): void {
  if (typeof axis !== 'number' || !Number.isInteger(axis)) throw new ArgumentError(`${op}: axis must be an integer, got ${describeValue(axis)}`);
  if (axis < -x.ndim || axis >= x.ndim) throw new ArgumentError(`${op}: axis ${axis} is out of range for an array of ${x.ndim} dimension${x.ndim === 1 ? '' : 's'}`);
}

function scanAs(op: string, x: DeviceArray, opts: ScanOptions, extra: readonly unknown[]): DeviceArray {
  checkArray(op, 'x', x);
  checkOptions(op, opts, { exclusive: 'boolean', axis: 'number' });
  checkNoExtra(op, extra, 'two arguments (x, options)');
  checkLive(op, { x });
  requireDType(op, 'x', x, ['f32', 'i32', 'u32']);
  if (opts.axis !== undefined) {
    checkScanAxis(op, x, opts.axis);
    return scanAxis(x, opts.axis, opts.exclusive ?? false);
  }
  if (!x.isPlain) {
    // The flattened array in C order (a view is gathered first, on either engine).
    const flat = x.contiguous();
    try {
      return scan(flat, opts);
    } finally {
      flat.destroy();
    }
  }
  if (onFallback(x)) return fallback('scan').scan(x, opts);
  const ctx = deviceOf(op, x);
  const out = new DeviceArray(ctx, x.dtype, x.length);
  if (x.length === 0) {
    ctx.noWork(`${op}|empty`, x.storageBuffers, out.storageBuffers); // a failed input still fails the result
    return out;
  }
  const scratch: DeviceArray[] = [];
  try {
    encodeScan(ctx, x, out, opts.exclusive ?? false, scanParams(ctx, Math.min(x.length, chunkElements(ctx.limits))), scratch);
  } catch (e) {
    out.destroy();
    throw e;
  } finally {
    for (const t of scratch) t.destroy();
  }
  return out;
}

/**
 * A scan of data larger than one binding: each chunk (aligned windows of x and out) is scanned on its own,
 * then shifted by the running total of the chunks before it, which one invocation carries from chunk to
 * chunk (kernels/scan-carry-total.wgsl, scan-carry-add.wgsl). f32: the carry adds one rounding per chunk,
 * well inside the documented bound.
 */
function encodeChunkedScan(ctx: DeviceContext, x: DeviceArray, out: DeviceArray, exclusive: boolean, chunk: number, scratch: DeviceArray[]): void {
  const total = builtin(ctx, 'scan-carry-total', { dtype: x.dtype });
  // Few long invocations on a software adapter, many short ones on a GPU (the elementwise defaults).
  const geo = softwareProfile(ctx) ? { WG: 8, ITEMS: 256 } : { WG: 256, ITEMS: 1 };
  const add = builtin(ctx, 'scan-carry-add', { dtype: x.dtype, constants: geo });
  const addGroups = (len: number): number => Math.max(1, Math.ceil(Math.ceil(len / 4) / (geo.WG * geo.ITEMS)));
  let carry = new DeviceArray(ctx, x.dtype, 1);
  scratch.push(carry);
  const params = scanParams(ctx, chunk);
  for (const q of pieces(x.length, chunk)) {
    using xw = x.window(q.start, q.length);
    using ow = out.window(q.start, q.length);
    encodeScan(ctx, xw, ow, exclusive, params, scratch);
    if (q.start + q.length === x.length) {
      if (q.start > 0) add.run({ out: ow, carry, params: { n: q.length } }, { workgroups: foldGroups(addGroups(q.length), ctx.limits.maxComputeWorkgroupsPerDimension) });
      break;
    }
    const next = new DeviceArray(ctx, x.dtype, 1);
    scratch.push(next);
    total.run({ x: xw, out: ow, carry_in: carry, carry_out: next, params: { n: q.length, exclusive: exclusive ? 1 : 0 } }, { workgroups: [1] });
    if (q.start > 0) add.run({ out: ow, carry, params: { n: q.length } }, { workgroups: foldGroups(addGroups(q.length), ctx.limits.maxComputeWorkgroupsPerDimension) });
    carry = next;
  }
}

/** NumPy's `cumsum(x, axis)`: the inclusive prefix sum along one axis (same shape as x). */
export function cumsum(x: DeviceArray, axis?: number, ...extra: []): DeviceArray {
  checkArray('cumsum', 'x', x);
  checkNoExtra('cumsum', extra, 'two arguments (x, axis)');
  if (axis !== undefined) checkScanAxis('cumsum', x, axis);
  return scanAs('cumsum', x, axis === undefined ? {} : { axis }, []);
}

/**
 * The scan along `axis`: the axis moved last as a view, gathered into rows × R, one invocation scanning
 * each row in order (kernels/scan-rows.wgsl; gpujs: the same loop on the host), then moved back. f32
 * element j of a row is within j·2⁻²⁴·Σ|x| of the exact prefix sum (sequential accumulation).
 */
function scanAxis(x: DeviceArray, axis: number, exclusive: boolean): DeviceArray {
  requireDType('scan', 'x', x, ['f32', 'i32', 'u32']);
  return alongRows('scan(axis)', x, axis, x.dtype, (dense, res, rows, R) => {
    if (dense.host !== null) {
      const X = dense.data;
      const O = res.data;
      const float = dense.dtype === 'f32';
      const wrap = dense.dtype === 'i32' ? (v: number) => v | 0 : (v: number) => v >>> 0;
      dense.host.enqueue(() => {
        for (let row = 0; row < rows; row++) {
          let acc = 0;
          for (let j = 0; j < R; j++) {
            const v = X[row * R + j] ?? 0;
            if (exclusive) O[row * R + j] = acc;
            acc = float ? Math.fround(acc + v) : wrap(acc + v);
            if (!exclusive) O[row * R + j] = acc;
          }
        }
      });
      return;
    }
    const kernel = compileKernelSync(dense.ctx, builtinKernel('scan-rows'), { dtype: dense.dtype, label: `scan-rows|${dense.dtype}` });
    byRowBlocks('scan(axis)', dense, res, rows, R, R, (src, dst, n) => {
      kernel.run({ x: src, out: dst, params: { rows: n, r: R, exclusive: exclusive ? 1 : 0, pad: 0 } }, { invocations: n });
    });
  });
}
