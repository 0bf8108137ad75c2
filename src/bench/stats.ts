/** Small statistics helpers for the bench: quantiles of samples (linear interpolation, like numpy's default). */

/** The q-quantile (0 ≤ q ≤ 1) of values; NaN for none. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const pos = (s.length - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const a = s[lo] ?? NaN;
  const b = s[hi] ?? NaN;
  return a + (b - a) * (pos - lo);
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/** Median, p10 and p90 of samples. */
export interface Summary {
  readonly median: number;
  readonly p10: number;
  readonly p90: number;
  readonly samples: number;
}

export function summarize(values: readonly number[]): Summary {
  return { median: median(values), p10: quantile(values, 0.1), p90: quantile(values, 0.9), samples: values.length };
}
