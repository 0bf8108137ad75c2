/**
 * Recipe 10 — A dense network's forward pass without WGSL: X (4096×512) · W1 + b1, ReLU, · W2 + b2, a row
 * softmax and a row argmax — NumPy-style shapes, broadcasting and axis reductions, on either engine
 * (`GPUKIT_ENGINE=gpujs npx tsx examples/10-mlp.ts` runs the same code on gpu.js / the CPU).
 *
 * Run: npx tsx examples/10-mlp.ts
 */
import { add, argmax, matmul, openDevice, relu, softmax } from '../src/index.js';

const [N, D, H, C] = [4096, 512, 64, 10];
const rand = (n: number, seed: number): Float32Array => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + seed) * 0.5);
const [xh, w1h, b1h, w2h, b2h] = [rand(N * D, 1), rand(D * H, 2), rand(H, 3), rand(H * C, 4), rand(C, 5)];

await using device = await openDevice();
// --- the user code: 12 lines --------------------------------------------------------------------------
using X = device.array(xh, { shape: [N, D] });
using W1 = device.array(w1h, { shape: [D, H] });
using W2 = device.array(w2h, { shape: [H, C] });
using b1 = device.array(b1h);
using b2 = device.array(b2h);
using z1 = matmul(X, W1); // (4096, 64)
using a1 = add(z1, b1); // the bias row broadcasts over the rows
using h = relu(a1);
using z2 = matmul(h, W2); // (4096, 10)
using logits = add(z2, b2);
using probs = softmax(logits, { axis: 1 });
using label = argmax(probs, { axis: 1 }); // (4096,) i32
const [p, l] = [await probs.toArray(), await label.toArray()];
// -------------------------------------------------------------------------------------------------------

// The same forward pass in float64 on the CPU.
let worst = 0;
let agree = 0;
for (let i = 0; i < N; i++) {
  const hid = Array.from({ length: H }, (_, j) => Math.max(0, (b1h[j] ?? 0) + Array.from({ length: D }, (_, k) => (xh[i * D + k] ?? 0) * (w1h[k * H + j] ?? 0)).reduce((s, v) => s + v, 0)));
  const lg = Array.from({ length: C }, (_, c) => (b2h[c] ?? 0) + hid.reduce((s, v, j) => s + v * (w2h[j * C + c] ?? 0), 0));
  const m = Math.max(...lg);
  const e = lg.map((v) => Math.exp(v - m));
  const z = e.reduce((s, v) => s + v, 0);
  e.forEach((v, c) => (worst = Math.max(worst, Math.abs(v / z - (p[i * C + c] ?? NaN)))));
  if (lg.indexOf(m) === l[i]) agree++;
}
console.log(`engine: ${device.info.engine}; probs ${probs.shape.join('×')}, labels ${label.shape.join('')}`);
if (!(worst < 1e-4) || agree < N - 2) throw new Error(`mismatch: worst probability error ${worst}, ${agree}/${N} labels agree`);
console.log(`check: ok (worst probability error ${worst.toExponential(1)}, ${agree}/${N} labels agree with float64)`);
