/**
 * The math ops of src/ops/math.ts on the host engine: each op's WGSL body (its host variant where the NaN
 * tests differ) translated to JavaScript once (src/backends/host/builders.ts) and run on the CPU; with
 * fusion on, recorded and run as one loop per chain (src/backends/host/fusion.ts).
 */
import type { DeviceArray } from '../../../buffers/device-array.js';
import type { HostContext } from '../context.js';
import { DTypeError } from '../../../errors.js';
import { hostReady } from '../builders.js';
import type { MathCall } from '../../../ops/math.js';
import { hostFusionOf } from '../fusion.js';

export function hostMath(host: HostContext, call: MathCall): DeviceArray {
  const { name, spec, named, to } = call;
  if (to === 'f16') throw new DTypeError('astype: f16 needs the device feature shader-f16, which the gpujs engine lacks (gpu.js computes in f32 only)');
  // Recorded into a chain (one loop, computed when something needs it), or, when it cannot be, run now.
  const lazy = hostFusionOf(host).record(call);
  if (lazy !== undefined) return lazy;
  return hostReady({ name, args: spec.args, body: spec.hostBody ?? spec.body })(named);
}
