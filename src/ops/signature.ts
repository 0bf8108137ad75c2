import { DeviceArray } from '../buffers/device-array.js';
import { broadcastShapes, sizeOf } from '../buffers/strided.js';
import { assertDType, type DType } from '../buffers/dtype.js';
import { checkOptions, describeValue, type OptionCheck } from '../args.js';
import { ArgumentError, DTypeError, ShapeError } from '../errors.js';
import { MAX_IND_DIMS, type ArgSpec } from '../kernels/codegen.js';
import { checkArray } from './check-array.js';
import { COPY } from './copy.js';

export { checkArray } from './check-array.js';

/** Checks each named array argument of `op`; those listed in `optional` may be undefined. */
export function checkArrays(op: string, arrays: Readonly<Record<string, unknown>>, optional: readonly string[] = []): void {
  for (const [name, x] of Object.entries(arrays)) {
    if (x === undefined && optional.includes(name)) continue;
    checkArray(op, name, x);
  }
}

type HostKind = typeof Float32Array | typeof Float64Array | typeof Int32Array | typeof Uint32Array;

/**
 * A CPU reference's host array argument: one of `kinds` (a Proxy of one is refused too: typed-array
 * getters throw on it). A typed array of another kind is a DTypeError, anything else an ArgumentError.
 */
export function checkHost(op: string, name: string, x: unknown, kinds: readonly HostKind[]): void {
  if (ArrayBuffer.isView(x) && kinds.some((k) => x instanceof k)) return;
  const names = kinds.map((k) => k.name).join(' or ');
  if (ArrayBuffer.isView(x)) throw new DTypeError(`${op}: ${name} is a ${x.constructor.name}; expected a ${names}`);
  throw new ArgumentError(`${op}: ${name} must be a ${names}, got ${describeValue(x)}`);
}

/** A size argument of a CPU reference: a non-negative safe integer, else ShapeError. */
export function checkSize(op: string, name: string, v: unknown): asserts v is number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new ShapeError(`${op}: ${name} must be a non-negative integer, got ${describeValue(v)}`);
}

/** The (dtype, width) of a builder's `wgsl()` inspection call. */
export function checkVariant(op: string, dtype: unknown, width: unknown): void {
  assertDType(dtype);
  if (width !== 1 && width !== 4) throw new ArgumentError(`${op}.wgsl: width must be 1 or 4, got ${describeValue(width)}`);
}

/** A scalar argument of `op` must be a number (a string or bigint would be coerced, or throw deep inside). */
export function checkNumber(op: string, name: string, v: unknown): asserts v is number {
  if (typeof v !== 'number') throw new ArgumentError(`${op}: '${name}' is a scalar argument; pass a number, got ${describeValue(v)}`);
}

/** A builder's arguments bound by name: arrays and scalars. */
export type BoundArgs = Record<string, DeviceArray | number>;

/** Each parsed signature's argument names (signatures are parsed once and kept: one set per signature, not per call). */
const argNames = new WeakMap<readonly ArgSpec[], ReadonlySet<string>>();

/**
 * Binds positional or named arguments against a builder's signature and checks each one's kind.
 * Names in `optional` (allocated outputs) may be left out.
 */
export function bindArgs(op: string, args: readonly ArgSpec[], input: readonly unknown[], optional: readonly string[] = []): BoundArgs {
  const named: BoundArgs = {};
  const only = input[0];
  if (input.length === 1 && typeof only === 'object' && only !== null && !(only instanceof DeviceArray)) {
    const obj = only as Record<string, unknown>;
    let known = argNames.get(args);
    if (known === undefined) argNames.set(args, (known = new Set(args.map((a) => a.name))));
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
    if (a.array) checkArray(op, `'${a.name}'`, v);
    if (!a.array && typeof v !== 'number') throw new ArgumentError(`${op}: '${a.name}' is a scalar argument; pass a number`);
  }
  return named;
}

/**
 * Resolves the `T` placeholder from the arrays passed (every `T` array must agree, every concrete one
 * must match) and checks that all arrays have one length. An all-omitted signature defaults to f32.
 */
export function resolveArrays(op: string, args: readonly ArgSpec[], named: BoundArgs, size?: readonly number[]): { dtype: DType; n: number; shape: number[]; given: DeviceArray[] } {
  let dtype: DType | undefined;
  let first = '';
  const given: DeviceArray[] = [];
  const shapes: (readonly number[])[] = [];
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
    if (a.raw !== true) shapes.push(v.shape); // raw arrays are indexed by the body, never broadcast
  }
  // T is a number type: a bool array (u32 words of 0/1) would take any word the body computes. Bool
  // arguments are declared `bool[]`, and an op that takes bool says so in its own check.
  if (dtype === 'bool') throw new DTypeError(`${op}: ${first} is a bool array, which the T placeholder cannot take (T is a number type): convert it with astype(x, 'u32') first${args.some((a) => a.type === 'bool') ? '' : ', or declare the argument bool[]'}`);
  const raws = args.filter((a) => a.raw === true && named[a.name] instanceof DeviceArray);
  if (shapes.length === 0 && raws.length > 0 && size === undefined) {
    throw new ArgumentError(`${op}: every array argument given is raw (${raws.map((a) => a.name).join(', ')}), so the output's shape cannot be inferred; pass it: fn(args, { size: [...] })`);
  }
  // NumPy's broadcasting over every array argument (ShapeError naming the shapes when they do not fit).
  const shape = shapes.length === 0 ? [...(size ?? [0])] : broadcastShapes(op, ...shapes);
  if (size !== undefined && !sameShape(size, shape)) {
    throw new ShapeError(`${op}: size is [${size.join(', ')}] but the arguments broadcast to [${shape.join(', ')}]`);
  }
  const n = sizeOf(shape);
  for (const a of raws) {
    // An index into an empty array reads nothing of its own (a binding cannot be empty): refused.
    if (n > 0 && (named[a.name] as DeviceArray).size === 0) throw new ShapeError(`${op}: raw argument '${a.name}' is empty, so no index into it is in range`);
  }
  return { dtype: dtype ?? 'f32', n, shape, given };
}

/**
 * Splits a builder call's trailing options object (`fn({ x, y }, { size })` or `fn(x, y, { size })`) from
 * its arguments. `size` is the output's shape (a number: 1-D), needed when every array argument is raw.
 */
export function callOptions(op: string, input: readonly unknown[]): { input: readonly unknown[]; size?: number[] } {
  const last = input[input.length - 1];
  if (input.length < 2 || typeof last !== 'object' || last === null || last instanceof DeviceArray) return { input };
  const o = last as Record<string, unknown>;
  const extra = Object.keys(o).filter((k) => k !== 'size');
  if (extra.length > 0) throw new ArgumentError(`${op}: unknown call option ${extra.join(', ')}; the options object (after the arguments) takes size`);
  const rest = input.slice(0, -1);
  if (o['size'] === undefined) return { input: rest };
  const raw = o['size'];
  const size = typeof raw === 'number' ? [raw] : Array.isArray(raw) ? (raw as unknown[]) : undefined;
  if (size === undefined || !size.every((d) => typeof d === 'number' && Number.isSafeInteger(d) && d >= 0)) {
    throw new ShapeError(`${op}: size must be a non-negative integer or an array of them (the output's shape), got ${describeValue(raw)}`);
  }
  return { input: rest, size: size as number[] };
}

/** Whether two arrays share memory (one GPU buffer, or one host block on gpujs), whatever their layouts. */
export function sharesMemory(a: DeviceArray, b: DeviceArray): boolean {
  if (a === b) return true;
  if (a.destroyed || b.destroyed || a.engine !== b.engine) return false;
  // Host memory is one block per array (absent for GPU storage); GPU storage is one or more buffers.
  const block = a.storageBlock as ArrayBuffer | null | undefined;
  if (block !== null && block !== undefined) return block === b.storageBlock;
  const bs = b.storageBuffers;
  return a.storageBuffers.some((x) => bs.includes(x));
}

/** The same elements in the same order: one storage (checked by the caller), shape, strides and offset. */
export function sameLayout(a: DeviceArray, b: DeviceArray): boolean {
  return sameShape(a.shape, b.shape) && a.offset === b.offset && a.strides.every((s, d) => s === b.strides[d] || (a.shape[d] ?? 0) <= 1);
}

/**
 * A new plain array holding `x`'s elements, on its engine's queue (a view is gathered, a plain array
 * copied): the op `copy` (src/ops/copy.ts). On gpujs it is an op of the host queue, so a copy of a failed
 * array fails too.
 */
export function copyOf<D extends DType>(x: DeviceArray<D>): DeviceArray<D> {
  return COPY.call(x, []) as DeviceArray<D>;
}

/**
 * NumPy's rule for an input that overlaps an output (`np.subtract(X, X[0], out=X)`): the result is what
 * the op computes from a copy of its inputs. Elementwise, an input with exactly the output's layout in
 * the same memory is read by the invocation that writes it, so it is bound as the output itself (in
 * place); any other input sharing an output's memory (another view of it: a row, a broadcast, a shifted
 * window, a reshape) is replaced by a copy made first. Both engines call this before they compute, so
 * they agree. Two outputs sharing memory are refused (their writes would race). Returns the copies made,
 * for the caller to destroy once the op is enqueued.
 */
export function separateOverlaps(op: string, args: readonly ArgSpec[], named: BoundArgs, outputs: readonly string[]): DeviceArray[] {
  const outs = outputs.filter((o) => named[o] instanceof DeviceArray);
  outs.forEach((p, k) => {
    for (const q of outs.slice(0, k)) {
      const a = named[p] as DeviceArray;
      const b = named[q] as DeviceArray;
      if (a !== b && sharesMemory(a, b)) throw new ArgumentError(`${op}: outputs '${q}' and '${p}' are views of the same memory and the body writes both; give each output its own array`);
    }
  });
  const copies: DeviceArray[] = [];
  try {
    for (const a of args) {
      const v = named[a.name];
      if (!a.array || a.raw === true || outputs.includes(a.name) || !(v instanceof DeviceArray)) continue;
      const o = outs.map((name) => named[name] as DeviceArray).find((w) => w !== v && sharesMemory(v, w));
      if (o === undefined) continue;
      if (sameLayout(v, o)) named[a.name] = o;
      else {
        const c = copyOf(v);
        copies.push(c);
        named[a.name] = c;
      }
    }
  } catch (e) {
    for (const c of copies) c.destroy();
    throw e;
  }
  return copies;
}

/**
 * A raw input may not be the same array as an output: the body reads any of its elements while other
 * invocations write them (a race on Dawn, an order-dependent answer on gpujs).
 */
export function checkRawAliases(op: string, args: readonly ArgSpec[], named: BoundArgs, outputs: readonly string[]): void {
  for (const a of args) {
    if (a.raw !== true) continue;
    const v = named[a.name];
    const o = outputs.find((p) => {
      const w = named[p];
      return w !== undefined && (w === v || (w instanceof DeviceArray && v instanceof DeviceArray && sharesMemory(v, w)));
    });
    if (o !== undefined) {
      const what = named[o] === v ? 'is the same array as' : 'shares memory with';
      throw new ArgumentError(`${op}: raw argument '${a.name}' ${what} output '${o}'; the body may read elements other invocations write — pass a copy`);
    }
  }
}

/**
 * Broadcasts the array arguments of an elementwise call to `shape`: inputs of another shape become
 * read-only broadcast views (kernels read them through a gather); outputs must have exactly `shape`.
 * Returns the views it made.
 */
export function broadcastArgs(op: string, args: readonly ArgSpec[], named: Record<string, DeviceArray | number>, outputs: readonly string[], shape: readonly number[]): DeviceArray[] {
  const views: DeviceArray[] = [];
  for (const a of args) {
    const v = named[a.name];
    if (!a.array || a.raw === true || !(v instanceof DeviceArray) || sameShape(v.shape, shape)) continue;
    if (outputs.includes(a.name)) {
      throw new ShapeError(`${op}: output '${a.name}' has shape [${v.shape.join(', ')}] but the arguments broadcast to [${shape.join(', ')}]`);
    }
    const b = v.broadcastTo(shape);
    views.push(b);
    named[a.name] = b;
  }
  return views;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((e, d) => e === b[d]);
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

/** A checked elementwise call: the arguments by name, the `T` dtype, the output's size and shape, the arrays given. */
export interface ElementwiseCheck {
  readonly named: BoundArgs;
  readonly dtype: DType;
  readonly n: number;
  readonly shape: number[];
  readonly given: DeviceArray[];
}

/**
 * What both engines' `device.elementwise` builders check of a call before anything runs: the trailing
 * options, the arguments bound by name, outputs the body reads (they must be given), the arrays' dtype and
 * output shape, scalar values, raw inputs aliasing an output, and `_ind(d)`'s rank limit.
 */
export function checkElementwiseCall(
  name: string,
  spec: { readonly args: readonly ArgSpec[]; readonly outputs: readonly string[]; readonly writeOnly: readonly string[]; readonly ind: boolean },
  all: readonly unknown[],
): ElementwiseCheck {
  const op = `elementwise '${name}'`;
  const { input, size } = callOptions(name, all);
  const named = bindArgs(name, spec.args, input, spec.outputs);
  for (const o of spec.outputs) {
    const v = named[o];
    if (v instanceof DeviceArray) v.assertWritable(op, `output '${o}'`);
  }
  for (const o of spec.outputs) {
    if (named[o] === undefined && !spec.writeOnly.includes(o)) {
      throw new ArgumentError(`${op}: output '${o}' is also read by the body, so it must be given (an omitted output is allocated uninitialised)`);
    }
  }
  const { dtype, n, shape, given } = resolveArrays(name, spec.args, named, size);
  // Here, not when the uniform is written: that happens only for a non-empty dispatch.
  checkScalars(name, spec.args, named, dtype);
  checkRawAliases(name, spec.args, named, spec.outputs);
  if (spec.ind && shape.length > MAX_IND_DIMS) throw new ShapeError(`${op}: _ind(d) sees at most ${MAX_IND_DIMS} dimensions; the output has ${shape.length}`);
  return { named, dtype, n, shape, given };
}

/** The error for a view given as an op's output (both engines: outputs must be plain arrays). */
export function viewOutput(op: string, a: DeviceArray): ArgumentError {
  return new ArgumentError(`${op}: the output ${a.toString()} is a view (offset ${a.offset}, strides [${a.strides.join(', ')}]); outputs must be plain arrays: write into a fresh array, then copy it in with view.write(...)`);
}

/** Options of an op that writes one output: `op(x, y, { out })`. */
export interface OutOptions<D extends DType = DType> {
  /** Write the result into this plain array (it may be an input: in place) instead of a new one. @default a new array */
  readonly out?: DeviceArray<D>;
}

/**
 * Whether `v` is an options object: a plain object, not an array, a typed array or a DeviceArray (which,
 * in an old positional slot, is the argument itself: `add(x, y, out)`).
 */
export function isOptions(v: unknown): v is Readonly<Record<string, unknown>> {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || ArrayBuffer.isView(v)) return false;
  try {
    return !(v instanceof DeviceArray);
  } catch {
    return false; // a Proxy whose getPrototypeOf trap throws: checked as an array, and refused there
  }
}

/** Any value: the op checks it itself (as an array, a number…) so its messages stay the op's own. */
export const ANY_VALUE: OptionCheck = () => undefined;

/**
 * The options of `op(inputs…, options?)` where the same position once took a positional argument
 * (`add(x, y, out)`, `softmax(x, axis)`): an options object is checked (an unknown key is an
 * ArgumentError naming the op and the key) and returned; anything else is the old positional form,
 * returned as `{ [positional]: v }` for the op's own checks to judge.
 *
 * @example optionsOf('add', third, { out: ANY_VALUE }, 'out') // add(x, y, { out }) and add(x, y, out)
 */
export function optionsOf(op: string, v: unknown, fields: Readonly<Record<string, OptionCheck>>, positional: string, required: readonly string[] = []): Record<string, unknown> {
  if (isOptions(v)) return checkOptions(op, v, fields, required);
  return v === undefined ? {} : { [positional]: v };
}

/** The `out` of `op(…, options?)`: `{ out }`, or (deprecated) the output array itself in that position. */
export function outOf(op: string, v: unknown): DeviceArray | undefined {
  return optionsOf(op, v, { out: ANY_VALUE }, 'out')['out'] as DeviceArray | undefined;
}
