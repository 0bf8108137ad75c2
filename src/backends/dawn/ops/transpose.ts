/** transpose on Dawn: kernels/transpose.wgsl (BR×BC block per invocation, any 4-byte dtype through `alias T`). */
import { DeviceArray } from '../../../buffers/device-array.js';
import { builtin } from '../kernel.js';
import type { DeviceContext } from '../context.js';
import { LimitError } from '../../../errors.js';
import { registerTunable, softwareProfile, tunedParams, type TuneParams } from '../tuning.js';
import { deviceOf } from '../../../ops/util.js';
import { bytesOf, type DType } from '../../../buffers/dtype.js';
import { chunkElements } from '../../../buffers/chunks.js';
import type { TransposeCall } from '../../../ops/transpose.js';

function param(p: TuneParams, key: string, fallback: number): number {
  return p[key] ?? fallback;
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
 * The autotuner's view of `transpose`. Size = rows·cols. Params: workgroup `WG_X × WG_Y`, each
 * invocation moving a `BR × BC` block. Defaults: `{8, 1, 8, 2}` on a software adapter, `{8, 8, 1, 1}` on a GPU.
 */
export const transposeTunable = registerTunable({
  op: 'transpose',
  sizes: [2 ** 12, 2 ** 16, 2 ** 20, 2 ** 24],
  candidates: (ctx) => TRANSPOSE_CANDIDATES.filter((p) => transposeFits(ctx, p)),
  defaults: (ctx) => (softwareProfile(ctx) ? { WG_X: 8, WG_Y: 1, BR: 8, BC: 2 } : { WG_X: 8, WG_Y: 8, BR: 1, BC: 1 }),
});

/** The grid of a transpose of `batch` rows×cols matrices (both ≥ 2), checked against the device limit. */
function transposeGrid(ctx: DeviceContext, rows: number, cols: number, p: TuneParams, batch = 1): [number, number, number] {
  const grid: [number, number, number] = [Math.ceil(cols / (param(p, 'WG_X', 8) * param(p, 'BC', 1))), Math.ceil(rows / (param(p, 'WG_Y', 8) * param(p, 'BR', 1))), batch];
  const max = ctx.limits.maxComputeWorkgroupsPerDimension;
  grid.forEach((g, i) => {
    if (g > max) throw new LimitError('maxComputeWorkgroupsPerDimension', g, max, `transpose of ${batch > 1 ? `${batch} matrices of ` : ''}${rows}×${cols} needs ${g} workgroups along ${'xyz'[i] ?? '?'}`);
  });
  return grid;
}

/**
 * Encodes dst = srcᵀ (src rows×cols, both arrays rows·cols long, same dtype); with `batch`, src is a stack
 * of that many rows×cols matrices (rows, cols ≥ 2) and each is transposed into its place in dst.
 */
export function transposeInto(ctx: DeviceContext, src: DeviceArray, rows: number, cols: number, dst: DeviceArray, batch = 1): void {
  if (rows * cols * batch === 0) return;
  // A vector is its own transpose in memory: a copy, and no grid limit for long vectors.
  if (rows === 1 || cols === 1) {
    ctx.copy(src.buffer, 0, dst.buffer, 0, src.bindingSize);
    return;
  }
  const p = tunedParams(ctx, transposeTunable, rows * cols);
  const workgroups = transposeGrid(ctx, rows, cols, p, batch);
  const constants = { WG_X: param(p, 'WG_X', 8), WG_Y: param(p, 'WG_Y', 8), BR: param(p, 'BR', 1), BC: param(p, 'BC', 1) };
  const kernel = builtin(ctx, 'transpose', { constants, dtype: src.dtype });
  kernel.run({ a: src, out: dst, params: { m: rows, n: cols, pad0: 0, pad1: 0 } }, { workgroups });
}

/**
 * @internal A view whose last two axes are a contiguous array's swapped (`a.T` of a matrix, the
 * `transpose(0, 2, 1)` of a stack of them), 4-byte elements, gathered into a new plain array by the tiled
 * transpose kernel (one dispatch, a matrix per workgroup layer, bits moved as u32) instead of element by element; undefined
 * when the view is not one of those (or is empty, has a dimension of 1 among its last two, is larger than
 * one binding, or has more matrices than one grid dimension), for the caller's general gather.
 */
export function gatherTransposed<D extends DType>(ctx: DeviceContext, view: DeviceArray<D>): DeviceArray<D> | undefined {
  const d = view.ndim;
  if (d < 2 || bytesOf(view.dtype) !== 4 || view.length === 0) return undefined;
  const rows = view.shape[d - 2] ?? 0;
  const cols = view.shape[d - 1] ?? 0;
  const batch = view.length / (rows * cols);
  if (rows < 2 || cols < 2 || view.length > chunkElements(ctx.limits) || batch > ctx.limits.maxComputeWorkgroupsPerDimension) return undefined;
  using src = view.transpose([...Array.from({ length: d - 2 }, (_, k) => k), d - 1, d - 2]);
  if (!src.isContiguous) return undefined;
  if (!src.isPlain) {
    // Bound in place only as a window: an aligned start in one buffer (else the general gather).
    let span: { readonly byteOffset: number } | undefined;
    try {
      span = src.span;
    } catch {
      return undefined;
    }
    if (span === undefined || span.byteOffset % ctx.limits.minStorageBufferOffsetAlignment !== 0) return undefined;
  }
  const out = new DeviceArray<D>(ctx, view.dtype, view.shape, undefined, 'overwrite');
  try {
    // Moved as u32 words, as the strided copy moves them: bits kept (a NaN's payload included).
    using from = src.viewAs('u32');
    using to = out.viewAs('u32');
    transposeInto(ctx, from, cols, rows, to, batch);
  } catch (e) {
    out.destroy();
    throw e;
  }
  return out;
}

/** The transpose of a checked rows×cols matrix, as a new cols×rows array. */
export function dawnTranspose(ctx: DeviceContext, { a, rows, cols }: TransposeCall): DeviceArray {
  deviceOf('transpose', a);
  const out = new DeviceArray(ctx, a.dtype, [cols, rows]);
  try {
    transposeInto(ctx, a, rows, cols, out);
  } catch (e) {
    out.destroy();
    throw e;
  }
  return out;
}
