/**
 * The public op API's one form, `op(inputs…, options?)`: for each op the options-object form gives what
 * the old positional form (kept, deprecated) gives, on the fixture's engine; NumPy's name and today's
 * name are one function; an unknown option key is an ArgumentError naming the op and the key.
 */
import { expect } from 'vitest';
import * as gk from '../../src/index.js';
import { ArgumentError, DeviceArray } from '../../src/index.js';
import { expectArrayEqual, gpuTest } from '../fixture.js';

type Fn = (...a: unknown[]) => unknown;
const fn = (name: string): Fn => (gk as unknown as Record<string, Fn>)[name] as Fn;

/** NumPy's name → today's name (the alias). */
const ALIASES: Readonly<Record<string, string>> = {
  subtract: 'sub',
  multiply: 'mul',
  divide: 'div',
  power: 'pow',
  negative: 'neg',
  equal: 'eq',
  notEqual: 'ne',
  less: 'lt',
  lessEqual: 'le',
  greater: 'gt',
  greaterEqual: 'ge',
};

const UNARY = ['negative', 'abs', 'exp', 'log', 'log1p', 'expm1', 'sqrt', 'rsqrt', 'sin', 'cos', 'tanh', 'sigmoid', 'relu', 'floor', 'ceil', 'round', 'sign'];
const BINARY = ['add', 'subtract', 'multiply', 'divide', 'power', 'maximum', 'minimum'];
const COMPARE = ['equal', 'notEqual', 'less', 'lessEqual', 'greater', 'greaterEqual'];

/** The message names the op (by either of its names) and the unknown key. */
function unknownKey(name: string, call: () => unknown): void {
  const names = [name, ALIASES[name]].filter((n) => n !== undefined).join('|');
  expect(call, name).toThrow(ArgumentError);
  expect(call, name).toThrow(new RegExp(`^(${names}): unknown options? keys? bogus`));
}

gpuTest("NumPy's names and today's are one function", () => {
  for (const [numpy, alias] of Object.entries(ALIASES)) {
    expect(typeof fn(numpy), numpy).toBe('function');
    expect(fn(alias), `${alias} is ${numpy}`).toBe(fn(numpy));
  }
});

gpuTest('elementwise and math ops: { out } gives what the positional out gives, and a new array without it', async ({ device }) => {
  using x = device.array([0.25, 0.5, 0.75, 2], { shape: [2, 2] });
  using y = device.array([1.5, 0.5, 2, 0.25], { shape: [2, 2] });
  using mask = gk.greater(x, y);
  const calls: [string, unknown[], 'f32' | 'u32'][] = [
    ...UNARY.map((n): [string, unknown[], 'f32'] => [n, [x], 'f32']),
    ...BINARY.map((n): [string, unknown[], 'f32'] => [n, [x, y], 'f32']),
    ...COMPARE.map((n): [string, unknown[], 'u32'] => [n, [x, y], 'u32']),
    ['scale', [x, 3], 'f32'],
    ['map', [x, 'x * x + 1.0'], 'f32'],
    ['clip', [x, 0.4, 1], 'f32'],
    ['where', [mask, x, y], 'f32'],
  ];
  for (const [name, args, dtype] of calls) {
    const f = fn(name);
    using a = device.zeros([2, 2], dtype);
    using b = device.zeros([2, 2], dtype);
    expect(f(...args, { out: a }), name).toBe(a);
    expect(f(...args, b), name).toBe(b);
    using fresh = f(...args, {}) as DeviceArray;
    using none = f(...args) as DeviceArray;
    const want = await b.toArray();
    expectArrayEqual(await a.toArray(), want);
    expectArrayEqual(await fresh.toArray(), want);
    expectArrayEqual(await none.toArray(), want);
    unknownKey(name, () => f(...args, { bogus: 1 }));
    unknownKey(name, () => f(...args, { out: a, bogus: 1 }));
  }
});

gpuTest('axis ops: softmax, logsumexp, cumsum, take and scatterAdd take { axis }', async ({ device }) => {
  using x = device.array([1, 2, 3, 4, 5, 6], { shape: [2, 3] });
  using idx = device.array([1, 0, 1], 'i32');
  const same = async (what: string, a: unknown, b: unknown): Promise<void> => {
    const [p, q] = [a as DeviceArray, b as DeviceArray];
    try {
      expect(p.shape, what).toEqual(q.shape);
      expectArrayEqual(await p.toArray(), await q.toArray());
    } finally {
      p.destroy();
      q.destroy();
    }
  };
  for (const axis of [0, 1, -1]) {
    await same(`softmax ${axis}`, gk.softmax(x, { axis }), gk.softmax(x, axis));
    await same(`logsumexp ${axis}`, gk.logsumexp(x, { axis, keepdims: true }), gk.logsumexp(x, axis, true));
    await same(`cumsum ${axis}`, gk.cumsum(x, { axis }), gk.cumsum(x, axis));
  }
  await same('softmax default', gk.softmax(x, {}), gk.softmax(x));
  await same('cumsum default', gk.cumsum(x, {}), gk.cumsum(x));
  await same('take axis 1', gk.take(x, idx, { axis: 1 }), gk.take(x, idx, 1));
  using rows = device.array([1, 1], 'i32');
  await same('take axis 0', gk.take(x, rows, { axis: 0 }), gk.take(x, rows, 0));
  await same('take flattened', gk.take(x, idx, {}), gk.take(x, idx));
  using t1 = device.zeros([2, 3]);
  using t2 = device.zeros([2, 3]);
  using v = device.array([1, 2, 3, 4, 5, 6], { shape: [2, 3] });
  expect(gk.scatterAdd(t1, idx, v, { axis: 1 })).toBe(t1);
  expect(gk.scatterAdd(t2, idx, v, 1)).toBe(t2);
  expectArrayEqual(await t1.toArray(), await t2.toArray());
  unknownKey('softmax', () => gk.softmax(x, { bogus: 1 } as never));
  unknownKey('cumsum', () => gk.cumsum(x, { bogus: 1 } as never));
  expect(() => gk.cumsum(x, { axis: 0, exclusive: true } as never)).toThrow(/^cumsum: unknown options key exclusive/); // scan's option, not NumPy's cumsum's
  unknownKey('take', () => gk.take(x, idx, { bogus: 1 } as never));
  unknownKey('scatterAdd', () => gk.scatterAdd(t1, idx, v, { bogus: 1 } as never));
  expect(() => gk.logsumexp(x, { bogus: 1 } as never)).toThrow(/^logsumexp: unknown option bogus/);
});

gpuTest('segmentSum and segmentMax take { numSegments }; transpose takes { rows, cols } or a 2-D array alone', async ({ device }) => {
  using values = device.array([1, 5, 2, 7, 3]);
  using ids = device.array([0, 2, 0, 1, 2], 'i32');
  for (const name of ['segmentSum', 'segmentMax']) {
    const f = fn(name);
    using a = f(values, ids, { numSegments: 3 }) as DeviceArray;
    using b = f(values, ids, 3) as DeviceArray;
    expect(a.shape).toEqual([3]);
    expectArrayEqual(await a.toArray(), await b.toArray());
    unknownKey(name, () => f(values, ids, { numSegments: 3, bogus: 1 }));
    expect(() => f(values, ids, {}), name).toThrow(new RegExp(`^${name}: missing option 'numSegments'`));
  }
  using flat = device.array([1, 2, 3, 4, 5, 6], 'i32');
  using m = device.array([1, 2, 3, 4, 5, 6], { dtype: 'i32', shape: [2, 3] });
  using old = gk.transpose(flat, 2, 3);
  using opt = gk.transpose(flat, { rows: 2, cols: 3 });
  using half = gk.transpose(flat, { cols: 3 });
  using twoD = gk.transpose(m);
  for (const r of [opt, half, twoD]) {
    expect(r.shape).toEqual([3, 2]);
    expectArrayEqual(await r.toArray(), await old.toArray());
  }
  unknownKey('transpose', () => gk.transpose(flat, { rows: 2, cols: 3, bogus: 1 } as never));
  expect(() => gk.transpose(flat)).toThrow(/^transpose: a has shape \[6\]; pass \{ rows, cols \}/);
  expect(() => (gk.transpose as Fn)(flat, { rows: 2 }, 3)).toThrow(/^transpose: takes two arguments \(a, options\)/);
});
