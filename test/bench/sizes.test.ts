import { expect, test } from 'vitest';
import { parseSizes } from '../../src/bench/run.js';
import { quantile, summarize } from '../../src/bench/stats.js';

test('size ranges and lists', () => {
  expect(parseSizes('2^10..2^14')).toEqual([1024, 2048, 4096, 8192, 16384]);
  expect(parseSizes('2^10..2^24:2')).toHaveLength(8);
  expect(parseSizes('1000, 2^20,1000')).toEqual([1000, 2 ** 20]);
  expect(() => parseSizes('2^20..2^10')).toThrow(/bad size range/);
  expect(() => parseSizes('abc')).toThrow(/bad size/);
});

test('median and p10/p90 interpolate like numpy', () => {
  const v = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  expect(quantile(v, 0.1)).toBeCloseTo(1.9, 12);
  expect(summarize(v)).toEqual({ median: 5.5, p10: expect.closeTo(1.9, 12) as number, p90: expect.closeTo(9.1, 12) as number, samples: 10 });
});
