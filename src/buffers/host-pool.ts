import type { HostContext } from '../device/host.js';
import { sizeClass, SizeClassPool } from './pool.js';

/**
 * The host-memory counterpart of {@link BufferPool} for the gpujs engine: ArrayBuffers reused by size
 * class, with the same statistics, so `device.memory` means the same on both engines. Reuse is safe
 * because every access to an array's memory runs on the device's ordered queue.
 */
export class HostPool extends SizeClassPool<ArrayBuffer> {
  constructor(ctx: HostContext) {
    super(
      {
        create: (size) => new ArrayBuffer(size),
        size: (b) => b.byteLength,
        kind: () => 'host',
        dispose: () => undefined, // the garbage collector frees host memory
        closed: () => ctx.closed,
      },
      256 * 1024 * 1024,
    );
    ctx.onClose(() => {
      this.trim();
    });
  }

  acquire(bytes: number): ArrayBuffer {
    return this.take(sizeClass(Math.max(4, bytes)), 'host', '');
  }
}

const pools = new WeakMap<HostContext, HostPool>();

export function hostPoolOf(ctx: HostContext): HostPool {
  let pool = pools.get(ctx);
  if (pool === undefined) pools.set(ctx, (pool = new HostPool(ctx)));
  return pool;
}
