import type { DeviceContext } from '../device/context.js';

/** What a device's buffer pool holds: `inUseBytes` backs live arrays, `cachedBytes` waits for reuse. */
export interface MemoryStats {
  readonly inUseBytes: number;
  readonly inUseBuffers: number;
  readonly cachedBytes: number;
  readonly cachedBuffers: number;
  /** Bytes of tables ops keep on the device for reuse (e.g. FFT twiddles), freed on close. */
  readonly residentBytes: number;
  /** Buffers created since the device opened (a pool that works keeps this flat in a loop). */
  readonly created: number;
}

/**
 * Rounds a byte size up to its size class: 256-byte steps below 4 KiB, then four classes per power of two
 * (at most 25 % slack), so buffers of nearby sizes are reused instead of created.
 */
export function sizeClass(bytes: number): number {
  if (bytes <= 4096) return Math.max(256, Math.ceil(bytes / 256) * 256);
  const pow = 2 ** Math.floor(Math.log2(bytes));
  const step = pow / 4;
  return Math.ceil(bytes / step) * step;
}

/** Reuses GPU buffers by (usage, size class). Buffers return to the pool when their owner is destroyed. */
export class BufferPool {
  readonly #ctx: DeviceContext;
  readonly #free = new Map<string, GPUBuffer[]>();
  #inUseBytes = 0;
  #inUseBuffers = 0;
  #cachedBytes = 0;
  #cachedBuffers = 0;
  #created = 0;
  #residentBytes = 0;
  /** Cached bytes above which released buffers are destroyed instead of kept. */
  maxCachedBytes = 512 * 1024 * 1024;

  constructor(ctx: DeviceContext) {
    this.#ctx = ctx;
    ctx.onClose(() => { this.trim(); });
  }

  acquire(bytes: number, usage: number, label: string): GPUBuffer {
    const maxBuffer = this.#ctx.limits.maxBufferSize;
    let size = sizeClass(bytes);
    if (size > maxBuffer) size = Math.ceil(bytes / 4) * 4;
    const key = `${usage}:${size}`;
    const list = this.#free.get(key);
    let buffer = list?.pop();
    if (buffer !== undefined) {
      this.#cachedBytes -= size;
      this.#cachedBuffers--;
      buffer.label = label;
    } else {
      buffer = this.#ctx.gpu.createBuffer({ label, size, usage });
      this.#created++;
    }
    this.#inUseBytes += size;
    this.#inUseBuffers++;
    return buffer;
  }

  release(buffer: GPUBuffer): void {
    this.#inUseBytes -= buffer.size;
    this.#inUseBuffers--;
    if (this.#ctx.closed || this.#cachedBytes + buffer.size > this.maxCachedBytes) {
      buffer.destroy();
      return;
    }
    const key = `${buffer.usage}:${buffer.size}`;
    let list = this.#free.get(key);
    if (list === undefined) this.#free.set(key, (list = []));
    list.push(buffer);
    this.#cachedBytes += buffer.size;
    this.#cachedBuffers++;
  }

  /** Moves a buffer from "in use" to "resident": a table an op keeps for reuse, not a live user array. */
  markResident(buffer: GPUBuffer): void {
    this.#inUseBytes -= buffer.size;
    this.#inUseBuffers--;
    this.#residentBytes += buffer.size;
  }

  /** Destroys every cached (unused) buffer. */
  trim(): void {
    for (const list of this.#free.values()) for (const b of list) b.destroy();
    this.#free.clear();
    this.#cachedBytes = 0;
    this.#cachedBuffers = 0;
  }

  get stats(): MemoryStats {
    return {
      inUseBytes: this.#inUseBytes,
      inUseBuffers: this.#inUseBuffers,
      cachedBytes: this.#cachedBytes,
      cachedBuffers: this.#cachedBuffers,
      created: this.#created,
      residentBytes: this.#residentBytes,
    };
  }
}

const pools = new WeakMap<DeviceContext, BufferPool>();

/** The buffer pool of a device (one per device). */
export function poolOf(ctx: DeviceContext): BufferPool {
  let pool = pools.get(ctx);
  if (pool === undefined) pools.set(ctx, (pool = new BufferPool(ctx)));
  return pool;
}
