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
}
