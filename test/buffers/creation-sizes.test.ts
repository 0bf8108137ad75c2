/**
 * full / arange / linspace / eye of a size past the memory budget or the device's limits: a typed error
 * before any host data is built (issue 24 item 6). Before, they built their data first — a JavaScript array
 * or typed array of that length: arange(2^28) died of a V8 fatal heap error, 2^33 elements threw a raw
 * RangeError. Their values (against closed forms) and the integer checks are unchanged. Both engines.
 */
import { expect } from 'vitest';
import { DTypeError, GpukitError } from '../../src/index.js';
import { expectArrayEqual, gpuTest } from '../fixture.js';

gpuTest('a creation past the limits is a typed error, with no host data built first', ({ device }) => {
  const huge = 2 ** 33; // elements: no typed array or JS array of that length can be made
  for (const [what, make] of [
    ['arange(2^33)', () => device.arange(huge)],
    ['arange(0, 2^33, 1, i32)', () => device.arange(0, huge, 1, 'i32')],
    ['linspace(0, 1, 2^33)', () => device.linspace(0, 1, huge)],
    ['full([2^17, 2^16], 1)', () => device.full([2 ** 17, 2 ** 16], 1)],
    ['eye(2^17)', () => device.eye(2 ** 17)],
  ] as const) {
    expect(make, what).toThrow(GpukitError);
  }
  expect(device.memory.inUseBytes).toBe(0);
});

gpuTest('full / arange / linspace / eye values, and their integer checks', async ({ device }) => {
  const cases: [string, () => { toArray(): Promise<ArrayLike<number>>; destroy(): void }, number[]][] = [
    ['arange(5)', () => device.arange(5), [0, 1, 2, 3, 4]],
    ['arange(3, -3, -2)', () => device.arange(3, -3, -2), [3, 1, -1]],
    ['arange(0, 1, 0.25)', () => device.arange(0, 1, 0.25), [0, 0.25, 0.5, 0.75]],
    ['arange(-2, 2, 1, i32)', () => device.arange(-2, 2, 1, 'i32'), [-2, -1, 0, 1]],
    ['arange(0)', () => device.arange(0), []],
    ['linspace(0, 1, 5)', () => device.linspace(0, 1, 5), [0, 0.25, 0.5, 0.75, 1]],
    ['linspace(2, 3, 1)', () => device.linspace(2, 3, 1), [2]],
    ['eye(3, 4, 1)', () => device.eye(3, 4, 1), [0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]],
    ['eye(3, 3, -1, u32)', () => device.eye(3, 3, -1, 'u32'), [0, 0, 0, 1, 0, 0, 0, 1, 0]],
    ['eye(2, 2, 5)', () => device.eye(2, 2, 5), [0, 0, 0, 0]],
    ['full([2, 2], 7, u32)', () => device.full([2, 2], 7, 'u32'), [7, 7, 7, 7]],
    ['full(3, -Infinity)', () => device.full(3, -Infinity), [-Infinity, -Infinity, -Infinity]],
  ];
  for (const [what, make, want] of cases) {
    const a = make();
    try {
      expectArrayEqual(await a.toArray(), want);
    } catch (e) {
      throw new Error(`${what}: ${(e as Error).message}`, { cause: e });
    } finally {
      a.destroy();
    }
  }
  expect(() => device.arange(0, 2, 0.5, 'i32')).toThrow(DTypeError);
  expect(() => device.arange(0, 2, 0.5, 'i32')).toThrow(/arange: element 1 is 0.5, not an integer/);
  expect(() => device.arange(2 ** 31 - 1, 2 ** 31 + 1, 1, 'i32')).toThrow(/element 1 is 2147483648, outside i32's range/);
  expect(() => device.full(2, -1, 'u32')).toThrow(DTypeError);
  expect(() => device.full(2, 1.5, 'i32')).toThrow(/full: element 0 is 1.5, not an integer/);
  expect(device.memory.inUseBytes).toBe(0);
});
