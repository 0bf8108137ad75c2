/**
 * An op that fails fails even when its result is empty: reading back a zero-length result waits for the
 * op's verdict like any readback and throws its typed error — never `[]` in its place. On Dawn an index
 * is checked on the GPU and the verdict arrives with the batch (before the fix an empty readback returned
 * at once, before it); gpujs checks on its queue. Both engines give the same error.
 */
import { expect } from 'vitest';
import { ArgumentError, scatterAdd, take } from '../../src/index.js';
import { expectArrayEqual, gpuTest } from '../fixture.js';

gpuTest('take and scatterAdd with an out-of-range index fail even when nothing is gathered or scattered', async ({ device }) => {
  for (const [shape, index, axis] of [
    [[0, 3], 5, 1], // no rows: the result [0, 1] is empty, the index still out of range
    [[2, 0], 7, 0], // rows without columns: the result [1, 0] is empty
    [[0, 3], -4, 1],
  ] as const) {
    const what = `take(zeros([${shape.join(', ')}]), [${index}], axis ${axis})`;
    using x = device.zeros([...shape]);
    using i = device.array(new Int32Array([index]));
    using r = take(x, i, axis); // the index is checked on the device's queue (Dawn: on the GPU)
    expect(r.length, what).toBe(0);
    await expect(r.toArray(), what).rejects.toThrow(ArgumentError);
    await expect(r.toArray(), what).rejects.toThrow(/take: 1 index is out of range/);
    await expect(device.sync(), what).rejects.toThrow(/take: 1 index is out of range/); // reported once
  }
  // An empty view at an offset (not plain) of a failed result: its readback fails too.
  {
    using x = device.zeros([2, 0]);
    using i = device.array(new Int32Array([7, 7]));
    using r = take(x, i, 0); // [2, 0]
    using v = r.slice(1); // shape [0] at offset 1
    expect(v.isPlain).toBe(false);
    await expect(v.toArray()).rejects.toThrow(/take: 2 indices are out of range/);
    await expect(device.sync()).rejects.toThrow(ArgumentError);
  }
  using t = device.zeros([0, 3]);
  using i = device.array(new Int32Array([5]));
  using v = device.zeros([0, 1]);
  scatterAdd(t, i, v, 1);
  await expect(t.toArray()).rejects.toThrow(/scatterAdd: 1 index is out of range for axis 1 of extent 3/);
  await expect(device.sync()).rejects.toThrow(ArgumentError);
});

gpuTest('an empty result of a valid op still reads back as empty, and an in-range take of no rows too', async ({ device }) => {
  using x = device.zeros([0, 3]);
  using i = device.array(new Int32Array([2, -1]));
  using r = take(x, i, 1);
  expect(r.shape).toEqual([0, 2]);
  expectArrayEqual(await r.toArray(), []);
});

gpuTest('memory a failed op left behind carries no failure to the next array that reuses it', async ({ device }) => {
  using x = device.array([1, 2, 3]);
  using bad = device.array(new Int32Array([9, 9, 9, 9]));
  const r = take(x, bad); // fails: every index is out of range
  await expect(r.toArray()).rejects.toThrow(/take: 4 indices are out of range/);
  await expect(device.sync()).rejects.toThrow(ArgumentError);
  r.destroy();
  await device.sync();
  // Arrays of r's size now: one of them gets r's memory from the pool, and must be as valid as any other.
  const fresh = Array.from({ length: 4 }, () => device.zeros([4]));
  try {
    for (const f of fresh) expectArrayEqual(await f.toArray(), [0, 0, 0, 0]);
    using i = device.array(new Int32Array([2, 0]));
    const taken = fresh.map((f) => take(f, i));
    for (const t of taken) {
      expectArrayEqual(await t.toArray(), [0, 0]);
      t.destroy();
    }
  } finally {
    for (const f of fresh) f.destroy();
  }
});
