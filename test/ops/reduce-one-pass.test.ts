/**
 * Whole-array reductions (src/backends/dawn/ops/reduce.ts runReduction) in one dispatch: a pass that runs one
 * workgroup combines its lanes in workgroup memory and writes the result, so an input within the tuned
 * geometry's block (WG·ITEMS vec4s: the "cut-over") is one first pass, not a first pass and a pass over its
 * partials. The summation order changes there, so every float result is checked against a float64 loop
 * written here within the blocked-sum bound γ_d·Σ|x| (test/tolerance.ts `sumBound`, d from
 * `reductionDepth`, which models the one-workgroup pass), at the sizes around the cut-over, on both engines;
 * integers and min/max exactly; NaN, ±Inf, ±0 and f32's extremes (overflow to Inf where NumPy's float32 sum
 * does) at the edges of one workgroup's block; the vec4 and scalar first passes; the software and the GPU
 * geometry. The dispatches are counted with device.profile().
 */
import { describe, expect } from 'vitest';
import { dot, max, mean, min, norm, openDevice, OverflowError, square, sub, sum, type DeviceArray, type GpuDevice } from '../../src/index.js';
import { tunedParams } from '../../src/backends/dawn/tuning.js';
import { reductionTunable } from '../../src/ops/reduce.js';
import { dawnTest, gpuTest } from '../fixture.js';
import { expectWithin, gamma, sumBound, U64 } from '../tolerance.js';
import { U16 } from '../../src/testing/tolerance.js';
import { npOut, numpy, randomF32, randomI32, randomU32, sumDepth } from './helpers.js';

/** Float64 sum and Σ|x|, written here. */
function sum64(x: ArrayLike<number>): { s: number; abs: number } {
  let s = 0;
  let a = 0;
  for (let i = 0; i < x.length; i++) {
    s += x[i] ?? 0;
    a += Math.abs(x[i] ?? 0);
  }
  return { s, abs: a };
}

/**
 * The largest n one workgroup covers with the device's tuned geometry (vec4 loads: WG·ITEMS·4), found as the
 * block at a small size and checked to be the boundary (the block at n + 1 is smaller than n + 1). gpujs has
 * no passes: the software adapter's default block, so both engines check the same sizes.
 */
function cutOf(device: GpuDevice): number {
  if (device.info.engine !== 'dawn') return 8 * 1024 * 4;
  const block = (n: number): number => {
    const p = tunedParams(device.ctx, reductionTunable, n);
    return (p['WG'] ?? 0) * (p['ITEMS'] ?? 0) * 4;
  };
  const c = block(64);
  expect(block(c), 'the block at the cut-over is the cut-over').toBe(c);
  expect(block(c + 1), 'one element more needs two workgroups').toBeLessThanOrEqual(c);
  return c;
}

function sizes(cut: number): number[] {
  return [0, 1, 3, 4, 5, cut - 1, cut, cut + 1];
}

/** Dispatches of `fn` (all kernels), by device.profile(). */
async function dispatches<T>(device: GpuDevice, fn: () => Promise<T>): Promise<{ count: number; reductions: number; labels: string[]; result: T }> {
  await device.sync();
  const p = await device.profile(fn);
  const count = (ks: typeof p.kernels): number => ks.reduce((s, k) => s + k.dispatches, 0);
  return { count: count(p.kernels), reductions: count(p.kernels.filter((k) => k.label.startsWith('reduction|'))), labels: p.kernels.map((k) => `${k.label} ×${String(k.dispatches)}`), result: p.result };
}

/** sum, mean, min, max, norm, dot of f32 at n against float64 loops (min/max exact; sums within the blocked-sum bound). */
async function checkF32(device: GpuDevice, n: number, seed: number): Promise<void> {
  const xh = randomF32(n, seed, -2, 3);
  const yh = randomF32(n, seed + 1, -1, 1);
  using x = device.array(xh);
  using y = device.array(yh);
  using s = sum(x);
  using m = mean(x);
  using nr = norm(x);
  using d = dot(x, y);
  using lo = n === 0 ? undefined : min(x);
  using hi = n === 0 ? undefined : max(x);
  const [rs, rm, rn, rd, rlo, rhi] = await Promise.all([s.item(), m.item(), nr.item(), d.item(), lo?.item() ?? NaN, hi?.item() ?? NaN]);
  const depth = sumDepth(device, n);
  const { s: S, abs: A } = sum64(xh);
  // The blocked-sum bound γ_d·Σ|x| (+ the float64 reference's own γ_n), d the depth of the passes that run.
  expectWithin(`sum of ${n}`, rs, S, sumBound(A, depth, n));
  // mean: the sum's bound, then the multiplication by the f32 1/n (two roundings more), over n.
  if (n === 0) expect(rm).toBeNaN();
  else expectWithin(`mean of ${n}`, rm, S / n, (sumBound(A, depth, n) + gamma(depth + 2) * A) / n);
  const sq = sum64(Array.from(xh, (e) => e * e)).s;
  const prods = Array.from(xh, (e, i) => e * (yh[i] ?? 0));
  const P = sum64(prods);
  expectWithin(`dot of ${n}`, rd, P.s, sumBound(P.abs, depth + 1, n));
  // norm: Σx² within γ_{d+1}·Σx², then sqrt (WGSL: ≤ 9 units of u, test/tolerance.ts WGSL_SQRT).
  expectWithin(`norm of ${n}`, rn, Math.sqrt(sq), Math.sqrt(sq) * (gamma(depth + 1) + gamma(9)) + 1e-30);
  if (n > 0) {
    let a = Infinity;
    let b = -Infinity;
    for (const e of xh) {
      a = Math.min(a, e);
      b = Math.max(b, e);
    }
    expect(rlo).toBe(a);
    expect(rhi).toBe(b);
  }
}

describe('a whole-array reduction within one workgroup is one dispatch', () => {
  gpuTest('f32 sum, mean, norm, dot, min, max at 0, 1, 3, 4, 5 and just below, at and above the cut-over, within the blocked-sum bound', async ({ device }) => {
    const cut = cutOf(device);
    for (const n of sizes(cut)) await checkF32(device, n, 11 + n);
  });

  dawnTest('one dispatch up to the cut-over, a first pass and a pass over partials above; GPUKIT_REDUCE_ONE_PASS=0 keeps the old passes', async ({ device }) => {
    const cut = cutOf(device);
    for (const n of sizes(cut)) {
      using x = device.array(randomF32(n, 3 + n));
      const r = await dispatches(device, async () => {
        using s = sum(x);
        return await s.item();
      });
      expect(r.count, `sum of ${n}: ${r.labels.join(', ')}`).toBe(n <= cut ? 1 : 2);
      expect(r.labels[0] ?? '', r.labels.join(', ')).toMatch(n <= cut ? /^reduction\|sum\|f32\|first/ : /^reduction\|sum\|f32\|/);
    }
    // The old path, as bench/fusion.ts forces it: the same sum at the cut-over in two passes, within the same bound.
    const xh = randomF32(cut, 5, -2, 3);
    using x = device.array(xh);
    device.ctx.onePassReductions = false;
    try {
      const r = await dispatches(device, async () => {
        using s = sum(x);
        return await s.item();
      });
      // With TREE (the GPU shape) one workgroup already wrote the result before; without, a pass folded its WG partials.
      const p = tunedParams(device.ctx, reductionTunable, cut);
      expect(r.count, r.labels.join(', ')).toBe(p['TREE'] !== 0 ? 1 : 2);
      const { s, abs } = sum64(xh);
      // The old depth: WG serial folds in the pass over partials where the one-pass tree has log2 WG.
      expectWithin('two-pass sum', r.result, s, sumBound(abs, sumDepth(device, cut) + (p['WG'] ?? 0), cut));
    } finally {
      device.ctx.onePassReductions = true;
    }
  });

  dawnTest('the GPU geometry (a shared-memory tree, WG 256): one dispatch up to its cut-over, the same answers', async () => {
    await using g = await openDevice({ engine: 'dawn', tuningProfile: 'gpu' });
    const cut = cutOf(g);
    expect(cut).toBe(256 * 16 * 4);
    for (const n of sizes(cut)) {
      const h = randomF32(n, 4 + n, -2, 3);
      using x = g.array(h);
      const r = await dispatches(g, async () => {
        using s = sum(x);
        using lo = n === 0 ? undefined : max(x);
        return [await s.item(), (await lo?.item()) ?? NaN] as const;
      });
      expect(r.count, `sum and max of ${n}: ${r.labels.join(', ')}`).toBe((n <= cut ? 1 : 2) * (n === 0 ? 1 : 2));
      const t = sum64(h);
      expectWithin(`sum of ${n}`, r.result[0], t.s, sumBound(t.abs, sumDepth(g, n), n));
      if (n > 0) expect(r.result[1]).toBe(Math.max(...h));
    }
  });

  gpuTest('i32 and u32 sums exact, min and max exact; an i32 sum past the range is an OverflowError in one pass', async ({ device }) => {
    const cut = cutOf(device);
    for (const n of sizes(cut)) {
      const ih = randomI32(n, 7 + n, 1000);
      const uh = Uint32Array.from(randomU32(n, 8 + n), (e) => e >>> 17); // < 2^15: no u32 overflow at these sizes
      using xi = device.array(ih);
      using xu = device.array(uh);
      using si = sum(xi);
      using su = sum(xu);
      expect(await si.item()).toBe(sum64(ih).s);
      expect(await su.item()).toBe(sum64(uh).s);
      if (n > 0) {
        using a = min(xi);
        using b = max(xu);
        expect(await a.item()).toBe(Math.min(...ih));
        expect(await b.item()).toBe(Math.max(...uh));
      }
    }
    // Two elements near i32's top in the last vec4 of one workgroup's block: the exact sum is past 2^31 − 1.
    const big = new Int32Array(cut);
    big[cut - 1] = 2147483647;
    big[cut - 2] = 1;
    using xb = device.array(big);
    using sb = sum(xb);
    await expect(sb.item()).rejects.toThrow(OverflowError);
    await expect(device.sync()).rejects.toThrow(OverflowError); // the batch's verdict, as every failed op's
  });

  gpuTest('NaN, ±Inf, ±0 and f32 extremes at the first, the last and a middle element of one block, as NumPy\'s float32 reductions', async ({ device }) => {
    const cut = cutOf(device);
    const F32_MAX = 3.4028234663852886e38;
    const cases: { label: string; h: Float32Array }[] = [];
    for (const n of [1, 3, 4, 5, cut]) {
      for (const at of [...new Set([0, n >> 1, n - 1])]) {
        const next = (at + 1) % n;
        const fills: [string, (h: Float32Array) => void][] = [
          ['NaN', (h) => void (h[at] = NaN)],
          ['+Inf', (h) => void (h[at] = Infinity)],
          ['-Inf', (h) => void (h[at] = -Infinity)],
          ...(n > 1
            ? ([
                ['+Inf and -Inf', (h) => { h[at] = Infinity; h[next] = -Infinity; }],
                ['f32 max twice (overflows to Inf)', (h) => { h[at] = F32_MAX; h[next] = F32_MAX; }],
                ['-f32 max twice (overflows to -Inf)', (h) => { h[at] = -F32_MAX; h[next] = -F32_MAX; }],
              ] as [string, (h: Float32Array) => void][])
            : []),
        ];
        for (const [name, fill] of fills) {
          const h = randomF32(n, 9 + n + at, -1, 1);
          fill(h);
          cases.push({ label: `${name} at ${at} of ${n}`, h });
        }
      }
    }
    // NumPy's float32 reductions of every case in one call (its sum overflows to ±Inf as an f32 sum does;
    // Inf − Inf is NaN).
    const want = npOut(
      numpy(
        `x = inp['x']; lens = inp['lens']; r = []; at = 0
with np.errstate(over='ignore', invalid='ignore'):
    for k in lens:
        c = x[at:at + k]; at += k
        r += [c.sum(dtype=np.float32), c.mean(dtype=np.float32), c.min(), c.max()]
out['r'] = np.array(r, dtype=np.float64)`,
        { x: Float32Array.from(cases.flatMap((c) => Array.from(c.h))), lens: Int32Array.from(cases.map((c) => c.h.length)) },
      ),
      'r',
    );
    for (const [k, c] of cases.entries()) {
      using x = device.array(c.h);
      using s = sum(x);
      using m = mean(x);
      using lo = min(x);
      using hi = max(x);
      const got = await Promise.all([s.item(), m.item(), lo.item(), hi.item()]);
      const w = Array.from(want.subarray(4 * k, 4 * k + 4));
      // Every case here has a non-finite sum, which any summation order gives exactly.
      expect(Number.isFinite(w[0]), c.label).toBe(false);
      expect(got, c.label).toEqual(w);
    }
    // ±0: sums of zeros are zero (NumPy's float32 sum of [-0, -0] is +0, as here), min/max of ±0 are zero.
    for (const n of [1, 4, 5, cut]) {
      const h = new Float32Array(n).fill(-0);
      using x = device.array(h);
      using s = sum(x);
      using lo = min(x);
      using hi = max(x);
      // +0 exactly (Object.is): NumPy's float32 sum of -0s is +0 too (its identity is +0).
      expect(await s.item()).toBe(0);
      expect((await lo.item()) === 0 && (await hi.item()) === 0).toBe(true);
    }
  });

  gpuTest('f16: sum (in f32) and mean (in f16) at the sizes around the cut-over', async ({ device }) => {
    if (!device.info.features.includes('shader-f16')) return;
    const cut = cutOf(device);
    for (const n of sizes(cut)) {
      // Exact data: 0 except 60 ones and 40 halves of −1 (fewer where n is small), so every partial sum in any
      // order is exact in f16 (multiples of 1/2 below 128) and the sum is exact in both dtypes.
      const h = new Float32Array(n);
      for (let k = 0; k < Math.min(n, 100); k++) h[Math.floor((k * n) / Math.min(n, 100))] = k < 60 ? 1 : -0.5;
      const { s: S } = sum64(h);
      using x = device.array(h, { dtype: 'f16' });
      using s = sum(x);
      using m = mean(x);
      expect(s.dtype).toBe('f32');
      expect(await s.item()).toBe(S);
      if (n === 0) {
        expect(await m.item()).toBeNaN();
        continue;
      }
      // mean = f16(S · f16(1/n)): 1/n rounded to f16 (subnormal from n = 2^14 on: absolute error ≤ 2^-25),
      // then the product (relative U16).
      const inv = Math.abs(1 / n) < 2 ** -14 ? 2 ** -25 : U16 / n;
      expectWithin(`f16 mean of ${n}`, await m.item(), S / n, Math.abs(S) * inv * (1 + U16) + Math.abs(S / n) * U16 + gamma(n, U64) * Math.abs(S));
    }
  });

  dawnTest('vec4 loads with a vector accumulator (sum) and without (a map using the index i), scalar tails: one dispatch up to the block', async ({ device }) => {
    const p = tunedParams(device.ctx, reductionTunable, 64);
    const block = (p['WG'] ?? 0) * (p['ITEMS'] ?? 0) * 4;
    // Each lane folds into one scalar accumulator (a map reading i has no vec4 form).
    const weighted = await device.reduction({ args: 'x: f32[]', map: 'x * f32(i % 3u)', reduce: 'a + b', identity: '0' });
    const plain = (x: DeviceArray): DeviceArray => sum(x);
    for (const [fn, label, name] of [[plain, 'sum|f32|first|vec4acc', 'vec4acc'], [weighted, 'f32|first|vec4', 'vec4']] as const) {
      // 5, block − 1 and block + 1 end in a scalar tail (n not a multiple of 4).
      for (const n of [1, 5, block - 1, block, block + 1]) {
        const h = randomF32(n, 41 + n, -4, 4);
        using x = device.array(h);
        const r = await dispatches(device, async () => {
          using s = fn(x);
          return await s.item();
        });
        expect(r.count, `${name} at ${n}: ${r.labels.join(', ')}`).toBe(n <= block ? 1 : 2);
        expect(r.labels.some((l) => l.includes(`${label} ×`)), r.labels.join(', ')).toBe(true);
        const terms = name === 'vec4acc' ? Array.from(h) : Array.from(h, (e, i) => Math.fround(e * (i % 3)));
        const t = sum64(terms);
        expectWithin(`${name} at ${n}`, r.result, t.s, sumBound(t.abs, sumDepth(device, n) + (name === 'vec4' ? 1 : 0), n));
      }
    }
  });

  dawnTest('mean(square(sub(x, mean(x)))) is two dispatches up to the cut-over (four above), NumPy\'s variance', async ({ device }) => {
    const cut = cutOf(device);
    for (const n of [2, 5000, cut, cut + 1]) {
      const xh = randomF32(n, 61 + n, -3, 9);
      using x = device.array(xh);
      const r = await dispatches(device, async () => {
        using m = mean(x);
        using d = sub(x, m);
        using q = square(d);
        using v = mean(q);
        return [await m.item(), await v.item()] as const;
      });
      // Fused, the reductions are all there is; unfused (GPUKIT_FUSE=0), sub and square run beside them.
      expect(r.reductions, `n = ${n}: ${r.labels.join(', ')}`).toBe(n <= cut ? 2 : 4);
      if (device.backend.fusion) expect(r.count, `n = ${n}: ${r.labels.join(', ')}`).toBe(r.reductions);
      const [mh, vh] = r.result;
      // The deviations as the ops compute them (f32 x − m, squared in f32); their mean in float64.
      const terms = Array.from(xh, (e) => Math.fround(Math.fround(e - mh) ** 2));
      const t = sum64(terms);
      const depth = sumDepth(device, n);
      expectWithin(`variance of ${n}`, vh, t.s / n, (sumBound(t.abs, depth, n) + gamma(depth + 2) * t.abs) / n);
    }
  });
});
