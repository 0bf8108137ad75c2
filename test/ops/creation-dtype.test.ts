/**
 * `full` and `arange` without a dtype infer it from their numbers as the Array API standard (and NumPy)
 * infer it from Python scalars, with NumPy's default int64 mapped to gpukit's default integer dtype i32 and
 * float64 to f32: an integer value (all-integer arguments for arange) gives i32, any other number f32 (−0
 * included: only a float keeps its sign), a boolean bool. An integer outside i32's range with an inferred
 * i32 is a DTypeError before any allocation, never a wrap; a named dtype takes it. `linspace` stays f32 (the
 * standard's default float dtype). Reference: NumPy's own dtype and values for the same call. Both engines.
 */
import { describe, expect } from 'vitest';
import { DTypeError, type DeviceArray, type GpuDevice } from '../../src/index.js';
import { expectArrayEqual, gpuTest } from '../fixture.js';
import { numpy } from './helpers.js';

/** Each case: the gpukit call and the NumPy expression of the same call (Python ints where JS has integers). */
const CASES: readonly (readonly [label: string, make: (d: GpuDevice) => DeviceArray, np: string])[] = [
  ['full([2, 3], 7)', (d) => d.full([2, 3], 7), 'np.full((2, 3), 7)'],
  ['full(3, -2147483648)', (d) => d.full(3, -2147483648), 'np.full(3, -2147483648)'],
  ['full([], 2147483647)', (d) => d.full([], 2147483647), 'np.full((), 2147483647)'],
  ['full([0, 2], 5)', (d) => d.full([0, 2], 5), 'np.full((0, 2), 5)'],
  ['full(2, 0.5)', (d) => d.full(2, 0.5), 'np.full(2, 0.5)'],
  ['full(2, NaN)', (d) => d.full(2, NaN), 'np.full(2, np.nan)'],
  ['full(2, -Infinity)', (d) => d.full(2, -Infinity), 'np.full(2, -np.inf)'],
  ['full(2, -0)', (d) => d.full(2, -0), 'np.full(2, -0.0)'],
  ['full(2, true)', (d) => d.full(2, true), 'np.full(2, True)'],
  ['full(2, 7, { dtype: f32 })', (d) => d.full(2, 7, { dtype: 'f32' }), 'np.full(2, 7, dtype=np.float32)'],
  ['full(2, 2^31, { dtype: u32 })', (d) => d.full(2, 2 ** 31, { dtype: 'u32' }), 'np.full(2, 2**31, dtype=np.uint32)'],
  ['arange(5)', (d) => d.arange(5), 'np.arange(5)'],
  ['arange(-3, 4, 2)', (d) => d.arange(-3, 4, 2), 'np.arange(-3, 4, 2)'],
  ['arange(4, -4, -3)', (d) => d.arange(4, -4, -3), 'np.arange(4, -4, -3)'],
  ['arange(0)', (d) => d.arange(0), 'np.arange(0)'],
  ['arange(2^31 − 3, 2^31)', (d) => d.arange(2 ** 31 - 3, 2 ** 31), 'np.arange(2**31 - 3, 2**31)'],
  ['arange(-2^31, -2^31 + 2)', (d) => d.arange(-(2 ** 31), -(2 ** 31) + 2), 'np.arange(-2**31, -2**31 + 2)'],
  ['arange(0, 1, 0.25)', (d) => d.arange(0, 1, 0.25), 'np.arange(0, 1, 0.25)'],
  ['arange(2.5)', (d) => d.arange(2.5), 'np.arange(2.5)'],
  ['arange(1, 2.5)', (d) => d.arange(1, 2.5), 'np.arange(1, 2.5)'],
  ['arange(-0, 3)', (d) => d.arange(-0, 3), 'np.arange(-0.0, 3)'],
  ['arange(3, { dtype: f32 })', (d) => d.arange(3, { dtype: 'f32' }), 'np.arange(3, dtype=np.float32)'],
  ['linspace(0, 4, 5)', (d) => d.linspace(0, 4, 5), 'np.linspace(0, 4, 5)'],
];

/** NumPy's dtype as gpukit's: its 64-bit defaults narrowed (int64 → i32, float64 → f32). */
const GPUKIT = { int64: 'i32', float64: 'f32', int32: 'i32', uint32: 'u32', float32: 'f32', bool: 'bool' } as const;

describe('full and arange infer the standard\'s dtype from their numbers', () => {
  gpuTest('dtypes, shapes and values as NumPy gives them (its int64 as i32, float64 as f32)', async ({ device }) => {
    const code = CASES.map(([, , np], i) => `a = np.asarray(${np})\nout['v${i}'] = a.ravel().astype(np.float64)\nout['d${i}'] = np.array([${JSON.stringify(Object.keys(GPUKIT))}.index(a.dtype.name)], dtype=np.int32)\n`).join('');
    const want = numpy(code, {});
    const names = Object.values(GPUKIT);
    for (const [i, [label, make]] of CASES.entries()) {
      using a = make(device);
      expect(a.dtype, label).toBe(names[want[`d${i}`]?.[0] ?? -1]);
      const got = await a.toArray();
      const w = want[`v${i}`] ?? [];
      expectArrayEqual(got, w);
      got.forEach((g, j) => {
        if (g === 0) expect(Object.is(g, -0), `${label}[${j}]: the sign of zero`).toBe(Object.is(w[j], -0)); // full(2, -0) keeps −0
      });
    }
  });

  gpuTest('an integer outside i32\'s range with an inferred i32 is a DTypeError before any allocation (never a wrap); a named dtype takes it', async ({ device }) => {
    const before = device.memory.inUseBytes;
    const bad: [string, () => unknown][] = [
      ['full(2, 2^31)', () => device.full(2, 2 ** 31)],
      ['full(2, -2^31 − 1)', () => device.full(2, -(2 ** 31) - 1)],
      ['full(2, 1e20)', () => device.full(2, 1e20)],
      ['arange(2^31 − 1, 2^31 + 1)', () => device.arange(2 ** 31 - 1, 2 ** 31 + 1)],
      ['arange(-2^31 − 1, -2^31 + 1)', () => device.arange(-(2 ** 31) - 1, -(2 ** 31) + 1)],
      ['arange(0, 2^32, 2^31)', () => device.arange(0, 2 ** 32, 2 ** 31)],
    ];
    for (const [what, call] of bad) {
      expect(call, what).toThrow(DTypeError);
      expect(call, what).toThrow(/^(full|arange): .*infer the default integer dtype i32, but .* is outside i32's range.*\{ dtype: 'f32' \}/);
    }
    expect(device.memory.inUseBytes).toBe(before);
    using f = device.full(2, 2 ** 31, { dtype: 'f32' });
    expect(f.dtype).toBe('f32');
    expectArrayEqual(await f.toArray(), [2 ** 31, 2 ** 31]);
    using r = device.arange(2 ** 31 - 1, 2 ** 31 + 1, { dtype: 'f32' });
    expectArrayEqual(await r.toArray(), [2 ** 31, 2 ** 31]); // f32 rounds 2^31 − 1 up, as np.arange(..., dtype=np.float32)
  });
});
