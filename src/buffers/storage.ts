/**
 * Memory gpukit did not allocate: an outside `GPUBuffer` wrapped as an array (`wrapBuffer`, src/interop/).
 * gpukit never pools or destroys it; `ownerDestroyed` is set when its owner calls `destroy()` on it, after
 * which the arrays over it throw DestroyedError instead of reading freed memory.
 */
export interface Borrow {
  /** Who lent it, for messages (`a GPUBuffer`, `a TF.js tensor`...). */
  readonly from: string;
  ownerDestroyed: boolean;
  /** Set once the array that stands for the buffer exists (the arrays made after it are its views). */
  claimed: boolean;
  /** Called once when the last gpukit array over it is destroyed (or its device closes): e.g. disposes a tensor reference. */
  readonly onRelease: (() => void) | undefined;
}

/**
 * A hold on an array's memory handed to someone else (`exportBuffer`, `toTensor`): while any lease of a
 * storage is held, gpukit neither reuses nor frees the memory, even after the array is destroyed.
 */
export interface StorageLease {
  /** True while the lease holds; a lease tied to a partner's object (a tensor) may end by itself. */
  held(): boolean;
}

/**
 * The memory behind an array and its views (a GPU buffer, or a host block on gpujs): the opaque
 * handle an array holds and passes back to its backend (src/backends/backend.ts), which made it. The array
 * that allocated it owns it; views borrow it and die with it.
 */
export class Storage {
  /** The first (usually only) GPU buffer; null on gpujs. */
  readonly buffer: GPUBuffer | null;
  /**
   * Every GPU buffer, in order: one, or for an array larger than `maxBufferSize` its segments of
   * `segmentElements` elements each (the last shorter). Empty on gpujs.
   */
  readonly buffers: readonly GPUBuffer[];
  /** Elements per segment (Infinity for one buffer). */
  readonly segmentElements: number;
  readonly block: ArrayBuffer | null;
  /** Set when the owning array is destroyed: its views are then dead too. */
  released = false;
  /** Set for an outside buffer gpukit only borrows (see {@link Borrow}); null for gpukit's own memory. */
  borrowed: Borrow | null = null;
  /** Leases handed out on this memory (see {@link StorageLease}); null until the first (most arrays never have one). */
  leases: Set<StorageLease> | null = null;
  constructor(buffer: GPUBuffer | readonly GPUBuffer[] | null, block: ArrayBuffer | null, segmentElements = Infinity) {
    this.buffers = buffer === null ? [] : Array.isArray(buffer) ? buffer : [buffer as GPUBuffer];
    this.buffer = this.buffers[0] ?? null;
    this.segmentElements = this.buffers.length > 1 ? segmentElements : Infinity;
    this.block = block;
  }

  /** Bytes of the memory (the first buffer's, or the host block's). */
  get bytes(): number {
    return this.buffer !== null ? this.buffer.size : (this.block?.byteLength ?? 0);
  }

  /** True while a lease still holds the memory (leases that ended by themselves are dropped here). */
  get leased(): boolean {
    const leases = this.leases;
    if (leases === null) return false;
    for (const l of leases) if (!l.held()) leases.delete(l);
    return leases.size > 0;
  }
}
