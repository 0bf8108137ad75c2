/**
 * Fast Fourier transform, complex, power-of-two lengths, batched. CPU reference (float64) for the
 * Stockham kernels in `kernels/fft-stockham.wgsl`.
 *
 * Layout: interleaved complex, `[re0, im0, re1, im1, ...]`, `batch` transforms of `n` points stored
 * one after another (`2 * n * batch` numbers). Sign convention: forward `X_k = Σ x_j e^{-2πi jk/n}`,
 * inverse `x_j = (1/n) Σ X_k e^{+2πi jk/n}` (scaled, so `ifft(fft(x)) = x`).
 */

import { fallback, onFallback } from './engine.js';
import { DeviceArray } from '../buffers/device-array.js';
import { poolOf } from '../backends/dawn/pool.js';
import type { DeviceContext } from '../backends/dawn/context.js';
import { ArgumentError, LimitError, ShapeError } from '../errors.js';
import { chunkElements } from '../buffers/chunks.js';
import { registerTunable, tunedParams } from '../backends/dawn/tuning.js';
import { builtin, checkLive, deviceOf, groupsFor, requireDType } from './util.js';
import { checkArray, checkHost, checkSize } from './signature.js';
import { checkNoExtra, checkOptions } from '../args.js';

function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && (n & (n - 1)) === 0 && n <= 2 ** 30;
}

/**
 * Iterative radix-2 FFT in float64 (bit-reversal permutation, then log2(n) butterfly stages with
 * twiddles from Math.cos/Math.sin of the exact angle, not a recurrence, so the error stays ~1e-16·log n).
 * @example fftCpu(new Float64Array([1, 0, 0, 0]), 2, 1, false) // Float64Array [1, 0, 1, 0]
 */
export function fftCpu(
  re_im: Float64Array | Float32Array,
  n: number,
  batch: number,
  inverse: boolean,
): Float64Array {
  checkHost('fftCpu', 're_im', re_im, [Float64Array, Float32Array]);
  if (!isPowerOfTwo(n)) throw new ShapeError(`fftCpu: n must be a power of two in [1, 2^30], got ${String(n)}`);
  checkSize('fftCpu', 'batch', batch);
  if (typeof inverse !== 'boolean') throw new ArgumentError(`fftCpu: inverse must be a boolean, got ${typeof inverse}`);
  if (re_im.length !== 2 * n * batch) {
    throw new ShapeError(`fftCpu: re_im must hold 2 * n * batch = ${String(2 * n * batch)} numbers, got ${String(re_im.length)}`);
  }
  const out = Float64Array.from(re_im);
  const bits = Math.round(Math.log2(n));
  const sign = inverse ? 1 : -1;
  // Twiddles e^{sign·2πi k/n}, k < n/2, shared by all stages (stage with span m uses stride n/m).
  const half = n >> 1;
  const wr = new Float64Array(half);
  const wi = new Float64Array(half);
  for (let k = 0; k < half; k++) {
    const a = (2 * Math.PI * k) / n;
    wr[k] = Math.cos(a);
    wi[k] = sign * Math.sin(a);
  }
  for (let b = 0; b < batch; b++) {
    const base = 2 * n * b;
    for (let i = 0; i < n; i++) {
      let j = 0;
      for (let t = 0; t < bits; t++) j |= ((i >> t) & 1) << (bits - 1 - t);
      if (j > i) {
        const ia = base + 2 * i;
        const ja = base + 2 * j;
        const r = out[ia] ?? 0;
        const m = out[ia + 1] ?? 0;
        out[ia] = out[ja] ?? 0;
        out[ia + 1] = out[ja + 1] ?? 0;
        out[ja] = r;
        out[ja + 1] = m;
      }
    }
    for (let span = 2; span <= n; span <<= 1) {
      const h = span >> 1;
      const stride = n / span;
      for (let start = 0; start < n; start += span) {
        for (let k = 0; k < h; k++) {
          const c = wr[k * stride] ?? 0;
          const s = wi[k * stride] ?? 0;
          const p = base + 2 * (start + k);
          const q = p + 2 * h;
          const qr = out[q] ?? 0;
          const qi = out[q + 1] ?? 0;
          const tr = qr * c - qi * s;
          const ti = qr * s + qi * c;
          const pr = out[p] ?? 0;
          const pi = out[p + 1] ?? 0;
          out[p] = pr + tr;
          out[p + 1] = pi + ti;
          out[q] = pr - tr;
          out[q + 1] = pi - ti;
        }
      }
    }
  }
  if (inverse) {
    const inv = 1 / n;
    for (let i = 0; i < out.length; i++) out[i] = (out[i] ?? 0) * inv;
  }
  return out;
}

/** FFT options. */
export interface FftOptions {
  /** Independent transforms stored one after another. @default 1 */
  readonly batch?: number;
}

export const fftTunable = registerTunable({
  op: 'fft',
  sizes: [2 ** 10, 2 ** 16, 2 ** 20],
  candidates: (ctx) => [32, 64, 128].flatMap((WG) => [2, 4, 8].flatMap((RADIX) => [1, 4].map((ITEMS) => ({ WG, RADIX, ITEMS })))).filter((p) => p.WG <= ctx.limits.maxComputeInvocationsPerWorkgroup),
  defaults: () => ({ WG: 64, RADIX: 8, ITEMS: 1 }),
});

const twiddleCache = new WeakMap<DeviceContext, Map<number, DeviceArray<'f32'>>>();

/** e^{-2πim/n} for m < n, computed in float64 and rounded once, cached per device and n. */
function twiddles(ctx: DeviceContext, n: number): DeviceArray<'f32'> {
  let m = twiddleCache.get(ctx);
  if (m === undefined) twiddleCache.set(ctx, (m = new Map<number, DeviceArray<'f32'>>()));
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

/** Checks an FFT input's layout (both engines share it): `batch` power-of-two transforms of interleaved pairs. */
export function fftLayout(op: string, x: DeviceArray, opts: FftOptions): { n: number; batch: number } {
  requireDType(op, 'x', x, ['f32']);
  const batch = opts.batch ?? 1;
  if (!Number.isInteger(batch) || batch < 1) throw new ShapeError(`${op}: batch must be a positive integer, got ${batch}`);
  if (x.length % (2 * batch) !== 0) throw new ShapeError(`${op}: x holds ${x.length} floats, not ${batch} transform(s) of interleaved (re, im) pairs`);
  const n = x.length / 2 / batch;
  if (n !== 0 && (n & (n - 1)) !== 0) throw new ShapeError(`${op}: length ${n} is not a power of two (only power-of-two lengths are supported)`);
  return { n, batch };
}

function checkFft(op: string, x: DeviceArray, opts: FftOptions, extra: readonly unknown[]): void {
  checkArray(op, 'x', x);
  checkOptions(op, opts, { batch: 'number' });
  checkNoExtra(op, extra, 'two arguments (x, options)');
  checkLive(op, { x });
}

function transform(x: DeviceArray, opts: FftOptions, inverse: boolean): DeviceArray<'f32'> {
  const op = inverse ? 'ifft' : 'fft';
  const ctx = deviceOf(op, x);
  const { n, batch } = fftLayout(op, x, opts);
  const chunk = chunkElements(ctx.limits);
  if (x.length > chunk) return transformBlocks(op, x, n, batch, chunk, inverse);
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
function transformBlocks(op: string, x: DeviceArray, n: number, batch: number, chunk: number, inverse: boolean): DeviceArray<'f32'> {
  const ctx = x.ctx;
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
      using r = transform(part, { batch: bt }, inverse);
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

/**
 * Batched complex FFT of power-of-two length (Stockham passes of radix 8/4/2). `x` holds interleaved
 * (re, im) f32 pairs, `batch` transforms of n points each; the result is a new array of the same layout.
 * Accuracy: max error / max|X| ≤ 4e-8·log2(n) measured against a float64 FFT.
 *
 * @example
 * ```ts
 * const X = fft(device.array(new Float32Array([1, 0, 0, 0, 0, 0, 0, 0])));  // n = 4
 * ```
 */
export function fft(x: DeviceArray, opts: FftOptions = {}, ...extra: []): DeviceArray<'f32'> {
  checkFft('fft', x, opts, extra);
  if (onFallback(x)) return fallback('fft').fft(x, opts, false);
  return transform(x, opts, false);
}

/** Inverse of {@link fft} (scaled by 1/n, so `ifft(fft(x)) ≈ x`). */
export function ifft(x: DeviceArray, opts: FftOptions = {}, ...extra: []): DeviceArray<'f32'> {
  checkFft('ifft', x, opts, extra);
  if (onFallback(x)) return fallback('ifft').fft(x, opts, true);
  return transform(x, opts, true);
}
