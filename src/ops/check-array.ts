/** The check every op runs first on each array argument: a leaf, so any op module may import it. */
import { DeviceArray } from '../buffers/device-array.js';
import { describeValue, isGenuine } from '../args.js';
import { ArgumentError, DestroyedError } from '../errors.js';

/**
 * Refuses anything but a DeviceArray itself as argument `name` of `op`: null, a host array, another
 * object, or a Proxy of a DeviceArray (which passes `instanceof` but cannot reach the array's memory).
 * Every op calls this first, before choosing an engine, so both engines throw the same ArgumentError.
 */
export function checkArray(op: string, name: string, x: unknown): asserts x is DeviceArray {
  let is: boolean;
  try {
    is = x instanceof DeviceArray;
  } catch {
    is = false; // a Proxy whose getPrototypeOf trap throws
  }
  if (!is) throw new ArgumentError(`${op}: ${name} must be a DeviceArray, got ${describeValue(x)}`);
  if (!isGenuine(x as DeviceArray)) throw new ArgumentError(`${op}: ${name} is a Proxy of a DeviceArray (or an object made from its prototype), not the array itself; pass the array`);
}

/**
 * {@link checkArray}, then refuses a destroyed array with a DestroyedError naming the op, the argument, its
 * dtype and shape; returns the array, typed.
 */
export function liveArray(op: string, name: string, x: unknown): DeviceArray {
  checkArray(op, name, x);
  if (x.destroyed) throw new DestroyedError(`${op}: ${name} (${x.dtype}, shape [${x.shape.join(', ')}]) was destroyed`);
  return x;
}
