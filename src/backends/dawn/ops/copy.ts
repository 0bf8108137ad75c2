/** copy on Dawn: a plain array is one buffer copy into a new array; a view is gathered (src/backends/dawn/strided-copy.ts). */
import { DeviceArray } from '../../../buffers/device-array.js';
import type { DeviceContext } from '../context.js';
import type { CopyCall } from '../../../ops/copy.js';

export function dawnCopy(ctx: DeviceContext, { x }: CopyCall): DeviceArray {
  // contiguous() of a plain array is a view of its memory: only a view's is a new array.
  if (!x.isPlain) return x.contiguous();
  const c = new DeviceArray(ctx, x.dtype, x.shape, undefined, 'overwrite');
  x.copyInto(c, 0);
  return c;
}
