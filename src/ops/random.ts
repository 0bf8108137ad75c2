/**
 * Counter-based random numbers: Philox4x32-10 (Salmon, Moraes, Dror, Shaw, "Parallel random numbers:
 * as easy as 1, 2, 3", SC 2011; the generator of Random123, cuRAND's `CURAND_RNG_PSEUDO_PHILOX4_32_10`
 * and JAX's `threefry`-alternative). CPU references; the GPU kernel is `kernels/random-philox.wgsl`.
 *
 * Stream conventions (shared bit for bit with the kernel):
 * - **Seed → key.** The seed is reduced to 64 bits two's complement (`BigInt.asUintN(64, seed)`; a
 *   `number` seed must be a safe integer and is converted with `BigInt(seed)` first), then
 *   `key = [low 32 bits, high 32 bits]`. So `seed = 1` and `seed = 1n` give the same stream, and
 *   `seed = -1` gives key `[0xffffffff, 0xffffffff]`.
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

import { DeviceArray } from '../buffers/device-array.js';
import type { EngineName } from '../device/info.js';
import { fallback } from './engine.js';
import type { DeviceContext } from '../device/context.js';
import { ArgumentError } from '../errors.js';
import { registerTunable, softwareProfile, tunedParams } from '../kernels/tuning.js';
import { builtin, groupsFor } from './util.js';

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
 * The 2×u32 Philox key of a seed: `BigInt.asUintN(64, BigInt(seed))` split into [low, high] words.
 * @example seedToKey(1) // [1, 0]; seedToKey(-1) // [0xffffffff, 0xffffffff]; seedToKey(2n ** 32n) // [0, 1]
 */
export function seedToKey(seed: number | bigint): [number, number] {
  if (typeof seed === 'number' && !Number.isSafeInteger(seed)) {
    throw new RangeError(`seed must be a safe integer or a bigint, got ${String(seed)}`);
  }
  const s = BigInt.asUintN(64, BigInt(seed));
  return [Number(s & 0xffffffffn), Number(s >> 32n)];
}

function checkCount(n: number, offset: number): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`n must be a non-negative integer, got ${String(n)}`);
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new RangeError(`offset must be a non-negative integer, got ${String(offset)}`);
  }
  if (offset + n > Number.MAX_SAFE_INTEGER) throw new RangeError('offset + n must stay below 2^53');
}

/** Calls `emit(i, words)` once per Philox block covering elements [0, n) at `offset`. */
function forEachBlock(
  n: number,
  seed: number | bigint,
  offset: number,
  emit: (firstIndex: number, words: [number, number, number, number]) => void,
): void {
  checkCount(n, offset);
  if (n === 0) return;
  const key = seedToKey(seed);
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
  const out = new Uint32Array(n);
  forEachBlock(n, seed, offset, (first, w) => {
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
  const out = new Float32Array(n);
  forEachBlock(n, seed, offset, (first, w) => {
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
  const out = new Float32Array(n);
  forEachBlock(n, seed, offset, (first, w) => {
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

// --- device wrappers ------------------------------------------------------------------------------


/** What the generators take: a device (`GpuDevice`); its engine decides where the stream is drawn. */
export interface RandomDevice {
  /** @internal */
  readonly ctx: DeviceContext;
  readonly info: { readonly engine: EngineName };
}

/** Options of the random generators. */
export interface RandomOptions {
  /** Seed (a safe integer or a bigint; reduced to 64 bits). @default 0 */
  readonly seed?: number | bigint;
  /** Position in the stream of the first element, so a stream can be drawn in pieces. @default 0 */
  readonly offset?: number;
}

export const randomTunable = registerTunable({
  op: 'random',
  sizes: [2 ** 16, 2 ** 20, 2 ** 24],
  candidates: (ctx) => [32, 64, 128, 256].flatMap((WG) => [1, 4, 16, 64].map((ITEMS) => ({ WG, ITEMS }))).filter((p) => p.WG <= ctx.limits.maxComputeInvocationsPerWorkgroup),
  defaults: (ctx) => (softwareProfile(ctx) ? { WG: 64, ITEMS: 16 } : { WG: 256, ITEMS: 1 }),
});

const DIST = { u32: 0, uniform: 1, normal: 2 } as const;

function generate(ctx: DeviceContext, n: number, dist: keyof typeof DIST, opts: RandomOptions): DeviceArray<'u32'> {
  const offset = opts.offset ?? 0;
  if (!Number.isSafeInteger(offset) || offset < 0) throw new ArgumentError(`random: offset must be a non-negative safe integer, got ${offset}`);
  const [seedLo, seedHi] = seedToKey(opts.seed ?? 0);
  const out = new DeviceArray(ctx, 'u32', n);
  if (n === 0) return out;
  const p = tunedParams(ctx, randomTunable, n);
  const WG = p['WG'] ?? 64;
  const ITEMS = p['ITEMS'] ?? 16;
  const blocks = Math.ceil((n + (offset % 4)) / 4);
  const k = builtin(ctx, 'random-philox', { constants: { WG, ITEMS } });
  k.run(
    { out, params: { n, seed_lo: seedLo, seed_hi: seedHi, offset_lo: offset % 2 ** 32, offset_hi: Math.floor(offset / 2 ** 32), dist: DIST[dist], _pad0: 0, _pad1: 0 } },
    { invocations: groupsFor(blocks, WG * ITEMS) * WG },
  );
  return out;
}

/**
 * Counter-based random numbers (Philox4x32-10): the same seed and offset give bit-identical streams on
 * every adapter and on the CPU reference ({@link uniformCpu}, {@link randomU32Cpu}; {@link normalCpu} within 1e-6).
 *
 * @example
 * ```ts
 * const u = random.uniform(device, 1 << 20, { seed: 42 });
 * const z = random.normal(device, 1 << 20, { seed: 42, offset: 1 << 20 });
 * ```
 */
export const random = {
  /** Uniform f32 in [0, 1), 24 random bits each. */
  uniform(device: RandomDevice, n: number, opts: RandomOptions = {}): DeviceArray<'f32'> {
    if (device.info.engine !== 'dawn') return fallback('random.uniform').random(device, 'uniform', n, opts) as DeviceArray<'f32'>;
    return generate(device.ctx, n, 'uniform', opts).reinterpret('f32');
  },
  /** Standard normal f32 (Box–Muller), tails truncated at ±5.77. */
  normal(device: RandomDevice, n: number, opts: RandomOptions = {}): DeviceArray<'f32'> {
    if (device.info.engine !== 'dawn') return fallback('random.normal').random(device, 'normal', n, opts) as DeviceArray<'f32'>;
    return generate(device.ctx, n, 'normal', opts).reinterpret('f32');
  },
  /** Raw u32 words of the Philox stream. */
  u32(device: RandomDevice, n: number, opts: RandomOptions = {}): DeviceArray<'u32'> {
    if (device.info.engine !== 'dawn') return fallback('random.u32').random(device, 'u32', n, opts) as DeviceArray<'u32'>;
    return generate(device.ctx, n, 'u32', opts);
  },
};
