import { DeviceArray } from '../buffers/device-array.js';
import { bytesOf, type DType } from '../buffers/dtype.js';
import type { DeviceContext } from '../backends/dawn/context.js';
import { ArgumentError, DestroyedError, DTypeError, LimitError, ShapeError } from '../errors.js';
import { checkArray } from './signature.js';

/** Refuses a destroyed array before anything reads its shape, naming the op and the argument. */
export function checkLive(op: string, arrays: Readonly<Record<string, DeviceArray>>): void {
  for (const [name, a] of Object.entries(arrays)) if (a.destroyed) throw new DestroyedError(`${op}: ${name} (${a.dtype}, shape [${a.shape.join(', ')}]) was destroyed`);
}

/** The device every array belongs to; refuses arrays from different devices. */
export function deviceOf(op: string, ...arrays: readonly DeviceArray[]): DeviceContext {
  const first = arrays[0];
  if (first === undefined) throw new ArgumentError(`${op}: needs at least one array`);
  for (const a of arrays) {
    // Checked at run time: callers from plain JS can pass anything.
    checkArray(op, 'an argument', a);
    if (a.ctx !== first.ctx) throw new ArgumentError(`${op}: arrays belong to different devices`);
    if (a.destroyed) throw new DestroyedError(`${op}: this ${a.dtype} array of length ${a.length} was destroyed`);
  }
  first.ctx.assertUsable();
  return first.ctx;
}

export function requireDType(op: string, name: string, a: DeviceArray, allowed: readonly DType[]): void {
  if (!allowed.includes(a.dtype)) throw new DTypeError(`${op}: ${name} has dtype ${a.dtype}; expected ${allowed.join(' or ')}`);
}

export function sameDType(op: string, a: DeviceArray, an: string, b: DeviceArray, bn: string): void {
  if (a.dtype !== b.dtype) throw new DTypeError(`${op}: ${an} is ${a.dtype} but ${bn} is ${b.dtype}`);
}

export function sameLength(op: string, a: DeviceArray, an: string, b: DeviceArray, bn: string): void {
  if (a.length !== b.length) throw new ShapeError(`${op}: ${an} has length ${a.length} but ${bn} has length ${b.length}`);
}


export const FLOAT_DTYPES: readonly DType[] = ['f32', 'f16'];
export const NUMERIC_DTYPES: readonly DType[] = ['f32', 'i32', 'u32', 'f16'];

/** Workgroups needed for `items` work items, at `perGroup` items per workgroup. */
export function groupsFor(items: number, perGroup: number): number {
  return Math.ceil(items / perGroup);
}

/** The most elements an op's kernels index: their counts and offsets are u32 (histogram counts too). */
export const MAX_OP_ELEMENTS = 0xffffffff;

/**
 * Refuses `n` elements past {@link MAX_OP_ELEMENTS} with a LimitError naming the op, before any per-chunk
 * work: a broadcast view can be far larger than memory (2^52 elements of a 4-element array), and splitting
 * it into chunk descriptors first would exhaust the heap.
 */
export function checkElements(op: string, n: number): void {
  if (n > MAX_OP_ELEMENTS) {
    throw new LimitError('elements', n, MAX_OP_ELEMENTS, `${op}: elements of its input`, 'an op indexes its input with u32: reduce slices of it (x.slice([a, b])) and combine the results');
  }
}

/**
 * Arrays an op splits into chunks, as flat (1-D) views to take windows of. A view that is not contiguous
 * (a transpose, a broadcast, a stepped slice) is gathered into a new array first when `gather` is set (only
 * for inputs: an output must be written where it is); otherwise it is refused with a LimitError naming the
 * op and the argument. Destroy the results after use (a gathered copy is freed with them).
 */
export function windowable(op: string, arrays: Readonly<Record<string, DeviceArray>>, maxBinding: number, gather = false): Record<string, DeviceArray> {
  const out: Record<string, DeviceArray> = {};
  for (const [name, a] of Object.entries(arrays)) {
    if (!a.isContiguous && gather) {
      try {
        const copy = a.contiguous();
        out[name] = copy.reinterpret(copy.dtype, [copy.length]);
      } catch (e) {
        for (const v of Object.values(out)) v.destroy();
        throw e;
      }
      continue;
    }
    if (!a.isContiguous) {
      for (const v of Object.values(out)) v.destroy();
      throw new LimitError(
        'maxStorageBufferBindingSize',
        a.size * bytesOf(a.dtype),
        maxBinding,
        `${op}: '${name}' is a view of shape [${a.shape.join(', ')}] (strides [${a.strides.join(', ')}]) larger than one binding`,
        'only contiguous arrays (and inputs broadcast along leading axes, for elementwise ops) are split into chunks: pass x.contiguous() first, or broadcast a smaller operand',
      );
    }
    out[name] = a.reshape(-1);
  }
  return out;
}
