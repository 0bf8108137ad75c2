/**
 * Which contender pairs a report compares: gpukit's gpu-kernel / gpu-e2e against the CPU where they ran; where
 * they did not (the gpujs engine runs no WGSL), gpu.js's contenders against the CPU, with the crossover where
 * the two exact lines meet; an op with no GPU side says why instead of comparing nothing silently.
 */
import { describe, expect, test } from 'vitest';
import { analyzeOp } from '../../src/bench/analyze.js';
import type { Calibration } from '../../src/bench/calibrate.js';
import type { BenchOp, ContenderRole } from '../../src/bench/contender.js';
import type { Cell } from '../../src/bench/runner.js';
import { summarize } from '../../src/bench/stats.js';

const na = (unit: string) => ({ value: NaN, unit, method: 'not applicable: synthetic', applicable: false as const });
const calibration: Calibration = { bandwidth: na('GB/s'), flops: na('GFLOP/s'), dispatch: na('ms'), upload: { value: 2, unit: 'GB/s', method: 'x' }, download: { value: 2, unit: 'GB/s', method: 'x' } };

function op(name: string): BenchOp {
  return { name, summary: name, unit: 'element', work: (n) => n, bytes: (n) => 4 * n, flops: (n) => n, transfer: (n) => ({ upload: 4 * n, download: 4 }), contenders: () => [], hostInputs: () => [], release: () => undefined };
}

const sizes = [2 ** 10, 2 ** 12, 2 ** 14, 2 ** 16, 2 ** 18];

/** Exact lines α + β·n per contender (no noise), so the fitted crossover is where the lines meet. */
function measure(name: string, lines: Record<string, { role: ContenderRole; alpha: number; beta: number }>) {
  const cells: Cell[] = Object.entries(lines).flatMap(([c, l]) =>
    sizes.map((n) => {
      const t = l.alpha + l.beta * n;
      return { op: name, contender: c, n, w: n, samplesMs: [t], stats: summarize([t]) };
    }),
  );
  return { op: op(name), sizes, contenders: Object.entries(lines).map(([c, l]) => ({ name: c, role: l.role, method: c })), cells, phases: [] };
}

describe('comparisons on the gpujs engine', () => {
  test('gpujs-webasm against cpu-1t and cpu-pool when no gpu-* contender ran, crossing where the lines meet', () => {
    // gpujs: 0.05 ms + 0.1 ns/el; cpu-1t: 0 + 0.5 ns/el → they meet at n = 0.05 / 0.4e-6 = 125000; cpu-pool never.
    const r = analyzeOp(
      measure('sum', {
        'cpu-1t': { role: 'cpu-1t', alpha: 0, beta: 5e-7 },
        'cpu-pool': { role: 'cpu-pool', alpha: 0.02, beta: 5e-8 },
        'gpujs-webasm': { role: 'other', alpha: 0.05, beta: 1e-7 },
      }),
      calibration,
      'gpujs',
    );
    expect(r.comparisons.map((c) => `${c.gpu} vs ${c.cpu}`)).toEqual(['gpujs-webasm vs cpu-1t', 'gpujs-webasm vs cpu-pool']);
    const [vs1t, vsPool] = r.comparisons;
    expect(vs1t?.crossover.kind).toBe('crosses');
    expect(vs1t?.crossover.kind === 'crosses' ? vs1t.crossover.n : NaN).toBeCloseTo(0.05 / 4e-7, 0);
    expect(vs1t?.asymptoticSpeedup).toBeCloseTo(5, 6);
    expect(vs1t?.speedups.map((s) => s.speedup)).toEqual(sizes.map((n) => (5e-7 * n) / (0.05 + 1e-7 * n)));
    expect(vsPool?.crossover.kind).toBe('never');
    expect(r.unmeasured).toBeUndefined();
    expect(r.roofline).toBeNull();
    expect(r.why.kernel).toMatch(/not applicable on the gpujs engine/);
  });

  test('on Dawn, gpu.js contenders are not compared: gpu-kernel and gpu-e2e are', () => {
    const r = analyzeOp(
      measure('sum', {
        'cpu-1t': { role: 'cpu-1t', alpha: 0, beta: 5e-7 },
        'gpu-kernel': { role: 'gpu-kernel', alpha: 0.05, beta: 1e-7 },
        'gpu-e2e': { role: 'gpu-e2e', alpha: 0.1, beta: 2e-7 },
        'gpujs-webasm': { role: 'other', alpha: 0.05, beta: 1e-7 },
      }),
      { ...calibration, bandwidth: { value: 10, unit: 'GB/s', method: 'x' }, flops: { value: 50, unit: 'GFLOP/s', method: 'x' } },
      'dawn',
    );
    expect(r.comparisons.map((c) => `${c.gpu} vs ${c.cpu}`)).toEqual(['gpu-kernel vs cpu-1t', 'gpu-e2e vs cpu-1t']);
    expect(r.unmeasured).toBeUndefined();
  });

  test('an op gpu.js runs on the host CPU: no comparison, and the report says why', () => {
    const r = analyzeOp(measure('scan', { 'cpu-1t': { role: 'cpu-1t', alpha: 0, beta: 5e-7 }, 'cpu-pool': { role: 'cpu-pool', alpha: 0.02, beta: 2e-7 } }), calibration, 'gpujs');
    expect(r.comparisons).toEqual([]);
    expect(r.unmeasured).toMatch(/gpujs engine runs scan on the host CPU, not as a gpu\.js kernel \(gpu\.js kernels: axpy, sum, dot, matmul\)/);
    expect(r.why.e2e).toBe(r.unmeasured);
  });
});
