import { ArgumentError } from '../errors.js';
import type { DType } from '../buffers/dtype.js';

/**
 * The error bounds gpukit documents for its ops (README "Tolerances"), written once: gpukit's own tests and
 * `gpukit/testing`'s {@link expectAllClose} use these.
 *
 * Model: every float operation is correctly rounded, fl(a ∘ b) = (a ∘ b)(1 + δ) with |δ| ≤ u (u = 2⁻²⁴ for
 * f32, 2⁻¹¹ for f16; WGSL guarantees this for +, − and ×; an FMA rounds once, which only helps). A sum whose
 * every term passes through at most d roundings is off by at most γ_d · Σ|xᵢ|, γ_d = d·u / (1 − d·u)
 * (Higham, Accuracy and Stability of Numerical Algorithms, §3.1 and §4.2), whatever the summation order, and
 * no term of an n-term sum sees more than n − 1 roundings. A float64 reference adds its own γ⁶⁴_n.
 * Subnormal flushing (allowed to GPUs) is outside the model.
 */

/** Unit roundoff of f32 (round to nearest). */
export const U32 = 2 ** -24;
/** Unit roundoff of float64. */
export const U64 = 2 ** -53;
/** Unit roundoff of f16. */
export const U16 = 2 ** -11;

/**
 * γ_d = d·u / (1 − d·u): the relative bound of d roundings; Infinity once d·u ≥ 1.
 * @example gamma(1000) // ≈ 5.96e-5: an f32 sum of 1001 terms is within that times Σ|xᵢ|
 */
export function gamma(d: number, u = U32): number {
  const t = d * u;
  return t >= 1 ? Infinity : t / (1 - t);
}

/**
 * Σ|xᵢ| in float64: the magnitude a sum's bound scales with.
 * @example absSum([1, -2, 3]) // 6
 */
export function absSum(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += Math.abs(x[i] ?? 0);
  return s;
}

/**
 * Bound on |f32 sum − exact sum| for a summation tree of depth `depth` over terms of total magnitude
 * `abs` (= Σ|xᵢ|), compared with a float64 reference over `n` terms.
 * @example sumBound(absSum(x), x.length - 1, x.length) // any order of an f32 sum of x
 */
export function sumBound(abs: number, depth: number, n: number, u = U32): number {
  return gamma(depth, u) * abs + gamma(n, U64) * abs;
}

/**
 * Per-element bound of matmul: |C − C_ref| ≤ (γ_k + γ⁶⁴_k) · Σₚ |a_ip·b_pj| (`mag` is that sum).
 * @example matmulBound(64, 12.5)
 */
export function matmulBound(k: number, mag: number, u = U32): number {
  return (gamma(k, u) + gamma(k, U64)) * mag;
}

/**
 * Normwise relative bound of an f32 radix-2/4/8 FFT of length n against the exact transform:
 * ‖X̂ − X‖₂ / ‖X‖₂ ≤ L·η / (1 − L·η), L = log2 n, η = u + γ₄·(√2 + u) (twiddles within u; Higham Thm 24.2),
 * plus 1e-12 for the float64 reference. n = 1 is a copy (0).
 * @example fftBound(1024) // ≈ 1.4e-5
 */
export function fftBound(n: number): number {
  const L = Math.round(Math.log2(n));
  if (L === 0) return 0;
  const eta = U32 + gamma(4) * (Math.SQRT2 + U32);
  return (L * eta) / (1 - L * eta) + 1e-12;
}

/**
 * ifft(fft(x)) against x, normwise relative: each transform within b = fftBound(n) gives 2b + b².
 * @example fftRoundTripBound(1024)
 */
export function fftRoundTripBound(n: number): number {
  const b = fftBound(n);
  return 2 * b + b * b;
}

/** The ops {@link toleranceFor} knows, by how their result may differ from an exact (float64) reference. */
export type ToleranceOp =
  | 'add' | 'sub' | 'mul' | 'scale' | 'axpy' | 'map'
  | 'sum' | 'dot' | 'mean' | 'norm' | 'scan' | 'matmul' | 'fft' | 'ifft'
  | 'min' | 'max' | 'argmin' | 'argmax' | 'sort' | 'sortPairs' | 'histogram' | 'transpose' | 'random' | 'exact';

const EXACT_OPS = new Set<ToleranceOp>(['min', 'max', 'argmin', 'argmax', 'sort', 'sortPairs', 'histogram', 'transpose', 'random', 'exact']);
const ALL_OPS = new Set<string>([...EXACT_OPS, 'add', 'sub', 'mul', 'scale', 'axpy', 'map', 'sum', 'dot', 'mean', 'norm', 'scan', 'matmul', 'fft', 'ifft']);
const DTYPES = new Set<string>(['f32', 'f16', 'i32', 'u32']);

/** What a comparison is of: which op made `actual`, in which dtype, over how many terms. */
export interface ToleranceSpec {
  /** The result's element type; i32 and u32 results must be exact. */
  readonly dtype: DType;
  /** The op that made the result (its documented bound applies). */
  readonly op: ToleranceOp;
  /**
   * Terms per result element: the length for sum/dot/mean/norm/scan, k for matmul, the transform length for
   * fft/ifft. Needed by those ops; ignored by the others.
   */
  readonly n?: number;
  /**
   * What the bound scales with per element: Σ|terms| (one number, or one per element). A sum's error grows with
   * Σ|xᵢ|, not with |Σxᵢ|, so pass it when terms cancel; by default |expected|, exact when the terms share a sign.
   * @default |expected[i]|
   */
  readonly magnitude?: number | ArrayLike<number>;
  /** `op: 'map'` only: how many roundings your expression makes (one per +, −, ×, /). */
  readonly roundings?: number;
}

/** An explicit per-element tolerance: |actual − expected| ≤ atol + rtol·|expected|. */
export interface ExplicitTolerance {
  readonly rtol: number;
  readonly atol: number;
}

/**
 * The per-element bound of a comparison: a function of the element's index and expected value, and a phrase
 * naming the formula (for failure messages). Throws ArgumentError for an unknown op or dtype or a missing n.
 * @example toleranceFor({ dtype: 'f32', op: 'sum', n: 1000 }).bound(0, 499500) // γ_999·499500 + γ⁶⁴_1000·499500
 */
export function toleranceFor(
  spec: ToleranceSpec | ExplicitTolerance,
  expected?: ArrayLike<number>,
): {
  /** The allowed |actual − expected| for element i, whose expected value is e. */
  readonly bound: (i: number, e: number) => number;
  /** The bound in words, as failure messages print it. */
  readonly formula: string;
} {
  if ('rtol' in spec) {
    const { rtol, atol } = spec;
    return { bound: (_i, e) => atol + rtol * Math.abs(e), formula: `atol ${atol} + rtol ${rtol}·|expected|` };
  }
  const { dtype, op } = spec;
  if (!DTYPES.has(dtype)) throw new ArgumentError(`expectAllClose: dtype must be f32, f16, i32 or u32, got ${dtype}`);
  if (!ALL_OPS.has(op)) throw new ArgumentError(`expectAllClose: unknown op ${op} (one of ${[...ALL_OPS].join(', ')})`);
  if (dtype === 'i32' || dtype === 'u32' || EXACT_OPS.has(op)) return { bound: () => 0, formula: 'exact' };
  const u = dtype === 'f16' ? U16 : U32;
  const needN = (): number => {
    const n = spec.n;
    if (n === undefined || !Number.isInteger(n) || n < 0) {
      throw new ArgumentError(`expectAllClose: op ${op} needs n (the number of terms per result element), got ${String(n)}`);
    }
    return n;
  };
  // With d·u ≥ 1 the model bounds nothing (an f16 sum of 2048 terms): refuse rather than pass anything.
  const noBound = (d: number): ArgumentError =>
    new ArgumentError(`expectAllClose: ${op} in ${dtype} over ${d} roundings has no finite error bound (${d}·u ≥ 1); compare with an explicit { rtol, atol }`);
  const mag = spec.magnitude;
  const magOf = (i: number, e: number): number =>
    mag === undefined ? Math.abs(e) : typeof mag === 'number' ? mag : Math.abs(mag[i] ?? NaN);
  const magName = mag === undefined ? '|expected|' : 'magnitude';
  const relative = (d: number, name: string, refTerms = 1): { bound: (i: number, e: number) => number; formula: string } => {
    const g = gamma(d, u) + gamma(refTerms, U64);
    if (!Number.isFinite(g)) throw noBound(d);
    return { bound: (i, e) => g * magOf(i, e), formula: `${name}·${magName} = ${g.toExponential(3)}·${magName}` };
  };
  switch (op) {
    case 'add': case 'sub': case 'mul': case 'scale': return relative(1, 'γ_1');
    case 'axpy': return relative(2, 'γ_2');
    case 'map': {
      const r = spec.roundings;
      if (r === undefined || !Number.isInteger(r) || r < 0) {
        throw new ArgumentError(`expectAllClose: op map needs roundings (one per +, −, ×, / in the expression), got ${String(r)}`);
      }
      return relative(r, `γ_${r}`);
    }
    case 'sum': { const n = needN(); return relative(Math.max(n - 1, 0), `γ_${Math.max(n - 1, 0)}`, n); }
    // dot, matmul: a product per term, then the sum. mean: the sum, then a division by n. scan: element i is a
    // sum of i + 1 terms; n caps every element.
    case 'dot': case 'matmul': case 'mean': case 'scan': { const n = needN(); return relative(n, `γ_${n}`, n); }
    // Σx² (all terms ≥ 0, so |expected|² is their magnitude) then sqrt (8 ulp): half the relative error + 8u.
    case 'norm': {
      const n = needN();
      const g = gamma(n, u) / 2 + 8 * u + gamma(n, U64);
      if (!Number.isFinite(g)) throw noBound(n);
      return { bound: (_i, e) => g * Math.abs(e), formula: `(γ_${n}/2 + 8u)·|expected| = ${g.toExponential(3)}·|expected|` };
    }
    case 'fft': case 'ifft': {
      const n = needN();
      let norm2 = 0;
      if (expected !== undefined) for (let i = 0; i < expected.length; i++) norm2 += (expected[i] ?? 0) ** 2;
      const b = (fftBound(n) + (op === 'ifft' ? gamma(1, u) : 0)) * Math.sqrt(norm2);
      // Every element's error is at most the error vector's 2-norm.
      return { bound: () => b, formula: `fftBound(${n})·‖expected‖₂ = ${b.toExponential(3)}` };
    }
  }
  throw new ArgumentError(`expectAllClose: unknown op ${op}`);
}
