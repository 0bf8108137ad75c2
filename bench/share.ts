/**
 * Sharing the GPU with TF.js: a small TF.js model (an MLP, dense 64→128 ReLU → 128→256, on TF.js's WebGPU
 * backend) followed by gpukit post-processing (softmax over the classes, top-5 per row, a histogram of the top-1
 * probabilities), two ways on one device, at three batch sizes, interleaved call by call:
 *   shared:    the logits tensor becomes a gpukit array with no host copy (fromTensor), the post-processing
 *              runs on it, only its small results are read back
 *   readback:  the logits are read to the host (`await tensor.data()`) and uploaded again (`device.array`),
 *              then the same post-processing: what two libraries on separate devices must do
 * Each call includes the model's forward pass; the medians are printed side by side with the bytes the shared
 * path does not move (the logits, down and up again) and what that saves per call.
 * Then ONNX Runtime's helpers, which copy once each way (its GPU lives inside its native binding): the medians of
 * toOrtTensor (device → host) and fromOrtTensor (host → device, until the upload is done) at the same sizes.
 *
 *   npx tsx bench/share.ts [--batches 256,2048,16384] [--calls 9]
 */
import * as tf from '@tensorflow/tfjs-core';
import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { describeAdapter, histogram, openDevice, softmax, topk, type DeviceArray } from '../src/index.js';
import * as ort from 'onnxruntime-node';
import { fromOrtTensor, fromTensor, setTfjsBackend, toOrtTensor, type TfLike } from '../src/interop/index.js';

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? dflt) : dflt;
};
const BATCHES = arg('batches', '256,2048,16384').split(',').map(Number);
const CALLS = Number(arg('calls', '9'));
const [IN, HIDDEN, CLASSES, K] = [64, 128, 256, 5];

await using device = await openDevice({ engine: 'dawn' });
const TF = tf as unknown as TfLike;
await setTfjsBackend(TF, WebGPUBackend, device);
const w1 = tf.randomNormal([IN, HIDDEN], 0, 0.2, 'float32', 1);
const w2 = tf.randomNormal([HIDDEN, CLASSES], 0, 0.2, 'float32', 2);

/** gpukit's post-processing of the logits: small results only come back. */
async function post(logits: DeviceArray): Promise<number> {
  using p = softmax(logits, { axis: -1 });
  const top = topk(p, K);
  using values = top.values;
  using indices = top.indices;
  using best = values.slice(null, 0).contiguous();
  const h = histogram(best, { bins: 10, lo: 0, hi: 1 });
  using counts = h.counts;
  using outside = h.outside;
  const [c, o] = await Promise.all([counts.toArray(), outside.toArray(), indices.toArray()]);
  return c.reduce((a, b) => a + b, 0) + (o[0] ?? 0) + (o[2] ?? 0); // every row counted once
}

function model(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.matMul(tf.relu(tf.matMul(x, w1)), w2));
}

async function shared(x: tf.Tensor): Promise<number> {
  const logits = model(x);
  using arr = fromTensor(TF, logits, device);
  logits.dispose();
  return await post(arr);
}

async function readback(x: tf.Tensor): Promise<number> {
  const logits = model(x);
  const host = (await logits.data()) as Float32Array;
  const shape = logits.shape;
  logits.dispose();
  using arr = device.array(host, { shape });
  return await post(arr);
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};

console.log(`# TF.js model + gpukit post-processing on ${describeAdapter(device.info)}`);
console.log(`# MLP ${IN}→${HIDDEN}→${CLASSES}, then softmax, top-${K}, histogram of top-1; medians of ${CALLS} calls each, interleaved`);
console.log('batch     logits MiB   shared ms   readback ms   saved ms   saved %');
for (const batch of BATCHES) {
  const x = tf.randomUniform([batch, IN], -1, 1, 'float32', 3);
  for (const f of [shared, readback]) if ((await f(x)) !== batch) throw new Error(`${f.name}: the histogram lost rows`);
  const times: Record<string, number[]> = { shared: [], readback: [] };
  for (let c = 0; c < CALLS; c++) {
    for (const f of c % 2 === 0 ? [shared, readback] : [readback, shared]) {
      const t0 = performance.now();
      await f(x);
      times[f.name]?.push(performance.now() - t0);
    }
  }
  x.dispose();
  const s = median(times['shared'] ?? []);
  const r = median(times['readback'] ?? []);
  const mib = (batch * CLASSES * 4) / 2 ** 20;
  console.log(`${String(batch).padEnd(9)} ${mib.toFixed(2).padStart(10)}   ${s.toFixed(2).padStart(9)}   ${r.toFixed(2).padStart(11)}   ${(r - s).toFixed(2).padStart(8)}   ${((100 * (r - s)) / r).toFixed(0).padStart(6)}`);
}
w1.dispose();
w2.dispose();
tf.engine().reset();

console.log('\n# ONNX Runtime helpers: one copy each way; medians of the same number of calls');
console.log('elements     MiB   toOrtTensor ms   GB/s   fromOrtTensor ms   GB/s');
for (const batch of BATCHES) {
  const n = batch * CLASSES;
  using x = device.random.uniform([batch, CLASSES], { seed: 5 });
  const to: number[] = [];
  const from: number[] = [];
  await toOrtTensor(ort, x); // warm-up
  for (let c = 0; c < CALLS; c++) {
    let t0 = performance.now();
    const t = await toOrtTensor(ort, x);
    to.push(performance.now() - t0);
    t0 = performance.now();
    const back = fromOrtTensor(device, t);
    await device.sync();
    from.push(performance.now() - t0);
    back.destroy();
  }
  const [a, b] = [median(to), median(from)];
  const gbs = (ms: number): string => ((n * 4) / (ms * 1e6)).toFixed(2);
  console.log(`${String(n).padEnd(10)} ${((n * 4) / 2 ** 20).toFixed(2).padStart(6)}   ${a.toFixed(2).padStart(14)}   ${gbs(a).padStart(4)}   ${b.toFixed(2).padStart(16)}   ${gbs(b).padStart(4)}`);
}
