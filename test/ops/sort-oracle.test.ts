// sort and sortPairs checked by properties that need no reference (on gpujs the ops ARE the CPU
// references, so comparing with sortCpu there proves nothing): the output is ordered, it is a permutation
// of the input (multisets of bit patterns agree), and sortPairs is stable and carries each value with its key.
import { describe, expect } from 'vitest';
import { sort, sortPairs, type DeviceArray, type GpuDevice } from '../../src/index.js';
import { gpuTest } from '../fixture.js';
import { randomF32, randomI32, randomU32 } from './helpers.js';

type Keys = Float32Array | Int32Array | Uint32Array | Uint8Array;

/** The first calls compile the radix-sort kernels (tens of seconds on a loaded software adapter). */
const COMPILE_TIMEOUT = 180_000;

function upload(device: GpuDevice, keys: Keys): DeviceArray {
  return keys instanceof Float32Array ? device.array(keys) : keys instanceof Int32Array ? device.array(keys, 'i32') : device.array(keys, 'u32');
}

/** Bit patterns (sort moves keys bit for bit: NaN payloads and zero signs kept). */
function canonicalBits(a: Keys): Uint32Array {
  return new Uint32Array(a.buffer, a.byteOffset, a.length).slice();
}

/** The documented order (NumPy's), written here: numeric; for f32 -Inf < … < +Inf < NaN, -0 equal to +0. */
function before(a: number, b: number, float: boolean): boolean {
  if (!float) return a < b;
  if (Number.isNaN(a)) return false;
  if (Number.isNaN(b)) return true;
  return a < b;
}

/** out is ordered (no element after its successor) and holds exactly the input's bit patterns. */
function expectSortedPermutation(input: Keys, out: Keys): void {
  expect(out.length, 'length').toBe(input.length);
  const float = input instanceof Float32Array;
  for (let i = 1; i < out.length; i++) {
    if (before(out[i] ?? NaN, out[i - 1] ?? NaN, float)) expect.fail(`not sorted at ${i}: ${out[i - 1]} then ${out[i]}`);
  }
  const want = canonicalBits(input).sort();
  const got = new Uint32Array(out.buffer, out.byteOffset, out.length).slice().sort();
  for (let i = 0; i < want.length; i++) if (got[i] !== want[i]) expect.fail(`not a permutation of the input: sorted bit patterns differ at ${i} (${got[i]} vs ${want[i]})`);
}

/** Keys with duplicates, negatives, ±0, ±Inf and NaNs of several payloads and signs. */
function keysFor(dtype: 'u32' | 'i32' | 'f32', n: number, seed: number): Keys {
  if (dtype === 'u32') return randomU32(n, seed).map((v, i) => (i % 3 === 0 ? v % 17 : v));
  if (dtype === 'i32') return randomI32(n, seed, 2 ** 31 - 1).map((v, i) => (i % 3 === 0 ? v % 17 : v));
  const f = randomF32(n, seed, -100, 100).map((v, i) => (i % 3 === 0 ? Math.round(v / 10) : v));
  const bits = new Uint32Array(f.buffer);
  const specials = [0x80000000, 0, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00001, 0x7f800001];
  for (let i = 5; i < n; i += 7) bits[i] = specials[(i / 7) % specials.length | 0] ?? 0;
  return f;
}

const SIZES = [0, 1, 2, 5, 64, 65, 4097, 65_537];

describe('sort: ordered permutation of the input (property oracle)', () => {
  for (const dtype of ['u32', 'i32', 'f32'] as const) {
    gpuTest(
      `${dtype} at n = ${SIZES.join(', ')}`,
      async ({ device }) => {
        for (const n of SIZES) {
          const keys = keysFor(dtype, n, n + 3);
          using k = upload(device, keys);
          using s = sort(k);
          expectSortedPermutation(keys, await s.toArray());
        }
      },
      COMPILE_TIMEOUT,
    );
  }
});

describe('sortPairs: stable, and every value travels with its key (property oracle)', () => {
  for (const dtype of ['u32', 'i32', 'f32'] as const) {
    gpuTest(
      `${dtype} keys with their indices as values at n = ${SIZES.join(', ')}`,
      async ({ device }) => {
        for (const n of SIZES) {
          const keys = keysFor(dtype, n, n + 9);
          using k = upload(device, keys);
          using v = device.array(Uint32Array.from({ length: n }, (_x, i) => i), 'u32');
          const r = sortPairs(k, v);
          using ok = r.keys;
          using ov = r.values;
          const outK = (await ok.toArray());
          const outV = (await ov.toArray());
          expectSortedPermutation(keys, outK);
          const inBits = canonicalBits(keys);
          const outBits = new Uint32Array(outK.buffer, outK.byteOffset, outK.length);
          const seen = new Uint8Array(n);
          for (let i = 0; i < n; i++) {
            const j = outV[i] ?? n;
            if (j >= n || seen[j] === 1) expect.fail(`values are not a permutation of 0..${n - 1}: ${j} at ${i}`);
            seen[j] = 1;
            if (outBits[i] !== inBits[j]) expect.fail(`value ${j} at ${i} came with key bits ${outBits[i]}, but its key was ${inBits[j]}`);
            // Stable: equal keys (equal values, ±0 alike; NaNs alike) keep their input order.
            const same = (outK[i] ?? 0) === (outK[i - 1] ?? 1) || (Number.isNaN(outK[i]) && Number.isNaN(outK[i - 1]));
            if (i > 0 && same && !((outV[i - 1] ?? n) < j)) expect.fail(`not stable at ${i}: equal keys with indices ${outV[i - 1]} then ${j}`);
          }
        }
      },
      COMPILE_TIMEOUT,
    );
  }
});
