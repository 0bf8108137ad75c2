import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { add, axpy, map, mul, scale, sub, DTypeError, ShapeError, ShaderCompileError, ArgumentError } from '../../src/index.js';
import { pinParams } from '../../src/backends/dawn/tuning.js';
import { elementwiseTunable } from '../../src/backends/dawn/ops/elementwise.js';
import { expectAllClose, expectArrayEqual, dawnTest, gpuTest } from '../fixture.js';
import { EDGE_SIZES, npOut, numpy, randomF32, randomI32, randomU32 } from './helpers.js';

describe('ready elementwise ops', () => {
  for (const n of EDGE_SIZES) {
    gpuTest(`add/sub/mul/scale/axpy f32 at n = ${n} match the CPU exactly`, async ({ device }) => {
      const xh = randomF32(n, 1);
      const yh = randomF32(n, 2);
      using x = device.array(xh);
      using y = device.array(yh);
      using s = add(x, y);
      using d = sub(x, y);
      using p = mul(x, y);
      using c = scale(x, 3);
      const [rs, rd, rp, rc] = await Promise.all([s.toArray(), d.toArray(), p.toArray(), c.toArray()]);
      expectArrayEqual(rs, xh.map((v, i) => Math.fround(v + (yh[i] ?? 0))));
      expectArrayEqual(rd, xh.map((v, i) => Math.fround(v - (yh[i] ?? 0))));
      expectArrayEqual(rp, xh.map((v, i) => Math.fround(v * (yh[i] ?? 0))));
      expectArrayEqual(rc, xh.map((v) => Math.fround(3 * v)));
      axpy(0.5, x, y);
      // a*x+y may be fused into one FMA: allow one rounding of difference.
      expectAllClose(await y.toArray(), xh.map((v, i) => Math.fround(Math.fround(0.5 * v) + (yh[i] ?? 0))), 2 ** -23, 1e-30);
    });
  }

  gpuTest('i32 and u32 arithmetic is exact (wrapping like WGSL)', async ({ device }) => {
    const a = randomI32(1001, 3, 2 ** 20);
    const b = randomI32(1001, 4, 2 ** 20);
    using x = device.array(a);
    using y = device.array(b);
    using p = mul(x, y);
    expectArrayEqual(await p.toArray(), a.map((v, i) => Math.imul(v, b[i] ?? 0)));
    const ua = randomU32(777, 5);
    const ub = randomU32(777, 6);
    using ux = device.array(ua);
    using uy = device.array(ub);
    using us = add(ux, uy);
    expectArrayEqual(await us.toArray(), ua.map((v, i) => (v + (ub[i] ?? 0)) >>> 0));
  });

  dawnTest('a size that needs a 2-D grid (pinned to 32 × 1 per workgroup)', async ({ device }) => {
    pinParams(device.ctx, elementwiseTunable.op, { WG: 32, ITEMS: 1 });
    try {
      const n = 65_535 * 32 * 4 + 9; // > 65,535 workgroups of vec4s, plus a scalar tail
      const xh = randomF32(n, 7);
      using x = device.array(xh);
      using y = scale(x, -2);
      expectArrayEqual(await y.toArray(), xh.map((v) => Math.fround(-2 * v)));
    } finally {
      pinParams(device.ctx, elementwiseTunable.op, undefined);
    }
  });

  dawnTest('map applies a WGSL expression; NaN and ±Inf propagate as IEEE says', async ({ device }) => {
    const xh = new Float32Array([4, -1, 0, -0, Infinity, -Infinity, NaN, 2.25, 1e-40]);
    using x = device.array(xh);
    using y = map(x, 'x * 2.0 + 1.0');
    expectArrayEqual(await y.toArray(), xh.map((v) => Math.fround(v * 2 + 1)));
    using s = add(x, x);
    expectArrayEqual((await s.toArray()).slice(0, 8), xh.slice(0, 8).map((v) => v + v));
  });

  gpuTest('dtype and shape mismatches name both sides', async ({ device }) => {
    using x = device.zeros(4);
    using y = device.zeros(4, 'i32');
    using z = device.zeros(5);
    expect(() => add(x, y as never)).toThrow(DTypeError);
    expect(() => add(x, y as never)).toThrow(/add: cannot combine f32 and i32/);
    expect(() => add(x, z)).toThrow(ShapeError);
    expect(() => add(x, z)).toThrow(/add: shapes \[4\] and \[5\] cannot be broadcast together/);
  });

  gpuTest('NumPy broadcasting: (n,1) - (1,k), a bias row over a matrix, axpy into y, against NumPy (both engines)', async ({ device }) => {
    const a = Float32Array.from({ length: 6 }, (_, i) => i * 1.5 - 2);
    const b = Float32Array.from({ length: 4 }, (_, i) => i * 0.25 + 1);
    const m = Float32Array.from({ length: 6 * 4 }, (_, i) => (i % 9) - 4);
    const r = numpy(
      `
a = inp['a'].reshape(6, 1); b = inp['b'].reshape(1, 4); m = inp['m'].reshape(6, 4); v = inp['b']
out['d'] = (a - b).ravel(); out['p'] = (m * v).ravel(); out['s'] = (m + a).ravel()
y = m.copy(); y += np.float32(2) * v; out['y'] = y.ravel()
`,
      { a, b, m },
    );
    using ad = device.array(a, { shape: [6, 1] });
    using bd = device.array(b, { shape: [1, 4] });
    using md = device.array(m, { shape: [6, 4] });
    using vd = device.array(b);
    using d = sub(ad, bd);
    expect(d.shape).toEqual([6, 4]);
    expectArrayEqual(await d.toArray(), npOut(r, 'd'));
    using p = mul(md, vd);
    expectArrayEqual(await p.toArray(), npOut(r, 'p'));
    using s = add(md, ad);
    expectArrayEqual(await s.toArray(), npOut(r, 's'));
    using y = device.array(m, { shape: [6, 4] });
    axpy(2, vd, y);
    expectArrayEqual(await y.toArray(), npOut(r, 'y'));
    // A given output must have the broadcast shape; axpy cannot grow y.
    using wrong = device.zeros(24);
    expect(() => add(md, ad, wrong)).toThrow(ShapeError);
    expect(() => axpy(2, md, vd)).toThrow(ShapeError);
  });
});

describe('the elementwise builder', () => {
  dawnTest('one builder serves f32, i32 and u32 through the T placeholder', async ({ device }) => {
    const f = await device.elementwise({ name: 'affine', args: 'x: T[], out: T[], a: T, b: T', body: 'out = a * x + b' });
    using xf = device.array(new Float32Array([1, 2, 3]));
    using rf = f({ x: xf, a: 2, b: 0.5 }) as never as import('../../src/index.js').DeviceArray;
    expect([...(await rf.toArray())]).toEqual([2.5, 4.5, 6.5]);
    using xi = device.array(new Int32Array([1, -2, 3]));
    using ri = f({ x: xi, a: -3, b: 1 }) as never as import('../../src/index.js').DeviceArray;
    expect([...(await ri.toArray())]).toEqual([-2, 7, -8]);
    using xu = device.array(new Uint32Array([1, 2, 3]));
    using ru = f(xu, undefined as never, 4, 1) as never as import('../../src/index.js').DeviceArray;
    expect([...(await ru.toArray())]).toEqual([5, 9, 13]);
  });

  dawnTest('several outputs, the index i and the length n', async ({ device }) => {
    const f = await device.elementwise({ args: 'x: f32[], lo: f32[], hi: f32[]', body: 'lo = min(x, f32(i)); hi = max(x, f32(n))' });
    using x = device.array(new Float32Array([5, 0, 1, 10]));
    const r = f({ x }) as Record<string, import('../../src/index.js').DeviceArray>;
    using lo = r['lo'] as import('../../src/index.js').DeviceArray;
    using hi = r['hi'] as import('../../src/index.js').DeviceArray;
    expect([...(await lo.toArray())]).toEqual([0, 0, 1, 3]);
    expect([...(await hi.toArray())]).toEqual([5, 4, 4, 10]);
  });

  dawnTest('argument names that the generated code also uses internally (j, k, count, o) still work', async ({ device }) => {
    const f = await device.elementwise({ args: 'count: T[], j: T[], o: T[], k: T', body: 'o = count * k + j' });
    using c = device.array(new Float32Array([1, 2, 3, 4, 5]));
    using jj = device.array(new Float32Array([10, 20, 30, 40, 50]));
    using r = f({ count: c, j: jj, k: 3 }) as import('../../src/index.js').DeviceArray;
    expect([...(await r.toArray())]).toEqual([13, 26, 39, 52, 65]);
  });

  dawnTest('an expression that does not compile points into the expression', async ({ device }) => {
    const err = await device.elementwise({ name: 'bad', args: 'x: T[], y: T[]', body: 'y = x * 2.0 +\n  unknown_thing' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ShaderCompileError);
    const d = (err as ShaderCompileError).diagnostics[0];
    expect(d?.line).toBe(2);
    expect(d?.column).toBe(3);
    expect(d?.sourceLine).toBe('  unknown_thing');
    expect(d?.message).toMatch(/unknown_thing.*in the body of elementwise 'bad'/);
  });

  dawnTest('bad signatures and arguments are refused with the name of the problem', async ({ device }) => {
    await expect(device.elementwise({ args: 'x: f64[]', body: 'x = 1' })).rejects.toThrow(ArgumentError);
    await expect(device.elementwise({ args: 'x: T[], y: T[]', body: 'let z = x' })).rejects.toThrow(/assigns no array argument/);
    const f = await device.elementwise({ args: 'x: T[], y: T[], a: f32', body: 'y = a * x' });
    using x = device.zeros(3);
    expect(() => f({ x })).toThrow(/missing argument 'a'/);
    expect(() => f({ x, a: 1, q: 2 } as never)).toThrow(/unknown argument q/);
    expect(() => f({ x: 1, a: 1 })).toThrow(/'x' is an array argument/);
  });

  dawnTest('property: random sizes and values match the CPU (fast-check)', async ({ device }) => {
    const f = await device.elementwise({ args: 'x: T[], y: T[], z: T[]', body: 'z = x * y - x' });
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 20_000 }), fc.integer({ min: 1, max: 2 ** 31 }), async (n, seed) => {
        const xh = randomF32(n, seed, -1e3, 1e3);
        const yh = randomF32(n, seed + 1, -1e3, 1e3);
        using x = device.array(xh);
        using y = device.array(yh);
        using z = f({ x, y }) as import('../../src/index.js').DeviceArray;
        const got = await z.toArray();
        // x*y - x may fuse into an FMA: within one rounding of the product.
        expectAllClose(got, xh.map((v, i) => Math.fround(Math.fround(v * (yh[i] ?? 0)) - v)), 2 ** -22, 1e-3);
      }),
      { numRuns: 25 },
    );
  });
});

describe('f16 where the adapter has shader-f16', () => {
  gpuTest('elementwise ops and reductions on f16 arrays (values exactly representable in f16)', async ({ device }) => {
    // Small integers: every partial sum stays below 2048, so even an f16 accumulator is exact.
    const h = Float32Array.from({ length: 1001 }, (_, i) => (i % 8) - 4);
    if (!device.info.features.includes('shader-f16')) {
      expect(() => device.array(h, 'f16')).toThrow(/shader-f16/);
      return;
    }
    const { sum: sumOp, max: maxOp } = await import('../../src/index.js');
    using x = device.array(h, 'f16');
    using y = add(x, x);
    using z = scale(x, 0.5);
    using s = sumOp(x);
    using m = maxOp(x);
    expectArrayEqual(await y.toArray(), h.map((v) => 2 * v));
    expectArrayEqual(await z.toArray(), h.map((v) => 0.5 * v));
    expect(await s.item()).toBe(h.reduce((a, v) => a + v, 0));
    expect(await m.item()).toBe(3);
  });
});
