import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import { sort, sortPairs, DTypeError, ShapeError, type DeviceArray, type GpuDevice } from '../../src/index.js';
import { sortCpu, sortPairsCpu } from '../../src/testing/index.js';
import { pinParams, type TuneParams } from '../../src/backends/dawn/tuning.js';
import { radixKernelSource, sortPairsTunable, sortTunable } from '../../src/backends/dawn/ops/sort.js';
import { expectArrayEqual, dawnTest, gpuTest, sharedDevice } from '../fixture.js';
import { coverSets, coverValues, forEachSet, num, profiles, withPinned } from './cover.js';
import { EDGE_SIZES, randomF32, randomI32, randomU32 } from './helpers.js';

type Keys = Float32Array | Int32Array | Uint32Array;

function upload(device: GpuDevice, keys: Keys): DeviceArray {
  return keys instanceof Float32Array ? device.array(keys) : keys instanceof Int32Array ? device.array(keys, 'i32') : device.array(keys, 'u32');
}

/** The expected bit patterns of a sorted key array: sortCpu's (keys move bit for bit: NaN payloads and zero signs kept). */
function expectedBits(sorted: Keys): Uint32Array {
  return new Uint32Array(sorted.buffer, sorted.byteOffset, sorted.length).slice();
}

function bitsOf(a: Keys | Uint8Array): Uint32Array {
  return new Uint32Array(a.buffer, a.byteOffset, a.length);
}

/** Sorts on the device and compares bit for bit with sortCpu (so -0 vs +0 and NaN placement count). */
async function checkSort(device: GpuDevice, keys: Keys): Promise<void> {
  using k = upload(device, keys);
  using s = sort(k);
  expect(s.dtype).toBe(k.dtype);
  const got = await s.toArray();
  expectArrayEqual(bitsOf(got), expectedBits(sortCpu(keys)));
  expectArrayEqual(bitsOf(await k.toArray()), bitsOf(keys)); // input untouched
}

/** Sorts (keys, original indices) and compares both with sortPairsCpu; checks stability explicitly. */
async function checkPairs(device: GpuDevice, keys: Keys): Promise<void> {
  const idx = new Uint32Array(keys.length).map((_, i) => i);
  using k = upload(device, keys);
  using v = device.array(idx, 'u32');
  const r = sortPairs(k, v);
  using rk = r.keys;
  using rv = r.values;
  const want = sortPairsCpu(keys, idx);
  const gotK = bitsOf(await rk.toArray());
  const gotV = await rv.toArray();
  expectArrayEqual(gotK, expectedBits(want.keys));
  expectArrayEqual(gotV, want.values);
  // Stability, stated directly: within a run of equal keys the original indices increase.
  for (let i = 1; i < gotK.length; i++) {
    if (gotK[i] === gotK[i - 1] && (gotV[i] ?? 0) <= (gotV[i - 1] ?? 0)) expect.fail(`unstable at ${i}: indices ${gotV[i - 1]}, ${gotV[i]} for equal keys`);
  }
}

/** f32 keys with every special value: NaNs of both signs and several payloads, ±Inf, ±0, subnormals, duplicates. */
function specialF32(n: number, seed: number): Float32Array {
  const keys = randomF32(n, seed, -4, 4).map((v) => Math.round(v * 4) / 4); // many duplicates
  const bits = new Uint32Array(keys.buffer);
  const specials = [0x7fc00000, 0xffc00000, 0x7f800001, 0xffffffff, 0x7fc00001, 0x7f800000, 0xff800000, 0x80000000, 0x00000000, 0x00000001, 0x80000001, 0x7f7fffff, 0xff7fffff];
  for (let i = 0; i < n; i++) {
    // Deterministic sprinkling: about one key in five is special.
    if ((Math.imul(i + seed, 2654435761) >>> 0) % 5 === 0) bits[i] = specials[(i * 7) % specials.length] ?? 0;
  }
  return keys;
}

// The parameters of the pinned 2-D dispatch test: WG 1 and BLOCK 4 give one workgroup per 4 keys.
const TWO_D: TuneParams = { WG: 1, BLOCK: 4, RADIX_BITS: 4 };

// One invocation per block: one workgroup's span of blocks and a part of the next, the last block partly filled.
const coverSize = (p: TuneParams): number => num(p, 'WG') * num(p, 'BLOCK') + num(p, 'BLOCK') / 2 + 3;

/**
 * The covered parameter sets of sortPairs and sort. Compiling dominates: lavapipe's compile time grows
 * about fourfold per digit bit at 10 and 11 bits (a private array of 2^RADIX_BITS counters: 5–20 s per kernel
 * under load). So the cover takes the cheapest radix where it can, and sort reuses sortPairs' 10- and 11-bit
 * sets, whose sort-histogram kernels the two share.
 */
function sortCovers(device: GpuDevice): { sort: TuneParams[]; pairs: TuneParams[] } {
  const cost = (p: TuneParams): number => 10 * 4 ** num(p, 'RADIX_BITS') + coverSize(p) * Math.ceil(32 / num(p, 'RADIX_BITS'));
  const pairs = coverSets(device, sortPairsTunable, cost);
  const { gpu, software, candidates } = profiles(device, sortTunable);
  return { pairs, sort: coverValues([gpu, software, ...pairs.filter((p) => num(p, 'RADIX_BITS') >= 10)], candidates, cost) };
}

/** The cover tests' keys: u32, i32 and f32 (with duplicates, NaN, -0, -Inf) in turn. */
function coverKeys(n: number, i: number): Keys {
  if (i % 3 === 0) return randomU32(n, 120 + i);
  if (i % 3 === 1) return randomI32(n, 130 + i, 2 ** 31 - 1);
  const f = randomF32(n, 140 + i, -100, 100).map((v) => Math.round(v));
  f[Math.min(7, n - 1)] = NaN;
  if (n > 2) f[n - 2] = -0;
  if (n > 3) f[n - 1] = -Infinity;
  return f;
}

/**
 * Shader compiles, hoisted out of the timed tests: on lavapipe a kernel with a 1024- or 2048-entry private
 * digit array (RADIX_BITS 10, 11) takes 5–20 s to compile under load, and every parameter set compiles its own.
 * Small sorts with each parameter set and key dtype the tests use compile them once, here, under a hook
 * timeout of its own; the tests then reuse the device's pipelines.
 */
beforeAll(async () => {
  const device = await sharedDevice();
  if (device === null || device.info.engine !== 'dawn') return;
  const warm = async (pairs: boolean, keys: Keys): Promise<void> => {
    using k = upload(device, keys);
    if (pairs) {
      using v = device.array(new Uint32Array(keys.length), 'u32');
      const r = sortPairs(k, v);
      r.keys.destroy();
      r.values.destroy();
    } else sort(k).destroy();
    await device.sync();
  };
  for (const pairs of [false, true]) {
    for (const keys of [randomU32(9, 1), randomI32(9, 2), randomF32(9, 3)]) await warm(pairs, keys);
  }
  const covers = sortCovers(device);
  for (const [op, sets] of [[sortTunable.op, covers.sort], [sortPairsTunable.op, covers.pairs]] as const) {
    for (const [i, p] of sets.entries()) {
      await withPinned(device, op, p, () => warm(op === sortPairsTunable.op, coverKeys(2 * num(p, 'BLOCK') + 3, op === sortPairsTunable.op ? i + 1 : i)));
    }
  }
  await withPinned(device, sortTunable.op, TWO_D, () => warm(false, randomF32(9, 4)));
  await withPinned(device, sortPairsTunable.op, TWO_D, () => warm(true, randomI32(9, 5)));
}, 600_000);

describe('sort', () => {
  for (const n of EDGE_SIZES) {
    gpuTest(`u32, i32 and f32 (with NaN, ±Inf, ±0, duplicates) at n = ${n}`, async ({ device }) => {
      await checkSort(device, randomU32(n, 1 + n));
      await checkSort(device, randomI32(n, 2 + n, 2 ** 31 - 1));
      await checkSort(device, randomI32(n, 3 + n, 5)); // heavy duplicates
      await checkSort(device, specialF32(n, 4 + n));
    });
  }

  gpuTest('a large size (2^20 + 3), every dtype', async ({ device }) => {
    const n = 2 ** 20 + 3;
    await checkSort(device, randomU32(n, 11));
    await checkSort(device, randomI32(n, 12, 2 ** 31 - 1));
    await checkSort(device, specialF32(n, 13));
  });

  gpuTest('f32 order (NumPy\'s): -Inf < -1 < ±0 (equal: input order) < +Inf < NaN, every NaN last with its bits', async ({ device }) => {
    const keys = new Float32Array(new Uint32Array([0x7fc00000, 0x3f800000, 0xffc00000, 0x80000000, 0x7f800000, 0x00000000, 0xff800000, 0xbf800000, 0x7f800001]).buffer);
    using k = device.array(keys);
    using s = sort(k);
    expectArrayEqual(bitsOf(await s.toArray()), [0xff800000, 0xbf800000, 0x80000000, 0x00000000, 0x3f800000, 0x7f800000, 0x7fc00000, 0xffc00000, 0x7f800001]);
    const swapped = new Float32Array(new Uint32Array([0x00000000, 0x80000000, 0x00000000]).buffer);
    using z = device.array(swapped);
    using sz = sort(z);
    expectArrayEqual(bitsOf(await sz.toArray()), [0x00000000, 0x80000000, 0x00000000]);
  });

  // RADIX_BITS 4: 16 counters per 4-key block keep the digit table (16·nb) and its scans small.
  dawnTest('a size that needs a 2-D dispatch (pinned to WG = 1, BLOCK = 4: > 65,535 workgroups)', async ({ device }) => {
    pinParams(device.ctx, sortTunable.op, TWO_D);
    pinParams(device.ctx, sortPairsTunable.op, TWO_D);
    try {
      const n = 65_535 * 4 + 4 * 1000 + 3;
      await checkSort(device, specialF32(n, 21));
      await checkPairs(device, randomI32(n, 22, 1000));
    } finally {
      pinParams(device.ctx, sortTunable.op, undefined);
      pinParams(device.ctx, sortPairsTunable.op, undefined);
    }
  });

  gpuTest('errors: unsupported dtype names it', ({ device }) => {
    if (!device.info.features.includes('shader-f16')) {
      expect(() => device.zeros(4, 'f16')).toThrow(DTypeError);
      return;
    }
    using h = device.zeros(4, 'f16');
    expect(() => sort(h)).toThrow(DTypeError);
    expect(() => sort(h)).toThrow(/sort: x has dtype f16; expected u32 or i32 or f32/);
  });
});

describe('sortPairs', () => {
  for (const n of EDGE_SIZES) {
    gpuTest(`stable for u32, i32 and f32 keys at n = ${n}`, async ({ device }) => {
      await checkPairs(device, randomU32(n, 31 + n).map((v) => v % 16)); // many equal keys
      await checkPairs(device, randomI32(n, 32 + n, 3));
      await checkPairs(device, specialF32(n, 33 + n));
    });
  }

  gpuTest('a large size (2^20 + 3) with many equal keys stays stable', async ({ device }) => {
    const n = 2 ** 20 + 3;
    await checkPairs(device, randomU32(n, 41).map((v) => v % 1000));
    await checkPairs(device, specialF32(n, 42));
  });

  gpuTest('the inputs are not modified', async ({ device }) => {
    const keys = randomI32(5000, 51, 100);
    const vals = randomU32(5000, 52);
    using k = device.array(keys, 'i32');
    using v = device.array(vals, 'u32');
    const r = sortPairs(k, v);
    r.keys.destroy();
    r.values.destroy();
    expectArrayEqual(await k.toArray(), keys);
    expectArrayEqual(await v.toArray(), vals);
  });

  gpuTest('errors: values must be u32 and lengths must match, naming both', ({ device }) => {
    using k = device.zeros(5, 'u32');
    using v = device.zeros(4, 'u32');
    using vi = device.zeros(5, 'i32');
    expect(() => sortPairs(k, v)).toThrow(ShapeError);
    expect(() => sortPairs(k, v)).toThrow(/sortPairs: keys of shape \[5\] and values of shape \[4\] must have one shape/);
    expect(() => sortPairs(k, vi as never)).toThrow(DTypeError);
    expect(() => sortPairs(k, vi as never)).toThrow(/sortPairs: values has dtype i32; expected u32/);
  });
});

/** The sorted bit patterns of keys by a stable JS sort in NumPy's order (numeric, -0 equal to +0, NaN last). */
function typedSortBits(keys: Keys): Uint32Array {
  const bits = new Uint32Array(keys.buffer, keys.byteOffset, keys.length);
  const at = Array.from({ length: keys.length }, (_, j) => j);
  const rank = (v: number): number => (Number.isNaN(v) ? Infinity : v);
  at.sort((a, b) => {
    const x = keys[a] ?? 0;
    const y = keys[b] ?? 0;
    if (Number.isNaN(x) || Number.isNaN(y)) return Number(Number.isNaN(x)) - Number(Number.isNaN(y)) || a - b;
    return rank(x) - rank(y) || a - b;
  });
  return Uint32Array.from(at, (j) => bits[j] ?? 0);
}

describe('every tuning parameter value (both profiles\' defaults and every candidate value, not the cross product)', () => {
  dawnTest('sort: sorted, at a size crossing a workgroup of blocks', async ({ device }) => {
    await forEachSet(device, sortTunable, sortCovers(device).sort, async (p, i) => {
      const keys = coverKeys(coverSize(p), i);
      using k = upload(device, keys);
      using s = sort(k);
      expectArrayEqual(bitsOf(await s.toArray()), typedSortBits(keys));
    });
  });

  dawnTest('sortPairs: sorted, stable, and the values a permutation that moved with their keys', async ({ device }) => {
    await forEachSet(device, sortPairsTunable, sortCovers(device).pairs, async (p, i) => {
      const n = coverSize(p);
      const keys = coverKeys(n, i + 1);
      const want = typedSortBits(keys);
      const bits = bitsOf(keys);
      using k = upload(device, keys);
      using v = device.array(Uint32Array.from({ length: n }, (_, j) => j), 'u32');
      const r = sortPairs(k, v);
      using rk = r.keys;
      using rv = r.values;
      expectArrayEqual(bitsOf(await rk.toArray()), want);
      const gotV = await rv.toArray();
      const seen = new Uint8Array(n);
      for (let j = 0; j < n; j++) {
        const src = gotV[j] ?? n;
        if (src >= n || seen[src] === 1) expect.fail(`values are not a permutation: ${src} at ${j}`);
        seen[src] = 1;
        const kb = bits[src] ?? 0;
        if (kb !== want[j]) expect.fail(`value ${src} at ${j} did not move with its key`);
        if (j > 0 && want[j] === want[j - 1] && src < (gotV[j - 1] ?? 0)) expect.fail(`unstable at ${j}`);
      }
    });
  });
});

describe('sort kernels', () => {
  // A 2048-entry private array took lavapipe ~15 s per kernel to compile whatever RADIX_BITS was in use.
  test('the private digit arrays are sized for the RADIX_BITS in use, not the 2048 ceiling', () => {
    for (const file of ['sort-histogram', 'sort-scatter', 'sort-scatter-pairs']) {
      for (const bits of [4, 8, 11]) {
        const src = radixKernelSource(file, bits);
        expect(src.match(/^const MAX_RADIX: u32 = (\d+)u;$/gm), file).toEqual([`const MAX_RADIX: u32 = ${2 ** bits}u;`]);
        // The table is declared through the alias (wgpu's naga rejects a second spelled-out array type).
        expect(src, file).toMatch(/^alias radix_table = array<u32, MAX_RADIX>;$/m);
        expect(src, file).toMatch(/var h: radix_table;/);
      }
    }
  });
});

describe('sort and sortPairs, property-based', () => {
  gpuTest('random sizes, dtypes and key ranges match the CPU references', async ({ device }) => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 20_000 }),
        fc.integer({ min: 1, max: 2 ** 31 }),
        fc.constantFrom('u32', 'i32', 'f32', 'f32-special'),
        fc.constantFrom(2, 100, 2 ** 31 - 1),
        fc.boolean(),
        async (n, seed, kind, range, pairs) => {
          const keys: Keys =
            kind === 'u32' ? randomU32(n, seed).map((v) => v % (2 * range)) : kind === 'i32' ? randomI32(n, seed, range) : kind === 'f32' ? randomF32(n, seed, -range, range) : specialF32(n, seed);
          if (pairs) await checkPairs(device, keys);
          else await checkSort(device, keys);
        },
      ),
      { numRuns: 20 },
    );
  });
});
