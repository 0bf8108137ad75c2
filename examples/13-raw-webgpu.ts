/**
 * Recipe 13 — raw WebGPU on gpukit's device: your own pipeline (your WGSL, your bind groups, your command
 * encoder) on `device.gpu`, passing buffers back and forth with gpukit's ops and no copy:
 *   gpukit → you:  `exportBuffer(y)` leases y's buffer to you (gpukit will not reuse it until you release it);
 *                  `await device.flush()` puts gpukit's queued work on the queue before yours
 *   you → gpukit:  `wrapBuffer(device, buffer, { dtype, shape })` makes your buffer a gpukit array; what you
 *                  submitted before gpukit's next batch is what it reads
 *
 * Run: npx tsx examples/13-raw-webgpu.ts
 */
import { multiply, openDevice, sum } from '../src/index.js';
import { exportBuffer, wrapBuffer } from '../src/interop/index.js';

await using device = await openDevice({ engine: 'dawn' });
const gpu = device.gpu; // the GPUDevice itself
const N = 1000;

// gpukit makes y = x², x = 0, 1/999, ..., 1.
using x = device.linspace(0, 1, N);
using y = multiply(x, x);

// Your pipeline: out[i] = 3 * y[i] + 1, in your own WGSL.
const module = gpu.createShaderModule({
  code: /* wgsl */ `
    @group(0) @binding(0) var<storage, read> y: array<f32>;
    @group(0) @binding(1) var<storage, read_write> out: array<f32>;
    @compute @workgroup_size(64) fn main(@builtin(global_invocation_id) id: vec3u) {
      if (id.x < arrayLength(&out)) { out[id.x] = 3.0 * y[id.x] + 1.0; }
    }`,
});
const pipeline = gpu.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
const out = gpu.createBuffer({ label: 'mine', size: N * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });

{
  using lease = exportBuffer(y); // y's buffer, held for you until the end of this block
  await device.flush(); // gpukit's x and y are on the queue before your pass
  const bind = gpu.createBindGroup({
    layout: pipeline.getBindGroupLayout(0),
    entries: [
      { binding: 0, resource: { buffer: lease.buffer, offset: lease.byteOffset, size: lease.byteLength } },
      { binding: 1, resource: { buffer: out } },
    ],
  });
  const enc = gpu.createCommandEncoder({ label: 'my pass' });
  const pass = enc.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bind);
  pass.dispatchWorkgroups(Math.ceil(N / 64));
  pass.end();
  gpu.queue.submit([enc.finish()]); // submitted now: gpukit's next batch runs after it
}

// Back to gpukit, no copy: your buffer as an array, reduced by gpukit.
using mine = wrapBuffer(device, out, { dtype: 'f32', shape: [N] });
using total = sum(mine);
const got = await total.item();
// Σ (3 (i/999)² + 1) for i = 0..999, in float64.
let expected = 0;
for (let i = 0; i < N; i++) expected += 3 * (i / (N - 1)) ** 2 + 1;
const relErr = Math.abs(got - expected) / expected;
console.log(`engine: ${device.info.engine}; a WGSL pipeline of its own on device.gpu, between gpukit's linspace/multiply and sum`);
console.log(`sum(3·y + 1) = ${got.toFixed(3)} (float64 closed loop ${expected.toFixed(3)}, relative error ${relErr.toExponential(1)})`);
mine.destroy();
out.destroy(); // yours to destroy, after gpukit's read of it has completed (item() waited for that)
if (relErr > 1e-5) {
  console.log('check: FAILED');
  process.exit(1);
}
console.log(`check: ok (${N} elements through your pipeline, relative error below 1e-5)`);
