import { DeviceArray } from '../buffers/device-array.js';
import type { DType } from '../buffers/dtype.js';
import { ArgumentError, DTypeError, ShapeError } from '../errors.js';
import type { ArgSpec } from '../kernels/codegen.js';

/** A builder's arguments bound by name: arrays and scalars. */
export type BoundArgs = Record<string, DeviceArray | number>;

/**
 * Binds positional or named arguments against a builder's signature and checks each one's kind.
 * Names in `optional` (allocated outputs) may be left out.
 */
export function bindArgs(op: string, args: readonly ArgSpec[], input: readonly unknown[], optional: readonly string[] = []): BoundArgs {
  const named: BoundArgs = {};
  const only = input[0];
  if (input.length === 1 && typeof only === 'object' && only !== null && !(only instanceof DeviceArray)) {
    const obj = only as Record<string, unknown>;
    const known = new Set(args.map((a) => a.name));
    const extra = Object.keys(obj).filter((k) => !known.has(k));
    if (extra.length > 0) throw new ArgumentError(`${op}: unknown argument ${extra.join(', ')}; it takes ${[...known].join(', ')}`);
    Object.assign(named, obj);
  } else {
    if (input.length > args.length) throw new ArgumentError(`${op}: takes ${args.length} arguments, got ${input.length}`);
    input.forEach((v, k) => {
      const a = args[k];
      if (a !== undefined && v !== undefined) named[a.name] = v as DeviceArray | number;
    });
  }
  for (const a of args) {
    const v = named[a.name];
    if (v === undefined) {
      if (a.array && optional.includes(a.name)) continue;
      throw new ArgumentError(`${op}: missing argument '${a.name}' (${a.type}${a.array ? '[]' : ''})`);
    }
    if (a.array && !(v instanceof DeviceArray)) throw new ArgumentError(`${op}: '${a.name}' is an array argument; pass a DeviceArray`);
    if (!a.array && typeof v !== 'number') throw new ArgumentError(`${op}: '${a.name}' is a scalar argument; pass a number`);
  }
  return named;
}

/**
 * Resolves the `T` placeholder from the arrays passed (every `T` array must agree, every concrete one
 * must match) and checks that all arrays have one length. An all-omitted signature defaults to f32.
 */
export function resolveArrays(op: string, args: readonly ArgSpec[], named: BoundArgs): { dtype: DType; n: number; given: DeviceArray[] } {
  let dtype: DType | undefined;
  let first = '';
  let n: number | undefined;
  let lengthOf = '';
  const given: DeviceArray[] = [];
  for (const a of args) {
    const v = named[a.name];
    if (!a.array || !(v instanceof DeviceArray)) continue;
    given.push(v);
    if (a.type === 'T') {
      if (dtype === undefined) {
        dtype = v.dtype;
        first = a.name;
      } else if (v.dtype !== dtype) throw new DTypeError(`${op}: ${first} is ${dtype} but ${a.name} is ${v.dtype} (both are T)`);
    } else if (v.dtype !== a.type) throw new DTypeError(`${op}: ${a.name} must be ${a.type}, got ${v.dtype}`);
    if (n === undefined) {
      n = v.length;
      lengthOf = a.name;
    } else if (v.length !== n) throw new ShapeError(`${op}: ${a.name} has length ${v.length} but ${lengthOf} has length ${n}`);
  }
  return { dtype: dtype ?? 'f32', n: n ?? 0, given };
}

/**
 * Checks that an array argument is a DeviceArray (ops that take their arrays positionally, like `dot` and
 * `axpy`, check it before they read its dtype).
 *
 * @example requireArray('dot', 'y', y); // ArgumentError "dot: 'y' is an array argument; pass a DeviceArray"
 */
export function requireArray(op: string, name: string, v: unknown): asserts v is DeviceArray {
  if (!(v instanceof DeviceArray)) throw new ArgumentError(`${op}: '${name}' is an array argument; pass a DeviceArray`);
}

/**
 * Checks that a scalar argument is a number its type can hold exactly, the way a uniform is written
 * (i32: an integer in [-2^31, 2^31); u32: an integer in [0, 2^32); f32 and f16 take any number, rounded).
 * Both engines call it before any work is enqueued, so a bad scalar fails the same way on both, whatever
 * the array's length.
 *
 * @example checkScalar('scale', 'a', 'i32', 1.5); // ArgumentError "scale: params.a: 1.5 is not an i32 (...)"
 */
export function checkScalar(op: string, name: string, type: DType, v: unknown): asserts v is number {
  if (typeof v !== 'number') throw new ArgumentError(`${op}: '${name}' is a scalar argument; pass a number`);
  if (type === 'i32' && !(Number.isInteger(v) && v >= -0x80000000 && v <= 0x7fffffff)) throw new ArgumentError(`${op}: params.${name}: ${v} is not an i32 (an integer in [-2^31, 2^31))`);
  if (type === 'u32' && !(Number.isInteger(v) && v >= 0 && v <= 0xffffffff)) throw new ArgumentError(`${op}: params.${name}: ${v} is not a u32 (an integer in [0, 2^32))`);
}

/** {@link checkScalar} for every scalar of a bound signature, `T` being `dtype`. */
export function checkScalars(op: string, args: readonly ArgSpec[], named: BoundArgs, dtype: DType): void {
  for (const a of args) if (!a.array) checkScalar(op, a.name, a.type === 'T' ? dtype : a.type, named[a.name]);
}
