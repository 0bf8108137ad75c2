import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { dot, max, mean, min, norm, sum, DTypeError, ShapeError, ShaderCompileError } from '../../src/index.js';
import { pinParams } from '../../src/kernels/tuning.js';
import { dotCpu, maxCpu, minCpu, reductionTunable, sumCpu, sumTolerance } from '../../src/ops/reduce.js';
import { dawnTest, gpuTest } from '../fixture.js';
import { EDGE_SIZES, randomF32, randomI32, randomU32 } from './helpers.js';

function expectSumClose(got: number, x: Float32Array, ref = sumCpu(x)): void {
  const tol = sumTolerance(x);
  if (!(Math.abs(got - ref) <= tol)) expect.fail(`sum ${got} differs from the float64 reference ${ref} by more than ${tol}`);
}

describe('reductions', () => {
  for (const n of [...EDGE_SIZES, 2 ** 20 + 3]) {
    gpuTest(`sum, min, max, dot, norm, mean of f32 at n = ${n}`, async ({ device }) => {
      const xh = randomF32(n, 11, -2, 3);
      const yh = randomF32(n, 12, -1, 1);
      using x = device.array(xh);
      using y = device.array(yh);
      using s = sum(x);
      using lo = min(x);
      using hi = max(x);
      using d = dot(x, y);
      using nr = norm(x);
      using m = mean(x);
      const [rs, rlo, rhi, rd, rn, rm] = await Promise.all([s.item(), lo.item(), hi.item(), d.item(), nr.item(), m.item()]);
      expectSumClose(rs, xh);
      expect(rlo).toBe(minCpu(xh));
      expect(rhi).toBe(maxCpu(xh));
      const prod = xh.map((v, i) => v * (yh[i] ?? 0));
      expectSumClose(rd, prod, dotCpu(xh, yh));
      const sq = xh.map((v) => v * v);
      const refNorm = Math.sqrt(sumCpu(sq));
      expect(Math.abs(rn - refNorm)).toBeLessThanOrEqual(sumTolerance(sq) / Math.max(refNorm, 1e-30) + 2 ** -23 * refNorm);
      if (n === 0) expect(rm).toBeNaN();
      else expect(Math.abs(rm - sumCpu(xh) / n)).toBeLessThanOrEqual(sumTolerance(xh) / n + 2 ** -23 * Math.abs(rm));
    });
  }

  gpuTest('integer reductions are exact (i32 and u32, wrapping sums)', async ({ device }) => {
    const a = randomI32(100_003, 5, 2 ** 30);
    using x = device.array(a);
    using s = sum(x);
    using lo = min(x);
    using hi = max(x);
    let ref = 0;
    for (const v of a) ref = (ref + v) | 0;
    expect(await s.item()).toBe(ref);
    expect(await lo.item()).toBe(minCpu(a));
    expect(await hi.item()).toBe(maxCpu(a));
    const u = randomU32(70_001, 6);
    using ux = device.array(u);
    using us = sum(ux);
    using umax = max(ux);
    let uref = 0;
    for (const v of u) uref = (uref + v) >>> 0;
    expect(await us.item()).toBe(uref);
    expect(await umax.item()).toBe(maxCpu(u));
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
    using mine = min(e);
    using maxe = max(e);
    using se = sum(e);
    expect(await mine.item()).toBe(Infinity);
    expect(await maxe.item()).toBe(-Infinity);
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
          using m = max(x);
          expectSumClose(await s.item(), xh);
          expect(await m.item()).toBe(maxCpu(xh));
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
      expectSumClose(await s.item(), xh);
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
    const ref = Math.sqrt(sumCpu(xh.map((v) => v * v)) / xh.length);
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
      fc.asyncProperty(fc.integer({ min: 0, max: 50_000 }), fc.integer({ min: 1, max: 2 ** 30 }), fc.double({ min: 1e-3, max: 1e6, noNaN: true }), async (n, seed, scale) => {
        const xh = randomF32(n, seed, -scale, scale);
        using x = device.array(xh);
        using s = sum(x);
        using m = min(x);
        expectSumClose(await s.item(), xh);
        expect(await m.item()).toBe(minCpu(xh));
      }),
      { numRuns: 25 },
    );
  });
});
