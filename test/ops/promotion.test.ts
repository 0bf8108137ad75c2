/**
 * Type promotion and JS scalar operands of every binary elementwise function, against numpy.array_api
 * (2021.12) in one Python call, on both engines:
 * - every pair of array dtypes (bool, i32, u32, f32) × every binary function: the result's dtype, or a
 *   refusal (DTypeError) where numpy.array_api raises TypeError;
 * - a JS scalar on either side (a boolean, integers in and out of the dtype's range, a fraction) × every dtype
 *   × every binary function: the values and dtype numpy.array_api's Python-scalar rule gives (`x + 2`,
 *   `2 - x`), or a refusal where it raises (TypeError; ValueError for a negative shift count or integer
 *   exponent). Out-of-range integers, which numpy.array_api wraps with a DeprecationWarning, are refused;
 * - resultType / canCast over every pair of dtypes, f16 included (NumPy's np.result_type for f16, which
 *   numpy.array_api lacks), and two scalars: ArgumentError.
 */
import { describe, expect, it } from 'vitest';
import * as gk from '../../src/index.js';
import { ArgumentError, canCast, DTypeError, resultType, type DeviceArray, type DType, type GpuDevice } from '../../src/index.js';
import { gpuTest } from '../fixture.js';
import { numpy, type NpArray } from './helpers.js';

const BINARY = 'add atan2 bitwise_and bitwise_left_shift bitwise_or bitwise_right_shift bitwise_xor divide equal floor_divide greater greater_equal less less_equal logaddexp logical_and logical_or logical_xor multiply not_equal pow remainder subtract'.split(' ');
const DTYPES = ['bool', 'i32', 'u32', 'f32'] as const;
/** JS scalars and the Python scalar each stands for (an integer-valued number is a Python int). */
const SCALARS: readonly (readonly [js: number | boolean, py: string])[] = [
  [true, 'True'],
  [2, '2'],
  [-3, '-3'],
  [0.5, '0.5'],
  [3e9, '3000000000'],
  [2 ** 40, str(2 ** 40)],
];
function str(n: number): string {
  return String(n);
}
const camel = (s: string): string => s.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());
const CODE: readonly string[] = ['bool', 'int32', 'uint32', 'float32'];
const OURS: readonly DType[] = ['bool', 'i32', 'u32', 'f32'];

/** The arrays each dtype is tested with: [1, 2] (bool: [true, false]). */
const X: Readonly<Record<string, NpArray>> = { bool: Uint32Array.from([1, 0]), i32: Int32Array.from([1, 2]), u32: Uint32Array.from([1, 2]), f32: Float32Array.from([1, 2]) };
/** i32 against u32 (compared without int64): signs, equal values, the extremes. */
const MIXED_I = Int32Array.from([-1, 0, 5, -0x80000000, 0x7fffffff, 7, 0x7fffffff]);
const MIXED_U = Uint32Array.from([0, 0, 5, 0xffffffff, 0x80000000, 6, 0x7fffffff]);
const COMPARISONS = ['equal', 'not_equal', 'less', 'less_equal', 'greater', 'greater_equal'];

const PY = `
import warnings
warnings.simplefilter('ignore')
import numpy.array_api as xp
DT = {'bool': xp.bool, 'i32': xp.int32, 'u32': xp.uint32, 'f32': xp.float32}
NP = {'bool': np.bool_, 'i32': np.int32, 'u32': np.uint32, 'f32': np.float32}
CODE = {xp.bool: 0, xp.int32: 1, xp.uint32: 2, xp.float32: 3, xp.int64: -2}
def arr(t):
    return xp.asarray(inp[t].astype(NP[t]))
codes = []
for name in ${JSON.stringify(BINARY)}:
    f = getattr(xp, name)
    for a in DT:
        for b in DT:
            try:
                codes.append(CODE[f(arr(a), arr(b)).dtype])
            except TypeError:
                codes.append(-1)
out['pairs'] = np.array(codes, np.float64)
for name in ${JSON.stringify(['equal', 'not_equal', 'less', 'less_equal', 'greater', 'greater_equal'])}:
    mi = xp.asarray(inp['mi']); mu = xp.asarray(inp['mu'])
    out['mixed|' + name + '|iu'] = np.asarray(getattr(xp, name)(mi, mu))
    out['mixed|' + name + '|ui'] = np.asarray(getattr(xp, name)(mu, mi))
SC = [${SCALARS.map(([, py]) => py).join(', ')}]
for name in ${JSON.stringify(BINARY)}:
    f = getattr(xp, name)
    for t in DT:
        x = arr(t)
        for k, s in enumerate(SC):
            for side in ('l', 'r'):
                key = name + '|' + t + '|' + str(k) + '|' + side
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter('error', DeprecationWarning)
                        p = x._promote_scalar(s)
                    r = f(x, p) if side == 'r' else f(p, x)
                    out[key] = np.asarray(r).astype(np.float64)
                    out[key + '|dtype'] = np.array([CODE[r.dtype]], np.float64)
                except (TypeError, ValueError, OverflowError, DeprecationWarning):
                    out[key + '|refused'] = np.zeros(1)
`;

let REF: Record<string, NpArray> | undefined;
function reference(): Record<string, NpArray> {
  REF ??= numpy(PY, { ...X, mi: MIXED_I, mu: MIXED_U });
  return REF;
}

function upload(device: GpuDevice, d: string): DeviceArray {
  const x = X[d] as NpArray;
  return d === 'bool' ? device.array(Array.from(x, (v) => v !== 0)) : device.array(x as Float32Array, { dtype: d as DType });
}

type Fn = (x: unknown, y: unknown) => DeviceArray;
const fnOf = (name: string): Fn => (gk as unknown as Record<string, Fn>)[camel(name)] as Fn;

/** Exact but for the functions the special-case test bounds in ULPs (pow: 64; atan2, logaddexp: 8; divide…: 1). */
function close(name: string, a: number, b: number): boolean {
  const rel = name === 'pow' ? 2 ** -17 : ['atan2', 'logaddexp'].includes(name) ? 2 ** -20 : 2 ** -23;
  return (Number.isNaN(a) && Number.isNaN(b)) || a === b || Math.abs(a - b) <= rel * Math.abs(b);
}

describe('type promotion and scalar operands against numpy.array_api (both engines)', () => {
  gpuTest('every pair of dtypes × every binary function: the result dtype, or a DTypeError where numpy.array_api raises', async ({ device }) => {
    const pairs = reference()['pairs'] as NpArray;
    const arrays = Object.fromEntries(DTYPES.map((d) => [d, upload(device, d)]));
    const bad: string[] = [];
    let k = 0;
    try {
      for (const name of BINARY) {
        for (const a of DTYPES) {
          for (const b of DTYPES) {
            const code = Number(pairs[k++]);
            const call = (): DeviceArray => fnOf(name)(arrays[a], arrays[b]);
            if (code < 0) {
              // -1: numpy.array_api raises TypeError; -2: it promotes to int64, which WebGPU lacks.
              try {
                call().destroy();
                bad.push(`${name}(${a}, ${b}) ran; numpy.array_api ${code === -1 ? 'raises TypeError' : 'promotes to int64'}`);
              } catch (e) {
                if (!(e instanceof DTypeError) || (code === -2 && !e.message.includes('int64'))) bad.push(`${name}(${a}, ${b}): ${String(e)}`);
              }
              continue;
            }
            using r = call();
            if (r.dtype !== OURS[code]) bad.push(`${name}(${a}, ${b}) is ${r.dtype}; numpy.array_api gives ${CODE[code] ?? '?'}`);
          }
        }
      }
    } finally {
      for (const a of Object.values(arrays)) a.destroy();
    }
    expect(bad).toEqual([]);
  });

  gpuTest('a JS scalar on either side of every binary function: numpy.array_api\'s values and dtype, or a typed refusal', async ({ device }) => {
    const ref = reference();
    const bad: string[] = [];
    for (const d of DTYPES) {
      using x = upload(device, d);
      for (const name of BINARY) {
        for (const [k, [s]] of SCALARS.entries()) {
          for (const side of ['l', 'r'] as const) {
            const key = `${name}|${d}|${k}|${side}`;
            const where = side === 'r' ? `${name}(${d}, ${String(s)})` : `${name}(${String(s)}, ${d})`;
            const call = (): DeviceArray => (side === 'r' ? fnOf(name)(x, s) : fnOf(name)(s, x));
            if (ref[`${key}|refused`] !== undefined) {
              try {
                call().destroy();
                bad.push(`${where} ran; numpy.array_api refuses it`);
              } catch (e) {
                if (!(e instanceof DTypeError || e instanceof ArgumentError)) bad.push(`${where}: ${String(e)}`);
              }
              continue;
            }
            let r: DeviceArray;
            try {
              r = call();
            } catch (e) {
              bad.push(`${where}: ${String(e)}`);
              continue;
            }
            using rr = r;
            const code = Number((ref[`${key}|dtype`] as NpArray)[0]);
            if (rr.dtype !== OURS[code]) bad.push(`${where} is ${rr.dtype}; numpy.array_api gives ${CODE[code] ?? '?'}`);
            const got = Array.from(await rr.toArray(), Number);
            const want = Array.from(ref[key] as NpArray, Number);
            if (!got.every((v, i) => close(name, v, want[i] ?? NaN))) bad.push(`${where}: [${got.join(', ')}], numpy.array_api [${want.join(', ')}]`);
          }
        }
      }
    }
    expect(bad).toEqual([]);
  });

  gpuTest('comparisons of i32 with u32 (no int64 needed): numpy.array_api\'s answers, both orders', async ({ device }) => {
    const ref = reference();
    using i = device.array(MIXED_I);
    using u = device.array(MIXED_U);
    for (const name of COMPARISONS) {
      using a = fnOf(name)(i, u);
      using b = fnOf(name)(u, i);
      expect(a.dtype).toBe('bool');
      expect(Array.from(await a.toArray()), `${name}(i32, u32)`).toEqual(Array.from(ref[`mixed|${name}|iu`] as NpArray));
      expect(Array.from(await b.toArray()), `${name}(u32, i32)`).toEqual(Array.from(ref[`mixed|${name}|ui`] as NpArray));
    }
  });

  gpuTest('f16 with f32 promotes to f32 (widened exactly in the kernel), where the device has shader-f16', async ({ device }) => {
    if (device.info.engine !== 'dawn' || !device.info.features.includes('shader-f16')) {
      expect(() => device.array([1], { dtype: 'f16' })).toThrow(DTypeError);
      return;
    }
    // 1.5, -2 and 65504 are f16 values, so the f16 array holds them exactly; f32 sums rounded once.
    using h = device.array(Float32Array.from([1.5, -2, 65504]), { dtype: 'f16' });
    using f = device.array(Float32Array.from([0.25, 1e-3, 1]));
    using s = gk.add(h, f);
    expect(s.dtype).toBe('f32');
    expect(Array.from(await s.toArray())).toEqual([1.75, Math.fround(-2 + Math.fround(1e-3)), 65505]);
    using q = gk.divide(f, h);
    expect(q.dtype).toBe('f32');
    expect(Array.from(await q.toArray())).toEqual([Math.fround(0.25 / 1.5), Math.fround(Math.fround(1e-3) / -2), Math.fround(1 / 65504)]);
    using k = gk.add(h, 1);
    expect(k.dtype).toBe('f16');
  });

  gpuTest('two scalars are an ArgumentError; a scalar never allocates a full-size array', ({ device }) => {
    expect(() => gk.add(1 as never, 2 as never)).toThrow(ArgumentError);
    expect(() => gk.logicalAnd(true as never, false as never)).toThrow(ArgumentError);
    using x = device.zeros([1 << 16]);
    const before = device.memory.inUseBytes;
    using r = gk.add(x, 1);
    // Only the output is allocated: the scalar travels as a uniform.
    expect(device.memory.inUseBytes - before).toBeLessThanOrEqual(r.byteLength);
  });
});

describe('resultType and canCast (no device)', () => {
  const ALL: readonly DType[] = ['bool', 'i32', 'u32', 'f16', 'f32'];
  // NumPy's np.result_type where the standard defines the pair, else the standard's refusal.
  const want = (a: DType, b: DType): DType | null => (a === b ? a : (a === 'f16' || a === 'f32') && (b === 'f16' || b === 'f32') ? 'f32' : null);
  it('every pair: the standard\'s table over gpukit\'s dtypes (f16 ⊕ f32 is f32; i32 ⊕ u32 needs int64: refused)', () => {
    for (const a of ALL) {
      for (const b of ALL) {
        const w = want(a, b);
        if (w === null) expect(() => resultType(a, b), `${a}, ${b}`).toThrow(DTypeError);
        else expect(resultType(a, b), `${a}, ${b}`).toBe(w);
        expect(canCast(a, b), `canCast(${a}, ${b})`).toBe(w === b);
      }
    }
    expect(() => resultType('i32', 'u32')).toThrow(/int64/);
    expect(() => resultType()).toThrow(ArgumentError);
  });
});
