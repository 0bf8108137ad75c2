/**
 * Every tuning parameter value of every tunable op, and each op's hardware and software default, run once
 * for correctness at sizes that cross a workgroup's span (n not a multiple of it, more than one workgroup,
 * more than one block or pass where the op has them). A software adapter otherwise only ever runs its own
 * defaults, and CI would never execute what a GPU runs first.
 *
 * Not the cross product: the parameter sets are both profiles' defaults plus candidates picked greedily until
 * each value of each parameter has run (cheapest first among equal gains, to keep compiles and sizes small).
 * References are written here, independent of the ops' own CPU references: float64 loops, exact integer
 * checks, Array.prototype.sort, a BigInt Philox.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { add, argmax, argmin, axpy, dot, fft, histogram, ifft, map, matmul, max, min, norm, random, scan, softmax, sub, sum, openDevice, ArgumentError } from '../../src/index.js';
import { saveWinners, sizeClass, tunedParams, tuningProfile, type TuneParams } from '../../src/backends/dawn/tuning.js';
import { argTunable } from '../../src/backends/dawn/ops/arg.js';
import { rowsTunable } from '../../src/ops/axis.js';
import { elementwiseTunable } from '../../src/backends/dawn/ops/elementwise.js';
import { fftTunable } from '../../src/backends/dawn/ops/fft.js';
import { histogramTunable } from '../../src/backends/dawn/ops/histogram.js';
import { skinnyTunable } from '../../src/backends/dawn/ops/matmul.js';
import { randomTunable } from '../../src/backends/dawn/ops/random.js';
import { reductionTunable } from '../../src/ops/reduce.js';
import { scanTunable } from '../../src/backends/dawn/ops/scan.js';
import { dawnTest, expectAllClose, expectArrayEqual } from '../fixture.js';
import { coverSets, coverValues, forEachSet, num } from './cover.js';
import { randomF32, randomI32, randomU32 } from './helpers.js';
import { softmaxBounds } from '../tolerance.js';

/** A parameter set's cost for the cover: invocations per workgroup times items each (sizes scale with it). */
const work = (items: string) => (p: TuneParams): number => num(p, 'WG') * num(p, items);

/**
 * Which checks parameter set i of `sets` runs: the checks dealt out in turn, so each set runs at least one and
 * each check runs at least once. The parameters change the dispatch geometry, which every check exercises;
 * every (check, set) pair compiles its own pipelines, and compiles are what cost time on lavapipe. (The CI
 * pass with GPUKIT_TUNING_PROFILE=gpu runs every op's whole suite with the hardware defaults.)
 */
function dealt<T>(checks: readonly T[], i: number, sets: number): T[] {
  return checks.filter((_, j) => (checks.length >= sets ? j % sets === i : j === i % checks.length));
}

/** Integer-valued f32 data in [-4, 4] without zeros: every f32 sum of it is exact, and a dropped element changes it. */
function smallInts(n: number, seed: number): Float32Array {
  return Float32Array.from(randomI32(n, seed, 4), (v) => (v >= 0 ? v + 1 : v));
}

describe('the cover of parameter values', () => {
  test('runs every value of every parameter, the defaults first, each set once', () => {
    const cands = [4, 8].flatMap((A) => [1, 2, 3].map((B) => ({ A, B })));
    const sets = coverValues([{ A: 16, B: 1 }, { A: 16, B: 1 }], cands, (p) => num(p, 'A') * num(p, 'B'));
    expect(sets[0]).toEqual({ A: 16, B: 1 });
    expect(sets.length).toBe(3); // {16,1}; then two candidates covering A 4, 8 and B 2, 3
    for (const k of ['A', 'B']) {
      const all = new Set([...cands, { A: 16, B: 1 }].map((p) => p[k as 'A']));
      expect(new Set(sets.map((p) => p[k]))).toEqual(all);
    }
  });
});

describe('tuning profiles', () => {
  dawnTest('openDevice({ tuningProfile }) and GPUKIT_TUNING_PROFILE choose the defaults and candidates; a bad name is an ArgumentError', async ({ device }) => {
    const saved = process.env['GPUKIT_TUNING_PROFILE'];
    try {
      delete process.env['GPUKIT_TUNING_PROFILE'];
      await using g = await openDevice({ engine: 'dawn', tuningProfile: 'gpu' });
      expect(tuningProfile(g.ctx)).toBe('gpu');
      expect(reductionTunable.defaults(g.ctx, 2 ** 20)['TREE']).toBe(1); // the shared-memory tree
      expect(scanTunable.candidates(g.ctx, 2 ** 20).some((c) => c['WG'] === 256)).toBe(true);
      process.env['GPUKIT_TUNING_PROFILE'] = 'software';
      await using s = await openDevice({ engine: 'dawn' });
      expect(tuningProfile(s.ctx)).toBe('software');
      expect(scanTunable.candidates(s.ctx, 2 ** 20).some((c) => c['WG'] === 256)).toBe(false);
      process.env['GPUKIT_TUNING_PROFILE'] = 'hardware';
      await expect(openDevice({ engine: 'dawn' })).rejects.toThrow(ArgumentError);
      await expect(openDevice({ engine: 'dawn' })).rejects.toThrow(/unknown tuning profile "hardware" in GPUKIT_TUNING_PROFILE; expected gpu or software/);
      await expect(openDevice({ engine: 'dawn', tuningProfile: 'fast' as never })).rejects.toThrow(/in openDevice\(\{ tuningProfile \}\)/);
    } finally {
      if (saved === undefined) delete process.env['GPUKIT_TUNING_PROFILE'];
      else process.env['GPUKIT_TUNING_PROFILE'] = saved;
    }
    expect(tuningProfile(device.ctx)).toBe(saved === 'gpu' || saved === 'software' ? saved : device.info.isSoftware ? 'software' : 'gpu');
  });

  dawnTest("a profile forced against the adapter's kind ignores the adapter's tuned winners; its own kind uses them", async ({ device }) => {
    const own = device.info.isSoftware ? 'software' : 'gpu';
    const other = own === 'gpu' ? 'software' : 'gpu';
    const env = { dir: process.env['GPUKIT_CACHE_DIR'], off: process.env['GPUKIT_NO_TUNE_CACHE'] };
    process.env['GPUKIT_CACHE_DIR'] = mkdtempSync(join(tmpdir(), 'gpukit-profile-'));
    delete process.env['GPUKIT_NO_TUNE_CACHE'];
    try {
      await using a = await openDevice({ engine: 'dawn', tuningProfile: own });
      await using b = await openDevice({ engine: 'dawn', tuningProfile: other });
      const winner = { WG: 16, ITEMS: 64, TREE: 0 }; // a candidate of both profiles, neither's default
      saveWinners(a.ctx, { [reductionTunable.op]: { [String(sizeClass(2 ** 20))]: { params: winner, ms: 1 } } });
      expect(tunedParams(a.ctx, reductionTunable, 2 ** 20)).toEqual(winner);
      expect(tunedParams(b.ctx, reductionTunable, 2 ** 20)).toEqual(reductionTunable.defaults(b.ctx, 2 ** 20));
    } finally {
      rmSync(process.env['GPUKIT_CACHE_DIR'], { recursive: true, force: true });
      if (env.dir === undefined) delete process.env['GPUKIT_CACHE_DIR'];
      else process.env['GPUKIT_CACHE_DIR'] = env.dir;
      if (env.off !== undefined) process.env['GPUKIT_NO_TUNE_CACHE'] = env.off;
    }
  });
});

describe('every tuning parameter value computes correctly', () => {
  dawnTest('elementwise: add, sub, axpy, map', async ({ device }) => {
    await forEachSet(device, elementwiseTunable, coverSets(device, elementwiseTunable, work('ITEMS')), async (p, i, count) => {
      // The vec4 kernel covers n rounded down to 4 (two workgroup spans and a part), the scalar one the last 3.
      const n = 4 * num(p, 'WG') * num(p, 'ITEMS') * 2 + 4 * num(p, 'WG') + 3;
      const xh = randomF32(n, 10 + i, -2, 2);
      const yh = randomF32(n, 20 + i, -2, 2);
      const checks = [
        async () => {
          using x = device.array(xh);
          using y = device.array(yh);
          using s = add(x, y);
          expectAllClose(await s.toArray(), Float64Array.from(xh, (v, j) => v + (yh[j] ?? 0)), 6e-8, 0); // one rounding
        },
        async () => {
          using x = device.array(xh);
          using m = map(x, 'x * x - 0.5');
          expectAllClose(await m.toArray(), Float64Array.from(xh, (v) => v * v - 0.5), 0, 6e-7); // 2 roundings of terms ≤ 4.5
        },
        async () => {
          const ih = randomI32(n, 30 + i, 1 << 20);
          const jh = randomI32(n, 40 + i, 1 << 20);
          using xi = device.array(ih, 'i32');
          using yi = device.array(jh, 'i32');
          using d = sub(xi, yi);
          expectArrayEqual(await d.toArray(), Int32Array.from(ih, (v, j) => v - (jh[j] ?? 0)));
        },
        async () => {
          using x = device.array(xh);
          using y = device.array(yh);
          axpy(3, x, y); // y ← 3x + y in place
          expectAllClose(await y.toArray(), Float64Array.from(xh, (v, j) => 3 * v + (yh[j] ?? 0)), 0, 1e-6); // 2 roundings of terms ≤ 8
        },
      ];
      for (const check of dealt(checks, i, count)) await check();
    });
  });

  dawnTest('reduce: sum, dot, min, max, norm (f32), sum (i32), max (u32)', async ({ device }) => {
    await forEachSet(device, reductionTunable, coverSets(device, reductionTunable, work('ITEMS')), async (p, i, count) => {
      // Two full first-pass workgroup spans (vec4 lanes) and a part: partials then need further passes.
      const n = 4 * num(p, 'WG') * num(p, 'ITEMS') * 2 + 4 * num(p, 'WG') + 3;
      const xh = smallInts(n, 50 + i);
      const yh = smallInts(n, 60 + i);
      // The extremes sit in the scalar tail and in the middle of the second workgroup.
      xh[n - 1] = 7;
      xh[Math.floor(n / 2)] = -6;
      let s = 0, d = 0, sq = 0;
      xh.forEach((v, j) => {
        s += v;
        d += v * (yh[j] ?? 0);
        sq += v * v;
      });
      using x = device.array(xh);
      using y = device.array(yh);
      const checks = [
        async () => {
          using r = sum(x);
          expect(await r.item(), 'sum (exact: integer-valued f32)').toBe(s);
        },
        async () => {
          using r = dot(x, y);
          expect(await r.item(), 'dot (exact)').toBe(d);
        },
        async () => {
          using r = min(x);
          expect(await r.item(), 'min').toBe(-6);
        },
        async () => {
          using r = max(x);
          expect(await r.item(), 'max').toBe(7);
        },
        async () => {
          using r = norm(x);
          expect(Math.abs((await r.item()) - Math.sqrt(sq)), 'norm').toBeLessThanOrEqual(2.4e-7 * Math.sqrt(sq));
        },
        async () => {
          // As large as values can be with every partial and total sum inside i32 (a wrap is an OverflowError now).
          const ih = randomI32(n, 70 + i, Math.floor((2 ** 31 - 1) / n));
          using xi = device.array(ih, 'i32');
          using r = sum(xi);
          let si = 0;
          ih.forEach((v) => (si += v));
          expect(await r.item(), 'i32 sum (exact)').toBe(si);
        },
        async () => {
          const uh = randomU32(n, 80 + i);
          uh[n - 2] = 0xffffffff;
          using xu = device.array(uh, 'u32');
          using r = max(xu);
          expect(await r.item(), 'u32 max').toBe(0xffffffff);
        },
      ];
      for (const check of dealt(checks, i, count)) await check();
    });
  });

  dawnTest('argmin and argmax (first index among ties)', async ({ device }) => {
    await forEachSet(device, argTunable, coverSets(device, argTunable, work('ITEMS')), async (p, i, count) => {
      const span = 4 * num(p, 'WG') * num(p, 'ITEMS');
      // More than 2048 partials (one per invocation) needs the combine pass; keep n small otherwise.
      const partials = 2048 / num(p, 'WG') + 1;
      const n = (span * partials <= 2 ** 18 ? partials : 2) * span + 4 * num(p, 'WG') + 3;
      const xh = randomI32(n, 90 + i, 50); // many ties
      let amin = 0, amax = 0;
      xh.forEach((v, j) => {
        if (v < (xh[amin] ?? 0)) amin = j;
        if (v > (xh[amax] ?? 0)) amax = j;
      });
      const checks = [
        async () => {
          using x = device.array(Float32Array.from(xh));
          using r = argmin(x);
          expect(await r.item(), 'argmin f32').toBe(amin);
        },
        async () => {
          using x = device.array(xh, 'i32');
          using r = argmax(x);
          expect(await r.item(), 'argmax i32').toBe(amax);
        },
      ];
      for (const check of dealt(checks, i, count)) await check();
    });
  });

  dawnTest('scan: inclusive i32 (exact), exclusive f32', async ({ device }) => {
    await forEachSet(device, scanTunable, coverSets(device, scanTunable, work('BLOCK')), async (p, i, count) => {
      // One invocation per block: more blocks than a workgroup has invocations, so the block sums are scanned
      // recursively, and a last block that is partly filled.
      const n = 2 * num(p, 'WG') * num(p, 'BLOCK') + num(p, 'BLOCK') / 2 + 3;
      const checks = [
        async () => {
          // Every running sum inside i32 (leaving it is an OverflowError now).
          const ih = randomI32(n, 100 + i, Math.floor((2 ** 31 - 1) / n));
          using x = device.array(ih, 'i32');
          using r = scan(x);
          const want = new Int32Array(n);
          let acc = 0;
          ih.forEach((v, j) => (want[j] = acc += v));
          expectArrayEqual(await r.toArray(), want);
        },
        async () => {
          const fh = smallInts(n, 110 + i);
          using x = device.array(fh);
          using r = scan(x, { exclusive: true });
          const want = new Float64Array(n);
          let acc = 0;
          fh.forEach((v, j) => {
            want[j] = acc;
            acc += v;
          });
          expectArrayEqual(await r.toArray(), want); // exact: integer-valued partial sums far below 2^24
        },
      ];
      for (const check of dealt(checks, i, count)) await check();
    });
  });

  /** Philox4x32-10 in BigInt (Random123's philox4x32 with 10 rounds), independent of src/ops/random.ts. */
  function philox(q: number, seed: number): bigint[] {
    const M = 0xffffffffn;
    let [c0, c1, c2, c3] = [BigInt(q), 0n, 0n, 0n];
    let [k0, k1] = [BigInt(seed), 0n];
    for (let r = 0; r < 10; r++) {
      if (r > 0) [k0, k1] = [(k0 + 0x9e3779b9n) & M, (k1 + 0xbb67ae85n) & M];
      const p0 = 0xd2511f53n * c0;
      const p1 = 0xcd9e8d57n * c2;
      [c0, c1, c2, c3] = [(p1 >> 32n) ^ c1 ^ k0, p1 & M, (p0 >> 32n) ^ c3 ^ k1, p0 & M];
    }
    return [c0, c1, c2, c3];
  }

  test('the test’s Philox matches Random123’s known answer', () => {
    expect(philox(0, 0).map(Number)).toEqual([0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]);
  });

  dawnTest('random: u32 words and uniforms at an unaligned offset', async ({ device }) => {
    await forEachSet(device, randomTunable, coverSets(device, randomTunable, work('ITEMS')), async (p, i) => {
      // One invocation makes ITEMS Philox blocks of 4 words.
      const n = 4 * num(p, 'WG') * num(p, 'ITEMS') * 2 + 4 * num(p, 'WG') + 3;
      const offset = 4 * 1000 + 3;
      const seed = 1234 + i;
      const want = new Uint32Array(n);
      for (let q = Math.floor(offset / 4); q <= Math.floor((offset + n - 1) / 4); q++) {
        philox(q, seed).forEach((w, lane) => {
          const j = 4 * q + lane - offset;
          if (j >= 0 && j < n) want[j] = Number(w);
        });
      }
      using u = random.u32(device, n, { seed, offset });
      expectArrayEqual(await u.toArray(), want);
      using f = random.uniform(device, n, { seed, offset });
      expectArrayEqual(await f.toArray(), Float64Array.from(want, (w) => Math.floor(w / 256) / 2 ** 24));
    });
  });

  dawnTest('histogram: exact counts, outside values counted apart', async ({ device }) => {
    await forEachSet(device, histogramTunable, coverSets(device, histogramTunable, work('ITEMS')), async (p, i) => {
      const n = num(p, 'WG') * num(p, 'ITEMS') * 2 + num(p, 'WG') + 3;
      const bins = 37;
      // Values j + 0.5 on [0, 37): bin j exactly, no value near an edge; some below, above and NaN.
      const js = randomI32(n, 150 + i, 40);
      const xh = Float32Array.from(js, (j) => (j === -40 ? NaN : j + 0.5));
      const counts = new Uint32Array(bins);
      let below = 0, above = 0, nan = 0;
      xh.forEach((v) => {
        if (Number.isNaN(v)) nan++;
        else if (v < 0) below++;
        else if (v >= bins) above++;
        else counts[Math.floor(v)] = (counts[Math.floor(v)] ?? 0) + 1;
      });
      using x = device.array(xh);
      const h = histogram(x, { bins, lo: 0, hi: bins });
      using c = h.counts;
      using o = h.outside;
      expectArrayEqual(await c.toArray(), counts);
      expectArrayEqual(await o.toArray(), [below, above, nan]);
    });
  });

  /** Naive float64 DFT of `batch` interleaved transforms of n points. */
  function dft(x: Float32Array, n: number, batch: number, inverse: boolean): Float64Array {
    const out = new Float64Array(x.length);
    const sign = inverse ? 1 : -1;
    for (let b = 0; b < batch; b++) {
      for (let k = 0; k < n; k++) {
        let re = 0, im = 0;
        for (let t = 0; t < n; t++) {
          const a = (sign * 2 * Math.PI * ((k * t) % n)) / n;
          const xr = x[2 * (b * n + t)] ?? 0;
          const xi = x[2 * (b * n + t) + 1] ?? 0;
          re += xr * Math.cos(a) - xi * Math.sin(a);
          im += xr * Math.sin(a) + xi * Math.cos(a);
        }
        out[2 * (b * n + k)] = inverse ? re / n : re;
        out[2 * (b * n + k) + 1] = inverse ? im / n : im;
      }
    }
    return out;
  }

  function maxRelErr(got: Float32Array, ref: Float64Array): number {
    let scale = 0, err = 0;
    ref.forEach((v, j) => {
      scale = Math.max(scale, Math.abs(v));
      err = Math.max(err, Math.abs((got[j] ?? NaN) - v));
    });
    return err / scale;
  }

  dawnTest('fft and ifft: small transforms in a batch wider than a workgroup, and a longer one', async ({ device }) => {
    await forEachSet(device, fftTunable, coverSets(device, fftTunable, work('ITEMS')), async (p, i) => {
      // n = 32: each pass has batch·32/R invocation items, never a multiple of WG·ITEMS (odd batch, 32/R < WG),
      // and the odd batch spans more than one workgroup. n = 512 (3 transforms) mixes radices across passes.
      const span = num(p, 'WG') * num(p, 'ITEMS');
      for (const [n, batch] of [[32, 2 * Math.ceil((2 * span) / 16) + 1], [512, 3]] as const) {
        const xh = randomF32(2 * n * batch, 160 + i + n);
        using x = device.array(xh);
        using X = fft(x, { batch });
        const bound = 4e-8 * Math.log2(n) + 1e-7;
        expect(maxRelErr(await X.toArray(), dft(xh, n, batch, false)), `fft n=${n} batch=${batch}`).toBeLessThanOrEqual(bound);
        using y = ifft(x, { batch });
        expect(maxRelErr(await y.toArray(), dft(xh, n, batch, true)), `ifft n=${n} batch=${batch}`).toBeLessThanOrEqual(bound);
      }
    });
  });

  dawnTest('reduce-rows: sum, argmax (first among ties) and softmax along rows, vec4 and scalar forms', async ({ device }) => {
    await forEachSet(device, rowsTunable, coverSets(device, rowsTunable, (p) => num(p, 'WG')), async (p, i) => {
      // Rows: more than one workgroup's worth, not a multiple of its rows; R = 40 (vec4 chunks) and 37 (a tail of 1).
      const rows = 3 * (num(p, 'WG') / num(p, 'LANES')) + 1;
      for (const R of [40, 37]) {
        const h = smallInts(rows * R, 170 + i + R);
        for (let r = 0; r < rows; r++) h[r * R + ((r * 7) % R)] = h[r * R + R - 1] = 5; // the maximum twice, the first one varying
        using x = device.array(h, { shape: [rows, R] });
        using s = sum(x, { axis: 1 });
        using a = argmax(x, { axis: 1 });
        using sm = softmax(x, 1);
        const rowOf = (r: number): number[] => Array.from(h.subarray(r * R, (r + 1) * R));
        expectArrayEqual(await s.toArray(), Array.from({ length: rows }, (_, r) => rowOf(r).reduce((u, v) => u + v, 0)));
        expectArrayEqual(await a.toArray(), Array.from({ length: rows }, (_, r) => (r * 7) % R));
        const want = new Float64Array(rows * R);
        for (let r = 0; r < rows; r++) {
          const e = rowOf(r).map((v) => Math.exp(v - 5));
          const t = e.reduce((u, v) => u + v, 0);
          e.forEach((v, j) => (want[r * R + j] = v / t));
        }
        // Relative, per element: the row kernel's bound for this candidate's LANES (test/tolerance.ts softmaxBounds).
        const bounds = Array.from({ length: rows }, (_, r) => Array.from(softmaxBounds(rowOf(r), 5, { lanes: num(p, 'LANES') }))).flat();
        const got = await sm.toArray();
        want.forEach((w, k) => {
          if (!(Math.abs((got[k] ?? NaN) - w) <= (bounds[k] ?? NaN))) expect.fail(`softmax [${Math.floor(k / R)}, ${k % R}]: got ${got[k]}, expected ${w} (bound ${bounds[k]})`);
        });
      }
    });
  });

  dawnTest('matmul-skinny: 10 columns over rows not filling the last workgroup, B plain and transposed', async ({ device }) => {
    await forEachSet(device, skinnyTunable, coverSets(device, skinnyTunable, (p) => num(p, 'WG') * num(p, 'RM')), async (p, i) => {
      const [k, n] = [64, 10];
      const m = Math.max(64, 2 * num(p, 'RM') * (num(p, 'WG') / num(p, 'LANES')) + 3);
      const ah = smallInts(m * k, 180 + i);
      const bh = smallInts(k * n, 190 + i);
      const want = new Float64Array(m * n);
      for (let r = 0; r < m; r++) for (let j = 0; j < n; j++) for (let q = 0; q < k; q++) want[r * n + j] = (want[r * n + j] ?? 0) + (ah[r * k + q] ?? 0) * (bh[q * n + j] ?? 0);
      using a = device.array(ah, { shape: [m, k] });
      using b = device.array(bh, { shape: [k, n] });
      using c = matmul(a, b);
      expectArrayEqual(await c.toArray(), want); // integer products and sums below 2^24: exact in any order
    });
  });
});
