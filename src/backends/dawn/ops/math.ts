/** The math ops of src/ops/math.ts on Dawn: each op's WGSL body as a ready elementwise builder. */
import type { DeviceArray } from '../../../buffers/device-array.js';
import type { DeviceContext } from '../context.js';
import { DTypeError } from '../../../errors.js';
import { readyElementwise } from './elementwise.js';
import { fusionOf } from '../fusion.js';
import type { MathCall } from '../../../ops/math.js';

export function dawnMath(ctx: DeviceContext, call: MathCall): DeviceArray {
  const { name, spec, checked, to } = call;
  if (to === 'f16' && !ctx.features.has('shader-f16')) throw new DTypeError('astype: f16 needs the device feature shader-f16, which this adapter lacks');
  // Recorded into a chain (computed when something needs it), or, when it cannot be, run now.
  const lazy = fusionOf(ctx).record(call);
  if (lazy !== undefined) return lazy;
  return readyElementwise(name, spec.args, spec.body, spec.vec4 !== true)(checked);
}
