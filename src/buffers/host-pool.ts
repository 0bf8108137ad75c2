import type { HostContext } from '../device/host.js';
import type { MemoryStats } from './pool.js';
import { sizeClass } from './pool.js';

/**
 * The host-memory counterpart of {@link BufferPool} for the gpujs engine: ArrayBuffers reused by size
 * class, with the same statistics, so `device.memory` means the same on both engines. Reuse is safe
 * because every access to an array's memory runs on the device's ordered queue.
 */
export class HostPool {
  readonly #free = new Map<number, ArrayBuffer[]>();
  #inUseBytes = 0;
  #inUseBuffers = 0;
  #cachedBytes = 0;
  #cachedBuffers = 0;
  #created = 0;
  maxCachedBytes = 256 * 1024 * 1024;

  constructor(ctx: HostContext) {
    ctx.onClose(() => {
      this.trim();
    });
  }

  acquire(bytes: number): ArrayBuffer {
    const size = sizeClass(Math.max(4, bytes));
    let buf = this.#free.get(size)?.pop();
    if (buf !== undefined) {
      this.#cachedBytes -= size;
      this.#cachedBuffers--;
    } else {
      buf = new ArrayBuffer(size);
      this.#created++;
    }
    this.#inUseBytes += size;
    this.#inUseBuffers++;
    return buf;
  }

  release(buf: ArrayBuffer): void {
    this.#inUseBytes -= buf.byteLength;
    this.#inUseBuffers--;
    if (this.#cachedBytes + buf.byteLength > this.maxCachedBytes) return;
    let list = this.#free.get(buf.byteLength);
    if (list === undefined) this.#free.set(buf.byteLength, (list = []));
    list.push(buf);
    this.#cachedBytes += buf.byteLength;
    this.#cachedBuffers++;
  }

  trim(): void {
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
      residentBytes: 0,
    };
  }
}

const pools = new WeakMap<HostContext, HostPool>();

export function hostPoolOf(ctx: HostContext): HostPool {
  let pool = pools.get(ctx);
  if (pool === undefined) pools.set(ctx, (pool = new HostPool(ctx)));
  return pool;
}
