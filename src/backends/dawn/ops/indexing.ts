/**
 * take and the scatters on Dawn: kernels/take.wgsl and kernels/scatter.wgsl (atomics). The kernel skips an
 * out-of-range index and records it in a small error word (count, largest, most negative); the batch
 * carrying the op reads the word before its verdict (`DeviceContext.deferCheck`) and fails the op's output
 * (for scatters, the target) with an ArgumentError naming the op and the values.
 */
import { DeviceArray } from '../../../buffers/device-array.js';
import { chunkElements, pieces } from '../../../buffers/chunks.js';
import type { DeviceContext } from '../context.js';
import { compileKernelSync } from '../kernel.js';
import { builtinKernel } from '../../../kernels/load.js';
import { rangeError } from '../../../reference/indexing.js';
import type { ScatterCall, TakeCall } from '../../../ops/indexing.js';

/**
 * Dawn: the batch carrying the op reads the kernel's error word once its work is done, before its verdict
 * (`DeviceContext.deferCheck`), and fails `victims` (the op's outputs) with an ArgumentError when an index
 * was out of range — so their readbacks, views and arrays computed from them throw it, and so does sync().
 */
function checkLater(ctx: DeviceContext, op: string, what: string, n: number, wrap: boolean, err: DeviceArray<'u32'>, victims: readonly DeviceArray[]): void {
  const words = err.buffer;
  ctx.deferCheck({
    victims: victims.flatMap((v) => v.storageBuffers),
    run: async () => {
      const staging = ctx.gpu.createBuffer({ label: `${op}|error-word`, size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      try {
        // Its own submission, after the batch's: the batch's verdict is being decided, nothing else may run.
        const enc = ctx.gpu.createCommandEncoder({ label: `${op}|error-word` });
        enc.copyBufferToBuffer(words, 0, staging, 0, 12);
        ctx.gpu.queue.submit([enc.finish()]);
        await staging.mapAsync(GPUMapMode.READ, 0, 16);
        const w = new Uint32Array(staging.getMappedRange(0, 16).slice(0));
        staging.unmap();
        return rangeError(op, what, n, wrap, w[0] ?? 0, w[1] ?? 0, w[2] ?? 0);
      } finally {
        staging.destroy();
        err.destroy();
      }
    },
  });
}

/** Gathers x's elements at the call's indices (x read in C order: its geometry is the call's). */
export function dawnTake(ctx: DeviceContext, { x, indices, g, what, shape: outShape }: TakeCall): DeviceArray {
  ctx.assertUsable();
  const out = new DeviceArray(ctx, x.dtype, outShape);
  const work = Math.max(g.outer * g.m * g.inner, g.m);
  if (work === 0) {
    // Nothing gathered: the empty result still takes the failure of a failed input (issue 24 item 12).
    ctx.noWork('take|empty', [...x.storageBuffers, ...indices.storageBuffers], out.storageBuffers);
    return out;
  }
  const err = new DeviceArray(ctx, 'u32', [3]);
  const idx = indices.contiguous();
  const xs = x.contiguous();
  try {
    const chunk = chunkElements(ctx.limits);
    const split = g.outer === 1 && (idx.length > chunk || out.length > chunk) && g.inner <= chunk;
    // Split: views of the arrays themselves (they may span several buffers); whole: their storage.
    using idxBits = split ? idx.viewAs('u32') : idx.storageAlias('u32');
    using xBits = xs.storageAlias('u32');
    using outBits = split ? out.viewAs('u32') : out.storageAlias('u32');
    const kernel = compileKernelSync(ctx, builtinKernel('take'), { constants: { SIGNED: indices.dtype === 'i32' ? 1 : 0 }, label: `take|${indices.dtype}` });
    if (split) {
      // Indices and the result larger than one binding (x whole): blocks of indices, each gathered into a
      // fresh block copied into its place in the result.
      const words = Math.max(1, ctx.limits.minStorageBufferOffsetAlignment / 4);
      const block = Math.floor(chunk / g.inner / words) * words || Math.floor(chunk / g.inner);
      using flatIdx = idxBits.reshape(-1);
      for (const q of pieces(g.m, block)) {
        using ids = flatIdx.slice([q.start, q.start + q.length]);
        using part = new DeviceArray(ctx, 'u32', [q.length * g.inner]);
        kernel.run({ x: xBits, indices: ids, out: part, err, params: { outer: 1, n: g.n, m: q.length, inner: g.inner } }, { invocations: Math.max(q.length * g.inner, q.length) });
        part.copyRangeTo(outBits, q.start * g.inner);
      }
    } else {
      kernel.run({ x: xBits, indices: idxBits, out: outBits, err, params: { outer: g.outer, n: g.n, m: g.m, inner: g.inner } }, { invocations: work });
    }
  } catch (e) {
    err.destroy();
    out.destroy();
    throw e;
  } finally {
    idx.destroy();
    xs.destroy();
  }
  checkLater(ctx, 'take', what, g.n, true, err, [out]);
  return out;
}

/** target[a, idx[j], b] ⊕= values[a, j, b] in place; `values` has the shape [outer, m, inner] (any layout). */
export function dawnScatter(ctx: DeviceContext, call: ScatterCall): DeviceArray {
  ctx.assertUsable();
  const { plan, g } = call;
  // A fresh target (bincount, segments): zeros, or the combine's identity.
  const target = call.target ?? new DeviceArray(ctx, call.dtype, call.shape);
  try {
    if (call.target === null && call.init !== 0 && target.size > 0) target.write(new Array<number>(target.size).fill(call.init));
    // No values (bincount without weights): ones.
    using one = call.values === null ? new DeviceArray(ctx, 'u32', [1]).write([1]) : null;
    const values = call.values ?? (one as DeviceArray).broadcastTo([g.m]);
    try {
      return scatterInto(ctx, plan, target, call.indices, values, g);
    } finally {
      if (values !== call.values) values.destroy();
    }
  } catch (e) {
    if (target !== call.target) target.destroy();
    throw e;
  }
}

function scatterInto(ctx: DeviceContext, plan: ScatterCall['plan'], target: DeviceArray, indices: DeviceArray, values: DeviceArray, g: ScatterCall['g']): DeviceArray {
  const work = Math.max(g.outer * g.m * g.inner, g.m);
  if (work === 0) {
    // Nothing scattered: the target still takes the failure of failed indices or values (issue 24 item 12).
    ctx.noWork(`${plan.op}|empty`, [...target.storageBuffers, ...indices.storageBuffers, ...values.storageBuffers], target.storageBuffers);
    return target;
  }
  const err = new DeviceArray(ctx, 'u32', [3]);
  const idx = indices.contiguous();
  const vals = values.contiguous();
  try {
    const chunk = chunkElements(ctx.limits);
    const split = g.outer === 1 && (idx.length > chunk || vals.length > chunk) && g.inner <= chunk;
    // Split: views of the arrays themselves (they may span several buffers); whole: their storage.
    using idxBits = split ? idx.viewAs('u32') : idx.storageAlias('u32');
    using valBits = split ? vals.viewAs('u32') : vals.storageAlias('u32');
    using tBits = target.storageAlias('u32');
    const kind = target.dtype === 'u32' ? 0 : target.dtype === 'i32' ? 1 : 2;
    const kernel = compileKernelSync(ctx, builtinKernel('scatter'), {
      constants: { SIGNED: indices.dtype === 'i32' ? 1 : 0, WRAP: plan.wrap ? 1 : 0, KIND: kind, OP: plan.combine === 'add' ? 0 : 1 },
      label: `scatter|${plan.combine}|${target.dtype}|${indices.dtype}`,
    });
    if (split) {
      // Indices and values larger than one binding (the target whole): blocks of indices with their values;
      // the atomics combine across blocks exactly as within one.
      const words = Math.max(1, ctx.limits.minStorageBufferOffsetAlignment / 4);
      const block = Math.floor(chunk / g.inner / words) * words || Math.floor(chunk / g.inner);
      using flatIdx = idxBits.reshape(-1);
      using flatVals = valBits.reshape(-1);
      for (const q of pieces(g.m, block)) {
        using ids = flatIdx.slice([q.start, q.start + q.length]);
        using vs = flatVals.slice([q.start * g.inner, (q.start + q.length) * g.inner]);
        kernel.run({ indices: ids, values: vs, acc: tBits, err, params: { outer: 1, n: g.n, m: q.length, inner: g.inner } }, { invocations: Math.max(q.length * g.inner, q.length) });
      }
    } else {
      kernel.run({ indices: idxBits, values: valBits, acc: tBits, err, params: { outer: g.outer, n: g.n, m: g.m, inner: g.inner } }, { invocations: work });
    }
  } catch (e) {
    err.destroy();
    throw e;
  } finally {
    idx.destroy();
    vals.destroy();
  }
  checkLater(ctx, plan.op, plan.what, g.n, plan.wrap, err, [target]);
  return target;
}
