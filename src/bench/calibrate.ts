/**
 * Calibration: the adapter's own ceilings, measured with micro-kernels (kernels/calib-*.wgsl) — device
 * memory bandwidth (copy), arithmetic rate (FMA chains), dispatch round trip, upload and download
 * bandwidth. The roofline and the "why" sentences are stated against these, not against datasheets.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DeviceArray } from '../buffers/device-array.js';
import { engineTraits } from '../device/engines.js';
import type { GpuDevice } from '../gpu-device.js';
import { packageKernelsDir } from '../kernels/load.js';
import { median } from './stats.js';

/** One calibrated figure: its value, its unit, and how it was measured. */
export interface Ceiling {
  readonly value: number;
  readonly unit: string;
  readonly method: string;
  /**
   * `false` where the figure has no meaning on this engine (the gpujs engine runs no WGSL calibration kernels):
   * `value` is then NaN and `method` says why. Absent: measured.
   */
  readonly applicable?: false;
}

/** A ceiling that has no meaning on this device: NaN, with the reason as its method. */
function notApplicable(unit: string, why: string): Ceiling {
  return { value: NaN, unit, method: `not applicable: ${why}`, applicable: false };
}

export interface Calibration {
  /** Device-memory bandwidth from a vec4 copy kernel, GB/s (read + write bytes / kernel time). */
  readonly bandwidth: Ceiling;
  /** FMA throughput, GFLOP/s (an FMA counts as two FLOPs). */
  readonly flops: Ceiling;
  /** Empty-kernel dispatch round trip (submit → onSubmittedWorkDone), ms. */
  readonly dispatch: Ceiling;
  /** Host → device, GB/s (queue.writeBuffer until the queue is idle). */
  readonly upload: Ceiling;
  /** Device → host typed array, GB/s (copy to staging, mapAsync, copy into JS). */
  readonly download: Ceiling;
}

export interface CalibrateOptions {
  /** f32 elements per buffer for the bandwidth and transfer tests. @default 2^24 (64 MiB) */
  readonly elements?: number;
  /** Repetitions per figure (the median is kept). @default 7 */
  readonly reps?: number;
}

function kernelUrl(name: string): URL {
  return pathToFileURL(join(packageKernelsDir(), `${name}.wgsl`));
}

async function medianOf(reps: number, f: () => Promise<number>): Promise<number> {
  const v: number[] = [];
  for (let i = 0; i < reps; i++) v.push(await f());
  return median(v);
}

/** A ceiling is what the adapter can reach: the fastest of the repetitions, not the typical one. */
async function bestOf(reps: number, f: () => Promise<number>): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < reps; i++) best = Math.min(best, await f());
  return best;
}

/**
 * Measures the adapter's ceilings (a second or two on lavapipe).
 *
 * @example
 * ```ts
 * const c = await calibrate(device);
 * console.log(`${c.bandwidth.value.toFixed(1)} GB/s, ${c.flops.value.toFixed(0)} GFLOP/s`);
 * ```
 */
export async function calibrate(device: GpuDevice, options: CalibrateOptions = {}): Promise<Calibration> {
  const n = options.elements ?? 2 ** 24;
  const reps = options.reps ?? 7;
  if (!engineTraits(device.engine).runsWgsl) return calibrateHost(device, n, reps);
  const vec4s = Math.ceil(n / 4);
  const WG = device.info.isSoftware ? 8 : 256;
  const ITEMS = device.info.isSoftware ? 64 : 4;
  // Two blockings per adapter kind; the faster one sets the ceiling (lavapipe is non-monotonic in ITEMS).
  const copies = await Promise.all([ITEMS, ITEMS * 4].map((items) => device.kernel(kernelUrl('calib-copy'), { constants: { WG, ITEMS: items } }).then((k) => ({ k, items }))));
  const fmaWG = 64;
  const ITERS = 1024;
  const fma = await device.kernel(kernelUrl('calib-fma'), { constants: { WG: fmaWG, ITERS } });
  const empty = await device.kernel(kernelUrl('calib-empty'));

  const host = new Float32Array(n).fill(1);
  const arrays: DeviceArray[] = [];
  try {
    const src = device.array(host);
    const dst = device.empty(n);
    const one = device.zeros(1);
    arrays.push(src, dst, one);
    const fmaInvocations = device.info.isSoftware ? 2 ** 14 : 2 ** 20;
    const out = device.empty(fmaInvocations);
    arrays.push(out);
    const copyRun = (c: { k: Awaited<ReturnType<GpuDevice['kernel']>>; items: number }) => (): void => { c.k.run({ src, dst, params: { n: vec4s } }, { invocations: Math.ceil(vec4s / c.items) }); };
    const runFma = (): void => { fma.run({ out, params: { n: fmaInvocations, m: 0.999, c: 1e-3 } }, { invocations: fmaInvocations }); };
    // Warm: first dispatches pay for pipeline creation and page faults.
    for (const c of copies) copyRun(c)();
    runFma();
    empty.run({ out: one }, { workgroups: [1] });
    await device.sync();

    let copyMs = Infinity;
    let copyItems = ITEMS;
    for (const c of copies) {
      const t = await bestOf(reps, async () => (await device.profile(copyRun(c))).phases.kernel.ms);
      if (t < copyMs) [copyMs, copyItems] = [t, c.items];
    }
    const fmaMs = await bestOf(reps, async () => (await device.profile(runFma)).phases.kernel.ms);
    const rtMs = await medianOf(Math.max(reps, 15), async () => {
      const t0 = performance.now();
      empty.run({ out: one }, { workgroups: [1] });
      await device.sync();
      return performance.now() - t0;
    });
    const { upMs, downMs } = await transferMs(device, src, dst, host, reps);
    const bytes = n * 4;
    const flops = fmaInvocations * ITERS * 2 * 4 * 2;
    return {
      bandwidth: { value: (2 * vec4s * 16) / (copyMs * 1e6), unit: 'GB/s', method: `calib-copy.wgsl: vec4 copy of ${bytes / 2 ** 20} MiB (WG ${WG}, best of ${ITEMS} and ${ITEMS * 4} vec4/invocation: ${copyItems}), read + write bytes / GPU-timestamp kernel time, fastest of ${reps}` },
      flops: { value: flops / (fmaMs * 1e6), unit: 'GFLOP/s', method: `calib-fma.wgsl: ${fmaInvocations} invocations × 2 vec4 chains × ${ITERS} multiply-adds (2 FLOPs each) / GPU-timestamp kernel time, fastest of ${reps}` },
      dispatch: { value: rtMs, unit: 'ms', method: `calib-empty.wgsl: one-workgroup dispatch, wall clock from enqueue to device.sync() (onSubmittedWorkDone), median of ${Math.max(reps, 15)}` },
      upload: { value: bytes / (upMs * 1e6), unit: 'GB/s', method: `queue.writeBuffer of ${bytes / 2 ** 20} MiB from a Float32Array, wall clock until the queue is idle, median of ${reps}` },
      download: { value: bytes / (downMs * 1e6), unit: 'GB/s', method: `toArray() of ${bytes / 2 ** 20} MiB: copy to a staging buffer, mapAsync, copy into a new Float32Array; wall clock, median of ${reps}` },
    };
  } finally {
    for (const a of arrays) a.destroy();
  }
}

/** Median wall times of writing `host` into `src` (until the queue is idle) and of reading `dst` back. */
async function transferMs(device: GpuDevice, src: DeviceArray, dst: DeviceArray, host: Float32Array, reps: number): Promise<{ upMs: number; downMs: number }> {
  const upMs = await medianOf(reps, async () => {
    await device.sync();
    const t0 = performance.now();
    src.write(host);
    await device.sync();
    return performance.now() - t0;
  });
  const downMs = await medianOf(reps, async () => {
    const t0 = performance.now();
    await dst.toArray();
    return performance.now() - t0;
  });
  return { upMs, downMs };
}

/**
 * The gpujs engine's calibration: its arrays live in host memory, so upload and download are host copies
 * (timed as such); the copy-kernel bandwidth, the FMA rate and the empty-dispatch round trip are WGSL
 * micro-kernels, which this engine cannot run, and are marked not applicable (there is no roofline either).
 */
async function calibrateHost(device: GpuDevice, n: number, reps: number): Promise<Calibration> {
  const why = `the calibration kernels (kernels/calib-*.wgsl) are WGSL, which only the dawn engine runs; this device runs on gpujs (gpu.js ${device.info.backend})`;
  const host = new Float32Array(n).fill(1);
  const src = device.array(host);
  try {
    const { upMs, downMs } = await transferMs(device, src, src, host, reps);
    const bytes = n * 4;
    return {
      bandwidth: notApplicable('GB/s', why),
      flops: notApplicable('GFLOP/s', why),
      dispatch: notApplicable('ms', why),
      upload: { value: bytes / (upMs * 1e6), unit: 'GB/s', method: `gpujs engine: array.write() of ${bytes / 2 ** 20} MiB from a Float32Array into the device's host memory (a host-to-host copy), wall clock until device.sync(), median of ${reps}` },
      download: { value: bytes / (downMs * 1e6), unit: 'GB/s', method: `gpujs engine: toArray() of ${bytes / 2 ** 20} MiB from the device's host memory into a new Float32Array (a host-to-host copy), wall clock, median of ${reps}` },
    };
  } finally {
    src.destroy();
  }
}
