/**
 * The math ops of src/ops/math.ts on the host engine: each op's WGSL body (its host variant where the NaN
 * tests differ) translated to JavaScript once (src/backends/host/builders.ts) and run on the CPU.
 */
import type { DeviceArray } from '../../../buffers/device-array.js';
import type { HostContext } from '../context.js';
import { DTypeError } from '../../../errors.js';
import { hostReady } from '../builders.js';
import type { MathCall } from '../../../ops/math.js';

export function hostMath(_host: HostContext, { name, spec, named, to }: MathCall): DeviceArray {
  if (to === 'f16') throw new DTypeError('astype: f16 needs the device feature shader-f16, which the gpujs engine lacks (gpu.js computes in f32 only)');
  return hostReady({ name, args: spec.args, body: spec.hostBody ?? spec.body })(named);
}
