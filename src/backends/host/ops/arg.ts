/** argmin/argmax on the host engine: one CPU loop with the reference's NaN and tie rules. */
import { DeviceArray } from '../../../buffers/device-array.js';
import type { HostContext } from '../context.js';
import type { ArgCall } from '../../../ops/arg.js';
import { argCpu } from '../../../reference/arg.js';

export function hostArg(host: HostContext, { op, x }: ArgCall): DeviceArray<'u32'> {
  const out = new DeviceArray(host, 'u32', []);
  const X = x.data;
  const O = out.data;
  host.enqueue(() => {
    const i = argCpu(op, X);
    O[0] = i < 0 ? 0xffffffff : i;
  });
  return out;
}
