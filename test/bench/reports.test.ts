import { describe, expect, test } from 'vitest';
import { buildReport, SCHEMA } from '../../src/bench/analyze.js';
import type { BenchOp } from '../../src/bench/contender.js';
import { CSV_HEADER, formatCsv, formatHtml, formatJson, formatTable } from '../../src/bench/report.js';
import { DEFAULT_SETTINGS, type Cell, type OpMeasurements } from '../../src/bench/runner.js';
import { summarize } from '../../src/bench/stats.js';
import { syntheticCalibration, syntheticInfo } from './synthetic-report.js';

const info = syntheticInfo(['timestamp-query']);
const calibration = syntheticCalibration();
const op: BenchOp = {
  name: 'sum',
  summary: 'synthetic sum',
  unit: 'element',
  work: (n) => n,
  bytes: (n) => 4 * n,
  flops: (n) => n,
  transfer: (n) => ({ upload: 4 * n, download: 4 }),
  contenders: () => [],
  hostInputs: () => [],
  release: () => undefined,
};
const lines: Record<string, [number, number]> = { 'cpu-1t': [0.001, 6e-7], 'cpu-pool': [0.03, 3e-7], 'gpu-kernel': [0.05, 1e-7], 'gpu-e2e': [0.2, 5e-7] };
const sizes = [2 ** 10, 2 ** 14, 2 ** 18, 2 ** 22];
const cells: Cell[] = Object.entries(lines).flatMap(([name, [a, b]]) =>
  sizes.map((n) => {
    const t = a + b * n;
    return { op: 'sum', contender: name, n, w: n, samplesMs: [t * 0.95, t, t * 1.1], stats: summarize([t * 0.95, t, t * 1.1]) };
  }),
);
const m: OpMeasurements = {
  op,
  sizes,
  contenders: Object.keys(lines).map((name) => ({ name, role: name as 'cpu-1t', method: `method of ${name}` })),
  cells,
  phases: sizes.map((n) => ({ n, runs: 3, upload: (4 * n) / 12e6, kernel: 0.05 + 1e-7 * n, download: 0.05, host: 0.1, wall: 0.3 })),
};
const report = buildReport({ info, calibration, measurements: [m], settings: { ...DEFAULT_SETTINGS, quick: false }, command: 'gpukit bench sum', durationS: 1 });

describe('bench reports', () => {
  test('JSON carries the documented schema fields', () => {
    const j = JSON.parse(formatJson(report)) as Record<string, unknown> & { ops: Record<string, unknown>[]; adapter: Record<string, unknown> };
    expect(j['schema']).toBe(SCHEMA);
    for (const k of ['createdAt', 'durationS', 'command', 'versions', 'host', 'adapter', 'settings', 'calibration', 'methods', 'ops']) expect(j).toHaveProperty(k);
    expect(j.adapter['isSoftware']).toBe(true);
    expect(j.adapter['softwareLabel']).toMatch(/not GPU hardware/);
    const o = j.ops[0] ?? {};
    for (const k of ['name', 'sizes', 'contenders', 'comparisons', 'phases', 'roofline', 'why']) expect(o).toHaveProperty(k);
    expect(j['methods']).toHaveProperty('contender:sum:gpu-kernel', 'method of gpu-kernel');
  });

  test('the analysis finds the synthetic crossover and asymptote', () => {
    const k = report.ops[0]?.comparisons.find((c) => c.gpu === 'gpu-kernel' && c.cpu === 'cpu-1t');
    expect(k?.crossover.kind).toBe('crosses');
    if (k?.crossover.kind === 'crosses') expect(k.crossover.n).toBeCloseTo(0.049 / 5e-7, -1);
    expect(k?.asymptoticSpeedup).toBeCloseTo(6, 1);
    expect(report.ops[0]?.why.kernel).toMatch(/Kernel-only/);
    expect(report.ops[0]?.why.e2e).toMatch(/End-to-end is bound by/);
  });

  test('CSV has its header and one row per op, contender and size', () => {
    const rows = formatCsv(report).trim().split('\n');
    expect(rows[0]).toBe(CSV_HEADER);
    expect(rows).toHaveLength(1 + 4 * sizes.length);
  });

  test('HTML is self-contained, has SVG charts and the software-adapter label', () => {
    const html = formatHtml(report);
    expect(html).toContain('<svg');
    expect((html.match(/<svg/g) ?? []).length).toBe(3); // time, speedup, roofline
    expect(html).toMatch(/CPU-emulated adapter/);
    expect(html).not.toMatch(/<script|<link /);
  });

  test('the terminal table labels software figures', () => {
    const t = formatTable(report);
    expect(t).toMatch(/not GPU hardware/);
    expect(t).toMatch(/gpu-kernel vs cpu-1t/);
  });
});

describe('gpukit compare on two synthetic runs', async () => {
  const { compareReports } = await import('../../src/bench/compare.js');
  const noise = (allCores: readonly number[]) => ({
    probes: allCores.map((ms, i) => ({ atS: i, oneThreadMs: 0.05, allCoresMs: ms })),
    oneThread: { medianMs: 0.05, spread: 1, maxOverMin: 1 },
    allCores: { medianMs: allCores[0] ?? 0, spread: 1, maxOverMin: 1 },
    method: 'synthetic',
  });
  /** The same sweep with every time of `who` multiplied by `k` (bands included). */
  const scaled = (who: string, k: number, allCores: readonly number[]) => {
    const cs = cells.map((c) => (c.contender === who ? { ...c, samplesMs: c.samplesMs.map((t) => t * k), stats: summarize(c.samplesMs.map((t) => t * k)) } : c));
    const r = buildReport({ info, calibration, noise: noise(allCores), measurements: [{ ...m, cells: cs }], settings: { ...DEFAULT_SETTINGS, quick: false }, command: 'gpukit bench sum', durationS: 1 });
    return r;
  };

  test('a run compared with itself agrees everywhere', () => {
    const a = scaled('cpu-pool', 1, [0.4, 0.4]);
    const g = compareReports(a, a);
    expect(g.crossoversAgree).toBe(g.crossovers);
    expect(g.mediansWithin).toBe(g.medians);
    expect(g.medians).toBe(4 * sizes.length);
  });

  test('a contender 1.5× slower leaves its bands; the machine drift accounts for it only if the reference moved as much', () => {
    const a = scaled('cpu-pool', 1, [0.4, 0.4]);
    const steady = compareReports(a, scaled('cpu-pool', 1.5, [0.4, 0.41]));
    // samples are t·[0.95, 1, 1.1]: a 1.5× median lies outside, at every size.
    expect(steady.medians - steady.mediansWithin).toBe(sizes.length);
    expect(steady.mediansWithinDrift).toBe(0);
    const drifting = compareReports(a, scaled('cpu-pool', 1.5, [0.4, 0.8]));
    expect(drifting.mediansWithinDrift).toBe(sizes.length);
    expect(drifting.lines.join('\n')).toContain('2.00×');
  });
});
