/**
 * The one boundary between gpukit's engine-neutral layers (arrays, ops) and its engines. Each engine is a
 * backend: `src/backends/dawn/` (WGSL on WebGPU through Dawn) and `src/backends/host/` (gpu.js kernels and
 * CPU loops over host memory). An array holds its backend and an opaque {@link Storage} the backend made;
 * an op asks it to run the op's manifest ({@link Backend.run}), and the backend picks its own
 * implementation; a device delegates its memory, its queue and its kernels to it. Nothing outside
 * `src/backends/` asks which engine it is on.
 */
import type { EngineName, DeviceInfo } from '../device/info.js';
import type { OpManifest } from '../ops/manifest.js';
import type { ArrayFill, DeviceArray, ReadOptions } from '../buffers/device-array.js';
import type { Storage } from '../buffers/storage.js';
import type { DType, HostArray, StoredArrayOf } from '../buffers/dtype.js';
import type { Budget, MemoryStats } from './dawn/pool.js';
import type { DeviceContext } from './dawn/context.js';
import type { HostContext } from './host/context.js';
import type { Kernel, KernelOptions } from './dawn/kernel.js';
import type { Profile } from '../timing/profiler.js';
import type { Streamer, StreamJob, StreamRoute, UploadSlot } from '../buffers/stream.js';

/** The pool behind a backend's arrays, as a device reports and tunes it. */
export interface BackendPool {
  readonly stats: MemoryStats;
  maxCachedBytes: number;
  trim(): void;
  setBudget(budget: Budget): void;
}

/**
 * How a backend streams host arrays through its memory (src/buffers/stream.ts holds the engine-neutral
 * part: plans, rings, routing, the plain route): its per-device stream state, and the routes that overlap
 * transfers with compute where the engine has them.
 */
export interface BackendStreams {
  /** The streamers alive on this device (closing the device frees them). */
  live: Set<Streamer> | undefined;
  /** The largest chunk in bytes (Dawn: one buffer and one binding; host: the largest array), found once. */
  chunkLimit(): number;
  /**
   * The routes a call can take: `'plain'` always, first; Dawn adds `'mapped'` and `'chunked'` (its
   * pipeline). A streamer on an engine with more than one measures which is fastest.
   */
  routes(): readonly StreamRoute[];
  /** Runs one call by a pipeline route (`'mapped'`, `'chunked'`); an engine without one runs the plain route. */
  pipeline(job: StreamJob): Promise<void>;
  /** Frees a ring's upload buffers (made by `pipeline`), when the ring is freed. */
  freeUploads(slots: readonly (UploadSlot | undefined)[]): void;
}

/**
 * One implementation per engine of something built outside `src/backends/` (the expression builders, a
 * jsKernel): the backend calls its own.
 */
export interface PerEngine<R> {
  dawn(ctx: DeviceContext): R;
  host(host: HostContext): R;
}

export interface Backend {
  /** Which engine this is: for messages and reports, never for branching outside the backends. */
  readonly engine: EngineName;
  /**
   * Runs one op whose arguments `op.check` has validated: this engine's implementation of it (the
   * manifest's `dawn` or `host` field), inside whatever unit of work the engine keeps per op (the host
   * backend's ordered queue, which marks the outputs of a failed op failed).
   */
  run<C extends object, R>(op: OpManifest<never[], C, R>, call: C): R;

  // ---- the device ----
  readonly info: DeviceInfo;
  /** Device limits (on gpujs only `maxBufferSize`, the largest array). */
  readonly limits: GPUSupportedLimits;
  readonly features: ReadonlySet<string>;
  readonly closed: boolean;
  /** Throws DestroyedError (or the loss / timeout error) once the device cannot be used. */
  assertUsable(): void;
  /** The pool of the device's memory (made on first use: its default budget is based on the memory free then). */
  readonly pool: BackendPool;
  /** The default wait of readbacks and sync() in ms (Dawn only: gpujs work runs on this thread). */
  setTimeout(ms: number | undefined): void;
  sync(timeoutMs?: number): Promise<void>;
  /** `device.flush()`: everything enqueued is on the queue (Dawn: submitted, not run); throws an unreported op error. */
  flushQueue(): Promise<void>;
  close(): Promise<void>;
  profile<T>(fn: () => Promise<T> | T): Promise<Profile<T>>;
  /** `device.kernel()`: raw WGSL (Dawn only; the host backend throws UnsupportedOnEngineError). */
  kernel(source: string | URL, options: KernelOptions): Promise<Kernel>;
  /** `device.jsKernel()`: `make` builds the kernel on the host backend; Dawn throws UnsupportedOnEngineError. */
  jsKernel<R>(make: (host: HostContext) => R): R;
  /** `device.elementwise()` / `device.reduction()`: builds this engine's kernel (after the device is checked usable). */
  build<R>(impl: PerEngine<Promise<R> | R>): Promise<R>;
  /** The Dawn device context; the host backend throws `error()` (an UnsupportedOnEngineError). */
  dawnContext(error: () => Error): DeviceContext;
  /** @internal The gpujs device, or null on Dawn (for the op code not yet behind manifests). */
  readonly hostContext: HostContext | null;
  /** Streaming host arrays through the device (src/buffers/stream.ts): state and the engine's routes. */
  readonly streams: BackendStreams;
  /** Runs `fn` when the device closes. */
  onClose(hook: () => void): void;

  // ---- storage ----
  /** Throws DTypeError when the device cannot hold `dtype` (f16 without shader-f16). */
  checkDType(dtype: DType): void;
  /** New memory for `length` elements of `dtype` (`byteLength` bytes), filled as `fill` says. */
  allocate(dtype: DType, length: number, byteLength: number, fill: ArrayFill): Storage;
  /** Memory from outside (a GPU buffer on Dawn, a host block on gpujs) for such an array. */
  adopt(memory: GPUBuffer | ArrayBuffer, dtype: DType, length: number, byteLength: number, fill: ArrayFill): Storage;
  /**
   * Called when an owner is about to give its memory back (destroy). True when recorded elementwise chains
   * still read it: the backend then takes the memory over (the owner and its views are dead all the same)
   * and frees it once those chains are computed or gone (src/backends/dawn/fusion.ts).
   */
  retiring(storage: Storage): boolean;
  /**
   * Called when an array's host memory is taken (`data`, `storageBlock`: to read or write it). The host
   * engine computes the recorded chains that read it first, so a write cannot change what they were
   * recorded against (src/backends/host/fusion.ts). Dawn has no host memory: nothing to do.
   */
  accessing(storage: Storage): void;
  /** Turns the recording of elementwise chains (fusion) on or off; off computes each op at its call. */
  setFusion(on: boolean): void;
  /** Whether elementwise chains are recorded and fused. */
  readonly fusion: boolean;
  /** Returns an owner's memory to the pool (once the work queued on it is done). */
  release(storage: Storage): void;
  /** The GPU buffers of `storage()`; the host backend throws UnsupportedOnEngineError (host memory has none). */
  gpuBuffers(storage: () => Storage): readonly GPUBuffer[];
  /** Alignment in bytes of a window's start in its buffer (1 on host memory). */
  readonly windowAlignment: number;
  /** A view's elements gathered into a new plain array, in queue order. */
  gather<D extends DType>(view: DeviceArray<D>): DeviceArray<D>;
  /** Uploads `data` (checked: same length, not empty) into the plain array `x`, in queue order. */
  write(x: DeviceArray, data: ArrayLike<number>): void;
  /** Writes `data` (checked: same length, not empty) into the view `x`'s elements only. */
  writeView(x: DeviceArray, data: ArrayLike<number>): void;
  /**
   * Copies the elements of `src` (any layout: a view, a broadcast; same shape and dtype, checked by the
   * caller) into the elements of the writable view `dst`, in queue order, on the device. `src` may share
   * memory with `dst`: it is read in full before anything is written (`x[1:] = x[:-1]` moves the old values).
   */
  assign(dst: DeviceArray, src: DeviceArray): void;
  /** Downloads `x` (any layout) into `given` or a new host array, after the work before it. */
  read<D extends DType>(x: DeviceArray<D>, given: StoredArrayOf[D] | undefined, options: ReadOptions, timeoutMs: number | undefined): Promise<StoredArrayOf[D]>;
  /** Device-side bytes a readback of `x` takes from host memory (staging, a gather): 0 on gpujs. */
  readBytes(x: DeviceArray): number;
  /** Copies the plain array `src` into the plain array `dst` (checked) from element `at`, in queue order. */
  copyInto(src: DeviceArray, dst: DeviceArray, at: number): void;
}

export type { HostArray };
