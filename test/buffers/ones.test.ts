/**
 * device.ones (the standard's `ones`, missing before: the conformance table listed it as such): ones of every
 * dtype (true for bool), 0-d and empty shapes, and its options checked like every factory's.
 */
import { expect } from 'vitest';
import { ArgumentError, DTypeError } from '../../src/index.js';
import { gpuTest } from '../fixture.js';

gpuTest('ones: every dtype, 0-d and empty shapes; a bad option is a typed error', async ({ device }) => {
  for (const dtype of ['f32', 'i32', 'u32', 'bool'] as const) {
    using o = device.ones([2, 3], { dtype });
    expect(o.dtype).toBe(dtype);
    expect(o.shape).toEqual([2, 3]);
    expect(Array.from(await o.toArray())).toEqual([1, 1, 1, 1, 1, 1]);
  }
  using d = device.ones([]);
  expect(d.shape).toEqual([]);
  expect(await d.item()).toBe(1);
  using e = device.ones([0, 4]);
  expect(e.size).toBe(0);
  expect(() => device.ones([2], { dtype: 'f64' as never })).toThrow(DTypeError);
  expect(() => device.ones([2], { bogus: 1 } as never)).toThrow(ArgumentError);
  expect(() => device.ones([-1])).toThrow();
});
