/**
 * copy (np.copy) on the fixture's engine: the values of x in C order, a new plain array of x's shape and
 * dtype with storage of its own (writes to either side never show in the other), for plain arrays,
 * views (a slice, a transpose, a broadcast, a read-only broadcast), empty and size-1 inputs.
 */
import { expect } from 'vitest';
import { ArgumentError, copy, DestroyedError, DeviceArray } from '../../src/index.js';
import { expectArrayEqual, gpuTest } from '../fixture.js';

gpuTest('copy of a plain array: equal values, shape and dtype, and storage of its own', async ({ device }) => {
  for (const dtype of ['f32', 'i32', 'u32'] as const) {
    using x = device.array([1, 2, 3, 4, 5, 6], { dtype, shape: [2, 3] });
    using c = copy(x);
    expect(c).not.toBe(x);
    expect([c.shape, c.dtype, c.isPlain]).toEqual([[2, 3], dtype, true]);
    expectArrayEqual(await c.toArray(), [1, 2, 3, 4, 5, 6]);
    c.write([9, 9, 9, 9, 9, 9]); // writing the copy leaves x alone (np.copy's new storage)…
    expectArrayEqual(await x.toArray(), [1, 2, 3, 4, 5, 6]);
    x.write([7, 7, 7, 7, 7, 7]); // …and x's later writes do not show in the copy
    expectArrayEqual(await c.toArray(), [9, 9, 9, 9, 9, 9]);
  }
});

gpuTest('copy of views gathers them in C order (np.copy(x[1:]), np.copy(x.T), np.copy(np.broadcast_to(…)))', async ({ device }) => {
  using x = device.array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], { shape: [3, 4] });
  using rows = x.slice([1, 3]);
  using t = x.T;
  using row = device.array([1, 2, 3, 4]);
  using b = row.broadcastTo([3, 4]);
  const cases: [string, DeviceArray, readonly number[], readonly number[]][] = [
    ['x[1:3]', rows, [2, 4], [4, 5, 6, 7, 8, 9, 10, 11]],
    ['x.T', t, [4, 3], [0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]],
    ['broadcast_to(row, (3, 4))', b, [3, 4], [1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3, 4]],
  ];
  for (const [what, v, shape, want] of cases) {
    using c = copy(v);
    expect([c.shape, c.isPlain], what).toEqual([shape, true]);
    expectArrayEqual(await c.toArray(), want);
    c.write(new Array<number>(c.length).fill(-1)); // a broadcast's copy is writable, and writes stay in it
    expectArrayEqual(await v.toArray(), want);
  }
  expectArrayEqual(await x.toArray(), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
});

gpuTest('copy of empty, size-1 and 0-d arrays', async ({ device }) => {
  using e = device.zeros([0, 3]);
  using ce = copy(e);
  expect([ce.shape, ce.length]).toEqual([[0, 3], 0]);
  expect((await ce.toArray()).length).toBe(0);
  using one = device.array([42], 'i32');
  using c1 = copy(one);
  expect(c1.shape).toEqual([1]);
  expectArrayEqual(await c1.toArray(), [42]);
  using base = device.array([5]);
  using s = base.reshape([]);
  using c0 = copy(s);
  expect(c0.shape).toEqual([]);
  expectArrayEqual(await c0.toArray(), [5]);
});

gpuTest('copy refuses what is not a live DeviceArray, and extra arguments', ({ device }) => {
  expect(() => copy(null as unknown as DeviceArray)).toThrow(/^copy: x must be a DeviceArray, got null/);
  const d = device.array([1, 2]);
  d.destroy();
  expect(() => copy(d)).toThrow(DestroyedError);
  using x = device.array([1, 2]);
  expect(() => (copy as (...a: unknown[]) => unknown)(x, { order: 'C' })).toThrow(ArgumentError);
});
