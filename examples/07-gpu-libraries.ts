/**
 * Recipe 7 — GPU libraries (the cookbook's "GPU-accelerated libraries": cuBLAS, cuRAND, cuFFT).
 *
 * gpukit's ready ops play those roles: `matmul` (BLAS gemm), `random` (counter-based Philox, the
 * cuRAND generator CuPy also uses) and `fft` / `ifft` (batched complex FFT). Each is one call that
 * enqueues and returns a device array; each has a CPU reference in the library to check it against.
 *
 * Run: npx tsx examples/07-gpu-libraries.ts
 */
import { fft, ifft, matmul, mean, openDevice } from '../src/index.js';
import { fftCpu, matmulCpu, uniformCpu } from '../src/testing/index.js';

await using device = await openDevice();
const failures: string[] = [];

// --- random: 2^20 uniforms and normals, same seed → the same stream on every adapter and on the CPU ----
const N = 1 << 20;
using u = device.random.uniform(N, { seed: 2024 });
using z = device.random.normal(N, { seed: 2024, offset: N });
using uMean = mean(u);
const uh = await u.toArray();
const zh = await z.toArray();
const cpuU = uniformCpu(N, 2024);
let uDiffs = 0;
for (let i = 0; i < N; i++) if (uh[i] !== cpuU[i]) uDiffs++;
let zs = 0;
let zs2 = 0;
for (const v of zh) {
  zs += v;
  zs2 += v * v;
}
const zMean = zs / N;
const zVar = zs2 / N - zMean * zMean;
console.log(`random   uniform: mean ${(await uMean.item()).toFixed(4)} (expect 0.5), ${uDiffs} of ${N} differ from the CPU stream (bit-identical)`);
console.log(`         normal:  mean ${zMean.toFixed(4)}, variance ${zVar.toFixed(4)} (expect 0, 1)`);
if (uDiffs !== 0 || Math.abs(zMean) > 0.01 || Math.abs(zVar - 1) > 0.01) failures.push('random');

// --- matmul: C = A·B, A 192×320, B 320×256, A's elements drawn on the device -------------------------
const [m, k, n] = [192, 320, 256];
using a = device.random.uniform([m, k], { seed: 1 });
using b = device.random.normal([k, n], { seed: 2 });
using c = matmul(a, b); // (m×k) · (k×n) from the shapes
const ref = matmulCpu(await a.toArray(), await b.toArray(), m, k, n);
const ch = await c.toArray();
let mmErr = 0;
let mmMag = 0;
for (let i = 0; i < ch.length; i++) {
  mmErr = Math.max(mmErr, Math.abs((ch[i] ?? NaN) - (ref[i] ?? NaN)));
  mmMag = Math.max(mmMag, Math.abs(ref[i] ?? 0));
}
console.log(`matmul   ${m}×${k} · ${k}×${n}: C shape [${c.shape.join(', ')}], max |C - C_cpu| ${mmErr.toExponential(1)} (max |C| ${mmMag.toFixed(1)})`);
if (!(mmErr <= 1e-4 * Math.sqrt(k) * mmMag)) failures.push('matmul');

// --- fft: a batch of 4 signals of 1024 points, each two tones; find the peaks, then invert ------------
const P = 1024;
const BATCH = 4;
const sig = new Float32Array(2 * P * BATCH); // interleaved (re, im)
for (let s = 0; s < BATCH; s++) {
  for (let t = 0; t < P; t++) {
    sig[2 * (s * P + t)] = Math.cos((2 * Math.PI * (10 + s) * t) / P) + 0.5 * Math.sin((2 * Math.PI * 100 * t) / P);
  }
}
using xs = device.array(sig);
using X = fft(xs, { batch: BATCH });
using back = ifft(X, { batch: BATCH });
const Xh = await X.toArray();
const Xref = fftCpu(sig, P, BATCH, false);
const backh = await back.toArray();
let fftErr = 0;
let fftMag = 0;
let roundTrip = 0;
for (let i = 0; i < Xh.length; i++) {
  fftErr = Math.max(fftErr, Math.abs((Xh[i] ?? NaN) - (Xref[i] ?? NaN)));
  fftMag = Math.max(fftMag, Math.abs(Xref[i] ?? 0));
  roundTrip = Math.max(roundTrip, Math.abs((backh[i] ?? NaN) - (sig[i] ?? NaN)));
}
const peaks: number[] = [];
for (let s = 0; s < BATCH; s++) {
  let best = 0;
  let bestMag = -1;
  for (let f = 0; f < P / 2; f++) {
    const re = Xh[2 * (s * P + f)] ?? 0;
    const im = Xh[2 * (s * P + f) + 1] ?? 0;
    if (re * re + im * im > bestMag) [best, bestMag] = [f, re * re + im * im];
  }
  peaks.push(best);
}
console.log(`fft      ${BATCH} × ${P} points: strongest bins ${peaks.join(', ')} (expect 10, 11, 12, 13), error ${(fftErr / fftMag).toExponential(1)} of max|X|, ifft(fft(x)) within ${roundTrip.toExponential(1)}`);
if (peaks.join() !== '10,11,12,13' || fftErr / fftMag > 4e-7 * Math.log2(P) || roundTrip > 1e-5) failures.push('fft');

console.log(`check: ${failures.length === 0 ? 'ok' : `FAILED (${failures.join(', ')})`} (random, matmul, fft agree with their CPU references)`);
if (failures.length > 0) process.exitCode = 1;
