import { DestroyedError, GpukitError } from '../errors.js';
import type { DeviceInfo } from './info.js';
import type { ProfileSink } from '../timing/profiler.js';

/** Limits of a host-memory device: the largest array, plus whatever the gpu.js mode reports. */
export type HostLimits = Readonly<{ maxBufferSize: number } & Record<string, number>>;

/**
 * The device under a {@link GpuDevice} on the `gpujs` engine: arrays live in host memory (typed arrays that
 * gpu.js kernels read and write), and ops run as tasks on one ordered queue. The queue keeps gpukit's
 * contract: an op enqueues and returns at once, work runs in call order, and only reading back awaits.
 * A task that throws does not stop later ones; its error is thrown by the next readback or `sync()`, as
 * a failed WebGPU dispatch is on Dawn.
 *
 * gpu.js itself is not imported here: the engine-specific part (the gpu.js instance, its kernels) is the
 * `backend` object that src/fallback/ attaches, so nothing on the Dawn path loads gpu.js.
 */
export class HostContext {
  readonly info: DeviceInfo;
  readonly limits: HostLimits;
  readonly features: ReadonlySet<string> = new Set<string>();
  /** Receives upload/download timings while a profile records. */
  sink: ProfileSink | null = null;
  /** Wall-clock ms spent running queued tasks (the "kernel" phase of a gpujs profile). */
  busyMs = 0;
  tasks = 0;

  #tail: Promise<void> | null = null;
  #pending = 0;
  #errors: unknown[] = [];
  #closed = false;
  readonly #closeHooks: (() => void | Promise<void>)[] = [];
  #closing: Promise<void> | null = null;

  constructor(info: DeviceInfo, limits: HostLimits) {
    this.info = info;
    this.limits = limits;
  }

  get closed(): boolean {
    return this.#closed;
  }

  assertUsable(): void {
    if (this.#closed) throw new DestroyedError('the device is closed');
  }

  /**
   * Runs `task` after everything enqueued before it. When the queue is idle a synchronous task runs at
   * once (nothing can be ordered before it), so a chain of CPU-side ops costs no promise per op.
   */
  enqueue(task: () => void | Promise<void>): void {
    this.assertUsable();
    if (this.#pending === 0) {
      const t0 = performance.now();
      let r: void | Promise<void>;
      try {
        r = task();
      } catch (e) {
        this.#errors.push(e);
        return;
      } finally {
        this.busyMs += performance.now() - t0;
        this.tasks++;
      }
      if (r instanceof Promise) this.#chain(() => r, t0);
      return;
    }
    this.#chain(task, undefined);
  }

  #chain(task: () => void | Promise<void>, started: number | undefined): void {
    this.#pending++;
    const prev = this.#tail ?? Promise.resolve();
    const next = prev.then(async () => {
      const t0 = started ?? performance.now();
      if (started === undefined) this.tasks++;
      try {
        await task();
      } catch (e) {
        this.#errors.push(e);
      } finally {
        this.busyMs += performance.now() - t0;
        this.#pending--;
      }
    });
    this.#tail = next;
  }

  /** Waits for every enqueued task and throws the first error one of them raised. */
  async sync(): Promise<void> {
    while (this.#pending > 0 && this.#tail !== null) await this.#tail;
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
