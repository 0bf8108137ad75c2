/**
 * Histogram of f32 values into equal-width bins. CPU reference for `kernels/histogram.wgsl`.
 *
 * Bin rule (the kernel does exactly the same f32 operations, all correctly rounded in WGSL):
 * - `lo32 = fround(lo)`, `hi32 = fround(hi)`, `scale = fround(bins / (hi32 - lo32))` (computed once
 *   on the host in float64 and rounded — WGSL division is not correctly rounded, so the kernel takes
 *   `scale` as a parameter: use {@link histogramScale}).
 * - NaN → `nan`; `x < lo32` (including -∞) → `below`; `x >= hi32` (including +∞) → `above`;
 *   otherwise bin `min(floor(fround(fround(x - lo32) * scale)), bins - 1)`. The clamp catches values
 *   just below `hi` that round up to `bins`. A value exactly on an inner edge goes to whatever bin this
 *   f32 formula gives (usually the upper one, as in `[edge_k, edge_k+1)`), identically on both sides.
 * - Subnormal inputs: GPUs may flush them to zero (lavapipe does not promise otherwise); the reference
 *   does not. Only matters for ranges whose `lo` is within 2^-126 of a subnormal value.
 */

import { fallback, onFallback } from './engine.js';
import { DeviceArray } from '../buffers/device-array.js';
import { chunkElements, pieces } from '../buffers/chunks.js';
import { ArgumentError } from '../errors.js';
import { registerTunable, softwareProfile, tunedParams } from '../backends/dawn/tuning.js';
import { builtin, checkElements, checkLive, deviceOf, groupsFor, requireDType, windowable } from './util.js';
import { checkArray, checkHost } from './signature.js';
import { checkNoExtra, checkOptions, describeValue } from '../args.js';

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
 * Counts of `x` in `bins` equal-width bins over `[lo, hi)`, plus values below `lo`, at or above
 * `hi`, and NaN, counted apart.
 * @example histogramCpu(new Float32Array([0, 0.5, 1, NaN, -1]), 2, 0, 1)
 *   // { counts: Uint32Array [1, 1], below: 1, above: 1, nan: 1 }
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
    else if (v >= hi32) above++;
    else {
      const t = Math.fround(Math.fround(v - lo32) * scale);
      const idx = Math.min(Math.floor(t), bins - 1);
      counts[idx] = (counts[idx] ?? 0) + 1;
    }
  }
  return { counts, below, above, nan };
}

/** A histogram on the device: per-bin counts and the values that fell outside `[lo, hi)`. */
export interface Histogram {
  /** u32 counts, one per bin. */
  readonly counts: DeviceArray<'u32'>;
  /** u32 [below, above, nan]: values < lo (incl. -Inf), ≥ hi (incl. +Inf), and NaN. */
  readonly outside: DeviceArray<'u32'>;
}

export const histogramTunable = registerTunable({
  op: 'histogram',
  sizes: [2 ** 16, 2 ** 20, 2 ** 24],
  candidates: (ctx) => [32, 64, 128, 256].flatMap((WG) => [16, 64, 256, 1024].map((ITEMS) => ({ WG, ITEMS }))).filter((p) => p.WG <= ctx.limits.maxComputeInvocationsPerWorkgroup),
  // Workgroup-local atomics amortised over long blocks suit a CPU; a GPU wants more, shorter workgroups.
  defaults: (ctx) => (softwareProfile(ctx) ? { WG: 64, ITEMS: 256 } : { WG: 256, ITEMS: 16 }),
});

/**
 * Counts f32 values in `bins` equal-width bins over `[lo, hi)`; values outside (and NaN) are counted
 * apart, never dropped. The bin of a value is computed exactly as {@link histogramCpu} does.
 *
 * @example
 * ```ts
 * const h = histogram(x, { bins: 10, lo: 0, hi: 1 });
 * console.log(await h.counts.toArray(), await h.outside.toArray()); // [below, above, nan]
 * ```
 */
export function histogram(x: DeviceArray, opts: { readonly bins: number; readonly lo: number; readonly hi: number }, ...extra: []): Histogram {
  checkArray('histogram', 'x', x);
  checkOptions('histogram', opts, { bins: 'number', lo: 'number', hi: 'number' }, ['bins', 'lo', 'hi']);
  checkNoExtra('histogram', extra, 'two arguments (x, { bins, lo, hi })');
  checkLive('histogram', { x });
  if (onFallback(x)) return fallback('histogram').histogram(x, opts);
  const ctx = deviceOf('histogram', x);
  requireDType('histogram', 'x', x, ['f32']);
  // Counts are u32: more elements could wrap a bin's count.
  checkElements('histogram', x.length);
  const { bins, lo, hi } = opts;
  const scaleF = histogramScale(bins, lo, hi);
  const slots = bins + 3;
  const all = new DeviceArray(ctx, 'u32', slots);
  try {
    ctx.clear(all.buffer, 0, all.bindingSize);
    if (x.length > 0) {
      const p = tunedParams(ctx, histogramTunable, x.length);
      const WG = p['WG'] ?? 64;
      const ITEMS = p['ITEMS'] ?? 256;
      // Workgroup-local bins must fit the device's workgroup storage; beyond that the kernel uses global atomics.
      const maxLocal = Math.floor(ctx.limits.maxComputeWorkgroupStorageSize / 4) - 3;
      const LOCAL_BINS = Math.max(1, Math.min(bins, maxLocal));
      const k = builtin(ctx, 'histogram', { constants: { WG, ITEMS, LOCAL_BINS } });
      // Counts add up (atomics), so an x larger than one binding is counted window by window.
      const chunk = chunkElements(ctx.limits);
      const flat = x.length <= chunk ? { x } : windowable('histogram', { x }, ctx.limits.maxStorageBufferBindingSize, true);
      const parts = pieces(x.length, chunk);
      try {
        for (const q of parts) {
          using w = parts.length === 1 ? undefined : (flat['x'] as DeviceArray).slice([q.start, q.start + q.length]);
          k.run(
            { x: w ?? x, counts: all, params: { n: q.length, bins, lo: Math.fround(lo), hi: Math.fround(hi), scale: scaleF, _pad0: 0, _pad1: 0, _pad2: 0 } },
            { invocations: groupsFor(q.length, WG * ITEMS) * WG },
          );
        }
      } finally {
        if (parts.length > 1) for (const f of Object.values(flat)) f.destroy();
      }
    }
    const counts = new DeviceArray(ctx, 'u32', bins);
    const outside = new DeviceArray(ctx, 'u32', 3);
    ctx.copy(all.buffer, 0, counts.buffer, 0, bins * 4);
    ctx.copy(all.buffer, bins * 4, outside.buffer, 0, 12);
    return { counts, outside };
  } finally {
    all.destroy();
  }
}
