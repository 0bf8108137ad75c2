/**
 * The model of "where GPU speedups stop" (DESIGN.md): fit t(w) ≈ α + β·w per contender, then the
 * crossover size, the asymptotic speedup, the size where the speedup reaches 90 % of it, and a roofline.
 * Pure maths, no device: tested on synthetic lines.
 */

/** One measured point: work units w (elements; multiply-adds for matmul) and a time in ms. */
export interface Point {
  readonly w: number;
  readonly ms: number;
}

/** A fitted line t(w) = alphaMs + betaMs·w, with each point's relative residual (measured / fitted − 1). */
export interface LinearFit {
  /** Fixed cost per call (launch, dispatch round trip, thread wake-up), ms. */
  readonly alphaMs: number;
  /** Cost per work unit, ms (ns per unit = betaMs × 1e6). */
  readonly betaMs: number;
  readonly residuals: readonly { readonly w: number; readonly ms: number; readonly fitMs: number; readonly rel: number }[];
  /** Median absolute relative residual. */
  readonly madRel: number;
  /** Points whose final robust weight was (near) zero: treated as outliers. */
  readonly outliers: number;
  readonly method: string;
}

export const FIT_METHOD =
  'IRLS fit of t = α + β·w minimising relative error (weights 1/t²) with Tukey bisquare reweighting (c = 4.685 × 1.4826·MAD of relative residuals); α, β ≥ 0';

function solve(points: readonly Point[], weights: readonly number[], withAlpha: boolean): { a: number; b: number } {
  let sw = 0, swx = 0, swy = 0, swxx = 0, swxy = 0;
  points.forEach((p, i) => {
    const wt = weights[i] ?? 0;
    sw += wt;
    swx += wt * p.w;
    swy += wt * p.ms;
    swxx += wt * p.w * p.w;
    swxy += wt * p.w * p.ms;
  });
  if (withAlpha) {
    const det = sw * swxx - swx * swx;
    if (det > 0 && Number.isFinite(det)) {
      const b = (sw * swxy - swx * swy) / det;
      const a = (swy - b * swx) / sw;
      if (a >= 0 && b >= 0) return { a, b };
      if (b < 0) return { a: Math.max(0, swy / sw), b: 0 };
    }
  }
  return { a: 0, b: swxx > 0 ? Math.max(0, swxy / swxx) : 0 };
}

/**
 * Robust fit of t(w) = α + β·w. Times span orders of magnitude across a sweep, so the fit minimises
 * *relative* error; a point more than ~7 robust standard deviations off (a preempted sample, a GC pause)
 * gets weight zero (Tukey's bisquare), so one outlier does not bend the line.
 *
 * @example
 * ```ts
 * const f = fitLinear([{ w: 1e3, ms: 0.11 }, { w: 1e6, ms: 10.1 }, { w: 1e7, ms: 100.1 }]);
 * f.alphaMs; // ≈ 0.1
 * f.betaMs;  // ≈ 1e-5 (10 ns per unit)
 * ```
 */
export function fitLinear(points: readonly Point[]): LinearFit {
  const pts = points.filter((p) => Number.isFinite(p.ms) && p.ms > 0 && p.w > 0);
  const base = pts.map((p) => 1 / (p.ms * p.ms));
  let robust = pts.map(() => 1);
  let fit = { a: 0, b: 0 };
  for (let iter = 0; iter < 30; iter++) {
    const weights = base.map((b, i) => b * (robust[i] ?? 0));
    const next = solve(pts, weights, pts.length >= 2);
    const rel = pts.map((p) => (p.ms - (next.a + next.b * p.w)) / Math.max(1e-12, next.a + next.b * p.w));
    const mad = medianOf(rel.map(Math.abs));
    const scale = Math.max(0.02, 1.4826 * mad) * 4.685;
    const r2 = rel.map((r) => {
      const u = r / scale;
      return Math.abs(u) >= 1 ? 0 : (1 - u * u) ** 2;
    });
    const converged = Math.abs(next.a - fit.a) <= 1e-9 * (1 + Math.abs(fit.a)) && Math.abs(next.b - fit.b) <= 1e-9 * (1 + Math.abs(fit.b));
    fit = next;
    robust = r2;
    if (converged && iter > 0) break;
  }
  const residuals = pts.map((p) => {
    const fitMs = fit.a + fit.b * p.w;
    return { w: p.w, ms: p.ms, fitMs, rel: fitMs > 0 ? p.ms / fitMs - 1 : NaN };
  });
  return {
    alphaMs: fit.a,
    betaMs: fit.b,
    residuals,
    madRel: medianOf(residuals.map((r) => Math.abs(r.rel))),
    outliers: robust.filter((r) => r < 1e-3).length,
    method: FIT_METHOD,
  };
}

function medianOf(v: readonly number[]): number {
  if (v.length === 0) return NaN;
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] ?? NaN) : ((s[m - 1] ?? NaN) + (s[m] ?? NaN)) / 2;
}

/** A line's time at w. */
export function timeAt(f: Pick<LinearFit, 'alphaMs' | 'betaMs'>, w: number): number {
  return f.alphaMs + f.betaMs * w;
}

/** What two fitted lines say on their own: where the GPU line overtakes the CPU line. */
export type LineCrossing =
  | { readonly kind: 'crosses'; readonly w: number }
  | { readonly kind: 'always' }
  | { readonly kind: 'never' }
  | { readonly kind: 'until'; readonly w: number };

/**
 * Where the GPU line overtakes the CPU line:
 * - `crosses`: slower below `w`, faster above;
 * - `always`: faster at every size (smaller fixed cost and smaller per-unit cost);
 * - `never`: not faster at any size;
 * - `until`: faster only below `w` (smaller fixed cost but a larger per-unit cost);
 * - `parity`: the per-unit costs are within {@link PARITY} of each other, so the crossing point is decided
 *   by noise; `lines` keeps what the two lines said, for comparing runs.
 */
export type Crossover = LineCrossing | { readonly kind: 'parity'; readonly ratio: number; readonly lines: LineCrossing };

/**
 * Per-unit costs closer than this (as a ratio) make the two lines nearly parallel: where they cross is
 * then decided by run-to-run noise (up to 2× on a software adapter), so it is reported as parity instead.
 */
export const PARITY = 1.15;

/** What the two lines alone say, however close their per-unit costs are. */
export function linesCrossing(gpu: Pick<LinearFit, 'alphaMs' | 'betaMs'>, cpu: Pick<LinearFit, 'alphaMs' | 'betaMs'>): LineCrossing {
  const da = gpu.alphaMs - cpu.alphaMs;
  const db = cpu.betaMs - gpu.betaMs; // > 0: the GPU is cheaper per unit
  if (db > 0) return da <= 0 ? { kind: 'always' } : { kind: 'crosses', w: da / db };
  if (da < 0) return db === 0 ? { kind: 'always' } : { kind: 'until', w: da / db };
  return { kind: 'never' };
}

export function crossover(gpu: Pick<LinearFit, 'alphaMs' | 'betaMs'>, cpu: Pick<LinearFit, 'alphaMs' | 'betaMs'>): Crossover {
  const lines = linesCrossing(gpu, cpu);
  const ratio = cpu.betaMs / gpu.betaMs;
  return ratio > 1 / PARITY && ratio < PARITY ? { kind: 'parity', ratio, lines } : lines;
}

/** Speedup of the GPU over the CPU at w (CPU time / GPU time). */
export function speedupAt(gpu: Pick<LinearFit, 'alphaMs' | 'betaMs'>, cpu: Pick<LinearFit, 'alphaMs' | 'betaMs'>, w: number): number {
  return timeAt(cpu, w) / timeAt(gpu, w);
}

/** β_cpu / β_gpu: what the speedup tends to for large sizes (Infinity when the GPU's β is 0). */
export function asymptoticSpeedup(gpu: Pick<LinearFit, 'betaMs'>, cpu: Pick<LinearFit, 'betaMs'>): number {
  return gpu.betaMs > 0 ? cpu.betaMs / gpu.betaMs : Infinity;
}

/**
 * The size past which the speedup has stopped growing: where it reaches `fraction` (0.9) of its
 * asymptote. Solves (α_c + β_c w) / (α_g + β_g w) = f·β_c/β_g:
 *   w = (f·β_c·α_g − β_g·α_c) / ((1 − f)·β_c·β_g).
 * `0` when the speedup is already there at the smallest size (it falls towards its asymptote instead of
 * rising); `undefined` when there is no finite asymptote.
 */
export function saturationSize(gpu: Pick<LinearFit, 'alphaMs' | 'betaMs'>, cpu: Pick<LinearFit, 'alphaMs' | 'betaMs'>, fraction = 0.9): number | undefined {
  if (!(gpu.betaMs > 0) || !(cpu.betaMs > 0)) return undefined;
  const w = (fraction * cpu.betaMs * gpu.alphaMs - gpu.betaMs * cpu.alphaMs) / ((1 - fraction) * cpu.betaMs * gpu.betaMs);
  return Math.max(0, w);
}

/** Roofline figures for one op on one adapter. */
export interface Roofline {
  /** FLOPs per byte of the op's minimal device-memory traffic. */
  readonly intensity: number;
  /** min(peak, intensity × bandwidth), GFLOP/s. */
  readonly attainableGflops: number;
  readonly achievedGflops: number;
  readonly achievedGBps: number;
  /** Achieved / calibrated ceiling, percent. */
  readonly pctOfBandwidth: number;
  readonly pctOfFlops: number;
  /** Which ceiling the op sits under at its intensity. */
  readonly bound: 'memory' | 'compute';
}

/** Places one measurement (work units in ms) on the roofline of the calibrated ceilings. */
export function roofline(op: { readonly bytesPerUnit: number; readonly flopsPerUnit: number }, w: number, kernelMs: number, ceilings: { readonly bandwidthGBps: number; readonly gflops: number }): Roofline {
  const intensity = op.bytesPerUnit > 0 ? op.flopsPerUnit / op.bytesPerUnit : Infinity;
  const achievedGBps = (op.bytesPerUnit * w) / (kernelMs * 1e6);
  const achievedGflops = (op.flopsPerUnit * w) / (kernelMs * 1e6);
  const attainableGflops = Math.min(ceilings.gflops, intensity * ceilings.bandwidthGBps);
  return {
    intensity,
    attainableGflops,
    achievedGflops,
    achievedGBps,
    pctOfBandwidth: (100 * achievedGBps) / ceilings.bandwidthGBps,
    pctOfFlops: (100 * achievedGflops) / ceilings.gflops,
    bound: intensity * ceilings.bandwidthGBps < ceilings.gflops ? 'memory' : 'compute',
  };
}
