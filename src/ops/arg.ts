/**
 * argmin and argmax: the manifests (argument check, NumPy's name, tolerance, docs) and the float64
 * reference. The engines' implementations: src/backends/dawn/ops/arg.ts (WGSL, kernels/reduce-arg.wgsl) and
 * src/backends/host/ops/arg.ts (a CPU loop). Along axes they are reductions of src/ops/axis.ts.
 */
import { checkAxisOptions, reduceAxis, refuseEmpty, type AxisOptions } from './axis.js';
import type { DeviceArray } from '../buffers/device-array.js';
import { ArgumentError } from '../errors.js';
import { requireDType } from './util.js';
import { checkArray } from './signature.js';
import { argCpu } from '../reference/arg.js';
import { defineOp, type Checked } from './manifest.js';
import { argReduce } from '../backends/dawn/ops/arg.js';
import { hostArg } from '../backends/host/ops/arg.js';

/** A checked whole-array argmin/argmax. */
export interface ArgCall extends Checked {
  readonly op: 'argmin' | 'argmax';
  readonly x: DeviceArray;
  readonly shape: readonly number[];
  readonly dtype: 'u32';
}

function argOp(op: 'argmin' | 'argmax', numpy: string, summary: string) {
  return defineOp({
    name: op,
    numpy,
    category: 'reduction',
    summary,
    tolerance: 'exact',
    dtypes: ['f32', 'i32', 'u32'],
    axis: 'several',
    check: (x: DeviceArray, keepdims: boolean): ArgCall => {
      refuseEmpty(op, x);
      requireDType(op, 'x', x, ['f32', 'i32', 'u32']);
      if (x.length >= 0xffffffff) throw new ArgumentError(`${op}: indices are u32, so x must have fewer than 2^32 - 1 elements`);
      return { backend: x.backend, op, x, shape: keepdims ? x.shape.map(() => 1) : [], dtype: 'u32' };
    },
    dawn: argReduce,
    host: hostArg,
    reference: argCpu,
  });
}

export const ARGMIN = argOp('argmin', 'numpy.argmin', 'index of the first smallest element (first NaN), whole array or along axes');
export const ARGMAX = argOp('argmax', 'numpy.argmax', 'index of the first largest element (first NaN), whole array or along axes');

/**
 * Index of the first smallest element (of the flattened array), as an i32 device scalar (the standard's default index dtype). If x holds a NaN,
 * the index of the first NaN; an empty array is a ShapeError (as NumPy raises). With `{ axis }`: indices
 * along the reduced axes; `keepdims` keeps extent-1 axes.
 *
 * @example
 * ```ts
 * const i = await argmin(device.array(new Float32Array([3, 1, 2, 1]))).item(); // 1
 * ```
 */
export function argmin(x: DeviceArray, opts?: AxisOptions): DeviceArray<'i32'> {
  return argAlong('argmin', x, opts);
}

/** Index of the first largest element (first NaN if any; an empty array is a ShapeError), as an i32 device scalar. */
export function argmax(x: DeviceArray, opts?: AxisOptions): DeviceArray<'i32'> {
  return argAlong('argmax', x, opts);
}

function argAlong(op: 'argmin' | 'argmax', x: DeviceArray, opts: AxisOptions | undefined): DeviceArray<'i32'> {
  checkArray(op, 'x', x);
  const o = checkAxisOptions(op, opts);
  // The kernels write u32 indices; every index fits i32 (x is refused from 2^31 elements), whose words are the
  // same: the result is that memory as i32, the standard's default index dtype.
  if (x.size >= 2 ** 31) throw new ArgumentError(`${op}: indices are i32, so x must have fewer than 2^31 elements (it has ${x.size})`);
  // Along axes: indices along the reduced axes (C order over them), as NumPy's argmin with one axis.
  if (o.axis !== undefined) {
    const r = reduceAxis(op, x, o);
    return r.reinterpret('i32', r.shape);
  }
  const r = (op === 'argmin' ? ARGMIN : ARGMAX).call(x, o.keepdims === true);
  return r.reinterpret('i32', o.keepdims === true ? x.shape.map(() => 1) : r.shape);
}
