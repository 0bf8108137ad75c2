/**
 * A broadcast view is read-only, and so is every view taken from it (a row, a transpose, a reshape or
 * squeeze that does not copy): writing through one would change the array it was broadcast from. Every
 * way of writing — `write`, `set`, being an op's output, an in-place op, a scatter target, a builder's
 * output — is an ArgumentError naming the function, on both engines, and the base keeps its values.
 */
import { expect } from 'vitest';
import { add, ArgumentError, axpy, clip, exp, gt, map, maximum, scale, scatterAdd, where, type DeviceArray, type GpuDevice } from '../../src/index.js';
import { expectArrayEqual, gpuTest } from '../fixture.js';

const BASE = [1, 2, 3];

/** Views derived from `b` (a [4, 3] broadcast of BASE), each with a shape of three elements. */
function derived(b: DeviceArray): { name: string; view: DeviceArray; rest: DeviceArray[] }[] {
  const t = b.transpose();
  const e = b.slice(1).expandDims(0);
  const r = b.slice([1, 2]).reshape([3]);
  const c = b.slice(3).contiguous(); // plain already: a view of the same memory
  return [
    { name: 'b.slice(2)', view: b.slice(2), rest: [] },
    { name: 'b.slice(-1, null)', view: b.slice(-1, null), rest: [] },
    { name: 'b.transpose().slice(null, 0)', view: t.slice(null, 0), rest: [t] },
    { name: 'b.slice(1).expandDims(0).squeeze()', view: e.squeeze(), rest: [e] },
    { name: 'b.slice([1, 2]).reshape([3])', view: r, rest: [] },
    { name: 'b.slice(3).contiguous()', view: c, rest: [] },
  ];
}

async function expectBaseIntact(x: DeviceArray): Promise<void> {
  expectArrayEqual(await x.toArray(), BASE);
}

gpuTest('every view derived from a broadcast view is read-only: write and set throw, the base keeps its values', async ({ device }) => {
  using x = device.array(BASE);
  using b = x.broadcastTo([4, 3]);
  expect(b.writable).toBe(false);
  expect(() => b.set([2], [7, 8, 9])).toThrow(/set: .*read-only/);
  expect(() => b.set([2], [7, 8, 9])).toThrow(ArgumentError);
  for (const d of derived(b)) {
    try {
      expect(d.view.shape.reduce((p, q) => p * q, 1), d.name).toBe(3);
      expect(d.view.writable, d.name).toBe(false);
      expect(() => d.view.write([7, 8, 9]), d.name).toThrow(ArgumentError);
      expect(() => d.view.write([7, 8, 9]), d.name).toThrow(/write: .*read-only/);
      expect(() => d.view.set([], [7, 8, 9]), d.name).toThrow(/set: .*read-only/);
    } finally {
      d.view.destroy();
      for (const a of d.rest) a.destroy();
    }
  }
  await expectBaseIntact(x);
  expectArrayEqual(await b.toArray(), [...BASE, ...BASE, ...BASE, ...BASE]);
});

/** The ways an op writes into an array it is given. */
const WRITERS: readonly { name: string; run: (device: GpuDevice, v: DeviceArray, y: DeviceArray) => unknown }[] = [
  { name: 'add(y, y, out)', run: (_, v, y) => add(y, y, v) },
  { name: 'add(v, y, v) in place', run: (_, v, y) => add(v, y, v) },
  { name: 'scale(v, 2, v) in place', run: (_, v) => scale(v, 2, v) },
  { name: 'axpy(2, y, v)', run: (_, v, y) => axpy(2, y, v) },
  { name: 'map(y, expr, out)', run: (_, v, y) => map(y, 'x * 3', v) },
  { name: 'exp(y, out)', run: (_, v, y) => exp(y, v) },
  { name: 'maximum(y, v, v) in place', run: (_, v, y) => maximum(y, v, v) },
  { name: 'clip(v, 0, 1, v) in place', run: (_, v) => clip(v, 0, 1, v) },
  {
    name: 'where(mask, y, y, out)',
    run: (_, v, y) => {
      using mask = gt(y, v); // a u32 mask
      return where(mask, y, y, v);
    },
  },
  {
    name: 'scatterAdd(v, ...)',
    run: (device, v) => {
      using i = device.array(new Int32Array([0, 2]));
      using vals = device.array([5, 5]);
      return scatterAdd(v, i, vals);
    },
  },
  {
    name: 'a builder output',
    run: async (device, v, y) => {
      const f = await device.elementwise({ args: 'x: T[], z: T[]', body: 'z = x + 1' });
      return f(y, v);
    },
  },
];

gpuTest('a read-only view as an op\'s output or in-place operand is an ArgumentError, and nothing is written', async ({ device }) => {
  using x = device.array(BASE);
  using y = device.array([10, 20, 30]);
  using b = x.broadcastTo([4, 3]);
  for (const w of WRITERS) {
    using row = b.slice(2); // plain (offset 0, stride 1): a kernel could bind it directly
    expect(row.isPlain).toBe(true);
    let err: unknown;
    try {
      await w.run(device, row, y);
    } catch (e) {
      err = e;
    }
    expect(err, w.name).toBeInstanceOf(ArgumentError);
    expect(String(err), w.name).toMatch(/read-only/);
    await expectBaseIntact(x);
  }
  // The same ops into a fresh array work: the refusal is about the view, not the op.
  using fresh = device.empty([3]);
  add(y, y, fresh);
  expectArrayEqual(await fresh.toArray(), [20, 40, 60]);
});

gpuTest('a copy of a read-only view is writable again (a reshape that copies, an op\'s result)', async ({ device }) => {
  using x = device.array(BASE);
  using b = x.broadcastTo([2, 3]);
  using t = b.transpose();
  using flat = t.reshape([6]); // not expressible as a view of a transposed broadcast: a copy
  expect(flat.isView).toBe(false);
  expect(flat.writable).toBe(true);
  flat.write([6, 5, 4, 3, 2, 1]);
  expectArrayEqual(await flat.toArray(), [6, 5, 4, 3, 2, 1]);
  using s = add(b, b);
  expect(s.writable).toBe(true);
  await expectBaseIntact(x);
});

gpuTest('the copy methods refuse a read-only destination too, and leave the base as it was', async ({ device }) => {
  using x = device.array(new Float32Array([1, 2, 3, 4]));
  using src = device.array(new Float32Array([9, 9, 9, 9]));
  using b = x.broadcastTo([3, 4]);
  expect(() => { src.copyInto(b.slice(1), 0); }).toThrow(ArgumentError);
  if (device.info.engine === 'dawn') expect(() => { src.copyRangeTo(b.slice(1), 0); }).toThrow(/copyRangeTo: the destination .* is read-only/);
  expect(Array.from(await x.toArray())).toEqual([1, 2, 3, 4]);
});
