/**
 * jit(fn): traced once per signature, replayed as the trace's fused kernel. The reference is `fn` itself
 * run op by op with fusion off (the unfused chain), compared by raw bits; and a float64 loop for the
 * closed-form chain. A function the replay cannot cover (it reads an array that is not an argument) is
 * called each time, so a write to that array is seen.
 */
import { afterEach, beforeEach, describe, expect } from 'vitest';
import { add, ArgumentError, exp, jit, maximum, mul, multiply, square, sub, type DeviceArray } from '../../src/index.js';
import { expectArrayEqual, gpuTest, sharedDevice } from '../fixture.js';
import { randomF32 } from '../ops/helpers.js';

/** Raw bits, so NaN payloads and ±0 compare exactly. */
function bits(h: ArrayLike<number>): Uint32Array {
  return new Uint32Array(Float32Array.from(h).buffer);
}

/** The six-op chain, destroying its intermediates (as a loop body would). */
function chain(x: DeviceArray, y: DeviceArray): DeviceArray {
  using a = sub(x, 0.5);
  using b = mul(a, 1.5);
  using c = add(b, y);
  using d = square(c);
  using e = multiply(d, y);
  return maximum(e, 0);
}

/** Inputs with special values at the front (NaN, ±0, ±Inf, f32 extremes, subnormals), then random. */
function inputs(n: number, seed: number): Float32Array {
  const a = randomF32(n, seed, -4, 4);
  const special = [NaN, 0, -0, Infinity, -Infinity, 3.4028235e38, -1.1754944e-38, 1e-45, 1, -1];
  special.forEach((v, k) => {
    if (k < n) a[(k * 7 + seed) % n] = v;
  });
  return a;
}

describe('jit', () => {
  // On for these tests (the CI pass with GPUKIT_FUSE=0 runs them too: then jit calls fn each time).
  const reset = async (): Promise<void> => {
    (await sharedDevice())?.backend.setFusion(process.env['GPUKIT_FUSE'] !== '0');
  };
  beforeEach(reset);
  afterEach(reset);

  gpuTest('a replay gives fn\'s answer bit for bit, in one dispatch, for new arrays of the signature', async ({ device }) => {
    const f = jit(chain);
    for (const n of [1, 7, 1000]) {
      for (const seed of [1, 2, 3]) {
        using x = device.array(inputs(n, seed));
        using y = device.array(inputs(n, seed + 10).reverse());
        using r = f(x, y);
        device.backend.setFusion(false);
        try {
          using u = chain(x, y);
          expectArrayEqual(bits(await r.toArray()), bits(await u.toArray()));
        } finally {
          device.backend.setFusion(process.env['GPUKIT_FUSE'] !== '0');
        }
      }
    }
    if (device.info.engine !== 'dawn' || !device.backend.fusion) return;
    using x = device.array(inputs(4096, 5));
    using y = device.array(inputs(4096, 6));
    f(x, y).destroy(); // the trace of this signature
    await device.sync();
    const p = await device.profile(async () => {
      using r = f(x, y);
      await r.toArray();
    });
    expect(p.kernels.map((k) => `${k.label} x${String(k.dispatches)}`)).toEqual(['elementwise|fused(sub,mul,add,square,mul,maximum)|f32|vec4 x1']);
  });

  gpuTest('a broadcast argument (a row) replays with the new row; a new shape traces again', async ({ device }) => {
    const f = jit((m: DeviceArray, row: DeviceArray) => {
      using d = sub(m, row);
      return exp(d);
    });
    for (const [r, c] of [[3, 4], [3, 4], [5, 2], [3, 4]] as const) {
      const mh = randomF32(r * c, r + c, -2, 2);
      const rh = randomF32(c, r * c, -2, 2);
      using m = device.array(mh, 'f32', [r, c]);
      using row = device.array(rh, 'f32', [1, c]);
      using out = f(m, row);
      // float64 reference: exp of the f32 difference (exp's ULP bound: 4 ULP on both engines).
      const ref = Array.from(mh, (v, k) => Math.exp(Math.fround(v - (rh[k % c] ?? 0))));
      const got = await out.toArray();
      ref.forEach((v, k) => {
        expect(Math.abs((got[k] ?? NaN) - v)).toBeLessThanOrEqual(4 * 2 ** -23 * Math.abs(v));
      });
    }
  });

  gpuTest('a function reading an array that is not an argument is called each time (a write to it is seen)', async ({ device }) => {
    using w = device.array(new Float32Array([1, 2, 3]));
    const f = jit((x: DeviceArray) => mul(x, w));
    using x = device.array(new Float32Array([1, 1, 1]));
    using a = f(x);
    expectArrayEqual(await a.toArray(), new Float32Array([1, 2, 3]));
    w.write(new Float32Array([4, 5, 6]));
    using b = f(x);
    expectArrayEqual(await b.toArray(), new Float32Array([4, 5, 6]));
  });

  gpuTest('a lazy argument is its value, not its recording: replays read the new argument', async ({ device }) => {
    const f = jit((x: DeviceArray, y: DeviceArray) => add(x, y));
    using x = device.array(new Float32Array([1, 2]));
    using e = mul(x, 10); // lazy at the trace
    using a = f(x, e);
    expectArrayEqual(await a.toArray(), new Float32Array([11, 22]));
    using z = device.array(new Float32Array([100, 200]));
    using b = f(x, z);
    expectArrayEqual(await b.toArray(), new Float32Array([101, 202]));
  });

  gpuTest('an argument passed twice at the trace is its own signature: f(x, y) after f(x, x) reads y', async ({ device }) => {
    const f = jit((a: DeviceArray, b: DeviceArray) => sub(a, b));
    using x = device.array(new Float32Array([5, 7, 9, 11, 13]));
    using y = device.array(new Float32Array([1, 2, 3, 4, 5]));
    using same = f(x, x);
    expectArrayEqual(await same.toArray(), new Float32Array([0, 0, 0, 0, 0]));
    using again = f(x, x); // replayed
    expectArrayEqual(await again.toArray(), new Float32Array([0, 0, 0, 0, 0]));
    using d = f(x, y);
    expectArrayEqual(await d.toArray(), new Float32Array([4, 5, 6, 7, 8]));
    using e = f(y, x);
    expectArrayEqual(await e.toArray(), new Float32Array([-4, -5, -6, -7, -8]));
  });

  gpuTest('a replay binds views and lazy arrays of the signature as the trace would: a transpose, a slice, a recording', async ({ device }) => {
    const g = (a: DeviceArray, b: DeviceArray): DeviceArray => {
      using s = mul(a, 3);
      return add(s, b);
    };
    const f = jit(g);
    // float64 reference: 3a rounded to f32, plus b, rounded (f32 add and mul are exact-then-rounded).
    const ref = (a: ArrayLike<number>, b: ArrayLike<number>): Float32Array => Float32Array.from(a, (v, k) => Math.fround(Math.fround(3 * v) + (b[k] ?? NaN)));
    using x = device.array(Float32Array.from({ length: 12 }, (_, k) => k - 5.25), 'f32', [3, 4]);
    using y = device.array(Float32Array.from({ length: 12 }, (_, k) => k * 0.5), 'f32', [3, 4]);
    using traced = f(x, y);
    expectArrayEqual(await traced.toArray(), ref(await x.toArray(), await y.toArray()));
    // A transposed view of a 4×3 array (shape [3, 4], not contiguous) and a slice of a longer array.
    using w = device.array(Float32Array.from({ length: 12 }, (_, k) => 100 - k * 3), 'f32', [4, 3]);
    using t = w.transpose();
    using long = device.array(Float32Array.from({ length: 15 }, (_, k) => k * k), 'f32', [5, 3]);
    using rows = long.slice([1, 5]);
    using flat = rows.reshape([3, 4]);
    using r1 = f(t, flat);
    expectArrayEqual(await r1.toArray(), ref(await t.toArray(), await flat.toArray()));
    // A lazy argument at the replay: computed when bound.
    using lazy = add(y, 1);
    using r2 = f(x, lazy);
    expectArrayEqual(await r2.toArray(), ref(await x.toArray(), (await y.toArray()).map((v) => v + 1)));
  });

  gpuTest('arguments are checked: a non-array, a destroyed array, a non-function', ({ device }) => {
    const f = jit((x: DeviceArray) => exp(x));
    expect(() => f(3 as unknown as DeviceArray)).toThrow(/jit: argument 0/);
    const d = device.array(new Float32Array([1]));
    d.destroy();
    expect(() => f(d)).toThrow(ArgumentError);
    expect(() => jit(5 as unknown as () => DeviceArray)).toThrow(ArgumentError);
  });
});
