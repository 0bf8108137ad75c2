import type { BenchReport, CrossoverN } from './analyze.js';
import { describeCrossover } from './analyze.js';

/** How two reports of the same sweep agree: crossovers within one power of two, medians within p10–p90. */
export interface Agreement {
  readonly lines: readonly string[];
  readonly crossoversAgree: number;
  readonly crossovers: number;
  readonly mediansWithin: number;
  readonly medians: number;
}

function sameCrossover(a: CrossoverN, b: CrossoverN): boolean {
  const at = (c: CrossoverN): number => (c.kind === 'crosses' || c.kind === 'until' ? Math.log2(c.n) : NaN);
  if (a.kind !== b.kind) return false;
  if (a.kind === 'crosses' || a.kind === 'until') return Math.abs(at(a) - at(b)) <= 1;
  return true;
}

/** Compares two `gpukit bench --json` reports (`gpukit bench --compare a.json b.json`). */
export function compareReports(a: BenchReport, b: BenchReport): Agreement {
  const lines: string[] = [];
  let agree = 0;
  let total = 0;
  let within = 0;
  let medians = 0;
  for (const oa of a.ops) {
    const ob = b.ops.find((o) => o.name === oa.name);
    if (ob === undefined) continue;
    for (const ca of oa.comparisons) {
      const cb = ob.comparisons.find((c) => c.gpu === ca.gpu && c.cpu === ca.cpu);
      if (cb === undefined) continue;
      const same = sameCrossover(ca.crossover, cb.crossover);
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
        if (x.medianMs >= y.p10Ms && x.medianMs <= y.p90Ms && y.medianMs >= x.p10Ms && y.medianMs <= x.p90Ms) within++;
      }
    }
  }
  lines.push(`crossovers agreeing (same kind, within one power of two): ${agree}/${total}`);
  lines.push(`medians inside each other's p10–p90 band: ${within}/${medians}`);
  return { lines, crossoversAgree: agree, crossovers: total, mediansWithin: within, medians };
}
