/**
 * Reductions along axes and row-to-row ops on Dawn: the reduced axes moved last as a view and gathered into
 * a dense rows × R array, then kernels/reduce-rows.wgsl reduces each row (vec4 loads when R % 4 = 0,
 * `LANES` invocations per row as tuned). Results keep the other axes' shape.
 */
import { DeviceArray } from '../../../buffers/device-array.js';
import type { DType } from '../../../buffers/dtype.js';
import { LimitError } from '../../../errors.js';
import type { DeviceContext } from '../context.js';
import { foldGroups } from '../geometry.js';
import { chunkElements, pieces } from '../../../buffers/chunks.js';
import { alongRows } from '../../../buffers/rows.js';
import { compileKernelSync } from '../kernel.js';
import { composeKernel } from '../../../kernels/compose.js';
import { registerTunable, softwareProfile, tunedParams } from '../tuning.js';
import { emptyValue, type AxisOp } from '../../../ops/axis-options.js';
import type { AxisCall, RowsCall } from '../../../ops/axis.js';
import { checkProdOverflow, checkSumOverflow } from './overflow.js';
import { fusionOf, type RowPrologue } from '../fusion.js';
import type { KernelArgs } from '../kernel.js';

const CODE: Record<AxisOp | 'softmax', number> = { sum: 0, prod: 1, min: 2, max: 3, argmin: 4, argmax: 5, any: 6, all: 7, mean: 8, var: 9, std: 10, norm: 11, softmax: 12, logsumexp: 13 };

/**
 * The row kernel's geometry, by row length R (the tuner's size): LANES invocations share a row, a workgroup
 * takes WG / LANES rows. Software adapter: a row per invocation (long serial vec4 folds, no barriers).
 * GPU: a row per LANES lanes of a 256-wide workgroup, about 16 elements per lane (a whole workgroup per
 * row from R = 4096), so neighbouring lanes read neighbouring memory and short rows still fill workgroups.
 */
export const rowsTunable = registerTunable({
  op: 'reduce-rows',
  sizes: [16, 256, 4096, 65536],
  candidates: (ctx) =>
    [8, 64, 256]
      .flatMap((WG) => [1, 2, 4, 8, 16, 64, 256].map((LANES) => ({ WG, LANES })))
      .filter((p) => p.LANES <= p.WG && p.WG <= ctx.limits.maxComputeInvocationsPerWorkgroup && (!softwareProfile(ctx) || (p.WG <= 64 && p.LANES <= 8))),
  defaults: (ctx, R) => {
    if (softwareProfile(ctx)) return { WG: 64, LANES: 1 };
    const WG = Math.min(256, ctx.limits.maxComputeInvocationsPerWorkgroup);
    return { WG, LANES: Math.min(WG, 2 ** Math.ceil(Math.log2(Math.max(1, Math.ceil(R / 16))))) };
  },
});

/**
 * kernels/reduce-rows.wgsl with vec4 loads, or in its scalar form (rows whose length is not a multiple of 4):
 * a parameter of the module; with a recorded chain as x (FUSED), its text appended.
 */
function rowsSource(vec4: boolean, fused?: RowPrologue, RB = 8): string {
  return fused === undefined ? composeKernel('reduce-rows', { SCALAR: !vec4 }) : `${composeKernel('reduce-rows', { SCALAR: !vec4, FUSED: true, RB: `${RB}u` })}\n${fused.wgsl}`;
}

/**
 * Enqueues the row kernel over dense rows × R: entry `main` (a reduction, `out` one word per row) or
 * `softmax` (`y` rows × R). Vec4 loads when R is a multiple of 4, the tuned geometry for rows of R. With
 * `fused`, x is a recorded chain the kernel computes (not bound).
 */
function runRows(ctx: DeviceContext, entry: 'main' | 'softmax', op: number, dtype: DType, bound: KernelArgs, rows: number, R: number, ddof = 0, fused?: RowPrologue): void {
  const vec4 = R % 4 === 0;
  const p = tunedParams(ctx, rowsTunable, R);
  const WG = p['WG'] ?? 64;
  const LANES = p['LANES'] ?? 1;
  const word = dtype === 'f32' ? 'f32' : dtype;
  // A fused softmax whose rows do not fit the register blocks (R / 4 > 8·LANES) reads them twice, the chain
  // computed on each read: blocks of one chunk there, so the chain's body has the registers. On lavapipe at
  // 2048×2048 (bench/fusion.ts --only axis) blocks of 8 made it 0.64–0.81× the unfused pair, blocks of 1
  // 0.65–1.27× (parity within that machine's noise); computing the chain once into y first and reading the
  // row back from there was 0.66–0.80× (a row per invocation: y written by scattered stores).
  const RB = fused !== undefined && entry === 'softmax' && R / 4 > 8 * LANES ? 1 : 8;
  const kernel = compileKernelSync(ctx, rowsSource(vec4, fused, RB), {
    dtype: word,
    entryPoint: entry,
    constants: { OP: op, IS_FLOAT: dtype === 'f32' ? 1 : 0, WG, LANES },
    label: `reduce-rows|${entry === 'softmax' ? 'softmax' : op}|${word}${vec4 ? '|vec4' : ''}${fused !== undefined ? `|${fused.name}` : ''}`,
  });
  const groups = Math.ceil(rows / (WG / LANES));
  kernel.run({ ...bound, ...(fused?.args ?? {}), params: { rows, r: R, ddof, pad: 0 } }, { workgroups: foldGroups(groups, ctx.limits.maxComputeWorkgroupsPerDimension, `reduce-rows over ${rows} rows`) });
}

/**
 * A recorded f32 chain under x as the row kernel's x (fusion's row prologue), when the result fits one
 * binding: x is never written, one dispatch where computing it first took two (or more).
 */
function rowPrologueOf(ctx: DeviceContext, x: DeviceArray, order: readonly number[], kept: number, outLength: number): RowPrologue | undefined {
  // The kernel indexes the rows' elements with u32 (a broadcast chain may have more: it runs unfused, whose
  // gather into rows refuses it with a LimitError).
  if (!ctx.fuse || x.dtype !== 'f32' || x.pending === undefined || outLength > chunkElements(ctx.limits) || x.size >= 2 ** 32) return undefined;
  return fusionOf(ctx).rowPrologue(x, order, kept);
}


/** A reduction along axes (the plan checked by src/ops/axis.ts): one row kernel pass over the gathered rows. */
export function dawnReduceAxis(ctx: DeviceContext, { op, x, order, axes, rows, R, ddof, shape, dtype }: AxisCall): DeviceArray {
  const out = new DeviceArray(ctx, dtype, shape);
  // An empty axis or result still takes the failure of a failed input (issue 24 item 12); after the fill.
  if (rows === 0 || R === 0) {
    if (rows > 0) out.write(new Array<number>(rows).fill(emptyValue(op)));
    ctx.noWork(`${op}(axis)|empty`, x.storageBuffers, out.storageBuffers);
    return out;
  }
  // A recorded chain under x: computed inside the row kernel, element by element (x stays lazy).
  const fused = rowPrologueOf(ctx, x, order, order.length - axes.length, rows);
  if (fused !== undefined) {
    try {
      using outWords = out.storageAlias('u32');
      runRows(ctx, 'main', CODE[op], 'f32', { out: outWords }, rows, R, ddof, fused);
    } catch (e) {
      out.destroy();
      throw e;
    } finally {
      fused.done();
    }
    return out;
  }
  const moved = x.transpose(order);
  let dense: DeviceArray;
  try {
    dense = moved.contiguous();
  } catch (e) {
    out.destroy();
    moved.destroy();
    throw e;
  }
  try {
    byRowBlocks(op, dense, out, rows, R, 1, (src, dst, n) => {
      using outWords = dst.storageAlias('u32');
      runRows(ctx, 'main', CODE[op], x.dtype, { x: src, out: outWords }, n, R, ddof);
    });
    // Integer sums and products: exact or an OverflowError, never a wrap (src/backends/dawn/ops/overflow.ts).
    if ((op === 'sum' || op === 'prod') && (x.dtype === 'i32' || x.dtype === 'u32')) (op === 'sum' ? checkSumOverflow : checkProdOverflow)(ctx, op, x, out, { axis: axes });
  } catch (e) {
    out.destroy();
    throw e;
  } finally {
    dense.destroy();
    moved.destroy();
  }
  return out;
}

/**
 * Runs a row kernel over `rows` rows of R elements of the dense array `src`, writing `perRow` elements a row
 * into `out` — at once when both fit one binding, else in blocks of whole rows: each block's rows read as a
 * 1-D slice of src (bound in place when aligned, else through a copy) into a fresh block of out, copied into
 * place segment by segment. A single row larger than one binding is a LimitError.
 */
export function byRowBlocks(op: string, src: DeviceArray, out: DeviceArray, rows: number, R: number, perRow: number, run: (src: DeviceArray, dst: DeviceArray, rows: number) => void): void {
  const chunk = chunkElements(src.ctx.limits);
  if (src.length <= chunk && out.length <= chunk) {
    run(src, out, rows);
    return;
  }
  const width = Math.max(R, perRow);
  if (width > chunk) {
    throw new LimitError('maxStorageBufferBindingSize', width * 4, src.ctx.limits.maxStorageBufferBindingSize, `${op}: one row of ${width} elements is larger than one binding`, 'rows are split into blocks of whole rows, and a single row must fit one binding');
  }
  const words = Math.max(1, src.ctx.limits.minStorageBufferOffsetAlignment / 4);
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  const step = words / gcd(R, words);
  const fit = Math.floor(chunk / width);
  const block = Math.floor(fit / step) * step || fit; // aligned slices bind in place; others are copied
  const flatSrc = src.reshape(-1);
  try {
    for (const q of pieces(rows, block)) {
      using s = flatSrc.slice([q.start * R, (q.start + q.length) * R]);
      const d = new DeviceArray(src.ctx, out.dtype, [q.length * perRow]);
      try {
        run(s, d, q.length);
        d.copyRangeTo(out, q.start * perRow);
      } finally {
        d.destroy();
      }
    }
  } finally {
    flatSrc.destroy();
  }
}

/**
 * A row-to-row op along one axis (src/buffers/rows.ts's engine-neutral plan): with no rows, the result still
 * takes the failure of a failed input (issue 24 item 12).
 */
export function dawnAlongRows(ctx: DeviceContext, c: RowsCall, fill: RowsCall['fill'] = c.fill): DeviceArray {
  return alongRows(c, fill, (x, r) => {
    ctx.noWork(`${c.op}|empty`, x.storageBuffers, r.storageBuffers);
  });
}

/** softmax along an axis in one dispatch of the row kernel (entry point `softmax`). */
export function dawnSoftmax(ctx: DeviceContext, c: RowsCall): DeviceArray {
  const fused = c.rows > 0 ? rowPrologueOf(ctx, c.x, c.order, c.order.length - 1, c.rows * c.R) : undefined;
  if (fused !== undefined) return fusedSoftmax(ctx, c, fused);
  return dawnAlongRows(ctx, c, (dense, res, rows, R) => {
    byRowBlocks('softmax', dense, res, rows, R, R, (src, dst, n) => {
      runRows(dense.ctx, 'softmax', CODE.softmax, 'f32', { x: src, y: dst }, n, R);
    });
  });
}

/**
 * softmax of a recorded chain (fusion's row prologue): the row kernel computes the chain's elements as it
 * loads them, writing rows × R in the axis-last order, moved back into x's axis order as alongRows does
 * (src/buffers/rows.ts; no copy when the axis is last).
 */
function fusedSoftmax(ctx: DeviceContext, c: RowsCall, fused: RowPrologue): DeviceArray {
  const res = new DeviceArray(ctx, 'f32', c.movedShape);
  let kept = false;
  try {
    runRows(ctx, 'softmax', CODE.softmax, 'f32', { y: res }, c.rows, c.R, 0, fused);
    const t = res.transpose(c.back);
    if (t.isPlain) {
      kept = true;
      return res.reinterpret(res.dtype, c.shape);
    }
    return t.contiguous();
  } finally {
    fused.done();
    if (!kept) res.destroy();
  }
}
