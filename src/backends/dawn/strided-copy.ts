/**
 * Views on Dawn: the strided copy that gathers a view's elements into a new plain array (for kernels, ops
 * and readbacks) and scatters data into a view's elements (writes into a region). The Dawn backend calls it
 * (`DawnBackend.gather`, `writeView`): arrays reach it through their backend.
 */
import { DeviceArray } from '../../buffers/device-array.js';
import { bytesOf, type DType } from '../../buffers/dtype.js';
import { LimitError } from '../../errors.js';
import { chunkElements, pieces, type Piece } from '../../buffers/chunks.js';
import { rangeSpan } from '../../buffers/strided.js';
import { compileKernelSync } from './kernel.js';
import { builtinKernel } from '../../kernels/load.js';

/** Copies bits: every 4-byte dtype moves as u32, f16 as f16. */
function wordOf(dtype: DType): 'u32' | 'f16' {
  return bytesOf(dtype) === 2 ? 'f16' : 'u32';
}

function pad(values: readonly number[], from: number): number[] {
  return [0, 1, 2, 3].map((k) => values[from + k] ?? 0);
}

/**
 * Windows of a view's storage that cover its elements [lo, hi]: each starts at a multiple of the binding
 * offset alignment, holds at most one chunk and lies in one buffer (segment), so it binds.
 */
function storageWindows(view: DeviceArray, lo: number, hi: number): Piece[] {
  const limits = view.ctx.limits;
  const chunk = chunkElements(limits);
  const align = Math.max(1, limits.minStorageBufferOffsetAlignment / bytesOf(view.dtype));
  const seg = view.storageSegmentElements;
  const out: Piece[] = [];
  for (let at = lo - (lo % align); at <= hi; ) {
    const segEnd = seg === Infinity ? Infinity : (Math.floor(at / seg) + 1) * seg;
    const length = Math.min(chunk, segEnd - at, hi + 1 - at);
    out.push({ start: at, length });
    at += length;
  }
  return out;
}

/**
 * Copies elements [from, from + count) of the view (C order) to or from `plain` (count elements, from 0).
 * Both sides are bound window by window: the dense side in chunks, the view's storage in the windows that
 * cover its elements (one, unless the view spans more than one binding or crosses a segment boundary);
 * each dispatch moves the elements of its dense chunk that lie in its storage window.
 */
function run(view: DeviceArray, plain: DeviceArray, mode: 0 | 1, from = 0, count = view.length): void {
  const ctx = view.ctx;
  const n = count;
  if (n === 0) return;
  if (n > 0xffffffff) throw new LimitError('elements of a view', n, 0xffffffff, `copying a view of shape [${view.shape.join(', ')}]`);
  if (mode === 0) {
    for (const b of view.storageBuffers) {
      const failed = ctx.failureOf(b);
      if (failed !== undefined) throw failed;
    }
  }
  const word = wordOf(view.dtype);
  const kernel = compileKernelSync(ctx, builtinKernel('strided-copy'), { dtype: word, label: `strided-copy|${word}` });
  const shape = view.shape.map((e) => e);
  const strides = view.strides.map((s) => s);
  const chunk = chunkElements(ctx.limits);
  // The dense side may be larger than one binding (a broadcast of a small array gathered at full size):
  // it is bound window by window, the view's flat index running on from each window's start. Bound as its
  // own elements, not its whole buffer: the pool's size class may be larger than one binding.
  using plainWords = plain.viewAs(word);
  for (const q of pieces(n, chunk)) {
    using w = n <= chunk ? undefined : plainWords.window(q.start, q.length);
    // Only the windows holding this dense chunk's elements (a reversed or stepped view: one or two of them).
    const r = rangeSpan(view.layout, from + q.start, from + q.start + q.length);
    for (const s of storageWindows(view, r.lo, r.hi)) {
      using viewWords = view.storageWindow(word, s.start, s.length);
      kernel.run(
        {
          src: mode === 0 ? viewWords : (w ?? plainWords),
          dst: mode === 0 ? (w ?? plainWords) : viewWords,
          params: {
            n: q.length,
            ndim: shape.length,
            // From the window's start: an element before it gives a negative offset, which wraps past `limit`.
            offset: (view.offset - s.start) >>> 0,
            mode,
            shape_lo: pad(shape.map((e) => e), 0).map((e, k) => (k < shape.length ? e : 1)),
            shape_hi: pad(shape, 4).map((e, k) => (k + 4 < shape.length ? e : 1)),
            strides_lo: pad(strides, 0),
            strides_hi: pad(strides, 4),
            base: from + q.start,
            limit: s.length,
          },
        },
        { invocations: q.length },
      );
    }
  }
}

/**
 * Elements [start, start + length) of a view (C order) gathered into a new 1-D plain array: how an op
 * working chunk by chunk reads an operand that is a strided view (a broadcast, a transpose) of an array that
 * fits one binding, while the whole gathered view would not.
 */
export function gatherRange<D extends DType>(view: DeviceArray<D>, start: number, length: number): DeviceArray<D> {
  const out = new DeviceArray<D>(view.ctx, view.dtype, [length], undefined, 'overwrite');
  try {
    run(view, out, 0, start, length);
  } catch (e) {
    out.destroy();
    throw e;
  }
  return out;
}

/** A view's elements (C order) gathered into a new plain array of its shape. */
export function gatherView<D extends DType>(view: DeviceArray<D>): DeviceArray<D> {
  const out = new DeviceArray<D>(view.ctx, view.dtype, view.shape, undefined, 'overwrite');
  try {
    run(view, out, 0);
  } catch (e) {
    out.destroy();
    throw e;
  }
  return out;
}

/** The plain array `src` (the view's length) scattered into the view's elements. */
export function scatterView(src: DeviceArray, view: DeviceArray): void {
  run(view, src, 1);
}
