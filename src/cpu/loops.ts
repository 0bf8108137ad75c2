/**
 * Single-thread CPU baselines for `gpukit bench`: the plain typed-array loops an honest JavaScript
 * programmer would write (four independent accumulators for reductions, so the loop is not one long
 * dependency chain; an LSD radix sort rather than a comparison sort; i-k-j order for matmul). They are
 * the bar a GPU has to clear, so they are written to be fast, not to be beaten.
 *
 * The worker pool ({@link CpuPool}) runs the same loops on ranges; its worker source repeats them in
 * plain JavaScript (see worker-source.ts), and the tests check both agree.
 */

/** y = a·x + y over [lo, hi). */
export function axpyLoop(a: number, x: Float32Array, y: Float32Array, lo = 0, hi = x.length): void {
  for (let i = lo; i < hi; i++) y[i] = a * (x[i] as number) + (y[i] as number);
}

/**
 * The six-op elementwise chain of `gpukit bench chain` (and bench/fusion.ts) over [lo, hi):
 * out = max(((x − 0.5) · 1.5 + y)² · y, 0), NaN propagating through the max as `maximum` does. One pass,
 * float64 in between, one rounding to f32 at the store. The max is branch-free, (v + |v|) / 2 (exact: 2v or
 * 0; NaN stays NaN): on random signs `v < 0 ? 0 : v` and `Math.max` mispredict and ran 5× slower here.
 * Only v = −∞ (from an infinite input) needs the test: −∞ + ∞ is NaN.
 *
 * @example
 * ```ts
 * chainLoop(new Float32Array([1]), new Float32Array([2]), out); // out[0] = (0.75 + 2)² · 2 = 15.125
 * ```
 */
export function chainLoop(x: Float32Array, y: Float32Array, out: Float32Array, lo = 0, hi = x.length): void {
  for (let i = lo; i < hi; i++) {
    const w = y[i] as number;
    const t = ((x[i] as number) - 0.5) * 1.5 + w;
    const v = t * t * w;
    out[i] = v === -Infinity ? 0 : (v + Math.abs(v)) * 0.5;
  }
}

/** Σ x over [lo, hi), four float64 accumulators. */
export function sumLoop(x: Float32Array, lo = 0, hi = x.length): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let i = lo;
  for (; i + 3 < hi; i += 4) {
    s0 += x[i] as number;
    s1 += x[i + 1] as number;
    s2 += x[i + 2] as number;
    s3 += x[i + 3] as number;
  }
  for (; i < hi; i++) s0 += x[i] as number;
  return s0 + s1 + s2 + s3;
}

/** Σ x·y over [lo, hi), four float64 accumulators. */
export function dotLoop(x: Float32Array, y: Float32Array, lo = 0, hi = x.length): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  let i = lo;
  for (; i + 3 < hi; i += 4) {
    s0 += (x[i] as number) * (y[i] as number);
    s1 += (x[i + 1] as number) * (y[i + 1] as number);
    s2 += (x[i + 2] as number) * (y[i + 2] as number);
    s3 += (x[i + 3] as number) * (y[i + 3] as number);
  }
  for (; i < hi; i++) s0 += (x[i] as number) * (y[i] as number);
  return s0 + s1 + s2 + s3;
}

/** Inclusive prefix sum of x[lo, hi) into out, starting from `offset`; returns the running total. */
export function scanLoop(x: Float32Array, out: Float32Array, lo = 0, hi = x.length, offset = 0): number {
  let s = offset;
  for (let i = lo; i < hi; i++) {
    s += x[i] as number;
    out[i] = s;
  }
  return s;
}

/**
 * Ascending LSD radix sort of u32 keys in place (three 11-bit passes through `scratch`, which must be at
 * least as long as the range). The result ends in `keys`.
 */
export function radixSortU32(keys: Uint32Array, scratch: Uint32Array, lo = 0, hi = keys.length): void {
  const n = hi - lo;
  if (n < 2) return;
  const count = new Uint32Array(2048);
  let src = keys;
  let dst = scratch;
  let srcOff = lo;
  let dstOff = 0;
  for (let shift = 0; shift < 33; shift += 11) {
    count.fill(0);
    for (let i = 0; i < n; i++) {
      const b = ((src[srcOff + i] as number) >>> shift) & 2047;
      count[b] = (count[b] as number) + 1;
    }
    let sum = 0;
    for (let b = 0; b < 2048; b++) {
      const c = count[b] as number;
      count[b] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const k = src[srcOff + i] as number;
      const b = (k >>> shift) & 2047;
      const at = count[b] as number;
      dst[dstOff + at] = k;
      count[b] = at + 1;
    }
    const t = src;
    src = dst;
    dst = t;
    const o = srcOff;
    srcOff = dstOff;
    dstOff = o;
  }
  // Three passes: the sorted keys are in scratch; copy them home.
  keys.set(src.subarray(srcOff, srcOff + n), lo);
}

/** C = A·B for row-major f32 matrices (A m×k, B k×n), rows [r0, r1) of C; i-k-j order, f32 accumulation in C. */
export function matmulRows(a: Float32Array, b: Float32Array, c: Float32Array, m: number, k: number, n: number, r0 = 0, r1 = m): void {
  for (let i = r0; i < r1; i++) {
    const ci = i * n;
    c.fill(0, ci, ci + n);
    for (let p = 0; p < k; p++) {
      const av = a[i * k + p] as number;
      const bp = p * n;
      for (let j = 0; j < n; j++) c[ci + j] = (c[ci + j] as number) + av * (b[bp + j] as number);
    }
  }
}

/** Merges sorted runs a[aLo, aHi) and a[bLo, bHi) of `src` into `dst` from `outLo`. */
export function mergeRuns(src: Uint32Array, aLo: number, aHi: number, bLo: number, bHi: number, dst: Uint32Array, outLo: number): void {
  let i = aLo, j = bLo, o = outLo;
  while (i < aHi && j < bHi) {
    const x = src[i] as number;
    const y = src[j] as number;
    if (y < x) {
      dst[o++] = y;
      j++;
    } else {
      dst[o++] = x;
      i++;
    }
  }
  while (i < aHi) dst[o++] = src[i++] as number;
  while (j < bHi) dst[o++] = src[j++] as number;
}

/**
 * Merge-path split: how many of the first `d` outputs of merge(A, B) come from A (A = src[aLo, aHi),
 * B = src[bLo, bHi)), so several threads can each merge one slice of the output.
 */
export function mergePathSplit(src: Uint32Array, aLo: number, aHi: number, bLo: number, bHi: number, d: number): number {
  const na = aHi - aLo;
  const nb = bHi - bLo;
  let lo = Math.max(0, d - nb);
  let hi = Math.min(d, na);
  while (lo < hi) {
    const i = (lo + hi) >>> 1; // take i from A, d - i from B
    const j = d - i;
    // Too few from A if A[i] < B[j-1] (strictly: ties go to A first, keeping the merge stable).
    if ((src[aLo + i] as number) <= (src[bLo + j - 1] as number)) lo = i + 1;
    else hi = i;
  }
  return lo;
}
