/**
 * One convention for everything that makes an array from nothing (issue 25 item 4): a method of the device,
 * NumPy's positional arguments, then an options object (`device.zeros(shape, { dtype })`,
 * `device.eye(n, { m, k, dtype })`, `device.random.uniform(shape, { seed, offset })`). Shapes, dtypes and
 * values as NumPy's np.zeros / np.full / np.arange / np.linspace / np.eye give them; the old forms (a
 * positional dtype, `random.uniform(device, n, opts)`) give the same arrays; unknown option keys are
 * ArgumentErrors naming the function and the key; `size` is NumPy's `x.size` (`length` its old alias). Both engines.
 */
import { describe, expect } from 'vitest';
import { ArgumentError, DTypeError, random, ShapeError, type DeviceArray, type DType } from '../../src/index.js';
import { expectArrayEqual, gpuTest } from '../fixture.js';
import { numpy } from '../ops/helpers.js';

const NP: Record<DType, string> = { f32: 'np.float32', i32: 'np.int32', u32: 'np.uint32', f16: 'np.float16', bool: 'np.bool_' };

/** Each case: what it makes, and the NumPy expression that makes the same array (cast to the case's dtype). */
const CASES: readonly (readonly [label: string, make: (d: import('../../src/index.js').GpuDevice) => DeviceArray, np: string, dtype: DType])[] = [
  ['zeros([2, 3], { dtype: i32 })', (d) => d.zeros([2, 3], { dtype: 'i32' }), 'np.zeros((2, 3), dtype=np.int32)', 'i32'],
  ['zeros(4)', (d) => d.zeros(4), 'np.zeros(4)', 'f32'],
  ['zeros([])', (d) => d.zeros([]), 'np.zeros(())', 'f32'],
  ['zeros([0, 3], { dtype: u32 })', (d) => d.zeros([0, 3], { dtype: 'u32' }), 'np.zeros((0, 3), dtype=np.uint32)', 'u32'],
  ['full([2, 2], 7, { dtype: u32 })', (d) => d.full([2, 2], 7, { dtype: 'u32' }), 'np.full((2, 2), 7, dtype=np.uint32)', 'u32'],
  ['full(3, -1.5)', (d) => d.full(3, -1.5), 'np.full(3, -1.5)', 'f32'],
  ['full([2, 1, 2], -4, {})', (d) => d.full([2, 1, 2], -4, {}), 'np.full((2, 1, 2), -4)', 'i32'], // an integer value infers i32
  ['full(2, -4, { dtype: f32 })', (d) => d.full(2, -4, { dtype: 'f32' }), 'np.full(2, -4.0)', 'f32'],
  ['empty([3, 0], { dtype: i32 })', (d) => d.empty([3, 0], { dtype: 'i32' }), 'np.empty((3, 0), dtype=np.int32)', 'i32'],
  ['empty([2, 2], { dtype: u32 }) reads zeros', (d) => d.empty([2, 2], { dtype: 'u32' }), 'np.zeros((2, 2), dtype=np.uint32)', 'u32'],
  ['arange(5, { dtype: i32 })', (d) => d.arange(5, { dtype: 'i32' }), 'np.arange(5, dtype=np.int32)', 'i32'],
  ['arange(2, 7, { dtype: u32 })', (d) => d.arange(2, 7, { dtype: 'u32' }), 'np.arange(2, 7, dtype=np.uint32)', 'u32'],
  ['arange(3, -3, -2, { dtype: i32 })', (d) => d.arange(3, -3, -2, { dtype: 'i32' }), 'np.arange(3, -3, -2, dtype=np.int32)', 'i32'],
  ['arange(0, 1, 0.25)', (d) => d.arange(0, 1, 0.25), 'np.arange(0, 1, 0.25)', 'f32'],
  ['arange(-3, 4.5, 0.75, {})', (d) => d.arange(-3, 4.5, 0.75, {}), 'np.arange(-3, 4.5, 0.75)', 'f32'],
  ['arange(4, 1)', (d) => d.arange(4, 1), 'np.arange(4, 1)', 'i32'], // integer arguments infer i32
  ['arange(6)', (d) => d.arange(6), 'np.arange(6)', 'i32'],
  ['arange(0, 3, { dtype: f32 })', (d) => d.arange(0, 3, { dtype: 'f32' }), 'np.arange(0.0, 3.0)', 'f32'],
  ['linspace(0, 1, 4, { endpoint: false })', (d) => d.linspace(0, 1, 4, { endpoint: false }), 'np.linspace(0, 1, 4, endpoint=False)', 'f32'],
  ['linspace(-1, 2, 7)', (d) => d.linspace(-1, 2, 7), 'np.linspace(-1, 2, 7)', 'f32'],
  ['linspace(0, 10, 4, { dtype: i32 })', (d) => d.linspace(0, 10, 4, { dtype: 'i32' }), 'np.linspace(0, 10, 4, dtype=np.int32)', 'i32'],
  ['linspace(-3.5, 3, 5, { dtype: i32 }) (floor)', (d) => d.linspace(-3.5, 3, 5, { dtype: 'i32' }), 'np.linspace(-3.5, 3, 5, dtype=np.int32)', 'i32'],
  ['eye(3, { dtype: i32 })', (d) => d.eye(3, { dtype: 'i32' }), 'np.eye(3, dtype=np.int32)', 'i32'],
  ['eye(3, { m: 4, k: 1 })', (d) => d.eye(3, { m: 4, k: 1 }), 'np.eye(3, M=4, k=1)', 'f32'],
  ['eye(3, 4, 1, { dtype: u32 })', (d) => d.eye(3, 4, 1, { dtype: 'u32' }), 'np.eye(3, 4, 1, dtype=np.uint32)', 'u32'],
  ['eye(3, 5, { k: -2 })', (d) => d.eye(3, 5, { k: -2 }), 'np.eye(3, 5, k=-2)', 'f32'],
  ['eye(2, { k: 5 })', (d) => d.eye(2, { k: 5 }), 'np.eye(2, k=5)', 'f32'],
  ['array(…, { dtype: i32, shape: [2, 3] })', (d) => d.array([1, -2, 3, -4, 5, -6], { dtype: 'i32', shape: [2, 3] }), 'np.array([1, -2, 3, -4, 5, -6], dtype=np.int32).reshape(2, 3)', 'i32'],
];

describe('factories: NumPy argument order and a trailing options object', () => {
  gpuTest('shapes, dtypes and values as NumPy gives them', async ({ device }) => {
    const code = CASES.map(([, , np, dtype], i) => `a = np.asarray(${np}).astype(${NP[dtype]})\nout['v${i}'] = a.ravel().astype(np.float64)\nout['s${i}'] = np.array(a.shape, dtype=np.int32)\n`).join('');
    const want = numpy(code, {});
    for (const [i, [label, make, , dtype]] of CASES.entries()) {
      using a = make(device);
      expect(a.shape, label).toEqual(Array.from(want[`s${i}`] ?? []));
      expect(a.dtype, label).toBe(dtype);
      expectArrayEqual(await a.toArray(), want[`v${i}`] ?? []);
    }
  });

  gpuTest('the old forms (a positional dtype) make the same arrays as the options forms', async ({ device }) => {
    const pairs: [string, () => DeviceArray, () => DeviceArray][] = [
      ['zeros', () => device.zeros([2, 2], 'i32'), () => device.zeros([2, 2], { dtype: 'i32' })],
      ['full', () => device.full(3, 9, 'u32'), () => device.full(3, 9, { dtype: 'u32' })],
      ['empty', () => device.empty(4, 'u32', { uninitialized: false }), () => device.empty(4, { dtype: 'u32', uninitialized: false })],
      ['arange', () => device.arange(-2, 2, 1, 'i32'), () => device.arange(-2, 2, 1, { dtype: 'i32' })],
      ['arange(n, undefined, 1, dtype)', () => device.arange(6, undefined, 1, 'u32'), () => device.arange(6, { dtype: 'u32' })],
      ['eye', () => device.eye(3, 3, -1, 'u32'), () => device.eye(3, { k: -1, dtype: 'u32' })],
      ['array', () => device.array([1, 2, 3, 4], 'i32', [2, 2]), () => device.array([1, 2, 3, 4], { dtype: 'i32', shape: [2, 2] })],
    ];
    for (const [what, oldForm, newForm] of pairs) {
      using a = oldForm();
      using b = newForm();
      expect([a.shape, a.dtype], what).toEqual([b.shape, b.dtype]);
      expectArrayEqual(await a.toArray(), await b.toArray());
    }
  });

  gpuTest('an unknown option key is an ArgumentError naming the function and the key', ({ device }) => {
    const d = device as unknown as Record<string, (...a: unknown[]) => unknown>;
    const r = device.random as unknown as Record<string, (...a: unknown[]) => unknown>;
    const call = (f: ((...a: unknown[]) => unknown) | undefined, self: unknown, ...a: unknown[]) => () => f?.apply(self, a);
    for (const [re, f] of [
      [/^zeros: unknown options key dtyp\b/, call(d['zeros'], device, [2], { dtyp: 'i32' })],
      [/^full: unknown options key bogus\b/, call(d['full'], device, 2, 1, { bogus: 1 })],
      [/^empty: unknown options key bogus\b/, call(d['empty'], device, 2, { dtype: 'i32', bogus: 1 })],
      [/^arange: unknown options key step\b/, call(d['arange'], device, 0, 3, { step: 1 })],
      [/^linspace: unknown options key num\b/, call(d['linspace'], device, 0, 1, 3, { num: 3 })],
      [/^eye: unknown options key n\b/, call(d['eye'], device, 2, { n: 3 })],
      [/^array: unknown options key bogus\b/, call(d['array'], device, [1], { bogus: 1 })],
      [/^random\.uniform: unknown options key sed\b/, call(r['uniform'], device.random, 2, { sed: 1 })],
      [/^random\.normal: unknown options key low\b/, call(r['normal'], device.random, [2, 2], { low: 0 })],
      [/^random\.u32: unknown options key dtype\b/, call(r['u32'], device.random, 2, { dtype: 'u32' })],
      // Anything after the options object would be ignored: refused too.
      [/^zeros: takes/, call(d['zeros'], device, 2, {}, 'i32')],
      [/^arange: takes/, call(d['arange'], device, 0, 4, {}, 'f32')],
      [/^eye: takes/, call(d['eye'], device, 2, {}, 0)],
      [/^random\.uniform: takes/, call(r['uniform'], device.random, 2, {}, 3)],
      [/^eye: m given twice/, call(d['eye'], device, 2, 3, 0, { m: 3 })],
    ] as const) {
      expect(f, String(re)).toThrow(ArgumentError);
      expect(f).toThrow(re);
    }
    expect(() => device.zeros(2, { dtype: 'f64' as DType })).toThrow(DTypeError);
    expect(() => device.arange(3, { dtype: 'f64' as DType })).toThrow(/^arange: unknown dtype "f64"/);
    expect(() => device.random.uniform([2, -1])).toThrow(ShapeError);
    expect(() => device.random.uniform([2, 1.5])).toThrow(/^random\.uniform: shape\[1\] must be a non-negative integer/);
    // The old form takes a length only; a shape goes to device.random.
    expect(() => random.uniform(device, [2, 3] as unknown as number)).toThrow(ShapeError);
    expect(device.memory.inUseBytes).toBe(0);
  });
});

describe('device.random: a shape, NumPy Generator style; the same stream as the old form', () => {
  gpuTest('device.random.X(shape, opts) is random.X(device, n, opts) reshaped, bit for bit', async ({ device }) => {
    const bits = async (a: DeviceArray): Promise<number[]> => {
      const h = await a.toArray();
      return Array.from(h instanceof Float32Array ? new Uint32Array(h.buffer, h.byteOffset, h.length) : h);
    };
    const cases: [string, readonly number[], () => DeviceArray, () => DeviceArray][] = [
      ['uniform [2, 3]', [2, 3], () => device.random.uniform([2, 3], { seed: 7 }), () => random.uniform(device, 6, { seed: 7 })],
      ['normal [3, 2, 2] at an offset', [3, 2, 2], () => device.random.normal([3, 2, 2], { seed: 11n, offset: 5 }), () => random.normal(device, 12, { seed: 11n, offset: 5 })],
      ['u32 [5]', [5], () => device.random.u32([5], { seed: 3 }), () => random.u32(device, 5, { seed: 3 })],
      ['u32 9 (a length)', [9], () => device.random.u32(9, { seed: 3, offset: 2 }), () => random.u32(device, 9, { seed: 3, offset: 2 })],
      ['uniform [] (0-d: one element)', [], () => device.random.uniform([], { seed: 1 }), () => random.uniform(device, 1, { seed: 1 })],
      ['uniform [4, 0] (empty)', [4, 0], () => device.random.uniform([4, 0]), () => random.uniform(device, 0)],
      ['uniform 5, no options', [5], () => device.random.uniform(5), () => random.uniform(device, 5)],
    ];
    for (const [what, shape, make, old] of cases) {
      using a = make();
      using b = old();
      expect(a.shape, what).toEqual(shape);
      expect(a.dtype, what).toBe(b.dtype);
      expect(await bits(a), what).toEqual(await bits(b));
    }
  });
});

describe('size is NumPy\'s x.size; length its deprecated alias, the same number', () => {
  gpuTest('0-d, empty, n-d arrays and views', ({ device }) => {
    using s0 = device.zeros([]);
    using e = device.zeros([3, 0, 2]);
    using e1 = device.zeros(0);
    using m = device.zeros([2, 3, 4]);
    using t = m.T;
    using sl = m.slice([0, 1], null, [1, 3]);
    using b = device.zeros([1, 3]);
    using bc = b.broadcastTo([5, 3]);
    for (const [what, x, want] of [['0-d', s0, 1], ['[3, 0, 2]', e, 0], ['[0]', e1, 0], ['[2, 3, 4]', m, 24], ['a transpose', t, 24], ['a slice', sl, 6], ['a broadcast', bc, 15]] as const) {
      expect(x.size, what).toBe(want);
      expect(x.length, what).toBe(x.size);
    }
  });
});
