/**
 * A whole-array reduction absorbs the recorded chain under its operand (its prologue): `sum(mul(x, y))` is
 * one reduction reading x and y, as dot is; `mean(square(sub(x, m)))` and `max(abs(x))` likewise. The
 * answers are NumPy's (float sums within the blocked-sum bound n·2^-24·Σ|terms|; min and max exact, NaN
 * winning), and the operand itself stays a recorded chain that reads back right when asked.
 */
import { describe, expect } from 'vitest';
import { abs, max, mean, min, mul, square, sub, sum, type DeviceArray } from '../../src/index.js';
import { expectArrayEqual, gpuTest } from '../fixture.js';
import { numpy, npOut, randomF32 } from '../ops/helpers.js';

/** |got − want| within the blocked-sum bound over the terms' magnitudes. */
function expectSumClose(got: number, want: number, n: number, magnitude: number): void {
  const bound = n * 2 ** -24 * magnitude + 1e-30;
  expect(Math.abs(got - want), `got ${got}, want ${want}, bound ${bound}`).toBeLessThanOrEqual(bound);
}

describe('a reduction absorbs its elementwise prologue', () => {
  gpuTest('sum(mul(x, y)) is one reduction (no elementwise kernel) and NumPy\'s dot', async ({ device }) => {
    for (const n of [1, 63, 65, 4097, 100_003]) {
      const xh = randomF32(n, 31 + n, -2, 2);
      const yh = randomF32(n, 32 + n, -2, 2);
      using x = device.array(xh);
      using y = device.array(yh);
      const r = npOut(numpy('x = inp["x"].astype(np.float64)\ny = inp["y"].astype(np.float64)\nout["s"] = np.array([np.dot(x, y), np.abs(x * y).sum()])', { x: xh, y: yh }), 's');
      await device.sync();
      const p = await device.profile(async () => {
        using m = mul(x, y);
        using s = sum(m);
        return await s.item();
      });
      expectSumClose(p.result, r[0] ?? NaN, n, r[1] ?? NaN);
      if (device.info.engine === 'dawn' && device.backend.fusion) {
        expect(p.kernels.every((k) => k.label.startsWith('reduction|sum(fused(mul))')), p.kernels.map((k) => k.label).join(', ')).toBe(true);
      }
    }
  });

  gpuTest('mean(square(sub(x, m))) is NumPy\'s variance; the operand still reads back as x − m', async ({ device }) => {
    const n = 5000;
    const xh = randomF32(n, 41, 3, 5);
    using x = device.array(xh);
    using m = mean(x);
    using d = sub(x, m);
    using q = square(d);
    using v = mean(q);
    const mh = await m.item();
    // x − m and its square in f32, as the ops compute them; their mean in float64.
    const r = npOut(numpy('dd = inp["x"] - inp["m"][0]\nsq = (dd * dd).astype(np.float64)\nout["v"] = np.array([sq.mean(), sq.mean()])', { x: xh, m: new Float32Array([mh]) }), 'v');
    expectSumClose(await v.item(), r[0] ?? NaN, n, r[1] ?? NaN);
    expectArrayEqual(await d.toArray(), xh.map((e) => Math.fround(e - mh)));
  });

  gpuTest('mean(square(sub(x, mean(x)))): the 0-d mean is read in place (two reductions, no broadcast copy), NumPy\'s variance', async ({ device }) => {
    for (const n of [2, 5, 4097, 100_003]) {
      const xh = randomF32(n, 61 + n, -3, 9);
      using x = device.array(xh);
      await device.sync();
      const p = await device.profile(async () => {
        using m = mean(x);
        using d = sub(x, m);
        using q = square(d);
        using v = mean(q);
        return [await m.item(), await v.item()] as const;
      });
      const [mh, vh] = p.result;
      const r = npOut(numpy('dd = inp["x"] - inp["m"][0]\nsq = (dd * dd).astype(np.float64)\nout["v"] = np.array([sq.mean(), sq.mean()])', { x: xh, m: new Float32Array([mh]) }), 'v');
      expectSumClose(vh, r[0] ?? NaN, n, r[1] ?? NaN);
      if (device.info.engine === 'dawn' && device.backend.fusion) {
        const labels = p.kernels.map((k) => k.label);
        expect(labels.filter((l) => !l.startsWith('reduction|mean|') && !l.startsWith('reduction|mean(fused(sub,square))|')), labels.join(', ')).toEqual([]);
      }
    }
  });

  gpuTest('a one-element view operand (not plain) is broadcast as before, with the same answer', async ({ device }) => {
    const xh = randomF32(1000, 71, -1, 1);
    using x = device.array(xh);
    using w = x.slice([5, 6]); // a view of one element at offset 5
    using d = sub(x, w);
    using s = sum(d);
    const want = xh.reduce((a, e) => a + Math.fround(e - (xh[5] ?? 0)), 0);
    expectSumClose(await s.item(), want, 1000, xh.reduce((a, e) => a + Math.abs(Math.fround(e - (xh[5] ?? 0))), 0));
  });

  gpuTest('max(abs(x)) and min(sub(x, 1)) exact; a NaN in the chain wins', async ({ device }) => {
    const xh = randomF32(3001, 51, -7, 7);
    using x = device.array(xh);
    const run = async (f: (a: DeviceArray) => DeviceArray, g: (a: DeviceArray) => DeviceArray): Promise<number> => {
      using a = f(x);
      using b = g(a);
      return await b.item();
    };
    expect(await run(abs, max)).toBe(Math.max(...xh.map((e) => Math.abs(e))));
    expect(await run((a) => sub(a, 1), min)).toBe(Math.min(...xh.map((e) => Math.fround(e - 1))));
    xh[1234] = NaN;
    using withNaN = device.array(xh);
    using a = abs(withNaN);
    using b = max(a);
    expect(await b.item()).toBeNaN();
  });
});
