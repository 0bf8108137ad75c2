/**
 * Recipe 12 — sharing the GPU with TensorFlow.js: a small TF.js model runs on TF.js's WebGPU backend on
 * gpukit's own device, and gpukit post-processes its output — softmax over the classes, top-5 per row (a sort
 * cut to k), a histogram of the top-1 probabilities — with no readback in between: the logits tensor becomes
 * a gpukit array over the tensor's own GPU buffer (`fromTensor`, zero-copy), and only the small results come back to the host. It measures
 * the copy that saves: reading the logits to the host and uploading them again, against the on-GPU handoff.
 *
 * Needs the dev dependencies @tensorflow/tfjs-core and @tensorflow/tfjs-backend-webgpu (4.22).
 * Run: npx tsx examples/12-tfjs-postprocess.ts
 */
import * as tf from '@tensorflow/tfjs-core';
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { histogram, openDevice, softmax, topk } from '../src/index.js';
import { fromTensor, setTfjsBackend, submitTfjs, type TfLike } from '../src/interop/index.js';

await using device = await openDevice({ engine: 'dawn' });
const TF = tf as unknown as TfLike;
await setTfjsBackend(TF, WebGPUBackend, device); // TF.js now runs on device.gpu
const [BATCH, IN, HIDDEN, CLASSES] = [4096, 64, 128, 256];

// The model: a two-layer MLP with fixed random weights (TF.js ops on TF.js's WebGPU backend).
const w1 = tf.randomNormal([IN, HIDDEN], 0, 0.2, 'float32', 1);
const w2 = tf.randomNormal([HIDDEN, CLASSES], 0, 0.2, 'float32', 2);
const x = tf.randomUniform([BATCH, IN], -1, 1, 'float32', 3);
const run = (): tf.Tensor => tf.tidy(() => tf.matMul(tf.relu(tf.matMul(x, w1)), w2));
/** Waits until the GPU finished everything TF.js queued (TF.js batches its commands: submit them first). */
async function modelDone(): Promise<void> {
  submitTfjs(TF);
  await device.gpu.queue.onSubmittedWorkDone();
}

// --- the shared path: logits → gpukit on the GPU, post-processing, small results only --------------
const logits = run();
await modelDone();
let t0 = performance.now();
using scores = fromTensor(TF, logits, device); // zero-copy: the array is the tensor's own GPU buffer
await device.sync();
const handoffMs = performance.now() - t0;
using probs = softmax(scores, { axis: -1 });
const top = topk(probs, 5);
using values = top.values;
using indices = top.indices;
using best = values.slice(null, 0).contiguous(); // top-1 probability of each row
const h = histogram(best, { bins: 10, lo: 0, hi: 1 });
using counts = h.counts;
using outside = h.outside;
const [hist, idx, out] = await Promise.all([counts.toArray(), indices.toArray(), outside.toArray()]);

// --- what a readback in between costs: the logits down to the host and up again ----------------------
t0 = performance.now();
const host = (await logits.data()) as Float32Array;
using again = device.array(host, { shape: logits.shape });
await device.sync();
const copyMs = performance.now() - t0;

// --- check: the same top-1 classes and histogram from the host copy, computed on the CPU in float64 ------
let histOk = true;
const cpuHist = new Array<number>(10).fill(0);
let topOk = true;
for (let r = 0; r < BATCH; r++) {
  let m = -Infinity;
  let arg = 0;
  for (let c = 0; c < CLASSES; c++) {
    const v = host[r * CLASSES + c] ?? NaN;
    if (v > m) [m, arg] = [v, c];
  }
  let z = 0;
  for (let c = 0; c < CLASSES; c++) z += Math.exp((host[r * CLASSES + c] ?? NaN) - m);
  const p1 = 1 / z;
  const bin = Math.min(9, Math.floor(p1 * 10));
  cpuHist[bin] = (cpuHist[bin] ?? 0) + 1;
  if (idx[r * 5] !== arg) topOk = false;
}
// A probability within float32 rounding of a bin edge may land in either bin: allow a few such rows.
const binDiff = hist.reduce((s, c, i) => s + Math.abs(c - (cpuHist[i] ?? 0)), 0);
if (binDiff > 4 || (out[0] ?? 1) + (out[1] ?? 1) + (out[2] ?? 1) !== 0) histOk = false;
const mib = (BATCH * CLASSES * 4) / 2 ** 20;
console.log(`engine: ${device.info.engine}; TF.js backend: ${tf.getBackend()}; logits ${BATCH}×${CLASSES} (${mib.toFixed(1)} MiB)`);
console.log(`top-1 probability histogram (10 bins over [0, 1]): ${[...hist].join(' ')}`);
console.log(`handoff on the GPU (fromTensor, zero-copy): ${handoffMs.toFixed(2)} ms`);
console.log(`readback in between (tensor.data() + device.array): ${copyMs.toFixed(2)} ms for ${((host.byteLength + again.byteLength) / 2 ** 20).toFixed(1)} MiB moved — the copy this recipe saves`);
logits.dispose();
x.dispose();
w1.dispose();
w2.dispose();
tf.engine().reset();
if (!topOk || !histOk) {
  console.log(`check: FAILED (top-1 ${topOk ? 'ok' : 'differs'}, histogram ${histOk ? 'ok' : `off by ${binDiff}`})`);
  process.exit(1);
}
console.log(`check: ok (top-1 of ${BATCH} rows as the CPU finds them; histogram within ${binDiff} edge rows)`);
