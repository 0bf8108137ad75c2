import { describe, expect, test } from 'vitest';
import { ArgumentError } from '../../src/errors.js';
import {
  U16, U32, U64, absSum, fftBound, fftRoundTripBound, gamma, matmulBound, sumBound, toleranceFor,
} from '../../src/testing/tolerance.js';
import { thrownBy } from './thrown.js';

// Every bound of src/testing/tolerance.ts against its closed form, worked out here with the arithmetic written
// out, not through the module's own helpers. γ_d = d·u / (1 − d·u); with u = 2⁻ᵖ that is d / (2ᵖ − d), and
// since d·2⁻ᵖ, 1 − d·2⁻ᵖ and 2ᵖ − d are all exact in float64 for integer d < 2ᵖ, both forms round once, from
// the same real number: they agree to the last bit, so most checks below are exact (toBe).
const P24 = 16777216; // 2²⁴
const P53 = 9007199254740992; // 2⁵³

/**
 * `fn` throws an ArgumentError whose message matches (vitest's toThrow(regex) passes when `undefined` is thrown,
 * so it cannot tell a dropped error from the right one).
 */
function throwsArgumentError(fn: () => unknown, message: RegExp | string | typeof ArgumentError): void {
  const thrown = thrownBy(fn);
  expect(thrown).toBeInstanceOf(ArgumentError);
  if (message === ArgumentError) return;
  const text = (thrown as Error).message;
  if (typeof message === 'string') expect(text).toBe(message);
  else expect(text).toMatch(message as RegExp);
}

/** |a − b| ≤ 4 ulp of b: for closed forms summed in a different order than the module sums them. */
function near(a: number, b: number): void {
  expect(Math.abs(a - b), `${a} vs ${b}`).toBeLessThanOrEqual(4 * Number.EPSILON * Math.abs(b));
}

describe('tolerance: unit roundoffs and γ', () => {
  test('u is 2⁻²⁴, 2⁻⁵³ and 2⁻¹¹: half an ulp of 1 in f32, float64 and f16', () => {
    expect(U32).toBe(1 / P24);
    expect(U64).toBe(1 / P53);
    expect(U64).toBe(Number.EPSILON / 2);
    expect(U16).toBe(1 / 2048);
    // f32 stores 1 + 2u (the next number after 1) but rounds 1 + u back to 1 (ties to even).
    expect(Math.fround(1 + 2 * U32)).toBe(1 + 2 * U32);
    expect(Math.fround(1 + U32)).toBe(1);
  });

  test('γ_d = d/(2²⁴ − d) in f32, at d = 0, 1, 2, 1000, 2²⁴ − 1; Infinity from d·u = 1 on', () => {
    expect(gamma(0)).toBe(0);
    // γ_1 = 1/16777215 = 5.960464832810452e-8
    expect(gamma(1)).toBe(1 / 16777215);
    near(gamma(1), 5.960464832810452e-8);
    // γ_2 = 2/16777214
    expect(gamma(2)).toBe(2 / 16777214);
    // γ_1000 = 1000/16776216 (the doc example: ≈ 5.96e-5)
    expect(gamma(1000)).toBe(1000 / 16776216);
    near(gamma(1000), 5.9608197700840286e-5); // exact rational 1000/16776216, rounded
    // d = 2²⁴ − 1: 16777215 / 1
    expect(gamma(P24 - 1)).toBe(16777215);
    // d = 2²⁴: d·u = 1, no bound; past it, still none (not a negative number).
    expect(gamma(P24)).toBe(Infinity);
    expect(gamma(P24 + 1)).toBe(Infinity);
    expect(gamma(1e300)).toBe(Infinity);
    expect(gamma(Infinity)).toBe(Infinity);
  });

  test('γ with u = 2⁻¹¹ (f16) and u = 2⁻⁵³ (float64 reference)', () => {
    // f16: γ_d = d/(2048 − d)
    expect(gamma(1, U16)).toBe(1 / 2047);
    expect(gamma(2047, U16)).toBe(2047);
    expect(gamma(2048, U16)).toBe(Infinity);
    // float64: γ_n = n/(2⁵³ − n); at n = 2²⁴ that is 2²⁴/(2⁵³ − 2²⁴) = 1/(2²⁹ − 1)
    expect(gamma(1, U64)).toBe(1 / (P53 - 1));
    expect(gamma(P24, U64)).toBe(1 / (2 ** 29 - 1));
    expect(gamma(P53, U64)).toBe(Infinity);
  });
});

describe('tolerance: absSum', () => {
  test('Σ|xᵢ| in float64, over empty, size 1, signs, ±0, ±Inf, NaN and holes', () => {
    expect(absSum([])).toBe(0);
    expect(absSum([-0])).toBe(0);
    expect(Object.is(absSum([-0]), 0)).toBe(true);
    expect(absSum([-7.5])).toBe(7.5);
    expect(absSum([1, -2, 3])).toBe(6);
    // float64, not f32: 2⁻³⁰ survives next to 1
    expect(absSum(new Float32Array([1, -(2 ** -30)]))).toBe(1 + 2 ** -30);
    expect(absSum([1, -Infinity])).toBe(Infinity);
    expect(absSum([1, NaN])).toBeNaN();
    // A hole in an ArrayLike counts as 0, not NaN.
    const holey: ArrayLike<number> = { length: 3, 0: 2, 2: -5 };
    expect(absSum(holey)).toBe(7);
    // Only the first `length` elements count.
    const longer: ArrayLike<number> = { length: 1, 0: 2, 1: 5 };
    expect(absSum(longer)).toBe(2);
  });
});

describe('tolerance: sumBound and matmulBound', () => {
  test('sumBound = γ_depth·abs + γ⁶⁴_n·abs', () => {
    // abs 6, depth 2, n 3: 6·2/(2²⁴ − 2) + 6·3/(2⁵³ − 3) = 7.1525582e-7 + 1.998e-15
    near(sumBound(6, 2, 3), (6 * 2) / (P24 - 2) + (6 * 3) / (P53 - 3));
    near(sumBound(6, 2, 3), 7.152558245682274e-7); // the exact rational, rounded once
    // depth 0 (one term, or an exact-zero tree): only the reference's error remains
    expect(sumBound(10, 0, 1)).toBe(10 / (P53 - 1));
    // nothing to sum: no error
    expect(sumBound(0, 0, 0)).toBe(0);
    // f16 rounding: 4·3/(2048 − 3)
    near(sumBound(4, 3, 4, U16), (4 * 3) / (2048 - 3) + (4 * 4) / (P53 - 4));
    // depth 2²⁴ in f32: no finite bound
    expect(sumBound(1, P24, P24 + 1)).toBe(Infinity);
  });

  test('matmulBound = (γ_k + γ⁶⁴_k)·mag', () => {
    // k = 64, mag 12.5: 12.5·(64/(2²⁴ − 64) + 64/(2⁵³ − 64)) = 4.76839e-5
    near(matmulBound(64, 12.5), 12.5 * (64 / (P24 - 64) + 64 / (P53 - 64)));
    near(matmulBound(64, 12.5), 4.7683897808764586e-5); // the exact rational, rounded once
    expect(matmulBound(0, 3)).toBe(0);
    expect(matmulBound(1, 0)).toBe(0);
    near(matmulBound(5, 2, U16), 2 * (5 / (2048 - 5) + 5 / (P53 - 5)));
    expect(matmulBound(P24, 1)).toBe(Infinity);
  });
});

describe('tolerance: FFT bounds', () => {
  // η = u + γ₄·(√2 + u), γ₄ = 4/(2²⁴ − 4); bound = L·η/(1 − L·η) + 1e-12, L = log2 n.
  const eta = 1 / P24 + (4 / (P24 - 4)) * (Math.SQRT2 + 1 / P24);

  test('fftBound at n = 1 (a copy: 0), 2, 1024 and 2³⁰', () => {
    expect(fftBound(1)).toBe(0);
    near(fftBound(2), eta / (1 - eta) + 1e-12);
    // η = 5.96e-8 + 2.384e-7·1.41421 = 3.9678e-7; L = 10: 3.9678e-6/(1 − 3.9678e-6) ≈ 3.968e-6
    near(fftBound(1024), (10 * eta) / (1 - 10 * eta) + 1e-12);
    expect(fftBound(1024)).toBeGreaterThan(3.96e-6);
    expect(fftBound(1024)).toBeLessThan(3.97e-6);
    near(fftBound(2 ** 30), (30 * eta) / (1 - 30 * eta) + 1e-12);
    // One more pass: 11η/(1 − 11η) − 10η/(1 − 10η) = η/((1 − 11η)(1 − 10η)); the subtraction cancels ~4 digits.
    const step = eta / ((1 - 11 * eta) * (1 - 10 * eta));
    expect(Math.abs(fftBound(2048) - fftBound(1024) - step)).toBeLessThan(1e-9 * step);
  });

  test('fftRoundTripBound = 2b + b² of the one-way bound b', () => {
    expect(fftRoundTripBound(1)).toBe(0);
    const b = (10 * eta) / (1 - 10 * eta) + 1e-12;
    near(fftRoundTripBound(1024), 2 * b + b * b);
    // the b² term is there: more than 2b by about b²
    expect(fftRoundTripBound(1024) - 2 * fftBound(1024)).toBeGreaterThan(0.5 * b * b);
    const b2 = eta / (1 - eta) + 1e-12;
    near(fftRoundTripBound(2), 2 * b2 + b2 * b2);
  });
});

describe('tolerance: toleranceFor', () => {
  test('an explicit { rtol, atol } is atol + rtol·|expected|', () => {
    const t = toleranceFor({ rtol: 1e-3, atol: 0.5 });
    expect(t.bound(0, 10)).toBe(0.5 + 0.01);
    expect(t.bound(7, -10)).toBe(0.5 + 0.01);
    expect(t.bound(0, 0)).toBe(0.5);
    expect(t.formula).toBe('atol 0.5 + rtol 0.001·|expected|');
    expect(toleranceFor({ rtol: 0, atol: 0 }).bound(0, 1e30)).toBe(0);
  });

  test('elementwise ops: add, sub, mul, scale γ₁; axpy γ₂; map γ_r; each + γ⁶⁴₁, times |expected|', () => {
    for (const op of ['add', 'sub', 'mul', 'scale'] as const) {
      const t = toleranceFor({ dtype: 'f32', op });
      expect(t.bound(0, 8), op).toBe((1 / (P24 - 1) + 1 / (P53 - 1)) * 8);
      expect(t.bound(3, -8), op).toBe((1 / (P24 - 1) + 1 / (P53 - 1)) * 8);
      expect(t.bound(0, 0), op).toBe(0);
      expect(t.formula, op).toBe(`γ_1·|expected| = ${(1 / (P24 - 1) + 1 / (P53 - 1)).toExponential(3)}·|expected|`);
    }
    const axpy = toleranceFor({ dtype: 'f32', op: 'axpy' });
    expect(axpy.bound(0, 1)).toBe(2 / (P24 - 2) + 1 / (P53 - 1));
    expect(axpy.formula).toContain('γ_2·|expected| = 1.192e-7');
    const map = toleranceFor({ dtype: 'f32', op: 'map', roundings: 5 });
    expect(map.bound(0, -2)).toBe((5 / (P24 - 5) + 1 / (P53 - 1)) * 2);
    expect(map.formula).toContain('γ_5');
    // 0 roundings (a copy): only the reference's error
    expect(toleranceFor({ dtype: 'f32', op: 'map', roundings: 0 }).bound(0, 1)).toBe(1 / (P53 - 1));
  });

  test('map needs a whole, non-negative roundings count', () => {
    throwsArgumentError(() => toleranceFor({ dtype: 'f32', op: 'map' }), /op map needs roundings .* got undefined/);
    throwsArgumentError(() => toleranceFor({ dtype: 'f32', op: 'map', roundings: 1.5 }), /got 1\.5/);
    throwsArgumentError(() => toleranceFor({ dtype: 'f32', op: 'map', roundings: -1 }), /got -1/);
    throwsArgumentError(() => toleranceFor({ dtype: 'f32', op: 'map', roundings: NaN }), ArgumentError);
  });

  test('sum over n terms: γ_{n−1} + γ⁶⁴_n, at n = 0, 1, 2, 1000, 2²⁴ and 2²⁴ + 1', () => {
    const b = (n: number, e: number): number => toleranceFor({ dtype: 'f32', op: 'sum', n }).bound(0, e);
    expect(b(0, 5)).toBe(0);
    // one term: the sum is the term, only the reference rounds
    expect(b(1, 5)).toBe(5 / (P53 - 1));
    expect(b(2, 5)).toBe((1 / (P24 - 1) + 2 / (P53 - 2)) * 5);
    expect(b(1000, 499500)).toBe((999 / (P24 - 999) + 1000 / (P53 - 1000)) * 499500);
    expect(toleranceFor({ dtype: 'f32', op: 'sum', n: 1000 }).formula).toBe(`γ_999·|expected| = ${(999 / (P24 - 999) + 1000 / (P53 - 1000)).toExponential(3)}·|expected|`);
    expect(toleranceFor({ dtype: 'f32', op: 'sum', n: 0 }).formula).toContain('γ_0·');
    // n = 2²⁴: 2²⁴ − 1 roundings, γ = 16777215 (finite, useless, but a bound)
    expect(b(P24, 1)).toBe(16777215 + P24 / (P53 - P24));
    // n = 2²⁴ + 1: d·u = 1, refused
    throwsArgumentError(() => b(P24 + 1, 1), /sum in f32 over 16777216 roundings has no finite error bound/);
    throwsArgumentError(() => b(Number.MAX_SAFE_INTEGER, 1), /no finite error bound/);
  });

  test('dot, matmul, mean and scan over n: γ_n + γ⁶⁴_n', () => {
    for (const op of ['dot', 'matmul', 'mean', 'scan'] as const) {
      expect(toleranceFor({ dtype: 'f32', op, n: 0 }).bound(0, 3), op).toBe(0);
      expect(toleranceFor({ dtype: 'f32', op, n: 1 }).bound(0, 3), op).toBe((1 / (P24 - 1) + 1 / (P53 - 1)) * 3);
      expect(toleranceFor({ dtype: 'f32', op, n: 64 }).bound(0, -3), op).toBe((64 / (P24 - 64) + 64 / (P53 - 64)) * 3);
      expect(toleranceFor({ dtype: 'f32', op, n: 64 }).formula, op).toContain('γ_64·|expected|');
      expect(toleranceFor({ dtype: 'f32', op, n: P24 - 1 }).bound(0, 1), op).toBe(16777215 + (P24 - 1) / (P53 - P24 + 1));
      throwsArgumentError(() => toleranceFor({ dtype: 'f32', op, n: P24 }), /no finite error bound/);
    }
  });

  test('ops that count terms refuse a missing, fractional or negative n', () => {
    for (const op of ['sum', 'dot', 'matmul', 'mean', 'scan', 'norm', 'fft', 'ifft'] as const) {
      throwsArgumentError(() => toleranceFor({ dtype: 'f32', op }), new RegExp(`op ${op} needs n .* got undefined`));
      throwsArgumentError(() => toleranceFor({ dtype: 'f32', op, n: 2.5 }), /got 2\.5/);
      throwsArgumentError(() => toleranceFor({ dtype: 'f32', op, n: -1 }), /got -1/);
      throwsArgumentError(() => toleranceFor({ dtype: 'f32', op, n: Infinity }), ArgumentError);
    }
  });

  test('norm: (γ_n/2 + 8u + γ⁶⁴_n)·|expected|', () => {
    // n = 100: 50/(2²⁴ − 100) + 8/2²⁴ + 100/(2⁵³ − 100)
    const want = 100 / (P24 - 100) / 2 + 8 / P24 + 100 / (P53 - 100);
    const t = toleranceFor({ dtype: 'f32', op: 'norm', n: 100 });
    near(t.bound(0, 10), want * 10);
    near(t.bound(0, -10), want * 10);
    expect(t.formula).toBe(`(γ_100/2 + 8u)·|expected| = ${want.toExponential(3)}·|expected|`);
    // n = 0: the norm of nothing is an exact 0, but sqrt's 8 ulp stay in the bound
    expect(toleranceFor({ dtype: 'f32', op: 'norm', n: 0 }).bound(0, 2)).toBe(16 / P24);
    // f16: 8u = 8/2048
    near(toleranceFor({ dtype: 'f16', op: 'norm', n: 10 }).bound(0, 1), 10 / (2048 - 10) / 2 + 8 / 2048 + 10 / (P53 - 10));
    throwsArgumentError(() => toleranceFor({ dtype: 'f32', op: 'norm', n: P24 }), /norm in f32 over 16777216 roundings has no finite error bound/);
  });

  test('fft and ifft: one bound for every element, fftBound(n)·‖expected‖₂ (+ γ₁ for ifft)', () => {
    const eta = 1 / P24 + (4 / (P24 - 4)) * (Math.SQRT2 + 1 / P24);
    const b8 = (3 * eta) / (1 - 3 * eta) + 1e-12;
    // ‖[3, 4, 0, −12]‖₂ = 13
    const expected = [3, 4, 0, -12];
    const f = toleranceFor({ dtype: 'f32', op: 'fft', n: 8 }, expected);
    near(f.bound(0, 3), b8 * 13);
    near(f.bound(3, 1e9), b8 * 13);
    expect(f.formula).toBe(`fftBound(8)·‖expected‖₂ = ${(b8 * 13).toExponential(3)}`);
    const inv = toleranceFor({ dtype: 'f32', op: 'ifft', n: 8 }, expected);
    near(inv.bound(0, 0), (b8 + 1 / (P24 - 1)) * 13);
    // f16's γ₁ for the ifft's scaling
    near(toleranceFor({ dtype: 'f16', op: 'ifft', n: 8 }, expected).bound(0, 0), (b8 + 1 / 2047) * 13);
    // no expected values (or an empty transform): a zero bound
    expect(toleranceFor({ dtype: 'f32', op: 'fft', n: 8 }).bound(0, 5)).toBe(0);
    expect(toleranceFor({ dtype: 'f32', op: 'fft', n: 1 }, [2]).bound(0, 2)).toBe(0);
    // only expected's first `length` elements count
    near(toleranceFor({ dtype: 'f32', op: 'fft', n: 2 }, { length: 1, 0: 3, 1: 4 }).bound(0, 0), (eta / (1 - eta) + 1e-12) * 3);
    // holes in expected count as 0
    near(toleranceFor({ dtype: 'f32', op: 'fft', n: 2 }, { length: 2, 1: -2 }).bound(0, 0), (eta / (1 - eta) + 1e-12) * 2);
  });

  test('f16 rounds with u = 2⁻¹¹ and refuses 2048 roundings', () => {
    expect(toleranceFor({ dtype: 'f16', op: 'add' }).bound(0, 4)).toBe((1 / 2047 + 1 / (P53 - 1)) * 4);
    expect(toleranceFor({ dtype: 'f16', op: 'sum', n: 2048 }).bound(0, 1)).toBe(2047 + 2048 / (P53 - 2048));
    throwsArgumentError(() => toleranceFor({ dtype: 'f16', op: 'sum', n: 2049 }), /sum in f16 over 2048 roundings/);
    throwsArgumentError(() => toleranceFor({ dtype: 'f16', op: 'map', roundings: 2048 }), /no finite error bound/);
  });

  test('magnitude replaces |expected|: one number, or one per element (a missing one is NaN, never a pass)', () => {
    const g3 = 2 / (P24 - 2) + 3 / (P53 - 3);
    const one = toleranceFor({ dtype: 'f32', op: 'sum', n: 3, magnitude: 2e6 });
    expect(one.bound(0, 0)).toBe(g3 * 2e6);
    expect(one.bound(5, -1)).toBe(g3 * 2e6);
    expect(one.formula).toBe(`γ_2·magnitude = ${g3.toExponential(3)}·magnitude`);
    const each = toleranceFor({ dtype: 'f32', op: 'sum', n: 3, magnitude: [10, -20] });
    expect(each.bound(0, 0)).toBe(g3 * 10);
    expect(each.bound(1, 0)).toBe(g3 * 20);
    expect(each.bound(2, 0)).toBeNaN();
  });

  test('integer results and exact ops compare exactly, for any op and n', () => {
    for (const dtype of ['i32', 'u32'] as const) {
      const t = toleranceFor({ dtype, op: 'sum', n: 1e9 });
      expect(t.bound(0, 1e9)).toBe(0);
      expect(t.formula).toBe('exact');
    }
    for (const op of ['min', 'max', 'argmin', 'argmax', 'sort', 'sortPairs', 'histogram', 'transpose', 'random', 'exact'] as const) {
      for (const dtype of ['f32', 'f16'] as const) {
        const t = toleranceFor({ dtype, op });
        expect(t.bound(0, 123.5), `${op} ${dtype}`).toBe(0);
        expect(t.formula).toBe('exact');
      }
    }
  });

  test('an unknown dtype or op is an ArgumentError naming it', () => {
    throwsArgumentError(() => toleranceFor({ dtype: 'f64' as 'f32', op: 'add' }), ArgumentError);
    throwsArgumentError(() => toleranceFor({ dtype: 'f64' as 'f32', op: 'add' }), 'expectAllClose: dtype must be f32, f16, i32 or u32, got f64');
    throwsArgumentError(() => toleranceFor({ dtype: 'i32', op: 'nope' as 'add' }), /^expectAllClose: unknown op nope \(one of min, max, argmin, argmax, sort, sortPairs, histogram, transpose, random, exact, add, sub, mul, scale, axpy, map, sum, dot, mean, norm, scan, matmul, fft, ifft\)$/);
    throwsArgumentError(() => toleranceFor({ dtype: 'f32', op: 'toString' as 'add' }), /unknown op toString/);
  });
});
