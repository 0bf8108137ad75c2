import type { DeviceContext } from '../device/context.js';

/** What a device's buffer pool holds: `inUseBytes` backs live arrays, `cachedBytes` waits for reuse. */
export interface MemoryStats {
  readonly inUseBytes: number;
  readonly inUseBuffers: number;
  readonly cachedBytes: number;
  readonly cachedBuffers: number;
  /** Buffers created since the device opened (a pool that works keeps this flat in a loop). */
  readonly created: number;
  /** Bytes of tables ops keep on the device for reuse (e.g. FFT twiddles), freed on close. */
  readonly residentBytes: number;
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

/** How a pool makes, measures, keys and frees its blocks (GPU buffers or host ArrayBuffers). */
export interface PoolBacking<B> {
  create(size: number, kind: string, label: string): B;
  size(block: B): number;
  /** What else besides the size must match for reuse (e.g. GPU buffer usage). */
  kind(block: B): string;
  dispose(block: B): void;
  /** After close, released blocks are freed, not cached. */
  closed(): boolean;
}

/**
 * Reuses memory blocks by (kind, size class) and keeps the statistics `device.memory` reports, so a user
 * can tell a pool from a leak. Blocks return to it when their owner is destroyed.
 */
export class SizeClassPool<B> {
  readonly #backing: PoolBacking<B>;
  readonly #free = new Map<string, B[]>();
  #inUseBytes = 0;
  #inUseBuffers = 0;
  #cachedBytes = 0;
  #cachedBuffers = 0;
  #created = 0;
  #residentBytes = 0;
  /** Cached bytes above which released blocks are freed instead of kept. */
  maxCachedBytes: number;

  constructor(backing: PoolBacking<B>, maxCachedBytes: number) {
    this.#backing = backing;
    this.maxCachedBytes = maxCachedBytes;
  }

  /** A block of exactly `size` bytes (callers round to a size class) and this kind. */
  protected take(size: number, kind: string, label: string): B {
    let block = this.#free.get(`${kind}:${size}`)?.pop();
    if (block !== undefined) {
      this.#cachedBytes -= size;
      this.#cachedBuffers--;
    } else {
      block = this.#backing.create(size, kind, label);
      this.#created++;
    }
    this.#inUseBytes += size;
    this.#inUseBuffers++;
    return block;
  }

  release(block: B): void {
    const size = this.#backing.size(block);
    this.#inUseBytes -= size;
    this.#inUseBuffers--;
    if (this.#backing.closed() || this.#cachedBytes + size > this.maxCachedBytes) {
      this.#backing.dispose(block);
      return;
    }
    const key = `${this.#backing.kind(block)}:${size}`;
    let list = this.#free.get(key);
    if (list === undefined) this.#free.set(key, (list = []));
    list.push(block);
    this.#cachedBytes += size;
    this.#cachedBuffers++;
  }

  /** Moves a block from "in use" to "resident": a table an op keeps for reuse, not a live user array. */
  markResident(block: B): void {
    const size = this.#backing.size(block);
    this.#inUseBytes -= size;
    this.#inUseBuffers--;
    this.#residentBytes += size;
  }

  /** Frees every cached (unused) block. */
  trim(): void {
    for (const list of this.#free.values()) for (const b of list) this.#backing.dispose(b);
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

/** GPU buffers by (usage, size class). */
export class BufferPool extends SizeClassPool<GPUBuffer> {
  readonly #ctx: DeviceContext;

  constructor(ctx: DeviceContext) {
    super(
      {
        create: (size, kind, label) => ctx.gpu.createBuffer({ label, size, usage: Number(kind) }),
        size: (b) => b.size,
        kind: (b) => String(b.usage),
        dispose: (b) => {
          b.destroy();
        },
        closed: () => ctx.closed,
      },
      512 * 1024 * 1024,
    );
    this.#ctx = ctx;
    ctx.onClose(() => {
      this.trim();
    });
  }

  acquire(bytes: number, usage: number, label: string): GPUBuffer {
    let size = sizeClass(bytes);
    if (size > this.#ctx.limits.maxBufferSize) size = Math.ceil(bytes / 4) * 4;
    const buffer = this.take(size, String(usage), label);
    buffer.label = label;
    return buffer;
  }
}

const pools = new WeakMap<DeviceContext, BufferPool>();

/** The buffer pool of a device (one per device). */
export function poolOf(ctx: DeviceContext): BufferPool {
  let pool = pools.get(ctx);
  if (pool === undefined) pools.set(ctx, (pool = new BufferPool(ctx)));
  return pool;
}
