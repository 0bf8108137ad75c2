/**
 * Recipe 11 — k-means without WGSL: distances by broadcasting (n,1,d) − (1,k,d), the nearest centroid by
 * an axis argmin, the centroid update by segment sums — on either engine
 * (`GPUKIT_ENGINE=gpujs npx tsx examples/11-kmeans.ts` runs the same code on gpu.js / the CPU).
 *
 * Run: npx tsx examples/11-kmeans.ts
 */
import { argmin, div, maximum, mul, openDevice, segmentSum, sub, sum, type DeviceArray } from '../src/index.js';
import { gamma, U64 } from '../src/testing/index.js';

const [N, D, K, ITERS] = [20_000, 8, 16, 5];
const pts = Float32Array.from({ length: N * D }, (_, i) => ((Math.floor(i / D) % K) * 3 + Math.sin(i * 7.1)) * (1 + (i % D) * 0.1));
const init = pts.slice(0, K * D); // the first K points

await using device = await openDevice();
// --- the user code: 15 lines ----------------------------------------------------------------------------
using X = device.array(pts, { shape: [N, D] });
using ones = device.ones([N]);
using one = device.ones([1]);
let C: DeviceArray = device.array(init, { shape: [K, D] });
let assign: DeviceArray = device.zeros(N, { dtype: 'u32' });
for (let it = 0; it < ITERS; it++) {
  using diff = sub(X.reshape(N, 1, D), C.reshape(1, K, D)); // (N, K, D) by broadcasting
  using sq = mul(diff, diff);
  using dist = sum(sq, { axis: 2 }); // (N, K)
  assign.destroy();
  assign = argmin(dist, { axis: 1 }); // nearest centroid of each point
  using sums = segmentSum(X, assign, { numSegments: K }); // (K, D)
  using counts = segmentSum(ones, assign, { numSegments: K }); // (K,)
  using safe = maximum(counts, one); // empty clusters divide by 1
  C.destroy();
  C = div(sums, safe.reshape(K, 1));
}
const [centroids, labels] = [await C.toArray(), await assign.toArray()];
// -------------------------------------------------------------------------------------------------------

// The same iterations in float64 on the CPU.
let c = Array.from(init);
let lab = new Array<number>(N).fill(0);
for (let it = 0; it < ITERS; it++) {
  lab = Array.from({ length: N }, (_, i) => {
    let best = 0;
    let bestD = Infinity;
    for (let k = 0; k < K; k++) {
      let d = 0;
      for (let j = 0; j < D; j++) d += ((pts[i * D + j] ?? 0) - (c[k * D + j] ?? 0)) ** 2;
      if (d < bestD) [best, bestD] = [k, d];
    }
    return best;
  });
  const s = new Array<number>(K * D).fill(0);
  const n = new Array<number>(K).fill(0);
  lab.forEach((k, i) => {
    n[k] = (n[k] ?? 0) + 1;
    for (let j = 0; j < D; j++) s[k * D + j] = (s[k * D + j] ?? 0) + (pts[i * D + j] ?? 0);
  });
  c = s.map((v, q) => v / Math.max(1, n[Math.floor(q / D)] ?? 1));
}
const same = lab.filter((k, i) => k === labels[i]).length;
// Each final centroid is the mean of the points the device assigned to it: a sum of cnt f32 terms in some
// order (at most cnt − 1 roundings), then a division (2.5 ulp in WGSL: 5 units of u), against float64 means
// over the same labels. `worst` is the largest error as a fraction of its bound.
let worst = 0;
for (let k = 0; k < K; k++) {
  const members = Array.from(labels.keys()).filter((i) => labels[i] === k);
  const cnt = members.length;
  for (let j = 0; j < D; j++) {
    const xs = members.map((i) => pts[i * D + j] ?? NaN);
    const want = xs.reduce((a, b) => a + b, 0) / Math.max(1, cnt);
    const abs = xs.reduce((a, b) => a + Math.abs(b), 0) / Math.max(1, cnt);
    const bound = (gamma(Math.max(cnt - 1, 0) + 5) + gamma(cnt + 1, U64)) * abs;
    const err = Math.abs((centroids[k * D + j] ?? NaN) - want);
    worst = Math.max(worst, err === 0 ? 0 : err / bound);
  }
}
console.log(`engine: ${device.info.engine}; ${N} points in ${D}-D, k = ${K}, ${ITERS} iterations`);
C.destroy();
assign.destroy();
if (same < N - 5 || !(worst <= 1)) throw new Error(`mismatch: ${same}/${N} labels agree with float64 k-means, worst centroid error ${worst} of its bound`);
console.log(`check: ok (${same}/${N} labels agree with float64 k-means; every centroid within ${worst.toFixed(2)} of its bound from the mean of its points)`);
