import { describe, expect, test } from 'vitest';
import { fitLinear } from '../../src/bench/model.js';

const line = (alpha: number, beta: number, ws: number[], noise = 0, seed = 1) => {
  let s = seed;
  return ws.map((w) => {
    s = (s * 16807) % 2147483647;
    const e = noise * ((s / 2147483647) * 2 - 1);
    return { w, ms: (alpha + beta * w) * (1 + e) };
  });
};
const sizes = [2 ** 10, 2 ** 12, 2 ** 14, 2 ** 16, 2 ** 18, 2 ** 20, 2 ** 22, 2 ** 24];

describe('fitLinear', () => {
  test('recovers α and β of an exact line', () => {
    const f = fitLinear(line(0.08, 2e-6, sizes));
    expect(f.alphaMs).toBeCloseTo(0.08, 6);
    expect(f.betaMs).toBeCloseTo(2e-6, 12);
    for (const r of f.residuals) expect(Math.abs(r.rel)).toBeLessThan(1e-9);
  });

  test('recovers α and β within a few percent under ±5 % noise', () => {
    const f = fitLinear(line(0.05, 1e-6, sizes, 0.05, 7));
    expect(Math.abs(f.alphaMs / 0.05 - 1)).toBeLessThan(0.1);
    expect(Math.abs(f.betaMs / 1e-6 - 1)).toBeLessThan(0.06);
  });

  test('is robust: one 10× outlier at a small size and one at a large size do not bend the line', () => {
    const pts = line(0.1, 5e-7, sizes, 0.02, 3).map((p, i) => (i === 2 || i === 6 ? { w: p.w, ms: p.ms * 10 } : p));
    const f = fitLinear(pts);
    expect(Math.abs(f.alphaMs / 0.1 - 1)).toBeLessThan(0.1);
    expect(Math.abs(f.betaMs / 5e-7 - 1)).toBeLessThan(0.1);
    expect(f.outliers).toBe(2);
    // The residuals show the outliers for what they are.
    expect(f.residuals[2]?.rel).toBeGreaterThan(5);
    expect(f.residuals[6]?.rel).toBeGreaterThan(5);
  });

  test('a pure per-element cost gets α = 0, never a negative α', () => {
    const f = fitLinear(line(0, 1e-6, sizes, 0.03, 11));
    expect(f.alphaMs).toBeGreaterThanOrEqual(0);
    expect(f.alphaMs).toBeLessThan(1e-3);
    expect(Math.abs(f.betaMs / 1e-6 - 1)).toBeLessThan(0.05);
  });
});
