/** histogram on Dawn: kernels/histogram.wgsl (workgroup-local atomics), window by window past one binding. */
import { DeviceArray } from '../../../buffers/device-array.js';
import { builtin } from '../kernel.js';
import { chunkElements, pieces } from '../../../buffers/chunks.js';
import type { DeviceContext } from '../context.js';
import { registerTunable, softwareProfile, tunedParams } from '../tuning.js';
import { groupsFor, windowable } from '../../../ops/util.js';
import type { Histogram, HistogramCall } from '../../../ops/histogram.js';

export const histogramTunable = registerTunable({
  op: 'histogram',
  sizes: [2 ** 16, 2 ** 20, 2 ** 24],
  candidates: (ctx) => [32, 64, 128, 256].flatMap((WG) => [16, 64, 256, 1024].map((ITEMS) => ({ WG, ITEMS }))).filter((p) => p.WG <= ctx.limits.maxComputeInvocationsPerWorkgroup),
  // Workgroup-local atomics amortised over long blocks suit a CPU; a GPU wants more, shorter workgroups.
  defaults: (ctx) => (softwareProfile(ctx) ? { WG: 64, ITEMS: 256 } : { WG: 256, ITEMS: 16 }),
});

/** Counts of x in the call's bins, and [below, above, nan]. */
export function dawnHistogram(ctx: DeviceContext, { x, bins, lo, hi, scale: scaleF }: HistogramCall): Histogram {
  ctx.assertUsable();
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
