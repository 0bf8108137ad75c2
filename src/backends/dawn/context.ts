import { DestroyedError, DeviceLostError, OutOfMemoryError, TimeoutError, ValidationError } from '../../errors.js';
import { ADOPTED_BY, retireInstance, type DawnHandle, type DawnInstance } from './adapter.js';
import type { DeviceInfo } from '../../device/info.js';
import type { ProfileSink } from '../../timing/profiler.js';
import { DawnBackend } from './backend.js';
import { BufferPool } from './pool.js';
import type { Kernel } from './kernel.js';
import type { DeviceTuning } from './tuning.js';
import type { BuilderCache } from './builder-cache.js';
import type { DeviceArray } from '../../buffers/device-array.js';
import type { Storage } from '../../buffers/storage.js';
import { MAX_COPY } from './copy-limit.js';
import { requireUsage } from './usage.js';

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

/**
 * One op's GPU work as the batch recorded it: what it reads and writes, and how to encode it again on its
 * own. A failed batch is replayed op by op from these records to find the op at fault (see {@link Batch}).
 */
export interface OpRecord {
  /** The op's label (`add|f32`, `copy`, a kernel's file name...): errors name it. */
  readonly label: string;
  readonly reads: readonly GPUBuffer[];
  readonly writes: readonly GPUBuffer[];
  /** Encodes the op alone into `encoder` (used only when its batch failed). */
  readonly encode: (encoder: GPUCommandEncoder) => void;
  /** The error scope of the op's pipeline compile (gpukit's own kernels compile synchronously). */
  readonly compileError?: Promise<GPUError | null> | undefined;
  /** A readback's copy into its staging buffer: not replayed; the readback copies again. */
  readonly readback?: boolean;
}

/**
 * A command batch: the ops encoded in one macrotask (or until a readback), submitted as one command buffer
 * inside one validation + out-of-memory error scope. WebGPU drops a whole submission when any part of it
 * is invalid, so when the scope reports an error the batch is replayed op by op (each in its own command
 * buffer and scope) to find the op at fault: the other ops then take effect, the failed op's outputs —
 * and the outputs of any op that read them — are marked failed with its error. A batch is submitted only
 * once the batch before it has its verdict (an error scope resolves in microseconds, long before the GPU
 * has run the work), so a replay never runs after later work that could have depended on it.
 */
export class Batch {
  readonly id: number;
  readonly encoder: GPUCommandEncoder;
  readonly ops: OpRecord[] = [];
  chunks: UniformChunk[] = [];
  /** Checks of its ops' error words (see {@link DeviceContext.deferCheck}), run before its verdict. */
  readonly checks: BatchCheck[] = [];
  /** True when the batch as a whole was rejected and had to be replayed op by op. */
  failed = false;
  /** Resolves once the verdict is known (and a failed batch was replayed); never rejects. */
  readonly settled: Promise<void>;
  /** @internal */
  resolveSettled!: () => void;

  constructor(id: number, encoder: GPUCommandEncoder) {
    this.id = id;
    this.encoder = encoder;
    this.settled = new Promise<void>((r) => (this.resolveSettled = r));
  }
}

/**
 * An op's check of its own error word (an out-of-range index, src/ops/indexing.ts): `run` reads the word
 * once the batch's work is done and returns the op's error, or null; `victims` are the buffers it fails.
 */
export interface BatchCheck {
  readonly victims: readonly GPUBuffer[];
  readonly run: () => Promise<Error | null>;
}

type State = { kind: 'open' } | { kind: 'lost'; reason: string; message: string } | { kind: 'closed' };

/**
 * The live Dawn device under a {@link GpuDevice}: the command batch that ops enqueue into, the uniform
 * arena, error attribution, the GPU timeline that buffer lifetimes follow, and device-loss state. Ops never
 * submit by themselves: they encode into the open batch, which goes to the queue at the end of the current
 * macrotask, or sooner when something reads back.
 */
/** What the context asks of fusion (src/backends/dawn/fusion.ts) around the work it records. */
export interface FusionHooks {
  /** Computes the recorded chains that read `buffers`, before something writes them. */
  beforeWrite(buffers: readonly GPUBuffer[]): void;
  /** Computes the recorded chains nothing else consumes (sync). */
  flushRoots(): void;
  /** Takes over memory an owner gives back while recorded chains read it (true), to free once they are done. */
  keep(storage: Storage): boolean;
}

export class DeviceContext {
  readonly gpu: GPUDevice;
  readonly info: DeviceInfo;
  readonly limits: GPUSupportedLimits;
  readonly features: ReadonlySet<string>;
  /** The engine boundary the ops see (src/backends/backend.ts). */
  readonly backend: DawnBackend = new DawnBackend(this);
  /** fft's twiddle tables of this device, by transform length (src/backends/dawn/ops/fft.ts). */
  readonly fftTwiddles = new Map<number, DeviceArray<'f32'>>();
  timer: PassTimer | null = null;
  /** Receives compile/upload/download timings while a profile records. */
  sink: ProfileSink | null = null;

  // ---- Per-device state: made with the device, freed by close() (read through poolOf, compileKernel…) ----
  /** The device's buffer pool (src/backends/dawn/pool.ts; `poolOf(ctx)`), made in the constructor. */
  readonly pool: BufferPool;
  /** Compiled kernels by cache key, most recently used last (src/backends/dawn/kernel.ts `compileKernel`). */
  readonly kernels = new Map<string, Promise<Kernel>>();
  /** gpukit's own kernels compiled synchronously, by cache key (`compileKernelSync`). */
  readonly syncKernels = new Map<string, Kernel>();
  /**
   * The forced tuning profile, the tuning cache as read, and pinned parameters (src/backends/dawn/tuning.ts
   * `tuningOf(ctx)`): made on first use, so tuning code also serves a bare `{ info }` standing for a device.
   */
  tuning: DeviceTuning | null = null;
  /** Generated builders (src/backends/dawn/builder-cache.ts `builderCache(ctx)`): made on first use, dropped on close. */
  builders: BuilderCache | null = null;
  /** Recorded elementwise chains (src/backends/dawn/fusion.ts `fusionOf(ctx)`): made on first use. */
  fusion: FusionHooks | null = null;
  /** Whether math ops record chains to fuse: `openDevice({ fuse })`, else GPUKIT_FUSE (0 turns it off). */
  fuse = process.env['GPUKIT_FUSE'] !== '0';
  /**
   * With {@link fuse}: whether f32 products (matmul) are recorded too, so a chain on one runs as its
   * kernel's epilogue (`relu(add(matmul(x, w), b))`: one dispatch). GPUKIT_FUSE_EPILOGUE=0 turns it off.
   */
  epilogues = process.env['GPUKIT_FUSE_EPILOGUE'] !== '0';
  /**
   * Whether a whole-array reduction pass that fits one workgroup writes the result itself (one dispatch for
   * a small input; src/backends/dawn/ops/reduce.ts runReduction). GPUKIT_REDUCE_ONE_PASS=0 (read when the
   * device opens) keeps the passes over partials, for benchmarks of the difference.
   */
  onePassReductions = process.env['GPUKIT_REDUCE_ONE_PASS'] !== '0';
  /**
   * Arrays destroyed while a lease (`exportBuffer`, `toTensor`) still held their memory: returned to the pool
   * once every lease has ended (checked as batches complete, and when a lease is released).
   */
  readonly parked = new Set<Storage>();
  /** The releases of outside buffers wrapped as arrays and not yet destroyed (src/backends/dawn/share.ts): run on close. */
  readonly borrows = new Set<() => void>();
  // ---- end of per-device state ----

  /** True for an outside GPUDevice gpukit adopted (`openDevice({ device })`): close() leaves it alive. */
  readonly adopted: boolean;
  readonly #onUncaptured = (ev: GPUUncapturedErrorEvent): void => {
    this.#uncaptured.push(ev.error);
  };

  // Dawn's instance must outlive every device made from it: if V8 collects it, the next mapAsync crashes.
  #instance: DawnInstance | null;
  #state: State = { kind: 'open' };
  #open: Batch | null = null;
  #pass: GPUComputePassEncoder | null = null;
  #flushScheduled: NodeJS.Immediate | null = null;
  /** A submitted batch whose verdict is not known yet; the next batch waits for it. */
  #inflight: Batch | null = null;
  #flushWanted = false;
  #lastBatch: Batch | null = null;
  #nextId = 1;
  /** Highest batch id whose GPU work (and replay) has completed: buffers released before it are free. */
  #completed = 0;
  readonly #completedHooks: ((id: number) => void)[] = [];
  #chunks: UniformChunk[] = [];
  #freeChunks: UniformChunk[] = [];
  /** Which batch last used each buffer (read or written): the pool frees or reuses it after that batch. */
  readonly #lastUse = new WeakMap<GPUBuffer, number>();
  /** Buffers written since they were created or last cleared whole. */
  readonly #dirty = new WeakSet<GPUBuffer>();
  /** Buffers some GPU work (an op, a copy, a clear) has ever written: see {@link gpuWritten}. */
  readonly #gpuWritten = new WeakSet<GPUBuffer>();
  /** Buffers whose contents a failed op left undefined, with that op's error. */
  readonly #poison = new Map<GPUBuffer, Error>();
  /** Builders' explanations of compile failures, by op label prefix. */
  readonly #explanations = new Map<string, Promise<Error | null>>();
  /** Op errors no readback or sync() has reported yet. */
  #unreported: Error[] = [];
  #uncaptured: GPUError[] = [];
  readonly #waiters = new Set<(e: Error) => void>();
  readonly #closeHooks: (() => void)[] = [];
  #closing: Promise<void> | null = null;
  /** The GPU may still be running work nobody will wait for (a timeout): never block on it. */
  #stuck = false;
  #draining: Promise<void> | null = null;

  constructor(handle: DawnHandle) {
    this.gpu = handle.device;
    this.info = handle.info;
    this.limits = handle.limits ?? handle.device.limits;
    this.features = new Set(handle.device.features);
    this.#instance = handle.instance;
    this.adopted = handle.adopted === true;
    if (this.adopted) Object.defineProperty(this.gpu, ADOPTED_BY, { value: this, configurable: true, enumerable: false });
    void this.gpu.lost.then((info) => {
      if (this.#state.kind === 'open') {
        this.#state = { kind: 'lost', reason: info.reason, message: info.message };
      }
      this.#open = null;
      this.#pass = null;
      const err = this.#lostError();
      for (const w of this.#waiters) w(err);
      this.#waiters.clear();
    });
    this.gpu.addEventListener('uncapturederror', this.#onUncaptured);
    // Last: the pool reads the fields above and registers its completion and close hooks.
    this.pool = new BufferPool(this);
    this.onCompleted(() => {
      if (this.parked.size > 0) this.backend.unpark();
    });
  }

  /** The Dawn instance, while the device is open (null after close). */
  get instance(): DawnInstance | null {
    return this.#instance;
  }

  get closed(): boolean {
    return this.#state.kind !== 'open';
  }

  /** True once close() has run (a concurrent close() may have finished while this one waited). */
  private closedAlready(): boolean {
    return this.#state.kind === 'closed';
  }

  #lostError(): GpukitLossError {
    const s = this.#state;
    if (s.kind === 'closed') return new DestroyedError('the device is closed');
    if (s.kind === 'lost' && s.reason === 'timeout') return new DeviceLostError(`the device was given up after a timeout: ${s.message}`, 'timeout');
    if (s.kind === 'lost') return new DeviceLostError(`the device was lost (${s.reason}): ${s.message}`, s.reason);
    return new DeviceLostError('the device was lost', 'unknown');
  }

  /** Throws if the device was closed or lost. */
  assertUsable(): void {
    if (this.#state.kind !== 'open') throw this.#lostError();
  }

  /**
   * Default timeout of every wait on the GPU (readbacks, `sync()`), ms; undefined waits forever.
   * Set by `openDevice({ timeoutMs })`.
   */
  timeoutMs: number | undefined;

  /**
   * Resolves with `p`, or rejects with DeviceLostError if the device is lost first: nothing hangs on a dead
   * device. With a timeout (the call's, else the device's), a wait that outlasts it gives up: see {@link timedOut}.
   */
  async guard<T>(p: Promise<T>, timeoutMs: number | undefined = this.timeoutMs, what = 'waiting for the GPU'): Promise<T> {
    if (this.#state.kind !== 'open') {
      // `p` (a mapAsync made on a closed device) rejects with Dawn's AbortError: handled here, not left unhandled.
      p.catch(() => undefined);
      throw this.#lostError();
    }
    // Not Promise.race against one long-lived promise: every race would leave a reaction on it forever.
    return new Promise<T>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const waiter = (e: Error): void => {
        clearTimeout(timer);
        reject(e);
      };
      this.#waiters.add(waiter);
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          this.timedOut(`${what} took longer than ${timeoutMs} ms`, timeoutMs);
        }, timeoutMs);
      }
      p.then(
        (v) => {
          clearTimeout(timer);
          this.#waiters.delete(waiter);
          resolve(v);
        },
        (e: unknown) => {
          clearTimeout(timer);
          this.#waiters.delete(waiter);
          reject(e instanceof Error ? e : new Error(String(e)));
        },
      );
    });
  }

  /**
   * A wait outlasted its timeout: the GPU is stuck on earlier work (a runaway kernel). Nothing in WebGPU can
   * cancel a running dispatch, so the device is given up: every waiter rejects with {@link TimeoutError},
   * later calls throw, and `close()` abandons it instead of blocking the thread until the GPU is done.
   */
  timedOut(message: string, timeoutMs: number): void {
    if (this.#state.kind !== 'open') return;
    const err = new TimeoutError(`${message}: the GPU is still running earlier work (a runaway kernel?); this device is now unusable — close it and open another`, timeoutMs);
    this.#state = { kind: 'lost', reason: 'timeout', message: err.message };
    this.#stuck = true;
    for (const w of this.#waiters) w(err);
    this.#waiters.clear();
    // The runaway kernel keeps Node's event loop alive: a script that catches this and ends without
    // close() must still exit, as it would with a device that finished its work.
    watchForExit();
  }

  /** Registers cleanup to run on close (pools, caches). */
  onClose(hook: () => void): void {
    this.#closeHooks.push(hook);
  }

  /** Called with a batch id each time the GPU finished that batch (and everything before it). */
  onCompleted(hook: (id: number) => void): void {
    this.#completedHooks.push(hook);
  }

  /** Highest batch id the GPU has completed. */
  get completed(): number {
    return this.#completed;
  }

  /** The open batch; opens one (and its error scopes) if none is open. */
  #batch(): Batch {
    this.assertUsable();
    if (this.#open === null) {
      // One error scope pair per batch: it catches errors from bind groups, encoding, finish and submit.
      // Other push/pop pairs in gpukit are balanced within synchronous code, so they nest inside.
      this.gpu.pushErrorScope('out-of-memory');
      this.gpu.pushErrorScope('validation');
      this.#open = new Batch(this.#nextId++, this.gpu.createCommandEncoder({ label: 'gpukit batch' }));
      this.#flushScheduled = setImmediate(() => {
        this.#flushScheduled = null;
        if (this.#state.kind === 'open') this.flush();
      });
    }
    return this.#open;
  }



  #record(batch: Batch, op: OpRecord): void {
    batch.ops.push(op);
    for (const b of op.reads) this.#lastUse.set(b, batch.id);
    for (const b of op.writes) {
      this.#lastUse.set(b, batch.id);
      this.#dirty.add(b);
      this.#gpuWritten.add(b);
    }
  }

  /**
   * Whether GPU work (an op's output, a copy's destination, a clear) has ever written `buffer`. Dawn
   * writes `queue.writeBuffer` data straight into an idle buffer's memory on an adapter whose memory the
   * host can map (integrated GPUs, lavapipe) only while no GPU work ever wrote that buffer; after that,
   * every write goes through a staging buffer and a copy — and one over 4 MiB gets a staging buffer of its
   * own, which lavapipe maps afresh on every write (16 MiB: 4096 page faults, 2–3× the write). The pool
   * hands such never-GPU-written buffers to arrays the host writes (`ArrayFill` `'host'`).
   */
  gpuWritten(buffer: GPUBuffer): boolean {
    return this.#gpuWritten.has(buffer);
  }

  /**
   * The batch id after whose completion `buffer` is no longer used by any work (0: never used), so a pool
   * may reuse or free it.
   */
  ticketOf(buffer: GPUBuffer): number {
    return this.#lastUse.get(buffer) ?? 0;
  }

  /** False while `buffer` is known to hold only zeros (new, or cleared and not written since). */
  isDirty(buffer: GPUBuffer): boolean {
    return this.#dirty.has(buffer);
  }

  /** Notes that something outside a batch (a direct queue write) wrote `buffer`. */
  wrote(buffer: GPUBuffer): void {
    this.#dirty.add(buffer);
  }

  /**
   * The error a failed op left on `buffer` (reading it must throw this), or undefined.
   * @internal
   */
  failureOf(buffer: GPUBuffer): Error | undefined {
    return this.#poison.get(buffer);
  }

  /**
   * Registers a readable explanation for ops whose label starts with `labelPrefix` whose pipeline failed to
   * compile (a builder's diagnostics in the user's own text): a failed op of that label fails with it.
   */
  explainCompileErrors(labelPrefix: string, error: Promise<Error | null>): void {
    this.#explanations.set(labelPrefix, error);
    // Most builders compile: forget those, so a loop over one-off expressions keeps nothing here.
    void error.then(
      (e) => {
        if (e === null && this.#explanations.get(labelPrefix) === error) this.#explanations.delete(labelPrefix);
      },
      () => this.#explanations.delete(labelPrefix),
    );
  }

  /** Marks a buffer failed outside any op (its allocation failed): reading it throws `error`. */
  fail(buffer: GPUBuffer, error: Error): void {
    this.#poison.set(buffer, error);
    this.#unreported.push(error);
  }

  /** Forgets what is known about a buffer's contents (it was fully overwritten, or changed owner). */
  forget(buffer: GPUBuffer): void {
    this.#poison.delete(buffer);
  }

  /**
   * Encodes one dispatch into the open batch. Consecutive dispatches share a compute pass unless timed.
   * `reads` / `writes` are the storage buffers it binds read-only / read_write.
   */
  dispatch(
    pipeline: GPUComputePipeline,
    bindGroup: GPUBindGroup,
    grid: readonly [number, number, number],
    label: string,
    access: { readonly reads: readonly GPUBuffer[]; readonly writes: readonly GPUBuffer[]; readonly compileError?: Promise<GPUError | null> | undefined } = { reads: [], writes: [] },
  ): void {
    this.fusion?.beforeWrite(access.writes);
    const batch = this.#batch();
    const timestampWrites = this.timer?.timestampWrites(label);
    if (this.#pass === null || timestampWrites !== undefined) {
      this.#endPass();
      this.#pass = batch.encoder.beginComputePass(timestampWrites !== undefined ? { label, timestampWrites } : { label });
    }
    this.#pass.setPipeline(pipeline);
    this.#pass.setBindGroup(0, bindGroup);
    this.#pass.dispatchWorkgroups(grid[0], grid[1], grid[2]);
    if (timestampWrites !== undefined) this.#endPass();
    this.#record(batch, {
      label,
      reads: access.reads,
      writes: access.writes,
      compileError: access.compileError,
      encode: (enc) => {
        const pass = enc.beginComputePass({ label });
        pass.setPipeline(pipeline);
        pass.setBindGroup(0, bindGroup);
        pass.dispatchWorkgroups(grid[0], grid[1], grid[2]);
        pass.end();
      },
    });
  }

  /**
   * Encodes a buffer-to-buffer copy into the open batch (in pieces of at most 1 GiB: see MAX_COPY). `partial`:
   * the copy fills a region of an array whose other elements keep their values (assigning into a view), so
   * `dst` counts as read too and a failure already on it stays, as for a kernel's read-write binding.
   */
  copy(src: GPUBuffer, srcOffset: number, dst: GPUBuffer, dstOffset: number, size: number, label = 'copy', readback = false, partial = false): void {
    requireUsage(src, 'COPY_SRC', readback ? 'read back' : 'copied from', label);
    requireUsage(dst, 'COPY_DST', 'copied into', label);
    if (!readback) this.fusion?.beforeWrite([dst]);
    const batch = this.#batch();
    this.#endPass();
    if (size <= 0) return;
    const encode = (enc: GPUCommandEncoder): void => {
      for (let done = 0; done < size; done += MAX_COPY) {
        enc.copyBufferToBuffer(src, srcOffset + done, dst, dstOffset + done, Math.min(MAX_COPY, size - done));
      }
    };
    encode(batch.encoder);
    this.#record(batch, { label, reads: partial ? [src, dst] : [src], writes: [dst], encode, readback });
  }

  /**
   * Records an op that has nothing to compute (an empty result): no GPU work, but its verdict is an op's —
   * `writes` fail when any of `reads` was written by a failed op, so an empty result computed from a failed
   * one throws that error instead of reading back as empty.
   */
  noWork(label: string, reads: readonly GPUBuffer[], writes: readonly GPUBuffer[]): void {
    const batch = this.#batch();
    this.#record(batch, { label, reads, writes, encode: () => undefined });
  }

  /** Encodes a zero fill of `size` bytes at `offset`. */
  clear(buffer: GPUBuffer, offset: number, size: number, label = 'clear'): void {
    this.fusion?.beforeWrite([buffer]);
    const batch = this.#batch();
    this.#endPass();
    if (size <= 0) return;
    const encode = (enc: GPUCommandEncoder): void => {
      enc.clearBuffer(buffer, offset, size);
    };
    encode(batch.encoder);
    this.#record(batch, { label, reads: [], writes: [buffer], encode });
    if (offset === 0 && size >= buffer.size) this.#dirty.delete(buffer);
  }

  #endPass(): void {
    if (this.#pass !== null) {
      this.#pass.end();
      this.#pass = null;
    }
  }

  /**
   * Places uniform bytes in the batch's uniform arena (written with one writeBuffer per chunk at submit),
   * so a chain of small ops costs no buffer creation per dispatch.
   */
  uniform(bytes: Uint8Array): GPUBufferBinding {
    this.#batch();
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

  /**
   * Closes the open batch and submits it — at once, or as soon as the batch before it has its verdict.
   * Returns the batch that will carry everything encoded so far (null if nothing was).
   * Called by readbacks, uploads and at the end of each macrotask.
   */
  flush(): Batch | null {
    if (this.#open === null) return this.#inflight ?? this.#lastBatch;
    if (this.#flushScheduled !== null) {
      clearImmediate(this.#flushScheduled);
      this.#flushScheduled = null;
    }
    const batch = this.#open;
    if (this.#inflight !== null) {
      this.#flushWanted = true;
      return batch;
    }
    this.#submit();
    return batch;
  }

  /**
   * True when no work is waiting to be submitted and no submitted batch awaits its verdict: a direct
   * queue write now cannot overtake queued work, nor be overwritten by a replay.
   */
  get quiet(): boolean {
    return this.#open === null && this.#inflight === null;
  }

  #submit(): void {
    const batch = this.#open;
    if (batch === null || this.#state.kind !== 'open') return;
    this.#flushWanted = false;
    this.#endPass();
    this.#open = null;
    batch.chunks = this.#chunks;
    this.#chunks = [];
    for (const c of batch.chunks) this.gpu.queue.writeBuffer(c.buffer, 0, c.mirror, 0, c.used);
    this.timer?.beforeFinish(batch.encoder);
    const startedAt = performance.now();
    this.gpu.queue.submit([batch.encoder.finish()]);
    this.timer?.afterSubmit(startedAt);
    this.#inflight = batch;
    this.#lastBatch = batch;
    const validation = this.gpu.popErrorScope();
    const oom = this.gpu.popErrorScope();
    void this.#settle(batch, validation, oom);
  }

  async #settle(batch: Batch, validation: Promise<GPUError | null>, oom: Promise<GPUError | null>): Promise<void> {
    try {
      const [v, o] = await this.guard(Promise.all([validation, oom]));
      const error = v ?? o;
      if (error !== null) {
        batch.failed = true;
        const before = this.#unreported.length;
        await this.#replay(batch);
        // On an adopted device the batch's error scope also caught what another library did on the device
        // meanwhile: an error no op of the batch reproduces is theirs. Reported, not swallowed (sync(), flush()).
        if (this.adopted && this.#unreported.length === before) this.#uncaptured.push(error);
        // Replayed ops have propagated already: a check's error fails only its own victims here.
        for (const [b, e] of await this.#runChecks(batch)) this.#poison.set(b, e);
      } else {
        const own = await this.#runChecks(batch);
        if (this.#poison.size > 0 || own.size > 0) {
          for (const op of batch.ops) this.#propagate(op, op.writes.map((w) => own.get(w)).find((e) => e !== undefined) ?? null);
        }
      }
    } catch {
      // The device was lost or closed: every waiter is rejected through guard().
    }
    batch.ops.length = 0; // the records hold bind groups: let them go
    if (this.#inflight === batch) this.#inflight = null;
    batch.resolveSettled();
    if (this.#flushWanted && this.#state.kind === 'open') this.#submit();
    if (this.#state.kind !== 'open') return;
    this.gpu.queue.onSubmittedWorkDone().then(
      () => {
        if (batch.id > this.#completed) this.#completed = batch.id;
        // Closed meanwhile: on an adopted device nothing else would free the batch's uniform chunks.
        if (this.#state.kind === 'closed' && this.adopted) for (const c of batch.chunks) c.buffer.destroy();
        else if (batch.chunks.length > 0) this.#freeChunks.push(...batch.chunks);
        batch.chunks = [];
        for (const hook of this.#completedHooks) hook(this.#completed);
      },
      () => undefined,
    );
  }

  /**
   * Registers a check of the op just encoded: the batch waits for its work and runs `check.run` before its
   * verdict, so the op's error fails its victims — and, as for any failed op, what later ops compute from them.
   * Such a batch's verdict waits for the GPU to finish it (a check is one 12-byte readback).
   */
  deferCheck(check: BatchCheck): void {
    this.#batch().checks.push(check);
  }

  /** Runs a settled batch's checks in order: the buffers they fail, with each one's error (reported once). */
  async #runChecks(batch: Batch): Promise<Map<GPUBuffer, Error>> {
    const own = new Map<GPUBuffer, Error>();
    for (const c of batch.checks.splice(0)) {
      const e = await this.guard(c.run().catch((x: unknown) => (x instanceof Error ? x : new Error(String(x)))));
      if (e === null) continue;
      this.#unreported.push(e);
      for (const v of c.victims) own.set(v, e);
    }
    return own;
  }

  /** After an op ran (or was skipped): its outputs are failed if it failed or read a failed buffer, else valid. */
  #propagate(op: OpRecord, own: Error | null): Error | null {
    if (op.readback) return null;
    let error = own;
    if (error === null) {
      for (const b of op.reads) {
        const e = this.#poison.get(b);
        if (e !== undefined) {
          error = e;
          break;
        }
      }
    }
    for (const w of op.writes) {
      if (error !== null) this.#poison.set(w, error);
      else this.#poison.delete(w);
    }
    return error;
  }

  /** Runs a rejected batch's ops one by one, each in its own submission and error scope. */
  async #replay(batch: Batch): Promise<void> {
    for (const op of batch.ops) {
      if (op.readback) continue;
      const inherited = op.reads.some((b) => this.#poison.has(b));
      if (inherited) {
        this.#propagate(op, null); // never run an op on undefined input
        continue;
      }
      this.gpu.pushErrorScope('out-of-memory');
      this.gpu.pushErrorScope('validation');
      const enc = this.gpu.createCommandEncoder({ label: op.label });
      op.encode(enc);
      this.gpu.queue.submit([enc.finish()]);
      const validation = this.gpu.popErrorScope();
      const oom = this.gpu.popErrorScope();
      const [v, o] = await this.guard(Promise.all([validation, oom]));
      const e = v ?? o;
      let error: Error | null = null;
      if (e !== null) {
        const compile = op.compileError !== undefined ? await op.compileError : null;
        const explained = compile !== null ? await this.#explain(op.label) : null;
        if (explained !== null) {
          this.#unreported.push(explained);
          this.#propagate(op, explained);
          continue;
        }
        const what = compile !== null ? `its pipeline failed to compile: ${compile.message}` : `WebGPU ${e === o ? 'out of memory' : 'validation error'}: ${e.message}`;
        error = e === o && compile === null ? new OutOfMemoryError(`${op.label}: ${what}`) : new ValidationError(`${op.label}: ${what}`);
        this.#unreported.push(error);
      }
      this.#propagate(op, error);
    }
  }

  async #explain(label: string): Promise<Error | null> {
    for (const [prefix, error] of this.#explanations) {
      if (label.startsWith(prefix)) {
        const e = await error.catch(() => null);
        if (e !== null) return e;
      }
    }
    return null;
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

  /**
   * Waits until everything encoded so far has its verdict (a failed batch replayed), without waiting for
   * the GPU to run it. Readbacks call this before they map, so they see each op's own outcome.
   */
  async settled(timeoutMs: number | undefined = this.timeoutMs): Promise<Batch | null> {
    const batch = this.flush();
    if (batch !== null) await this.guard(batch.settled, timeoutMs);
    return batch;
  }

  /**
   * Throws the first op error (or WebGPU error outside any batch) not reported yet, as a typed error.
   * `sync()` calls it; readbacks do not: they throw only the error of the op that wrote their array.
   */
  checkErrors(): void {
    const op = this.#unreported.shift();
    this.#unreported = [];
    const stray = this.#uncaptured.shift();
    this.#uncaptured = [];
    if (op !== undefined) throw op;
    if (stray !== undefined) {
      const kind = stray instanceof GPUOutOfMemoryError ? 'out of memory' : 'validation error';
      throw kind === 'out of memory' ? new OutOfMemoryError(`WebGPU ${kind}: ${stray.message}`) : new ValidationError(`WebGPU ${kind}: ${stray.message}`);
    }
  }

  /** Submits pending work, waits for the device to finish it, and throws any error it raised. */
  async sync(timeoutMs: number | undefined = this.timeoutMs): Promise<void> {
    this.fusion?.flushRoots();
    await this.settled(timeoutMs);
    await this.guard(this.gpu.queue.onSubmittedWorkDone(), timeoutMs, 'sync()');
    this.checkErrors();
  }

  /**
   * Frees the device and drops the Dawn instance so Node can exit. Idempotent.
   * The instance is dropped only after Dawn has reported the device lost: if V8 collected it while Dawn
   * was still tearing the device down, the process could crash on its way out.
   */
  async close(): Promise<void> {
    if (this.#state.kind === 'closed') return this.#closing ?? undefined;
    // GPUDevice.destroy() blocks the JS thread until the GPU has finished what it was given: wait for that
    // here, asynchronously (within the device's timeout, if any), so close() never blocks the event loop.
    if (this.#state.kind === 'open' && this.#lastBatch !== null && this.#completed < this.#lastBatch.id) {
      this.#draining ??= this.guard(this.gpu.queue.onSubmittedWorkDone(), this.timeoutMs, 'close()').then(
        () => undefined,
        () => undefined,
      );
      await this.#draining;
      if (this.closedAlready()) return this.#closing ?? undefined;
    }
    const wasOpen = this.#state.kind === 'open';
    const stuck = this.#stuck;
    this.#state = { kind: 'closed' };
    if (this.#flushScheduled !== null) clearImmediate(this.#flushScheduled);
    this.#flushScheduled = null;
    if (wasOpen && this.#open !== null) {
      // Balance the batch's scopes before the device goes away.
      void this.gpu.popErrorScope().catch(() => undefined);
      void this.gpu.popErrorScope().catch(() => undefined);
    }
    this.#open = null;
    this.#pass = null;
    const err = this.#lostError();
    for (const w of this.#waiters) w(err);
    this.#waiters.clear();
    for (const hook of this.#closeHooks.splice(0)) hook();
    for (const release of [...this.borrows]) release();
    // The per-device caches: a closed device compiles nothing more (compileKernel… check assertUsable first).
    this.kernels.clear();
    this.syncKernels.clear();
    this.builders?.clear();
    this.builders = null;
    if (this.adopted) {
      // The device stays its owner's: free what gpukit made on it (its arrays' buffers, except memory a lease
      // still holds; the uniform arena) and take gpukit's listener and mark off it. Nothing is queued any more.
      for (const c of [...this.#chunks, ...this.#freeChunks]) c.buffer.destroy();
      this.pool.destroyAll((b) => [...this.parked].some((st) => st.buffers.includes(b)));
      this.gpu.removeEventListener('uncapturederror', this.#onUncaptured);
      Reflect.deleteProperty(this.gpu, ADOPTED_BY);
      this.#chunks = [];
      this.#freeChunks = [];
      this.#poison.clear();
      this.#closing = Promise.resolve();
      return this.#closing;
    }
    this.#chunks = [];
    this.#freeChunks = [];
    this.#poison.clear();
    if (stuck) {
      // The GPU is still running work nobody waits for: destroy() would block this thread until it ends
      // (forever, for a runaway kernel). Abandon the device instead, and let the process exit by itself.
      abandonStuckDevice(this.gpu, this.#instance);
      this.#instance = null;
      this.#closing = Promise.resolve();
      return this.#closing;
    }
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

const abandoned: { gpu: GPUDevice; instance: DawnInstance | null }[] = [];
let exitWatch: NodeJS.Timeout | null = null;

/**
 * Keeps an abandoned device referenced (collecting it while the GPU runs would crash Dawn) and lets the
 * process exit anyway. Dawn keeps Node's event loop alive while submitted work is running — a runaway
 * kernel would keep the process alive forever, and process exit does not wait for it. So an unref'd
 * watch checks what keeps the loop alive: once it is only Dawn's own polling (an Immediate) and the standard
 * streams, three checks in a row, nothing of the user's is left and it ends the process with its exit code.
 */
function abandonStuckDevice(gpu: GPUDevice, instance: DawnInstance | null): void {
  abandoned.push({ gpu, instance });
  watchForExit();
}

/**
 * Starts the exit watch of {@link abandonStuckDevice} (once per process): from a timeout on, whether or not
 * the device is closed. The watch is unref'd, so it is not among the active resources; the user's own
 * timers (`Timeout`), sockets and child processes are, and keep the process running as usual.
 */
function watchForExit(): void {
  if (exitWatch !== null) return;
  let idle = 0;
  exitWatch = setInterval(() => {
    const live = process.getActiveResourcesInfo().filter((r) => r !== 'Immediate' && r !== 'TTYWrap' && r !== 'PipeWrap');
    idle = live.length === 0 ? idle + 1 : 0;
    if (idle >= 3) process.exit();
  }, 200);
  exitWatch.unref();
}

export { MAX_COPY }; // defined in ./copy-limit.ts (the backend, which this module loads, uses it too)

type GpukitLossError = DeviceLostError | DestroyedError;
