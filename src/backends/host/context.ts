import { DestroyedError, GpukitError } from '../../errors.js';
import type { DeviceInfo } from '../../device/info.js';
import type { ProfileSink } from '../../timing/profiler.js';
import { HostBackend } from './backend.js';
import { HostPool } from './pool.js';
import type { GpujsBackend } from './gpujs.js';
import type { Storage } from '../../buffers/storage.js';

/** What the context and backend ask of fusion (src/backends/host/fusion.ts). */
export interface HostFusionHooks {
  /** Computes the recorded chains nothing else recorded consumes (sync, the end of a profile). */
  flushRoots(): void;
  /** Before a host block is taken (to read or write it): computes the recorded chains that read it. */
  touch(block: ArrayBuffer): void;
  /** Before an owner's memory goes back to the pool: computes the recorded chains that read it. */
  retiring(storage: Storage): void;
  /** Fused loops compiled on this device so far (tests check that a loop over new values compiles once). */
  readonly loopsCompiled: number;
}

/** Limits of a host-memory device: the largest array, plus whatever the gpu.js mode reports. */
export type HostLimits = Readonly<{ maxBufferSize: number } & Record<string, number>>;

/**
 * The device under a {@link GpuDevice} on the `gpujs` engine: arrays live in host memory (typed arrays that
 * gpu.js kernels read and write), and ops run as tasks on one ordered queue. The queue keeps gpukit's
 * contract: an op enqueues and returns at once, work runs in call order, and only reading back awaits.
 * A task that throws does not stop later ones; as on Dawn, the arrays its op writes are marked failed
 * (reading them throws its error) and `sync()` reports it once.
 *
 * gpu.js itself is not imported here: the engine-specific part (the gpu.js instance, its kernels) is the
 * `gpujs` object that `openGpujs` (src/backends/host/gpujs.ts) makes and hands to the constructor, so
 * nothing on the Dawn path loads gpu.js.
 */
export class HostContext {
  readonly info: DeviceInfo;
  readonly limits: HostLimits;
  readonly features: ReadonlySet<string> = new Set<string>();
  /** The engine boundary the ops see (src/backends/backend.ts). */
  readonly backend: HostBackend = new HostBackend(this);
  /** Receives upload/download timings while a profile records. */
  sink: ProfileSink | null = null;
  /** Wall-clock ms spent running queued tasks (the "kernel" phase of a gpujs profile). */
  busyMs = 0;
  tasks = 0;

  /** Whether math ops record chains to fuse: `openDevice({ fuse })`, else GPUKIT_FUSE (0 turns it off). */
  fuse = process.env['GPUKIT_FUSE'] !== '0';

  // ---- Per-device state: made with the device, freed by close() (read through hostPoolOf, backendOf) ----
  /** Recorded elementwise chains (src/backends/host/fusion.ts `hostFusionOf(host)`): made on first use. */
  fusion: HostFusionHooks | null = null;
  /** The device's block pool (src/backends/host/pool.ts; `hostPoolOf(host)`), made in the constructor. */
  readonly pool: HostPool;
  /** The gpu.js instance, its kernel cache and its mode's limits (src/backends/host/gpujs.ts; `backendOf(host)`). */
  readonly gpujs: GpujsBackend;
  // ---- end of per-device state ----

  #tail: Promise<void> | null = null;
  #pending = 0;
  /** Tasks enqueued / finished: the host queue's timeline, which buffer reuse follows. */
  #seq = 0;
  #done = 0;
  readonly #completedHooks: ((seq: number) => void)[] = [];
  /** Errors of tasks outside any op, and of failed ops, not yet reported by sync(). */
  #errors: unknown[] = [];
  /** Host blocks whose contents a failed op left undefined, with its error. */
  readonly #poison = new Map<ArrayBuffer, Error>();
  #current: { label: string; error: Error | null; inputs?: () => readonly ArrayBuffer[] } | null = null;
  #closed = false;
  readonly #closeHooks: (() => void | Promise<void>)[] = [];
  #closing: Promise<void> | null = null;

  constructor(info: DeviceInfo, limits: HostLimits, gpujs: GpujsBackend) {
    this.info = info;
    this.limits = limits;
    this.gpujs = gpujs;
    // Last: the pool registers its completion and close hooks.
    this.pool = new HostPool(this);
  }

  get closed(): boolean {
    return this.#closed;
  }

  assertUsable(): void {
    if (this.#closed) throw new DestroyedError('the device is closed');
  }

  /** The point on the queue after which a block released now is unused: every task enqueued so far. */
  ticket(): number {
    return this.#seq;
  }

  /** Tasks finished so far. */
  get completed(): number {
    return this.#done;
  }

  onCompleted(hook: (seq: number) => void): void {
    this.#completedHooks.push(hook);
  }

  #finished(): void {
    this.#done++;
    for (const hook of this.#completedHooks) hook(this.#done);
  }

  /**
   * Runs `task` after everything enqueued before it. When the queue is idle a synchronous task runs at
   * once (nothing can be ordered before it), so a chain of CPU-side ops costs no promise per op.
   * Inside {@link op}, a task's failure is that op's failure.
   */
  enqueue(task: () => void | Promise<void>): void {
    this.assertUsable();
    this.#seq++;
    const owner = this.#current;
    const sink = this.sink;
    const fail = (e: unknown): void => {
      const error = e instanceof GpukitError ? e : new GpukitError(`${owner?.label ?? 'a gpu.js task'} failed: ${e instanceof Error ? e.message : JSON.stringify(e)}`, { cause: e });
      if (owner !== null) owner.error ??= error;
      else this.#errors.push(error);
    };
    if (this.#pending === 0) {
      const t0 = performance.now();
      let r: void | Promise<void>;
      try {
        r = task();
      } catch (e) {
        fail(e);
        this.busyMs += performance.now() - t0;
        this.tasks++;
        this.#finished();
        return;
      }
      this.busyMs += performance.now() - t0;
      if (owner !== null) sink?.kernel?.(owner.label, performance.now() - t0, 0);
      this.tasks++;
      if (r instanceof Promise) this.#chain(() => r, t0, fail);
      else this.#finished();
      return;
    }
    this.#chain(task, undefined, fail, owner === null ? undefined : (ms) => sink?.kernel?.(owner.label, ms, 0));
  }

  #chain(task: () => void | Promise<void>, started: number | undefined, fail: (e: unknown) => void, report?: (ms: number) => void): void {
    this.#pending++;
    const prev = this.#tail ?? Promise.resolve();
    const next = prev.then(async () => {
      const t0 = started ?? performance.now();
      if (started === undefined) this.tasks++;
      try {
        await task();
      } catch (e) {
        fail(e);
      } finally {
        this.busyMs += performance.now() - t0;
        report?.(performance.now() - t0);
        this.#pending--;
        this.#finished();
      }
    });
    this.#tail = next;
  }

  /**
   * Runs an op: `run` enqueues its tasks; the blocks it returns (`outputsOf`) are marked failed — reading
   * them throws its error, every time — if one of its tasks failed or it read a failed block, and valid
   * otherwise. Other ops' arrays are unaffected.
   */
  op<R>(label: string, inputsOf: readonly ArrayBuffer[] | (() => readonly ArrayBuffer[]), run: () => R, outputsOf: (r: R) => readonly ArrayBuffer[]): R {
    const rec: { label: string; error: Error | null; inputs?: () => readonly ArrayBuffer[] } = { label, error: null };
    const prev = this.#current;
    this.#current = rec;
    let r: R;
    try {
      r = run();
    } finally {
      this.#current = prev;
    }
    // Given as a function, the inputs are found after `run`: a lazy input it computed has its block now
    // (one it recorded into a chain has none yet, and is tracked by that chain's own op).
    const given = typeof inputsOf === 'function' ? inputsOf() : inputsOf;
    const inputs = rec.inputs === undefined ? given : [...new Set([...given, ...rec.inputs()])];
    const outputs = outputsOf(r);
    // A profile counts the op as a dispatch when it made or wrote memory (a call fusion recorded did not).
    if (outputs.length > 0) this.sink?.kernel?.(rec.label, 0, 1);
    if (outputs.length > 0 || inputs.length > 0) {
      this.enqueue(() => {
        let error = rec.error;
        if (error !== null) this.#errors.push(error);
        else for (const b of inputs) error ??= this.#poison.get(b) ?? null;
        for (const o of outputs) {
          if (error !== null) this.#poison.set(o, error);
          else this.#poison.delete(o);
        }
      });
    } else if (rec.error !== null) this.#errors.push(rec.error);
    return r;
  }

  /**
   * Inside {@link op}'s `run`: the op is another one than its caller named (a reduction that absorbed a
   * recorded chain: `reduction|sum(fused(mul))|f32`), reading the blocks `inputs` gives after `run` too (the
   * chain's operands, which a failed op may have left undefined). The profile and the failure bookkeeping
   * use these.
   */
  rename(label: string, inputs: () => readonly ArrayBuffer[]): void {
    const rec = this.#current;
    if (rec === null) return;
    rec.label = label;
    rec.inputs = inputs;
  }

  /** The error a failed op left on `block`, if any. */
  failureOf(block: ArrayBuffer): Error | undefined {
    return this.#poison.get(block);
  }

  /** Forgets what is known about a block's contents (fully overwritten, or a new owner). */
  forget(block: ArrayBuffer): void {
    this.#poison.delete(block);
  }

  /** Waits for every task enqueued so far (errors stay for sync()). */
  async drained(): Promise<void> {
    while (this.#pending > 0 && this.#tail !== null) await this.#tail;
  }

  /** Waits for every enqueued task and throws the first error not reported yet. */
  async sync(): Promise<void> {
    this.fusion?.flushRoots();
    await this.drained();
    this.checkErrors();
  }

  checkErrors(): void {
    const first = this.#errors[0];
    this.#errors = [];
    if (first !== undefined) {
      throw first instanceof GpukitError ? first : new GpukitError(`a gpu.js task failed: ${first instanceof Error ? first.message : JSON.stringify(first)}`, { cause: first });
    }
  }

  onClose(hook: () => void | Promise<void>): void {
    this.#closeHooks.push(hook);
  }

  /** Waits for queued work, runs the close hooks (gpu.js teardown). Idempotent. */
  close(): Promise<void> {
    if (this.#closing !== null) return this.#closing;
    this.#closing = (async () => {
      try {
        while (this.#pending > 0 && this.#tail !== null) await this.#tail;
      } finally {
        this.#closed = true;
        for (const hook of this.#closeHooks.splice(0)) await hook();
      }
    })();
    return this.#closing;
  }
}
