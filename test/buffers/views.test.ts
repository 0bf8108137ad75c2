/**
 * n-d arrays and views on the device (both engines), against NumPy: random view chains read back the
 * elements NumPy's views hold; ops read views through a gather; writes into a region move only that
 * region; a base destroyed under its views keeps their memory alive; factories match NumPy's.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { add, ArgumentError, DestroyedError, ShapeError, sum, type DeviceArray } from '../../src/index.js';
import { expectArrayEqual, gpuTest } from '../fixture.js';
import { numpy, npOut } from '../ops/helpers.js';
import { makeCase, NP_APPLY, type Case } from './view-chains.js';

function decode(a: ArrayLike<number>): unknown {
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(a)));
}

/** Applies a chain; returns the last view and every array made on the way (destroy them after use). */
function applyDevice(x: DeviceArray, c: Case): { view: DeviceArray; made: DeviceArray[] } {
  let cur = x;
  const made: DeviceArray[] = [];
  for (const op of c.ops) {
    cur =
      op.t === 'perm'
        ? cur.transpose(op.axes)
        : op.t === 'slice'
          ? cur.slice(...op.specs)
          : op.t === 'bcast'
            ? cur.broadcastTo(op.shape)
            : op.t === 'expand'
              ? cur.expandDims(op.axis)
              : op.t === 'squeeze'
                ? cur.squeeze(op.axis)
                : cur.reshape(op.shape);
    made.push(cur);
  }
  return { view: cur, made };
}

gpuTest('random view chains read back exactly the elements NumPy\'s views hold (f32 and i32)', { timeout: 60_000 }, async ({ device }) => {
  const cases = fc.sample(fc.integer({ min: 1, max: 2 ** 31 - 1 }), { numRuns: 60, seed: 424242 }).map(makeCase);
  const code = `${NP_APPLY}
cases = json.loads(${JSON.stringify(JSON.stringify(cases))})
res = []
for c in cases:
    a = np.arange(int(np.prod(c['base'])), dtype=np.float64).reshape(c['base']) * 3 - 7
    a, _ = apply_chain(a, c['ops'])
    res.append({'shape': list(a.shape), 'values': a.ravel().tolist()})
out['meta'] = np.frombuffer(json.dumps(res).encode(), dtype=np.uint8).astype(np.uint32)
`;
  const want = decode(npOut(numpy(code, {}), 'meta')) as { shape: number[]; values: number[] }[];
  for (const [k, c] of cases.entries()) {
    const n = c.base.reduce((a, b) => a * b, 1);
    const data = Float32Array.from({ length: n }, (_, i) => i * 3 - 7);
    for (const dtype of ['f32', 'i32'] as const) {
      using x = device.array(dtype === 'f32' ? data : Int32Array.from(data), { shape: c.base });
      const { view: v, made } = applyDevice(x, c);
      const what = `case ${k} ${dtype}: ${JSON.stringify(c)}`;
      expect(v.shape, what).toEqual(want[k]?.shape);
      expectArrayEqual(await v.toArray(), want[k]?.values ?? []);
      for (const m of made.reverse()) m.destroy();
    }
  }
});

gpuTest('ops read views through a gather: sum of a transpose, add of two offset slices', async ({ device }) => {
  const a = Float32Array.from({ length: 6 * 7 }, (_, i) => (i % 11) - 5);
  const b = Float32Array.from({ length: 6 * 7 }, (_, i) => (i % 5) * 2);
  const r = numpy(
    `
a = inp['a'].astype(np.float64).reshape(6, 7); b = inp['b'].astype(np.float64).reshape(6, 7)
out['s'] = np.array([a.T[:, ::-2].sum()])
out['add'] = (a[1:, ::2] + b[:-1, ::2]).ravel()
out['col'] = a[:, 3]
`,
    { a, b },
  );
  using x = device.array(a, { shape: [6, 7] });
  using y = device.array(b, { shape: [6, 7] });
  using xt = x.T.slice(null, [null, null, -2]);
  using s = sum(xt);
  expect(await s.item()).toBe(npOut(r, 's')[0]);
  using xs = x.slice([1], [null, null, 2]);
  using ys = y.slice([null, -1], [null, null, 2]);
  expect(xs.shape).toEqual([5, 4]);
  using z = add(xs, ys);
  expectArrayEqual(await z.toArray(), npOut(r, 'add'));
  using col = x.slice(null, 3);
  expectArrayEqual(await col.toArray(), npOut(r, 'col'));
  // Outputs must be plain arrays (both engines): a view as `out` is refused before anything runs.
  using outView = x.slice([0, 5], [0, 4]);
  expect(() => add(xs, ys, outView)).toThrow(ArgumentError);
});

gpuTest('writes into a region move only that region; broadcast views are read-only', async ({ device }) => {
  const base = Float32Array.from({ length: 5 * 6 }, (_, i) => i);
  using x = device.array(base, { shape: [5, 6] });
  x.set([[1, 4], [null, null, 2]], [100, 101, 102, 103, 104, 105, 106, 107, 108]);
  using rev = x.slice(4, [null, null, -1]);
  rev.write([-1, -2, -3, -4, -5, -6]);
  const r = numpy(
    `
x = inp['x'].astype(np.float64).reshape(5, 6)
x[1:4, ::2] = np.arange(100, 109).reshape(3, 3)
x[4, ::-1] = -np.arange(1, 7)
out['x'] = x.ravel()
`,
    { x: base },
  );
  expectArrayEqual(await x.toArray(), npOut(r, 'x'));
  using row = device.array([1, 2, 3, 4, 5, 6]);
  using b = row.broadcastTo([3, 6]);
  expect(b.writable).toBe(false);
  expect(() => b.write(new Float32Array(18))).toThrow(ArgumentError);
  expectArrayEqual(await b.toArray(), [...[1, 2, 3, 4, 5, 6], ...[1, 2, 3, 4, 5, 6], ...[1, 2, 3, 4, 5, 6]]);
});

gpuTest('a slice readback moves only its own elements', async ({ device }) => {
  if (device.info.engine !== 'dawn') {
    // On gpujs a readback copies host memory: the view's own elements only, by construction.
    using x = device.array(new Float32Array(1 << 16).fill(2));
    using v = x.slice([100, 107]);
    expectArrayEqual(await v.toArray(), [2, 2, 2, 2, 2, 2, 2]);
    return;
  }
  using x = device.arange(1 << 20, undefined, 1, 'f32');
  using v = x.slice([1000, null, 100_000]); // 11 elements of a 4 MiB array
  const p = await device.profile(() => v.toArray());
  expectArrayEqual(p.result, Array.from({ length: 11 }, (_, i) => 1000 + i * 100_000));
  expect(p.phases.download.bytes).toBe(11 * 4);
});

gpuTest('views borrow their base: destroying the base makes them throw DestroyedError, never read reused memory', async ({ device }) => {
  const before = device.memory.inUseBytes;
  const h = Float32Array.from({ length: 4096 }, (_, i) => i);
  const x = device.array(h, { shape: [64, 64] });
  const t = x.T;
  const s = x.slice([10, 20]);
  expect(t.isView && s.isView).toBe(true);
  const tt = await t.toArray();
  expect([tt[1], tt[64]]).toEqual([64, 1]);
  using tSum = sum(t); // queued work on the view ...
  const held = device.memory.inUseBytes;
  x.destroy(); // ... then the base goes: its memory waits for that work, and the views die with it
  expect(device.memory.inUseBytes).toBeLessThan(held);
  expect(await tSum.item()).toBe(h.reduce((a, v) => a + v, 0));
  const others = Array.from({ length: 4 }, () => device.array(new Float32Array(4096).fill(-1)));
  await expect(t.toArray()).rejects.toThrow(DestroyedError);
  expect(() => sum(s)).toThrow(DestroyedError);
  expect(t.destroyed && s.destroyed).toBe(true);
  t.destroy();
  s.destroy();
  for (const o of others) o.destroy();
  // A chain of views needs no destroy of its own: only owners hold memory.
  tSum.destroy();
  expect(device.memory.inUseBytes).toBe(before);
  using y = device.array(h, { shape: [64, 64] });
  const withY = device.memory.inUseBytes;
  const chained = y.T.slice([null, null, 2]).reshape(-1);
  expect(chained.isView).toBe(false); // this reshape had to copy: the copy is an owner
  chained.destroy();
  expect(device.memory.inUseBytes).toBe(withY);
});

gpuTest('factories match NumPy: arange, linspace, eye, full, array with a shape', async ({ device }) => {
  const r = numpy(
    `
out['ar'] = np.arange(-3, 4.5, 0.75, dtype=np.float64).astype(np.float32)
out['ls'] = np.linspace(-1, 2, 7).astype(np.float32)
out['eye'] = np.eye(3, 5, k=1, dtype=np.int32).ravel()
`,
    {},
  );
  using ar = device.arange(-3, 4.5, 0.75);
  expectArrayEqual(await ar.toArray(), npOut(r, 'ar'));
  using ls = device.linspace(-1, 2, 7);
  expectArrayEqual(await ls.toArray(), npOut(r, 'ls'));
  using e = device.eye(3, 5, 1, 'i32');
  expect(e.shape).toEqual([3, 5]);
  expectArrayEqual(await e.toArray(), npOut(r, 'eye'));
  using f = device.full([2, 3], 7.5);
  expect(f.shape).toEqual([2, 3]);
  expect(f.strides).toEqual([3, 1]);
  expect(f.ndim).toBe(2);
  expect(f.size).toBe(6);
  expectArrayEqual(await f.toArray(), [7.5, 7.5, 7.5, 7.5, 7.5, 7.5]);
});

gpuTest('bad views: wrong reshape sizes and incompatible broadcasts are ShapeErrors, bad axes ArgumentErrors', ({ device }) => {
  using x = device.zeros([2, 3]);
  expect(() => x.reshape(4, 2)).toThrow(ShapeError);
  expect(() => x.reshape(-1, -1)).toThrow(ShapeError);
  expect(() => x.broadcastTo([4, 2])).toThrow(ShapeError);
  expect(() => x.transpose([0, 0])).toThrow(ArgumentError);
  expect(() => x.expandDims(4)).toThrow(ArgumentError);
  expect(() => x.squeeze(0)).toThrow(ShapeError);
  expect(() => x.slice(2)).toThrow(ArgumentError);
  using r = x.reshape(3, -1);
  expect(r.shape).toEqual([3, 2]);
});

gpuTest('f16 views (2-byte elements) gather and scatter exactly, where the device has shader-f16', async ({ device }) => {
  if (!device.info.features.includes('shader-f16')) {
    expect(() => device.zeros(4, 'f16')).toThrow();
    return;
  }
  const h = Float32Array.from({ length: 5 * 3 }, (_, i) => i - 7); // exact in f16
  using x = device.array(h, { dtype: 'f16', shape: [5, 3] });
  using t = x.T.slice(null, [null, null, -2]);
  const want = [];
  for (let c = 0; c < 3; c++) for (const r of [4, 2, 0]) want.push(h[r * 3 + c] ?? NaN);
  expectArrayEqual(await t.toArray(), want);
  t.write([0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5]);
  const after = Array.from(h);
  let k = 0;
  for (let c = 0; c < 3; c++) for (const r of [4, 2, 0]) after[r * 3 + c] = 0.5 + k++;
  expectArrayEqual(await x.toArray(), after);
});
