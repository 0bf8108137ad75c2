/**
 * The standard's manipulation functions and the creation functions built the same way, against NumPy
 * (Debian's 1.24): concat, stack, expandDims, squeeze, flip, roll, permuteDims, reshape, broadcastTo,
 * broadcastArrays, pad, matrixTranspose / x.mT, tril, triu, meshgrid, zerosLike/onesLike/fullLike/emptyLike.
 * Inputs reach the edges: empty arrays and axes of extent 0, size 1, 0-d, negative axes, non-contiguous views
 * (transposes, reversed and stepped slices, broadcasts), i32 / u32 extremes; bad arguments are typed errors
 * thrown before anything is allocated. Every case runs on the fixture's engine (both engines in CI).
 */
import { expect } from 'vitest';
import {
  ArgumentError,
  broadcastArrays,
  broadcastTo,
  concat,
  DTypeError,
  emptyLike,
  expandDims,
  flip,
  fullLike,
  matrixTranspose,
  meshgrid,
  onesLike,
  pad,
  permuteDims,
  reshape,
  roll,
  ShapeError,
  squeeze,
  stack,
  take,
  tril,
  triu,
  zerosLike,
  type DeviceArray,
  type GpuDevice,
} from '../../src/index.js';
import { expectArrayEqual, gpuTest } from '../fixture.js';
import { npOut, numpy } from './helpers.js';

const X = Float32Array.from({ length: 24 }, (_, i) => (i - 7.5) * (i % 3 === 0 ? -1 : 1));
const I = new Int32Array([-2147483648, 2147483647, 0, -1, 5, 6]);
const U = new Uint32Array([4294967295, 0, 1, 2147483648]);

const PRELUDE = `
x = inp['x'].reshape(2, 3, 4)
i = inp['i'].reshape(2, 3)
u = inp['u'].reshape(2, 2)
e = np.zeros((0, 3), np.float32)
m = x[1].T.copy()      # (4, 3)
def put(k, v):
    v = np.asarray(v)
    out[k] = v
    out[k + '_s'] = np.array(v.shape, dtype=np.int32)
`;

interface Inputs {
  x: DeviceArray<'f32'>;
  i: DeviceArray<'i32'>;
  u: DeviceArray<'u32'>;
  e: DeviceArray<'f32'>;
  m: DeviceArray<'f32'>;
}

/** A case: NumPy's expression and gpukit's, which returns one array (or several, compared in order). */
type Case = readonly [name: string, py: string, js: (a: Inputs) => DeviceArray | DeviceArray[]];

const CASES: readonly Case[] = [
  ['concat0', 'np.concatenate([x, x[:1]], 0)', ({ x }) => withViews(x.slice([0, 1]), (v) => concat([x, v]))],
  ['concatNeg', 'np.concatenate([x.transpose(1, 0, 2), x[:, ::-1, :].transpose(1, 0, 2)], axis=-2)', ({ x }) => withViews(x.transpose(1, 0, 2), x.slice(null, [null, null, -1]), (a, b) => withViews(b.transpose(1, 0, 2), (bt) => concat([a, bt], { axis: -2 })))],
  ['concatLast', 'np.concatenate([x, x[..., ::2]], axis=2)', ({ x }) => withViews(x.slice('...', [null, null, 2]), (v) => concat([x, v], { axis: 2 }))],
  ['concatNone', 'np.concatenate([x[0].T, x[1, ::2]], axis=None)', ({ x }) => withViews(x.slice(0), x.slice(1, [null, null, 2]), (a, b) => withViews(a.T, (at) => concat([at, b], { axis: null })))],
  ['concatEmpty', 'np.concatenate([e, e], 0)', ({ e }) => concat([e, e])],
  ['concatEmpty1', 'np.concatenate([e, x[0, :, :3], e], 0)', ({ x, e }) => withViews(x.slice(0, null, [0, 3]), (v) => concat([e, v, e]))],
  ['concatI', 'np.concatenate([i, i[::-1]], 1)', ({ i }) => withViews(i.slice([null, null, -1]), (v) => concat([i, v], { axis: 1 }))],
  ['concatU', 'np.concatenate([u, u], None)', ({ u }) => concat([u, u], { axis: null })],
  ['stack0', 'np.stack([x[0], x[1]])', ({ x }) => withViews(x.slice(0), x.slice(1), (a, b) => stack([a, b]))],
  ['stackLast', 'np.stack([x[0], x[1].T.T, x[0][::-1]], axis=-1)', ({ x }) => withViews(x.slice(0), x.slice(1), x.slice(0, [null, null, -1]), (a, b, c) => stack([a, b, c], { axis: -1 }))],
  ['stack0d', 'np.stack([x[0, 0, 0], x[1, 2, 3]])', ({ x }) => withViews(x.slice(0, 0, 0), x.slice(1, 2, 3), (a, b) => stack([a, b]))],
  ['stackI', 'np.stack([i, i], 1)', ({ i }) => stack([i, i], { axis: 1 })],
  ['stackEmpty', 'np.stack([e, e], 2)', ({ e }) => stack([e, e], { axis: 2 })],
  ['expand', 'np.expand_dims(x, -1)', ({ x }) => expandDims(x, { axis: -1 })],
  ['expand0', 'np.expand_dims(x, 0)', ({ x }) => expandDims(x)],
  ['squeeze', 'np.squeeze(x[:, :1, :], 1)', ({ x }) => withViews(x.slice(null, [null, 1]), (v) => squeeze(v, { axis: 1 }))],
  ['squeezeAll', 'np.squeeze(x[:1, :1, :])', ({ x }) => withViews(x.slice([0, 1], [0, 1]), (v) => squeeze(v))],
  ['flipAll', 'np.flip(x)', ({ x }) => flip(x)],
  ['flip1', 'np.flip(x, 1)', ({ x }) => flip(x, { axis: 1 })],
  ['flip02', 'np.flip(x, (0, -1))', ({ x }) => flip(x, { axis: [0, -1] })],
  ['roll', 'np.roll(x, 5)', ({ x }) => roll(x, 5)],
  ['rollNeg', 'np.roll(x, -25)', ({ x }) => roll(x, -25)],
  ['rollAxis', 'np.roll(x, -1, axis=1)', ({ x }) => roll(x, -1, { axis: 1 })],
  ['rollAxes', 'np.roll(x, (1, 2), axis=(0, 2))', ({ x }) => roll(x, [1, 2], { axis: [0, 2] })],
  ['rollRepeat', 'np.roll(x, (1, 1), axis=(1, 1))', ({ x }) => roll(x, [1, 1], { axis: [1, 1] })],
  ['rollView', 'np.roll(x.transpose(2, 0, 1), 7)', ({ x }) => withViews(x.transpose(2, 0, 1), (v) => roll(v, 7))],
  ['rollViewAxis', 'np.roll(x[:, ::-1, 1:], 2, axis=-1)', ({ x }) => withViews(x.slice(null, [null, null, -1], [1]), (v) => roll(v, 2, { axis: -1 }))],
  ['rollEmpty', 'np.roll(e, 3, axis=0)', ({ e }) => roll(e, 3, { axis: 0 })],
  ['rollI', 'np.roll(i, 1)', ({ i }) => roll(i, 1)],
  ['permute', 'np.transpose(x, (2, 0, 1))', ({ x }) => permuteDims(x, [2, 0, 1])],
  ['permuteNeg', 'np.transpose(x, (-1, -3, -2))', ({ x }) => permuteDims(x, [-1, -3, -2])],
  ['reshape', 'np.reshape(x, (4, -1))', ({ x }) => reshape(x, [4, -1])],
  ['reshapeView', 'np.reshape(x.transpose(2, 1, 0), (6, 4))', ({ x }) => withViews(x.transpose(2, 1, 0), (v) => reshape(v, [6, 4]))],
  ['reshapeCopy', 'np.reshape(x, (24,))', ({ x }) => reshape(x, [24], { copy: true })],
  ['reshape0d', 'np.reshape(x[0, 0, :1], ())', ({ x }) => withViews(x.slice(0, 0, [0, 1]), (v) => reshape(v, []))],
  ['bcast', 'np.broadcast_to(x[0, :, :1], (2, 3, 5))', ({ x }) => withViews(x.slice(0, null, [0, 1]), (v) => broadcastTo(v, [2, 3, 5]))],
  ['mT', 'np.swapaxes(x, -1, -2)', ({ x }) => matrixTranspose(x)],
  ['mTattr', 'np.swapaxes(x[:, ::2], -1, -2)', ({ x }) => withViews(x.slice(null, [null, null, 2]), (v) => v.mT)],
  ['pad', 'np.pad(m, ((1, 2), (0, 3)), constant_values=-1)', ({ m }) => pad(m, [[1, 2], [0, 3]], { constantValue: -1 })],
  ['padInt', 'np.pad(x, 1)', ({ x }) => pad(x, 1)],
  ['padPair', 'np.pad(m.T, (2, 0))', ({ m }) => withViews(m.T, (v) => pad(v, [2, 0]))],
  ['padI', 'np.pad(i, ((0, 1), (1, 1)), constant_values=2147483647)', ({ i }) => pad(i, [[0, 1], [1, 1]], { constantValue: 2147483647 })],
  ['padEmpty', 'np.pad(e, ((1, 1), (0, 0)), constant_values=7)', ({ e }) => pad(e, [[1, 1], [0, 0]], { constantValue: 7 })],
  ['padZero', 'np.pad(x, 0)', ({ x }) => pad(x, 0)],
  ['padEdge', "np.pad(x, ((1, 0), (2, 1), (0, 3)), mode='edge')", ({ x }) => pad(x, [[1, 0], [2, 1], [0, 3]], { mode: 'edge' })],
  ['padReflect', "np.pad(x, ((1, 1), (2, 2), (3, 1)), mode='reflect')", ({ x }) => pad(x, [[1, 1], [2, 2], [3, 1]], { mode: 'reflect' })],
  ['padSym', "np.pad(x, ((2, 2), (3, 0), (4, 4)), mode='symmetric')", ({ x }) => pad(x, [[2, 2], [3, 0], [4, 4]], { mode: 'symmetric' })],
  ['padWrap', "np.pad(x, ((0, 2), (3, 3), (1, 4)), mode='wrap')", ({ x }) => pad(x, [[0, 2], [3, 3], [1, 4]], { mode: 'wrap' })],
  ['padReflectView', "np.pad(m.T[::-1], 2, mode='reflect')", ({ m }) => withViews(m.T, (t) => withViews(t.slice([null, null, -1]), (v) => pad(v, 2, { mode: 'reflect' })))],
  ['padEdgeI', "np.pad(i, (1, 2), mode='edge')", ({ i }) => pad(i, [1, 2], { mode: 'edge' })],
  ['padWrap0', "np.pad(x, 0, mode='wrap')", ({ x }) => pad(x, 0, { mode: 'wrap' })],
  ...[-4, -2, -1, 0, 1, 3, 5].flatMap((k): Case[] => [
    [`tril${k}`, `np.tril(x, ${k})`, ({ x }) => tril(x, { k })],
    [`triu${k}`, `np.triu(m, ${k})`, ({ m }) => triu(m, { k })],
  ]),
  ['trilView', 'np.tril(x.transpose(0, 2, 1), -1)', ({ x }) => withViews(x.transpose(0, 2, 1), (v) => tril(v, { k: -1 }))],
  ['triuI', 'np.triu(i)', ({ i }) => triu(i)],
  ['trilEmpty', 'np.tril(e)', ({ e }) => tril(e)],
  ['meshXY', 'np.meshgrid(x[0, 0], x[1, :, 0], x[0, :2, 1])', ({ x }) => withViews(x.slice(0, 0), x.slice(1, null, 0), x.slice(0, [0, 2], 1), (a, b, c) => meshgrid(a, b, c))],
  ['meshIJ', "np.meshgrid(x[0, 0], x[1, :, 0], indexing='ij')", ({ x }) => withViews(x.slice(0, 0), x.slice(1, null, 0), (a, b) => meshgrid(a, b, { indexing: 'ij' }))],
  ['mesh1', 'np.meshgrid(x[0, 0])', ({ x }) => withViews(x.slice(0, 0), (a) => meshgrid(a))],
  ['zerosLike', 'np.zeros_like(x[:, ::2])', ({ x }) => withViews(x.slice(null, [null, null, 2]), (v) => zerosLike(v))],
  ['onesLike', 'np.ones_like(i)', ({ i }) => onesLike(i)],
  ['fullLike', 'np.full_like(x, -np.inf)', ({ x }) => fullLike(x, -Infinity)],
  ['fullLikeU', 'np.full_like(x, 4294967295, dtype=np.uint32)', ({ x }) => fullLike(x, 4294967295, { dtype: 'u32' })],
  ['emptyLike', 'np.zeros_like(e)', ({ e }) => emptyLike(e)],
];

/** Runs `f` on views, destroying them after (the result may be a view of them: it stays valid). */
function withViews<R>(...args: [...DeviceArray[], (...v: DeviceArray[]) => R]): R {
  const f = args[args.length - 1] as (...v: DeviceArray[]) => R;
  const views = args.slice(0, -1) as DeviceArray[];
  try {
    return f(...views);
  } finally {
    for (const v of views) v.destroy();
  }
}

function inputs(device: GpuDevice): Inputs {
  const x = device.array(X, { shape: [2, 3, 4] });
  const m = device.array(Float32Array.from([0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11].map((k) => X[12 + k] ?? NaN)), { shape: [4, 3] });
  return { x, i: device.array(I, { shape: [2, 3] }), u: device.array(U, { shape: [2, 2] }), e: device.zeros([0, 3]), m };
}

gpuTest('every case matches NumPy: shape, dtype and values (exact)', async ({ device }) => {
  const code = PRELUDE + CASES.map(([name, py]) => `r = ${py}\nif isinstance(r, (list, tuple)):\n    for j, v in enumerate(r): put('${name}_' + str(j), v)\nelse: put('${name}', r)`).join('\n');
  const ref = numpy(code, { x: X, i: I, u: U });
  const a = inputs(device);
  try {
    for (const [name, , js] of CASES) {
      const r = js(a);
      const list = Array.isArray(r) ? r : [r];
      try {
        for (const [j, v] of list.entries()) {
          const key = Array.isArray(r) ? `${name}_${j}` : name;
          const want = npOut(ref, key);
          expect([...v.shape], `${name}: shape`).toEqual([...npOut(ref, `${key}_s`)]);
          expect(v.dtype, `${name}: dtype`).toBe(want instanceof Int32Array ? 'i32' : want instanceof Uint32Array ? 'u32' : 'f32');
          const got = await v.toArray();
          try {
            expectArrayEqual(got, want);
          } catch (e) {
            throw new Error(`${name}: ${(e as Error).message}`, { cause: e });
          }
        }
      } finally {
        for (const v of list) v.destroy();
      }
    }
  } finally {
    for (const v of Object.values(a) as DeviceArray[]) v.destroy();
  }
});

gpuTest('views stay views (no copy where NumPy gives a view); copies are writable and independent', async ({ device }) => {
  using x = device.array(X, { shape: [2, 3, 4] });
  for (const v of [expandDims(x, { axis: 1 }), flip(x), permuteDims(x, [1, 0, 2]), matrixTranspose(x), x.mT, reshape(x, [6, 4]), broadcastTo(x, [2, 2, 3, 4])]) {
    expect(v.isView).toBe(true);
    v.destroy();
  }
  const [a, b] = broadcastArrays(x, x.slice(0, 0)) as [DeviceArray, DeviceArray];
  expect([a.shape, b.shape, b.writable]).toEqual([[2, 3, 4], [2, 3, 4], false]);
  a.destroy();
  b.destroy();
  expect(meshgrid()).toEqual([]); // NumPy's meshgrid() is an empty list
  expect(meshgrid({ indexing: 'ij' })).toEqual([]);
  using c = concat([x, x]);
  expect(c.isView).toBe(false);
  c.set([0, 0, 0], 99);
  expect((await x.toArray())[0]).toBe(X[0]);
});

gpuTest('bad arguments are typed errors, thrown before any memory is taken', ({ device }) => {
  using x = device.array(X, { shape: [2, 3, 4] });
  using i = device.array(I, { shape: [2, 3] });
  using s1 = device.array([1]);
  using s = s1.reshape([]);
  using e0 = device.zeros([0, 3]);
  const before = device.memory.inUseBytes;
  const cases: [() => unknown, new (...a: never[]) => Error, RegExp][] = [
    [() => concat([x, i as unknown as DeviceArray<'f32'>]), DTypeError, /^concat: arrays\[1\] is i32 but arrays\[0\] is f32: mixed dtypes are refused/],
    [() => concat([]), ArgumentError, /at least one array/],
    [() => concat(x as never), ArgumentError, /must be a list of DeviceArrays/],
    [() => concat([x, x], { axis: 3 }), ArgumentError, /axis 3 is out of range for an array of 3 dimensions/],
    [() => concat([x, x], { axis: -4 }), ArgumentError, /out of range/],
    [() => concat([x, x.slice(0)]), ShapeError, /arrays\[1\] has 2 dimensions but arrays\[0\] has 3/],
    [() => concat([x, x.transpose(1, 0, 2)]), ShapeError, /may differ only along axis 0/],
    [() => concat([s, s]), ShapeError, /zero-dimensional/],
    [() => concat([x], { axis: 0, axes: 1 } as never), ArgumentError, /unknown options key axes/],
    [() => concat([x], { axis: 0.5 }), ArgumentError, /axis.*must be an integer or null/],
    [() => stack([x, x.slice(0)]), ShapeError, /stack needs one shape/],
    [() => stack([x], { axis: 4 }), ArgumentError, /out of range/],
    [() => expandDims(x, { axis: 4 }), ArgumentError, /out of range/],
    [() => expandDims(x, 1 as never), ArgumentError, /options must be an object/],
    [() => squeeze(x, { axis: 0 }), ShapeError, /axis 0 has extent 2, not 1/],
    [() => squeeze(x, { axis: 5 }), ArgumentError, /out of range/],
    [() => flip(x, { axis: [0, 0] }), ArgumentError, /repeats an axis/],
    [() => roll(x, 1.5), ArgumentError, /shift must be an integer/],
    [() => roll(x, [1, 2], { axis: [0, 1, 2] }), ArgumentError, /2 shifts for 3 axes/],
    [() => roll(x, [1, 2]), ArgumentError, /without an axis shift must be one integer/],
    [() => permuteDims(x, [0, 1]), ArgumentError, /must list each of the 3 axes once/],
    [() => permuteDims(x, [0, 1, 1]), ArgumentError, /repeats an axis/],
    [() => reshape(x, [5, -1]), ShapeError, /cannot reshape/],
    [() => reshape(x, [-1, -1]), ShapeError, /at most one dimension may be -1/],
    [() => reshape(x.transpose(), [24], { copy: false }), ArgumentError, /without a copy/],
    [() => broadcastTo(x, [3, 4]), ShapeError, /cannot broadcast/],
    [() => broadcastTo(x, [2, 5, 4]), ShapeError, /cannot broadcast/],
    [() => broadcastArrays(x, i), ShapeError, /cannot be broadcast together/],
    [() => matrixTranspose(x.slice(0, 0)), ShapeError, /at least 2 dimensions/],
    [() => x.slice(0, 0).mT, ShapeError, /at least 2 dimensions/],
    [() => pad(x, -1), ArgumentError, /must not be negative/],
    [() => pad(x, [[1, 1], [1, 1]]), ShapeError, /2 \[before, after\] pairs for an array of 3 dimensions/],
    [() => pad(x, [1, 2, 3]), ArgumentError, /padWidth must be/],
    [() => pad(x, 1, { mode: 'median' as 'constant' }), ArgumentError, /option 'mode' must be one of/],
    [() => pad(x, 2, { mode: 'reflect' }), ArgumentError, /mode 'reflect' pads axis 0 of extent 2 by \[2, 2\]; gpukit pads by at most 1/],
    [() => pad(x, [[0, 0], [0, 4], [0, 0]], { mode: 'wrap' }), ArgumentError, /at most 3/],
    [() => pad(x, 1, { mode: 'edge', constantValue: 1 }), ArgumentError, /constantValue is an option of mode 'constant' only/],
    [() => pad(e0, 1, { mode: 'edge' }), ShapeError, /axis 0 is empty/],
    [() => pad(i, 1, { constantValue: 0.5 }), DTypeError, /not an integer/],
    [() => pad(i, 1, { constantValue: 2 ** 31 }), DTypeError, /outside i32's range/],
    [() => tril(x.slice(0, 0)), ShapeError, /at least 2 dimensions/],
    [() => triu(x, { k: 0.5 }), ArgumentError, /option 'k' must be an integer/],
    [() => meshgrid(x), ShapeError, /meshgrid takes 1-d arrays/],
    [() => meshgrid(x.slice(0, 0), i.slice(0)), DTypeError, /mixed dtypes/],
    [() => meshgrid(x.slice(0, 0), { indexing: 'xx' as 'xy' }), ArgumentError, /indexing/],
    [() => fullLike(i, 0.5), DTypeError, /not an integer/],
    [() => fullLike(x, true), DTypeError, /a f32 array takes numbers/],
    [() => fullLike(i, false, { dtype: 'i32' }), DTypeError, /takes numbers/],
    [() => fullLike(i, 2, { dtype: 'bool' }), DTypeError, /a bool array takes true \/ false/],
    [() => fullLike(x, 'a' as never), ArgumentError, /fillValue must be a number \(or a boolean/],
    [() => fullLike(x, 1, { dtype: 'f64' as 'f32' }), ArgumentError, /dtype/],
    [() => zerosLike(null as never), ArgumentError, /x must be a DeviceArray/],
  ];
  for (const [f, type, message] of cases) {
    let thrown: unknown;
    try {
      const r = f() as DeviceArray | DeviceArray[] | undefined;
      for (const v of Array.isArray(r) ? r : r === undefined ? [] : [r]) v.destroy();
    } catch (e) {
      thrown = e;
    }
    expect(thrown, String(message)).toBeInstanceOf(type);
    expect((thrown as Error).message).toMatch(message);
  }
  expect(device.memory.inUseBytes).toBe(before);
});

gpuTest('large enough to cross the workgroup: concat and roll of 70,000 elements (non-contiguous input)', async ({ device }) => {
  const n = 70_001;
  const data = Float32Array.from({ length: 2 * n }, (_, k) => k);
  using x = device.array(data, { shape: [n, 2] });
  using col = x.slice(null, 1); // stride 2
  using r = roll(col, 12_345);
  using c = concat([col, r]);
  const ref = numpy('c = inp["x"].reshape(-1, 2)[:, 1]\nout["c"] = np.concatenate([c, np.roll(c, 12345)])', { x: data });
  expectArrayEqual(await c.toArray(), npOut(ref, 'c'));
});

gpuTest('f16 (2-byte elements, where the device has shader-f16): odd lengths and offsets assemble without touching neighbours', async ({ device }) => {
  if (!device.info.features.includes('shader-f16')) {
    expect(() => device.zeros([3], { dtype: 'f16' })).toThrow(DTypeError);
    return;
  }
  using a = device.array([1, 2, 3], { dtype: 'f16' });
  using b = device.array([4, 5, 6, 7, 8], { dtype: 'f16' });
  using c = concat([a, b, a]);
  expectArrayEqual(await c.toArray(), [1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3]);
  using r = roll(b, 3);
  expectArrayEqual(await r.toArray(), [6, 7, 8, 4, 5]);
  using p = pad(a, [1, 2], { constantValue: -1 });
  expectArrayEqual(await p.toArray(), [-1, 1, 2, 3, -1, -1]);
  using m = device.array([1, 2, 3, 4, 5, 6, 7, 8, 9], { dtype: 'f16', shape: [3, 3] });
  using t = tril(m, { k: -1 });
  expectArrayEqual(await t.toArray(), [0, 0, 0, 4, 0, 0, 7, 8, 0]);
  b.set([[1, 4]], a); // an odd-offset, odd-length region of an f16 array
  expectArrayEqual(await b.toArray(), [4, 1, 2, 3, 8]);
});

gpuTest('rows of 300 elements (the row-by-row copy path): concat along axis 1, pad, tril, roll, stack on row views', async ({ device }) => {
  const data = Float32Array.from({ length: 6 * 300 }, (_, k) => k * 0.5 - 100);
  const ref = numpy(`
x = inp['x'].reshape(6, 300)
out['c'] = np.concatenate([x[::2], x[1::2, ::-1], x[:3]], axis=1)
out['p'] = np.pad(x[1:4], ((1, 0), (2, 300)), constant_values=3)
out['t'] = np.tril(x, 150)
out['r'] = np.roll(x, 7, axis=1)
out['s'] = np.stack([x[0], x[5]], axis=0)
`, { x: data });
  using x = device.array(data, { shape: [6, 300] });
  using even = x.slice([null, null, 2]);
  using oddRev = x.slice([1, null, 2], [null, null, -1]);
  using head = x.slice([0, 3]);
  using mid = x.slice([1, 4]);
  using r0 = x.slice(0);
  using r5 = x.slice(5);
  const cases: [string, DeviceArray][] = [
    ['c', concat([even, oddRev, head], { axis: 1 })],
    ['p', pad(mid, [[1, 0], [2, 300]], { constantValue: 3 })],
    ['t', tril(x, { k: 150 })],
    ['r', roll(x, 7, { axis: 1 })],
    ['s', stack([r0, r5])],
  ];
  for (const [name, v] of cases) {
    try {
      expectArrayEqual(await v.toArray(), npOut(ref, name));
    } finally {
      v.destroy();
    }
  }
});

gpuTest('a failed input fails the assembled result (never read back as zeros): concat, pad and set from a failed take', async ({ device }) => {
  using x = device.array([1, 2, 3, 4]);
  using idx = device.array([0, 9], { dtype: 'i32' }); // 9 is out of range: take fails its output
  using bad = take(x, idx);
  using t = device.zeros([2]);
  // Either the call throws the input's error at once (a failure already known), or the result's readback does.
  const fails = async (what: string, f: () => DeviceArray): Promise<void> => {
    let r: DeviceArray | undefined;
    try {
      r = f();
    } catch (e) {
      expect(e, what).toBeInstanceOf(ArgumentError);
      return;
    }
    try {
      await expect(r.toArray(), what).rejects.toThrow(ArgumentError);
    } finally {
      if (r !== t) r.destroy();
    }
  };
  await fails('concat (before the failure is known)', () => concat([bad, x]));
  await fails('pad', () => pad(bad, 1));
  await fails('concat (after)', () => concat([x, bad, x]));
  await fails('set', () => t.set([null], bad));
  await device.sync().catch(() => undefined); // the take's error is reported once more by sync
});

gpuTest('fullLike with a boolean fill value makes a bool array of x\'s shape, as np.full_like (was an ArgumentError)', async ({ device }) => {
  const ref = numpy(`
m = inp['m'].reshape(2, 3).astype(bool)
out['t'] = np.full_like(m, True).ravel().astype(np.uint32); out['f'] = np.full_like(m, False).ravel().astype(np.uint32)
out['z'] = np.full_like(np.zeros((2, 3), np.float32), True, dtype=bool).ravel().astype(np.uint32)
`, { m: new Uint32Array([1, 0, 0, 1, 1, 0]) });
  using m = device.array([[true, false, false], [true, true, false]]);
  using x = device.zeros([2, 3]);
  using t = fullLike(m, true);
  using f = fullLike(m, false);
  using z = fullLike(x, true, { dtype: 'bool' });
  using m0 = device.zeros([0, 2], { dtype: 'bool' });
  using e = fullLike(m0, true);
  for (const [r, k] of [[t, 't'], [f, 'f'], [z, 'z']] as const) {
    expect([r.dtype, r.shape], k).toEqual(['bool', [2, 3]]);
    expectArrayEqual(await r.toArray(), npOut(ref, k));
  }
  expect([e.dtype, e.shape]).toEqual(['bool', [0, 2]]);
});
