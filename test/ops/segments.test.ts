/**
 * bincount (np.bincount) and segmentSum / segmentMax (TensorFlow's unsorted_segment_*) against NumPy and a
 * float64 reference on the fixture's engine: weights, minLength, empty inputs and segments, NaN in max,
 * a k-means centroid update, and negative or out-of-range ids failing with an ArgumentError.
 */
import { expect } from 'vitest';
import { ArgumentError, bincount, segmentMax, segmentSum } from '../../src/index.js';
import { expectArrayEqual, gpuTest } from '../fixture.js';
import { gamma } from '../tolerance.js';
import { npOut, numpy, randomF32 } from './helpers.js';

gpuTest('bincount matches np.bincount: u32 counts, f32 weighted sums, minLength, empty input, negative → ArgumentError', async ({ device }) => {
  const n = 1000;
  const idx = Int32Array.from({ length: n }, (_, j) => (j * j * 7 + 3) % 37);
  const w = randomF32(n, 41, -1, 1);
  const ref = numpy(`
i = inp['i']; w = inp['w'].astype(np.float64)
out['c'] = np.bincount(i).astype(np.uint32); out['c50'] = np.bincount(i, minlength=50).astype(np.uint32)
out['w'] = np.bincount(i, weights=w); out['m'] = np.bincount(i, weights=np.abs(w))
out['e'] = np.bincount(np.array([], dtype=np.int32), minlength=4).astype(np.uint32)
`, { i: idx, w });
  using i = device.array(idx);
  using c = await bincount(i);
  expect(c.dtype).toBe('u32');
  expectArrayEqual(await c.toArray(), npOut(ref, 'c'));
  using c50 = await bincount(i, { minLength: 50 });
  expectArrayEqual(await c50.toArray(), npOut(ref, 'c50'));
  using iu = device.array(Uint32Array.from(idx));
  using cu = await bincount(iu);
  expectArrayEqual(await cu.toArray(), npOut(ref, 'c'));
  using wd = device.array(w);
  using ws = await bincount(i, { weights: wd });
  expect(ws.dtype).toBe('f32');
  const got = await ws.toArray();
  const exp = npOut(ref, 'w');
  const mag = npOut(ref, 'm');
  const counts = npOut(ref, 'c');
  expect(got.length).toBe(exp.length);
  for (let b = 0; b < got.length; b++) expect(Math.abs((got[b] ?? 0) - (exp[b] ?? 0)), `bin ${b}`).toBeLessThanOrEqual(gamma(counts[b] ?? 0) * (mag[b] ?? 0));
  using none = device.array(new Int32Array(0));
  using e = await bincount(none, { minLength: 4 });
  expectArrayEqual(await e.toArray(), npOut(ref, 'e'));
  using neg = device.array(new Int32Array([1, -2, 0]));
  await expect(bincount(neg)).rejects.toThrow(ArgumentError);
  await expect(bincount(neg)).rejects.toThrow(/bincount: indices must be non-negative, got -2/);
});

gpuTest('segmentSum and segmentMax match a float64 reference (empty segments 0 and -Inf, NaN propagates, i32 exact)', async ({ device }) => {
  const n = 300;
  const d = 3;
  const k = 9; // segment 7 stays empty
  const ids = Int32Array.from({ length: n }, (_, j) => [0, 1, 2, 3, 4, 5, 6, 8][(j * 13) % 8] ?? 0);
  const vals = randomF32(n * d, 5, -50, 50);
  vals[3 * d + 1] = NaN; // row 3, column 1: its segment's max in that column is NaN
  const ref = numpy(`
i = inp['i']; v = inp['v'].astype(np.float64).reshape(${n}, ${d})
s = np.zeros((${k}, ${d})); m = np.zeros((${k}, ${d})); c = np.zeros(${k}); mx = np.full((${k}, ${d}), -np.inf)
v0 = np.nan_to_num(v)
np.add.at(s, i, v0); np.add.at(m, i, np.abs(v0)); np.add.at(c, i, 1); np.maximum.at(mx, i, v)
out['s'] = s.ravel(); out['m'] = m.ravel(); out['c'] = c; out['mx'] = mx.astype(np.float32).ravel()
vi = np.round(v0).astype(np.int32); si = np.zeros((${k}, ${d}), dtype=np.int32); np.add.at(si, i, vi)
mi = np.full((${k}, ${d}), np.iinfo(np.int32).min, dtype=np.int32); np.maximum.at(mi, i, vi)
out['si'] = si.ravel(); out['mi'] = mi.ravel()
`, { i: ids, v: vals });
  using segIds = device.array(ids);
  using mx = device.array(vals, { shape: [n, d] });
  using best = segmentMax(mx, segIds, k);
  expect(best.shape).toEqual([k, d]);
  expectArrayEqual(await best.toArray(), npOut(ref, 'mx'));
  const clean = vals.map((v) => (Number.isNaN(v) ? 0 : v));
  using x = device.array(clean, { shape: [n, d] });
  using s = segmentSum(x, segIds, k);
  const got = await s.toArray();
  const exp = npOut(ref, 's');
  const mag = npOut(ref, 'm');
  const cnt = npOut(ref, 'c');
  for (let e = 0; e < got.length; e++) expect(Math.abs((got[e] ?? 0) - (exp[e] ?? 0)), `element ${e}`).toBeLessThanOrEqual(gamma(cnt[Math.floor(e / d)] ?? 0) * (mag[e] ?? 0));
  expect(Array.from(got.slice(7 * d, 8 * d))).toEqual([0, 0, 0]);
  using xi = device.array(Int32Array.from(clean, Math.round), { shape: [n, d] });
  using si = segmentSum(xi, segIds, k);
  expectArrayEqual(await si.toArray(), npOut(ref, 'si'));
  using mi = segmentMax(xi, segIds, k);
  expectArrayEqual(await mi.toArray(), npOut(ref, 'mi'));
  // Empty values: every segment empty.
  using none = device.array(new Int32Array(0));
  using nothing = device.array(new Float32Array(0), { shape: [0, 2] });
  using es = segmentSum(nothing, none, 2);
  using em = segmentMax(nothing, none, 2);
  expectArrayEqual(await es.toArray(), [0, 0, 0, 0]);
  expectArrayEqual(await em.toArray(), [-Infinity, -Infinity, -Infinity, -Infinity]);
});

gpuTest('a k-means centroid update is one segmentSum and one bincount (against float64 means)', async ({ device }) => {
  const n = 500;
  const d = 4;
  const k = 6;
  const pts = randomF32(n * d, 17, -3, 3);
  const labels = Int32Array.from({ length: n }, (_, j) => (j * 7) % k);
  const ref = numpy(`
p = inp['p'].astype(np.float64).reshape(${n}, ${d}); l = inp['l']
s = np.zeros((${k}, ${d})); np.add.at(s, l, p); c = np.bincount(l, minlength=${k})
out['mean'] = (s / c[:, None]).ravel(); out['mag'] = (np.abs(p).sum() / c.min()) * np.ones(1)
`, { p: pts, l: labels });
  using p = device.array(pts, { shape: [n, d] });
  using l = device.array(labels);
  using sums = segmentSum(p, l, k);
  using counts = await bincount(l, { minLength: k });
  const s = await sums.toArray();
  const c = await counts.toArray();
  const means = Array.from(s, (v, e) => v / (c[Math.floor(e / d)] ?? 1));
  const exp = npOut(ref, 'mean');
  const bound = gamma(n + 1) * (npOut(ref, 'mag')[0] ?? 0);
  for (let e = 0; e < means.length; e++) expect(Math.abs((means[e] ?? 0) - (exp[e] ?? 0)), `centroid element ${e}`).toBeLessThanOrEqual(bound);
});

gpuTest('segment ids that are negative or ≥ numSegments fail the op with an ArgumentError (no wrap, no drop)', async ({ device }) => {
  using v = device.array(new Float32Array([1, 2, 3]));
  using neg = device.array(new Int32Array([0, -1, 1]));
  using s = segmentSum(v, neg, 2);
  await expect(s.toArray()).rejects.toThrow(/segmentSum: 1 index is out of range for the segments of extent 2 \(most negative -1\); valid indices: 0\.\.1$/);
  await expect(device.sync()).rejects.toThrow(ArgumentError);
  using big = device.array(new Uint32Array([0, 2, 1]));
  using m = segmentMax(v, big, 2);
  await expect(m.toArray()).rejects.toThrow(/segmentMax: 1 index is out of range .*largest 2/);
  await expect(device.sync()).rejects.toThrow(ArgumentError);
  using short = device.array(new Int32Array([0, 1]));
  expect(() => segmentSum(v, short, 2)).toThrow(/segmentIds have shape \[2\]/);
});

gpuTest('bad arguments are typed errors before anything runs', async ({ device }) => {
  using i = device.array(new Int32Array([0, 1]));
  using f = device.array(new Float32Array([0, 1]));
  await expect(bincount(i, { minLen: 3 } as never)).rejects.toThrow(/unknown options key minLen/);
  await expect(bincount(i, null as never)).rejects.toThrow(ArgumentError);
  await expect(bincount(f)).rejects.toThrow(/bincount: indices has dtype f32; expected i32 or u32/);
  await expect(bincount(i, { weights: i })).rejects.toThrow(/weights have dtype i32; expected f32/);
  expect(() => segmentSum(f, i, 1.5)).toThrow(ArgumentError);
  expect(() => segmentMax(f, f, 2)).toThrow(/segmentIds has dtype f32/);
});
