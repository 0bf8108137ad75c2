/** fft/ifft on Dawn: Stockham passes of radix 8/4/2 (kernels/fft-stockham.wgsl), batches beyond one binding in blocks. */
import { DeviceArray } from '../../../buffers/device-array.js';
import { builtin } from '../kernel.js';
import type { DeviceContext } from '../context.js';
import { poolOf } from '../pool.js';
import { LimitError } from '../../../errors.js';
import { chunkElements } from '../../../buffers/chunks.js';
import { registerTunable, tunedParams } from '../tuning.js';
import { deviceOf, groupsFor } from '../../../ops/util.js';
import type { FftCall } from '../../../ops/fft.js';

export const fftTunable = registerTunable({
  op: 'fft',
  sizes: [2 ** 10, 2 ** 16, 2 ** 20],
  candidates: (ctx) => [32, 64, 128].flatMap((WG) => [2, 4, 8].flatMap((RADIX) => [1, 4].map((ITEMS) => ({ WG, RADIX, ITEMS })))).filter((p) => p.WG <= ctx.limits.maxComputeInvocationsPerWorkgroup),
  defaults: () => ({ WG: 64, RADIX: 8, ITEMS: 1 }),
});


/** e^{-2πim/n} for m < n, computed in float64 and rounded once, cached per device (its `fftTwiddles`) and n. */
function twiddles(ctx: DeviceContext, n: number): DeviceArray<'f32'> {
  const m = ctx.fftTwiddles;
  let t = m.get(n);
  if (t === undefined || t.destroyed) {
    const host = new Float32Array(2 * n);
    for (let k = 0; k < n; k++) {
      const a = (2 * Math.PI * k) / n;
      host[2 * k] = Math.cos(a);
      host[2 * k + 1] = -Math.sin(a);
    }
    t = new DeviceArray(ctx, 'f32', 2 * n).write(host);
    poolOf(ctx).markResident(t.buffer);
    m.set(n, t);
    const cache = m;
    ctx.onClose(() => { cache.clear(); });
  }
  return t;
}

/** The transform (or its inverse) of a checked call, as a new array of x's layout. */
export function dawnFft(ctx: DeviceContext, { x, n, batch, inverse }: FftCall): DeviceArray<'f32'> {
  deviceOf(inverse ? 'ifft' : 'fft', x);
  return transform(ctx, x, n, batch, inverse);
}

function transform(ctx: DeviceContext, x: DeviceArray, n: number, batch: number, inverse: boolean): DeviceArray<'f32'> {
  const op = inverse ? 'ifft' : 'fft';
  const chunk = chunkElements(ctx.limits);
  if (x.length > chunk) return transformBlocks(ctx, op, x, n, batch, chunk, inverse);
  const out = new DeviceArray(ctx, 'f32', x.length);
  if (n <= 1) {
    x.copyRangeTo(out, 0);
    ctx.noWork(`${op}|trivial`, x.storageBuffers, out.storageBuffers); // a failed input still fails the result
    return out;
  }
  const p = tunedParams(ctx, fftTunable, n * batch);
  const WG = p['WG'] ?? 64;
  const ITEMS = p['ITEMS'] ?? 1;
  const maxRadix = p['RADIX'] ?? 8;
  const log2n = Math.round(Math.log2(n));
  const radices: number[] = [];
  let bits = log2n;
  const mb = Math.round(Math.log2(maxRadix));
  while (bits >= mb) {
    radices.push(maxRadix);
    bits -= mb;
  }
  if (bits > 0) radices.push(1 << bits);
  const tw = twiddles(ctx, n);
  const tmp = radices.length > 1 ? new DeviceArray(ctx, 'f32', x.length) : undefined;
  try {
    let src: DeviceArray = x;
    let ns = 1;
    radices.forEach((R, s) => {
      // Ping-pong so the last pass lands in `out` and the input is never written.
      const dst = (radices.length - 1 - s) % 2 === 0 ? out : (tmp as DeviceArray);
      const k = builtin(ctx, 'fft-stockham', { entryPoint: `radix${R}`, constants: { WG, ITEMS } });
      k.run(
        { src, dst, twiddles: tw, params: { n, log2n, ns, log2ns: Math.round(Math.log2(ns)), batch, inverse: inverse ? 1 : 0, scale: inverse && s === radices.length - 1 ? 1 / n : 1, _pad0: 0 } },
        { invocations: groupsFor((batch * n) / R, WG * ITEMS) * WG },
      );
      src = dst;
      ns *= R;
    });
  } finally {
    tmp?.destroy();
  }
  return out;
}

/**
 * A batch larger than one binding: blocks of whole transforms (a slice of x, bound in place or through a
 * copy), each transformed on its own and copied into its place. One transform larger than one binding is
 * a LimitError (the Stockham passes read across the whole transform).
 */
function transformBlocks(ctx: DeviceContext, op: string, x: DeviceArray, n: number, batch: number, chunk: number, inverse: boolean): DeviceArray<'f32'> {
  const floats = 2 * n;
  if (floats > chunk) {
    throw new LimitError('maxStorageBufferBindingSize', floats * 4, ctx.limits.maxStorageBufferBindingSize, `${op}: one transform of ${n} points (${floats * 4} bytes)`, 'batches are split into blocks of whole transforms, and one transform must fit one binding');
  }
  const words = Math.max(1, ctx.limits.minStorageBufferOffsetAlignment / 4);
  const step = Math.max(1, words / floats); // both powers of two: whole transforms at aligned offsets
  const block = Math.max(1, Math.floor(chunk / floats / step) * step);
  const out = new DeviceArray(ctx, 'f32', x.length);
  const flat = x.reshape(-1);
  try {
    for (let b0 = 0; b0 < batch; b0 += block) {
      const bt = Math.min(block, batch - b0);
      using part = flat.slice([b0 * floats, (b0 + bt) * floats]);
      using r = transform(ctx, part, n, bt, inverse);
      r.copyRangeTo(out, b0 * floats);
    }
  } catch (e) {
    out.destroy();
    throw e;
  } finally {
    flat.destroy();
  }
  return out;
}

