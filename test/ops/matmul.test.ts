import fc from 'fast-check';
import { describe, expect } from 'vitest';
import { matmul, transpose, DTypeError, LimitError, ShapeError, type GpuDevice } from '../../src/index.js';
import { pinParams, type TuneParams } from '../../src/backends/dawn/tuning.js';
import type { MatmulOptions } from '../../src/ops/matmul.js';
import { matmulTunable, planMatmul } from '../../src/backends/dawn/ops/matmul.js';
import { transposeTunable } from '../../src/backends/dawn/ops/transpose.js';
import { expectArrayEqual, dawnTest, gpuTest } from '../fixture.js';
import { matmulBound } from '../tolerance.js';
import { matmulRef64, numpy, npOut, randomF32, randomI32, randomU32 } from './helpers.js';

/**
 * The derived bound (test/tolerance.ts): |C − C_ref| ≤ (γ_k + γ⁶⁴_k) · Σₚ|a_ip·b_pj| element by element,
 * C_ref and the magnitudes in float64 (matmulRef64, written in the test helpers). Relative to the sum of
 * |products| rather than to |C|, so cancellation in an element does not make the check flaky.
 */
function expectMatmulClose(got: Float32Array, a: Float32Array, b: Float32Array, m: number, k: number, n: number, opts: MatmulOptions = {}): void {
  expect(got.length, 'length').toBe(m * n);
  const { c: ref, mag } = matmulRef64(a, b, m, k, n, opts.transA === true, opts.transB === true);
  for (let i = 0; i < got.length; i++) {
    const g = got[i] ?? NaN;
    const r = ref[i] ?? NaN;
    const tol = matmulBound(k, mag[i] ?? NaN);
    if (!(Math.abs(g - r) <= tol)) {
      expect.fail(`${m}×${k}×${n} ${JSON.stringify(opts)}: C[${Math.floor(i / n)}][${i % n}] = ${g}, reference ${r} (tolerance ${tol})`);
    }
  }
}

/** Runs matmul on random data at one shape and checks it against the CPU reference. */
async function checkMatmul(device: GpuDevice, m: number, k: number, n: number, opts: MatmulOptions = {}, seed = m * 7919 + k * 104_729 + n): Promise<void> {
  const ah = randomF32(m * k, seed);
  const bh = randomF32(k * n, seed + 1);
  using a = device.array(ah);
  using b = device.array(bh);
  using c = matmul(a, b, { m, k, n, ...opts });
  expect(c.shape).toEqual([m, n]);
  expect(c.dtype).toBe('f32');
  expectMatmulClose(await c.toArray(), ah, bh, m, k, n, opts);
}

async function withPinned(device: GpuDevice, op: string, params: TuneParams, body: () => Promise<void>): Promise<void> {
  pinParams(device.ctx, op, params);
  try {
    await body();
  } finally {
    pinParams(device.ctx, op, undefined);
  }
}

const COMBOS: readonly MatmulOptions[] = [{}, { transA: true }, { transB: true }, { transA: true, transB: true }];
const label = (o: MatmulOptions) => `${o.transA === true ? 'T' : 'N'}${o.transB === true ? 'T' : 'N'}`;

describe('matmul with the tuned kernel', () => {
  gpuTest('empty dimensions give an empty result, k = 0 gives zeros', async ({ device }) => {
    for (const [m, k, n] of [[0, 0, 0], [0, 5, 3], [4, 5, 0], [0, 3, 0]] as const) {
      using a = device.zeros(m * k);
      using b = device.zeros(k * n);
      using c = matmul(a, b, { m, k, n });
      expect(c.shape).toEqual([m, n]);
      expect(c.length).toBe(0);
    }
    // Leave a dirty buffer of the right size in the pool first: k = 0 must clear, not reuse garbage.
    device.array(new Float32Array(12).fill(7)).destroy();
    using a = device.zeros(0);
    using b = device.zeros(0);
    using c = matmul(a, b, { m: 3, k: 0, n: 4, transA: true, transB: true });
    expect(c.shape).toEqual([3, 4]);
    expectArrayEqual(await c.toArray(), new Float32Array(12));
  });

  gpuTest('unit, odd and block-edge shapes (NN)', async ({ device }) => {
    const shapes: [number, number, number][] = [
      [1, 1, 1], [1, 300, 1], [50, 1, 70], [1, 17, 200], [200, 17, 1], [127, 129, 131],
      [11, 12, 13], [13, 11, 12], [12, 13, 11], [95, 96, 97], [97, 95, 96], [96, 97, 95], [12, 97, 11], [96, 13, 95],
    ];
    for (const [m, k, n] of shapes) await checkMatmul(device, m, k, n);
  });

  for (const opts of COMBOS) {
    gpuTest(`${label(opts)}: transposed layouts at odd, unit and block-edge shapes`, async ({ device }) => {
      for (const [m, k, n] of [[127, 129, 131], [13, 12, 11], [1, 40, 9], [9, 40, 1], [7, 1, 5]] as const) {
        await checkMatmul(device, m, k, n, opts);
      }
    });
  }

  gpuTest("every layout against NumPy's float64 matmul, k up to 1000", async ({ device }) => {
    const shapes: [number, number, number][] = [[33, 999, 17], [5, 1000, 7], [64, 65, 63], [1, 257, 129]];
    const inputs: Record<string, Float32Array> = {};
    const got: Float32Array[] = [];
    let c = 0;
    for (const [m, k, n] of shapes) {
      for (const opts of COMBOS) {
        const ah = randomF32(m * k, 1000 + c);
        const bh = randomF32(k * n, 2000 + c);
        inputs[`a${c}`] = ah;
        inputs[`b${c}`] = bh;
        using a = device.array(ah);
        using b = device.array(bh);
        using r = matmul(a, b, { m, k, n, ...opts });
        got.push(await r.toArray());
        c++;
      }
    }
    // One python call: C and Σ|a·b| per case, with the layouts' transposes done by NumPy.
    const spec = shapes.flatMap(([m, k, n]) => COMBOS.map((o) => `(${m}, ${k}, ${n}, ${o.transA === true ? 1 : 0}, ${o.transB === true ? 1 : 0})`));
    const r = numpy(
      `for c, (m, k, n, ta, tb) in enumerate([${spec.join(', ')}]):
    a = inp['a%d' % c].astype(np.float64); b = inp['b%d' % c].astype(np.float64)
    A = a.reshape(k, m).T if ta else a.reshape(m, k)
    B = b.reshape(n, k).T if tb else b.reshape(k, n)
    out['c%d' % c] = A @ B
    out['m%d' % c] = np.abs(A) @ np.abs(B)`,
      inputs,
    );
    c = 0;
    for (const [m, k, n] of shapes) {
      for (const opts of COMBOS) {
        const want = npOut(r, `c${c}`);
        const mag = npOut(r, `m${c}`);
        const g = got[c] ?? new Float32Array();
        expect(g.length).toBe(m * n);
        for (let i = 0; i < m * n; i++) {
          const tol = matmulBound(k, mag[i] ?? NaN);
          if (!(Math.abs((g[i] ?? NaN) - (want[i] ?? NaN)) <= tol)) expect.fail(`${m}×${k}×${n} ${label(opts)}: C[${Math.floor(i / n)}][${i % n}] = ${g[i]}, NumPy ${want[i]} (tolerance ${tol})`);
        }
        c++;
      }
    }
  });

  gpuTest('C = A·B equals (Bᵀ·Aᵀ)ᵀ computed with both transpose flags', async ({ device }) => {
    const [m, k, n] = [23, 31, 17];
    const ah = randomF32(m * k, 3);
    const bh = randomF32(k * n, 4);
    using a = device.array(ah);
    using b = device.array(bh);
    using c = matmul(a, b, { m, k, n });
    // Cᵀ = Bᵀ·Aᵀ: with B read as "transposed n×k" data = B stored k×n, and likewise A.
    using ct = matmul(b, a, { m: n, k, n: m, transA: true, transB: true });
    using ctt = transpose(ct, n, m);
    expectMatmulClose(await ctt.toArray(), ah, bh, m, k, n);
    expectMatmulClose(await c.toArray(), ah, bh, m, k, n);
  });

  gpuTest('random shapes up to 80 in every layout (property)', async ({ device }) => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 80 }), fc.integer({ min: 0, max: 80 }), fc.integer({ min: 0, max: 80 }), fc.boolean(), fc.boolean(), fc.integer(), async (m, k, n, transA, transB, seed) => {
        await checkMatmul(device, m, k, n, { transA, transB }, seed);
      }),
      { numRuns: 15 },
    );
  });
});

describe('matmul with every candidate kernel pinned', () => {
  dawnTest('every candidate of the tuner computes NN products correctly', async ({ device }) => {
    const candidates = matmulTunable.candidates(device.ctx, 2 ** 24);
    expect(candidates.length).toBeGreaterThanOrEqual(6);
    for (const params of candidates) {
      await withPinned(device, matmulTunable.op, params, async () => {
        // Divisible by 4 (rb4 runs), then odd (rb4 falls back to rb with the same output block).
        await checkMatmul(device, 36, 28, 52);
        await checkMatmul(device, 37, 29, 53);
      });
    }
  });

  const families: [string, TuneParams, [number, number, number][]][] = [
    ['matmul-rb4 64·4×1', { KERNEL: 1, WG_X: 64, RM: 4, NC: 1 }, [[36, 28, 52], [4, 4, 4], [8, 12, 260]]],
    ['matmul-tiled 16', { KERNEL: 2, TILE: 16 }, [[37, 29, 53], [16, 16, 16], [17, 15, 33]]],
  ];
  for (const [name, params, shapes] of families) {
    dawnTest(`${name}: all four layouts`, async ({ device }) => {
      await withPinned(device, matmulTunable.op, params, async () => {
        for (const opts of COMBOS) for (const [m, k, n] of shapes) await checkMatmul(device, m, k, n, opts);
      });
    });
  }

  dawnTest('the plan: rb4 only when its divisibility holds, rb with the same block otherwise', ({ device }) => {
    pinParams(device.ctx, matmulTunable.op, { KERNEL: 1, WG_X: 16, RM: 4, NC: 2 });
    try {
      expect(planMatmul(device.ctx, 36, 28, 52, false, false)).toMatchObject({ kernel: 'matmul-rb4', workgroups: [1, 9, 1] });
      expect(planMatmul(device.ctx, 37, 28, 52, false, true)).toMatchObject({ kernel: 'matmul-rb4', constants: { TRANS_A: 0, TRANS_B: 1 } });
      // TRANS_A also needs m % 4 = 0.
      // (n = 52 is below the workgroup's 16·8 columns: each invocation's block narrows to ⌈52/16⌉ = 4.)
      expect(planMatmul(device.ctx, 37, 28, 52, true, false)).toMatchObject({ kernel: 'matmul-rb', constants: { WG_X: 16, RM: 4, CN: 4, TRANS_A: 1 } });
      expect(planMatmul(device.ctx, 36, 29, 52, false, false)).toMatchObject({ kernel: 'matmul-rb' });
      expect(planMatmul(device.ctx, 36, 28, 53, false, false)).toMatchObject({ kernel: 'matmul-rb', workgroups: [1, 9, 1] });
    } finally {
      pinParams(device.ctx, matmulTunable.op, undefined);
    }
  });

  dawnTest('the plan: TRANS_B at k = 1024·j (and m ≥ 128) transposes B first with matmul-rb', ({ device }) => {
    pinParams(device.ctx, matmulTunable.op, { KERNEL: 0, WG_X: 8, RM: 12, CN: 12 });
    try {
      expect(planMatmul(device.ctx, 1024, 1024, 1024, false, true)).toMatchObject({ transposeB: true, constants: { TRANS_B: 0 } });
      expect(planMatmul(device.ctx, 1024, 2048, 96, true, true)).toMatchObject({ transposeB: true, constants: { TRANS_A: 1, TRANS_B: 0 } });
      expect(planMatmul(device.ctx, 1024, 1028, 1024, false, true)).toMatchObject({ transposeB: false, constants: { TRANS_B: 1 } });
      expect(planMatmul(device.ctx, 8, 1024, 1024, false, true)).toMatchObject({ transposeB: false });
      // A single column of B is its own transpose: no flag, no pass.
      expect(planMatmul(device.ctx, 1024, 1024, 1, false, true)).toMatchObject({ transposeB: false, constants: { TRANS_B: 0 } });
      expect(planMatmul(device.ctx, 1024, 1024, 1024, false, false)).toMatchObject({ kernel: 'matmul-rb', workgroups: [11, 86, 1] });
    } finally {
      pinParams(device.ctx, matmulTunable.op, undefined);
    }
  });

  dawnTest('TRANS_B through the explicit transpose (k = 1024) gives the same products', async ({ device }) => {
    await withPinned(device, matmulTunable.op, { KERNEL: 0, WG_X: 8, RM: 12, CN: 12 }, async () => {
      await checkMatmul(device, 128, 1024, 9, { transB: true });
      await checkMatmul(device, 130, 1024, 7, { transA: true, transB: true });
    });
  });

  dawnTest('a grid beyond 65,535 rows of blocks is a LimitError, and nothing leaks', async ({ device }) => {
    await withPinned(device, matmulTunable.op, { KERNEL: 0, WG_X: 8, RM: 12, CN: 12 }, () => {
      // n ≥ 16: a tall-skinny product (n < 16) is computed transposed, where rows of blocks are no limit.
      const m = 65_535 * 12 + 1;
      using a = device.zeros(m);
      using b = device.zeros(32);
      expect(() => matmul(a, b, { m, k: 1, n: 32 })).toThrow(LimitError);
      return Promise.resolve();
    });
  });

  dawnTest('unusable pinned parameters are refused by name', ({ device }) => {
    using a = device.zeros(4);
    pinParams(device.ctx, matmulTunable.op, { KERNEL: 0, WG_X: 8, RM: 17, CN: 12 });
    try {
      expect(() => matmul(a, a, { m: 2, k: 2, n: 2 })).toThrow(/RM must be 1\.\.16, got 17/);
    } finally {
      pinParams(device.ctx, matmulTunable.op, undefined);
    }
  });
});

describe('matmul argument checks', () => {
  gpuTest('dtype, shape and dimension errors name what was expected and given', ({ device }) => {
    using f = device.zeros(6);
    using g = device.zeros(12);
    using i = device.zeros(6, 'i32');
    using u = device.zeros(6, 'u32');
    expect(() => matmul(i, f, { m: 2, k: 3, n: 2 })).toThrow(DTypeError);
    // Integer matmul exists (test/ops/matmul-int.test.ts); mixing kinds or i32 with u32 is the standard's refusal.
    expect(() => matmul(i, f, { m: 2, k: 3, n: 2 })).toThrow(/^matmul: cannot combine i32 and f32/);
    expect(() => matmul(f, u, { m: 2, k: 3, n: 2 })).toThrow(/^matmul: cannot combine f32 and u32/);
    expect(() => matmul(i, u, { m: 2, k: 3, n: 2 })).toThrow(/^matmul: cannot combine i32 and u32: .*int64/);
    expect(() => matmul(g, f, { m: 2, k: 3, n: 2 })).toThrow(ShapeError);
    expect(() => matmul(g, f, { m: 2, k: 3, n: 2 })).toThrow(/a must hold m·k = 6 elements \(2×3\), but has 12/);
    expect(() => matmul(f, g, { m: 2, k: 3, n: 2, transB: true })).toThrow(/b must hold k·n = 6 elements \(2×3, transposed\), but has 12/);
    expect(() => matmul(f, f, { m: -2, k: -3, n: 2 })).toThrow(/m must be a non-negative integer, got -2/);
    expect(() => matmul(f, f, { m: 2, k: 3, n: -2 })).toThrow(ShapeError);
    expect(() => matmul(f, f, { m: 2.5, k: 3, n: 2 })).toThrow(/got 2.5/);
    expect(() => matmul(f, f, { m: 2, k: 3, n: NaN })).toThrow(/n must be a non-negative integer, got NaN/);
  });
});

describe('transpose', () => {
  gpuTest('random shapes with 0 and 1 rows or columns, f32, i32 and u32, exact', async ({ device }) => {
    const shapes: [number, number][] = [[0, 0], [0, 5], [5, 0], [1, 1], [1, 37], [37, 1], [2, 2], [7, 9], [9, 7], [64, 65], [127, 33], [300, 301]];
    let seed = 1;
    for (const [rows, cols] of shapes) {
      for (const host of [randomF32(rows * cols, seed++), randomI32(rows * cols, seed++), randomU32(rows * cols, seed++)]) {
        using a = device.array(host);
        using t = transpose(a, rows, cols);
        expect(t.shape).toEqual([cols, rows]);
        expect(t.dtype).toBe(a.dtype);
        const got = await t.toArray();
        // Element (c, r) of the result is element (r, c) of a; bit-exact for every dtype.
        expectArrayEqual(got, Array.from({ length: rows * cols }, (_v, j) => host[(j % rows) * cols + Math.floor(j / rows)] ?? NaN));
      }
    }
  });

  dawnTest('every candidate of the tuner, and the property over random shapes', async ({ device }) => {
    for (const params of transposeTunable.candidates(device.ctx, 2 ** 16)) {
      await withPinned(device, transposeTunable.op, params, async () => {
        for (const [rows, cols] of [[67, 45], [8, 16], [33, 2]] as const) {
          const host = randomF32(rows * cols, rows + cols);
          using a = device.array(host);
          using t = transpose(a, rows, cols);
          expectArrayEqual(await t.toArray(), Array.from({ length: rows * cols }, (_v, j) => host[(j % rows) * cols + Math.floor(j / rows)] ?? NaN));
        }
      });
    }
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 150 }), fc.integer({ min: 0, max: 150 }), async (rows, cols) => {
        const host = randomI32(rows * cols, rows * 151 + cols, 2 ** 30);
        using a = device.array(host);
        using t = transpose(a, rows, cols);
        using back = transpose(t, cols, rows);
        expectArrayEqual(await back.toArray(), host);
      }),
      { numRuns: 15 },
    );
  });

  gpuTest('dtype and shape errors', ({ device }) => {
    using a = device.zeros(6);
    expect(() => transpose(a, 4, 2)).toThrow(ShapeError);
    expect(() => transpose(a, 4, 2)).toThrow(/rows·cols = 4·2 = 8 elements, but has 6/);
    expect(() => transpose(a, -2, -3)).toThrow(/rows must be a non-negative integer, got -2/);
    if (device.info.features.includes('shader-f16')) {
      using h = device.zeros(6, 'f16');
      expect(() => transpose(h, 2, 3)).toThrow(DTypeError);
    }
  });
});
