/**
 * copy: NumPy's `np.copy(x)` (`x.copy()`): a new plain C-contiguous array holding x's elements, in the
 * queue order of the device (a view is gathered, a broadcast materialised, a plain array copied). The
 * engines' implementations: src/backends/dawn/ops/copy.ts (a buffer copy or the strided gather) and
 * src/backends/host/ops/copy.ts (one op of the host queue, so a copy of a failed array fails too).
 */
import type { DeviceArray } from '../buffers/device-array.js';
import type { DType } from '../buffers/dtype.js';
import { checkNoExtra } from '../args.js';
import { DestroyedError } from '../errors.js';
import { checkArray } from './check-array.js';
import { ALL_DTYPES, defineOp, type Checked } from './manifest.js';
import { dawnCopy } from '../backends/dawn/ops/copy.js';
import { hostCopy } from '../backends/host/ops/copy.js';

/** A checked copy: x (any layout) becomes a new plain array of its shape and dtype. */
export interface CopyCall extends Checked {
  readonly x: DeviceArray;
  readonly shape: readonly number[];
  readonly dtype: DType;
}

export const COPY = defineOp({
  name: 'copy',
  numpy: 'numpy.copy',
  category: 'creation',
  summary: 'a new C-contiguous array with x\'s values (a view is gathered; writing it leaves x alone)',
  tolerance: 'exact',
  dtypes: ALL_DTYPES,
  check: (x: DeviceArray, extra: readonly unknown[]): CopyCall => {
    checkArray('copy', 'x', x);
    checkNoExtra('copy', extra, 'one argument (x)');
    if (x.destroyed) throw new DestroyedError(`copy: x (${x.dtype}, shape [${x.shape.join(', ')}]) was destroyed`);
    return { backend: x.backend, x, shape: x.shape, dtype: x.dtype };
  },
  dawn: dawnCopy,
  host: hostCopy,
});

/**
 * A new array with x's values, as NumPy's `np.copy(x)`: plain and C-contiguous, of x's shape and dtype,
 * with storage of its own (writing it never changes x, and x's later writes do not show in it), whatever
 * x's layout (a view, a broadcast, a transpose). Enqueues only.
 *
 * @example
 * ```ts
 * using row = copy(m.slice(1));        // row 1 of m, as an array of its own
 * using t = copy(m.T);                 // the transpose, materialised
 * ```
 */
export function copy<D extends DType>(x: DeviceArray<D>, ...extra: []): DeviceArray<D> {
  return COPY.call(x, extra) as DeviceArray<D>;
}
