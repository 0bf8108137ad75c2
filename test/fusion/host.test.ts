/**
 * Fusion on the host (gpujs) engine: a recorded chain runs as one JavaScript loop and gives the unfused
 * host answer bit for bit (each op rounded as unfused: Math.fround per f32 op, i32/u32 wrapping, bools as
 * 0/1), over NaN, ±0, ±Inf, subnormals, f32 and integer extremes, broadcasting and JS scalars; and it keeps
 * the semantics Dawn's fusion keeps (errors at the call, writes and destroys after recording, consumers
 * that do not fuse, sync, fuse: false and GPUKIT_FUSE=0). The reference is the same device with fusion
 * off (the op-by-op loops each op's own tests check against NumPy), plus float64 closed forms where the
 * value itself is checked. On Dawn the same checks run (test/fusion/chains.test.ts covers Dawn's kernels);
 * the lazy/loop assertions name the engine where they differ.
 */
import { afterEach, describe, expect } from 'vitest';
import {
  abs, add, astype, bitwiseXor, clip, DestroyedError, divide, equal, exp, floorDivide, fusedSource, isnan, less, logicalAnd, logicalNot, maximum, minimum, mul, multiply, negative, openDevice, remainder, sqrt, square, sub, sum, where, ShapeError, type DeviceArray, type GpuDevice,
} from '../../src/index.js';
import { expectAllClose, expectArrayEqual, gpuTest, sharedDevice } from '../fixture.js';

/** Intermediates a chain made, destroyed after each run (the fixture checks that nothing leaks). */
const made: DeviceArray[] = [];
function t<A extends DeviceArray>(a: A): A {
  made.push(a);
  return a;
}

afterEach(async () => {
  const d = await sharedDevice();
  d?.backend.setFusion(process.env['GPUKIT_FUSE'] !== '0');
});

/** Raw bits of an array read back (f32 as u32 words, so NaN payloads and -0 compare exactly). */
async function bits(a: DeviceArray): Promise<number[]> {
  const h = await a.toArray();
  const words = h instanceof Float32Array ? new Uint32Array(h.buffer, h.byteOffset, h.length) : h;
  return Array.from(words);
}

/** `chain` with fusion on (checked to be recorded, not run), then off: both answers as raw bits. */
async function onAndOff(device: GpuDevice, chain: () => DeviceArray): Promise<{ fused: number[]; unfused: number[] }> {
  const run = async (on: boolean): Promise<number[]> => {
    device.backend.setFusion(on);
    const r = chain();
    if (on) expect(r.pending, 'recorded, not run').toBeDefined();
    else expect(r.pending).toBeUndefined();
    try {
      return await bits(r);
    } finally {
      r.destroy();
      for (const m of made.splice(0)) m.destroy();
    }
  };
  return { fused: await run(true), unfused: await run(false) };
}

const F32_MAX = 3.4028234663852886e38;
/** NaN (quiet, and one with a payload), ±0, ±Inf, f32 extremes, subnormals, values near 1 and overflow edges. */
const SPECIAL_BITS = [0x7fc00000, 0x7fa00001, 0xffc00123];
const SPECIAL = [0, -0, Infinity, -Infinity, F32_MAX, -F32_MAX, 1.1754943508222875e-38, -1.1754943508222875e-38, 1e-45, -1e-45, 5e-39, 1, -1, 0.5, 1 + 2 ** -23, 1 - 2 ** -24, 88.72, -87.4, 3, -2.5, 65504, 1e30, -1e-30];

/** n f32 values: every special value and NaN pattern, then a spread of ordinary ones. */
function f32s(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  const w = new Uint32Array(a.buffer);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    a[i] = ((s / 2 ** 32) * 16 - 8) * (i % 3 === 0 ? 1e-3 : 1);
  }
  SPECIAL.forEach((v, k) => (a[(k * 5 + seed) % n] = v));
  SPECIAL_BITS.forEach((b, k) => (w[(k * 11 + 3 + seed) % n] = b));
  return a;
}

const I32_EDGES = [-2147483648, 2147483647, -1, 0, 1, -2147483647, 1 << 30, -(1 << 30), 65536, -65537, 7, -7];
const U32_EDGES = [0, 1, 4294967295, 2147483648, 2147483647, 65535, 65536, 3, 4294967294];

function ints(n: number, edges: readonly number[], seed: number, signed: boolean): number[] {
  const out: number[] = [];
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out.push(signed ? s | 0 : s);
  }
  edges.forEach((v, k) => (out[(k * 3 + seed) % n] = v));
  return out;
}

describe('a host chain gives the unfused host answer bit for bit', () => {
  const N = 97;
  const F32_CHAINS: Record<string, (x: DeviceArray, y: DeviceArray) => DeviceArray> = {
    'six ops: exp(mul(sub(x, y), 0.5)) + sqrt(abs(x)) - x*x': (x, y) => sub(t(add(t(exp(t(mul(t(sub(x, y)), 0.5)))), t(sqrt(t(abs(x)))))), t(square(x))),
    'no reassociation: sub(add(x, y), x); no contraction: add(mul(x, y), 1)': (x, y) => add(t(sub(t(add(x, y)), x)), t(add(t(mul(x, y)), 1))),
    'the same operand twice: divide(x, sub(y, y))': (x, y) => divide(x, t(sub(y, y))),
    'overflow in an intermediate: mul(mul(x, 1e30), 1e-30)': (x) => mul(t(mul(x, 1e30)), 1e-30),
    'subnormal intermediates: mul(mul(x, 1e-30), 1e30)': (x) => mul(t(mul(x, 1e-30)), 1e30),
    'comparisons and where on NaN: where(isnan(x), y, minimum(maximum(x, y), 2))': (x, y) => where(t(isnan(x)), y, t(minimum(t(maximum(x, y)), 2))),
    'bool chain: astype(logicalAnd(less(x, y), logicalNot(equal(x, 0))), f32) * x': (x, y) => multiply(t(astype(t(logicalAnd(t(less(x, y)), t(logicalNot(t(equal(x, 0)))))), 'f32')), x),
    'clip, negative, remainder': (x, y) => remainder(t(negative(t(clip(x, -3, 3)))), t(add(t(abs(y)), 0.5))),
    'JS scalars on either side, f32-rounded: sub(0.1, mul(x, 1/3))': (x) => sub(0.1, t(mul(x, 1 / 3))),
  };
  for (const [name, chain] of Object.entries(F32_CHAINS)) {
    gpuTest(name, async ({ device }) => {
      using x = device.array(f32s(N, 1));
      using y = device.array(f32s(N, 7).reverse());
      const r = await onAndOff(device, () => chain(x, y));
      expectArrayEqual(r.fused, r.unfused);
    });
  }

  gpuTest('i32 chains at the extremes wrap as unfused (add, mul, floorDivide, remainder, xor, abs of MIN)', async ({ device }) => {
    using a = device.array(new Int32Array(ints(61, I32_EDGES, 3, true)));
    using b = device.array(new Int32Array(ints(61, [...I32_EDGES].reverse(), 5, true)));
    const r = await onAndOff(device, () => bitwiseXor(t(remainder(t(floorDivide(t(mul(t(add(a, b)), 3)), t(add(b, 1)))), t(sub(a, 7)))), t(abs(a))));
    expectArrayEqual(r.fused, r.unfused);
    const f = await onAndOff(device, () => sqrt(t(astype(t(mul(a, -1)), 'f32'))));
    expectArrayEqual(f.fused, f.unfused);
  });

  gpuTest('u32 chains at the extremes wrap as unfused', async ({ device }) => {
    using a = device.array(new Uint32Array(ints(61, U32_EDGES, 4, false)));
    using b = device.array(new Uint32Array(ints(61, [...U32_EDGES].reverse(), 9, false)));
    const r = await onAndOff(device, () => sub(t(mul(t(add(a, b)), 4294967295)), t(floorDivide(a, t(add(b, 1))))));
    expectArrayEqual(r.fused, r.unfused);
  });

  gpuTest('broadcasting: a column and a row with scalars, into a matrix', async ({ device }) => {
    using col = device.array(f32s(9, 2), 'f32', [9, 1]);
    using row = device.array(f32s(11, 3), 'f32', [1, 11]);
    const r = await onAndOff(device, () => exp(t(sub(t(mul(2, col)), t(add(row, 0.25))))));
    expectArrayEqual(r.fused, r.unfused);
    // A lazy broadcast operand (fewer elements than the result) is computed on its own first.
    const s = await onAndOff(device, () => multiply(t(sqrt(t(abs(col)))), t(negative(row))));
    expectArrayEqual(s.fused, s.unfused);
  });

  gpuTest('a transposed view operand and a long chain (200 ops)', async ({ device }) => {
    using m = device.array(f32s(48, 5), 'f32', [6, 8]);
    using v = m.transpose();
    const r = await onAndOff(device, () => {
      let a: DeviceArray = v;
      for (let k = 0; k < 100; k++) a = add(t(mul(k > 0 ? t(a) : a, 0.999)), 0.001);
      return a;
    });
    expectArrayEqual(r.fused, r.unfused);
  });

  gpuTest('the fused value is right (float64 closed form of one chain, within its rounding)', async ({ device }) => {
    device.backend.setFusion(true);
    const xs = new Float32Array([0.25, -1.5, 3, 0, -0, 7.75]);
    using x = device.array(xs);
    using d = sub(x, 1);
    using e = mul(d, 0.5);
    using y = exp(e);
    expect(y.pending).toBeDefined();
    // exp within 4 ULP (both engines); sub and mul are exact here.
    expectAllClose(await y.toArray(), Array.from(xs, (v) => Math.exp((v - 1) * 0.5)), 2 ** -20, 0);
  });
});

describe('the host engine runs a chain as one loop', () => {
  gpuTest('profile() lists one fused loop with its ops; fusedSource is the generated code', async ({ device }) => {
    device.backend.setFusion(true);
    using x = device.array(f32s(4096, 11));
    await device.sync();
    const p = await device.profile(async () => {
      using d = sub(x, 1);
      using e = mul(d, 0.5);
      using y = exp(e);
      const src = fusedSource(y) ?? '';
      expect(src).toContain("'fused(sub,mul,exp)'");
      if (device.info.engine === 'gpujs') {
        // One loop over the elements, each op's host body in it, every f32 operation rounded.
        expect(src.match(/for \(let i = 0; i < n; i\+\+\)/g)?.length).toBe(1);
        expect(src).toContain('Math.fround');
        expect(src).not.toContain('bitcast');
      }
      return await y.toArray();
    });
    const labels = p.kernels.map((k) => k.label);
    expect(labels).toEqual([`elementwise|fused(sub,mul,exp)|f32${device.info.engine === 'dawn' ? '|vec4' : ''}`]);
    expect(p.kernels[0]?.dispatches).toBe(1);
  });

  gpuTest('unfused, the same profile lists each op', async ({ device }) => {
    device.backend.setFusion(false);
    using x = device.array(f32s(256, 12));
    await device.sync();
    const p = await device.profile(async () => {
      using d = sub(x, 1);
      using e = mul(d, 0.5);
      using y = exp(e);
      return await y.toArray();
    });
    expect(p.kernels.length).toBe(3);
    expect(p.kernels.every((k) => !k.label.includes('fused'))).toBe(true);
  });
});

describe('semantics kept on the host engine', () => {
  const X = new Float32Array([1, -2, 3.5, 0, -0, 8, 1e-3, 2 ** 20]);
  const lin = Array.from(X, (v) => Math.fround(Math.fround(2 * v) + 1));

  /** Records y = 2x + 1 (lazy), runs `change` on x, checks y has x's values before the change. */
  async function afterChange(device: GpuDevice, change: (x: DeviceArray) => void): Promise<void> {
    device.backend.setFusion(true);
    const x = device.array(X);
    const m = mul(x, 2);
    const y = add(m, 1);
    expect(y.pending, 'recorded').toBeDefined();
    try {
      change(x);
      expectArrayEqual(await y.toArray(), lin);
    } finally {
      for (const a of [m, y, x]) a.destroy();
    }
  }

  gpuTest('x.write after recording', ({ device }) => afterChange(device, (x) => {
    x.write(new Float32Array(8).fill(9));
  }));
  gpuTest('x.set of a slice after recording', ({ device }) => afterChange(device, (x) => {
    x.set([[2, 6]], 42);
  }));
  gpuTest('an op writing x (out: x) after recording', ({ device }) => afterChange(device, (x) => {
    add(x, 100, { out: x }); // returns x itself
  }));
  gpuTest('x destroyed after recording', ({ device }) => afterChange(device, (x) => {
    x.destroy();
  }));

  gpuTest('a lazy intermediate destroyed before its dependent runs: the dependent stands', async ({ device }) => {
    device.backend.setFusion(true);
    using x = device.array(X);
    const d = sub(x, 1);
    using y = mul(d, 3);
    d.destroy();
    expectArrayEqual(await y.toArray(), Array.from(X, (v) => Math.fround(Math.fround(v - 1) * 3)));
  });

  gpuTest('a lazy intermediate computed (read) then written: its dependents keep the recorded value', async ({ device }) => {
    device.backend.setFusion(true);
    using x = device.array(X);
    using d = sub(x, 1);
    using y = mul(d, 3);
    expect(y.pending).toBeDefined();
    expectArrayEqual(await d.toArray(), Array.from(X, (v) => Math.fround(v - 1)));
    d.write(new Float32Array(8).fill(100));
    expectArrayEqual(await y.toArray(), Array.from(X, (v) => Math.fround(Math.fround(v - 1) * 3)));
  });

  gpuTest('consumers that do not fuse compute the chain at first need (a view of it, a reduction)', async ({ device }) => {
    device.backend.setFusion(true);
    using x = device.array(X);
    using m = mul(x, 2);
    using y = add(m, 1);
    expect(y.pending).toBeDefined();
    using v = y.reshape([2, 4]);
    expect(y.pending, 'computed for the view').toBeUndefined();
    expectArrayEqual(await v.toArray(), lin);
    using z = add(x, 0.5);
    // The whole-array reduction absorbs z (one loop on gpujs, its prologue on Dawn; test/fusion/host-reduce.test.ts): z stays lazy.
    using s = sum(z);
    expect(z.pending).toBeDefined();
    expectAllClose(await s.toArray(), [Array.from(X, (q) => Math.fround(q + 0.5)).reduce((a, b) => a + b, 0)], 1e-6, 0);
    // A builder kernel (device.elementwise) binds its arrays: the chain is computed for it.
    const twice = await device.elementwise({ args: 'x: f32[], out: f32[]', body: 'out = x * 2.0' });
    using w = sub(x, 3);
    using r = twice(w) as DeviceArray;
    expect(w.pending).toBeUndefined();
    expectArrayEqual(await r.toArray(), Array.from(X, (q) => Math.fround(Math.fround(q - 3) * 2)));
  });

  gpuTest('sync() computes the recorded roots, leaving absorbed intermediates lazy', async ({ device }) => {
    device.backend.setFusion(true);
    using x = device.array(X);
    using d = sub(x, 1);
    using y = exp(d);
    expect(y.pending).toBeDefined();
    await device.sync();
    expect(y.pending).toBeUndefined();
    expect(d.pending, 'held by y\'s loop, not computed on its own').toBeDefined();
    expectArrayEqual(await d.toArray(), Array.from(X, (v) => Math.fround(v - 1)));
  });

  gpuTest('errors belong to the call: shape, destroyed operand', async ({ device }) => {
    device.backend.setFusion(true);
    using x = device.array(X);
    using bad = device.zeros([3]);
    using m = mul(x, 2);
    expect(() => add(m, bad)).toThrow(ShapeError);
    const gone = device.array(X);
    gone.destroy();
    expect(() => add(gone, 1)).toThrow(DestroyedError);
    expectArrayEqual(await m.toArray(), Array.from(X, (v) => 2 * v));
  });

  gpuTest('openDevice({ fuse: false }) and GPUKIT_FUSE=0 run each op at its call', async ({ device }) => {
    const engine = device.info.engine;
    const off = await openDevice({ engine, fuse: false });
    const before = process.env['GPUKIT_FUSE'];
    process.env['GPUKIT_FUSE'] = '0';
    let env: GpuDevice;
    try {
      env = await openDevice({ engine });
    } finally {
      if (before === undefined) delete process.env['GPUKIT_FUSE'];
      else process.env['GPUKIT_FUSE'] = before;
    }
    try {
      for (const d of [off, env]) {
        expect(d.backend.fusion).toBe(false);
        using x = d.array(new Float32Array([1, 2]));
        using y = exp(x);
        expect(y.pending).toBeUndefined();
        expect(fusedSource(y)).toBeNull();
      }
    } finally {
      await off.close();
      await env.close();
    }
  });
});
