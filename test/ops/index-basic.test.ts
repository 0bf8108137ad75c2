/**
 * Basic indexing as the standard defines it, against NumPy: `x.slice(...)` with integers (negative; out of
 * range an IndexError), slices with negative steps past both ends (NumPy's clipping), an ellipsis ('...') and
 * 'newaxis' (NumPy's None); and `x.set(specs, value)` with NumPy's broadcasting — a number, host data (flat,
 * of another shape, nested), a DeviceArray (a view, a broadcast, one overlapping the target) — on both engines.
 */
import { expect } from 'vitest';
import { ArgumentError, DTypeError, ellipsis, IndexError, newaxis, ShapeError, type SliceSpec } from '../../src/index.js';
import { expectArrayEqual, gpuTest } from '../fixture.js';
import { npOut, numpy } from './helpers.js';

const X = Float32Array.from({ length: 60 }, (_, i) => i * 1.5 - 20);

/** NumPy's index, written in Python, and the same index as slice specs. */
const INDEXES: readonly [string, readonly SliceSpec[]][] = [
  ['x[1]', [1]],
  ['x[-1, -2]', [-1, -2]],
  ['x[..., 0]', ['...', 0]],
  ['x[..., ::-1]', [ellipsis, [null, null, -1]]],
  ['x[1, ...]', [1, '...']],
  ['x[...]', ['...']],
  ['x[None]', [newaxis]],
  ['x[:, None, 1]', [null, 'newaxis', 1]],
  ['x[..., None]', ['...', 'newaxis']],
  ['x[None, ..., None, 2]', ['newaxis', '...', 'newaxis', 2]],
  ['x[::-1, 10:-10:-2]', [[null, null, -1], [10, -10, -2]]],
  ['x[-100:100:3, -1:-100:-1]', [[-100, 100, 3], [-1, -100, -1]]],
  ['x[5:, :, 7:2]', [[5], null, [7, 2]]],
  ['x[1:2, ::-4, -3::-2]', [[1, 2], [null, null, -4], [-3, null, -2]]],
  ['x[2, 1:, None, ::-1]', [2, [1], 'newaxis', [null, null, -1]]],
];

gpuTest('slice with integers, clipped slices, ellipsis and newaxis: shape and values as NumPy', async ({ device }) => {
  const code = 'x = inp["x"].reshape(3, 4, 5)\n' + INDEXES.map(([py], k) => `out['v${k}'] = ${py}\nout['s${k}'] = np.array(${py}.shape, dtype=np.int32)`).join('\n');
  const ref = numpy(code, { x: X });
  using x = device.array(X, { shape: [3, 4, 5] });
  for (const [k, [py, specs]] of INDEXES.entries()) {
    using v = x.slice(...specs);
    expect([...v.shape], py).toEqual([...npOut(ref, `s${k}`)]);
    expectArrayEqual(await v.toArray(), npOut(ref, `v${k}`));
  }
});

gpuTest('bad indexes: IndexError out of range, ArgumentError for the rest', ({ device }) => {
  using x = device.array(X, { shape: [3, 4, 5] });
  expect(() => x.slice(3)).toThrow(IndexError);
  expect(() => x.slice(-4)).toThrow(/index -4 is out of range for axis 0 of extent 3/);
  expect(() => x.slice(0, 0, 5)).toThrow(IndexError);
  expect(() => x.slice(0, 0, 0, 0)).toThrow(IndexError);
  expect(() => x.slice('...', 0, '...')).toThrow(/at most one ellipsis/);
  expect(() => x.slice(0.5)).toThrow(ArgumentError);
  expect(() => x.slice('None' as SliceSpec)).toThrow(ArgumentError);
  expect(() => x.slice([0, 1, 0])).toThrow(/step must be a non-zero integer/);
  expect(new IndexError('x')).toBeInstanceOf(ArgumentError); // code catching ArgumentError keeps working
});

gpuTest('set broadcasts a number, host data and DeviceArrays into the region, as NumPy assignment', async ({ device }) => {
  const code = `
x = inp["x"].reshape(3, 4, 5).copy()
x[1] = 7
x[:, 0] = [1, 2, 3, 4, 5]
x[..., -1] = np.array([[9], [8], [7]])
x[2, ::-2, 1:3] = [[-1, -2], [-3, -4]]
x[0, 1:] = x[0, :-1].copy()
x[:, :, 2] = x[:, :, 3].T.T[::-1]
x[None, 1, :2, :2] = np.float32(-0.0)
out['x'] = x
`;
  const ref = numpy(code, { x: X });
  using x = device.array(X, { shape: [3, 4, 5] });
  x.set([1], 7);
  x.set([null, 0], [1, 2, 3, 4, 5]);
  x.set(['...', -1], [[9], [8], [7]]);
  x.set([2, [null, null, -2], [1, 3]], [[-1, -2], [-3, -4]]);
  using prev = x.slice(0, [null, -1]);
  x.set([0, [1]], prev); // overlapping source: read in full first
  using col = x.slice(null, null, 3);
  using rev = col.slice([null, null, -1]);
  x.set([null, null, 2], rev);
  x.set(['newaxis', 1, [0, 2], [0, 2]], -0);
  const got = await x.toArray();
  expectArrayEqual(got, npOut(ref, 'x'));
  expect(Object.is(got[20], -0)).toBe(true);
});

gpuTest('set into a transposed target, from a broadcast DeviceArray and nested typed rows; i32 extremes', async ({ device }) => {
  using m = device.zeros([3, 4], { dtype: 'i32' });
  using t = m.T; // writable: a transpose of a plain array
  using row = device.array([-2147483648, 2147483647, 5], { dtype: 'i32' });
  t.set([[1, 3]], row); // m.T[1:3] = row  →  m[:, 1:3] = row[:, None]
  m.set([[0, 1], [0, 1]], [new Int32Array([42])]);
  expect(() => m.set([0, 0], [new Int32Array([42])])).toThrow(ShapeError); // [1, 1] does not broadcast to a 0-d region
  const ref = numpy('m = np.zeros((3, 4), np.int32)\nrow = np.array([-2147483648, 2147483647, 5], np.int32)\nm.T[1:3] = row\nm[0, 0] = 42\nout["m"] = m', {});
  expectArrayEqual(await m.toArray(), npOut(ref, 'm'));
});

gpuTest('set refuses what does not broadcast or does not fit, before writing anything', async ({ device }) => {
  using x = device.array(X.slice(0, 12), { shape: [3, 4] });
  using i = device.array([1, 2, 3, 4], { dtype: 'i32' });
  using b = x.broadcastTo([2, 3, 4]);
  const before = device.memory.inUseBytes;
  expect(() => x.set([0], [1, 2, 3])).toThrow(ShapeError);
  expect(() => x.set([null, 0], [[1, 2, 3]])).toThrow(ShapeError);
  expect(() => x.set([0], i)).toThrow(DTypeError);
  expect(() => x.set([0], 0.5)).not.toThrow();
  expect(() => i.set([0], 0.5)).toThrow(DTypeError);
  expect(() => i.set([0], 2 ** 32)).toThrow(DTypeError);
  expect(() => x.set([5], 1)).toThrow(IndexError);
  expect(() => b.set([0], 1)).toThrow(/read-only/);
  expect(() => x.set(0 as never, 1)).toThrow(ArgumentError);
  expect(device.memory.inUseBytes).toBe(before);
  const got = await x.toArray();
  expectArrayEqual(got, [0.5, 0.5, 0.5, 0.5, ...X.slice(4, 12)]);
});
