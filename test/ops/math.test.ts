/**
 * Elementwise math (src/ops/math.ts) on both engines against NumPy: float64 references within WGSL's
 * documented accuracy per builtin (exact where the op is exact), NaN and ±Inf where NumPy gives them,
 * broadcasting, comparisons, where and astype.
 */
import { describe, expect } from 'vitest';
import * as gk from '../../src/index.js';
import { DTypeError, ShapeError, type DeviceArray } from '../../src/index.js';
import { expectArrayEqual, gpuTest } from '../fixture.js';
import { npOut, numpy } from './helpers.js';

const ULP = 2 ** -23;

/** Inputs: a spread of values plus the special ones (f32). */
function inputs(lo: number, hi: number, specials: readonly number[]): Float32Array {
  const out: number[] = [...specials];
  let s = 12345;
  for (let i = 0; i < 200; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out.push(lo + ((hi - lo) * s) / 2 ** 32);
  }
  return Float32Array.from(out);
}

/** Checks got[i] against the float64 reference within tol(x, ref) (NaN must match NaN, ±Inf exactly). */
function within(op: string, got: ArrayLike<number>, ref: ArrayLike<number>, x: ArrayLike<number>, tol: (x: number, r: number) => number): void {
  expect(got.length, op).toBe(ref.length);
  for (let i = 0; i < ref.length; i++) {
    const g = got[i] ?? NaN;
    const r64 = ref[i] ?? NaN;
    const r = Number.isFinite(Math.fround(r64)) ? r64 : Math.fround(r64); // past f32's range: ±Inf
    if (Number.isNaN(r) || !Number.isFinite(r)) {
      if (!Object.is(g, r) && !(Number.isNaN(g) && Number.isNaN(r))) expect.fail(`${op}(${x[i]}): got ${g}, expected ${r}`);
      continue;
    }
    if (g === r) continue;
    // WGSL lets a GPU flush subnormal results to zero: every bound also admits 2^-126 absolute.
    const bound = (tol(x[i] ?? NaN, r) || 0) + 2 ** -126;
    if (!(Math.abs(g - r) <= bound)) expect.fail(`${op}(${x[i]}): got ${g}, expected ${r} (error ${Math.abs(g - r)} > bound ${bound})`);
  }
}

const UNARY = {
  exp: { lo: -80, hi: 80, sp: [0, 1, -1, 1e-7, 100, -100, Infinity, -Infinity, NaN], np: 'np.exp', tol: (x: number, r: number) => (3 + 2 * Math.abs(x)) * ULP * Math.abs(r) },
  log: { lo: 0, hi: 50, sp: [0, 1, 0.5, 2, 1e-30, -1, Infinity, NaN], np: 'np.log', tol: (x: number, r: number) => (x >= 0.5 && x <= 2 ? 2 ** -21 : 3 * ULP * Math.abs(r)) },
  log1p: { lo: -0.99, hi: 10, sp: [0, 1e-7, -1e-7, 0.05, -0.09, 0.1, -1, -2, Infinity, NaN], np: 'np.log1p', tol: (x: number, r: number) => (Math.abs(x) < 0.1 ? 16 * ULP * Math.abs(r) : 2 ** -21 + 4 * ULP * Math.abs(r)) },
  expm1: { lo: -10, hi: 10, sp: [0, 1e-7, -1e-7, 0.05, -0.09, 0.1, Infinity, -Infinity, NaN], np: 'np.expm1', tol: (x: number, r: number) => (Math.abs(x) < 0.1 ? 16 * ULP * Math.abs(r) : (4 + 2 * Math.abs(x)) * ULP * Math.exp(x) + ULP * Math.abs(r)) },
  sqrt: { lo: 0, hi: 100, sp: [0, 1, 2, 1e-30, -1, Infinity, NaN], np: 'np.sqrt', tol: (_x: number, r: number) => 4 * ULP * Math.abs(r) },
  rsqrt: { lo: 1e-3, hi: 100, sp: [0, 1, 4, -1, Infinity], np: '1/np.sqrt', tol: (_x: number, r: number) => 4 * ULP * Math.abs(r) },
  sin: { lo: -Math.PI, hi: Math.PI, sp: [0, 1e-7, 1, -1], np: 'np.sin', tol: () => 2 ** -11 },
  cos: { lo: -Math.PI, hi: Math.PI, sp: [0, 1e-7, 1, -1], np: 'np.cos', tol: () => 2 ** -11 },
  tanh: { lo: -8, hi: 8, sp: [0, 1e-7, -1e-7, 0.05, 0.1, 25, -25, Infinity, -Infinity, NaN], np: 'np.tanh', tol: (x: number, r: number) => (Math.abs(x) < 0.1 ? 16 * ULP * Math.abs(r) : 1e-6) },
  sigmoid: { lo: -30, hi: 30, sp: [0, 100, -100, Infinity, -Infinity], np: '(lambda v: 1/(1+np.exp(-v)))', tol: (x: number, r: number) => (4 + 2 * Math.abs(x)) * 2 * ULP * Math.abs(r) + 1e-30 },
  floor: { lo: -20, hi: 20, sp: [0.5, -0.5, 2, -2, Infinity, NaN], np: 'np.floor', tol: () => 0 },
  ceil: { lo: -20, hi: 20, sp: [0.5, -0.5, 2, -2, Infinity, NaN], np: 'np.ceil', tol: () => 0 },
  round: { lo: -20, hi: 20, sp: [0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 3.25], np: 'np.round', tol: () => 0 },
  neg: { lo: -20, hi: 20, sp: [0, Infinity, NaN], np: 'np.negative', tol: () => 0 },
  abs: { lo: -20, hi: 20, sp: [0, -Infinity, NaN], np: 'np.abs', tol: () => 0 },
  relu: { lo: -20, hi: 20, sp: [0, -Infinity, Infinity, NaN], np: '(lambda v: np.maximum(v, 0))', tol: () => 0 },
  sign: { lo: -20, hi: 20, sp: [0, -Infinity, Infinity, NaN], np: 'np.sign', tol: () => 0 },
} as const;

describe('elementwise math against NumPy (both engines)', () => {
  gpuTest('unary ops within WGSL\'s accuracy of the float64 answer; NaN and ±Inf as NumPy', async ({ device }) => {
    const names = Object.keys(UNARY) as (keyof typeof UNARY)[];
    const xs = Object.fromEntries(names.map((k) => [k, inputs(UNARY[k].lo, UNARY[k].hi, UNARY[k].sp)]));
    const code = names.map((k) => `with np.errstate(all='ignore'): out['${k}'] = ${UNARY[k].np}(inp['${k}'].astype(np.float64))`).join('\n');
    const ref = numpy(code, xs);
    for (const k of names) {
      const x = xs[k] as Float32Array;
      using a = device.array(x);
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- tsc needs it: the ops' overload sets (options / deprecated positional) do not unify
      const op = gk[k] as (x: DeviceArray) => DeviceArray;
      using r = op(a);
      within(k, await r.toArray(), npOut(ref, k), x, UNARY[k].tol);
    }
  });

  gpuTest('binary ops broadcast: div, pow, maximum, minimum; NaN propagates through maximum/minimum', async ({ device }) => {
    const xh = Float32Array.from([-3.7, -2, -0.5, 0, 0.5, 1, 2.5, 7, NaN, Infinity]);
    const yh = Float32Array.from([3, -2, 0.5, 0, 2, 1.5, NaN]);
    const ref = numpy(
      `
x = inp['x'].astype(np.float64).reshape(10, 1); y = inp['y'].astype(np.float64).reshape(1, 7)
with np.errstate(all='ignore'):
    out['div'] = (x / y).ravel(); out['pow'] = np.power(x, y).ravel()
    out['max'] = np.maximum(x, y).astype(np.float32).ravel(); out['min'] = np.minimum(x, y).astype(np.float32).ravel()
`,
      { x: xh, y: yh },
    );
    using x = device.array(xh, { shape: [10, 1] });
    using y = device.array(yh, { shape: [1, 7] });
    const xb = Array.from({ length: 70 }, (_, i) => xh[Math.floor(i / 7)] ?? NaN);
    const yb = Array.from({ length: 70 }, (_, i) => yh[i % 7] ?? NaN);
    using d = gk.div(x, y);
    expect(d.shape).toEqual([10, 7]);
    within('div', await d.toArray(), npOut(ref, 'div'), xb, (_x, r) => 2.5 * ULP * Math.abs(r));
    using p = gk.pow(x, y);
    const pg = await p.toArray();
    within('pow', pg, npOut(ref, 'pow'), xb, (xv, r) => {
      const k = xb.indexOf(xv);
      const yv = Math.abs(yb[k] ?? 0);
      return (3 + 2 * Math.abs(yv * Math.log2(Math.abs(xv) || 1))) * ULP * Math.abs(r) + yv * 2 ** -21 * Math.abs(r);
    });
    using mx = gk.maximum(x, y);
    expectArrayEqual(await mx.toArray(), npOut(ref, 'max'));
    using mn = gk.minimum(x, y);
    expectArrayEqual(await mn.toArray(), npOut(ref, 'min'));
  });

  gpuTest('comparisons give bool arrays (NaN compares false except ne), where picks, clip, on f32 and i32', async ({ device }) => {
    const ah = Float32Array.from([1, 2, 3, NaN, -1, 5]);
    const bh = Float32Array.from([1, 3, 2, NaN, -1, 4]);
    using a = device.array(ah);
    using b = device.array(bh);
    const ref = numpy(
      `
a = inp['a']; b = inp['b']
for k, f in [('eq', np.equal), ('ne', np.not_equal), ('lt', np.less), ('le', np.less_equal), ('gt', np.greater), ('ge', np.greater_equal)]:
    out[k] = f(a, b).astype(np.uint32)
out['where'] = np.where(a < b, a, b); out['clip'] = np.clip(a, 0, 2.5); out['clipi'] = np.clip(inp['i'], -3, 4)
`,
      { a: ah, b: bh, i: Int32Array.from([-10, -3, 0, 4, 9]) },
    );
    for (const k of ['eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const) {
      using m = gk[k](a, b);
      expect(m.dtype).toBe('bool');
      expectArrayEqual(Uint32Array.from(await m.toArray()), npOut(ref, k));
    }
    using mask = gk.lt(a, b);
    using w = gk.where(mask, a, b);
    expectArrayEqual(await w.toArray(), npOut(ref, 'where'));
    using c = gk.clip(a, 0, 2.5);
    expectArrayEqual(await c.toArray(), npOut(ref, 'clip'));
    using ih = device.array(Int32Array.from([-10, -3, 0, 4, 9]));
    using ci = gk.clip(ih, -3, 4);
    expectArrayEqual(await ci.toArray(), npOut(ref, 'clipi'));
  });

  gpuTest('astype: float → int truncates and clamps, NaN → 0; i32 ↔ u32 keeps the bits; int → f32 rounds', async ({ device }) => {
    const fh = Float32Array.from([-3.7, -0.5, 0, 2.5, 7.9, 3e10, -3e10, NaN, Infinity]);
    using f = device.array(fh);
    using fi = gk.astype(f, 'i32');
    expectArrayEqual(await fi.toArray(), [-3, 0, 0, 2, 7, 2147483520, -2147483648, 0, 2147483520]);
    using fu = gk.astype(f, 'u32');
    expectArrayEqual(await fu.toArray(), [0, 0, 0, 2, 7, 4294967040, 0, 0, 4294967040]);
    const ih = Int32Array.from([-1, -2147483648, 16777217, 5]);
    const ref = numpy(`out['u'] = inp['i'].astype(np.uint32); out['f'] = inp['i'].astype(np.float32)`, { i: ih });
    using i = device.array(ih);
    using iu = gk.astype(i, 'u32');
    expectArrayEqual(await iu.toArray(), npOut(ref, 'u'));
    using iff = gk.astype(i, 'f32');
    expectArrayEqual(await iff.toArray(), npOut(ref, 'f'));
    using back = gk.astype(iu, 'i32');
    expectArrayEqual(await back.toArray(), ih);
  });

  gpuTest('typed errors: float-only ops on integers, non-broadcastable shapes, a non-u32 mask', ({ device }) => {
    using i = device.array(Int32Array.from([1, 2, 3]));
    using f = device.array([1, 2, 3]);
    using g = device.array([1, 2]);
    expect(() => gk.exp(i)).toThrow(DTypeError);
    expect(() => gk.div(i, i)).toThrow(DTypeError);
    expect(() => gk.maximum(f, g)).toThrow(ShapeError);
    expect(() => gk.where(f as never, f, f)).toThrow(DTypeError);
  });
});

describe('astype to and from f16', () => {
  gpuTest('f32 ↔ f16 rounds to nearest (NumPy\'s float16), f16 → i32/u32 truncates and clamps, where the device has shader-f16', async ({ device }) => {
    if (!device.info.features.includes('shader-f16')) {
      using x = device.array([1, 2]);
      expect(() => gk.astype(x, 'f16')).toThrow(DTypeError);
      return;
    }
    const h = Float32Array.from([0.1, -2.5, 1 / 3, 65504, 70000, -1e-8, 3.7, -3.7]);
    const ref = numpy(`h = inp['x'].astype(np.float16); out['h'] = h.astype(np.float64); out['i'] = np.trunc(h.astype(np.float64)).clip(-2**31, 2**31 - 128).astype(np.float64)`, { x: h });
    using x = device.array(h);
    using hx = gk.astype(x, 'f16');
    expect(hx.dtype).toBe('f16');
    expectArrayEqual(await hx.toArray(), npOut(ref, 'h'));
    using back = gk.astype(hx, 'f32');
    expectArrayEqual(await back.toArray(), npOut(ref, 'h'));
    using hi = gk.astype(hx, 'i32');
    expectArrayEqual(await hi.toArray(), Array.from(npOut(ref, 'i'), (v) => (Number.isFinite(v) ? v : v > 0 ? 2147483520 : -2147483648)));
  });
});

gpuTest('pow with a negative JS-number exponent: f32 computes as NumPy; i32 is an ArgumentError (numpy.array_api raises); f16, which pow does not take, is a DTypeError, not the integer-exponent ArgumentError it was', async ({ device }) => {
  const data = new Float32Array([2, 0.5, 10, -3, 0, Infinity, NaN, 1]);
  const ref = numpy('out["p"] = np.power(inp["x"], np.float32(-9.265625)); out["q"] = np.power(inp["x"], np.float32(-2))', { x: data });
  using x = device.array(data);
  using p = gk.pow(x, -9.265625);
  using q = gk.pow(x, -2);
  expect(p.dtype).toBe('f32');
  // Within pow's bound (the conformance harness's 6 ULP plus exp2's 2·|y·log2 x|, at most 70 here), exact for
  // the special values (0, Inf, NaN, and 1).
  for (const [r, k] of [[p, 'p'], [q, 'q']] as const) {
    const got = await r.toArray();
    const want = npOut(ref, k);
    for (let j = 0; j < data.length; j++) {
      const w = want[j] ?? NaN;
      const g = got[j] ?? NaN;
      if (!Number.isFinite(w) || w === 0 || w === 1) expect(Object.is(g, w) || (Number.isNaN(w) && Number.isNaN(g)), `${k}[${j}]: ${g} vs ${w}`).toBe(true);
      else expect(Math.abs(g - w), `${k}[${j}]`).toBeLessThanOrEqual(76 * ULP * Math.abs(w));
    }
  }
  using i = device.array(new Int32Array([1, 2, 3]));
  expect(() => gk.pow(i, -2)).toThrow(gk.ArgumentError);
  expect(() => gk.pow(i, -2)).toThrow(/negative exponent -2/);
  if (device.info.features.includes('shader-f16')) {
    using h = device.array(data, { dtype: 'f16' });
    expect(() => gk.pow(h, -9.265625)).toThrow(DTypeError);
    expect(() => gk.pow(h, -9.265625)).toThrow(/pow/);
  }
});
