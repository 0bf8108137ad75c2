import { describe, expect } from 'vitest';
import {
  add,
  ArgumentError,
  axpy,
  DestroyedError,
  dot,
  DTypeError,
  matmul,
  mean,
  norm,
  random,
  scale,
  ShapeError,
  sub,
  type DeviceArray,
  type GpukitError,
} from '../../src/index.js';
import { gpuTest } from '../fixture.js';

type ErrorClass = new (...args: never[]) => GpukitError;

/**
 * The same bad calls on whichever engine the fixture opened (dawn in CI's first two passes, gpujs in the
 * third): each must throw the same typed error, with the same message, when called — never coerce the
 * argument, never compute, never fail later at read time.
 */
describe('bad op arguments throw the same typed error on both engines', () => {
  gpuTest('scalars that the array dtype cannot hold (scale, axpy), also for empty arrays', async ({ device }) => {
    using xi = device.array(new Int32Array([1, -2, 3, 4]));
    using yi = device.array(new Int32Array([5, 6, 7, 8]));
    using xu = device.array(new Uint32Array([1, 2, 3, 4]));
    using yu = device.array(new Uint32Array([5, 6, 7, 8]));
    using empty = device.empty(0, 'i32');
    const cases: [string, () => unknown, RegExp][] = [
      ['scale(i32, 1.5)', () => scale(xi, 1.5), /^scale: params\.a: 1\.5 is not an i32/],
      ['scale(i32, 2^40)', () => scale(xi, 2 ** 40), /^scale: params\.a: 1099511627776 is not an i32/],
      ['scale(i32, 2^31)', () => scale(xi, 2 ** 31), /is not an i32/],
      ['scale(i32, NaN)', () => scale(xi, NaN), /params\.a: NaN is not an i32/],
      ['scale(i32, Infinity)', () => scale(xi, Infinity), /is not an i32/],
      ['scale(u32, -1)', () => scale(xu, -1), /^scale: params\.a: -1 is not a u32/],
      ['scale(u32, 2^32)', () => scale(xu, 2 ** 32), /is not a u32/],
      ['scale(empty i32, 0.5)', () => scale(empty, 0.5), /is not an i32/],
      ['axpy(1.5, i32, i32)', () => axpy(1.5, xi, yi), /^axpy: params\.a: 1\.5 is not an i32/],
      ['axpy(-2, u32, u32)', () => axpy(-2, xu, yu), /^axpy: params\.a: -2 is not a u32/],
    ];
    for (const [what, call, message] of cases) {
      expect(call, what).toThrow(ArgumentError);
      expect(call, what).toThrow(message);
    }
    // the integers at the ends of each range are fine, and compute exactly (wrapping as WGSL does)
    using s = scale(xi, -(2 ** 31));
    expect([...(await s.toArray())]).toEqual([-(2 ** 31), 0, -(2 ** 31), 0]);
    using t = scale(xu, 2 ** 32 - 1);
    expect([...(await t.toArray())]).toEqual([2 ** 32 - 1, 2 ** 32 - 2, 2 ** 32 - 3, 2 ** 32 - 4]);
    // y is unchanged after a refused axpy
    expect([...(await yi.toArray())]).toEqual([5, 6, 7, 8]);
  });

  gpuTest('missing or non-array arguments, and the order of checks when a call has several problems', async ({ device }) => {
    using x = device.array(new Float32Array([1, 2, 3, 4]));
    using xi = device.array(new Int32Array([1, 2, 3, 4]));
    const dead = device.array(new Int32Array([1, 2, 3, 4]));
    dead.destroy();
    const deadF = device.array(new Float32Array([1, 2, 3, 4]));
    deadF.destroy();
    const no = undefined as unknown as DeviceArray;
    const num = 3 as unknown as DeviceArray;
    const cases: [string, () => unknown, ErrorClass, RegExp][] = [
      ['axpy(2, x) (y left out)', () => axpy(2, x, no), ArgumentError, /^axpy: '?y'? (is an array argument|must be a DeviceArray)/],
      ['axpy(2, x, 3)', () => axpy(2, x, num), ArgumentError, /^axpy: '?y'? (is an array argument|must be a DeviceArray)/],
      ['dot(x)', () => dot(x, no), ArgumentError, /^dot: '?y'? (is an array argument|must be a DeviceArray)/],
      ['dot(x, 3)', () => dot(x, num), ArgumentError, /^dot: '?y'? (is an array argument|must be a DeviceArray)/],
      // A number is a scalar operand now (add(x, 3) is x + 3); a string is neither.
      ['add(x, "3")', () => add(x, '3' as unknown as DeviceArray), ArgumentError, /^add: /],
      ['scale(x, "2")', () => scale(x, '2' as unknown as number), ArgumentError, /^scale: 'a' is a scalar argument/],
      ['scale(x, 2, 3)', () => scale(x, 2, num), ArgumentError, /^scale: '?out'? (is an array argument|must be a DeviceArray)/],
      // dtypes are checked before whether an array was destroyed
      ['add(x, destroyed i32)', () => add(x, dead), DTypeError, /^add: cannot combine f32 and i32/],
      ['sub(x, x, destroyed i32)', () => sub(x, x, dead), DTypeError, /^sub: x is f32 but out is i32/],
      ['mean(destroyed i32)', () => mean(dead), DTypeError, /^mean: x has dtype i32/],
      ['norm(destroyed i32)', () => norm(dead), DTypeError, /^norm: x has dtype i32/],
      ['dot(x, destroyed i32)', () => dot(x, dead), DTypeError, /^dot: x is f32 but y is i32/],
      ['add(x, destroyed f32)', () => add(x, deadF), DestroyedError, /^add: this f32 array/],
      ['matmul(i32, x)', () => matmul(xi, x, { m: 2, k: 2, n: 2 }), DTypeError, /^matmul: cannot combine i32 and f32/],
      ['matmul k = 1.5', () => matmul(x, x, { m: 2, k: 1.5, n: 2 }), ShapeError, /^matmul: k must be/],
    ];
    for (const [what, call, cls, message] of cases) {
      expect(call, what).toThrow(cls);
      expect(call, what).toThrow(message);
    }
  });

  gpuTest('random: a bad seed or an offset past the end of the stream is an ArgumentError when called', ({ device }) => {
    const cases: [string, () => unknown, RegExp][] = [
      ['seed 1.5', () => random.uniform(device, 4, { seed: 1.5 }), /^random\.uniform: seed must be an integer.*1\.5/],
      ['seed NaN', () => random.normal(device, 4, { seed: NaN }), /seed must be/],
      ['seed 2^60', () => random.u32(device, 4, { seed: 2 ** 60 }), /seed must be/],
      ['offset -1', () => random.u32(device, 4, { offset: -1 }), /^random(\.u32)?: offset must be a non-negative safe integer/],
      ['offset + n past 2^53 - 1', () => random.u32(device, 4, { offset: 2 ** 53 - 2 }), /^random(\.u32)?: offset \+ n/],
    ];
    for (const [what, call, message] of cases) {
      expect(call, what).toThrow(ArgumentError);
      expect(call, what).toThrow(message);
    }
  });
});
