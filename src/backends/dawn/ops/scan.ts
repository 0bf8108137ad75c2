/**
 * scan on Dawn: reduce-then-scan over kernels/scan-block-reduce.wgsl and scan-block-apply.wgsl (the
 * accuracy bound is documented in src/ops/scan.ts), chunked beyond one binding (scan-carry-total.wgsl,
 * scan-carry-add.wgsl), and along an axis one invocation per row (scan-rows.wgsl).
 */
import { DeviceArray } from '../../../buffers/device-array.js';
import type { DeviceContext } from '../context.js';
import { ArgumentError } from '../../../errors.js';
import { builtin, compileKernelSync } from '../kernel.js';
import { builtinKernel } from '../../../kernels/load.js';
import { registerTunable, softwareProfile, tunedParams, type TuneParams } from '../tuning.js';
import { foldGroups } from '../geometry.js';
import { chunkElements, pieces } from '../../../buffers/chunks.js';
import { deviceOf } from '../../../ops/util.js';
import { dawnAlongRows, byRowBlocks } from './axis.js';
import type { ScanCall } from '../../../ops/scan.js';
import { checkScanOverflow } from './overflow.js';
import type { RowsCall } from '../../../ops/axis.js';

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


/** The prefix sums of a checked scan: of the flattened array, or along `axis`. */
export function dawnScan(ctx: DeviceContext, call: ScanCall): DeviceArray {
  const { op, x, exclusive } = call;
  if (call.rows !== undefined) return scanAxis(ctx, call.rows, exclusive);
  if (!x.isPlain) {
    // The flattened array in C order (a view is gathered first).
    const flat = x.contiguous();
    try {
      return dawnScan(ctx, { ...call, op: 'scan', x: flat });
    } finally {
      flat.destroy();
    }
  }
  deviceOf(op, x);
  const out = new DeviceArray(ctx, x.dtype, x.length);
  if (x.length === 0) {
    ctx.noWork(`${op}|empty`, x.storageBuffers, out.storageBuffers); // a failed input still fails the result
    return out;
  }
  const scratch: DeviceArray[] = [];
  try {
    encodeScan(ctx, x, out, exclusive, scanParams(ctx, Math.min(x.length, chunkElements(ctx.limits))), scratch);
  } catch (e) {
    out.destroy();
    throw e;
  } finally {
    for (const t of scratch) t.destroy();
  }
  return out;
}

/**
 * The scan along `axis`: the axis moved last as a view, gathered into rows × R, one invocation scanning
 * each row in order (kernels/scan-rows.wgsl), then moved back. f32 element j of a row is within
 * j·2⁻²⁴·Σ|x| of the exact prefix sum (sequential accumulation).
 */
function scanAxis(ctx: DeviceContext, plan: RowsCall, exclusive: boolean): DeviceArray {
  return dawnAlongRows(ctx, plan, (dense, res, rows, R) => {
    const kernel = compileKernelSync(dense.ctx, builtinKernel('scan-rows'), { dtype: dense.dtype, label: `scan-rows|${dense.dtype}` });
    byRowBlocks('scan(axis)', dense, res, rows, R, R, (src, dst, n) => {
      kernel.run({ x: src, out: dst, params: { rows: n, r: R, exclusive: exclusive ? 1 : 0, pad: 0 } }, { invocations: n });
    });
  });
}

/** scan/cumsum (src/ops/scan.ts), an integer running sum checked for overflow. */
export function dawnScanChecked(ctx: DeviceContext, call: ScanCall): DeviceArray {
  const out = dawnScan(ctx, call);
  const { x, exclusive } = call;
  if ((x.dtype !== 'i32' && x.dtype !== 'u32') || x.length === 0) return out;
  // The steps whose results are kept: inclusive, out[k] = out[k − 1] + x[k] for k ≥ 1; exclusive,
  // out[k + 1] = out[k] + x[k] for k < R − 1. Flattened: the 1-d arrays; along an axis: slices of it.
  const nd = call.axis === undefined ? 1 : x.ndim;
  const a = call.axis === undefined ? 0 : call.axis < 0 ? call.axis + nd : call.axis;
  const xs = call.axis === undefined ? x.reshape(-1) : x;
  const R = xs.shape[a] ?? 0;
  const along = (lo: number, hi: number): (null | [number, number])[] => Array.from({ length: nd }, (_, d) => (d === a ? [lo, hi] : null));
  try {
    using shaped = out.reshape(xs.shape);
    using prev = shaped.slice(...along(0, R - 1));
    using next = xs.slice(...(exclusive ? along(0, R - 1) : along(1, R)));
    checkScanOverflow(ctx, call.op, prev, next, out);
  } finally {
    if (xs !== x) xs.destroy();
  }
  return out;
}
