/**
 * Recipe 4 — Kernel invocations on device arrays (the cookbook's GPUArray recipe).
 *
 * Array arithmetic without writing any WGSL: upload typed arrays, combine them with gpukit's ready
 * elementwise ops (each call enqueues a kernel and returns a new device array at once), and read back
 * only the result. Like PyCUDA's `2 * gpuarray.to_gpu(a)` or CuPy's `cp.asarray(a) * 2`.
 *
 * Run: npx tsx examples/04-device-arrays.ts
 */
import { add, axpy, map, mean, mul, norm, openDevice, scale, sub } from '../src/index.js';

const N = 1 << 16;

// This recipe runs on Dawn (map() compiles the WGSL expression); on the gpujs engine map() translates it to JavaScript.
await using device = await openDevice({ engine: 'dawn' });

const xh = new Float32Array(N);
const yh = new Float32Array(N);
for (let i = 0; i < N; i++) {
  xh[i] = Math.sin(i);
  yh[i] = Math.cos(i) + 2;
}

using x = device.array(xh); // dtype f32 from the Float32Array
using y = device.array(yh);

// The cookbook's first GPUArray program: double every element.
using doubled = scale(x, 2);

// An expression tree, one kernel per operator; nothing waits until a readback.
//   z = (x + y) * (x - y) = x² - y²
using s = add(x, y);
using d = sub(x, y);
using z = mul(s, d);

// A one-off expression of x without a kernel file: map compiles `sqrt(abs(x)) + 1.0` once and caches it.
using r = map(x, 'sqrt(abs(x)) + 1.0');

// In place: y ← 0.5·x + y (BLAS axpy), then scalars computed on the device.
axpy(0.5, x, y);
using zMean = mean(z);
using yNorm = norm(y);

// Read back (this is where the program waits) and compare with the same maths on the CPU.
const [dh, zh, rh, yh2] = await Promise.all([doubled.toArray(), z.toArray(), r.toArray(), y.toArray()]);
let maxError = 0;
let cpuMean = 0;
let cpuNorm2 = 0;
for (let i = 0; i < N; i++) {
  const xv = xh[i] ?? NaN;
  const yv = yh[i] ?? NaN;
  const zc = Math.fround(Math.fround(xv + yv) * Math.fround(xv - yv));
  const yn = Math.fround(0.5 * xv + yv);
  cpuMean += zc / N;
  cpuNorm2 += yn * yn;
  maxError = Math.max(
    maxError,
    Math.abs((dh[i] ?? NaN) - 2 * xv),
    Math.abs((zh[i] ?? NaN) - zc),
    Math.abs((rh[i] ?? NaN) - (Math.sqrt(Math.abs(xv)) + 1)) / 2, // sqrt on the device is within ~1 ulp
    Math.abs((yh2[i] ?? NaN) - yn),
  );
}
const gpuMean = await zMean.item();
const gpuNorm = await yNorm.item();
const relMean = Math.abs(gpuMean - cpuMean) / Math.max(1e-30, Math.abs(cpuMean));
const relNorm = Math.abs(gpuNorm - Math.sqrt(cpuNorm2)) / Math.sqrt(cpuNorm2);

console.log(`x[0..3]            ${Array.from(xh.subarray(0, 4), (v) => v.toFixed(4)).join(' ')}`);
console.log(`2·x[0..3]          ${Array.from(dh.subarray(0, 4), (v) => v.toFixed(4)).join(' ')}`);
console.log(`(x+y)(x-y)[0..3]   ${Array.from(zh.subarray(0, 4), (v) => v.toFixed(4)).join(' ')}`);
console.log(`sqrt|x|+1 [0..3]   ${Array.from(rh.subarray(0, 4), (v) => v.toFixed(4)).join(' ')}`);
console.log(`mean((x+y)(x-y)) = ${gpuMean.toFixed(6)} (CPU ${cpuMean.toFixed(6)}), |0.5x + y| = ${gpuNorm.toFixed(3)} (CPU ${Math.sqrt(cpuNorm2).toFixed(3)})`);
console.log(`device memory: ${device.memory.inUseBuffers} arrays, ${(device.memory.inUseBytes / 1024).toFixed(0)} KiB in use (freed by "using" at the end of the program)`);
const ok = maxError < 1e-5 && relMean < 1e-4 && relNorm < 1e-5;
console.log(`check: ${ok ? 'ok' : 'FAILED'} (${N} elements, 8 ops, max error ${maxError.toExponential(1)})`);
if (!ok) process.exitCode = 1;
