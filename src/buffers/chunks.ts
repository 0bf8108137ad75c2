/**
 * The geometry of data larger than one binding or one buffer. WebGPU bounds what one kernel sees through
 * one binding (`maxStorageBufferBindingSize`, 128 MiB by default) and what one buffer holds
 * (`maxBufferSize`); a binding may start at any multiple of `minStorageBufferOffsetAlignment` bytes.
 *
 * gpukit splits work into **chunks** of `chunkElements` elements: a multiple of the alignment counted in
 * elements (so chunk k starts at byte k·chunkElements·bytes, aligned for every dtype) whose 4-byte
 * binding, rounded up to a vec4, still fits one binding. An array larger than one buffer is stored in
 * **segments** of `segmentElements` elements (a whole number of chunks, so no chunk straddles two buffers).
 */

/** The limits the geometry is computed from (a device's, or a gpujs device's subset). */
export interface ChunkLimits {
  readonly maxStorageBufferBindingSize: number;
  readonly maxBufferSize: number;
  readonly minStorageBufferOffsetAlignment: number;
}

/** Elements per chunk: the most a 4-byte binding holds, rounded down to a multiple of the alignment. */
export function chunkElements(l: ChunkLimits): number {
  // At least 4: chunk starts stay whole vec4s. A chunk is a multiple of 4 elements, so a vec4 kernel's
  // binding of it (rounded up to whole vec4s) is no larger than the chunk itself.
  const align = Math.max(4, l.minStorageBufferOffsetAlignment);
  return Math.max(align, Math.floor(l.maxStorageBufferBindingSize / 4 / align) * align);
}

/** Elements per buffer of an array too large for one: a whole number of chunks within maxBufferSize. */
export function segmentElements(l: ChunkLimits): number {
  const c = chunkElements(l);
  return Math.max(c, Math.floor(l.maxBufferSize / 4 / c) * c);
}

/** One piece of a split range: elements [start, start + length). */
export interface Piece {
  readonly start: number;
  readonly length: number;
}

/** Splits [0, n) into consecutive pieces of `size` (the last shorter); one empty piece for n = 0. */
export function pieces(n: number, size: number): Piece[] {
  if (n <= size) return [{ start: 0, length: n }];
  const out: Piece[] = [];
  for (let start = 0; start < n; start += size) out.push({ start, length: Math.min(size, n - start) });
  return out;
}

/** True when `bytes` fits one binding of these limits (with the vec4 slack a kernel may bind). */
export function fitsBinding(l: ChunkLimits, bytes: number): boolean {
  return Math.max(4, Math.ceil(bytes / 16) * 16) <= l.maxStorageBufferBindingSize;
}
