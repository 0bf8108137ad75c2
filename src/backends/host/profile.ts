import type { HostContext } from './context.js';
import { describeAdapter } from '../../device/info.js';
import { GpukitError } from '../../errors.js';
import { now, type PhaseTiming, type Profile } from '../../timing/profiler.js';

/**
 * `device.profile()` on the gpujs engine. There are no GPU timestamps here: every figure is wall clock on
 * the host, and says so. "kernel" is the time the device's queue spent running tasks (gpu.js kernels
 * including their own uploads and readbacks, and the CPU-side ops).
 */
export async function profileHost<T>(host: HostContext, fn: () => Promise<T> | T): Promise<Profile<T>> {
  host.assertUsable();
  if (host.sink !== null) throw new GpukitError('a profile is already recording on this device; profiles do not nest');
  await host.sync();
  let uploadMs = 0;
  let uploadBytes = 0;
  let downloadMs = 0;
  let downloadBytes = 0;
  const kernels = new Map<string, { dispatches: number; ms: number }>();
  host.sink = {
    kernel: (label, ms, dispatches) => {
      const k = kernels.get(label) ?? { dispatches: 0, ms: 0 };
      k.dispatches += dispatches;
      k.ms += ms;
      kernels.set(label, k);
    },
    compile: () => undefined,
    upload: (bytes, ms) => {
      uploadBytes += bytes;
      uploadMs += ms;
    },
    download: (bytes, ms) => {
      downloadBytes += bytes;
      downloadMs += ms;
    },
  };
  const busy0 = host.busyMs;
  const tasks0 = host.tasks;
  const t0 = now();
  let result: T;
  let wallMs: number;
  try {
    result = await fn();
    // The chains fn recorded (fusion) and left for later are computed inside the profile, as on Dawn.
    host.fusion?.flushRoots();
    await host.sync();
    wallMs = now() - t0;
  } finally {
    host.sink = null;
  }
  const kernelMs = host.busyMs - busy0;
  const phase = (ms: number, note: string, extra: { bytes?: number; count?: number } = {}): PhaseTiming => ({ ms, method: 'wall-clock', note, ...extra });
  return {
    result,
    phases: {
      compile: phase(0, 'gpu.js compiles inside the first run of each kernel: counted in kernel'),
      upload: phase(uploadMs, 'host copy into the array (gpujs arrays live in host memory)', { bytes: uploadBytes }),
      kernel: phase(kernelMs, `gpujs engine (${host.info.backend}): wall clock of the device queue's tasks, gpu.js transfers included`, { count: host.tasks - tasks0 }),
      download: phase(downloadMs, 'host copy out of the array, after earlier work finished', { bytes: downloadBytes }),
      host: phase(Math.max(0, wallMs - uploadMs - downloadMs - kernelMs), 'wall time outside the other phases'),
      wall: phase(wallMs, 'the whole profiled function, until the queue finished'),
    },
    // Each op (a fused chain is one: `elementwise|fused(sub,mul,exp)|f32`) with its calls and the wall
    // clock of its tasks on the queue.
    kernels: [...kernels].map(([label, k]) => ({ label, dispatches: k.dispatches, ms: k.ms })),
    adapter: describeAdapter(host.info),
    isSoftware: host.info.isSoftware,
  };
}
