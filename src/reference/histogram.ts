/**
 * Histogram of f32 values into equal-width bins. CPU reference for `kernels/histogram.wgsl`.
 *
 * Bin rule (the kernel does exactly the same f32 operations, all correctly rounded in WGSL):
 * - `lo32 = fround(lo)`, `hi32 = fround(hi)`, `scale = fround(bins / (hi32 - lo32))` (computed once
 *   on the host in float64 and rounded — WGSL division is not correctly rounded, so the kernel takes
 *   `scale` as a parameter: use {@link histogramScale}).
 * - NaN → `nan`; `x < lo32` (including -∞) → `below`; `x > hi32` (including +∞) → `above` (the last bin is closed, as NumPy's: x = hi counts in it);
 *   otherwise bin `min(floor(fround(fround(x - lo32) * scale)), bins - 1)`. The clamp catches values
 *   just below `hi` that round up to `bins`. A value exactly on an inner edge goes to whatever bin this
 *   f32 formula gives (usually the upper one, as in `[edge_k, edge_k+1)`), identically on both sides.
 * - Subnormal inputs: GPUs may flush them to zero (lavapipe does not promise otherwise); the reference
 *   does not. Only matters for ranges whose `lo` is within 2^-126 of a subnormal value.
 */
import { ArgumentError } from '../errors.js';
import { checkHost } from '../ops/signature.js';
import { describeValue } from '../args.js';

function checkArgs(op: string, bins: number, lo: number, hi: number): void {
  for (const [name, v] of [['bins', bins], ['lo', lo], ['hi', hi]] as const) {
    // Math.fround would coerce a string or null without a word.
    if (typeof v !== 'number') throw new ArgumentError(`${op}: ${name} must be a number, got ${describeValue(v)}`);
  }
  if (!Number.isInteger(bins) || bins < 1 || bins > 0xfffffffc) {
    throw new ArgumentError(`${op}: bins must be an integer in [1, 2^32 - 4], got ${String(bins)}`);
  }
  const lo32 = Math.fround(lo);
  const hi32 = Math.fround(hi);
  if (!Number.isFinite(lo32) || !Number.isFinite(hi32) || !(lo32 < hi32)) {
    throw new ArgumentError(`${op}: need finite lo < hi (as f32), got lo=${String(lo)}, hi=${String(hi)}`);
  }
  if (!Number.isFinite(Math.fround(bins / (hi32 - lo32)))) {
    throw new ArgumentError(`${op}: bins / (hi - lo) overflows f32 (lo=${String(lo)}, hi=${String(hi)})`);
  }
}

/**
 * The f32 `scale` parameter of `histogram.wgsl`: `fround(bins / (fround(hi) - fround(lo)))`.
 * @example histogramScale(10, 0, 1) // 10
 */
export function histogramScale(bins: number, lo: number, hi: number, op = 'histogram'): number {
  checkArgs(op, bins, lo, hi);
  return Math.fround(bins / (Math.fround(hi) - Math.fround(lo)));
}

/**
 * Counts of `x` in `bins` equal-width bins over `[lo, hi]` (the last bin closed, as NumPy's), plus values
 * below `lo`, above `hi`, and NaN, counted apart.
 * @example histogramCpu(new Float32Array([0, 0.5, 1, NaN, -1]), 2, 0, 1)
 *   // { counts: Uint32Array [1, 2], below: 1, above: 0, nan: 1 }
 */
export function histogramCpu(
  x: Float32Array,
  bins: number,
  lo: number,
  hi: number,
): { counts: Uint32Array; below: number; above: number; nan: number } {
  checkHost('histogramCpu', 'x', x, [Float32Array]);
  const scale = histogramScale(bins, lo, hi, 'histogramCpu');
  const lo32 = Math.fround(lo);
  const hi32 = Math.fround(hi);
  const counts = new Uint32Array(bins);
  let below = 0;
  let above = 0;
  let nan = 0;
  for (const v of x) {
    if (Number.isNaN(v)) nan++;
    else if (v < lo32) below++;
    else if (v > hi32) above++;
    else {
      const t = Math.fround(Math.fround(v - lo32) * scale);
      const idx = Math.min(Math.floor(t), bins - 1);
      counts[idx] = (counts[idx] ?? 0) + 1;
    }
  }
  return { counts, below, above, nan };
}

