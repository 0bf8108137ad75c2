import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { dot, max, mean, min, norm, sum, DTypeError, ShapeError, ShaderCompileError, type GpuDevice } from '../../src/index.js';
import { pinParams } from '../../src/backends/dawn/tuning.js';
import { reductionTunable } from '../../src/ops/reduce.js';
import { dawnTest, gpuTest } from '../fixture.js';
import { absSum, expectWithin, gamma, sumBound, U32 } from '../tolerance.js';
import { EDGE_SIZES, numpy, npOut, randomF32, randomI32, randomU32, sumDepth } from './helpers.js';

/** Float64 sum, written here (no code shared with any implementation). */
function sum64(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] ?? 0;
  return s;
}

/** min/max by the built-in typed-array sort (NaN sorts last there): an oracle that shares no code with gpukit. */
function extremes(x: Float32Array | Int32Array | Uint32Array): { lo: number; hi: number } {
  if (x.length === 0) return { lo: Infinity, hi: -Infinity };
  const s = x.slice().sort();
  const last = s[s.length - 1] ?? NaN;
  if (Number.isNaN(last)) return { lo: NaN, hi: NaN };
  return { lo: s[0] ?? NaN, hi: last };
}

/** The device's f32 sum of `x` is within the derived bound (test/tolerance.ts) of the float64 sum. */
function expectSumClose(device: GpuDevice, got: number, x: Float32Array, ref = sum64(x)): void {
  expectWithin(`sum of ${x.length}`, got, ref, sumBound(absSum(x), sumDepth(device, x.length), x.length));
}

describe('reductions', () => {
  for (const n of [...EDGE_SIZES, 2 ** 20 + 3]) {
    gpuTest(`sum, min, max, dot, norm, mean of f32 at n = ${n} against NumPy, within the derived bounds`, async ({ device }) => {
      const xh = randomF32(n, 11, -2, 3);
      const yh = randomF32(n, 12, -1, 1);
      using x = device.array(xh);
      using y = device.array(yh);
      using s = sum(x);
      // min/max of nothing: NumPy raises (no identity), and so do they, on both engines.
      if (n === 0) {
        expect(() => min(x)).toThrow(ShapeError);
        expect(() => max(x)).toThrow(ShapeError);
      }
      using lo = n === 0 ? undefined : min(x);
      using hi = n === 0 ? undefined : max(x);
      using d = dot(x, y);
      using nr = norm(x);
      using m = mean(x);
      const [rs, rlo, rhi, rd, rn, rm] = await Promise.all([s.item(), lo?.item() ?? NaN, hi?.item() ?? NaN, d.item(), nr.item(), m.item()]);
      const r = npOut(
        numpy(
          `x = inp['x'].astype(np.float64); y = inp['y'].astype(np.float64)
out['r'] = np.array([x.sum(), np.abs(x).sum(), x.min() if x.size else np.nan, x.max() if x.size else np.nan, (x * y).sum(), np.abs(x * y).sum(), (x * x).sum()])`,
          { x: xh, y: yh },
        ),
        'r',
      );
      const [S, A, MIN, MAX, D, DA, SQ] = Array.from(r);
      const depth = sumDepth(device, n);
      const eSum = sumBound(A ?? NaN, depth, n);
      expectWithin('sum', rs, S ?? NaN, eSum);
      expect(rlo).toBe(MIN); // NaN = NaN when n = 0: both absent
      expect(rhi).toBe(MAX);
      // dot: one more rounding (the product) on every term.
      expectWithin('dot', rd, D ?? NaN, sumBound(DA ?? NaN, depth + 1, n));
      // norm: the sum of squares within e, then sqrt (≤ 8 ulp in WGSL): |√ŝ − √S| ≤ e/√S + 8·2⁻²³·√S.
      const sq = SQ ?? NaN;
      const eSq = sumBound(sq, depth + 1, n);
      expectWithin('norm', rn, Math.sqrt(sq), (sq > 0 ? eSq / Math.sqrt(sq) : Math.sqrt(eSq)) + 8 * 2 * U32 * Math.sqrt(sq));
      // mean = ŝ · fround(1/n): two more roundings on the value.
      if (n === 0) expect(rm).toBeNaN();
      else expectWithin('mean', rm, (S ?? NaN) / n, (eSum + 3 * U32 * Math.abs(S ?? NaN)) / n * (1 + 3 * U32));
    });
  }

  for (const n of [5, 4097, 65_537, 1_000_001, 2 ** 20 + 3]) {
    gpuTest(`exact data: small-integer (and 2⁻¹⁰-multiple) sums and dots are exact at n = ${n}`, async ({ device }) => {
      // Every partial sum of any subset is an integer below 2^24 (|x| ≤ 4, |x·y| ≤ 9), so any summation
      // order gives the exact answer: a dropped, doubled or misplaced element changes it.
      const xi = Float32Array.from(randomI32(n, n + 71, 5), (v) => v % 5);
      const yi = Float32Array.from(randomI32(n, n + 72, 4), (v) => v % 4);
      xi[n - 1] = 3; // the last element is non-zero, so losing it shows
      yi[n - 1] = -3;
      // Multiples of 2⁻¹⁰ with Σ|q| ≤ n·K·2⁻¹⁰ ≤ 2^13: every partial sum is an integer times 2⁻¹⁰ below 2^24·2⁻¹⁰.
      const K = Math.min(1024, Math.floor(2 ** 23 / n));
      const q = Float32Array.from(randomI32(n, n + 73, K), (v) => v * 2 ** -10);
      q[n - 1] = 0.5;
      using x = device.array(xi);
      using y = device.array(yi);
      using z = device.array(q);
      using s = sum(x);
      using d = dot(x, y);
      using sq = sum(z);
      using m = mean(x);
      const [rs, rd, rq, rm] = await Promise.all([s.item(), d.item(), sq.item(), m.item()]);
      const r = npOut(
        numpy(
          `x = inp['x'].astype(np.int64); y = inp['y'].astype(np.int64); z = inp['z'].astype(np.float64)
out['r'] = np.array([x.sum(), (x * y).sum(), z.sum(), np.abs(z).sum()], dtype=np.float64)`,
          { x: xi, y: yi, z: q },
        ),
        'r',
      );
      expect(r[3] ?? Infinity).toBeLessThan(2 ** 14);
      expect(rs).toBe(r[0]);
      expect(rd).toBe(r[1]);
      expect(rq).toBe(r[2]);
      // The mean adds two roundings to the exact sum.
      expectWithin('mean', rm, (r[0] ?? NaN) / n, gamma(3) * Math.abs((r[0] ?? NaN) / n));
    });
  }

  gpuTest('integer reductions are exact (i32 and u32, partial sums past the range, totals inside it)', async ({ device }) => {
    // Terms of ±2^30 whose partial sums leave i32 (the first half's total is ~10^11) while the total, 12345,
    // is inside it: the second half negates the first.
    const half = randomI32(50_001, 5, 2 ** 30);
    const a = Int32Array.from([...half, ...Array.from(half, (v) => -v).reverse(), 12345]);
    using x = device.array(a);
    using s = sum(x);
    using lo = min(x);
    using hi = max(x);
    let ref = 0;
    for (const v of a) ref = (ref + v) | 0;
    expect(await s.item()).toBe(ref);
    expect(await lo.item()).toBe(extremes(a).lo);
    expect(await hi.item()).toBe(extremes(a).hi);
    const u = randomU32(70_001, 6).map((v) => v % 61_000);
    using ux = device.array(u);
    using us = sum(ux);
    using umax = max(ux);
    let uref = 0;
    for (const v of u) uref = (uref + v) >>> 0;
    expect(await us.item()).toBe(uref);
    expect(await umax.item()).toBe(extremes(u).hi);
  });

  gpuTest('NaN and ±Inf propagate as IEEE says', async ({ device }) => {
    using a = device.array(new Float32Array([1, 2, NaN, 4, -Infinity]));
    using sa = sum(a);
    using mina = min(a);
    using maxa = max(a);
    expect(await sa.item()).toBeNaN();
    expect(await mina.item()).toBeNaN();
    expect(await maxa.item()).toBeNaN();
    using b = device.array(new Float32Array([1, Infinity, -5]));
    using sb = sum(b);
    using minb = min(b);
    using maxb = max(b);
    expect(await sb.item()).toBe(Infinity);
    expect(await minb.item()).toBe(-5);
    expect(await maxb.item()).toBe(Infinity);
    using c = device.array(new Float32Array([Infinity, -Infinity]));
    using sc = sum(c);
    expect(await sc.item()).toBeNaN();
    using e = device.zeros(0);
    using se = sum(e);
    expect(() => min(e)).toThrow(/min: zero-size array \[0\] has no minimum/);
    expect(() => max(e)).toThrow(ShapeError);
    expect(await se.item()).toBe(0);
  });

  for (const [label, params] of [
    ['a shared-memory tree per workgroup (the GPU shape)', { WG: 64, ITEMS: 4, TREE: 1 }],
    ['one partial per invocation (the software-adapter shape)', { WG: 32, ITEMS: 2, TREE: 0 }],
  ] as const) {
    dawnTest(`both reduction shapes agree: ${label}`, async ({ device }) => {
      pinParams(device.ctx, reductionTunable.op, params);
      try {
        for (const n of [0, 1, 63, 64, 65, 1000, 100_001]) {
          const xh = randomF32(n, n + 1);
          using x = device.array(xh);
          using s = sum(x);
          expectSumClose(device, await s.item(), xh);
          if (n === 0) expect(() => max(x)).toThrow(ShapeError);
          else {
            using m = max(x);
            expect(await m.item()).toBe(extremes(xh).hi);
          }
        }
      } finally {
        pinParams(device.ctx, reductionTunable.op, undefined);
      }
    });
  }

  dawnTest('a size that needs a 2-D grid in its first pass', async ({ device }) => {
    pinParams(device.ctx, reductionTunable.op, { WG: 32, ITEMS: 1, TREE: 0 });
    try {
      const n = 65_535 * 32 * 4 + 7;
      const xh = randomF32(n, 99);
      using x = device.array(xh);
      using s = sum(x);
      expectSumClose(device, await s.item(), xh);
    } finally {
      pinParams(device.ctx, reductionTunable.op, undefined);
    }
  });

  gpuTest('mismatches are typed errors naming both sides', async ({ device }) => {
    using x = device.zeros(4);
    using y = device.zeros(5);
    using z = device.zeros(4, 'i32');
    expect(() => dot(x, y)).toThrow(ShapeError);
    expect(() => dot(x, y)).toThrow(/x has length 4 but y has length 5/);
    expect(() => dot(x, z)).toThrow(DTypeError);
    expect(() => dot(x, z)).toThrow(/x is f32 but y is i32/);
    expect(() => norm(z)).toThrow(/norm: x has dtype i32; expected f32 or f16/);
  });
});

describe('the reduction builder', () => {
  dawnTest('map / reduce / identity / post, chained as device scalars', async ({ device }) => {
    const rms = await device.reduction({ name: 'rms', args: 'x: T[], inv_n: f32', map: 'x * x', reduce: 'a + b', identity: '0', post: 'sqrt(a * params.inv_n)' });
    const xh = randomF32(12_345, 3);
    using x = device.array(xh);
    using r = rms(x, 1 / xh.length);
    const ref = Math.sqrt(sum64(xh.map((v) => v * v)) / xh.length);
    expect(Math.abs((await r.item()) - ref)).toBeLessThan(1e-5 * ref);
    // A device scalar feeds another op without a round trip.
    using twice = (await device.elementwise({ args: 'x: T[], y: T[]', body: 'y = 2.0 * x' }))({ x: r }) as import('../../src/index.js').DeviceArray;
    expect(Math.abs((await twice.item()) - 2 * ref)).toBeLessThan(2e-5 * ref);
  });

  dawnTest('a custom associative reduce: count of elements above a threshold (u32 result)', async ({ device }) => {
    const count = await device.reduction({ args: 'x: T[], t: f32', map: 'select(0u, 1u, f32(x) > params.t)', reduce: 'a + b', identity: '0u', type: 'u32' });
    const xh = randomF32(50_001, 8);
    using x = device.array(xh);
    using c = count(x, 0.25);
    expect(await c.item()).toBe(xh.filter((v) => v > 0.25).length);
  });

  dawnTest('an expression that does not compile points into it', async ({ device }) => {
    const err = await device.reduction({ name: 'bad', args: 'x: T[]', map: 'x * nope', reduce: 'a + b', identity: '0' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ShaderCompileError);
    const d = (err as ShaderCompileError).diagnostics[0];
    expect(d).toMatchObject({ line: 1, column: 5, sourceLine: 'x * nope' });
    expect(d?.message).toMatch(/map expression of reduction 'bad'/);
  });

  gpuTest('property: random sizes and values against the float64 reference (fast-check)', async ({ device }) => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 50_000 })), fc.integer({ min: 1, max: 2 ** 30 }), fc.double({ min: 1e-3, max: 1e6, noNaN: true }), async (n, seed, scale) => {
        const xh = randomF32(n, seed, -scale, scale);
        using x = device.array(xh);
        using s = sum(x);
        expectSumClose(device, await s.item(), xh);
        if (n === 0) expect(() => min(x)).toThrow(ShapeError); // no identity, as NumPy
        else {
          using m = min(x);
          expect(await m.item()).toBe(extremes(xh).lo);
        }
      }),
      { numRuns: 25 },
    );
  });
});
