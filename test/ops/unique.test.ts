/**
 * uniqueValues / uniqueCounts / uniqueInverse / uniqueAll match numpy.array_api's unique_* (np.unique with
 * equal_nan=False) on both engines: values bit for bit (every NaN its own value, ±0 one value), i32 indices,
 * inverse indices in x's shape, counts; f32 / i32 / u32 / bool, n-d and transposed inputs, size 1, empty,
 * all-equal, the dtypes' extremes.
 */
import { expect, vi } from 'vitest';
import { ArgumentError, uniqueAll, uniqueCounts, uniqueInverse, uniqueValues, type DeviceArray, type DType } from '../../src/index.js';
import { gpuTest } from '../fixture.js';
import { numpy, npOut, type NpArray } from './helpers.js';

const CASES: { shape: number[]; dtype: DType; data: number[] }[] = [
  { shape: [12], dtype: 'f32', data: [3, NaN, -0, 1.5, 0, 3, NaN, -Infinity, Infinity, 1.5, -0, 2 ** -140] },
  { shape: [3, 4], dtype: 'f32', data: [0, -0, 0, 5, 5, 5, -1, 2, 2, -1, 7, 0] },
  { shape: [1], dtype: 'f32', data: [-0] },
  { shape: [5], dtype: 'f32', data: [4, 4, 4, 4, 4] },
  { shape: [2, 2, 3], dtype: 'i32', data: [2147483647, -2147483648, 0, 0, 5, -5, 5, 2147483647, 1, -1, 0, 9] },
  { shape: [7], dtype: 'u32', data: [4294967295, 0, 7, 7, 4294967295, 1, 0] },
  { shape: [2, 3], dtype: 'bool', data: [1, 0, 1, 1, 0, 0] },
];

function hostOf(c: (typeof CASES)[number]): NpArray {
  return c.dtype === 'f32' ? Float32Array.from(c.data) : c.dtype === 'i32' ? Int32Array.from(c.data) : Uint32Array.from(c.data);
}

/** Bits of f32 values (so NaN and −0 compare exactly); other dtypes as they are. */
function bits(a: ArrayLike<number>, dtype: DType): number[] {
  return dtype === 'f32' ? Array.from(new Uint32Array(Float32Array.from(a).buffer)) : Array.from(a);
}

gpuTest('unique_* match numpy.array_api (NaN distinct, ±0 one value, n-d, bool, extremes)', async ({ device }) => {
  const inputs: Record<string, NpArray> = {};
  CASES.forEach((c, k) => (inputs[`x${k}`] = hostOf(c)));
  const meta = JSON.stringify(CASES.map((c) => [c.shape, c.dtype]));
  const ref = numpy(
    `
import numpy.array_api as xp
import warnings
warnings.simplefilter('ignore')
for k, (shape, dt) in enumerate(${meta}):
    a = inp[f'x{k}'].reshape(shape)
    x = xp.asarray(a.astype(bool) if dt == 'bool' else a)
    r = xp.unique_all(x)
    v = np.asarray(r.values)
    out[f'v{k}'] = (v.astype(np.uint32) if dt == 'bool' else v).ravel()
    out[f'i{k}'] = np.asarray(r.indices).astype(np.int32)
    out[f'n{k}'] = np.asarray(r.inverse_indices).astype(np.int32).ravel()
    out[f'c{k}'] = np.asarray(r.counts).astype(np.int32)
    out[f'vv{k}'] = np.asarray(xp.unique_values(x)).astype(np.float64).ravel()
`,
    inputs,
  );
  for (const [k, c] of CASES.entries()) {
    const what = `${c.dtype} [${c.shape.join(', ')}]`;
    using x = device.array(hostOf(c), { dtype: c.dtype, shape: c.shape });
    const all = await uniqueAll(x);
    using values = all.values;
    using indices = all.indices;
    using inverse = all.inverseIndices;
    using counts = all.counts;
    expect(values.dtype, what).toBe(c.dtype);
    expect(bits(await values.toArray(), c.dtype), `${what} values`).toEqual(bits(npOut(ref, `v${k}`), c.dtype));
    expect(indices.dtype).toBe('i32');
    expect(Array.from(await indices.toArray()), `${what} indices`).toEqual(Array.from(npOut(ref, `i${k}`)));
    expect(inverse.shape, `${what} inverse shape`).toEqual(c.shape);
    expect(Array.from(await inverse.toArray()), `${what} inverse`).toEqual(Array.from(npOut(ref, `n${k}`)));
    expect(Array.from(await counts.toArray()), `${what} counts`).toEqual(Array.from(npOut(ref, `c${k}`)));
    // The three smaller forms give the same parts. (unique_values sorts without a stable argsort in NumPy, so
    // which of −0 / +0 it keeps is NumPy's choice: compared as numbers.)
    using v = await uniqueValues(x);
    expect(Array.from(await v.toArray(), Number), `${what} uniqueValues`).toEqual(Array.from(npOut(ref, `vv${k}`)));
    const cc = await uniqueCounts(x);
    using cv = cc.values;
    using cn = cc.counts;
    expect(Array.from(await cn.toArray()), `${what} uniqueCounts`).toEqual(Array.from(npOut(ref, `c${k}`)));
    const ii = await uniqueInverse(x);
    using iv = ii.values;
    using ix = ii.inverseIndices;
    expect(Array.from(await ix.toArray()), `${what} uniqueInverse`).toEqual(Array.from(npOut(ref, `n${k}`)));
    expect(cv.size + iv.size).toBe(2 * values.size);
  }
});

gpuTest('unique_* of a transposed view, of an empty array, and bad input', async ({ device }) => {
  using m = device.array([[3, 1], [1, 2], [3, 3]]); // (3, 2)
  const t = m.T; // [[3, 1, 3], [1, 2, 3]] in C order: 3, 1, 3, 1, 2, 3
  const r = await uniqueAll(t);
  using values = r.values;
  using indices = r.indices;
  using inverse = r.inverseIndices;
  using counts = r.counts;
  expect(Array.from(await values.toArray())).toEqual([1, 2, 3]);
  expect(Array.from(await indices.toArray())).toEqual([1, 4, 0]);
  expect(inverse.shape).toEqual([2, 3]);
  expect(Array.from(await inverse.toArray())).toEqual([2, 0, 2, 0, 1, 2]);
  expect(Array.from(await counts.toArray())).toEqual([2, 1, 3]);
  t.destroy();

  using e = device.zeros([0, 3]);
  const er = await uniqueAll(e);
  using ev = er.values;
  using ei = er.indices;
  using en = er.inverseIndices;
  using ec = er.counts;
  expect(ev.shape).toEqual([0]);
  expect(en.shape).toEqual([0, 3]);
  expect(ei.size + ec.size).toBe(0);
  // The smaller forms of an empty array make only what they return (the fixture's leak check sees the rest).
  using evs = await uniqueValues(e);
  const ecs = await uniqueCounts(e);
  using ecv = ecs.values;
  using ecc = ecs.counts;
  const eis = await uniqueInverse(e);
  using eiv = eis.values;
  using eii = eis.inverseIndices;
  expect([evs.size, ecv.size, ecc.size, eiv.size, eii.shape]).toEqual([0, 0, 0, 0, [0, 3]]);

  expect(() => uniqueValues(5 as never)).toThrow(ArgumentError);
  using h = device.zeros([2]);
  expect(() => (uniqueValues as (...a: unknown[]) => unknown)(h, 1)).toThrow(ArgumentError);
});

gpuTest('each unique_* reads back once: the count of distinct values, nothing else', async ({ device }) => {
  using x = device.array(Float32Array.from([5, 1, 5, NaN, 2, 1, -0, 0]), { shape: [2, 4] });
  const read = vi.spyOn(x.backend, 'read');
  try {
    const all = await uniqueAll(x);
    expect(read).toHaveBeenCalledTimes(1);
    using values = all.values;
    using indices = all.indices;
    using inverse = all.inverseIndices;
    using counts = all.counts;
    read.mockClear();
    // Reference: np.unique(equal_nan=False) by hand — sorted distinct values (each NaN its own, ±0 one, the first −0).
    expect(bits(await values.toArray(), 'f32')).toEqual(bits([-0, 1, 2, 5, NaN], 'f32'));
    expect(Array.from(await indices.toArray())).toEqual([6, 1, 4, 0, 3]);
    expect(Array.from(await inverse.toArray())).toEqual([3, 1, 3, 4, 2, 1, 0, 0]);
    expect(Array.from(await counts.toArray())).toEqual([2, 2, 1, 2, 1]);
    read.mockClear();
    const parts: DeviceArray[] = [];
    for (const [name, f] of [
      ['uniqueValues', async () => parts.push(await uniqueValues(x))],
      ['uniqueCounts', async () => parts.push(...Object.values(await uniqueCounts(x)))],
      ['uniqueInverse', async () => parts.push(...Object.values(await uniqueInverse(x)))],
    ] as const) {
      await f();
      expect(read, name).toHaveBeenCalledTimes(1);
      read.mockClear();
    }
    for (const a of parts) a.destroy();
  } finally {
    read.mockRestore();
  }
});
