import { DestroyedError, DeviceLostError, ValidationError } from '../errors.js';
import { retireInstance, type DawnHandle, type DawnInstance } from './dawn.js';
import type { DeviceInfo } from './info.js';
import type { ProfileSink } from '../timing/profiler.js';

/** Timestamp writes for one compute pass, handed out by a profiler while it records. */
export interface PassTimer {
  /** Called for each compute pass gpukit begins; may return timestamp writes for it. */
  timestampWrites(label: string): GPUComputePassTimestampWrites | undefined;
  /** Called before a batch's command buffer is finished, to resolve queries into it. */
  beforeFinish(encoder: GPUCommandEncoder): void;
  /** Called after each submission, with the time just before it was finished and submitted. */
  afterSubmit(startedAt: number): void;
}

const UNIFORM_CHUNK = 64 * 1024;

interface UniformChunk {
  readonly buffer: GPUBuffer;
  readonly mirror: Uint8Array;
  used: number;
}

type State = { kind: 'open' } | { kind: 'lost'; reason: string; message: string } | { kind: 'closed' };

/**
 * The live Dawn device under a {@link GpuDevice}: the command batch that ops enqueue into, the uniform
 * arena, error capture and device-loss state. Ops never submit by themselves: they encode into the open
 * batch, which goes to the queue at the end of the current macrotask, or sooner when something reads back.
 */
export class DeviceContext {
  readonly gpu: GPUDevice;
  readonly info: DeviceInfo;
  readonly limits: GPUSupportedLimits;
  readonly features: ReadonlySet<string>;
  /** Bumped each time a batch is submitted; lets readbacks know whether their data went out. */
  submissions = 0;
  timer: PassTimer | null = null;
  /** Receives compile/upload/download timings while a profile records. */
  sink: ProfileSink | null = null;

  // Dawn's instance must outlive every device made from it: if V8 collects it, the next mapAsync crashes.
  #instance: DawnInstance | null;
  #state: State = { kind: 'open' };
  #encoder: GPUCommandEncoder | null = null;
  #pass: GPUComputePassEncoder | null = null;
  #flushScheduled: NodeJS.Immediate | null = null;
  #chunks: UniformChunk[] = [];
  #freeChunks: UniformChunk[] = [];
  #errors: Promise<GPUError | null>[] = [];
  #uncaptured: GPUError[] = [];
  readonly #waiters = new Set<(e: Error) => void>();
  readonly #closeHooks: (() => void)[] = [];
  #closing: Promise<void> | null = null;

  constructor(handle: DawnHandle) {
    this.gpu = handle.device;
    this.info = handle.info;
    this.limits = handle.device.limits;
    this.features = new Set(handle.device.features);
    this.#instance = handle.instance;
    void this.gpu.lost.then((info) => {
      if (this.#state.kind === 'open') {
        this.#state = { kind: 'lost', reason: info.reason, message: info.message };
      }
      this.#encoder = null;
      this.#pass = null;
      const err = this.#lostError();
      for (const w of this.#waiters) w(err);
      this.#waiters.clear();
    });
    this.gpu.addEventListener('uncapturederror', (ev) => {
      this.#uncaptured.push((ev).error);
    });
  }

  /** The Dawn instance, while the device is open (null after close). */
  get instance(): DawnInstance | null {
    return this.#instance;
  }

  get closed(): boolean {
    return this.#state.kind !== 'open';
  }

  #lostError(): GpukitLossError {
    const s = this.#state;
    if (s.kind === 'closed') return new DestroyedError('the device is closed');
    if (s.kind === 'lost') return new DeviceLostError(`the device was lost (${s.reason}): ${s.message}`, s.reason);
    return new DeviceLostError('the device was lost', 'unknown');
  }

  /** Throws if the device was closed or lost. */
  assertUsable(): void {
    if (this.#state.kind !== 'open') throw this.#lostError();
  }

  /** Resolves with `p`, or rejects with DeviceLostError if the device is lost first: nothing hangs on a dead device. */
  async guard<T>(p: Promise<T>): Promise<T> {
    this.assertUsable();
    // Not Promise.race against one long-lived promise: every race would leave a reaction on it forever.
    return new Promise<T>((resolve, reject) => {
      const waiter = (e: Error): void => {
        reject(e);
      };
      this.#waiters.add(waiter);
      p.then(
        (v) => {
          this.#waiters.delete(waiter);
          resolve(v);
        },
        (e: unknown) => {
          this.#waiters.delete(waiter);
          reject(e instanceof Error ? e : new Error(String(e)));
        },
      );
    });
  }

  /** Registers cleanup to run on close (pools, caches). */
  onClose(hook: () => void): void {
    this.#closeHooks.push(hook);
  }

  /** The open batch's encoder; opens a batch (and its validation error scope) if none is open. */
  encoder(): GPUCommandEncoder {
    this.assertUsable();
    if (this.#encoder === null) {
      // One error scope per batch: it catches validation errors from bind groups, encoding, finish and
      // submit. Other push/pop pairs in gpukit are balanced within synchronous code, so they nest inside.
      this.gpu.pushErrorScope('out-of-memory');
      this.gpu.pushErrorScope('validation');
      this.#encoder = this.gpu.createCommandEncoder({ label: 'gpukit batch' });
      this.#flushScheduled = setImmediate(() => {
        this.#flushScheduled = null;
        if (this.#state.kind === 'open') this.flush();
      });
    }
    return this.#encoder;
  }

  /** Encodes one dispatch into the open batch. Consecutive dispatches share a compute pass unless timed. */
  dispatch(pipeline: GPUComputePipeline, bindGroup: GPUBindGroup, grid: readonly [number, number, number], label: string): void {
    const encoder = this.encoder();
    const timestampWrites = this.timer?.timestampWrites(label);
    if (this.#pass === null || timestampWrites !== undefined) {
      this.#endPass();
      this.#pass = encoder.beginComputePass(timestampWrites !== undefined ? { label, timestampWrites } : { label });
    }
    this.#pass.setPipeline(pipeline);
    this.#pass.setBindGroup(0, bindGroup);
    this.#pass.dispatchWorkgroups(grid[0], grid[1], grid[2]);
    if (timestampWrites !== undefined) this.#endPass();
  }

  /** Encodes a buffer-to-buffer copy into the open batch. */
  copy(src: GPUBuffer, srcOffset: number, dst: GPUBuffer, dstOffset: number, size: number): void {
    const encoder = this.encoder();
    this.#endPass();
    if (size > 0) encoder.copyBufferToBuffer(src, srcOffset, dst, dstOffset, size);
  }

  /** Encodes a zero fill of `size` bytes at `offset`. */
  clear(buffer: GPUBuffer, offset: number, size: number): void {
    const encoder = this.encoder();
    this.#endPass();
    if (size > 0) encoder.clearBuffer(buffer, offset, size);
  }

  #endPass(): void {
    if (this.#pass !== null) {
      this.#pass.end();
      this.#pass = null;
    }
  }

  /**
   * Places uniform bytes in the batch's uniform arena (written with one writeBuffer per chunk at flush),
   * so a chain of small ops costs no buffer creation per dispatch.
   */
  uniform(bytes: Uint8Array): GPUBufferBinding {
    this.encoder();
    const align = this.limits.minUniformBufferOffsetAlignment;
    const size = Math.max(16, Math.ceil(bytes.byteLength / 16) * 16);
    let chunk = this.#chunks.at(-1);
    if (chunk === undefined || chunk.used + size > UNIFORM_CHUNK) {
      chunk = this.#freeChunks.pop() ?? {
        buffer: this.gpu.createBuffer({ label: 'gpukit uniforms', size: UNIFORM_CHUNK, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST }),
        mirror: new Uint8Array(UNIFORM_CHUNK),
        used: 0,
      };
      chunk.used = 0;
      this.#chunks.push(chunk);
    }
    const offset = chunk.used;
    chunk.mirror.set(bytes, offset);
    chunk.mirror.fill(0, offset + bytes.byteLength, offset + size);
    chunk.used = Math.ceil((offset + size) / align) * align;
    return { buffer: chunk.buffer, offset, size };
  }

  /** Submits the open batch, if any. Called by readbacks, uploads and at the end of each macrotask. */
  flush(): void {
    if (this.#encoder === null) return;
    if (this.#flushScheduled !== null) {
      clearImmediate(this.#flushScheduled);
      this.#flushScheduled = null;
    }
    this.#endPass();
    const encoder = this.#encoder;
    this.#encoder = null;
    const chunks = this.#chunks;
    this.#chunks = [];
    for (const c of chunks) this.gpu.queue.writeBuffer(c.buffer, 0, c.mirror, 0, c.used);
    this.timer?.beforeFinish(encoder);
    const startedAt = performance.now();
    this.gpu.queue.submit([encoder.finish()]);
    this.timer?.afterSubmit(startedAt);
    this.submissions++;
    this.#errors.push(this.gpu.popErrorScope(), this.gpu.popErrorScope());
    if (chunks.length > 0) {
      void this.gpu.queue.onSubmittedWorkDone().then(
        () => this.#freeChunks.push(...chunks),
        () => undefined,
      );
    }
  }

  /** Runs `fn` inside its own validation scope (synchronously balanced) and returns the scope's result. */
  scoped<T>(fn: () => T): { value: T; error: Promise<GPUError | null> } {
    this.gpu.pushErrorScope('validation');
    let value: T;
    try {
      value = fn();
    } catch (e) {
      void this.gpu.popErrorScope().catch(() => undefined);
      throw e;
    }
    return { value, error: this.gpu.popErrorScope() };
  }

  /** Adds an error-scope result to what the next readback checks (for work done outside a batch). */
  deferError(error: Promise<GPUError | null>, what: string): void {
    this.#errors.push(error.then((e) => (e === null ? null : ({ message: `${what}: ${e.message}` }))));
  }

  /**
   * Throws the first WebGPU error captured since the last check, as a {@link ValidationError}.
   * Readbacks call this, so a failed kernel surfaces as an error instead of as zeros.
   */
  async checkErrors(): Promise<void> {
    const pending = this.#errors;
    this.#errors = [];
    const results = await this.guard(Promise.all(pending));
    const first = results.find((e) => e !== null) ?? this.#uncaptured.shift();
    this.#uncaptured.length = 0;
    if (first !== undefined) {
      const kind = first instanceof GPUOutOfMemoryError ? 'out of memory' : 'validation error';
      throw new ValidationError(`WebGPU ${kind}: ${first.message}`);
    }
  }

  /** Submits pending work, waits for the device to finish it, and throws any error it raised. */
  async sync(): Promise<void> {
    this.flush();
    await this.guard(this.gpu.queue.onSubmittedWorkDone());
    await this.checkErrors();
  }

  /**
   * Frees the device and drops the Dawn instance so Node can exit. Idempotent.
   * The instance is dropped only after Dawn has reported the device lost: if V8 collected it while Dawn
   * was still tearing the device down, the process could crash on its way out.
   */
  async close(): Promise<void> {
    if (this.#state.kind === 'closed') return this.#closing ?? undefined;
    const wasOpen = this.#state.kind === 'open';
    this.#state = { kind: 'closed' };
    if (this.#flushScheduled !== null) clearImmediate(this.#flushScheduled);
    this.#flushScheduled = null;
    if (wasOpen && this.#encoder !== null) {
      // Balance the batch's scopes before the device goes away.
      void this.gpu.popErrorScope().catch(() => undefined);
      void this.gpu.popErrorScope().catch(() => undefined);
    }
    this.#encoder = null;
    this.#pass = null;
    for (const hook of this.#closeHooks.splice(0)) hook();
    this.#chunks = [];
    this.#freeChunks = [];
    this.gpu.destroy();
    this.#closing = (async () => {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.gpu.lost, new Promise((r) => (timer = setTimeout(r, 2000)))]);
      clearTimeout(timer);
      // Dawn's event loop may still hold a raw pointer to the instance for a tick after the device is gone;
      // if V8 collected it then, the process would crash or deadlock. Parking the destroyed device's
      // instance keeps it alive and costs nothing at exit: with no live device it schedules no work.
      if (this.#instance !== null) retireInstance(this.#instance);
      this.#instance = null;
    })();
    return this.#closing;
  }
}

type GpukitLossError = DeviceLostError | DestroyedError;
