/**
 * Counter-based random numbers: Philox4x32-10 (Salmon, Moraes, Dror, Shaw, "Parallel random numbers:
 * as easy as 1, 2, 3", SC 2011; the generator of Random123, cuRAND's `CURAND_RNG_PSEUDO_PHILOX4_32_10`
 * and JAX's `threefry`-alternative). CPU references; the GPU kernel is `kernels/random-philox.wgsl`.
 *
 * Stream conventions (shared bit for bit with the kernel):
 * - **Seed → key.** The seed is an integer in [0, 2^64): a non-negative safe integer `number` or a
 *   `bigint`; `key = [low 32 bits, high 32 bits]`. So `seed = 1` and `seed = 1n` give the same stream.
 *   Seeds outside that range (negative, ≥ 2^64, non-integer, NaN) are refused with an ArgumentError:
 *   reducing them modulo 2^64 would give distinct seeds one stream (`2n**70n` and `-(2n**70n)` both
 *   become 0). For the old two's-complement reading of a negative seed pass `BigInt.asUintN(64, BigInt(s))`.
 * - **Element → counter.** Element `i` of a request with `offset` has global position `g = offset + i`
 *   (an integer below 2^53). It takes output word `g % 4` of one Philox call whose 128-bit counter is
 *   `[q mod 2^32, floor(q / 2^32), 0, 0]` with `q = floor(g / 4)`. So the four words of one call feed
 *   four consecutive elements, and a stream does not depend on how it is cut: element `i` of
 *   `(n, seed, offset)` equals element `offset + i` of `(offset + n, seed, 0)`.
 * - **u32 → uniform f32:** `(x >>> 8) * 2^-24`, exactly representable, in `[0, 1 - 2^-24]`.
 * - **normal f32:** Box–Muller on the two word pairs of one call, words (0,1) → elements of lane 0 and
 *   lane 1, words (2,3) → lanes 2 and 3: `u1 = ((w_a >>> 8) + 1) * 2^-24` in `(0, 1]` (never 0, so no
 *   log 0), `u2 = (w_b >>> 8) * 2^-24`, `r = sqrt(-2 ln u1)`, `θ = 2π u2`, lane a → `r cos θ`,
 *   lane b → `r sin θ`. (The kernel evaluates ln and sin/cos itself from the 24-bit integers, since
 *   WGSL's built-in sin/cos may be off by 2^-11.) The tails are truncated
 *   at `sqrt(48 ln 2) ≈ 5.77`. The reference computes in float64 and rounds once; GPU results differ by
 *   a few ulps (see FINDINGS for the measured bound), while raw u32 and
 *   uniform streams are bit-identical.
 */

import { describeValue } from '../args.js';
import { ArgumentError, ShapeError } from '../errors.js';

const PHILOX_M0 = 0xd2511f53;
const PHILOX_M1 = 0xcd9e8d57;
const PHILOX_W0 = 0x9e3779b9;
const PHILOX_W1 = 0xbb67ae85;
const TWO_POW_32 = 4294967296;
const TWO_POW_M24 = 1 / 16777216;

/** High 32 bits of the 64-bit product of two u32, exact in float64 (each partial product < 2^48). */
function mulhi32(a: number, b: number): number {
  const bl = b & 0xffff;
  const bh = b >>> 16;
  const t = a * bl;
  const u = a * bh;
  return (Math.floor(u / 65536) + Math.floor(((u % 65536) * 65536 + t) / TWO_POW_32)) >>> 0;
}

/**
 * One Philox4x32-10 block: 4×u32 counter and 2×u32 key → 4×u32 random words.
 * Matches Random123's `philox4x32(ctr, key)` with 10 rounds (its known-answer tests pass).
 * @example philox4x32_10([0, 0, 0, 0], [0, 0]) // [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]
 */
export function philox4x32_10(
  counter: [number, number, number, number],
  key: [number, number],
): [number, number, number, number] {
  let [c0, c1, c2, c3] = counter;
  let [k0, k1] = key;
  c0 >>>= 0; c1 >>>= 0; c2 >>>= 0; c3 >>>= 0; k0 >>>= 0; k1 >>>= 0;
  for (let round = 0; round < 10; round++) {
    if (round > 0) {
      k0 = (k0 + PHILOX_W0) >>> 0;
      k1 = (k1 + PHILOX_W1) >>> 0;
    }
    const hi0 = mulhi32(PHILOX_M0, c0);
    const lo0 = Math.imul(PHILOX_M0, c0) >>> 0;
    const hi1 = mulhi32(PHILOX_M1, c2);
    const lo1 = Math.imul(PHILOX_M1, c2) >>> 0;
    c0 = (hi1 ^ c1 ^ k0) >>> 0;
    c1 = lo1;
    c2 = (hi0 ^ c3 ^ k1) >>> 0;
    c3 = lo0;
  }
  return [c0, c1, c2, c3];
}

/**
 * The 2×u32 Philox key of a seed in [0, 2^64), split into [low, high] words. Anything else (a negative
 * or too large seed, a non-integer, NaN, a string) is an ArgumentError, so distinct seeds never share a stream.
 * @example seedToKey(1) // [1, 0]; seedToKey(2n ** 64n - 1n) // [0xffffffff, 0xffffffff]; seedToKey(2n ** 32n) // [0, 1]
 */
export function seedToKey(seed: number | bigint, op = 'random'): [number, number] {
  const ok = typeof seed === 'number' ? Number.isSafeInteger(seed) && seed >= 0 : typeof seed === 'bigint' && seed >= 0n && seed < 2n ** 64n;
  if (!ok) {
    throw new ArgumentError(`${op}: seed must be an integer in [0, 2^64) (a non-negative safe integer or a bigint), got ${describeValue(seed)}`);
  }
  const s = BigInt(seed);
  return [Number(s & 0xffffffffn), Number(s >> 32n)];
}

function checkCount(op: string, n: number, offset: number): void {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) throw new ShapeError(`${op}: n must be a non-negative integer, got ${describeValue(n)}`);
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) {
    throw new ArgumentError(`${op}: offset must be a non-negative safe integer, got ${describeValue(offset)}`);
  }
  if (offset + n > Number.MAX_SAFE_INTEGER) throw new ArgumentError(`${op}: offset + n must stay below 2^53`);
}

/** Calls `emit(i, words)` once per Philox block covering elements [0, n) at `offset`. */
function forEachBlock(
  op: string,
  n: number,
  seed: number | bigint,
  offset: number,
  emit: (firstIndex: number, words: [number, number, number, number]) => void,
): void {
  checkCount(op, n, offset);
  const key = seedToKey(seed, op); // a bad seed is refused for n = 0 too
  if (n === 0) return;
  const qFirst = Math.floor(offset / 4);
  const qLast = Math.floor((offset + n - 1) / 4);
  for (let q = qFirst; q <= qLast; q++) {
    const words = philox4x32_10([q % TWO_POW_32, Math.floor(q / TWO_POW_32), 0, 0], key);
    emit(q * 4 - offset, words);
  }
}

/**
 * Raw Philox4x32-10 words: element i is word `(offset + i) % 4` of the block `floor((offset + i) / 4)`.
 * @example randomU32Cpu(4, 0) // the four words of philox4x32_10([0,0,0,0], [0,0])
 */
export function randomU32Cpu(n: number, seed: number | bigint, offset = 0): Uint32Array {
  checkCount('randomU32Cpu', n, offset);
  seedToKey(seed, 'randomU32Cpu'); // before allocating, as n and offset are // before allocating: new Uint32Array(-1) is a raw RangeError
  const out = new Uint32Array(n);
  forEachBlock('randomU32Cpu', n, seed, offset, (first, w) => {
    for (let lane = 0; lane < 4; lane++) {
      const i = first + lane;
      if (i >= 0 && i < n) out[i] = w[lane] ?? 0;
    }
  });
  return out;
}

/**
 * Uniform f32 in [0, 1): `(word >>> 8) * 2^-24`, bit-identical to the GPU kernel.
 * @example uniformCpu(1000, 42).every((u) => u >= 0 && u < 1) // true
 */
export function uniformCpu(n: number, seed: number | bigint, offset = 0): Float32Array {
  checkCount('uniformCpu', n, offset);
  seedToKey(seed, 'uniformCpu'); // before allocating, as n and offset are
  const out = new Float32Array(n);
  forEachBlock('uniformCpu', n, seed, offset, (first, w) => {
    for (let lane = 0; lane < 4; lane++) {
      const i = first + lane;
      if (i >= 0 && i < n) out[i] = ((w[lane] ?? 0) >>> 8) * TWO_POW_M24;
    }
  });
  return out;
}

/**
 * Standard normal f32 by Box–Muller on word pairs (0,1) and (2,3) of each Philox block (see the
 * module comment for the exact formula). Computed in float64, rounded once to f32.
 * @example normalCpu(1 << 16, 7) // mean ≈ 0, variance ≈ 1
 */
export function normalCpu(n: number, seed: number | bigint, offset = 0): Float32Array {
  checkCount('normalCpu', n, offset);
  seedToKey(seed, 'normalCpu'); // before allocating, as n and offset are
  const out = new Float32Array(n);
  forEachBlock('normalCpu', n, seed, offset, (first, w) => {
    for (let pair = 0; pair < 2; pair++) {
      const a = w[2 * pair] ?? 0;
      const b = w[2 * pair + 1] ?? 0;
      const u1 = ((a >>> 8) + 1) * TWO_POW_M24;
      const u2 = (b >>> 8) * TWO_POW_M24;
      const r = Math.sqrt(-2 * Math.log(u1));
      const theta = 2 * Math.PI * u2;
      const i = first + 2 * pair;
      if (i >= 0 && i < n) out[i] = r * Math.cos(theta);
      if (i + 1 >= 0 && i + 1 < n) out[i + 1] = r * Math.sin(theta);
    }
  });
  return out;
}
