/**
 * Reductions at their edges, on both engines, against NumPy (python3): var/std with no degrees of freedom
 * left (ddof ≥ n: NaN, the Array API standard's special case, where NumPy gives Inf with a warning or NaN
 * for 0/0 — never a wrapped u32 divisor or a negative count), min/max
 * and argmin/argmax of nothing (NumPy raises: a ShapeError, whatever the result's size), logsumexp over a
 * zero-length axis (log 0 = −Inf), and every reduction's options checked as plain JS may pass them
 * (`axis: null` is NumPy's `axis=None`; anything else malformed is a typed error naming the function).
 */
import { expect } from 'vitest';
import * as gk from '../../src/index.js';
import { ArgumentError, logsumexp, ShapeError, std, variance, type DeviceArray } from '../../src/index.js';
import { expectArrayEqual, gpuTest } from '../fixture.js';
import { npOut, numpy } from './helpers.js';

/** SciPy's logsumexp in NumPy (Debian's python3 here has no scipy): log Σ exp(x − m) + m, m the finite maximum. */
const LSE = `
def logsumexp(x, axis=None):
    with np.errstate(all='ignore'):
        m = np.max(x, axis=axis, keepdims=True, initial=-np.inf)
        m = np.where(np.isfinite(m), m, 0)
        return np.log(np.sum(np.exp(x - m), axis=axis)) + np.squeeze(m, axis=axis)
`;

gpuTest('var and std with ddof ≥ n give NaN (the standard\'s special case; NumPy: Inf or NaN), else NumPy\'s values, whole and along axes', async ({ device }) => {
  const a = Float32Array.from([1, 2]);
  const c = Float32Array.from([5, 5, 5]);
  const m = Float32Array.from([1, 2, 3, 4, 4, 4]); // [[1, 2, 3], [4, 4, 4]]: a row with and one without spread
  const ref = numpy(
    `
import warnings
warnings.simplefilter('ignore')
a = inp['a'].astype(np.float64); c = inp['c'].astype(np.float64); m = inp['m'].astype(np.float64).reshape(2, 3)
# NumPy's var/std, but NaN where N - ddof <= 0 (the Array API standard's special case; NumPy gives inf there).
def V(x, d, axis=None): return np.where(x.size // np.size(x.var(axis=axis)) - d <= 0, np.nan, x.var(axis=axis, ddof=d))
def S(x, d, axis=None): return np.where(x.size // np.size(x.std(axis=axis)) - d <= 0, np.nan, x.std(axis=axis, ddof=d))
out['a'] = np.array([V(a, d) for d in (1, 2, 3, 7)] + [S(a, d) for d in (1, 2, 3, 7)])
out['c'] = np.array([V(c, d) for d in (2, 3, 4)] + [S(c, d) for d in (2, 3, 4)])
out['m1'] = np.concatenate([V(m, d, 1) for d in (2, 3, 5)] + [S(m, d, 1) for d in (2, 3, 5)])
out['m0'] = np.concatenate([V(m, d, 0) for d in (1, 2)] + [S(m, d, 0) for d in (1, 2)])
out['mall'] = np.array([V(m, d) for d in (5, 6, 2 ** 40)] + [S(m, d) for d in (6, 2 ** 40)])
# the cases that are NaN here and Inf in NumPy (a non-zero sum of squares): the divergence this test pins
out['inf'] = np.array([a.var(ddof=2), m.var(ddof=6)])
`,
    { a, c, m },
  );
  using x = device.array(a);
  using y = device.array(c);
  using z = device.array(m, { shape: [2, 3] });
  const read = async (arrays: DeviceArray[]): Promise<number[]> => {
    const out: number[] = [];
    for (const r of arrays) {
      try {
        out.push(...(await r.toArray()));
      } finally {
        r.destroy();
      }
    }
    return out;
  };
  const near = (got: number[], want: ArrayLike<number>, what: string): void => {
    expect(got.length, what).toBe(want.length);
    got.forEach((g, i) => {
      const w = want[i] ?? NaN;
      // Finite values: a two-pass f32 variance of three small integers, within 8 roundings of the value.
      if (Number.isFinite(w)) expect(Math.abs(g - w), `${what}[${i}]`).toBeLessThanOrEqual(8 * 2 ** -24 * Math.abs(w));
      else expect(g, `${what}[${i}]: got ${g}, NumPy ${w}`).toBe(w); // Inf and NaN exactly (toBe: NaN equals NaN)
    });
  };
  near(await read([...[1, 2, 3, 7].map((d) => variance(x, { ddof: d })), ...[1, 2, 3, 7].map((d) => std(x, { ddof: d }))]), npOut(ref, 'a'), 'var/std of [1, 2]');
  near(await read([...[2, 3, 4].map((d) => variance(y, { ddof: d })), ...[2, 3, 4].map((d) => std(y, { ddof: d }))]), npOut(ref, 'c'), 'var/std of [5, 5, 5]');
  near(await read([...[2, 3, 5].map((d) => variance(z, { axis: 1, ddof: d })), ...[2, 3, 5].map((d) => std(z, { axis: -1, ddof: d }))]), npOut(ref, 'm1'), 'var/std along axis 1');
  near(await read([...[1, 2].map((d) => variance(z, { axis: 0, ddof: d })), ...[1, 2].map((d) => std(z, { axis: [0], ddof: d }))]), npOut(ref, 'm0'), 'var/std along axis 0');
  near(await read([...[5, 6, 2 ** 40].map((d) => variance(z, { ddof: d })), ...[6, 2 ** 40].map((d) => std(z, { axis: null, ddof: d }))]), npOut(ref, 'mall'), 'var/std over all axes');
  expect(Array.from(npOut(ref, 'inf'))).toEqual([Infinity, Infinity]); // NumPy's answer, which gpukit does not give
  near(await read([variance(x, { ddof: 2 }), variance(z, { correction: 6 })]), [NaN, NaN], 'the cases NumPy gives Inf');
});

gpuTest('min, max, argmin and argmax of nothing are a ShapeError (as NumPy raises), whatever the result size', async ({ device }) => {
  const shapes: number[][] = [[0], [0, 0], [3, 0], [0, 3], [2, 0, 2]];
  for (const shape of shapes) {
    using e = device.zeros(shape);
    const raised = npOut(
      numpy(
        `
x = np.zeros(${JSON.stringify(shape)}, dtype=np.float32)
r = []
for f in (np.min, np.max, np.argmin, np.argmax):
    for ax in [None] + list(range(x.ndim)):
        try:
            f(x, axis=ax); r.append(0)
        except ValueError:
            r.append(1)
out['r'] = np.array(r, dtype=np.uint32)
`,
        {},
      ),
      'r',
    );
    let k = 0;
    for (const op of ['min', 'max', 'argmin', 'argmax'] as const) {
      for (const axis of [undefined, ...shape.map((_, d) => d)]) {
        const what = `${op}(zeros([${shape.join(', ')}]), axis ${String(axis)})`;
        const run = (): DeviceArray => gk[op](e, axis === undefined ? undefined : { axis });
        if (raised[k++] === 1) expect(run, what).toThrow(ShapeError);
        else {
          // NumPy gives an empty result here (the reduced axis has elements; no row has): so must we.
          using r = run();
          expect((await r.toArray()).length, what).toBe(0);
        }
      }
    }
  }
});

gpuTest('logsumexp over a zero-length axis is −Inf (log 0), as SciPy\'s', async ({ device }) => {
  const ref = numpy(
    `${LSE}
x = np.zeros((3, 0), dtype=np.float64)
out['a1'] = logsumexp(x, axis=1); out['a0'] = logsumexp(x, axis=0); out['all'] = np.array([logsumexp(x)])
`,
    {},
  );
  using e = device.zeros([3, 0]);
  using a1 = logsumexp(e, 1);
  expectArrayEqual(await a1.toArray(), npOut(ref, 'a1'));
  using a0 = logsumexp(e, 0);
  expectArrayEqual(await a0.toArray(), npOut(ref, 'a0'));
  using all = logsumexp(e, null);
  expectArrayEqual(await all.toArray(), npOut(ref, 'all'));
  using o = logsumexp(e, { axis: 1, keepdims: true });
  expect(o.shape).toEqual([3, 1]);
  expectArrayEqual(await o.toArray(), npOut(ref, 'a1'));
});

const REDUCTIONS = ['sum', 'mean', 'min', 'max', 'prod', 'any', 'all', 'variance', 'std', 'norm', 'argmin', 'argmax'] as const;

gpuTest('axis: null means every axis (NumPy\'s axis=None) on every reduction and on logsumexp', async ({ device }) => {
  const h = Float32Array.from([3, -1, 4, 1, -5, 9]);
  using x = device.array(h, { shape: [2, 3] });
  for (const op of REDUCTIONS) {
    using a = gk[op](x, { axis: null });
    using b = gk[op](x);
    using k = gk[op](x, { axis: null, keepdims: true });
    expectArrayEqual(await a.toArray(), await b.toArray());
    expect(k.shape, op).toEqual([1, 1]);
    expectArrayEqual(await k.toArray(), await b.toArray());
  }
  const ref = numpy(`${LSE}\nout['r'] = np.array([logsumexp(inp['x'].astype(np.float64))])`, { x: h });
  using l = logsumexp(x, null);
  using lo = logsumexp(x, { axis: null });
  // log Σ exp over six values: the sum's and exp's roundings (≤ 16 ulp of a value near 9).
  expect(Math.abs((await l.item()) - (npOut(ref, 'r')[0] ?? NaN))).toBeLessThanOrEqual(16 * 2 ** -24 * 10);
  expect(await lo.item()).toBe(await l.item());
});

gpuTest('malformed reduction options are typed errors naming the function and the option (never a raw TypeError, never ignored)', ({ device }) => {
  using x = device.array([1, 2, 3, 4, 5, 6], { shape: [2, 3] });
  for (const op of REDUCTIONS) {
    const name = op === 'variance' ? 'var' : op;
    const f = gk[op] as (x: DeviceArray, o?: unknown) => DeviceArray;
    for (const [bad, pattern] of [
      [{ axis: '0' }, /axis must be an integer.*the string "0"/],
      [{ axis: [0, 'a'] }, /axis must be an integer/],
      [{ axis: 1.5 }, /axis must be an integer/],
      [{ axis: {} }, /axis must be an integer/],
      [{ axes: 0 }, /unknown option axes/],
      [{ keepdims: 1 }, /keepdims must be a boolean/],
      [5, /options must be an object/],
      [[0], /options must be an object/],
      [null, /options must be an object/],
    ] as const) {
      expect(() => f(x, bad), `${op}(${JSON.stringify(bad)})`).toThrow(ArgumentError);
      expect(() => f(x, bad), `${op}(${JSON.stringify(bad)})`).toThrow(new RegExp(`^${name}: ${pattern.source}`));
    }
    // ddof belongs to var and std only: elsewhere it would be ignored.
    if (op !== 'variance' && op !== 'std') expect(() => f(x, { ddof: 1 }), op).toThrow(/unknown option ddof/);
    else expect(() => f(x, { ddof: -1 }), op).toThrow(ArgumentError);
  }
  expect(() => logsumexp(x, { axis: 0 }, true)).toThrow(/logsumexp: with an options object, pass keepdims inside it/);
  expect(() => logsumexp(x, 'a' as unknown as number)).toThrow(/logsumexp: axis must be an integer/);
  expect(() => logsumexp(x, 0, 1 as unknown as boolean)).toThrow(/logsumexp: keepdims must be a boolean/);
  expect(() => logsumexp(x, { axes: 0 } as never)).toThrow(/logsumexp: unknown option axes/);
});

gpuTest('logsumexp takes { axis, keepdims } as well as positional arguments, with the same answers', async ({ device }) => {
  using x = device.array([1, 2, 3, 4, 5, 6], { shape: [2, 3] });
  for (const [pos, obj] of [
    [() => logsumexp(x, 0), () => logsumexp(x, { axis: 0 })],
    [() => logsumexp(x), () => logsumexp(x, {})],
    [() => logsumexp(x, [0, 1], true), () => logsumexp(x, { axis: [0, 1], keepdims: true })],
  ] as const) {
    using a = pos();
    using b = obj();
    expect(b.shape).toEqual(a.shape);
    expectArrayEqual(await b.toArray(), await a.toArray());
  }
});

gpuTest('a reduction builder along axes takes its scalar arguments, and checks them even when the result is empty', async ({ device }) => {
  const r = await device.reduction({ args: 'x: T[], k: i32', map: 'x * T(k)', reduce: 'a + b', identity: '0' });
  using x = device.array([1, 2, 3, 4, 5, 6], { shape: [2, 3] });
  using s = r(x, 2, { axis: 1 });
  expectArrayEqual(await s.toArray(), [12, 30]);
  using e = device.zeros([0, 3]);
  expect(() => r(e, 1.5, { axis: 1 })).toThrow(/reduction: params\.k: 1\.5 is not an i32/);
  expect(() => r(x, 1.5, { axis: 1 })).toThrow(ArgumentError);
  using n = r(x, 1, { axis: null, keepdims: true });
  expect(n.shape).toEqual([1, 1]);
  expectArrayEqual(await n.toArray(), [21]);
});
