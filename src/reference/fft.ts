/** The float64 reference for fft/ifft (the tests compare both engines with it). */
import { ArgumentError, ShapeError } from '../errors.js';
import { checkHost, checkSize } from '../ops/signature.js';

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
