/**
 * histogram: the manifest (argument check, NumPy's name, tolerance, docs). The engines' implementations:
 * src/backends/dawn/ops/histogram.ts (kernels/histogram.wgsl) and src/backends/host/ops/histogram.ts (the
 * CPU reference); the reference histogramCpu and its bin rule: src/reference/histogram.ts.
 */
import type { DeviceArray } from '../buffers/device-array.js';
import { checkElements, checkLive, requireDType } from './util.js';
import { checkArray } from './signature.js';
import { checkNoExtra, checkOptions } from '../args.js';
import { defineOp, type Checked } from './manifest.js';
import { backendOf } from './same-device.js';
import { histogramCpu, histogramScale } from '../reference/histogram.js';
import { dawnHistogram } from '../backends/dawn/ops/histogram.js';
import { hostHistogram } from '../backends/host/ops/histogram.js';

/** A histogram on the device: per-bin counts and the values that fell outside `[lo, hi]`. */
export interface Histogram {
  /** u32 counts, one per bin. */
  readonly counts: DeviceArray<'u32'>;
  /** u32 [below, above, nan]: values < lo (incl. -Inf), ≥ hi (incl. +Inf), and NaN. */
  readonly outside: DeviceArray<'u32'>;
}

/** A checked histogram (shape and dtype: the counts'). */
export interface HistogramCall extends Checked {
  readonly x: DeviceArray;
  readonly bins: number;
  readonly lo: number;
  readonly hi: number;
  /** The f32 scale of histogram.wgsl ({@link histogramScale}). */
  readonly scale: number;
  readonly shape: readonly number[];
  readonly dtype: 'u32';
}

export const HISTOGRAM = defineOp({
  name: 'histogram',
  numpy: 'numpy.histogram',
  category: 'histogram',
  summary: 'counts of f32 values in equal-width bins over [lo, hi] (the last bin closed, as NumPy), values outside and NaN counted apart',
  tolerance: 'exact',
  dtypes: ['f32'],
  check: (x: DeviceArray, opts: { readonly bins: number; readonly lo: number; readonly hi: number }, extra: readonly unknown[]): HistogramCall => {
    checkArray('histogram', 'x', x);
    checkOptions('histogram', opts, { bins: 'number', lo: 'number', hi: 'number' }, ['bins', 'lo', 'hi']);
    checkNoExtra('histogram', extra, 'two arguments (x, { bins, lo, hi })');
    checkLive('histogram', { x });
    const backend = backendOf('histogram', x);
    requireDType('histogram', 'x', x, ['f32']);
    // Counts are u32: more elements could wrap a bin's count.
    checkElements('histogram', x.length);
    const { bins, lo, hi } = opts;
    const scale = histogramScale(bins, lo, hi);
    return { backend, x, bins, lo, hi, scale, shape: [bins], dtype: 'u32' };
  },
  dawn: dawnHistogram,
  host: hostHistogram,
  reference: histogramCpu,
});

/**
 * Counts f32 values in `bins` equal-width bins over `[lo, hi]` (the last bin closed: x = hi counts in it, as in NumPy); values outside (and NaN) are counted
 * apart, never dropped. The bin of a value is computed exactly as {@link histogramCpu} does.
 *
 * @example
 * ```ts
 * const h = histogram(x, { bins: 10, lo: 0, hi: 1 });
 * console.log(await h.counts.toArray(), await h.outside.toArray()); // [below, above, nan]
 * ```
 */
export function histogram(x: DeviceArray, opts: { readonly bins: number; readonly lo: number; readonly hi: number }, ...extra: []): Histogram {
  return HISTOGRAM.call(x, opts, extra);
}
