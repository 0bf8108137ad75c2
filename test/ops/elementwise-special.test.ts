/**
 * Every elementwise function of the Array API standard (2021.12) over a grid of special values, on both
 * engines, against numpy.array_api (float32) in one Python call:
 * - floats: NaN, ±0, ±Inf, ±1, ±0.5, ±2, ±3, ±π, ±10, ±100, f32 max, the smallest normal and subnormal,
 *   1e8, 1e20, 1e37 (past 2^24: the reduction of sin/cos/tan), 1.5 and ±2.5 (round: halves to even), and
 *   (binary functions) every pair of them; integers: 0, ±1, ±2, 3, 7, 31–33, the extremes; bool: both.
 * - The dtypes a function takes are numpy.array_api's: where it raises TypeError, gpukit must throw
 *   DTypeError naming the function.
 * - Results compare exactly (NaN equal to NaN, ±0 distinguished) for integers, bools, the exact functions
 *   (arithmetic, rounding, sign, comparisons…), and every result that is a special value or comes from one
 *   (the standard's special cases); otherwise within the ULP bound {@link ULPS} states per function (sin, cos
 *   and tan too, up to f32 max: Dawn reduces |x| ≥ 2^24 by Payne–Hanek).
 * - Where numpy.array_api raises on values (an integer pow with a negative exponent; a negative shift count),
 *   gpukit's documented answer is checked instead: the truncated 1 / x^|y|, and NumPy's np.left_shift /
 *   np.right_shift answer.
 */
import { describe, expect } from 'vitest';
import * as gk from '../../src/index.js';
import { DTypeError, type DeviceArray, type DType, type GpuDevice } from '../../src/index.js';
import { gpuTest } from '../fixture.js';
import { numpy, type NpArray } from './helpers.js';

const F32_MAX = 3.4028234663852886e38;
const MIN_NORMAL = 1.1754943508222875e-38;
const MIN_SUB = 1.401298464324817e-45;
const FLOATS = Float32Array.from([NaN, 0, -0, Infinity, -Infinity, 1, -1, 0.5, -0.5, 2, -2, 3, -3, Math.PI, -Math.PI, 10, -10, 100, -100, F32_MAX, -F32_MAX, MIN_NORMAL, -MIN_NORMAL, MIN_SUB, -MIN_SUB, 0.1, 1e-3, 88.8, -88.8, 1e20, 1e8, -3e25, 16777216, 1e37, 1.5, 2.5, -2.5]);
const I32 = Int32Array.from([0, 1, -1, 2, -2, 3, 7, -7, 31, 32, 33, 100, -100, 0x7fffffff, -0x80000000]);
const U32 = Uint32Array.from([0, 1, 2, 3, 7, 31, 32, 33, 100, 0x7fffffff, 0x80000000, 0xffffffff]);
const BOOLS = Uint32Array.from([0, 1]);

const UNARY = 'abs acos acosh asin asinh atan atanh bitwise_invert ceil cos cosh exp expm1 floor isfinite isinf isnan log log1p log2 log10 logical_not negative positive round sign sin sinh square sqrt tan tanh trunc'.split(' ');
const BINARY = 'add atan2 bitwise_and bitwise_left_shift bitwise_or bitwise_right_shift bitwise_xor divide equal floor_divide greater greater_equal less less_equal logaddexp logical_and logical_or logical_xor multiply not_equal pow remainder subtract'.split(' ');

/** Functions whose finite results must be exact (correctly rounded IEEE operations, or no rounding at all). */
const EXACT = new Set('abs ceil floor round trunc sign negative positive square add subtract multiply equal not_equal greater greater_equal less less_equal isfinite isinf isnan logical_not logical_and logical_or logical_xor bitwise_invert bitwise_and bitwise_or bitwise_xor bitwise_left_shift bitwise_right_shift'.split(' '));

/**
 * The ULP bound of each inexact function's finite results from finite, non-special arguments (measured on
 * lavapipe and the gpujs engine, within WGSL's stated accuracy for the builtins they rest on).
 */
const ULPS: Readonly<Record<string, number>> = {
  divide: 1, sqrt: 1, floor_divide: 1, remainder: 1,
  exp: 4, expm1: 8, log: 4, log1p: 4, log2: 4, log10: 4, pow: 64, logaddexp: 8,
  sin: 8, cos: 8, tan: 8, asin: 8, acos: 8, atan: 8, atan2: 8, sinh: 32, cosh: 32, tanh: 8, asinh: 8, acosh: 8, atanh: 8,
};


const camel = (s: string): string => s.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());

const GRID: Readonly<Record<string, NpArray>> = { f32: FLOATS, i32: I32, u32: U32, bool: BOOLS };
const TYPED: Readonly<Record<string, (n: ArrayLike<number>) => NpArray>> = { f32: (v) => Float32Array.from(v), i32: (v) => Int32Array.from(v), u32: (v) => Uint32Array.from(v), bool: (v) => Uint32Array.from(v) };

/** x repeats each grid value |grid| times, y tiles the grid: every pair once. */
function pairs(d: string): { x: NpArray; y: NpArray } {
  const g = GRID[d] as NpArray;
  const n = g.length;
  const make = TYPED[d] as (v: ArrayLike<number>) => NpArray;
  return { x: make(Array.from({ length: n * n }, (_, k) => g[Math.floor(k / n)] ?? 0)), y: make(Array.from({ length: n * n }, (_, k) => g[k % n] ?? 0)) };
}

const DTYPES = ['f32', 'i32', 'u32', 'bool'] as const;

const INPUTS: Record<string, NpArray> = {};
for (const d of DTYPES) {
  INPUTS[`${d}_u`] = GRID[d] as NpArray;
  const p = pairs(d);
  INPUTS[`${d}_x`] = p.x;
  INPUTS[`${d}_y`] = p.y;
}

const PY = `
import warnings
warnings.simplefilter('ignore')
import numpy.array_api as xp
DT = {'f32': xp.float32, 'i32': xp.int32, 'u32': xp.uint32, 'bool': xp.bool}
NP = {'f32': np.float32, 'i32': np.int32, 'u32': np.uint32, 'bool': np.bool_}
def arr(k, t):
    return xp.asarray(inp[k].astype(NP[t]))
for name in ${JSON.stringify(UNARY)}:
    for t in DT:
        try:
            out[name + '|' + t] = np.asarray(getattr(xp, name)(arr(t + '_u', t)))
        except TypeError:
            out[name + '|' + t + '|refused'] = np.zeros(1, np.float32)
for name in ${JSON.stringify(BINARY)}:
    for t in DT:
        a = arr(t + '_x', t); b = arr(t + '_y', t)
        try:
            out[name + '|' + t] = np.asarray(getattr(xp, name)(a, b))
        except TypeError:
            out[name + '|' + t + '|refused'] = np.zeros(1, np.float32)
        except ValueError:
            # numpy.array_api refuses negative exponents / shift counts by value: NumPy's own answer for the
            # shifts; for pow, the non-negative exponents (the negative ones are checked by closed form).
            fa = np.asarray(a); fb = np.asarray(b)
            if name == 'pow':
                out[name + '|' + t] = np.power(fa, np.where(fb < 0, 0, fb))
            else:
                out[name + '|' + t] = getattr(np, 'left_shift' if name == 'bitwise_left_shift' else 'right_shift')(fa, fb)
`;

let REF: Record<string, NpArray> | undefined;
function reference(): Record<string, NpArray> {
  REF ??= numpy(PY, INPUTS);
  return REF;
}

const bits = new Uint32Array(1);
const f32v = new Float32Array(bits.buffer);
/** An f32's position on the ordered line of floats (so ULP distance is a difference); NaN is its own point. */
function ordered(v: number): number {
  f32v[0] = v;
  const b = bits[0] ?? 0;
  return b >= 0x80000000 ? -(b - 0x80000000) : b;
}
function isSpecial(v: number): boolean {
  return Number.isNaN(v) || v === 0 || !Number.isFinite(v);
}
function same(a: number, b: number): boolean {
  return (Number.isNaN(a) && Number.isNaN(b)) || Object.is(a, b);
}

function upload(device: GpuDevice, d: string, data: NpArray): DeviceArray {
  return d === 'bool' ? device.array(Array.from(data, (v) => v !== 0)) : device.array(data as Float32Array, { dtype: d as DType });
}

async function check(device: GpuDevice, name: string, d: string, inputs: readonly NpArray[]): Promise<string[]> {
  const ref = reference();
  const fn = (gk as unknown as Record<string, (...a: unknown[]) => DeviceArray>)[camel(name)];
  expect(fn, `${camel(name)} is exported`).toBeTypeOf('function');
  const call = fn as (...a: unknown[]) => DeviceArray;
  const arrays = inputs.map((v) => upload(device, d, v));
  const where = `${name}(${d})`;
  try {
    if (ref[`${name}|${d}|refused`] !== undefined) {
      expect(() => call(...arrays), `${where} is refused as numpy.array_api refuses it`).toThrow(DTypeError);
      return [];
    }
    const want = ref[`${name}|${d}`] as NpArray;
    using r = call(...arrays);
    const got = await r.toArray();
    const bad: string[] = [];
    const exact = EXACT.has(name) || d !== 'f32' || r.dtype !== 'f32';
    const ulps = ULPS[name] ?? 0;
    for (let k = 0; k < want.length; k++) {
      const g = Number(got[k]);
      const w = Number(want[k]);
      const args = inputs.map((v) => Number(v[k]));
      if (name === 'pow' && d !== 'f32' && (args[1] ?? 0) < 0) {
        // The documented answer where NumPy raises: the truncated 1 / x^|y|.
        const x = args[0] ?? 0;
        const expected = x === 1 ? 1 : x === -1 ? ((args[1] ?? 0) % 2 === 0 ? 1 : -1) : 0;
        if (g !== expected) bad.push(`${where}${JSON.stringify(args)}: ${g}, documented ${expected}`);
        continue;
      }
      if (same(g, w)) continue;
      const special = exact || isSpecial(w) || isSpecial(g);
      const ulp = Math.abs(ordered(g) - ordered(w));
      if (!special && ulp <= ulps) continue;
      bad.push(`${where}(${args.map((v) => (Object.is(v, -0) ? '-0' : String(v))).join(', ')}): got ${Object.is(g, -0) ? '-0' : g}, numpy ${Object.is(w, -0) ? '-0' : w}${special ? '' : ` (${ulp} ulp)`}`);
    }
    return bad;
  } finally {
    for (const a of arrays) a.destroy();
  }
}

describe('elementwise special cases against numpy.array_api (both engines)', () => {
  gpuTest('every unary function over the special-value grid, every dtype', async ({ device }) => {
    const bad: string[] = [];
    for (const name of UNARY) for (const d of DTYPES) bad.push(...(await check(device, name, d, [INPUTS[`${d}_u`] as NpArray])));
    expect(bad).toEqual([]);
  });

  gpuTest('every binary function over every pair of special values, every dtype', async ({ device }) => {
    const bad: string[] = [];
    for (const name of BINARY) for (const d of DTYPES) bad.push(...(await check(device, name, d, [INPUTS[`${d}_x`] as NpArray, INPUTS[`${d}_y`] as NpArray])));
    expect(bad).toEqual([]);
  });
});
