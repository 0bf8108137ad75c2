/** The math ops of src/ops/math.ts on Dawn: each op's WGSL body as a ready elementwise builder. */
import type { DeviceArray } from '../../../buffers/device-array.js';
import type { DeviceContext } from '../context.js';
import { DTypeError } from '../../../errors.js';
import { readyElementwise } from './elementwise.js';
import type { MathCall } from '../../../ops/math.js';

export function dawnMath(ctx: DeviceContext, { name, spec, checked, to }: MathCall): DeviceArray {
  if (to === 'f16' && !ctx.features.has('shader-f16')) throw new DTypeError('astype: f16 needs the device feature shader-f16, which this adapter lacks');
  return readyElementwise(name, spec.args, spec.body, spec.vec4 !== true)(checked);
}
