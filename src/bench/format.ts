/** Number formatting shared by the bench reports. */

/** `2^20` for powers of two, else `2^17.3`. */
export function pow2(n: number): string {
  if (!(n > 0) || !Number.isFinite(n)) return String(n);
  const l = Math.log2(n);
  return Math.abs(l - Math.round(l)) < 1e-9 ? `2^${Math.round(l)}` : `2^${l.toFixed(1)}`;
}

/** A size with its power of two: `1.0M (2^20)`. */
export function size(n: number): string {
  const abs = n >= 1e9 ? `${(n / 1e9).toFixed(1)}G` : n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : n.toFixed(0);
  return `${abs} (${pow2(n)})`;
}

/** Milliseconds with sensible precision. */
export function ms(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v >= 100) return `${v.toFixed(0)} ms`;
  if (v >= 1) return `${v.toFixed(2)} ms`;
  if (v >= 0.01) return `${v.toFixed(3)} ms`;
  return `${(v * 1000).toFixed(2)} µs`;
}

/** Nanoseconds from a per-unit cost in ms. */
export function nsPer(betaMs: number): string {
  const ns = betaMs * 1e6;
  return ns >= 10 ? ns.toFixed(1) : ns >= 0.1 ? ns.toFixed(2) : ns.toPrecision(2);
}

export function times(x: number): string {
  if (!Number.isFinite(x)) return '∞';
  return x >= 10 ? `${x.toFixed(0)}×` : `${x.toFixed(2)}×`;
}

export function gbps(v: number): string {
  return `${v >= 10 ? v.toFixed(1) : v.toFixed(2)} GB/s`;
}
