/**
 * Fast Fourier transform, complex, power-of-two lengths, batched: the manifests (argument check, NumPy's
 * names, docs) and the public functions. The engines' implementations: src/backends/dawn/ops/fft.ts (the
 * Stockham kernels in `kernels/fft-stockham.wgsl`) and src/backends/host/ops/fft.ts; the float64
 * reference is fftCpu (src/reference/fft.ts).
 *
 * Layout: interleaved complex, `[re0, im0, re1, im1, ...]`, `batch` transforms of `n` points stored
 * one after another (`2 * n * batch` numbers). Sign convention: forward `X_k = Σ x_j e^{-2πi jk/n}`,
 * inverse `x_j = (1/n) Σ X_k e^{+2πi jk/n}` (scaled, so `ifft(fft(x)) = x`).
 */
import type { DeviceArray } from '../buffers/device-array.js';
import { ShapeError } from '../errors.js';
import { checkLive, requireDType } from './util.js';
import { checkArray } from './signature.js';
import { checkNoExtra, checkOptions } from '../args.js';
import { defineOp, type Checked } from './manifest.js';
import { fftCpu } from '../reference/fft.js';
import { dawnFft } from '../backends/dawn/ops/fft.js';
import { hostFft } from '../backends/host/ops/fft.js';

/** FFT options. */
export interface FftOptions {
  /** Independent transforms stored one after another. @default 1 */
  readonly batch?: number;
}

/** A checked fft/ifft: `batch` transforms of n points (a power of two, or 0) in x's interleaved pairs. */
export interface FftCall extends Checked {
  readonly x: DeviceArray;
  readonly n: number;
  readonly batch: number;
  readonly inverse: boolean;
  readonly shape: readonly number[];
  readonly dtype: 'f32';
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

function fftOp(op: 'fft' | 'ifft', numpy: string, summary: string) {
  const inverse = op === 'ifft';
  return defineOp({
    name: op,
    numpy,
    category: 'fft',
    summary,
    tolerance: 'dot',
    dtypes: ['f32'],
    check: (x: DeviceArray, opts: FftOptions, extra: readonly unknown[]): FftCall => {
      checkFft(op, x, opts, extra);
      const { n, batch } = fftLayout(op, x, opts);
      return { backend: x.backend, x, n, batch, inverse, shape: [x.length], dtype: 'f32' };
    },
    dawn: dawnFft,
    host: hostFft,
    reference: fftCpu,
  });
}

export const FFT = fftOp('fft', 'numpy.fft.fft', 'batched complex FFT of power-of-two length (interleaved re, im f32 pairs)');
export const IFFT = fftOp('ifft', 'numpy.fft.ifft', 'inverse of fft, scaled by 1/n');

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
  return FFT.call(x, opts, extra);
}

/** Inverse of {@link fft} (scaled by 1/n, so `ifft(fft(x)) ≈ x`). */
export function ifft(x: DeviceArray, opts: FftOptions = {}, ...extra: []): DeviceArray<'f32'> {
  return IFFT.call(x, opts, extra);
}

