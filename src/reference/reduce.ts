/** The float64 references for the whole-array reductions (the tests compare both engines with them, beside NumPy). */

/** Float64 sum (the reference the GPU's f32 sum is compared with). */
export function sumCpu(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] ?? 0;
  return s;
}

/** Σ xᵢ·yᵢ in float64, the reference of `dot`. */
export function dotCpu(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i] ?? 0) * (y[i] ?? 0);
  return s;
}

/** min/max with NaN propagation. */
export function minCpu(x: ArrayLike<number>): number {
  let m = Infinity;
  for (let i = 0; i < x.length; i++) {
    const v = x[i] ?? 0;
    if (Number.isNaN(v)) return NaN;
    if (v < m) m = v;
  }
  return m;
}

/** The largest element (NaN if any is NaN), the reference of `max`. */
export function maxCpu(x: ArrayLike<number>): number {
  let m = -Infinity;
  for (let i = 0; i < x.length; i++) {
    const v = x[i] ?? 0;
    if (Number.isNaN(v)) return NaN;
    if (v > m) m = v;
  }
  return m;
}

/**
 * The error bound gpukit documents for an f32 sum of n terms: the blocked fold adds at most
 * ~(ITEMS + log(n)) rounding errors per term; we state the classic bound n·u·Σ|x| capped by it.
 */
export function sumTolerance(x: ArrayLike<number>): number {
  let abs = 0;
  for (let i = 0; i < x.length; i++) abs += Math.abs(x[i] ?? 0);
  const u = 2 ** -24;
  return Math.min(x.length, 64 + 4 * Math.ceil(Math.log2(x.length + 1))) * u * abs + 1e-30;
}
