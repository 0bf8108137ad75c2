/**
 * GPU-free: what host data an upload accepts (hostData, checkInteger, isDetached, assertDType), at the edges
 * of each dtype's range. The expected values are written out from the dtypes' definitions (i32: [−2^31,
 * 2^31 − 1], u32: [0, 2^32 − 1]; f32/f16 data held as a Float32Array), not taken from the code.
 */
import { describe, expect, test } from 'vitest';
import { assertDType, checkInteger, hostData, isDetached } from '../../src/buffers/dtype.js';
import { ArgumentError, DTypeError } from '../../src/errors.js';
import { thrownBy, throwsExactly } from './thrown.js';

describe('checkInteger', () => {
  const edges: [dtype: 'i32' | 'u32', v: number, ok: boolean][] = [
    ['i32', -(2 ** 31), true], ['i32', 2 ** 31 - 1, true], ['i32', -(2 ** 31) - 1, false], ['i32', 2 ** 31, false], ['i32', 0, true], ['i32', -0, true],
    ['u32', 0, true], ['u32', 2 ** 32 - 1, true], ['u32', -1, false], ['u32', 2 ** 32, false], ['u32', -0, true],
    ['i32', 0.5, false], ['u32', 1.5, false], ['i32', NaN, false], ['u32', Infinity, false], ['i32', -Infinity, false], ['u32', 2 ** 53, false],
  ];
  test('takes exactly the integers of the dtype range, at and one past each end', () => {
    for (const [dtype, v, ok] of edges) {
      const e = thrownBy(() => { checkInteger('op', dtype, 7, v); });
      if (ok) expect(e, `${dtype} ${v}`).toBeUndefined();
      else expect(e, `${dtype} ${v}`).toBeInstanceOf(DTypeError);
    }
  });
  test('the message names the op, the index, the value and why', () => {
    throwsExactly(() => { checkInteger('full', 'u32', 3, -1); }, DTypeError, "full: element 3 is -1, outside u32's range [0, 4294967295]; a u32 array holds integers in [0, 4294967295] (convert or clamp it first)");
    throwsExactly(() => { checkInteger('arange', 'i32', 1, 0.5); }, DTypeError, 'arange: element 1 is 0.5, not an integer; a i32 array holds integers in [-2147483648, 2147483647] (convert or clamp it first)');
  });
});

describe('hostData', () => {
  test('a matching typed array is returned as it is (no copy)', () => {
    const f = new Float32Array([1, 2]);
    const i = new Int32Array([1]);
    const u = new Uint32Array([1]);
    expect(hostData('op', 'f32', f)).toBe(f);
    expect(hostData('op', 'f16', f)).toBe(f);
    expect(hostData('op', 'i32', i)).toBe(i);
    expect(hostData('op', 'u32', u)).toBe(u);
  });
  test('an array of numbers becomes the dtype\'s typed array, element by element', () => {
    const r = hostData('op', 'i32', [-(2 ** 31), 0, 2 ** 31 - 1]);
    expect(r).toBeInstanceOf(Int32Array);
    expect([...r]).toEqual([-(2 ** 31), 0, 2 ** 31 - 1]);
    const u = hostData('op', 'u32', [0, 2 ** 32 - 1]);
    expect(u).toBeInstanceOf(Uint32Array);
    expect([...u]).toEqual([0, 2 ** 32 - 1]);
    const f = hostData('op', 'f32', [0.1, -0, NaN, Infinity]);
    expect(f).toBeInstanceOf(Float32Array);
    expect(Object.is(f[1], -0)).toBe(true);
    expect([f[0], f[2], f[3]]).toEqual([Math.fround(0.1), NaN, Infinity]);
    expect(hostData('op', 'f16', [1.5])).toBeInstanceOf(Float32Array);
    expect(hostData('op', 'f32', []).length).toBe(0);
    // an array-like with a length and numeric indices is data too
    expect([...hostData('op', 'u32', { length: 2, 0: 4, 1: 5 })]).toEqual([4, 5]);
    // a typed array of another type is converted for f16 only (its values are read as numbers)
    expect([...hostData('op', 'f16', new Int32Array([3, -2]))]).toEqual([3, -2]);
  });
  test('integers outside the dtype, or not integers, are refused naming the element (nothing wraps or truncates)', () => {
    throwsExactly(() => hostData('array', 'u32', [1, -1]), DTypeError, "array: element 1 is -1, outside u32's range [0, 4294967295]; a u32 array holds integers in [0, 4294967295] (convert or clamp it first)");
    expect(thrownBy(() => hostData('array', 'i32', [2 ** 31]))).toBeInstanceOf(DTypeError);
    expect(thrownBy(() => hostData('array', 'i32', [0.5]))).toBeInstanceOf(DTypeError);
    expect(thrownBy(() => hostData('array', 'u32', [NaN]))).toBeInstanceOf(DTypeError);
  });
  test('a typed array of another element type is converted exactly, or refused where a value does not fit (issue 26)', () => {
    expect([...hostData('array', 'i32', new Float32Array([3, -2]))]).toEqual([3, -2]);
    throwsExactly(() => hostData('array', 'i32', new Float32Array([0.5])), DTypeError, "array: element 0 is 0.5, not an integer; a i32 array holds integers in [-2147483648, 2147483647] (convert or clamp it first)");
    expect(thrownBy(() => hostData('array', 'u32', new Int32Array([-1])))).toBeInstanceOf(DTypeError);
    expect(Array.from(hostData('array', 'f32', new Float64Array([0.1, -0, Infinity])))).toEqual([Math.fround(0.1), -0, Infinity]);
    throwsExactly(() => hostData('array', 'f32', new Float64Array([1, 1e39])), DTypeError, "array: element 1 is 1e+39, beyond f32's range (±3.4028234663852886e38): it would become Infinity; scale or clip it first");
  });
  test('non-number elements, holes and a length past the data are refused with the index', () => {
    throwsExactly(() => hostData('array', 'f32', [1, '2']), DTypeError, 'array: element 1 is the string "2"; a f32 array takes numbers');
    throwsExactly(() => hostData('array', 'f32', { length: 2, 0: 1 }), DTypeError, 'array: element 1 is undefined (a hole, or data.length is larger than the data); a f32 array takes numbers');
    expect(thrownBy(() => hostData('array', 'f32', [null]))).toBeInstanceOf(DTypeError);
  });
  test('data that is no array, a bad length, throwing getters and a detached buffer are ArgumentErrors', () => {
    for (const bad of [null, undefined, 3, 'abc', true]) expect(thrownBy(() => hostData('array', 'f32', bad)), String(bad)).toBeInstanceOf(ArgumentError);
    for (const length of [-1, 1.5, NaN, 2 ** 53, '2']) {
      expect(thrownBy(() => hostData('array', 'f32', { length })), String(length)).toBeInstanceOf(ArgumentError);
    }
    throwsExactly(() => hostData('array', 'f32', { get length(): number { throw new Error('boom'); } }), ArgumentError, 'array: reading data.length threw: boom');
    throwsExactly(() => hostData('array', 'f32', { length: 1, get 0(): number { throw new Error('bang'); } }), ArgumentError, 'array: reading element 0 of data threw: bang');
    const t = new Float32Array(4);
    structuredClone(t.buffer, { transfer: [t.buffer] });
    throwsExactly(() => hostData('array', 'f32', t), ArgumentError, "array: the Float32Array's ArrayBuffer is detached (transferred or freed), so there is no data to upload");
  });
});

describe('isDetached and assertDType', () => {
  test('a transferred buffer is detached; a live one, an empty one and a SharedArrayBuffer are not', () => {
    const b = new ArrayBuffer(8);
    expect(isDetached(b)).toBe(false);
    expect(isDetached(new ArrayBuffer(0))).toBe(false);
    expect(isDetached(new SharedArrayBuffer(4))).toBe(false);
    structuredClone(b, { transfer: [b] });
    expect(isDetached(b)).toBe(true);
  });
  test('assertDType takes the five dtypes and names the op and the value otherwise', () => {
    for (const d of ['f32', 'i32', 'u32', 'f16', 'bool']) expect(assertDType(d)).toBe(d);
    throwsExactly(() => assertDType('f64', 'zeros'), DTypeError, 'zeros: unknown dtype "f64"; expected one of f32, i32, u32, f16, bool');
    throwsExactly(() => assertDType('toString'), DTypeError, 'unknown dtype "toString"; expected one of f32, i32, u32, f16, bool');
    expect(thrownBy(() => assertDType(2n, 'full'))).toBeInstanceOf(DTypeError);
    expect(thrownBy(() => assertDType(Symbol('f32'), 'full'))).toBeInstanceOf(DTypeError);
  });
});
