/**
 * Recipe 6 — MapReduce (the cookbook's ReductionKernel recipe).
 *
 * `device.reduction()` builds a reduction from a map expression, an associative reduce of `a` and `b`,
 * its identity and an optional post-map, as PyCUDA's ReductionKernel does. It returns a device scalar
 * (a length-1 array) — reductions chain on the device, and only `.item()` waits.
 *
 * Here: the cookbook's dot product, a Euclidean norm, and a count, each checked against the library's
 * ready `dot` / `norm` and a float64 CPU loop.
 *
 * Run: npx tsx examples/06-mapreduce.ts
 */
import { dot, norm, openDevice } from '../src/index.js';

const N = 1 << 20;

// Raw WGSL needs the dawn engine; without an adapter this says so, and how to get one.
await using device = await openDevice({ engine: 'dawn' });

// map: x[i]*y[i]   reduce: a+b   identity: 0   — PyCUDA's ReductionKernel(..., neutral="0",
// reduce_expr="a+b", map_expr="x[i]*y[i]", arguments="float *x, float *y")
const dotKernel = await device.reduction({ name: 'my_dot', args: 'x: T[], y: T[]', map: 'x * y', reduce: 'a + b', identity: '0' });

// map: x², reduce: +, post-map: sqrt — a norm in one pass.
const normKernel = await device.reduction({ name: 'my_norm', args: 'x: T[]', map: 'x * x', reduce: 'a + b', identity: '0', post: 'sqrt(a)' });

// The accumulator may have its own type: count the elements above a threshold into a u32.
const countAbove = await device.reduction({ name: 'count_above', args: 'x: T[], t: f32', map: 'select(0u, 1u, x > params.t)', reduce: 'a + b', identity: '0u', type: 'u32' });

const xh = new Float32Array(N);
const yh = new Float32Array(N);
for (let i = 0; i < N; i++) {
  xh[i] = Math.sin(i * 0.001);
  yh[i] = Math.cos(i * 0.0007);
}
using x = device.array(xh);
using y = device.array(yh);

using d = dotKernel({ x, y });
using nx = normKernel({ x });
using cnt = countAbove({ x, t: 0.5 });
using dLib = dot(x, y);
using nLib = norm(x);

const [gDot, gNorm, gCount, lDot, lNorm] = await Promise.all([d.item(), nx.item(), cnt.item(), dLib.item(), nLib.item()]);

// Float64 CPU references.
let cDot = 0;
let cSq = 0;
let cCount = 0;
for (let i = 0; i < N; i++) {
  const xv = xh[i] ?? NaN;
  cDot += xv * (yh[i] ?? NaN);
  cSq += xv * xv;
  if (xv > 0.5) cCount++;
}
const cNorm = Math.sqrt(cSq);

// f32 accumulation of n terms: the error bound grows with n (the GPU folds in blocks, so ~ log n in practice).
const scale = Math.sqrt(cSq) * Math.sqrt(yh.reduce((s, v) => s + v * v, 0));
const relDot = Math.abs(gDot - cDot) / scale;
const relNorm = Math.abs(gNorm - cNorm) / cNorm;
console.log(`dot(x, y)   reduction ${gDot.toFixed(4)}   library dot ${lDot.toFixed(4)}   CPU (float64) ${cDot.toFixed(4)}`);
console.log(`|x|         reduction ${gNorm.toFixed(4)}   library norm ${lNorm.toFixed(4)}  CPU (float64) ${cNorm.toFixed(4)}`);
console.log(`#(x > 0.5)  reduction ${gCount}   CPU ${cCount}   (u32 accumulator: exact)`);
const ok = relDot < 1e-5 && relNorm < 1e-5 && gCount === cCount && Math.abs(lDot - gDot) <= 1e-5 * scale && Math.abs(lNorm - gNorm) <= 1e-5 * cNorm;
console.log(`check: ${ok ? 'ok' : 'FAILED'} (n = ${N}, dot error ${relDot.toExponential(1)} of |x|·|y|, norm rel. error ${relNorm.toExponential(1)}, count exact)`);
if (!ok) process.exitCode = 1;
