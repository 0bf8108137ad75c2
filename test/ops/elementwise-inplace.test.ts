import { describe, expect } from 'vitest';
import { add, axpy, map, mul, scale, sub, ArgumentError, type DeviceArray, type GpuDevice } from '../../src/index.js';
import { dawnTest, expectAllClose, expectArrayEqual, gpuTest } from '../fixture.js';
import { randomF32, randomI32 } from './helpers.js';

// Sizes with and without a vec4 part and a scalar tail.
const SIZES = [0, 1, 7, 64, 1001];

/** An op run in place: `out` is one of its inputs. References are float64, rounded once to f32. */
interface Case {
  readonly name: string;
  readonly run: (x: DeviceArray, y: DeviceArray) => DeviceArray;
  /** Which array the op must return (and have written). */
  readonly target: 'x' | 'y';
  readonly ref: (x: number, y: number) => number;
  /** Integer reference (WGSL wraps). */
  readonly refInt: (x: number, y: number) => number;
  /**
   * a·x + y may fuse into one FMA. Unfused, the product's rounding (half an ulp of |a·x| ≤ 300, 2^-16)
   * adds to the sum's (half an ulp of the result): within 2^-15 + 2^-23·|result|.
   */
  readonly fused?: boolean;
}

const CASES: readonly Case[] = [
  { name: 'add(x, y, x)', run: (x, y) => add(x, y, x), target: 'x', ref: (a, b) => a + b, refInt: (a, b) => (a + b) | 0 },
  { name: 'add(x, y, y)', run: (x, y) => add(x, y, y), target: 'y', ref: (a, b) => a + b, refInt: (a, b) => (a + b) | 0 },
  { name: 'add(x, x, x)', run: (x) => add(x, x, x), target: 'x', ref: (a) => a + a, refInt: (a) => (a + a) | 0 },
  { name: 'sub(x, y, y)', run: (x, y) => sub(x, y, y), target: 'y', ref: (a, b) => a - b, refInt: (a, b) => (a - b) | 0 },
  { name: 'mul(x, y, x)', run: (x, y) => mul(x, y, x), target: 'x', ref: (a, b) => a * b, refInt: (a, b) => Math.imul(a, b) },
  { name: 'scale(x, 3, x)', run: (x) => scale(x, 3, x), target: 'x', ref: (a) => 3 * a, refInt: (a) => Math.imul(3, a) },
  { name: 'axpy(2, x, x)', run: (x) => axpy(2, x, x), target: 'x', ref: (a) => 2 * a + a, refInt: (a) => (Math.imul(2, a) + a) | 0, fused: true },
  { name: 'axpy(-3, x, y)', run: (x, y) => axpy(-3, x, y), target: 'y', ref: (a, b) => -3 * a + b, refInt: (a, b) => (Math.imul(-3, a) + b) | 0, fused: true },
];

async function check(device: GpuDevice, c: Case, dtype: 'f32' | 'i32', n: number): Promise<void> {
  const xh = dtype === 'f32' ? randomF32(n, 3 + n, -100, 100) : randomI32(n, 3 + n, 2 ** 20);
  const yh = dtype === 'f32' ? randomF32(n, 7 + n, -100, 100) : randomI32(n, 7 + n, 2 ** 20);
  using x = device.array(xh);
  using y = device.array(yh);
  const r = c.run(x, y);
  expect(r, `${c.name} returns ${c.target}`).toBe(c.target === 'x' ? x : y);
  const got = await r.toArray();
  if (dtype === 'i32') {
    expectArrayEqual(got, Array.from(xh, (v, i) => c.refInt(v, yh[i] ?? 0)));
    return;
  }
  const want = Array.from(xh, (v, i) => c.ref(v, yh[i] ?? 0));
  if (c.fused) expectAllClose(got, want, 2 ** -23, 2 ** -15);
  else expectArrayEqual(got, want.map((v) => Math.fround(v)));
  // The input that was not written is unchanged.
  if (c.target === 'x' && r !== y) expectArrayEqual(await y.toArray(), yh);
}

describe('in place: out is one of the inputs (both engines)', () => {
  for (const c of CASES) {
    gpuTest(`${c.name} matches a float64 reference at n = ${SIZES.join(', ')} (f32 and i32)`, async ({ device }) => {
      for (const n of SIZES) {
        await check(device, c, 'f32', n);
        await check(device, c, 'i32', n);
      }
    });
  }

  gpuTest('axpy without y is refused at once (y is read: an allocated y would be uninitialised memory)', ({ device }) => {
    using x = device.array(new Float32Array([1, 2, 3]));
    expect(() => axpy(2, x, undefined as never)).toThrow(ArgumentError);
    expect(() => axpy(2, x, undefined as never)).toThrow(/axpy: '?y'? (is required|must be a DeviceArray)/);
  });
});

describe('in place and omitted outputs in builders', () => {
  dawnTest("map(x, expr, x) and a builder's output passed as its input", async ({ device }) => {
    const xh = randomF32(1001, 5, -10, 10);
    using x = device.array(xh);
    const once = xh.map((v) => Math.fround(Math.fround(v * 2) - 1));
    expect(map(x, 'x * 2.0 - 1.0', x)).toBe(x);
    expectArrayEqual(await x.toArray(), once);
    // Again, now on the vec4 variant (proved in the background by the first call): in place too.
    expect(map(x, 'x * 2.0 - 1.0', x)).toBe(x);
    expectArrayEqual(await x.toArray(), once.map((v) => Math.fround(Math.fround(v * 2) - 1)));
    const f = await device.elementwise({ name: 'axpb', args: 'x: T[], y: T[], a: T, b: T', body: 'y = a * x + b' });
    x.write(xh);
    expect(f({ x, y: x, a: -3, b: 0.25 })).toBe(x);
    // |−3·x| ≤ 30: the product's rounding is at most 2^-20, the sum's half an ulp of the result.
    expectAllClose(await x.toArray(), Array.from(xh, (v) => -3 * v + 0.25), 2 ** -23, 2 ** -20);
  });

  dawnTest('an output the body also reads must be given; a write-only one may be omitted', async ({ device }) => {
    const acc = await device.elementwise({ name: 'accumulate', args: 'x: T[], acc: T[]', body: 'acc += x' });
    using x = device.array(new Float32Array([1, 2, 3, 4, 5]));
    expect(() => acc({ x })).toThrow(ArgumentError);
    expect(() => acc({ x })).toThrow(/output 'acc' is also read by the body, so it must be given/);
    using a = device.array(new Float32Array([10, 20, 30, 40, 50]));
    acc({ x, acc: a });
    expect([...(await a.toArray())]).toEqual([11, 22, 33, 44, 55]);
    const sq = await device.elementwise({ name: 'square', args: 'x: T[], y: T[]', body: 'y = x * x // y is only written' });
    using y = sq({ x }) as DeviceArray;
    expect([...(await y.toArray())]).toEqual([1, 4, 9, 16, 25]);
  });

  dawnTest('two outputs on one array are refused, naming both', async ({ device }) => {
    const split = await device.elementwise({ name: 'split', args: 'x: T[], lo: T[], hi: T[]', body: 'lo = x - 1.0; hi = x + 1.0' });
    using x = device.array(new Float32Array([1, 2, 3]));
    using o = device.zeros(3);
    expect(() => split({ x, lo: o, hi: o })).toThrow(ArgumentError);
    expect(() => split({ x, lo: o, hi: o })).toThrow(/'lo' and 'hi' are the same array and the body writes both/);
  });
});
