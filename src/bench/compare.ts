import type { BenchReport, CrossoverN, LineCrossingN, OpReport } from './analyze.js';
import { describeCrossover, linesToN } from './analyze.js';
import * as fmt from './format.js';
import { linesCrossing } from './model.js';

/** How two reports of the same sweep agree: crossovers within one power of two, medians within p10–p90. */
export interface Agreement {
  readonly lines: readonly string[];
  readonly crossoversAgree: number;
  readonly crossovers: number;
  readonly mediansWithin: number;
  readonly medians: number;
  /** Medians outside the bands that differ by no more than the machine's reference job moved over both runs. */
  readonly mediansWithinDrift: number;
}

const log2 = Math.log2;

/**
 * Whether two runs' crossovers make the same statement. A parity verdict is compared by what its lines
 * said (two parity verdicts agree). Crossing sizes must be within one power of two; a crossing within one power of two of the edge of
 * the sizes measured makes the edge's statement (a crossing at the largest size ≈ "never" in the range, at
 * the smallest ≈ "always"), so those agree too.
 */
export function sameCrossover(a: CrossoverN, b: CrossoverN, minN: number, maxN: number): boolean {
  // Both at parity: both say the crossing point is noise, wherever their lines happened to meet.
  if (a.kind === 'parity' && b.kind === 'parity') return true;
  const x = a.kind === 'parity' ? a.lines : a;
  const y = b.kind === 'parity' ? b.lines : b;
  if (x.kind === y.kind) return x.kind === 'crosses' || x.kind === 'until' ? Math.abs(log2(x.n) - log2((y as typeof x).n)) <= 1 : true;
  const nearTop = (n: number): boolean => log2(n) >= log2(maxN) - 1;
  const nearBottom = (n: number): boolean => log2(n) <= log2(minN) + 1;
  for (const [p, q] of [[x, y], [y, x]] as const) {
    if (p.kind === 'crosses' && q.kind === 'never') return nearTop(p.n);
    if (p.kind === 'crosses' && q.kind === 'always') return nearBottom(p.n);
    if (p.kind === 'until' && q.kind === 'never') return nearBottom(p.n);
    if (p.kind === 'until' && q.kind === 'always') return nearTop(p.n);
  }
  return false;
}

/** A report written before parity kept its lines (schema gpukit-bench/1 of 2026-11-23): recompute them from the fits. */
function withLines(op: OpReport, c: OpReport['comparisons'][number]): CrossoverN {
  const x = c.crossover;
  const loose = x as { readonly lines?: LineCrossingN };
  if (x.kind !== 'parity' || loose.lines !== undefined) return x;
  const fit = (name: string): { alphaMs: number; betaMs: number } => {
    const f = op.contenders.find((k) => k.name === name)?.fit;
    return { alphaMs: f?.alphaMs ?? NaN, betaMs: (f?.nsPerUnit ?? NaN) / 1e6 };
  };
  const lines = linesCrossing(fit(c.gpu), fit(c.cpu));
  return { kind: 'parity', ratio: x.ratio, lines: linesToN(op.unit, lines, Math.min(...op.sizes), Math.max(...op.sizes)) };
}

/**
 * How far the machine's own speed moved over both runs: max / min of the reference job's timings, one
 * thread and all cores (undefined for reports without the noise probes).
 */
function machineDrift(a: BenchReport, b: BenchReport): { readonly oneThread: number; readonly allCores: number } | undefined {
  if (a.noise === undefined || b.noise === undefined) return undefined;
  const probes = [...a.noise.probes, ...b.noise.probes];
  const range = (v: readonly number[]): number => Math.max(...v) / Math.min(...v);
  return { oneThread: range(probes.map((p) => p.oneThreadMs)), allCores: range(probes.map((p) => p.allCoresMs)) };
}

/** Compares two `gpukit bench --json` reports (`gpukit compare a.json b.json`). */
export function compareReports(a: BenchReport, b: BenchReport): Agreement {
  const lines: string[] = [];
  const drift = machineDrift(a, b);
  let agree = 0;
  let total = 0;
  let within = 0;
  let medians = 0;
  let byDrift = 0;
  for (const oa of a.ops) {
    const ob = b.ops.find((o) => o.name === oa.name);
    if (ob === undefined) continue;
    for (const ca of oa.comparisons) {
      const cb = ob.comparisons.find((c) => c.gpu === ca.gpu && c.cpu === ca.cpu);
      if (cb === undefined) continue;
      const same = sameCrossover(withLines(oa, ca), withLines(ob, cb), Math.min(...oa.sizes, ...ob.sizes), Math.max(...oa.sizes, ...ob.sizes));
      total++;
      if (same) agree++;
      lines.push(`${oa.name.padEnd(7)} ${`${ca.gpu} vs ${ca.cpu}`.padEnd(24)} ${describeCrossover(ca.crossover).padEnd(26)} | ${describeCrossover(cb.crossover).padEnd(26)} ${same ? 'agree' : 'DIFFER'}`);
    }
    for (const pa of oa.contenders) {
      const pb = ob.contenders.find((c) => c.name === pa.name);
      for (const x of pa.points) {
        const y = pb?.points.find((p) => p.n === x.n);
        if (y === undefined) continue;
        medians++;
        if (x.medianMs >= y.p10Ms && x.medianMs <= y.p90Ms && y.medianMs >= x.p10Ms && y.medianMs <= x.p90Ms) {
          within++;
          continue;
        }
        if (drift === undefined) continue;
        // Only cpu-1t runs on one thread; lavapipe, the pool and gpu.js's webasm mode use every core.
        const bound = pa.role === 'cpu-1t' ? drift.oneThread : drift.allCores;
        if (Math.max(y.medianMs / x.medianMs, x.medianMs / y.medianMs) <= bound) byDrift++;
      }
    }
  }
  if (a.noise !== undefined && b.noise !== undefined && drift !== undefined) {
    const r1 = b.noise.oneThread.medianMs / a.noise.oneThread.medianMs;
    const rn = b.noise.allCores.medianMs / a.noise.allCores.medianMs;
    lines.push(`the machine: the reference job's median took ${fmt.times(r1)} as long in the second run on one thread, ${fmt.times(rn)} on all cores; over both runs it ranged ${fmt.times(drift.oneThread)} (one thread) and ${fmt.times(drift.allCores)} (all cores), max/min`);
  }
  lines.push(`crossovers agreeing (same statement, crossing sizes within one power of two): ${String(agree)}/${String(total)}`);
  const outside = medians - within;
  const explained = drift !== undefined && outside > 0 ? `; of the ${String(outside)} outside, ${String(byDrift)} differ by less than the machine's own speed moved (above)` : '';
  lines.push(`medians inside each other's p10–p90 band: ${String(within)}/${String(medians)}${explained}`);
  return { lines, crossoversAgree: agree, crossovers: total, mediansWithin: within, medians, mediansWithinDrift: byDrift };
}
