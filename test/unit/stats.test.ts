import { execFileSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { median, quantile, summarize } from '../../src/bench/stats.js';

// Oracle: NumPy's quantile (linear interpolation, its default) on the same samples.
function npQuantiles(values: readonly number[], qs: readonly number[]): number[] {
  const code = `import json, sys, numpy as np\nv, q = json.load(sys.stdin)\nprint(json.dumps([float(np.quantile(np.array(v, dtype=np.float64), x)) for x in q]))`;
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', code], { input: JSON.stringify([values, qs]) }).toString()) as number[];
}

describe('bench statistics', () => {
  test("quantile matches NumPy's linear interpolation on unsorted samples with ties", () => {
    const samples = [[7], [3, 1], [5, 1, 4, 1, 9, 2, 6], [2.5, -1, 10, 10, 0.25, 3, 8, -4, 7, 1.5]];
    const qs = [0, 0.1, 0.25, 0.5, 0.75, 0.9, 1];
    for (const v of samples) {
      const want = npQuantiles(v, qs);
      qs.forEach((q, k) => {
        expect(quantile(v, q), `q = ${q} of [${v.join(', ')}]`).toBeCloseTo(want[k] ?? NaN, 12);
      });
    }
  });

  test('quantile clamps q to [0, 1], leaves its input unsorted, and is NaN for no samples', () => {
    const v = [4, 2, 8, 6];
    expect(quantile(v, -0.5)).toBe(2);
    expect(quantile(v, 1.5)).toBe(8);
    expect(v).toEqual([4, 2, 8, 6]);
    expect(quantile([], 0.5)).toBeNaN();
    expect(median([])).toBeNaN();
  });

  test('median and summarize', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    // 11 samples 0..10: p10 = 1, p90 = 9 exactly.
    const v = [10, 0, 9, 1, 8, 2, 7, 3, 6, 4, 5];
    expect(summarize(v)).toEqual({ median: 5, p10: 1, p90: 9, samples: 11 });
    const s = summarize([]);
    expect(s.samples).toBe(0);
    expect(s.median).toBeNaN();
  });
});
