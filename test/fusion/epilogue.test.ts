/**
 * Matmul epilogues: an elementwise chain on a product (`relu(add(matmul(x, w), b))`, a row-broadcast bias,
 * same-shape operands, JS numbers) runs on Dawn as ONE dispatch, the product's kernel applying the chain at
 * its store, and gives the unfused answer bit for bit (the product accumulated as before, then the same f32
 * ops per element) and NumPy's within the product's documented bound. The semantics stay: errors at the
 * call, writes to x, w or b after recording change nothing, the product read elsewhere is the plain product,
 * intermediates destroyed before they were computed. Shapes cover the planned kernels (matmul-rb on
 * lavapipe) and matmul-skinny (n ≤ 16, m ≥ 64), sizes 1 and edges.
 */
import { describe, expect, vi } from 'vitest';
import { add, argmax, clip, DestroyedError, exp, fusedSource, less, LimitError, matmul, maximum, mul, openDevice, relu, ShapeError, sigmoid, sin, softmax, sub, sum, tanh, where, type DeviceArray, type GpuDevice } from '../../src/index.js';
import { pinParams, type TuneParams } from '../../src/backends/dawn/tuning.js';
import { matmulTunable } from '../../src/backends/dawn/ops/matmul.js';
import { dawnTest, expectAllClose, expectArrayEqual, gpuTest } from '../fixture.js';
import { numpy, npOut, randomF32 } from '../ops/helpers.js';

/** Raw bits of an f32 readback (NaN payloads and ±0 compared exactly). */
async function bits(a: DeviceArray): Promise<Uint32Array> {
  const h = (await a.toArray()) as Float32Array;
  return new Uint32Array(h.buffer, h.byteOffset, h.length);
}

/** Runs `chain` with fusion on and off; returns both results' bits and, on Dawn, the labels of the fused run's dispatches. */
async function onAndOff(device: GpuDevice, chain: () => { out: DeviceArray; made: DeviceArray[] }): Promise<{ fused: Uint32Array; unfused: Uint32Array; labels: string[] }> {
  const run = async (): Promise<Uint32Array> => {
    const { out, made } = chain();
    try {
      return await bits(out);
    } finally {
      out.destroy();
      for (const m of made) m.destroy();
    }
  };
  device.backend.setFusion(true);
  try {
    let fused: Uint32Array = new Uint32Array(0);
    const p = await device.profile(async () => {
      fused = await run();
    });
    device.backend.setFusion(false);
    const unfused = await run();
    return { fused, unfused, labels: p.kernels.flatMap((k) => Array<string>(k.dispatches).fill(k.label)) };
  } finally {
    device.backend.setFusion(process.env['GPUKIT_FUSE'] !== '0');
  }
}

/** float64 relu(x @ w + b) and the product's bound per element: 1e-4·sqrt(k)·Σ|x·w| plus one rounding of the sum. */
function reference(x: Float32Array, w: Float32Array, b: Float32Array, m: number, k: number, n: number, act: 'relu' | 'none'): { ref: Float64Array; tol: Float64Array } {
  const r = numpy(
    `x = inp["x"].astype(np.float64).reshape(${m}, ${k}); w = inp["w"].astype(np.float64).reshape(${k}, ${n}); b = inp["b"].astype(np.float64)
z = x @ w + b
out["ref"] = (np.maximum(z, 0) if ${act === 'relu' ? 'True' : 'False'} else z).reshape(-1)
out["tol"] = (1e-4 * np.sqrt(max(${k}, 1)) * (np.abs(x) @ np.abs(w)) + np.abs(z) * 2.0 ** -23 + 1e-30).reshape(-1)`,
    { x, w, b },
  );
  return { ref: npOut(r, 'ref') as Float64Array, tol: npOut(r, 'tol') as Float64Array };
}

function expectWithin(got: Float32Array, ref: Float64Array, tol: Float64Array): void {
  expect(got.length).toBe(ref.length);
  for (let i = 0; i < ref.length; i++) {
    const g = got[i] ?? NaN;
    const r = ref[i] ?? NaN;
    if (Number.isNaN(r) || !Number.isFinite(r)) {
      expect(Object.is(g, r) || (Number.isNaN(g) && Number.isNaN(r)), `element ${i}: ${g} vs ${r}`).toBe(true);
      continue;
    }
    expect(Math.abs(g - r), `element ${i}: ${g} vs ${r}`).toBeLessThanOrEqual(tol[i] ?? 0);
  }
}

/**
 * The product's kernel with the chain as its epilogue: one dispatch, labelled with the chain's ops (and
 * `+product` when the product's array was still held, so the kernel stored the plain product too).
 */
function expectOneEpilogue(device: GpuDevice, labels: string[], ops: string, product = true): void {
  if (device.info.engine !== 'dawn') return;
  expect(labels).toHaveLength(1);
  expect(labels[0]).toMatch(new RegExp(`^matmul-[a-z0-9]+\\|epilogue\\(${ops.replace(/[()]/g, '\\$&')}\\)${product ? '\\+product' : ''}$`));
}

// m × k × n: planned kernels (matmul-rb on lavapipe), sizes 1, edges of the register blocks; and skinny ones.
const SHAPES: [number, number, number][] = [[1, 1, 1], [7, 5, 3], [33, 17, 29], [13, 64, 100], [64, 8, 3], [200, 64, 10], [65, 12, 16]];

describe('relu(add(matmul(x, w), b)) with a row-broadcast bias', () => {
  for (const [m, k, n] of SHAPES) {
    gpuTest(`${m}×${k}×${n}: one dispatch, the unfused bits, NumPy's values`, async ({ device }) => {
      const xh = randomF32(m * k, m + k, -2, 2);
      const wh = randomF32(k * n, k + n, -2, 2);
      const bh = randomF32(n, n, -3, 3);
      // Special values in the bias: NaN, ±Inf, ±0 pass the epilogue as they pass add and relu.
      [NaN, Infinity, -Infinity, -0].forEach((v, i) => {
        if (i < n - 1) bh[i + 1] = v;
      });
      using x = device.array(xh, { shape: [m, k] });
      using w = device.array(wh, { shape: [k, n] });
      using b = device.array(bh);
      const r = await onAndOff(device, () => {
        const z = matmul(x, w);
        const a = add(z, b);
        return { out: relu(a), made: [z, a] };
      });
      expectArrayEqual(r.fused, r.unfused);
      expectOneEpilogue(device, r.labels, 'add,relu');
      const { ref, tol } = reference(xh, wh, bh, m, k, n, 'relu');
      expectWithin(new Float32Array(r.fused.buffer), ref, tol);
    });
  }
});

describe('every f32 kernel takes the epilogue (tuning pinned)', () => {
  const families: [string, TuneParams][] = [
    ['matmul-rb', { KERNEL: 0, WG_X: 16, RM: 4, CN: 4 }],
    ['matmul-rb4', { KERNEL: 1, WG_X: 64, RM: 4, NC: 1 }],
    ['matmul-tiled', { KERNEL: 2, TILE: 16 }],
  ];
  for (const [kernel, params] of families) {
    dawnTest(`${kernel}: plain and transposed operands, the unfused bits`, async ({ device }) => {
      pinParams(device.ctx, matmulTunable.op, params);
      try {
        // Divisible by 4 (rb4 runs) and odd (rb4 falls back to rb), w plain and as a transposed view.
        for (const [m, k, n] of [[36, 28, 52], [17, 15, 33]] as const) {
          for (const transposed of [false, true]) {
            using x = device.array(randomF32(m * k, m, -2, 2), { shape: [m, k] });
            using wt = device.array(randomF32(k * n, n, -2, 2), { shape: transposed ? [n, k] : [k, n] });
            using b = device.array(randomF32(n, k, -2, 2));
            const w = transposed ? wt.T : wt;
            const r = await onAndOff(device, () => {
              const z = matmul(x, w);
              const a = add(z, b);
              return { out: relu(a), made: [z, a] };
            });
            if (w !== wt) w.destroy();
            expectArrayEqual(r.fused, r.unfused);
            if (!device.backend.fusion) continue;
            const want = m % 4 === 0 && n % 4 === 0 && k % 4 === 0 ? kernel : kernel === 'matmul-rb4' ? 'matmul-rb' : kernel;
            expect(r.labels).toEqual([`${want}|epilogue(add,relu)+product`]);
          }
        }
      } finally {
        pinParams(device.ctx, matmulTunable.op, undefined);
      }
    });
  }
});

describe('other epilogues', () => {
  gpuTest('JS numbers and a same-shape operand: sigmoid(sub(mul(matmul(x, w), 0.5), y))', async ({ device }) => {
    const [m, k, n] = [19, 23, 37];
    using x = device.array(randomF32(m * k, 1), { shape: [m, k] });
    using w = device.array(randomF32(k * n, 2), { shape: [k, n] });
    using y = device.array(randomF32(m * n, 3), { shape: [m, n] });
    const r = await onAndOff(device, () => {
      const z = matmul(x, w);
      const s = mul(z, 0.5);
      const d = sub(s, y);
      return { out: sigmoid(d), made: [z, s, d] };
    });
    expectArrayEqual(r.fused, r.unfused);
    expectOneEpilogue(device, r.labels, 'mul,sub,sigmoid');
  });

  gpuTest('varied op bodies (where over a comparison, clip, sin, exp, maximum, tanh) compose into every kernel the same', async ({ device }) => {
    // where's arguments are named a and b, as the product kernels' bindings are: the bodies' blocks shadow them.
    for (const [m, k, n] of [[21, 13, 18], [80, 16, 7]] as const) {
      const xh = randomF32(m * k, 31, -3, 3);
      xh[0] = NaN;
      xh[k + 1] = Infinity;
      using x = device.array(xh, { shape: [m, k] });
      using w = device.array(randomF32(k * n, 32, -3, 3), { shape: [k, n] });
      using b = device.array(randomF32(n, 33, -3, 3));
      using y = device.array(randomF32(m * n, 34, -3, 3), { shape: [m, n] });
      const r = await onAndOff(device, () => {
        const z = matmul(x, w);
        const c = less(z, y);
        const s = sin(z);
        const l = clip(z, -1, 1);
        const e = exp(l);
        const q = where(c, s, e);
        const t = maximum(q, b);
        return { out: tanh(t), made: [z, c, s, l, e, q, t] };
      });
      expectArrayEqual(r.fused, r.unfused);
      expectOneEpilogue(device, r.labels, 'lt,sin,clip,exp,where,maximum,tanh');
    }
  });

  dawnTest('the kernel is cached by the epilogue\'s structure: new JS numbers reuse it, another chain compiles anew', async ({ device }) => {
    if (!device.backend.fusion) return;
    using x = device.array(randomF32(40, 41), { shape: [8, 5] });
    using w = device.array(randomF32(30, 42), { shape: [5, 6] });
    const run = async (f: (z: DeviceArray) => DeviceArray): Promise<void> => {
      using z = matmul(x, w);
      using y = f(z);
      await y.toArray();
    };
    await run((z) => mul(z, 0.5));
    const before = device.ctx.syncKernels.size;
    for (const s of [2, -3, NaN, 1e30]) await run((z) => mul(z, s));
    expect(device.ctx.syncKernels.size - before, 'kernels compiled for new numbers').toBe(0);
    await run((z) => sub(z, 0.5));
    expect(device.ctx.syncKernels.size - before, 'kernels compiled for another op').toBe(1);
  });

  gpuTest('a column-broadcast operand does not fuse into the store, and the answer is the same', async ({ device }) => {
    const [m, k, n] = [9, 6, 9];
    using x = device.array(randomF32(m * k, 4), { shape: [m, k] });
    using w = device.array(randomF32(k * n, 5), { shape: [k, n] });
    using c = device.array(randomF32(m, 6), { shape: [m, 1] });
    const r = await onAndOff(device, () => {
      const z = matmul(x, w);
      return { out: add(z, c), made: [z] };
    });
    expectArrayEqual(r.fused, r.unfused);
    if (device.info.engine === 'dawn') expect(r.labels.some((l) => l.includes('epilogue'))).toBe(false);
  });

  gpuTest('fusedSource of the chain is the product kernel with its epilogue', async ({ device }) => {
    if (device.info.engine !== 'dawn' || !device.backend.fusion) return;
    using x = device.array(randomF32(12, 7), { shape: [3, 4] });
    using w = device.array(randomF32(20, 8), { shape: [4, 5] });
    using b = device.array(randomF32(5, 9));
    using z = matmul(x, w);
    using a = add(z, b);
    using y = relu(a);
    expect(fusedSource(y)).toContain('fn fused_epilogue(');
    expect(fusedSource(z)).toContain('fn main(');
  });
});

describe('semantics', () => {
  const [m, k, n] = [24, 12, 20];
  const xh = randomF32(m * k, 11, -2, 2);
  const wh = randomF32(k * n, 12, -2, 2);
  const bh = randomF32(n, 13, -2, 2);

  gpuTest('the product read after its epilogue ran is the plain product (fusion on and off agree)', async ({ device }) => {
    using x = device.array(xh, { shape: [m, k] });
    using w = device.array(wh, { shape: [k, n] });
    using b = device.array(bh);
    device.backend.setFusion(false);
    const plain = await (async () => {
      using z = matmul(x, w);
      return await bits(z);
    })();
    device.backend.setFusion(process.env['GPUKIT_FUSE'] !== '0');
    using z = matmul(x, w);
    using a = add(z, b);
    using y = relu(a);
    const yv = (await y.toArray());
    expectArrayEqual(await bits(z), plain); // computed on its own, after the epilogue kernel
    using again = add(z, b);
    expectArrayEqual(await bits(a), await bits(again));
    using s = sum(z); // another op on it
    // The product's bound per element, plus an f32 sum of m·n terms: m·n·2^-24·Σ|z| (a loose blocked-sum bound).
    const ref = reference(xh, wh, new Float32Array(n), m, k, n, 'none');
    const bound = ref.tol.reduce((p, q) => p + q, 0) + m * n * 2 ** -24 * ref.ref.reduce((p, q) => p + Math.abs(q), 0);
    expectAllClose([await s.item()], [ref.ref.reduce((p, q) => p + q, 0)], 0, bound);
    const r = reference(xh, wh, bh, m, k, n, 'relu');
    expectWithin(yv, r.ref, r.tol);
  });

  gpuTest('a product two recorded chains read is computed once, then each chain reads it', async ({ device }) => {
    using x = device.array(xh, { shape: [m, k] });
    using w = device.array(wh, { shape: [k, n] });
    using b = device.array(bh);
    const r = await onAndOff(device, () => {
      const z = matmul(x, w);
      const a = add(z, b);
      const y1 = relu(a);
      const y2 = sigmoid(z); // recorded, read after y1 (destroyed with the intermediates)
      return { out: y1, made: [z, a, y2] };
    });
    expectArrayEqual(r.fused, r.unfused);
    if (device.info.engine === 'dawn' && device.backend.fusion) {
      expect(r.labels.filter((l) => l.startsWith('matmul'))).toHaveLength(1);
      expect(r.labels.some((l) => l.includes('epilogue'))).toBe(false);
    }
  });

  for (const what of ['x', 'w', 'b'] as const) {
    gpuTest(`a write to ${what} after recording does not change the result`, async ({ device }) => {
      using x = device.array(xh, { shape: [m, k] });
      using w = device.array(wh, { shape: [k, n] });
      using b = device.array(bh);
      using z = matmul(x, w);
      using a = add(z, b);
      using y = relu(a);
      const t = { x, w, b }[what];
      t.write(new Float32Array(t.length).fill(7));
      const { ref, tol } = reference(xh, wh, bh, m, k, n, 'relu');
      expectWithin((await y.toArray()), ref, tol);
      const p = reference(xh, wh, new Float32Array(n), m, k, n, 'none');
      expectWithin((await z.toArray()), p.ref, p.tol);
    });
  }

  gpuTest('x, w, b and the product destroyed before the chain runs: the result stands', async ({ device }) => {
    const x = device.array(xh, { shape: [m, k] });
    const w = device.array(wh, { shape: [k, n] });
    const b = device.array(bh);
    const z = matmul(x, w);
    const a = add(z, b);
    using y = relu(a);
    for (const t of [z, a, x, w, b]) t.destroy();
    const { ref, tol } = reference(xh, wh, bh, m, k, n, 'relu');
    expectWithin((await y.toArray()), ref, tol);
  });

  gpuTest('errors are thrown at the call', ({ device }) => {
    using x = device.array(xh, { shape: [m, k] });
    using w = device.array(wh, { shape: [k, n] });
    using bad = device.array(new Float32Array(n + 1));
    expect(() => matmul(x, x)).toThrow(ShapeError);
    using z = matmul(x, w);
    expect(() => add(z, bad)).toThrow(ShapeError);
  });
});

describe("examples/10-mlp.ts's forward pass", () => {
  gpuTest('half the dispatches of the unfused pass, the same bits', async ({ device }) => {
    const [N, D, H, C] = [256, 32, 64, 10];
    using X = device.array(randomF32(N * D, 21), { shape: [N, D] });
    using W1 = device.array(randomF32(D * H, 22), { shape: [D, H] });
    using W2 = device.array(randomF32(H * C, 23), { shape: [H, C] });
    using b1 = device.array(randomF32(H, 24));
    using b2 = device.array(randomF32(C, 25));
    const r = await onAndOff(device, () => {
      const z1 = matmul(X, W1);
      const a1 = add(z1, b1);
      const h = relu(a1);
      const z2 = matmul(h, W2);
      const logits = add(z2, b2);
      const probs = softmax(logits, { axis: 1 });
      return { out: probs, made: [z1, a1, h, z2, logits] };
    });
    expectArrayEqual(r.fused, r.unfused);
    if (device.info.engine !== 'dawn' || !device.backend.fusion) return;
    // matmul-rb|epilogue(add,relu), matmul-skinny|epilogue(add) (no transpose of W2), the row softmax; z1 and
    // z2 are held, so their kernels store the plain products too (in the same dispatch).
    expect(r.labels).toHaveLength(3);
    expect(r.labels.map((l) => l.replace(/^matmul-[a-z0-9]+/, 'matmul')).sort()).toEqual(['matmul|epilogue(add)+product', 'matmul|epilogue(add,relu)+product', 'reduce-rows|softmax|f32']);
    device.backend.setFusion(false);
    try {
      const p = await device.profile(async () => {
        using z1 = matmul(X, W1);
        using a1 = add(z1, b1);
        using h = relu(a1);
        using z2 = matmul(h, W2);
        using logits = add(z2, b2);
        using probs = softmax(logits, { axis: 1 });
        using label = argmax(probs, { axis: 1 });
        await label.toArray();
      });
      expect(p.kernels.reduce((n, k) => n + k.dispatches, 0)).toBe(8);
    } finally {
      device.backend.setFusion(process.env['GPUKIT_FUSE'] !== '0');
    }
  });
});

/** x (m×k) and w (k×n) with NaN, ±Inf and ±0 among their elements (so the product holds them), and a bias. */
function specialInputs(m: number, k: number, n: number): { xh: Float32Array; wh: Float32Array; bh: Float32Array } {
  const xh = randomF32(m * k, 3 * m + k, -2, 2);
  const wh = randomF32(k * n, 5 * k + n, -2, 2);
  const bh = randomF32(n, n + 7, -2, 2);
  [NaN, Infinity, -Infinity, -0, 0].forEach((v, i) => {
    if (i * (k + 1) < xh.length) xh[i * (k + 1)] = v;
  });
  if (wh.length > 2) wh[2] = -0;
  if (n > 1) bh[1] = -0;
  return { xh, wh, bh };
}

// Planned (matmul-rb on lavapipe; rb4-sized), skinny (n ≤ 16, m ≥ 64) and a size-1 product.
const ONCE_SHAPES: [number, number, number][] = [[33, 17, 29], [36, 28, 52], [200, 64, 10], [1, 1, 1]];

describe('a product read after its epilogue ran is computed once', () => {
  for (const [m, k, n] of ONCE_SHAPES) {
    gpuTest(`${m}×${k}×${n}: z = matmul(x, w); y = relu(add(z, b)); read y, then z, then add(z, b): one product, the unfused bits`, async ({ device }) => {
      const { xh, wh, bh } = specialInputs(m, k, n);
      using x = device.array(xh, { shape: [m, k] });
      using w = device.array(wh, { shape: [k, n] });
      using b = device.array(bh);
      const sequence = async (): Promise<Uint32Array[]> => {
        using z = matmul(x, w);
        using a = add(z, b);
        using y = relu(a);
        const yb = await bits(y);
        const zb = await bits(z);
        return [yb, zb, await bits(a)];
      };
      device.backend.setFusion(true);
      let fused: Uint32Array[] = [];
      let unfused: Uint32Array[];
      try {
        const p = await device.profile(async () => {
          fused = await sequence();
        });
        device.backend.setFusion(false);
        unfused = await sequence();
        if (device.info.engine === 'dawn') {
          const products = p.kernels.filter((q) => q.label.startsWith('matmul'));
          expect(products.map((q) => [q.label.replace(/^matmul-[a-z0-9]+/, 'matmul'), q.dispatches])).toEqual([['matmul|epilogue(add,relu)+product', 1]]);
        }
      } finally {
        device.backend.setFusion(process.env['GPUKIT_FUSE'] !== '0');
      }
      for (let i = 0; i < 3; i++) expectArrayEqual(fused[i] ?? [], unfused[i] ?? []);
      expect(Array.from(fused[1] ?? []).some((u) => u === 0x7fc00000 || (u & 0x7f800000) === 0x7f800000), 'the product holds a NaN or an infinity').toBe(true);
      const { ref, tol } = reference(xh, wh, new Float32Array(n), m, k, n, 'none');
      expectWithin(new Float32Array((fused[1] ?? new Uint32Array()).buffer), ref, tol);
    });
  }

  gpuTest('the product destroyed before its chain runs: the kernel stores nothing more', async ({ device }) => {
    const [m, k, n] = [33, 17, 29];
    const { xh, wh, bh } = specialInputs(m, k, n);
    using x = device.array(xh, { shape: [m, k] });
    using w = device.array(wh, { shape: [k, n] });
    using b = device.array(bh);
    // What one m×n f32 array holds in the pool's accounting.
    const base = device.memory.inUseBytes;
    const one = await (async () => {
      using t = device.array(new Float32Array(m * n));
      await t.toArray();
      return device.memory.inUseBytes - base;
    })();
    const r = await onAndOff(device, () => {
      const z = matmul(x, w);
      const a = add(z, b);
      const y = relu(a);
      z.destroy();
      a.destroy();
      return { out: y, made: [] };
    });
    expectArrayEqual(r.fused, r.unfused);
    expectOneEpilogue(device, r.labels, 'add,relu', false);
    // z and a destroyed before y is read: the result's memory only (the product's recording went with z).
    using z = matmul(x, w);
    using a = add(z, b);
    using y = relu(a);
    z.destroy();
    a.destroy();
    await y.toArray();
    expect(device.memory.inUseBytes - base).toBe(one);
    await expect(z.toArray()).rejects.toThrow(DestroyedError);
  });

  gpuTest('writes to b, x and w after recording, then the stored product destroyed: the values recorded, its memory freed', async ({ device }) => {
    const [m, k, n] = [24, 12, 20];
    const { xh, wh, bh } = specialInputs(m, k, n);
    using x = device.array(xh, { shape: [m, k] });
    using w = device.array(wh, { shape: [k, n] });
    using b = device.array(bh);
    device.backend.setFusion(false);
    const plain = await (async () => {
      using z = matmul(x, w);
      using y = add(z, b);
      return [await bits(y), await bits(z)];
    })();
    device.backend.setFusion(process.env['GPUKIT_FUSE'] !== '0');
    const base = device.memory.inUseBytes;
    let made: DeviceArray[] = [];
    const p = await device.profile(async () => {
      const z = matmul(x, w);
      const y = add(z, b);
      made = [z, y];
      b.write(new Float32Array(n).fill(7)); // y reads b: computed first, by the epilogue kernel, which stores z too
      x.write(new Float32Array(m * k).fill(7)); // z is computed: nothing more runs
      w.write(new Float32Array(k * n).fill(-1));
      expectArrayEqual(await bits(y), plain[0] ?? []);
      expectArrayEqual(await bits(z), plain[1] ?? []);
    });
    const [z, y] = made as [DeviceArray, DeviceArray];
    if (device.info.engine === 'dawn' && device.backend.fusion) {
      expect(p.kernels.map((q) => `${q.label.replace(/^matmul-[a-z0-9]+/, 'matmul')}×${q.dispatches}`)).toEqual(['matmul|epilogue(add)+product×1']);
    }
    z.destroy();
    await expect(z.toArray()).rejects.toThrow(DestroyedError);
    y.destroy();
    expect(device.memory.inUseBytes).toBe(base);
  });
});

/**
 * Lowers the device's storage-binding limit as an adapter with fewer would have it: a kernel binding more
 * arrays than that fails to compile (LimitError from the compile, before anything is enqueued). Kernels
 * compiled before are cached, so the tests open a device of their own. Returns the restore.
 */
function capStorageBindings(device: GpuDevice, n: number): () => void {
  const ctx = device.ctx as unknown as { limits: GPUSupportedLimits };
  const was = ctx.limits;
  const plain: Record<string, number> = {};
  for (const key in was) {
    const v = (was as unknown as Record<string, unknown>)[key];
    if (typeof v === 'number') plain[key] = v;
  }
  ctx.limits = { ...plain, maxStorageBuffersPerShaderStage: n } as unknown as GPUSupportedLimits;
  return () => {
    ctx.limits = was;
  };
}

describe('a product kernel that does not compile', () => {
  // Planned (matmul-rb) and skinny products.
  const shapes: [number, number, number][] = [[33, 17, 29], [200, 64, 10]];

  gpuTest('the plain product: the error is thrown at the matmul call, fused as unfused', async ({ device }) => {
    if (device.info.engine !== 'dawn') return; // no WGSL to compile
    for (const fuse of [false, true]) {
      await using d = await openDevice({ engine: 'dawn', fuse });
      const restore = capStorageBindings(d, 2); // each product kernel binds 3
      try {
        for (const [m, k, n] of shapes) {
          using x = d.array(randomF32(m * k, 1), { shape: [m, k] });
          using w = d.array(randomF32(k * n, 2), { shape: [k, n] });
          expect(() => matmul(x, w), `fuse: ${fuse}, ${m}×${k}×${n}`).toThrow(LimitError);
        }
      } finally {
        restore();
      }
    }
  });

  gpuTest('the epilogue variant: the product, then the chain, as two kernels; the unfused bits, logged once', async ({ device }) => {
    if (device.info.engine !== 'dawn') return;
    const logged: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      logged.push(String(chunk));
      return true;
    });
    try {
      await using d = await openDevice({ engine: 'dawn', fuse: true });
      // The product kernels bind 3 arrays and the chain's kernel 3: they compile. The epilogue variant
      // binds 4 (a, b, out and the bias) or, storing the plain product too, 5: it does not.
      const restore = capStorageBindings(d, 3);
      try {
        for (const [m, k, n] of shapes) {
          const { xh, wh, bh } = specialInputs(m, k, n);
          using x = d.array(xh, { shape: [m, k] });
          using w = d.array(wh, { shape: [k, n] });
          using b = d.array(bh);
          const sequence = async (): Promise<Uint32Array[]> => {
            using z = matmul(x, w);
            using a = add(z, b);
            using y = relu(a);
            return [await bits(y), await bits(z)];
          };
          for (let round = 0; round < 2; round++) {
            d.backend.setFusion(true);
            let fused: Uint32Array[] = [];
            const p = await d.profile(async () => {
              fused = await sequence();
            });
            d.backend.setFusion(false);
            const unfused = await sequence();
            expectArrayEqual(fused[0] ?? [], unfused[0] ?? []);
            expectArrayEqual(fused[1] ?? [], unfused[1] ?? []);
            const labels = p.kernels.map((q) => `${q.label}×${q.dispatches}`);
            expect(labels.some((l) => l.includes('epilogue')), labels.join(', ')).toBe(false);
            expect(p.kernels.filter((q) => q.label.startsWith('matmul')).map((q) => q.dispatches), labels.join(', ')).toEqual([1]);
          }
        }
      } finally {
        restore();
      }
    } finally {
      spy.mockRestore();
    }
    const lines = logged.filter((l) => l.includes('epilogue(add,relu)+product'));
    // One line per epilogue kernel (the planned one and the skinny one), not one per run.
    expect(lines, logged.join('')).toHaveLength(2);
    for (const l of lines) expect(l).toMatch(/^gpukit: .*LimitError.*maxStorageBuffersPerShaderStage.*run as separate kernels\n$/);
  });
});
