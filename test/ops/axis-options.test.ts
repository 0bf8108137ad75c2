/**
 * A reduction's options object `{ axis, keepdims, ddof }` is checked, never ignored: an unknown key (a typo
 * of axis would otherwise reduce the whole array), a keepdims that is not a boolean, an axis that is neither a
 * number nor a list, a ddof on an op without one. keepdims without axis keeps every axis as extent 1 (NumPy).
 */
import { expect } from 'vitest';
import { all, any, argmax, argmin, ArgumentError, max, mean, min, norm, prod, std, sum, variance, type AxisOptions, type DeviceArray } from '../../src/index.js';
import { expectArrayEqual, gpuTest } from '../fixture.js';

type Reduce = (x: DeviceArray, opts?: AxisOptions) => DeviceArray;
const OPS: [string, Reduce][] = [
  ['sum', sum], ['mean', mean], ['min', min], ['max', max], ['norm', norm], ['prod', prod], ['any', any], ['all', all],
  ['argmin', argmin], ['argmax', argmax], ['var', variance], ['std', std],
];

gpuTest('unknown keys, a non-boolean keepdims, a non-numeric axis and a stray ddof are ArgumentErrors naming the op', ({ device }) => {
  using x = device.array([1, 5, 3, 4, 2, 6], { shape: [2, 3] });
  for (const [name, f] of OPS) {
    const bad: [unknown, RegExp][] = [
      [{ axsi: 1 }, new RegExp(`^${name}: unknown option axsi; it takes axis, keepdims`)],
      [{ axis: 1, keepdims: 'yes' }, new RegExp(`^${name}: keepdims must be a boolean, got the string "yes"`)],
      [{ keepdims: 1 }, new RegExp(`^${name}: keepdims must be a boolean, got number 1`)],
      [{ axis: '1' }, new RegExp(`^${name}: axis must be an integer, a list of integers or null, got the string "1"$`)],
      [{ axis: [0, '1'] }, new RegExp(`^${name}: axis must be an integer, a list of integers or null, got the string "1" in the list`)],
    ];
    if (name !== 'var' && name !== 'std') bad.push([{ axis: 1, ddof: 1 }, new RegExp(`^${name}: unknown option ddof`)]);
    for (const [opts, message] of bad) {
      expect(() => f(x, opts as AxisOptions), `${name} ${JSON.stringify(opts)}`).toThrow(ArgumentError);
      expect(() => f(x, opts as AxisOptions), `${name} ${JSON.stringify(opts)}`).toThrow(message);
    }
  }
  using v = variance(x, { axis: 1, ddof: 1 });
  expect(v.shape).toEqual([2]);
});

gpuTest('keepdims without axis keeps every axis as extent 1, for the arg reductions too', async ({ device }) => {
  using x = device.array([1, 5, 3, 4, 2, 6], { shape: [2, 3] });
  using s = sum(x, { keepdims: true });
  expect(s.shape).toEqual([1, 1]);
  expectArrayEqual(await s.toArray(), [21]);
  using a = argmax(x, { keepdims: true });
  expect(a.shape).toEqual([1, 1]);
  expectArrayEqual(await a.toArray(), [5]);
  using b = argmin(x, { keepdims: true });
  expect(b.shape).toEqual([1, 1]);
  expectArrayEqual(await b.toArray(), [0]);
  using c = argmin(x, { keepdims: false });
  expect(c.shape).toEqual([]); // the whole-array 0-d result, as without options
  using d = argmax(x, { axis: 0, keepdims: true });
  expect(d.shape).toEqual([1, 3]);
  expectArrayEqual(await d.toArray(), [1, 0, 1]);
});
