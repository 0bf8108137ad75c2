import type { HostContext } from './context.js';
import { defaultBudget, sizeClass, SizeClassPool } from '../dawn/pool.js';

/**
 * The host-memory counterpart of {@link BufferPool} for the gpujs engine: ArrayBuffers reused by size
 * class, with the same statistics, so `device.memory` means the same on both engines. A released block
 * is reused only after every task queued before its release has run.
 */
export class HostPool extends SizeClassPool<ArrayBuffer> {
  readonly #ctx: HostContext;

  constructor(ctx: HostContext) {
    super(
      {
        create: (size) => new ArrayBuffer(size),
        size: (b) => b.byteLength,
        kind: () => 'host',
        dispose: () => undefined, // the garbage collector frees host memory
        closed: () => ctx.closed,
        ticket: () => ctx.ticket(),
        completed: () => ctx.completed,
      },
      256 * 1024 * 1024,
      defaultBudget(true),
      true,
    );
    this.#ctx = ctx;
    ctx.onCompleted((seq) => {
      this.drain(seq);
    });
    ctx.onClose(() => {
      this.drain(Infinity);
      this.trim();
    });
  }

  /** A block of at least `bytes` bytes; one that held another array's data is zeroed unless `fill` says it will be overwritten. */
  acquire(bytes: number, fill: 'zero' | 'overwrite' | 'uninitialized' = 'zero'): ArrayBuffer {
    const { block, reused } = this.take(sizeClass(Math.max(4, bytes)), 'host', '');
    // A new owner: a failure a previous array's op left on the block is not this array's (as the GPU pool does).
    if (reused) this.#ctx.forget(block);
    if (reused && fill === 'zero') new Uint8Array(block).fill(0);
    else if (reused && fill === 'overwrite') new Uint8Array(block, Math.min(block.byteLength, Math.ceil(bytes / 4) * 4)).fill(0);
    return block;
  }
}

/** The block pool of a gpujs device (one per device, made with it: `HostContext.pool`). */
export function hostPoolOf(ctx: HostContext): HostPool {
  return ctx.pool;
}
