import { describe, expect, test } from 'vitest';
import { asymptoticSpeedup, crossover, roofline, saturationSize, speedupAt } from '../../src/bench/model.js';

describe('crossover, asymptote and saturation on synthetic lines', () => {
  const cpu = { alphaMs: 0.001, betaMs: 1e-6 }; // 1 µs fixed, 1 ns/element
  const gpu = { alphaMs: 0.101, betaMs: 0.25e-6 }; // 101 µs fixed, 0.25 ns/element

  test('crossover where the lines meet', () => {
    const c = crossover(gpu, cpu);
    expect(c.kind).toBe('crosses');
    if (c.kind !== 'crosses') return;
    expect(c.w).toBeCloseTo(0.1 / 0.75e-6, 3);
    expect(speedupAt(gpu, cpu, c.w)).toBeCloseTo(1, 9);
  });

  test('never, always and until', () => {
    expect(crossover({ alphaMs: 0.1, betaMs: 2e-6 }, cpu).kind).toBe('never');
    expect(crossover({ alphaMs: 0, betaMs: 0.5e-6 }, cpu).kind).toBe('always');
    const u = crossover({ alphaMs: 0, betaMs: 2e-6 }, { alphaMs: 0.1, betaMs: 1e-6 });
    expect(u).toEqual({ kind: 'until', w: 0.1 / 1e-6 });
  });

  test('asymptotic speedup is β_cpu / β_gpu', () => {
    expect(asymptoticSpeedup(gpu, cpu)).toBeCloseTo(4, 12);
  });

  test('the speedup reaches 90 % of its asymptote at the saturation size', () => {
    const w = saturationSize(gpu, cpu);
    expect(w).toBeDefined();
    if (w === undefined) return;
    expect(speedupAt(gpu, cpu, w)).toBeCloseTo(0.9 * 4, 9);
    expect(speedupAt(gpu, cpu, w / 2)).toBeLessThan(0.9 * 4);
  });

  test('saturation is 0 when the speedup starts above 90 % of its asymptote', () => {
    expect(saturationSize({ alphaMs: 0, betaMs: 1e-6 }, { alphaMs: 1, betaMs: 2e-6 })).toBe(0);
  });

  test('roofline: intensity, attainable and achieved percentages', () => {
    // sum: 1 FLOP per 4 bytes; 2^24 elements in 10 ms = 6.7 GB/s.
    const r = roofline({ bytesPerUnit: 4, flopsPerUnit: 1 }, 2 ** 24, 10, { bandwidthGBps: 10, gflops: 100 });
    expect(r.intensity).toBe(0.25);
    expect(r.bound).toBe('memory');
    expect(r.attainableGflops).toBeCloseTo(2.5, 12);
    expect(r.achievedGBps).toBeCloseTo((4 * 2 ** 24) / 1e7, 9);
    expect(r.pctOfBandwidth).toBeCloseTo((100 * (4 * 2 ** 24)) / 1e7 / 10, 9);
    expect(r.pctOfFlops).toBeCloseTo((100 * 2 ** 24) / 1e7 / 100, 9);
  });
});

test('nearly parallel lines are reported as parity, keeping what the lines said', async () => {
  const { crossover, PARITY } = await import('../../src/bench/model.js');
  const c = crossover({ alphaMs: 0.1, betaMs: 1e-6 }, { alphaMs: 0, betaMs: 1.05e-6 });
  expect(c.kind).toBe('parity');
  if (c.kind === 'parity') {
    expect(c.ratio).toBeCloseTo(1.05, 12);
    // The lines meet where 0.1 ms = 0.05e-6 ms × w.
    expect(c.lines.kind).toBe('crosses');
    if (c.lines.kind === 'crosses') expect(c.lines.w).toBeCloseTo(0.1 / 0.05e-6, 3);
  }
  const slower = crossover({ alphaMs: 0.1, betaMs: 1e-6 }, { alphaMs: 0, betaMs: 0.95e-6 });
  expect(slower.kind === 'parity' && slower.lines.kind).toBe('never');
  expect(crossover({ alphaMs: 0.1, betaMs: 1e-6 }, { alphaMs: 0, betaMs: PARITY * 1.01e-6 }).kind).toBe('crosses');
});

describe('two runs agree when their crossovers make the same statement', async () => {
  const { sameCrossover } = await import('../../src/bench/compare.js');
  const [lo, hi] = [2 ** 10, 2 ** 24];
  const at = (e: number) => ({ kind: 'crosses' as const, n: 2 ** e, extrapolated: false });
  const until = (e: number) => ({ kind: 'until' as const, n: 2 ** e });
  const never = { kind: 'never' as const };
  const always = { kind: 'always' as const };

  test('crossing sizes within one power of two', () => {
    expect(sameCrossover(at(16), at(16.9), lo, hi)).toBe(true);
    expect(sameCrossover(at(16), at(17.1), lo, hi)).toBe(false);
    expect(sameCrossover(until(14), until(15), lo, hi)).toBe(true);
    expect(sameCrossover(until(14), until(15.9), lo, hi)).toBe(false);
    expect(sameCrossover(at(16), until(16), lo, hi)).toBe(false);
  });

  test('a crossing within one power of two of the edge makes the edge statement', () => {
    expect(sameCrossover(at(23.2), never, lo, hi)).toBe(true);
    expect(sameCrossover(never, at(22.9), lo, hi)).toBe(false);
    expect(sameCrossover(at(10.8), always, lo, hi)).toBe(true);
    expect(sameCrossover(at(11.5), always, lo, hi)).toBe(false);
    expect(sameCrossover(until(10.5), never, lo, hi)).toBe(true);
    expect(sameCrossover(until(23.5), always, lo, hi)).toBe(true);
    expect(sameCrossover(until(16), never, lo, hi)).toBe(false);
    expect(sameCrossover(always, never, lo, hi)).toBe(false);
  });

  test('parity is compared by what its lines said; two parity verdicts agree', () => {
    const parity = (lines: Parameters<typeof sameCrossover>[0]) => ({ kind: 'parity' as const, ratio: 0.96, lines: lines as never });
    expect(sameCrossover(parity(never), never, lo, hi)).toBe(true);
    expect(sameCrossover(parity(never), at(16), lo, hi)).toBe(false);
    expect(sameCrossover(parity(at(30)), parity(never), lo, hi)).toBe(true);
  });
});
