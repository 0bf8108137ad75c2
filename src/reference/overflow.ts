/**
 * Integer overflow of sum, prod and cumsum (WebGPU has no 64-bit integers, so gpukit's default integer dtype
 * is i32 and integer results keep their 32-bit dtype): the rules both engines share. A result is never
 * wrapped: where its exact value lies outside the dtype's range the op fails with an OverflowError naming it.
 * The host engine computes exact values in JavaScript; the Dawn engine recovers them from 32-bit words read
 * back after the op (src/backends/dawn/ops/overflow.ts): a sum from its wrapped value and its residues
 * modulo three primes (the Chinese remainder theorem), a product from its wrapped value, its sign and a
 * saturated f32 magnitude.
 */
import { OverflowError } from '../errors.js';

/** The range of an integer dtype. */
export const INT_RANGE = { i32: [-(2 ** 31), 2 ** 31 - 1], u32: [0, 2 ** 32 - 1] } as const;

/** Primes below 2^16 whose product with 2^32 exceeds 2^80 > the range of any sum of fewer than 2^32 i32/u32 terms. */
export const SUM_PRIMES = [65521, 65519, 65497] as const;

/** The OverflowError of `op` over dtype whose exact value is `value` (a row's, when `row` is given), or null when it fits. */
export function overflowOf(op: string, dtype: 'i32' | 'u32', value: bigint | number, row?: number): OverflowError | null {
  const [lo, hi] = INT_RANGE[dtype];
  const v = typeof value === 'bigint' ? value : BigInt(value);
  if (v >= BigInt(lo) && v <= BigInt(hi)) return null;
  const where = row === undefined ? '' : ` (result ${row})`;
  return new OverflowError(op, `${op}: the ${dtype} result${where} is ${v}, outside ${dtype}'s range [${lo}, ${hi}] (WebGPU has no 64-bit integers; gpukit never wraps): pass { dtype: 'f32' } to accumulate in f32, or reduce smaller parts`);
}

/** The message of a running sum (cumsum) that leaves its dtype's range. */
export function runningSumMessage(op: string, dtype: 'i32' | 'u32'): string {
  const [lo, hi] = INT_RANGE[dtype];
  return `${op}: a running sum of ${dtype} leaves ${dtype}'s range [${lo}, ${hi}] (WebGPU has no 64-bit integers; gpukit never wraps): pass { dtype: 'f32' } to accumulate in f32`;
}

/** The exact sum of integers (any count, any magnitude): float64 runs, exact below 2^53, folded into a bigint. */
export function exactIntSum(X: ArrayLike<number>, start = 0, end = X.length, stride = 1): bigint {
  let big = 0n;
  let s = 0;
  for (let i = start; i < end; i += stride) {
    s += X[i] ?? 0;
    if (s > 2 ** 52 || s < -(2 ** 52)) {
      big += BigInt(s);
      s = 0;
    }
  }
  return big + BigInt(s);
}

/** The exact product of integers, or ±Infinity-like sentinels: returns a bigint when |product| ≤ 2^53, else null (overflows any 32-bit dtype). */
export function exactIntProd(X: ArrayLike<number>, start = 0, end = X.length): bigint | null {
  let p = 1;
  for (let i = start; i < end; i++) if ((X[i] ?? 0) === 0) return 0n;
  for (let i = start; i < end; i++) {
    p *= X[i] ?? 0;
    if (Math.abs(p) > 2 ** 53) return null;
  }
  return BigInt(p);
}

function mod(a: bigint, m: bigint): bigint {
  const r = a % m;
  return r < 0n ? r + m : r;
}

function inverse(a: bigint, m: bigint): bigint {
  let [r0, r1] = [mod(a, m), m];
  let [s0, s1] = [1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return mod(s0, m);
}

/**
 * The exact sum from its value modulo 2^32 (`wrapped`: the u32 bits of the wrapped sum) and modulo each of
 * {@link SUM_PRIMES} (`residues`): the unique value congruent to all of them in (−M/2, M/2], M = 2^32·p1·p2·p3.
 */
export function sumFromResidues(wrapped: number, residues: readonly number[]): bigint {
  let m = 2n ** 32n;
  let x = BigInt(wrapped >>> 0);
  SUM_PRIMES.forEach((p, k) => {
    const P = BigInt(p);
    const r = BigInt(residues[k] ?? 0);
    // x + m·t ≡ r (mod P)
    const t = mod((r - x) * inverse(m, P), P);
    x += m * t;
    m *= P;
  });
  return x > m / 2n ? x - m : x;
}

/**
 * The exact product from its value modulo 2^32 (`wrapped`, u32 bits), its sign (`negative`) and `mag`, an f32
 * product of the factors' magnitudes saturated at 1e18 (each multiplication correctly rounded: within a factor
 * (1 ± 2^-24)^k of the exact magnitude, k ≤ log2 of it, so below 2^35 within 2^-19 of it): null when the
 * magnitude is certainly past 2^34 (any 32-bit dtype overflows), else the value ≡ wrapped (mod 2^32) nearest
 * ±mag — unique, since mag is within far less than 2^31 of it.
 */
export function prodFromParts(wrapped: number, negative: boolean, mag: number): bigint | null {
  if (mag === 0) return 0n;
  if (!(mag < 2 ** 34)) return null;
  const target = BigInt(Math.round(negative ? -mag : mag));
  const d = mod(BigInt(wrapped >>> 0) - target, 2n ** 32n);
  return target + (d >= 2n ** 31n ? d - 2n ** 32n : d);
}
