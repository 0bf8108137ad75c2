/**
 * The WGSL builders (`device.elementwise()`, `device.reduction()`, `map()`) on both engines: the same calls,
 * compared with references written here (float64, exact f32 rounding, BigInt integer arithmetic). On gpujs
 * the bodies are translated to JavaScript (src/backends/host/wgsl-js.ts); a body outside that subset must be
 * refused with UnsupportedOnEngineError naming the construct and where it is.
 */
import { describe, expect } from 'vitest';
import { DTypeError, map, ShapeError, ShaderCompileError, UnsupportedOnEngineError } from '../../src/index.js';
import { expectAllClose, expectArrayEqual, gpuTest } from '../fixture.js';
import { absSum, expectWithin, sumBound } from '../tolerance.js';
import { randomF32, randomI32, randomU32, sumDepth } from './helpers.js';

const I32_MIN = -(2 ** 31);
const F32_MAX = (2 - 2 ** -23) * 2 ** 127;

/** WGSL's i32 division and remainder, in BigInt: truncating; x / 0 = x, x % 0 = 0; MIN / -1 = MIN, MIN % -1 = 0. */
function wgslI32(op: '/' | '%', a: number, b: number): number {
  if (b === 0 || (a === I32_MIN && b === -1)) return op === '/' ? a : 0;
  const q = BigInt(a) / BigInt(b); // BigInt division truncates toward zero
  return Number(op === '/' ? BigInt.asIntN(32, q) : BigInt.asIntN(32, BigInt(a) - q * BigInt(b)));
}

function wgslU32(op: '/' | '%', a: number, b: number): number {
  if (b === 0) return op === '/' ? a : 0;
  return Number(op === '/' ? BigInt(a) / BigInt(b) : BigInt(a) % BigInt(b));
}

describe('builders on both engines', () => {
  for (const n of [0, 1, 65, 1027]) {
    gpuTest(`elementwise f32 + - * / are f32-exact at n = ${n}`, async ({ device }) => {
      const xh = randomF32(n, 11, 1, 3);
      const yh = randomF32(n, 12, -1, 1);
      const k = await device.elementwise({ name: 'quot', args: 'x: T[], y: T[], q: T[], p: T[], s: f32', body: 'let d = x - y;\nq = (x + y) / d;\np = x * y - s' });
      using x = device.array(xh);
      using y = device.array(yh);
      const r = k({ x, y, s: 0.1 }) as { q: import('../../src/index.js').DeviceArray; p: import('../../src/index.js').DeviceArray };
      using q = r.q;
      using p = r.p;
      const f = Math.fround;
      expectArrayEqual(await q.toArray(), xh.map((v, i) => f(f(v + (yh[i] ?? 0)) / f(v - (yh[i] ?? 0)))));
      // a·b − c may fuse to one FMA on Dawn (as the README says of axpy): one rounding of slack there.
      const pRef = xh.map((v, i) => f(f(v * (yh[i] ?? 0)) - f(0.1)));
      if (device.info.engine === 'dawn') expectAllClose(await p.toArray(), pRef, 2 ** -23, 2 ** -24);
      else expectArrayEqual(await p.toArray(), pRef);
    });
  }

  gpuTest('i32 and u32 division, remainder and wrapping follow WGSL (x / 0 = x, x % 0 = 0, MIN / -1 = MIN)', async ({ device }) => {
    const special = [[7, 2], [-7, 2], [7, -2], [-7, -2], [5, 0], [-5, 0], [0, 0], [I32_MIN, -1], [I32_MIN, 1], [2 ** 31 - 1, -1], [123456789, 1000]];
    const ra = randomI32(300, 21, 2 ** 31 - 1);
    const rb = randomI32(300, 22, 50);
    const ah = new Int32Array([...special.map((s) => s[0] ?? 0), ...ra]);
    const bh = new Int32Array([...special.map((s) => s[1] ?? 0), ...rb]);
    const k = await device.elementwise({ name: 'intdiv', args: 'x: T[], y: T[], q: T[], r: T[], m: T[]', body: 'q = x / y;\nr = x % y;\nm = x * y + x - 3' });
    using a = device.array(ah);
    using b = device.array(bh);
    const out = k({ x: a, y: b }) as Record<string, import('../../src/index.js').DeviceArray>;
    using q = out['q'] as import('../../src/index.js').DeviceArray;
    using r = out['r'] as import('../../src/index.js').DeviceArray;
    using m = out['m'] as import('../../src/index.js').DeviceArray;
    const wrap = (v: bigint): number => Number(BigInt.asIntN(32, v));
    expectArrayEqual(await q.toArray(), Array.from(ah, (v, i) => wgslI32('/', v, bh[i] ?? 0)));
    expectArrayEqual(await r.toArray(), Array.from(ah, (v, i) => wgslI32('%', v, bh[i] ?? 0)));
    expectArrayEqual(await m.toArray(), Array.from(ah, (v, i) => wrap(BigInt(v) * BigInt(bh[i] ?? 0) + BigInt(v) - 3n)));

    const ua = new Uint32Array([7, 0xffffffff, 5, 0, 0x80000000, ...randomU32(200, 23)]);
    const ub = new Uint32Array([2, 3, 0, 0, 0xffffffff, ...randomU32(200, 24).map((v) => v % 1000)]);
    using ux = device.array(ua);
    using uy = device.array(ub);
    const uo = k({ x: ux, y: uy }) as Record<string, import('../../src/index.js').DeviceArray>;
    using uq = uo['q'] as import('../../src/index.js').DeviceArray;
    using ur = uo['r'] as import('../../src/index.js').DeviceArray;
    using um = uo['m'] as import('../../src/index.js').DeviceArray;
    expectArrayEqual(await uq.toArray(), Array.from(ua, (v, i) => wgslU32('/', v, ub[i] ?? 0)));
    expectArrayEqual(await ur.toArray(), Array.from(ua, (v, i) => wgslU32('%', v, ub[i] ?? 0)));
    expectArrayEqual(await um.toArray(), Array.from(ua, (v, i) => Number(BigInt.asUintN(32, BigInt(v) * BigInt(ub[i] ?? 0) + BigInt(v) - 3n))));
  });

  gpuTest('map: round() rounds half to even; floor, ceil, fract, select, casts', async ({ device }) => {
    const xh = new Float32Array([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4, 2.6, 3.5, -3.5, 1e6 + 0.5, 0]);
    using x = device.array(xh);
    using r = map(x, 'round(x)');
    expectArrayEqual(await r.toArray(), [0, 2, 2, -0, -2, -2, 2, 3, 4, -4, 1e6, 0]);
    using s = map(x, 'select(floor(x), ceil(x), x > 0.0) + fract(x) * 2.0');
    expectArrayEqual(await s.toArray(), Array.from(xh, (v) => Math.fround((v > 0 ? Math.ceil(v) : Math.floor(v)) + 2 * (v - Math.floor(v)))));
    using ih = device.array(new Int32Array([-7, -1, 0, 3, 2 ** 31 - 1]));
    using c = map(ih, 'i32(f32(x) * 0.5) + abs(x) / 2 + select(0, 1, x % 2 == 0)');
    // i32(f32 value) truncates toward zero; abs(MAX) / 2 is integer division.
    expectArrayEqual(await c.toArray(), [-3 + 3, 0 + 0, 0 + 0 + 1, 1 + 1, 1073741824 + 1073741823]);
  });

  gpuTest('f32 % is x - y·trunc(x / y) rounded step by step (WGSL), not the exact fmod; i and n in a body', async ({ device }) => {
    const xh = new Float32Array([0.5, 1, 2.1, 5, -5, 10.3, 100.7, 12345.6, -0.3, ...randomF32(200, 61, -1e4, 1e4)]);
    using x = device.array(xh);
    using r = map(x, 'x % 0.7');
    const f = Math.fround;
    const d = f(0.7);
    const ref = Array.from(xh, (v) => f(v - f(d * Math.trunc(f(v / d)))));
    // 2.1 % 0.7 is 0 by WGSL's formula but 0.6999999 as an exact fmod: the formula is what Dawn computes.
    expect(ref[2]).toBe(0);
    // Dawn may fuse y·t into x - y·t on other adapters: allow one rounding of |x| there.
    if (device.info.engine === 'dawn') expectAllClose(await r.toArray(), ref, 0, 2 ** -23 * 1e4);
    else expectArrayEqual(await r.toArray(), ref);
    const k = await device.elementwise({ name: 'idx', args: 'x: T[], y: T[]', body: 'y = x * f32(i % 7u) + f32(n)' });
    using y = k({ x }) as import('../../src/index.js').DeviceArray;
    expectArrayEqual(await y.toArray(), Array.from(xh, (v, i) => f(f(v * (i % 7)) + xh.length)));
  });

  gpuTest('bad builder calls throw the same typed errors on both engines', async ({ device }) => {
    const k = await device.elementwise({ name: 'acc', args: 'x: T[], y: T[], a: T', body: 'y += a * x' });
    using x = device.array(new Int32Array([1, 2, 3]));
    using y = device.array(new Int32Array([0, 0, 0]));
    using f = device.array(new Float32Array([0, 0, 0]));
    using short = device.array(new Int32Array([0, 0]));
    expect(() => k({ x, a: 2 })).toThrow(/output 'y' is also read by the body, so it must be given/);
    expect(() => k({ x, y: f, a: 2 })).toThrow(DTypeError);
    expect(() => k({ x, y: short, a: 2 })).toThrow(ShapeError);
    expect(() => k({ x, y, a: 1.5 })).toThrow(/params\.a: 1\.5 is not an i32/);
    expect(() => k({ x, y })).toThrow(/missing argument 'a'/);
    const two = await device.elementwise({ args: 'x: T[], p: T[], q: T[]', body: 'p = x; q = x' });
    expect(() => two({ x, p: y, q: y })).toThrow(/'p' and 'q' are the same array/);
    k({ x, y: x, a: 2 }); // in place: x += 2·x
    expectArrayEqual(await x.toArray(), [3, 6, 9]);
    await expect(device.reduction({ args: 'x: T[], y: T[]', reduce: 'a + b', identity: '0' })).rejects.toThrow(/with several arrays, say how to combine them in 'map'/);
  });

  gpuTest('f32 min / max with a NaN give the other operand (WGSL), and clamp, saturate, sign follow; abstract edges', async ({ device }) => {
    // WGSL: min and max return the other operand when one is a NaN; clamp(e, lo, hi) = min(max(e, lo), hi);
    // sign is 0 unless e > 0 or e < 0. Both engines must give these (gpujs once gave NaN and -0).
    const k = await device.elementwise({
      name: 'nanny',
      args: 'x: T[], a: T[], b: T[], c: T[], d: T[], e: T[]',
      body: 'a = min(x, 1.0); b = max(2.0, x); c = clamp(x, 0.0, 1.0); d = saturate(x) + sign(x); e = min(x * f32(1 << 4), 3.4028234663852886e38)',
    });
    using x = device.array(new Float32Array([NaN, -0, 0.5, -3, Infinity]));
    const out = k({ x }) as Record<string, import('../../src/index.js').DeviceArray>;
    const got = await Promise.all(['a', 'b', 'c', 'd', 'e'].map(async (name) => Array.from((await out[name]?.toArray()) ?? [])));
    for (const a of Object.values(out)) a.destroy();
    expect(got[0]).toEqual([1, -0, 0.5, -3, 1]);
    expect(got[1]).toEqual([2, 2, 2, 2, Infinity]);
    expect(got[2]).toEqual([0, 0, 0.5, 0, 1]);
    expect(got[3]?.map((v) => v + 0)).toEqual([0, 0, 1.5, -1, 2]);
    expect(got[4]).toEqual([F32_MAX, -0, 8, -48, F32_MAX]);
    const big = device.elementwise({ name: 'big', args: 'x: T[], y: T[]', body: 'y = x * 3.40282347e38' });
    if (device.info.webgpu === 'wgpu') {
      // The literal lies above F32_MAX but below the rounding midpoint to +Inf: Dawn's Tint refuses it as out of
      // f32's range; wgpu's naga (Deno 2.9) rounds it to F32_MAX, as a nearest-rounding conversion would. Either
      // way no wrong number: here the kernel computes x * F32_MAX in f32.
      const k2 = await big;
      using xb = device.array(new Float32Array([1, -2, 0.5]));
      using yb = k2({ x: xb }) as import('../../src/index.js').DeviceArray;
      expect(Array.from(await yb.toArray())).toEqual([F32_MAX, -Infinity, Math.fround(F32_MAX * 0.5)]);
    } else await expect(big).rejects.toThrow(ShaderCompileError);
  });

  gpuTest('elementwise: math builtins, locals, if/else and compound assignment against float64', async ({ device }) => {
    const n = 513;
    const xh = randomF32(n, 31, -3, 3);
    const k = await device.elementwise({
      name: 'mathy',
      args: 'x: T[], y: T[]',
      body: `var t = clamp(exp(x) * 0.5 - sqrt(abs(x)), -2.0, 8.0);
if x > 1.0 { t += tanh(x) + pow(abs(x), 1.5); } else if x < -1.0 { t -= log(abs(x)) * 2.0; } else { t *= sin(x) + cos(x); }
y = max(t, min(x, 0.25)) + inverseSqrt(x * x + 1.0) + sign(x) // trailing comment`,
    });
    using x = device.array(xh);
    using y = k({ x }) as import('../../src/index.js').DeviceArray;
    const ref = Array.from(xh, (v) => {
      let t = Math.min(Math.max(Math.exp(v) * 0.5 - Math.sqrt(Math.abs(v)), -2), 8);
      if (v > 1) t += Math.tanh(v) + Math.abs(v) ** 1.5;
      else if (v < -1) t -= Math.log(Math.abs(v)) * 2;
      else t *= Math.sin(v) + Math.cos(v);
      return Math.max(t, Math.min(v, 0.25)) + 1 / Math.sqrt(v * v + 1) + Math.sign(v);
    });
    expectAllClose(await y.toArray(), ref, 2e-5, 2e-5);
  });

  for (const n of [0, 1, 100, 70_000]) {
    gpuTest(`reduction: dot (map, reduce, identity, post with params) at n = ${n}`, async ({ device }) => {
      const xh = randomF32(n, 41);
      const yh = randomF32(n, 42);
      const dot = await device.reduction({ name: 'sdot', args: 'x: T[], y: T[], s: f32', map: 'x * y', reduce: 'a + b', identity: '0', post: 'a * params.s' });
      using x = device.array(xh);
      using y = device.array(yh);
      using d = dot(x, y, 2);
      let ref = 0;
      const prods = new Float64Array(n);
      for (let i = 0; i < n; i++) ref += (prods[i] = (xh[i] ?? 0) * (yh[i] ?? 0));
      expectWithin('2·dot', await d.item(), 2 * ref, 2 * sumBound(absSum(prods), sumDepth(device, n) + 1, n) + 1e-30);
    });
  }

  gpuTest('reduction: integer sums wrap, a bool map counts, a max with its identity', async ({ device }) => {
    const ih = randomI32(5000, 51, 2 ** 31 - 1);
    using x = device.array(ih);
    const isum = await device.reduction({ args: 'x: T[]', reduce: 'a + b', identity: '0' });
    using s = isum(x);
    expect(await s.item()).toBe(Number(BigInt.asIntN(32, ih.reduce((t, v) => t + BigInt(v), 0n))));
    const fh = randomF32(3001, 52);
    using f = device.array(fh);
    const count = await device.reduction({ args: 'x: T[], lo: f32', map: 'x > params.lo', reduce: 'a + b', identity: '0u', type: 'u32', post: 'a * 2u' });
    using c = count(f, 0.25);
    expect(await c.item()).toBe(2 * fh.filter((v) => v > Math.fround(0.25)).length);
    const amax = await device.reduction({ args: 'x: T[]', map: 'abs(x) + f32(i % 3u)', reduce: 'max(a, b)', identity: '-1.0' });
    using m = amax(f);
    expect(await m.item()).toBe(Math.max(...Array.from(fh, (v, i) => Math.fround(Math.abs(v) + (i % 3)))));
  });

  gpuTest('a type error is a ShaderCompileError pointing into the body on both engines', async ({ device }) => {
    const bad = device.elementwise({ name: 'mix', args: 'x: i32[], y: i32[]', body: 'y = x + 1.5' });
    await expect(bad).rejects.toThrow(ShaderCompileError);
    await expect(bad).rejects.toMatchObject({ diagnostics: [expect.objectContaining({ line: 1 })] });
  });

  gpuTest('on gpujs, a body outside the subset is UnsupportedOnEngineError naming the construct and where', async ({ device }) => {
    using x = device.array(new Float32Array([1, 2, 3]));
    const loop = { args: 'x: T[], y: T[]', body: 'var s = 0.0;\nfor (var k = 0; k < 3; k++) { s += x; }\ny = s' };
    const vec = 'dot(vec2<f32>(x, 1.0), vec2<f32>(2.0, x))';
    if (device.info.engine === 'dawn') {
      // The same texts are valid WGSL: Dawn runs them.
      using y = (await device.elementwise(loop))({ x }) as import('../../src/index.js').DeviceArray;
      expectArrayEqual(await y.toArray(), [3, 6, 9]);
      using v = map(x, vec);
      expectArrayEqual(await v.toArray(), [3, 6, 9]);
      return;
    }
    await expect(device.elementwise(loop)).rejects.toThrow(UnsupportedOnEngineError);
    await expect(device.elementwise(loop)).rejects.toThrow(/a for loop at 2:1 is outside the WGSL subset/);
    expect(() => map(x, vec)).toThrow(UnsupportedOnEngineError);
    expect(() => map(x, vec)).toThrow(/the expression of map: the templated type or function 'vec2<...>' at 1:5/);
    expect(() => map(x, 'x + 1.0 + bitcast<f32>(1u)')).toThrow(/bitcast<\.\.\.> at 1:11/);
    await expect(device.reduction({ args: 'x: T[]', map: 'x', reduce: 'a + b', identity: '0', post: 'a.x' })).rejects.toThrow(/post expression of reduction 'reduction': a member access or swizzle \('\.x'\) at 1:2/);
  });
});
