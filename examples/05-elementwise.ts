/**
 * Recipe 5 — Element-wise expressions (the cookbook's ElementwiseKernel recipes).
 *
 * `device.elementwise()` builds a kernel from typed arguments and a WGSL statement, as PyCUDA's and
 * PyOpenCL's ElementwiseKernel do: an array's name stands for its element at index `i`, `T` is the
 * element type of the arrays passed (f32, i32 or u32), outputs that are not passed are allocated.
 * gpukit writes the rest of the kernel — bindings, bounds check, a vec4 variant when the body allows it.
 *
 * Run: npx tsx examples/05-elementwise.ts
 */
import { DeviceArray, ShaderCompileError, openDevice } from '../src/index.js';

const N = 50_000;

/** A kernel with one output returns that array; with several, a record by name. */
function single(r: DeviceArray | Record<string, DeviceArray>): DeviceArray {
  if (r instanceof DeviceArray) return r;
  throw new TypeError('expected a single output');
}

// Raw WGSL needs the dawn engine; without an adapter this says so, and how to get one.
await using device = await openDevice({ engine: 'dawn' });

// The cookbook's lin_comb: z[i] = a*x[i] + b*y[i]
const linComb = await device.elementwise({ name: 'lin_comb', args: 'a: f32, x: T[], b: f32, y: T[], z: T[]', body: 'z = a * x + b * y' });

// Two outputs from one pass: polar to Cartesian.
const toCartesian = await device.elementwise({ name: 'polar', args: 'r: f32[], theta: f32[], px: f32[], py: f32[]', body: 'px = r * cos(theta); py = r * sin(theta)' });

// The same builder on integers: T becomes i32 because the arrays passed are Int32Arrays.
const clampShift = await device.elementwise({ name: 'clamp_shift', args: 'v: T[], lo: T, hi: T, out: T[]', body: 'out = clamp(v, lo, hi) << 1' });

const xh = new Float32Array(N);
const yh = new Float32Array(N);
const rh = new Float32Array(N);
const th = new Float32Array(N);
const vh = new Int32Array(N);
for (let i = 0; i < N; i++) {
  xh[i] = Math.sin(0.01 * i);
  yh[i] = Math.cos(0.02 * i);
  rh[i] = 1 + (i % 7);
  th[i] = (2 * Math.PI * i) / N;
  vh[i] = (i % 201) - 100;
}
using x = device.array(xh);
using y = device.array(yh);
using r = device.array(rh);
using theta = device.array(th);
using v = device.array(vh);

using z = single(linComb({ a: 5, x, b: 6, y }));
const polar = toCartesian({ r, theta });
if (polar instanceof DeviceArray) throw new TypeError('expected two outputs');
using px = polar['px'] ?? device.empty(0);
using py = polar['py'] ?? device.empty(0);
using clamped = single(clampShift({ v, lo: -50, hi: 50 }));

const [zh, pxh, pyh, ch] = await Promise.all([z.toArray(), px.toArray(), py.toArray(), clamped.toArray()]);
let maxError = 0;
let intMismatches = 0;
for (let i = 0; i < N; i++) {
  const xv = xh[i] ?? NaN;
  const yv = yh[i] ?? NaN;
  maxError = Math.max(maxError, Math.abs((zh[i] ?? NaN) - (5 * xv + 6 * yv)));
  // cos/sin on the device are accurate to a few ulp of |r| (WGSL allows more for large angles).
  maxError = Math.max(maxError, Math.abs((pxh[i] ?? NaN) - (rh[i] ?? NaN) * Math.cos(th[i] ?? NaN)) / 10);
  maxError = Math.max(maxError, Math.abs((pyh[i] ?? NaN) - (rh[i] ?? NaN) * Math.sin(th[i] ?? NaN)) / 10);
  if (ch[i] !== Math.min(50, Math.max(-50, vh[i] ?? 0)) * 2) intMismatches++;
}
console.log(`lin_comb   z = 5x + 6y      z[0..3] = ${Array.from(zh.subarray(0, 4), (e) => e.toFixed(4)).join(' ')}`);
console.log(`polar      (px, py)[1]      = (${(pxh[1] ?? NaN).toFixed(5)}, ${(pyh[1] ?? NaN).toFixed(5)}), two outputs, one kernel`);
console.log(`clamp_shift on i32          out[0..3] = ${Array.from(ch.subarray(0, 4)).join(' ')}`);

// A mistake in the body is a compile error that points into *your* text, not into generated code.
const bad = await device.elementwise({ name: 'typo', args: 'x: T[], y: T[]', body: 'y = x * 2.0 + offset' }).catch((e: unknown) => e);
const reported = bad instanceof ShaderCompileError;
console.log(`a typo in a body is a ${reported ? bad.name : 'NOT REPORTED'}:`);
if (reported) for (const line of bad.message.split('\n').slice(0, 4)) console.log(`  ${line}`);

// The generated WGSL is there to read (first lines of the scalar f32 variant).
console.log('generated WGSL for lin_comb (f32), first lines:');
for (const line of linComb.wgsl('f32', 1).split('\n').filter((l) => l.trim() !== '').slice(0, 6)) console.log(`  | ${line}`);

const ok = maxError < 1e-5 && intMismatches === 0 && reported;
console.log(`check: ${ok ? 'ok' : 'FAILED'} (3 kernels, ${N} elements each, max error ${maxError.toExponential(1)}, ${intMismatches} integer mismatches)`);
if (!ok) process.exitCode = 1;
