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
import { engineTraits } from '../device/engines.js';
import { registerContender, type BenchOp, type Contender } from './contender.js';
import { GPUJS_KERNEL_OPS, type GpujsKernelOp } from './gpujs-ops.js';

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
  for (const d of all) await (await d).close();
}

type Run = (inputs: DeviceArray[], n: number) => DeviceArray;

const OPS: Record<GpujsKernelOp, Run> = {
  axpy: ([x, y]) => axpy(2, x as DeviceArray, y as DeviceArray),
  sum: ([x]) => sum(x as DeviceArray),
  dot: ([x, y]) => dot(x as DeviceArray, y as DeviceArray),
  matmul: ([a, b], n) => {
    const side = Math.round(Math.sqrt(n));
    return matmul(a as DeviceArray, b as DeviceArray, { m: side, k: side, n: side });
  },
};

function contender(op: BenchOp, mode: GpujsMode): Contender {
  const run = (OPS as Partial<Record<string, Run>>)[op.name];
  if (run === undefined) throw new Error(`no gpu.js contender for ${op.name}`);
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
      // The op's own inputs: every contender sees the same data (the upload copies them).
      const d = device;
      inputs = op.hostInputs(size).map((h) => d.array(h));
      await d.sync();
    },
    async run() {
      const out = run(inputs, n);
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

/**
 * Whether gpu.js's webgpu mode has a Dawn adapter next to the bench's device: the device is Dawn's, or a gpujs
 * device that runs in webgpu mode. A gpujs device in another mode (Dawn found no adapter, or hidden) has none.
 */
export function hasDawnAdapter(device: GpuDevice): boolean {
  return engineTraits(device.engine).runsWgsl || device.info.backend === 'webgpu';
}

/**
 * Adds the gpu.js contenders (webgpu and webasm modes) to the ops gpu.js runs as kernels; `gpujs-webgpu` only
 * on a bench device with a Dawn adapter ({@link hasDawnAdapter}). Idempotent.
 */
export function registerGpujsContenders(modes: readonly GpujsMode[] = ['webgpu', 'webasm']): void {
  if (registered) return;
  registered = true;
  for (const name of GPUJS_KERNEL_OPS) {
    for (const mode of modes) registerContender(name, (env, op) => (mode === 'webgpu' && !hasDawnAdapter(env.device) ? undefined : contender(op, mode)));
  }
}
