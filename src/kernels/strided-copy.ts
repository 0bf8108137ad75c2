/**
 * Views on Dawn: the strided copy that gathers a view's elements into a new plain array (for kernels, ops
 * and readbacks) and scatters data into a view's elements (writes into a region). Registered with the
 * buffers layer, which cannot import kernels.
 */
import { DeviceArray, registerViewCopier } from '../buffers/device-array.js';
import { bytesOf, type DType } from '../buffers/dtype.js';
import { LimitError } from '../errors.js';
import { chunkElements, pieces } from '../buffers/chunks.js';
import { compileKernelSync } from './kernel.js';
import { builtinKernel } from './load.js';

/** Copies bits: every 4-byte dtype moves as u32, f16 as f16. */
function wordOf(dtype: DType): 'u32' | 'f16' {
  return bytesOf(dtype) === 2 ? 'f16' : 'u32';
}

function pad(values: readonly number[], from: number): number[] {
  return [0, 1, 2, 3].map((k) => values[from + k] ?? 0);
}

/**
 * Copies elements [from, from + count) of the view (C order) to or from `plain` (count elements, from 0).
 * The view's storage is bound whole (it must fit one binding); the dense side window by window.
 */
function run(view: DeviceArray, plain: DeviceArray, mode: 0 | 1, from = 0, count = view.length): void {
  const ctx = view.ctx;
  const n = count;
  if (n === 0) return;
  if (n > 0xffffffff) throw new LimitError('elements of a view', n, 0xffffffff, `copying a view of shape [${view.shape.join(', ')}]`);
  const buffers = view.storageBuffers;
  const bytes = buffers.reduce((a, b) => a + b.size, 0);
  if (buffers.length > 1 || bytes > ctx.limits.maxStorageBufferBindingSize) {
    // The strided copy addresses the whole storage through one binding.
    throw new LimitError(
      buffers.length > 1 ? 'maxBufferSize' : 'maxStorageBufferBindingSize',
      bytes,
      buffers.length > 1 ? ctx.limits.maxBufferSize : ctx.limits.maxStorageBufferBindingSize,
      `${mode === 0 ? 'reading' : 'writing'} a view of shape [${view.shape.join(', ')}] (strides [${view.strides.join(', ')}]) of an array of ${bytes} bytes${buffers.length > 1 ? ` in ${buffers.length} buffers` : ''}`,
      'a strided view is copied through one binding of its whole array, which this array exceeds: take contiguous slices along the first axis (x.slice([a, b]), which work at any size) and view those',
    );
  }
  const failed = ctx.failureOf(view.storageBuffer);
  if (failed !== undefined && mode === 0) throw failed;
  const word = wordOf(view.dtype);
  const kernel = compileKernelSync(ctx, builtinKernel('strided-copy'), { dtype: word, label: `strided-copy|${word}` });
  const shape = view.shape.map((e) => e);
  const strides = view.strides.map((s) => s);
  using viewWords = view.storageAlias(word);
  const chunk = chunkElements(ctx.limits);
  // The dense side may be larger than one binding (a broadcast of a small array gathered at full size):
  // it is bound window by window, the view's flat index running on from each window's start.
  using plainWords = n <= chunk ? plain.storageAlias(word) : plain.viewAs(word);
  for (const q of pieces(n, chunk)) {
    using w = n <= chunk ? undefined : plainWords.window(q.start, q.length);
    kernel.run(
      {
        src: mode === 0 ? viewWords : (w ?? plainWords),
        dst: mode === 0 ? (w ?? plainWords) : viewWords,
        params: {
          n: q.length,
          ndim: shape.length,
          offset: view.offset >>> 0,
          mode,
          shape_lo: pad(shape.map((e) => e), 0).map((e, k) => (k < shape.length ? e : 1)),
          shape_hi: pad(shape, 4).map((e, k) => (k + 4 < shape.length ? e : 1)),
          strides_lo: pad(strides, 0),
          strides_hi: pad(strides, 4),
          base: from + q.start,
        },
      },
      { invocations: q.length },
    );
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

registerViewCopier({
  gather<D extends DType>(view: DeviceArray<D>): DeviceArray<D> {
    const out = new DeviceArray<D>(view.ctx, view.dtype, view.shape, undefined, 'overwrite');
    try {
      run(view, out, 0);
    } catch (e) {
      out.destroy();
      throw e;
    }
    return out;
  },
  scatter(src: DeviceArray, view: DeviceArray): void {
    run(view, src, 1);
  },
});
