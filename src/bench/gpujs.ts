/**
 * gpu.js as a `gpukit bench` contender: the same op through gpukit's API on a gpujs device, once per gpu.js
 * mode — `gpujs-webgpu` (gpu.js's WGSL on the same Dawn adapter, so the report shows gpukit's WGSL against
 * gpu.js's on one adapter) and `gpujs-webasm` (WebAssembly SIMD, threaded). Only ops whose gpujs
 * implementation is a gpu.js kernel are listed (axpy, sum, dot, matmul); the others run on the CPU there
 * and would measure nothing new. Timed end to end by the harness's wall clock (upload, kernel, readback),
 * like gpukit's own end-to-end contender. gpu.js is loaded only when a gpujs contender's setup runs.
 */
import { axpy, dot, matmul, openDevice, sum, type GpuDevice, type GpujsMode } from '../index.js';
import type { DeviceArray } from '../buffers/device-array.js';
import { registerContender, type BenchOp, type Contender } from './contender.js';

const devices = new Map<GpujsMode, Promise<GpuDevice>>();

function deviceFor(mode: GpujsMode): Promise<GpuDevice> {
  let d = devices.get(mode);
  if (d === undefined) devices.set(mode, (d = openDevice({ engine: 'gpujs', gpujsMode: mode })));
  return d;
}

/** Closes the gpujs devices the contenders opened (call once the bench is done). */
export async function closeGpujsContenders(): Promise<void> {
  const all = [...devices.values()];
  devices.clear();
  filled.clear();
  for (const d of all) await (await d).close();
}

const filled = new Map<string, Float32Array>();

/** Deterministic inputs, made once per (length, seed): every round of the sweep uploads the same data. */
function fillUnit(len: number, seed: number): Float32Array {
  const key = `${String(len)}/${String(seed)}`;
  const kept = filled.get(key);
  if (kept !== undefined) return kept;
  const a = new Float32Array(len);
  filled.set(key, a);
  let s = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < len; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = (s >>> 8) / 16777216 - 0.5;
  }
  return a;
}

type Run = (inputs: DeviceArray[], n: number) => DeviceArray;

const OPS: Record<string, { inputs: number; len: (n: number) => number; run: Run }> = {
  axpy: { inputs: 2, len: (n) => n, run: ([x, y]) => axpy(2, x as DeviceArray, y as DeviceArray) },
  sum: { inputs: 1, len: (n) => n, run: ([x]) => sum(x as DeviceArray) },
  dot: { inputs: 2, len: (n) => n, run: ([x, y]) => dot(x as DeviceArray, y as DeviceArray) },
  matmul: {
    inputs: 2,
    len: (n) => n,
    run: ([a, b], n) => {
      const side = Math.round(Math.sqrt(n));
      return matmul(a as DeviceArray, b as DeviceArray, { m: side, k: side, n: side });
    },
  },
};

function contender(op: BenchOp, mode: GpujsMode): Contender {
  const spec = OPS[op.name];
  if (spec === undefined) throw new Error(`no gpu.js contender for ${op.name}`);
  let device: GpuDevice | undefined;
  let inputs: DeviceArray[] = [];
  let n = 0;
  return {
    name: `gpujs-${mode}`,
    role: 'other',
    method: `wall clock, end to end through gpukit's gpujs engine (gpu.js ${mode}): upload excluded, kernel and readback included`,
    async setup(size: number) {
      device = await deviceFor(mode);
      n = size;
      const len = spec.len(size);
      inputs = Array.from({ length: spec.inputs }, (_, i) => (device as GpuDevice).array(fillUnit(len, 17 + i)));
      await device.sync();
    },
    async run() {
      const out = spec.run(inputs, n);
      // axpy writes y in place and returns it: read it back, but never destroy an input.
      const r = await out.toArray();
      if (!inputs.includes(out)) out.destroy();
      return r.length;
    },
    teardown() {
      for (const a of inputs) a.destroy();
      inputs = [];
    },
  };
}

let registered = false;

/** Adds the gpu.js contenders (webgpu and webasm modes) to the ops gpu.js runs as kernels. Idempotent. */
export function registerGpujsContenders(modes: readonly GpujsMode[] = ['webgpu', 'webasm']): void {
  if (registered) return;
  registered = true;
  for (const name of Object.keys(OPS)) {
    for (const mode of modes) registerContender(name, (_env, op) => contender(op, mode));
  }
}
