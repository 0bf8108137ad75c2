/** transpose on Dawn: kernels/transpose.wgsl (BR×BC block per invocation, any 4-byte dtype through `alias T`). */
import { DeviceArray } from '../../../buffers/device-array.js';
import { builtin } from '../kernel.js';
import type { DeviceContext } from '../context.js';
import { LimitError } from '../../../errors.js';
import { registerTunable, softwareProfile, tunedParams, type TuneParams } from '../tuning.js';
import { deviceOf } from '../../../ops/util.js';
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
export function transposeInto(ctx: DeviceContext, src: DeviceArray, rows: number, cols: number, dst: DeviceArray): void {
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
