/** fft/ifft on the host engine: the float64 reference, rounded once to f32. */
import { DeviceArray } from '../../../buffers/device-array.js';
import type { HostContext } from '../context.js';
import { hostOf } from '../host-of.js';
import { fftCpu } from '../../../reference/fft.js';
import type { FftCall } from '../../../ops/fft.js';

export function hostFft(_: HostContext, { x, n, batch, inverse }: FftCall): DeviceArray<'f32'> {
  const host = hostOf(inverse ? 'ifft' : 'fft', x);
  const out = new DeviceArray(host, 'f32', x.length);
  const X = x.data as Float32Array;
  const O = out.data;
  if (x.length === 0) return out;
  host.enqueue(() => {
    O.set(n <= 1 ? X : fftCpu(X, n, batch, inverse));
  });
  return out;
}
