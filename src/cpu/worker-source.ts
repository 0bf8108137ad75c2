/**
 * The source of a CPU pool worker, as plain JavaScript evaluated by `new Worker(src, { eval: true })`.
 * A string rather than a module file, because a worker file would need its own build step: the same
 * code must run from src/ under tsx, under vitest, and from dist/. The loops repeat those of loops.ts
 * (the tests compare the pool with them).
 *
 * Protocol (no postMessage round trip on the hot path): the main thread posts the job on this worker's
 * MessagePort, bumps ctrl[2w] and notifies; the worker wakes from Atomics.wait, takes the job with
 * receiveMessageOnPort, runs it, writes its number into results[w], stores the sequence number into
 * ctrl[2w + 1] and notifies. Arrays in jobs are views of SharedArrayBuffers, so nothing is copied.
 */
export const WORKER_SOURCE = String.raw`
const { workerData, receiveMessageOnPort } = require('node:worker_threads');
const { port, ctrl, results, index } = workerData;
const SEQ = 2 * index, DONE = 2 * index + 1;

function axpy(a, x, y, lo, hi) { for (let i = lo; i < hi; i++) y[i] = a * x[i] + y[i]; return 0; }
function sum(x, lo, hi) {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, i = lo;
  for (; i + 3 < hi; i += 4) { s0 += x[i]; s1 += x[i + 1]; s2 += x[i + 2]; s3 += x[i + 3]; }
  for (; i < hi; i++) s0 += x[i];
  return s0 + s1 + s2 + s3;
}
function dot(x, y, lo, hi) {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0, i = lo;
  for (; i + 3 < hi; i += 4) { s0 += x[i] * y[i]; s1 += x[i + 1] * y[i + 1]; s2 += x[i + 2] * y[i + 2]; s3 += x[i + 3] * y[i + 3]; }
  for (; i < hi; i++) s0 += x[i] * y[i];
  return s0 + s1 + s2 + s3;
}
function scan(x, out, lo, hi, offset) { let s = offset; for (let i = lo; i < hi; i++) { s += x[i]; out[i] = s; } return s; }
function radix(keys, scratch, lo, hi) {
  const n = hi - lo; if (n < 2) return 0;
  const count = new Uint32Array(2048);
  let src = keys, dst = scratch, so = lo, d0 = lo;
  for (let shift = 0; shift < 33; shift += 11) {
    count.fill(0);
    for (let i = 0; i < n; i++) count[(src[so + i] >>> shift) & 2047]++;
    let s = 0; for (let b = 0; b < 2048; b++) { const c = count[b]; count[b] = s; s += c; }
    for (let i = 0; i < n; i++) { const k = src[so + i]; const b = (k >>> shift) & 2047; dst[d0 + count[b]] = k; count[b]++; }
    const t = src; src = dst; dst = t; const o = so; so = d0; d0 = o;
  }
  keys.set(src.subarray(so, so + n), lo);
  return 0;
}
function merge(src, aLo, aHi, bLo, bHi, dst, o) {
  let i = aLo, j = bLo;
  while (i < aHi && j < bHi) { const x = src[i], y = src[j]; if (y < x) { dst[o++] = y; j++; } else { dst[o++] = x; i++; } }
  while (i < aHi) dst[o++] = src[i++];
  while (j < bHi) dst[o++] = src[j++];
  return 0;
}
function matmul(a, b, c, m, k, n, r0, r1) {
  for (let i = r0; i < r1; i++) {
    const ci = i * n; c.fill(0, ci, ci + n);
    for (let p = 0; p < k; p++) { const av = a[i * k + p]; const bp = p * n; for (let j = 0; j < n; j++) c[ci + j] += av * b[bp + j]; }
  }
  return 0;
}
function run(j) {
  switch (j.op) {
    case 'noop': return 0;
    case 'axpy': return axpy(j.a, j.x, j.y, j.lo, j.hi);
    case 'sum': return sum(j.x, j.lo, j.hi);
    case 'dot': return dot(j.x, j.y, j.lo, j.hi);
    case 'scan': return scan(j.x, j.out, j.lo, j.hi, j.offset);
    case 'radix': return radix(j.keys, j.scratch, j.lo, j.hi);
    case 'merge': return merge(j.src, j.aLo, j.aHi, j.bLo, j.bHi, j.dst, j.outLo);
    case 'matmul': return matmul(j.a, j.b, j.c, j.m, j.k, j.n, j.r0, j.r1);
    default: throw new Error('gpukit cpu pool: unknown job ' + j.op);
  }
}
let seq = 0;
for (;;) {
  Atomics.wait(ctrl, SEQ, seq);
  seq = Atomics.load(ctrl, SEQ);
  const m = receiveMessageOnPort(port);
  const job = m === undefined ? { op: 'noop' } : m.message;
  if (job.op === 'exit') { Atomics.store(ctrl, DONE, seq); Atomics.notify(ctrl, DONE); break; }
  try { results[index] = run(job); } catch (e) { results[index] = NaN; console.error(e); }
  Atomics.store(ctrl, DONE, seq);
  Atomics.notify(ctrl, DONE);
}
port.close();
`;
