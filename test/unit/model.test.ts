import { describe, expect, test } from 'vitest';
import { asymptoticSpeedup, crossover, fitLinear, linesCrossing, PARITY, roofline, saturationSize, timeAt } from '../../src/bench/model.js';

const line = (a: number, b: number, ws: readonly number[]): { w: number; ms: number }[] => ws.map((w) => ({ w, ms: a + b * w }));
const WS = [1e3, 3e3, 1e4, 3e4, 1e5, 3e5, 1e6, 3e6];

/** The median, written out here (the oracle for madRel). */
function median(v: readonly number[]): number {
  const s = [...v].sort((x, y) => x - y);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[m] ?? NaN) : ((s[m - 1] ?? NaN) + (s[m] ?? NaN)) / 2;
}

function expectRel(got: number, want: number, tol: number): void {
  expect(Math.abs(got - want), `${got} vs ${want}`).toBeLessThanOrEqual(tol * Math.abs(want));
}

describe('fitLinear', () => {
  test('two points on a line with a fixed cost give that line exactly (α is fitted from two points)', () => {
    const f = fitLinear(line(0.5, 2e-4, [1e3, 1e5]));
    expectRel(f.alphaMs, 0.5, 1e-9);
    expectRel(f.betaMs, 2e-4, 1e-9);
    expect(f.outliers).toBe(0);
    expect(f.method).toMatch(/IRLS.*Tukey bisquare/);
  });

  test('one point: a line through the origin', () => {
    const f = fitLinear([{ w: 400, ms: 2 }]);
    expect(f.alphaMs).toBe(0);
    expect(f.betaMs).toBe(2 / 400);
    expect(f.residuals).toEqual([{ w: 400, ms: 2, fitMs: 2, rel: 0 }]);
  });

  test('no usable points: a zero line, no residuals, madRel NaN', () => {
    for (const pts of [[], [{ w: 0, ms: 1 }, { w: -5, ms: 1 }, { w: 10, ms: 0 }, { w: 10, ms: -1 }, { w: 10, ms: NaN }, { w: 10, ms: Infinity }]]) {
      const f = fitLinear(pts);
      expect([f.alphaMs, f.betaMs, f.residuals.length, f.outliers]).toEqual([0, 0, 0, 0]);
      expect(f.madRel).toBeNaN();
    }
  });

  test('points with w ≤ 0 or a time that is not finite and positive are ignored', () => {
    const good = line(0.2, 1e-5, WS);
    const bad = [{ w: 0, ms: 3 }, { w: -1e4, ms: 0.3 }, { w: 1e4, ms: 0 }, { w: 2e4, ms: -0.5 }, { w: 5e4, ms: NaN }, { w: 7e4, ms: Infinity }];
    const f = fitLinear([...bad.slice(0, 3), ...good, ...bad.slice(3)]);
    expect(f.residuals.map((r) => r.w)).toEqual(WS);
    expectRel(f.alphaMs, 0.2, 1e-9);
    expectRel(f.betaMs, 1e-5, 1e-9);
  });

  test('constant times: α is the time, β is 0', () => {
    const f = fitLinear(WS.map((w) => ({ w, ms: 2 })));
    expectRel(f.alphaMs, 2, 1e-12);
    expect(f.betaMs).toBeLessThan(1e-15);
  });

  test('times that fall with w: β is clamped to 0 and α is the (relative-error) mean time', () => {
    const f = fitLinear([{ w: 1e3, ms: 2 }, { w: 1e4, ms: 1.5 }, { w: 1e5, ms: 1.2 }]);
    expect(f.betaMs).toBe(0);
    expect(f.alphaMs).toBeGreaterThan(1.2);
    expect(f.alphaMs).toBeLessThan(2);
    // Every residual is against the constant line α.
    for (const r of f.residuals) expect(r.fitMs).toBe(f.alphaMs);
  });

  test('times proportional to w through the origin: α = 0', () => {
    const f = fitLinear(line(0, 3e-6, WS));
    expect(f.alphaMs).toBeLessThan(1e-12);
    expectRel(f.betaMs, 3e-6, 1e-9);
  });

  for (const factor of [1.3, 2, 10]) {
    test(`one outlier (×${factor}) among points on a line is rejected and the line recovered`, () => {
      const pts = line(0.05, 2e-6, WS);
      const k = 5;
      const p = pts[k];
      if (p === undefined) throw new Error('no point');
      pts[k] = { w: p.w, ms: p.ms * factor };
      const f = fitLinear(pts);
      expectRel(f.alphaMs, 0.05, 1e-7);
      expectRel(f.betaMs, 2e-6, 1e-7);
      expect(f.outliers).toBe(1);
      expectRel(f.residuals[k]?.rel ?? NaN, factor - 1, 1e-6);
      expect(f.madRel).toBeLessThan(1e-9);
    });
  }

  test('±15 % noise is not mistaken for outliers; madRel is the median |rel| of the residuals; fitMs = α + β·w', () => {
    for (const n of [7, 8]) {
      const pts = line(0.1, 1e-5, WS.slice(0, n)).map((p, i) => ({ w: p.w, ms: p.ms * (i % 2 === 0 ? 1.15 : 0.87) }));
      const f = fitLinear(pts);
      expect(f.outliers).toBe(0);
      for (const r of f.residuals) {
        expect(r.fitMs).toBeCloseTo(timeAt(f, r.w), 12);
        expect(r.rel).toBeCloseTo(r.ms / r.fitMs - 1, 12);
      }
      expect(f.madRel).toBe(median(f.residuals.map((r) => Math.abs(r.rel))));
      expect(f.madRel).toBeGreaterThan(0.05);
      expect(f.madRel).toBeLessThan(0.2);
      expectRel(f.betaMs, 1e-5, 0.1);
    }
  });
});

describe('crossings', () => {
  const L = (alphaMs: number, betaMs: number): { alphaMs: number; betaMs: number } => ({ alphaMs, betaMs });

  test('the edge cases of equal fixed or per-unit costs', () => {
    expect(linesCrossing(L(1, 1), L(1, 2))).toEqual({ kind: 'always' }); // same α, cheaper per unit
    expect(linesCrossing(L(1, 2), L(1, 1))).toEqual({ kind: 'never' }); // same α, dearer per unit
    expect(linesCrossing(L(2, 1), L(1, 1))).toEqual({ kind: 'never' }); // same β, dearer fixed cost
    expect(linesCrossing(L(1, 1), L(2, 1))).toEqual({ kind: 'always' }); // same β, cheaper fixed cost
    expect(linesCrossing(L(1, 1), L(1, 1))).toEqual({ kind: 'never' }); // identical
    expect(linesCrossing(L(3, 1), L(1, 2))).toEqual({ kind: 'crosses', w: 2 });
    expect(linesCrossing(L(1, 3), L(3, 1))).toEqual({ kind: 'until', w: 1 });
  });

  test('parity: strictly inside (1/PARITY, PARITY), the boundaries themselves are not parity', () => {
    expect(crossover(L(3, 1), L(1, PARITY))).toEqual({ kind: 'crosses', w: 2 / (PARITY - 1) });
    expect(crossover(L(1, PARITY), L(3, 1))).toEqual({ kind: 'until', w: 2 / (PARITY - 1) });
    expect(crossover(L(3, 1), L(1, 1.1))).toMatchObject({ kind: 'parity', ratio: 1.1, lines: { kind: 'crosses' } });
    expect(crossover(L(3, 1.1), L(1, 1))).toMatchObject({ kind: 'parity', lines: { kind: 'never' } });
  });

  test('asymptotic speedup and saturation size when a β is zero or negative', () => {
    expect(asymptoticSpeedup({ betaMs: 0 }, { betaMs: 0 })).toBe(Infinity);
    expect(asymptoticSpeedup({ betaMs: -1 }, { betaMs: 2 })).toBe(Infinity);
    expect(asymptoticSpeedup({ betaMs: 4 }, { betaMs: 2 })).toBe(0.5);
    expect(saturationSize(L(1, 0), L(1, 1))).toBeUndefined();
    expect(saturationSize(L(1, 1), L(1, 0))).toBeUndefined();
    expect(saturationSize(L(1, -1), L(1, 1))).toBeUndefined();
    // (0.9·2·10 − 1·1) / (0.1·2·1) = 85
    expect(saturationSize(L(10, 1), L(1, 2))).toBeCloseTo(85, 9);
    expect(saturationSize(L(0, 1), L(10, 2))).toBe(0);
  });

  test('roofline: zero-byte ops, the memory/compute boundary', () => {
    const r0 = roofline({ bytesPerUnit: 0, flopsPerUnit: 0 }, 1e6, 1, { bandwidthGBps: 10, gflops: 100 });
    expect(r0.intensity).toBe(Infinity);
    expect(r0.bound).toBe('compute');
    // intensity 10 flop/B × 10 GB/s = 100 GFLOP/s: exactly at the ridge point counts as compute bound.
    expect(roofline({ bytesPerUnit: 1, flopsPerUnit: 10 }, 1e6, 1, { bandwidthGBps: 10, gflops: 100 }).bound).toBe('compute');
    // 0.5 flop/B: 5 GFLOP/s attainable under 100: memory bound (while 0.5 / 10 < 100 would also say memory; 20 flop/B says compute).
    expect(roofline({ bytesPerUnit: 2, flopsPerUnit: 1 }, 1e6, 1, { bandwidthGBps: 10, gflops: 100 }).bound).toBe('memory');
    expect(roofline({ bytesPerUnit: 1, flopsPerUnit: 20 }, 1e6, 1, { bandwidthGBps: 10, gflops: 100 }).bound).toBe('compute');
  });
});
