/**
 * Recipe 8 — Kernels in the host language (the role NumbaPro's Python kernels play in the cookbook).
 *
 * On the gpujs engine (`openDevice({ engine: 'gpujs' })`) a kernel can be a plain JavaScript function:
 * gpu.js translates it (it reads the function's source) and runs it — on a WebGPU adapter when one
 * exists, else WebAssembly or plain JS on the CPU. `this.thread.x / y / z` index the output, every
 * number is f32. `device.jsKernel(fn, { output })` returns a function that enqueues a run and returns a
 * new f32 device array. Here: NumbaPro's @vectorize (an element-wise function) and its
 * @guvectorize matrix product, both as JS kernels, checked against the CPU.
 *
 * On the dawn engine (the default) kernels are WGSL instead (recipes 2, 3 and 5) and jsKernel throws
 * UnsupportedOnEngineError; the ready ops (add, sum, matmul...) run on both engines.
 *
 * Run: npx tsx examples/08-js-kernels.ts
 */
import { matmul, openDevice } from '../src/index.js';
import { matmulCpu } from '../src/testing/index.js';

const N = 100_000;
const M = 64; // the matrices are M×M

/** What gpu.js gives a kernel as `this`. */
interface Thread {
  readonly thread: { readonly x: number; readonly y: number; readonly z: number };
}

await using device = await openDevice({ engine: 'gpujs' });
console.log(`engine: ${device.info.engine}, gpu.js mode ${device.info.backend}: ${device.info.description}${device.info.isSoftware ? ' — a software adapter: CPU-emulated' : ''}`);

// @vectorize(['float32(float32, float32)']) def f(a, b): return a * a + b * b — as a JS kernel.
const sumOfSquares = device.jsKernel(
  function (this: Thread, a: Float32Array, b: Float32Array): number {
    // `as number` only satisfies noUncheckedIndexedAccess: gpu.js reads the function's source, and a
    // `?? 0` there would be translated too (it has no WGSL equivalent).
    const x = a[this.thread.x] as number;
    const y = b[this.thread.x] as number;
    return x * x + y * y;
  },
  { output: N },
);

// @guvectorize matmul '(m,n),(n,p)->(m,p)' — one thread per element of C (x: column, y: row).
const matmulJs = device.jsKernel(
  function (this: Thread, a: Float32Array, b: Float32Array, k: number): number {
    let s = 0;
    for (let p = 0; p < k; p++) s += (a[this.thread.y * k + p] as number) * (b[p * k + this.thread.x] as number);
    return s;
  },
  // gpu.js unrolls up to loopMaxIterations when the bound is not a constant.
  { output: [M, M], settings: { loopMaxIterations: 1024 } },
);

const xh = new Float32Array(N).map((_, i) => Math.sin(i));
const yh = new Float32Array(N).map((_, i) => Math.cos(i));
using x = device.array(xh);
using y = device.array(yh);
using s = sumOfSquares(x, y);
const sh = await s.toArray();
let vecErr = 0;
for (let i = 0; i < N; i++) {
  const xv = xh[i] ?? NaN;
  const yv = yh[i] ?? NaN;
  vecErr = Math.max(vecErr, Math.abs((sh[i] ?? NaN) - (xv * xv + yv * yv)));
}
console.log(`vectorize  a² + b² over ${N} elements: s[0..3] = ${Array.from(sh.subarray(0, 4), (v) => v.toFixed(4)).join(' ')} (sin² + cos² = 1), max error ${vecErr.toExponential(1)}`);

const ah = new Float32Array(M * M).map((_, i) => ((i * 37) % 11) - 5);
const bh = new Float32Array(M * M).map((_, i) => ((i * 13) % 7) - 3);
using a = device.array(ah);
using b = device.array(bh);
const t0 = performance.now();
using c = matmulJs(a, b, M);
const ch = await c.toArray();
const jsMs = performance.now() - t0;
using cLib = matmul(a, b, { m: M, k: M, n: M }); // the library's matmul runs on gpujs too
const libh = await cLib.toArray();
const ref = matmulCpu(ah, bh, M, M, M);
let mmErr = 0;
for (let i = 0; i < ref.length; i++) mmErr = Math.max(mmErr, Math.abs((ch[i] ?? NaN) - (ref[i] ?? NaN)), Math.abs((libh[i] ?? NaN) - (ref[i] ?? NaN)));
console.log(`guvectorize matmul ${M}×${M}: C shape [${c.shape.join(', ')}], C[0][0..3] = ${Array.from(ch.subarray(0, 4)).join(' ')}, first run ${jsMs.toFixed(0)} ms (includes gpu.js translating the function)`);

// Integer-valued inputs: every product and partial sum is exact in f32, so the result must be exact.
const ok = vecErr < 1e-6 && mmErr === 0;
console.log(`check: ${ok ? 'ok' : 'FAILED'} (2 JS kernels on gpu.js ${device.info.backend}, element-wise max error ${vecErr.toExponential(1)}, matmul exact)`);
if (!ok) process.exitCode = 1;
