// The report against the best CPU contender at each size, and every CPU contender's label in the table, the
// JSON and the HTML; a report whose cpu-wasm was absent says why. Made-up timings (no GPU, no timing assertions).
import { describe, expect, it } from 'vitest';
import { buildReport, type BenchReport } from '../../src/bench/analyze.js';
import type { BenchOp, CpuLabel } from '../../src/bench/contender.js';
import { formatHtml, formatJson, formatTable } from '../../src/bench/report.js';
import { DEFAULT_SETTINGS, type Cell } from '../../src/bench/runner.js';
import { summarize } from '../../src/bench/stats.js';
import { syntheticCalibration, syntheticInfo } from './synthetic-report.js';

const op: BenchOp = {
  name: 'sum', summary: 'synthetic sum', unit: 'element', work: (n) => n, bytes: (n) => 4 * n, flops: (n) => n,
  transfer: (n) => ({ upload: 4 * n, download: 4 }), contenders: () => [], hostInputs: () => [], release: () => undefined,
};
const one: CpuLabel = { library: 'plain JS loops', version: 'node 20', simd: false, threads: 1 };
const wasm: CpuLabel = { library: 'TensorFlow.js wasm backend (XNNPACK)', version: '4.22.0', simd: true, threads: 1, note: 'one thread under Node' };
// cpu-1t: cheap calls, 1 ns/el; cpu-wasm: 0.05 ms per call, 0.2 ns/el; the GPU: 0.3 ms, 0.1 ns/el (e2e).
const lines: Record<string, { ab: [number, number]; role: string; label?: CpuLabel }> = {
  'cpu-1t': { ab: [0.001, 1e-6], role: 'cpu-1t', label: one },
  'cpu-wasm': { ab: [0.05, 2e-7], role: 'cpu-wasm', label: wasm },
  'gpu-kernel': { ab: [0.05, 5e-8], role: 'gpu-kernel' },
  'gpu-e2e': { ab: [0.3, 1e-7], role: 'gpu-e2e' },
};
const sizes = [2 ** 10, 2 ** 14, 2 ** 18, 2 ** 22];

function report(cpuWasm?: BenchReport['cpuWasm'], names = Object.keys(lines)): BenchReport {
  const cells: Cell[] = names.flatMap((name) => sizes.map((n) => {
    const [a, b] = lines[name]?.ab ?? [0, 0];
    const s = [a + b * n];
    return { op: 'sum', contender: name, n, w: n, samplesMs: s, stats: summarize(s) };
  }));
  return buildReport({
    info: syntheticInfo(), calibration: syntheticCalibration(),
    measurements: [{ op, sizes, contenders: names.map((name) => ({ name, role: lines[name]?.role as 'cpu-1t', method: `m ${name}`, ...(lines[name]?.label !== undefined ? { label: lines[name].label } : {}) })), cells,
      phases: sizes.map((n) => ({ n, runs: 1, upload: 4e-7 * n, kernel: 0.05 + 5e-8 * n, download: 0.05, host: 0.1, wall: 0.3 + 1e-7 * n })) }],
    settings: { ...DEFAULT_SETTINGS, quick: false }, command: 'gpukit bench sum', durationS: 1, ...(cpuWasm !== undefined ? { cpuWasm } : {}),
  });
}

describe('the GPU against the best CPU contender', () => {
  const r = report({ label: wasm });
  const o = r.ops[0];
  it('names the fastest CPU at each size, from the medians', () => {
    // By hand: cpu-1t = 0.001 + 1e-6·n, cpu-wasm = 0.05 + 2e-7·n: equal at n = 0.049 / 8e-7 ≈ 61250 (between 2^14 and 2^18).
    expect(o?.best?.[0]?.bestCpu).toEqual([{ n: 2 ** 10, name: 'cpu-1t' }, { n: 2 ** 14, name: 'cpu-1t' }, { n: 2 ** 18, name: 'cpu-wasm' }, { n: 2 ** 22, name: 'cpu-wasm' }]);
  });
  it('states crossover and asymptote against the CPU fastest at the largest size, speedups against the best at each size', () => {
    const e2e = o?.best?.find((b) => b.gpu === 'gpu-e2e');
    expect(e2e?.cpu).toBe('cpu-wasm');
    expect(e2e?.asymptoticSpeedup).toBeCloseTo(2e-7 / 1e-7, 6);
    // Envelope of the medians: the GPU e2e (0.3 + 1e-7·n) against min(cpu-1t, cpu-wasm) at each size.
    const env = (n: number) => Math.min(0.001 + 1e-6 * n, 0.05 + 2e-7 * n);
    for (const s of e2e?.speedups ?? []) expect(s.speedup).toBeCloseTo(env(s.n) / (0.3 + 1e-7 * s.n), 9);
    // 2^18: env 0.1024 < gpu 0.326; 2^22: env 0.889 > gpu 0.719: the GPU wins from 2^22 on.
    expect(e2e?.measuredCrossover).toEqual({ kind: 'crosses', n: 2 ** 22 });
    // Each CPU contender still has its own comparison.
    expect(o?.comparisons.map((c) => `${c.gpu}/${c.cpu}`).sort()).toEqual(['gpu-e2e/cpu-1t', 'gpu-e2e/cpu-wasm', 'gpu-kernel/cpu-1t', 'gpu-kernel/cpu-wasm']);
  });
  it('the why lines name the best CPU contender and its label', () => {
    expect(o?.why.kernel).toContain('cpu-wasm (TensorFlow.js wasm backend (XNNPACK) 4.22.0, SIMD on, 1 thread)');
    expect(o?.why.e2e).toContain('the best CPU contender at 2^22, cpu-wasm');
  });
  it('labels every CPU contender in the table, the JSON and the HTML', () => {
    const t = formatTable(r);
    expect(t).toMatch(/cpu-1t {4}plain JS loops node 20, SIMD off, 1 thread/);
    expect(t).toMatch(/cpu-wasm {2}TensorFlow\.js wasm backend \(XNNPACK\) 4\.22\.0, SIMD on, 1 thread \(one thread under Node\)/);
    expect(t).toContain('best CPU by size: 2^10–2^14 cpu-1t · 2^18–2^22 cpu-wasm');
    expect(t).toMatch(/gpu-e2e vs best CPU \(cpu-wasm\):/);
    const j = JSON.parse(formatJson(r)) as BenchReport;
    expect(j.ops[0]?.contenders.find((c) => c.name === 'cpu-wasm')?.label).toEqual(wasm);
    expect(j.ops[0]?.contenders.find((c) => c.name === 'cpu-1t')?.label).toEqual(one);
    expect(j.cpuWasm).toEqual({ label: wasm });
    expect(j.ops[0]?.best?.length).toBe(2);
    const h = formatHtml(r);
    expect(h).toContain('<h2>CPU contenders</h2>');
    expect(h).toContain('<tr><td>cpu-wasm</td><td>TensorFlow.js wasm backend (XNNPACK)</td><td>4.22.0</td><td>on</td><td>1</td>');
    expect(h).toContain('<tr><td>cpu-1t</td><td>plain JS loops</td><td>node 20</td><td>off</td><td>1</td>');
    expect(h).toContain('gpu-e2e / best CPU at each size');
    // The time chart draws every contender (its legend names each).
    for (const name of Object.keys(lines)) expect(h).toContain(`>${name}<`);
  });
});

describe('a report without cpu-wasm', () => {
  it('says why in the table, the JSON and the HTML, and compares with the CPU contenders it has', () => {
    const why = 'cpu-wasm not measured: the optional packages @tensorflow/tfjs-core and @tensorflow/tfjs-backend-wasm are not installed';
    const r = report({ unavailable: why }, ['cpu-1t', 'gpu-kernel', 'gpu-e2e']);
    expect(formatTable(r)).toContain(why);
    expect(formatHtml(r)).toContain(why);
    expect((JSON.parse(formatJson(r)) as BenchReport).cpuWasm).toEqual({ unavailable: why });
    expect(r.ops[0]?.best?.every((b) => b.cpu === 'cpu-1t')).toBe(true);
  });
});
