import { describe, expect, test } from 'vitest';
import { random } from '../../src/index.js';
import { ArgumentError } from '../../src/errors.js';
import { expectAllClose, expectArrayEqual, gpuTest } from '../fixture.js';

/**
 * Philox4x32-10 written here from the published algorithm in BigInt arithmetic (Salmon et al., SC 2011;
 * Random123's philox.h): 10 rounds of two 32×32→64 multiplies, the key bumped by the Weyl constants before
 * every round but the first. No code shared with src/ops/random.ts.
 */
function philox(ctr: readonly number[], key: readonly number[]): number[] {
  const MASK = 0xffffffffn;
  let [c0, c1, c2, c3] = ctr.map((v) => BigInt(v >>> 0)) as [bigint, bigint, bigint, bigint];
  let [k0, k1] = key.map((v) => BigInt(v >>> 0)) as [bigint, bigint];
  for (let r = 0; r < 10; r++) {
    if (r > 0) {
      k0 = (k0 + 0x9e3779b9n) & MASK;
      k1 = (k1 + 0xbb67ae85n) & MASK;
    }
    const p0 = 0xd2511f53n * c0;
    const p1 = 0xcd9e8d57n * c2;
    [c0, c1, c2, c3] = [((p1 >> 32n) ^ c1 ^ k0) & MASK, p1 & MASK, ((p0 >> 32n) ^ c3 ^ k1) & MASK, p0 & MASK];
  }
  return [c0, c1, c2, c3].map(Number);
}

/**
 * The stream as README and src/ops/random.ts document it: key = the seed (an integer in [0, 2^64)) as
 * [low, high]; element i has position g = offset + i and is word g % 4 of the block with counter
 * [q mod 2^32, floor(q / 2^32), 0, 0], q = floor(g / 4).
 */
function streamWords(n: number, seed: number | bigint, offset = 0): Uint32Array {
  const s = BigInt.asUintN(64, BigInt(seed));
  const key = [Number(s & 0xffffffffn), Number(s >> 32n)];
  const out = new Uint32Array(n);
  let block: number[] = [];
  let q = -1;
  for (let i = 0; i < n; i++) {
    const g = offset + i;
    if (Math.floor(g / 4) !== q) {
      q = Math.floor(g / 4);
      block = philox([q % 2 ** 32, Math.floor(q / 2 ** 32), 0, 0], key);
    }
    out[i] = block[g % 4] ?? NaN;
  }
  return out;
}

const hex = (w: readonly number[] | Uint32Array) => Array.from(w, (v) => v.toString(16).padStart(8, '0'));

/** Box–Muller in float64 on word pairs (0,1) and (2,3) of each block, as documented. */
function normalRef(n: number, seed: number | bigint, offset = 0): Float64Array {
  const first = offset - (offset % 4);
  const w = streamWords(n + (offset % 4) + 4, seed, first);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const j = offset + i - first;
    const a = w[j - (j % 2)] ?? NaN;
    const b = w[j - (j % 2) + 1] ?? NaN;
    const r = Math.sqrt(-2 * Math.log(((a >>> 8) + 1) * 2 ** -24));
    const t = 2 * Math.PI * (b >>> 8) * 2 ** -24;
    out[i] = j % 2 === 0 ? r * Math.cos(t) : r * Math.sin(t);
  }
  return out;
}

describe('Philox4x32-10', () => {
  test('the test oracle reproduces the Random123 known-answer vectors (tests/kat_vectors)', () => {
    expect(hex(philox([0, 0, 0, 0], [0, 0]))).toEqual(['6627e8d5', 'e169c58d', 'bc57ac4c', '9b00dbd8']);
    const ones = 0xffffffff;
    expect(hex(philox([ones, ones, ones, ones], [ones, ones]))).toEqual(['408f276d', '41c83b0e', 'a20bc7c6', '6d5451fd']);
    expect(hex(philox([0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0]))).toEqual(['d16cfe09', '94fdcceb', '5001e420', '24126ea1']);
  });

  gpuTest('the device stream of seed 0 starts with the known answer for counter 0, key 0', async ({ device }) => {
    using r = random.u32(device, 8, { seed: 0 });
    const got = await r.toArray();
    expect(hex(got.subarray(0, 4))).toEqual(['6627e8d5', 'e169c58d', 'bc57ac4c', '9b00dbd8']);
    // Element 4 is word 0 of counter [1, 0, 0, 0].
    expect(hex(got.subarray(4))).toEqual(hex(philox([1, 0, 0, 0], [0, 0])));
  });

  for (const n of [0, 1, 3, 4, 5, 63, 64, 65, 1001, 262_147]) {
    gpuTest(`u32 and uniform streams are bit-identical to the independent Philox at n = ${n}`, async ({ device }) => {
      using r = random.u32(device, n, { seed: 1234 });
      using u = random.uniform(device, n, { seed: 1234, offset: 7 });
      expectArrayEqual(await r.toArray(), streamWords(n, 1234));
      // uniform = (word >>> 8) · 2⁻²⁴, exactly.
      expectArrayEqual(await u.toArray(), Array.from(streamWords(n, 1234, 7), (w) => (w >>> 8) * 2 ** -24));
    });
  }

  gpuTest('seeds span all 64 bits of the key; offsets past 2^34 reach the counter\'s high word; negative seeds are refused', async ({ device }) => {
    for (const [seed, offset] of [[2n ** 64n - 1n, 0], [2n ** 32n + 5n, 3], [2n ** 64n - 2n ** 40n, 2 ** 34 + 3], [987_654_321, 2 ** 40 + 1]] as const) {
      using r = random.u32(device, 37, { seed, offset });
      expectArrayEqual(await r.toArray(), streamWords(37, seed, offset));
    }
    // Seeds outside [0, 2^64) would collide with others (2n ** 70n and -(2n ** 70n) gave one stream).
    for (const seed of [-1, -(2n ** 40n), 2n ** 64n, 2n ** 70n]) expect(() => random.u32(device, 4, { seed })).toThrow(ArgumentError);
  });

  gpuTest('normal is Box–Muller on the documented words (within 1e-6) and has mean 0, variance 1', async ({ device }) => {
    const n = 1 << 18;
    using z = random.normal(device, n, { seed: 99n });
    const got = await z.toArray();
    expectAllClose(got, normalRef(n, 99n), 0, 1e-6);
    using zo = random.normal(device, 1001, { seed: 5, offset: 3 });
    expectAllClose(await zo.toArray(), normalRef(1001, 5, 3), 0, 1e-6);
    let s = 0;
    let s2 = 0;
    for (const v of got) {
      s += v;
      s2 += v * v;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.01);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.01);
  });

  gpuTest('a stream drawn in pieces with offsets equals the stream drawn at once', async ({ device }) => {
    using all = random.uniform(device, 1000, { seed: 5 });
    using a = random.uniform(device, 333, { seed: 5 });
    using b = random.uniform(device, 667, { seed: 5, offset: 333 });
    const whole = await all.toArray();
    const joined = new Float32Array(1000);
    joined.set(await a.toArray());
    joined.set(await b.toArray(), 333);
    expectArrayEqual(joined, whole);
    const distinct = new Set(whole).size;
    expect(distinct).toBeGreaterThan(990);
  });

  gpuTest('bad offsets are refused', ({ device }) => {
    expect(() => random.uniform(device, 4, { offset: -1 })).toThrow(/offset must be a non-negative safe integer/);
  });
});
