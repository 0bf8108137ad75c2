/**
 * Whole-array reductions return 0-d arrays (shape []), as the Array API standard and NumPy do
 * (`np.sum(np.ones((2, 3))).shape == ()`), on both engines; `keepdims: true` gives an all-ones shape; `item()`
 * reads the 0-d result. Before, sum/min/max/mean/norm/dot/argmin/argmax returned shape [1] while prod, any,
 * all, var and std returned [], and logsumexp without an axis reduced the last axis only (SciPy's default
 * is `axis=None`).
 */
import { expect } from 'vitest';
import { all, any, argmax, argmin, dot, logsumexp, max, mean, min, norm, prod, std, sum, variance, type AxisOptions, type DeviceArray } from '../../src/index.js';
import { gpuTest } from '../fixture.js';
import { numpy, npOut } from './helpers.js';

type Reduce = (x: DeviceArray, opts?: AxisOptions) => DeviceArray;
const OPS: [string, Reduce, string][] = [
  ['sum', sum, 'np.sum(x)'], ['prod', prod, 'np.prod(x)'], ['min', min, 'np.min(x)'], ['max', max, 'np.max(x)'], ['mean', mean, 'np.mean(x)'],
  ['var', variance, 'np.var(x)'], ['std', std, 'np.std(x)'], ['any', any, 'np.any(x)'], ['all', all, 'np.all(x)'],
  ['argmin', argmin, 'np.argmin(x)'], ['argmax', argmax, 'np.argmax(x)'], ['norm', norm, 'np.linalg.norm(x)'],
  ['logsumexp', (x, o) => logsumexp(x, o), 'np.log(np.sum(np.exp(x)))'],
];

gpuTest('whole-array reductions are 0-d (shape []) with NumPy\'s value; keepdims gives all-ones; item() reads them', async ({ device }) => {
  const h = new Float32Array([0.5, -2, 3, 1.25, 2, -0.75]);
  const ref = numpy(`x = inp['x'].astype(np.float64).reshape(2, 3)\n${OPS.map(([n, , e]) => `out['${n}'] = np.array([${e}], dtype=np.float64); out['${n}_nd'] = np.array([np.ndim(${e})], dtype=np.float64)`).join('\n')}`, { x: h });
  using x = device.array(h, { shape: [2, 3] });
  for (const [name, f] of OPS) {
    expect(npOut(ref, `${name}_nd`)[0], `NumPy's ${name} is 0-d`).toBe(0);
    using r = f(x);
    expect(r.shape, name).toEqual([]);
    expect(r.ndim, name).toBe(0);
    expect(r.length, name).toBe(1);
    const want = npOut(ref, name)[0] ?? NaN;
    expect(Math.abs((await r.item()) - want), name).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(want)));
    using k = f(x, { keepdims: true });
    expect(k.shape, `${name} keepdims`).toEqual([1, 1]);
    expect(Math.abs((await k.item()) - want), `${name} keepdims`).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(want)));
    using n = f(x, { axis: null });
    expect(n.shape, `${name} axis null`).toEqual([]);
  }
});

gpuTest('integer sums, the dot of two 1-d vectors and reductions of 0-d, size-1 and empty arrays are 0-d', async ({ device }) => {
  using i = device.array([1, 2, 3], 'i32');
  using u = device.array([4, 5], 'u32');
  using v = device.array([1, 2, 3]);
  using si = sum(i);
  using su = sum(u);
  using d = dot(v, v);
  expect([si.shape, su.shape, d.shape]).toEqual([[], [], []]);
  expect([await si.item(), await su.item(), await d.item()]).toEqual([6, 9, 14]);
  using b0 = device.array([7]);
  using s0 = b0.reshape([]);
  using r0 = sum(s0);
  using m0 = max(s0);
  expect([r0.shape, m0.shape, await r0.item(), await m0.item()]).toEqual([[], [], 7, 7]);
  using e = device.zeros([0, 3]);
  using se = sum(e);
  using pe = prod(e);
  expect([se.shape, pe.shape, await se.item(), await pe.item()]).toEqual([[], [], 0, 1]);
  using me = mean(e);
  expect(me.shape).toEqual([]);
  expect(await me.item()).toBeNaN();
});
