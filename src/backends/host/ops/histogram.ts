/** histogram on the host engine: the CPU reference on the queue. */
import { DeviceArray } from '../../../buffers/device-array.js';
import type { HostContext } from '../context.js';
import type { Histogram, HistogramCall } from '../../../ops/histogram.js';
import { histogramCpu } from '../../../reference/histogram.js';

export function hostHistogram(host: HostContext, { x, bins, lo, hi }: HistogramCall): Histogram {
  host.assertUsable();
  const counts = new DeviceArray(host, 'u32', bins);
  const outside = new DeviceArray(host, 'u32', 3);
  const X = x.data as Float32Array;
  const C = counts.data;
  const S = outside.data;
  host.enqueue(() => {
    const r = histogramCpu(X, bins, lo, hi);
    C.set(r.counts);
    S.set([r.below, r.above, r.nan]);
  });
  return { counts, outside };
}
