/**
 * Reductions along axes against NumPy, on both engines: every axis subset of a 3-D array (negative axes,
 * keepdims), views as input, empty axes, NaN, f32 within the blocked-sum bound and integers exactly.
 */
import { expect } from 'vitest';
import { all, any, argmax, argmin, ArgumentError, max, mean, min, norm, prod, ShapeError, std, sum, variance, type DeviceArray } from '../../src/index.js';
import * as gk from '../../src/index.js';
import { expectArrayEqual, gpuTest } from '../fixture.js';
import { npOut, numpy } from './helpers.js';
import { tunedParams } from '../../src/backends/dawn/tuning.js';
import { rowsTunable } from '../../src/ops/axis.js';
import { rowMeanBound, rowNormBound, rowVarBound, softmaxBounds, sqrtBound, type RowEngine } from '../tolerance.js';

const SUBSETS: (number | number[])[] = [0, 1, 2, -1, [0, 1], [0, 2], [1, 2], [-1, 0], [0, 1, 2]];

gpuTest('sum, prod, min, max, argmin, argmax, any, all along every axis subset of a (4, 5, 6) array match NumPy', async ({ device }) => {
  const shape = [4, 5, 6];
  const n = 120;
  // Small integers in [−3, 3], varying along every axis, with ties (the first occurrence must win): sums
  // exact in f32; products use ±1/0 (exact along any subset).
  const fh = Float32Array.from({ length: n }, (_, i) => ((i * 37 + 11) % 7) - 3);
  const sh = Float32Array.from({ length: n }, (_, i) => [1, -1, 1, 0, 1, 1, -1][i % 7] ?? 1);
  const code = `
x = inp['x'].reshape(4, 5, 6).astype(np.float64); s = inp['s'].reshape(4, 5, 6).astype(np.float64)
subsets = ${JSON.stringify(SUBSETS)}
for k, ax in enumerate(subsets):
    a = tuple(ax) if isinstance(ax, list) else ax
    out[f'sum{k}'] = x.sum(axis=a).ravel(); out[f'min{k}'] = x.min(axis=a).ravel(); out[f'max{k}'] = x.max(axis=a).ravel()
    out[f'prod{k}'] = s.prod(axis=a).ravel(); out[f'any{k}'] = (x > 1).any(axis=a).astype(np.uint32).ravel(); out[f'all{k}'] = (x > -3).all(axis=a).astype(np.uint32).ravel()
    out[f'shape{k}'] = np.array(x.sum(axis=a, keepdims=True).shape, dtype=np.uint32)
    if not isinstance(ax, list):
        out[f'amin{k}'] = x.argmin(axis=ax).astype(np.uint32).ravel(); out[f'amax{k}'] = x.argmax(axis=ax).astype(np.uint32).ravel()
`;
  const ref = numpy(code, { x: fh, s: sh });
  for (const dtype of ['f32', 'i32'] as const) {
    using x = device.array(dtype === 'f32' ? fh : Int32Array.from(fh), { shape });
    using s = device.array(dtype === 'f32' ? sh : Int32Array.from(sh), { shape });
    using gt1 = device.array(Uint32Array.from(fh, (v) => (v > 1 ? 1 : 0)), { shape });
    using gtm3 = device.array(Uint32Array.from(fh, (v) => (v > -3 ? 1 : 0)), { shape });
    for (const [k, axis] of SUBSETS.entries()) {
      const what = `${dtype} axis ${JSON.stringify(axis)}`;
      for (const [name, r] of [
        ['sum', sum(x, { axis })],
        ['min', min(x, { axis })],
        ['max', max(x, { axis })],
        ['prod', prod(s, { axis })],
        ['any', any(gt1, { axis })],
        ['all', all(gtm3, { axis })],
      ] as [string, DeviceArray][]) {
        try {
          expectArrayEqual(await r.toArray(), npOut(ref, `${name}${k}`));
        } catch (e) {
          throw new Error(`${what} ${name}: ${(e as Error).message}`, { cause: e });
        } finally {
          r.destroy();
        }
      }
      using kd = sum(x, { axis, keepdims: true });
      expect(kd.shape, what).toEqual(Array.from(npOut(ref, `shape${k}`)));
      if (!Array.isArray(axis)) {
        using a = argmin(x, { axis });
        expectArrayEqual(await a.toArray(), npOut(ref, `amin${k}`));
        using b = argmax(x, { axis });
        expectArrayEqual(await b.toArray(), npOut(ref, `amax${k}`));
      }
    }
  }
});

gpuTest('mean, var (ddof), std and norm along axes of f32 data and of a transposed view, within the blocked-sum bound', async ({ device }) => {
  const h = Float32Array.from({ length: 7 * 300 }, (_, i) => Math.sin(i * 0.37) * 3 + (i % 5));
  const ref = numpy(
    `
x = inp['x'].astype(np.float64).reshape(7, 300)
out['mean1'] = x.mean(axis=1); out['var1'] = x.var(axis=1, ddof=1); out['std0'] = x.std(axis=0); out['norm1'] = np.sqrt((x * x).sum(axis=1))
out['abs1'] = np.abs(x).sum(axis=1); out['abs0'] = np.abs(x).sum(axis=0); out['tmean'] = x.T.mean(axis=-1)
`,
    { x: h },
  );
  using x = device.array(h, { shape: [7, 300] });
  const check = (got: ArrayLike<number>, want: ArrayLike<number>, bound: (i: number) => number, what: string): void => {
    expect(got.length, what).toBe(want.length);
    for (let i = 0; i < want.length; i++) {
      const err = Math.abs((got[i] ?? NaN) - (want[i] ?? NaN));
      if (!(err <= bound(i))) expect.fail(`${what}[${i}]: got ${got[i]}, expected ${want[i]} (error ${err} > ${bound(i)})`);
    }
  };
  const abs1 = npOut(ref, 'abs1');
  const abs0 = npOut(ref, 'abs0');
  // The row kernel's bounds (test/tolerance.ts) for the geometry this device runs rows of R in.
  const eng = (R: number): RowEngine => (device.info.engine === 'gpujs' ? 'gpujs' : { lanes: tunedParams(device.ctx, rowsTunable, R)['LANES'] ?? 1 });
  using m1 = mean(x, { axis: 1 });
  check(await m1.toArray(), npOut(ref, 'mean1'), (i) => rowMeanBound(abs1[i] ?? NaN, 300, eng(300)), 'mean axis 1');
  using t = x.T;
  using tm = mean(t, { axis: -1 });
  check(await tm.toArray(), npOut(ref, 'tmean'), (i) => rowMeanBound(abs0[i] ?? NaN, 7, eng(7)), 'mean of a transposed view');
  using v1 = variance(x, { axis: 1, ddof: 1 });
  const var1 = npOut(ref, 'var1');
  check(await v1.toArray(), var1, (i) => rowVarBound(var1[i] ?? NaN, abs1[i] ?? NaN, 300, 1, eng(300)), 'var axis 1 (ddof 1)');
  using s0 = std(x, { axis: 0 });
  const std0 = npOut(ref, 'std0');
  check(await s0.toArray(), std0, (i) => {
    const v = (std0[i] ?? NaN) ** 2;
    return sqrtBound(v, rowVarBound(v, abs0[i] ?? NaN, 7, 0, eng(7)), eng(7));
  }, 'std axis 0');
  using n1 = norm(x, { axis: 1 });
  const norm1 = npOut(ref, 'norm1');
  check(await n1.toArray(), norm1, (i) => rowNormBound(norm1[i] ?? NaN, 300, eng(300)), 'norm axis 1');
});

gpuTest('empty axes, NaN, and bad axes', async ({ device }) => {
  using e = device.zeros([3, 0]);
  using s = sum(e, { axis: 1 });
  expectArrayEqual(await s.toArray(), [0, 0, 0]);
  using p = prod(e, { axis: 1 });
  expectArrayEqual(await p.toArray(), [1, 1, 1]);
  using mn = mean(e, { axis: 1 });
  expectArrayEqual(await mn.toArray(), [NaN, NaN, NaN]);
  expect(() => max(e, { axis: 1 })).toThrow(ShapeError);
  using x = device.array([1, NaN, 3, 4, 2, 0], { shape: [2, 3] });
  using mx = max(x, { axis: 1 });
  expectArrayEqual(await mx.toArray(), [NaN, 4]);
  using am = argmin(x, { axis: 1 });
  expectArrayEqual(await am.toArray(), [1, 2]);
  expect(() => sum(x, { axis: 2 })).toThrow(ArgumentError);
  expect(() => sum(x, { axis: [0, -2] })).toThrow(ArgumentError);
  using whole = sum(x, { keepdims: true });
  expect(whole.shape).toEqual([1, 1]);
  expect(await whole.item()).toBeNaN();
});

gpuTest('softmax and logsumexp along an axis match NumPy (stable for large values; a row of −Inf gives NaN / −Inf)', async ({ device }) => {
  const h = Float32Array.from([1, 2, 3, 4, 1000, 1001, 999, 1000, -5, 0, 5, 10, -Infinity, -Infinity, -Infinity, -Infinity]);
  const ref = numpy(
    `
x = inp['x'].astype(np.float64).reshape(4, 4)
with np.errstate(all='ignore'):
    m = x.max(axis=1, keepdims=True); m = np.where(np.isfinite(m), m, 0)
    e = np.exp(x - m); out['sm'] = (e / e.sum(axis=1, keepdims=True)).ravel()
    out['lse'] = (np.log(e.sum(axis=1)) + m[:, 0])
    c = np.exp(x - x.max(axis=0, keepdims=True)); out['sm0'] = (c / c.sum(axis=0, keepdims=True)).ravel()
`,
    { x: h },
  );
  using x = device.array(h, { shape: [4, 4] });
  const close = (got: ArrayLike<number>, want: ArrayLike<number>, what: string, bound: (i: number) => number = (i) => 1e-6 * Math.max(1, Math.abs(want[i] ?? 0))): void => {
    expect(got.length, what).toBe(want.length);
    for (let i = 0; i < want.length; i++) {
      const g = got[i] ?? NaN;
      const w = want[i] ?? NaN;
      if (g === w) continue;
      if (Number.isNaN(w) ? !Number.isNaN(g) : !(Math.abs(g - w) <= bound(i))) expect.fail(`${what}[${i}]: got ${g}, expected ${w} (bound ${bound(i)})`);
    }
  };
  // softmax relatively, element by element (test/tolerance.ts softmaxBounds), each row shifted by its finite maximum.
  const eng: RowEngine = device.info.engine === 'gpujs' ? 'gpujs' : { lanes: tunedParams(device.ctx, rowsTunable, 4)['LANES'] ?? 1 };
  const smBounds = (rows: number[][]): ((i: number) => number) => {
    const b = rows.flatMap((xs) => {
      const m = Math.max(...xs);
      return Array.from(softmaxBounds(xs, Number.isFinite(m) ? m : 0, eng));
    });
    return (i) => b[i] ?? NaN;
  };
  const row = (i: number): number[] => Array.from(h.subarray(4 * i, 4 * i + 4));
  const col = (j: number): number[] => [0, 1, 2].map((i) => h[4 * i + j] ?? NaN);
  using sm = gk.softmax(x, 1);
  close(await sm.toArray(), npOut(ref, 'sm'), 'softmax axis 1', smBounds([0, 1, 2, 3].map(row)));
  using lse = gk.logsumexp(x, -1);
  expect(lse.shape).toEqual([4]);
  close(await lse.toArray(), npOut(ref, 'lse'), 'logsumexp axis -1');
  using top = x.slice([0, 3]);
  using sm0 = gk.softmax(top, 0);
  // Axis 0 of the 3 × 4 slice: the bounds are per column, laid out row-major like the result.
  const colBounds = smBounds([0, 1, 2, 3].map(col));
  close(await sm0.toArray(), npOut(ref, 'sm0').slice(0, 12), 'softmax axis 0 of a slice', (i) => colBounds(3 * (i % 4) + Math.floor(i / 4)));
});

gpuTest('cumsum and exclusive scan along every axis (and of a view) match NumPy; integers past the range fail, never wrap', async ({ device }) => {
  const h = Float32Array.from({ length: 3 * 4 * 5 }, (_, i) => ((i * 5) % 11) - 5);
  const ref = numpy(
    `
x = inp['x'].astype(np.float64).reshape(3, 4, 5)
for a in (0, 1, 2, -1):
    out[f'c{a}'] = np.cumsum(x, axis=a).ravel(); out[f'e{a}'] = (np.cumsum(x, axis=a) - x).ravel()
out['flat'] = np.cumsum(x).ravel(); out['view'] = np.cumsum(x[:, ::-1, 1:4], axis=1).ravel()
`,
    { x: h },
  );
  for (const dtype of ['f32', 'i32'] as const) {
    using x = device.array(dtype === 'f32' ? h : Int32Array.from(h), { shape: [3, 4, 5] });
    for (const a of [0, 1, 2, -1]) {
      using c = gk.cumsum(x, a);
      expect(c.shape).toEqual([3, 4, 5]);
      expectArrayEqual(await c.toArray(), npOut(ref, `c${a}`));
      using e = gk.scan(x, { axis: a, exclusive: true });
      expectArrayEqual(await e.toArray(), npOut(ref, `e${a}`));
    }
    using flat = gk.cumsum(x);
    expect(flat.shape).toEqual([60]);
    expectArrayEqual(await flat.toArray(), npOut(ref, 'flat'));
    using v = x.slice(null, [null, null, -1], [1, 4]);
    using cv = gk.cumsum(v, 1);
    expectArrayEqual(await cv.toArray(), npOut(ref, 'view'));
  }
  using w = device.array(Int32Array.from([2147483647, 1, 5]), { shape: [1, 3] });
  using cw = gk.cumsum(w, 1);
  await expect(cw.toArray()).rejects.toThrow(gk.OverflowError);
  await expect(device.sync()).rejects.toThrow(/^cumsum: a running sum of i32 leaves i32's range/);
});

gpuTest('device.reduction along axes: a user map/reduce per row (i = the position along the reduced axes), with broadcasting and keepdims', async ({ device }) => {
  const xh = Float32Array.from({ length: 3 * 4 * 5 }, (_, i) => ((i * 7) % 9) - 4);
  const wh = Float32Array.from({ length: 5 }, (_, i) => i - 2);
  const ref = numpy(
    `
x = inp['x'].astype(np.float64).reshape(3, 4, 5); w = inp['w'].astype(np.float64)
out['sumsq2'] = (x * x).sum(axis=2).ravel(); out['wdot'] = (x * w).sum(axis=-1).ravel()
out['pos'] = (x * np.arange(5)).sum(axis=2).ravel()
out['max01'] = x.max(axis=(0, 1)).ravel(); out['kd'] = np.array((x * x).sum(axis=1, keepdims=True).shape, dtype=np.uint32)
`,
    { x: xh, w: wh },
  );
  const sumsq = await device.reduction({ args: 'x: T[]', map: 'x * x', reduce: 'a + b', identity: '0' });
  const wdot = await device.reduction({ args: 'x: T[], w: T[]', map: 'x * w', reduce: 'a + b', identity: '0' });
  const pos = await device.reduction({ args: 'x: T[]', map: 'x * T(i)', reduce: 'a + b', identity: '0' });
  const mx = await device.reduction({ args: 'x: T[]', reduce: 'max(a, b)', identity: '-3.0e38' });
  using x = device.array(xh, { shape: [3, 4, 5] });
  using w = device.array(wh);
  using a = sumsq(x, { axis: 2 });
  expect(a.shape).toEqual([3, 4]);
  expectArrayEqual(await a.toArray(), npOut(ref, 'sumsq2'));
  using b = wdot({ x, w }, { axis: -1 }); // w broadcasts over x's rows
  expectArrayEqual(await b.toArray(), npOut(ref, 'wdot'));
  using c = pos(x, { axis: 2 });
  expectArrayEqual(await c.toArray(), npOut(ref, 'pos'));
  using d = mx(x, { axis: [0, 1] });
  expectArrayEqual(await d.toArray(), npOut(ref, 'max01'));
  using e = sumsq(x, { axis: 1, keepdims: true });
  expect(e.shape).toEqual(Array.from(npOut(ref, 'kd')));
  expect(() => sumsq(x, { axis: 3 })).toThrow(ArgumentError);
});
