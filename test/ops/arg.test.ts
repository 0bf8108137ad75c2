import { describe, expect } from 'vitest';
import { argmax, argmin, DTypeError, ShapeError } from '../../src/index.js';
import { pinParams } from '../../src/backends/dawn/tuning.js';
import { argTunable } from '../../src/backends/dawn/ops/arg.js';
import { dawnTest, gpuTest } from '../fixture.js';
import { EDGE_SIZES, numpy, npOut, randomF32, randomI32, randomU32 } from './helpers.js';

describe('argmin / argmax', () => {
  for (const n of [...EDGE_SIZES, 1_000_003]) {
    gpuTest(`f32, i32 and u32 at n = ${n} match NumPy's argmin/argmax`, async ({ device }) => {
      const f = randomF32(n, n + 1);
      const i = randomI32(n, n + 2, 50); // many ties: the first occurrence must win
      const u = randomU32(n, n + 3);
      if (n > 5000) f[n - 3] = NaN; // NaN wins (the first one), as in NumPy
      if (n === 0) {
        // NumPy raises on an empty argmin/argmax (no identity); so do both engines, with a ShapeError.
        const raised = npOut(numpy(`r = []\nfor k in ('f', 'i', 'u'):\n  for g in (np.argmin, np.argmax):\n    try:\n      g(inp[k]); r.append(0)\n    except ValueError:\n      r.append(1)\nout['r'] = np.array(r, dtype=np.uint32)`, { f, i, u }), 'r');
        expect(Array.from(raised)).toEqual([1, 1, 1, 1, 1, 1]);
        for (const h of [f, i, u]) {
          using x = device.array(h);
          expect(() => argmin(x)).toThrow(ShapeError);
          expect(() => argmax(x)).toThrow(/argmax: zero-size array \[0\] has no maximum/);
        }
        return;
      }
      const got: number[] = [];
      for (const h of [f, i, u]) {
        using x = device.array(h);
        using lo = argmin(x);
        using hi = argmax(x);
        got.push(await lo.item(), await hi.item());
      }
      // NumPy: first occurrence on ties, the first NaN if any.
      const want = npOut(numpy(`out['r'] = np.array([g(inp[k]) for k in ('f', 'i', 'u') for g in (np.argmin, np.argmax)], dtype=np.uint32)`, { f, i, u }), 'r');
      expect(got).toEqual(Array.from(want));
    });
  }

  gpuTest('NaN wins (first NaN), ties go to the first occurrence, -0 equals +0', async ({ device }) => {
    const h = new Float32Array(10_000).fill(1);
    h[7000] = NaN;
    h[9000] = NaN;
    h[3] = -5;
    using x = device.array(h);
    using a = argmin(x);
    using b = argmax(x);
    expect(await a.item()).toBe(7000);
    expect(await b.item()).toBe(7000);
    using z = device.array(new Float32Array([1, -0, 0, 2, -0]));
    using zmin = argmin(z);
    expect(await zmin.item()).toBe(1);
    using inf = device.array(new Float32Array([0, -Infinity, Infinity, -Infinity]));
    using imin = argmin(inf);
    using imax = argmax(inf);
    expect(await imin.item()).toBe(1);
    expect(await imax.item()).toBe(2);
  });

  gpuTest('an empty array is a ShapeError (whole, and along an empty axis whatever the result size); f16 is refused', async ({ device }) => {
    using e = device.zeros(0);
    expect(() => argmin(e)).toThrow(ShapeError);
    expect(() => argmax(e, { keepdims: true })).toThrow(ShapeError);
    using e2 = device.zeros([0, 0]);
    expect(() => argmax(e2, { axis: 0 })).toThrow(ShapeError); // NumPy: np.zeros((0, 0)).argmax(axis=0) raises
    expect(() => argmin(e2, { axis: [0, 1] })).toThrow(ShapeError);
    if (device.info.features.includes('shader-f16')) {
      using h = device.zeros(4, 'f16');
      expect(() => argmax(h)).toThrow(DTypeError);
    }
  });

  dawnTest('combine passes and a 2-D grid (small pinned blocks)', async ({ device }) => {
    pinParams(device.ctx, argTunable.op, { WG: 8, ITEMS: 2 });
    try {
      const n = 65_535 * 8 * 2 * 4 + 13;
      const h = randomF32(n, 5);
      h[n - 2] = -3;
      using x = device.array(h);
      using r = argmin(x);
      expect(await r.item()).toBe(n - 2);
    } finally {
      pinParams(device.ctx, argTunable.op, undefined);
    }
  });
});
