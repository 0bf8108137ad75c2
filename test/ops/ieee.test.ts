/**
 * IEEE edges against NumPy (float64, rounded once to f32), on both engines: `pow` over the table of special
 * pairs (±0, ±1, ±Inf, NaN, negative non-integers, large odd and even integers, subnormals), the unary ops
 * over subnormals, ±0, ±Inf and NaN, and `clip` with NaN bounds and NaN data. Where NumPy's answer is exact
 * (NaN, ±Inf, a signed zero, 1), ours must be that value, bit for bit; elsewhere within the op's WGSL
 * accuracy, written out per op below, plus half the smallest subnormal (2^-150) for answers that are
 * subnormal. (lavapipe's `log` answers log(2^-126) for every subnormal and its `exp`/`exp2` flush subnormal
 * results to 0 while its arithmetic keeps subnormals: the bodies scale by 2^23 around those builtins.)
 */
import { describe, expect } from 'vitest';
import { clip, exp, expm1, log, log1p, pow, rsqrt, sqrt, type DeviceArray } from '../../src/index.js';
import { expectArrayEqual, gpuTest } from '../fixture.js';
import { npOut, numpy } from './helpers.js';

const ULP = 2 ** -23;
const TINY = 2 ** -150;
const SUBNORMALS = [2 ** -149, -(2 ** -149), 1e-40, -1e-40, 5.877e-39, 2 ** -126 - 2 ** -149];
const SPECIALS = [0, -0, 1, -1, Infinity, -Infinity, NaN, -2.5, 2.5, 0.5, -0.5, 3, -3, 2, -2, 2 ** 24 + 2, -(2 ** 24 + 2), 2 ** 25 + 2, 16777215, -16777215, 1e30, -1e30, 1e-30, ...SUBNORMALS];

/**
 * Exact (Object.is: the zero's sign too) where NumPy's answer in f32 is NaN or ±Inf, is exactly ±0, or comes
 * from a special input (`special(i)`); else within tol.
 */
function check(what: string, got: ArrayLike<number>, want: ArrayLike<number>, label: (i: number) => string, tol: (i: number, w: number) => number, special: (i: number) => boolean): void {
  expect(got.length, what).toBe(want.length);
  const bad: string[] = [];
  for (let i = 0; i < want.length; i++) {
    const g = got[i] ?? NaN;
    const w = want[i] ?? NaN;
    const wf = Math.fround(w);
    const exact = !Number.isFinite(wf) || w === 0 || special(i);
    const ok = exact ? Object.is(g, wf) || (Number.isNaN(g) && Number.isNaN(wf)) : Math.abs(g - w) <= tol(i, w) + TINY;
    if (!ok) bad.push(`${label(i)}: got ${g}, NumPy ${w}`);
  }
  expect(bad, `${what}: ${bad.length} of ${want.length} wrong`).toEqual([]);
}

describe('IEEE edges against NumPy (both engines)', () => {
  gpuTest('pow over every pair of special values: C99/NumPy answers exactly, finite ones within WGSL pow accuracy', async ({ device }) => {
    const xs: number[] = [];
    const ys: number[] = [];
    for (const a of SPECIALS) {
      for (const b of SPECIALS) {
        xs.push(a);
        ys.push(b);
      }
    }
    const xh = Float32Array.from(xs);
    const yh = Float32Array.from(ys);
    const ref = numpy(`with np.errstate(all='ignore'): out['p'] = np.power(inp['x'].astype(np.float64), inp['y'].astype(np.float64))`, { x: xh, y: yh });
    using x = device.array(xh);
    using y = device.array(yh);
    using p = pow(x, y);
    // WGSL's pow is exp2(y·log2|x|): exp2 within 3 + 2·|t| ULP of its argument t, and log2's error (3 ULP, or
    // 2^-21 absolute near 1) scaled by |y| and ln 2 into a relative error of the answer.
    check('pow', await p.toArray(), npOut(ref, 'p'), (i) => `pow(${xh[i]}, ${yh[i]})`, (i, w) => {
      const ax = Math.abs(xh[i] ?? 0);
      const yv = Math.abs(yh[i] ?? 0);
      const t = yv * Math.abs(Math.log2(ax));
      return ((3 + 2 * t) * ULP + Math.LN2 * yv * Math.max(2 ** -21, 3 * ULP * Math.abs(Math.log2(ax)))) * Math.abs(w);
    }, (i) => {
      const a = Math.abs(xh[i] ?? 0);
      const b = Math.abs(yh[i] ?? 0);
      return [0, 1, Infinity].includes(a) || [0, Infinity].includes(b) || Number.isNaN(a) || Number.isNaN(b);
    });
  });

  gpuTest('log, log1p, exp, expm1, sqrt, rsqrt over subnormals, ±0, ±Inf and NaN', async ({ device }) => {
    // exp also at arguments whose answer is subnormal or underflows to 0.
    const xh = Float32Array.from([...SPECIALS, -87, -87.5, -90, -100, -103, -103.9, -104, -110, 88, 89]);
    const ref = numpy(
      `
x = inp['x'].astype(np.float64)
with np.errstate(all='ignore'):
    out['log'] = np.log(x); out['log1p'] = np.log1p(x); out['exp'] = np.exp(x); out['expm1'] = np.expm1(x)
    out['sqrt'] = np.sqrt(x); out['rsqrt'] = 1 / np.sqrt(x)
`,
      { x: xh },
    );
    using x = device.array(xh);
    const ops: [string, (a: DeviceArray) => DeviceArray, (v: number, w: number) => number][] = [
      // 3 ULP (2^-21 absolute near 1), and the subnormal path's −23·ln 2 adds an ulp of a value near 100.
      ['log', log, (_v, w) => 4 * ULP * Math.abs(w) + 2 ** -20],
      ['log1p', log1p, (_v, w) => 4 * ULP * Math.abs(w) + 2 ** -21],
      // 3 + 2·|x| ULP; below ln 2^-126 the argument x + 23·ln 2 is rounded too (|x| ULP more).
      ['exp', exp, (v, w) => (3 + 3 * Math.abs(v)) * ULP * Math.abs(w)],
      ['expm1', expm1, (v, w) => (3 + 2 * Math.abs(v)) * ULP * Math.abs(w) + 2 * ULP],
      ['sqrt', sqrt, (_v, w) => 4 * ULP * Math.abs(w)],
      ['rsqrt', rsqrt, (_v, w) => 4 * ULP * Math.abs(w)],
    ];
    for (const [name, op, tol] of ops) {
      using r = op(x);
      check(name, await r.toArray(), npOut(ref, name), (i) => `${name}(${xh[i]})`, (i, w) => tol(xh[i] ?? 0, w), (i) => !Number.isFinite(xh[i] ?? NaN) || xh[i] === 0);
    }
  });

  gpuTest('clip with NaN bounds is NaN everywhere; NaN data stays NaN; i32 clip is exact', async ({ device }) => {
    const xh = Float32Array.from([NaN, 0, -0, -5, 5, 0.5, Infinity, -Infinity, 2 ** -149]);
    const bounds: [number, number][] = [[NaN, 1], [0, NaN], [NaN, NaN], [0, 1], [1, 0], [-Infinity, Infinity], [-0, 0]];
    // Bounds as arrays: Debian's NumPy 1.24 skips a scalar NaN bound (NumPy 2 propagates it, as
    // np.minimum(np.maximum(x, lo), hi) does); with array bounds every version propagates it.
    const ref = numpy(
      bounds.map(([lo, hi], k) => `out['c${k}'] = np.clip(inp['x'], np.full_like(inp['x'], ${py(lo)}), np.full_like(inp['x'], ${py(hi)}))`).join('\n'),
      { x: xh },
    );
    using x = device.array(xh);
    for (const [k, [lo, hi]] of bounds.entries()) {
      using c = clip(x, lo, hi);
      const got = await c.toArray();
      const want = npOut(ref, `c${k}`);
      for (let i = 0; i < want.length; i++) {
        const g = got[i] ?? 0;
        const w = want[i] ?? 0;
        // The sign of a zero between equal zeros (max(-0, 0)) is unspecified in C, WGSL and NumPy alike.
        expect(g === w || (Number.isNaN(g) && Number.isNaN(w)), `clip(${xh[i]}, ${lo}, ${hi}): got ${g}, NumPy ${w}`).toBe(true);
      }
    }
    using xi = device.array(Int32Array.from([-7, 0, 7, 2 ** 31 - 1, -(2 ** 31)]));
    using ci = clip(xi, -3, 4);
    expectArrayEqual(await ci.toArray(), [-3, 0, 4, 4, -3]);
  });
});

function py(v: number): string {
  return Number.isNaN(v) ? 'np.nan' : v === Infinity ? 'np.inf' : v === -Infinity ? '-np.inf' : Object.is(v, -0) ? '-0.0' : String(v);
}
