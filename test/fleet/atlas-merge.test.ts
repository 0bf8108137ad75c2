/**
 * `gpukit bench --fleet` without Redis: the sweep's cut into shards (op × contiguous size range), and the merge
 * of one kind's shard reports back into one report. The reference for the merge is the single-process analysis
 * of the same measurements (`buildReport` over every size at once): the merged ops must equal it exactly,
 * after the shard reports went through JSON as they do through Redis.
 */
import { describe, expect, test } from 'vitest';
import { buildReport, type BenchReport } from '../../src/bench/analyze.js';
import type { Calibration } from '../../src/bench/calibrate.js';
import type { CpuLabel } from '../../src/bench/contender.js';
import { checkReport } from '../../src/bench/compare.js';
import { benchOp } from '../../src/bench/ops.js';
import { formatJson } from '../../src/bench/report.js';
import { DEFAULT_SETTINGS, type Cell, type OpMeasurements } from '../../src/bench/runner.js';
import { summarize } from '../../src/bench/stats.js';
import { syntheticCalibration, syntheticInfo } from '../bench/synthetic-report.js';
import { ArgumentError, FleetJobError } from '../../src/errors.js';
import { mergeShardReports, planShards, reviveNonFinite, type AtlasShard } from '../../src/fleet/atlas.js';

const info = syntheticInfo(['timestamp-query']);
const calibration = syntheticCalibration;
const SIZES = [10, 11, 12, 13, 14, 15, 16].map((e) => 2 ** e);
const LINES: Record<string, [number, number]> = { 'cpu-1t': [0.001, 6e-7], 'cpu-pool': [0.03, 3e-7], 'gpu-kernel': [0.05, 1e-7], 'gpu-e2e': [0.2, 5e-7], 'cpu-wasm': [0.008, 2e-7] };
/** What each CPU contender runs on, as a real sweep labels it (the GPU contenders carry no CPU label). */
const LABELS: Record<string, CpuLabel> = {
  'cpu-1t': { library: 'plain JS typed-array loops', version: 'node 20', simd: false, threads: 1, note: 'V8 does not vectorise JS loops' },
  'cpu-pool': { library: 'plain JS typed-array loops on a worker_threads pool', version: 'node 20', simd: false, threads: 2 },
  'cpu-wasm': { library: 'TensorFlow.js wasm backend (@tensorflow/tfjs-backend-wasm, XNNPACK)', version: '4.22.0', simd: true, threads: 1, note: 'one thread' },
};
const CPU_WASM = { label: LABELS['cpu-wasm'] as CpuLabel };

/** Deterministic jitter (an LCG), so the fits see noisy, not perfectly linear, medians. */
let seed = 12345;
const jitter = (): number => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return 0.8 + (0.4 * seed) / 2 ** 31;
};

/** Measurements of `name` over every size, as one sweep would give them. */
function measure(name: string): OpMeasurements {
  const op = benchOp(name);
  if (op === undefined) throw new Error(`no bench op ${name}`);
  const cells: Cell[] = Object.entries(LINES).flatMap(([c, [a, b]]) =>
    SIZES.map((n) => {
      const t = (a + b * op.work(n)) * jitter();
      const s = [t * 0.97, t, t * 1.08, t * 1.3];
      return { op: name, contender: c, n, w: op.work(n), samplesMs: s, stats: summarize(s) };
    }),
  );
  return {
    op,
    sizes: SIZES,
    contenders: Object.keys(LINES).map((c) => ({ name: c, role: c as 'cpu-1t', method: `method of ${c}`, ...(LABELS[c] !== undefined ? { label: LABELS[c] } : {}) })),
    cells,
    phases: SIZES.map((n) => ({ n, runs: 3, upload: (4 * n) / 12e6, kernel: 0.05 + 1e-7 * n * jitter(), download: 0.05, host: 0.1, wall: 0.3 })),
  };
}

const noise = (k: number) => ({
  probes: [0, 1].map((i) => ({ atS: i, oneThreadMs: 0.05 + 0.01 * k, allCoresMs: 0.4 })),
  oneThread: { medianMs: 0.05, spread: 1, maxOverMin: 1 },
  allCores: { medianMs: 0.4, spread: 1, maxOverMin: 1 },
  method: 'synthetic',
});

const report = (ms: readonly OpMeasurements[], cal = calibration(), k = 0): BenchReport =>
  buildReport({ info, calibration: cal, noise: noise(k), measurements: ms, settings: { ...DEFAULT_SETTINGS, quick: false }, command: 'gpukit bench', durationS: 2, cpuWasm: CPU_WASM });

/** One shard's measurements: the op's cells and phases at the shard's sizes only. */
const restrict = (m: OpMeasurements, sizes: readonly number[]): OpMeasurements => ({
  ...m,
  sizes,
  cells: m.cells.filter((c) => sizes.includes(c.n)),
  phases: m.phases.filter((p) => sizes.includes(p.n)),
});

/** Through JSON and back, as a shard's report travels through Redis. */
const wire = (r: BenchReport): BenchReport => {
  const back = checkReport(JSON.parse(formatJson(r), reviveNonFinite));
  if (typeof back === 'string') throw new Error(back);
  return back;
};

describe('planShards', () => {
  test('cuts each op into contiguous size ranges of at most n sizes, ops in order', () => {
    expect(planShards(['sum', 'axpy'], SIZES, { perShard: 3 })).toEqual([
      { op: 'sum', sizes: [2 ** 10, 2 ** 11, 2 ** 12] },
      { op: 'sum', sizes: [2 ** 13, 2 ** 14, 2 ** 15] },
      { op: 'sum', sizes: [2 ** 16] },
      { op: 'axpy', sizes: [2 ** 10, 2 ** 11, 2 ** 12] },
      { op: 'axpy', sizes: [2 ** 13, 2 ** 14, 2 ** 15] },
      { op: 'axpy', sizes: [2 ** 16] },
    ]);
    expect(planShards(['sum'], [2 ** 12, 2 ** 10], { perShard: 1 })).toEqual([{ op: 'sum', sizes: [2 ** 10] }, { op: 'sum', sizes: [2 ** 12] }]);
    expect(planShards(['sum'], SIZES, { perShard: 100 })).toEqual([{ op: 'sum', sizes: SIZES }]);
  });

  test('the default sweep keeps each op\'s own size cap, as gpukit bench does; explicit sizes are swept as given', () => {
    const capped = ['sort', 'matmul'].map((n) => benchOp(n)).find((o) => o?.maxSize !== undefined);
    expect(capped).toBeDefined();
    const cap = capped?.maxSize ?? 0;
    const sizes = [cap / 4, cap, cap * 4];
    expect(planShards([capped?.name ?? ''], sizes, { perShard: 10, defaultSizes: true })).toEqual([{ op: capped?.name, sizes: [cap / 4, cap] }]);
    expect(planShards([capped?.name ?? ''], sizes, { perShard: 10 })).toEqual([{ op: capped?.name, sizes }]);
  });

  test('refuses a shard size that is not a positive integer', () => {
    for (const perShard of [0, -1, 1.5, NaN]) expect(() => planShards(['sum'], SIZES, { perShard })).toThrow(ArgumentError);
  });
});

describe('mergeShardReports', () => {
  const sum = measure('sum');
  const axpy = measure('axpy');
  const single = report([sum, axpy]);
  const plan = planShards(['sum', 'axpy'], SIZES, { perShard: 3 });
  const shardReport = (s: AtlasShard, i: number, cal?: Calibration): BenchReport => wire(report([restrict(s.op === 'sum' ? sum : axpy, s.sizes)], cal, i));

  test('the merged report is the single-process sweep\'s: every op and size once, fitted over all sizes', () => {
    const merged = mergeShardReports(plan, plan.map((s, i) => shardReport(s, i)), 'gpukit bench --fleet sum axpy');
    expect(merged.ops).toEqual(wire(single).ops);
    for (const op of merged.ops) {
      expect(op.sizes).toEqual(SIZES);
      for (const c of op.contenders) expect(c.points.map((p) => p.n)).toEqual(SIZES);
    }
    // Every CPU contender keeps its label (library, version, SIMD, threads) through the merge, cpu-wasm's too.
    for (const op of merged.ops) {
      expect(op.contenders.map((c) => c.name)).toEqual(['cpu-1t', 'cpu-pool', 'gpu-kernel', 'gpu-e2e', 'cpu-wasm']);
      for (const c of op.contenders) expect(c.label).toEqual(LABELS[c.name]);
    }
    expect(merged.cpuWasm).toEqual(CPU_WASM);
    expect(merged.command).toBe('gpukit bench --fleet sum axpy');
    expect(merged.durationS).toBe(2 * plan.length);
    expect(merged.calibration.bandwidth.value).toBe(10);
    expect(merged.noise?.probes).toHaveLength(2 * plan.length);
    expect(merged.noise?.oneThread.maxOverMin).toBeCloseTo((0.05 + 0.01 * (plan.length - 1)) / 0.05, 12);
    // A merge fitted per shard would differ: the fits must see every size.
    expect(plan.map((s, i) => shardReport(s, i).ops[0]?.contenders[0]?.fit)).not.toContainEqual(single.ops[0]?.contenders[0]?.fit);
  });

  test('the calibration is each ceiling\'s median over the shards', () => {
    const bw = [30, 8, 10, 12, 9, 40];
    const merged = mergeShardReports(plan, plan.map((s, i) => shardReport(s, i, calibration(bw[i]))), 'c');
    expect(merged.calibration.bandwidth.value).toBe(11);
    expect(merged.calibration.bandwidth.method).toMatch(/median of the 6 shards' calibrations/);
    expect(merged.calibration.flops.value).toBe(50);
  });

  test('a report of other sizes, a size twice, or different contenders fails naming the shard or op', () => {
    const reports = plan.map((s, i) => shardReport(s, i));
    const wrong = [...reports];
    wrong[1] = reports[0] as BenchReport;
    expect(() => mergeShardReports(plan, wrong, 'c')).toThrow(FleetJobError);
    expect(() => mergeShardReports(plan, wrong, 'c')).toThrow(/shard 1 \(sum at 8192,16384,32768\): its report measured sum at 1024,2048,4096/);
    const overlap: AtlasShard[] = [{ op: 'sum', sizes: [2 ** 10, 2 ** 11] }, { op: 'sum', sizes: [2 ** 11] }];
    expect(() => mergeShardReports(overlap, overlap.map((s, i) => shardReport(s, i)), 'c')).toThrow(/op sum: size 2048 measured by more than one shard/);
    const fewer = wire(report([{ ...restrict(sum, [2 ** 13, 2 ** 14, 2 ** 15]), contenders: sum.contenders.slice(0, 3), cells: sum.cells.filter((c) => c.contender !== 'gpu-e2e') }]));
    expect(() => mergeShardReports(plan, [reports[0] as BenchReport, fewer, ...reports.slice(2)], 'c')).toThrow(/op sum: shard 1 ran contenders cpu-1t,cpu-pool,gpu-kernel, shard 0 ran cpu-1t,cpu-pool,gpu-kernel,gpu-e2e,cpu-wasm/);
    expect(() => mergeShardReports(plan, reports.slice(1), 'c')).toThrow(/5 reports for 6 shards/);
  });
});
