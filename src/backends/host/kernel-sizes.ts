/**
 * What the host engine's gpu.js kernels check up front (the sizes gpu.js can hold) and how they store their
 * results: shared by the host implementations of the ops (src/backends/host/ops.ts, ops/*.ts).
 */
import type { DeviceArray } from '../../buffers/device-array.js';
import type { HostArray } from '../../buffers/dtype.js';
import type { HostContext } from './context.js';
import { LimitError } from '../../errors.js';
import { backendOf } from './gpujs.js';

/**
 * Refuses, up front, what a gpu.js kernel cannot hold, so it fails when the op is called (a LimitError
 * naming the limit, as Dawn's ops do) instead of when the queue runs:
 * - webgpu mode binds each array a kernel takes, and its output, as one storage buffer;
 * - webasm mode lays all of them (16-byte aligned, 16 bytes per scalar) into one WebAssembly memory.
 * `arrays` lists [what, bytes] of every array argument and the output; `scalars` counts number arguments.
 */
export function checkKernelSizes(op: string, host: HostContext, arrays: readonly (readonly [string, number])[], scalars: number): void {
  const { binding: perArray, memory } = backendOf(host);
  if (perArray !== null) {
    for (const [what, bytes] of arrays) {
      if (bytes > perArray.bytes) throw new LimitError(perArray.limit, bytes, perArray.bytes, `${op}: ${what} (${bytes} bytes), one storage buffer in gpu.js's webgpu mode`);
    }
  }
  if (memory !== null) {
    const total = arrays.reduce((t, [, bytes]) => t + Math.ceil(bytes / 16) * 16, 16 * scalars);
    if (total > memory.bytes) throw new LimitError(memory.limit, total, memory.bytes, `${op}: ${arrays.map(([what]) => what).join(', ')} (${total} bytes in all), in one WebAssembly memory in gpu.js's webasm mode`);
  }
}

/** [what, bytes] of an array for {@link checkKernelSizes}. */
export function sized(name: string, a: DeviceArray): readonly [string, number] {
  return [`'${name}' (${a.length} ${a.dtype})`, a.length * 4];
}

/** [what, bytes] of a kernel's f32 output of `n` cells. */
export function result(n: number, what = 'the result'): readonly [string, number] {
  return [`${what} (${n} f32)`, n * 4];
}

/** Stores `r` (the f32 result of a gpu.js kernel, or a CPU loop's) into `dst` on the queue. */
export function enqueueInto(host: HostContext, dst: HostArray, compute: () => HostArray | Promise<HostArray>): void {
  host.enqueue(() => {
    const r = compute();
    if (r instanceof Promise) {
      return r.then((v) => {
        dst.set(v.subarray(0, dst.length));
      });
    }
    dst.set(r.subarray(0, dst.length));
  });
}
