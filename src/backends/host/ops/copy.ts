/** copy on the host engine: the host backend has gathered a view already; the plain array is copied into a new one. */
import { DeviceArray } from '../../../buffers/device-array.js';
import type { HostContext } from '../context.js';
import type { CopyCall } from '../../../ops/copy.js';

export function hostCopy(host: HostContext, { x }: CopyCall): DeviceArray {
  const c = new DeviceArray(host, x.dtype, x.shape, undefined, 'overwrite');
  x.copyInto(c, 0);
  return c;
}
