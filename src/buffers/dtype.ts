import { describeValue } from '../args.js';
import { ArgumentError, DTypeError, ShapeError } from '../errors.js';

/**
 * Element types a {@link DeviceArray} can hold. `f16` needs the device feature `shader-f16`. `bool` (the Array
 * API standard's boolean) is stored as one u32 per element holding 0 or 1 on both engines (WGSL has no bool
 * storage) and reads back as a Uint8Array of 0/1.
 */
export type DType = 'f32' | 'i32' | 'u32' | 'f16' | 'bool';

/**
 * The typed array `toArray()` hands back for each dtype (f16 as Float32Array: Node 20 has no Float16Array;
 * bool as a Uint8Array of 0/1).
 */
export interface HostArrayOf {
  f32: Float32Array;
  i32: Int32Array;
  u32: Uint32Array;
  f16: Float32Array;
  bool: Uint8Array;
}

/** The typed array that holds each dtype's elements in host memory and on the engines' read path (bool: a u32 of 0/1 per element). */
export interface StoredArrayOf {
  f32: Float32Array;
  i32: Int32Array;
  u32: Uint32Array;
  f16: Float32Array;
  bool: Uint32Array;
}
export type HostArray = Float32Array | Int32Array | Uint32Array;

interface DTypeInfo {
  readonly bytes: number;
  readonly wgsl: string;
}

const DTYPES: Readonly<Record<DType, DTypeInfo>> = {
  f32: { bytes: 4, wgsl: 'f32' },
  i32: { bytes: 4, wgsl: 'i32' },
  u32: { bytes: 4, wgsl: 'u32' },
  f16: { bytes: 2, wgsl: 'f16' },
  bool: { bytes: 4, wgsl: 'u32' },
};

export const dtypes: readonly DType[] = ['f32', 'i32', 'u32', 'f16', 'bool'];

/** The WGSL type that holds a dtype's elements in storage (bool: u32 holding 0 or 1). */
export function wgslOf(dtype: DType): string {
  return DTYPES[dtype].wgsl;
}

export function isDType(x: unknown): x is DType {
  return typeof x === 'string' && Object.hasOwn(DTYPES, x);
}

/** `x` as a dtype, or a DTypeError naming `op` (when given) and what `x` was (a bigint or a Symbol included). */
export function assertDType(x: unknown, op?: string): DType {
  if (!isDType(x)) throw new DTypeError(`${op !== undefined ? `${op}: ` : ''}unknown dtype ${typeof x === 'string' ? JSON.stringify(x) : describeValue(x)}; expected one of ${dtypes.join(', ')}`);
  return x;
}

export function bytesOf(dtype: DType): number {
  return DTYPES[dtype].bytes;
}

/** What to ask for when a typed array has no dtype of its own on the device, by its element type. */
const ASK_FOR: Readonly<Record<string, string>> = {
  Float64Array: "WebGPU has no float64: pass { dtype: 'f32' } to round each value to the nearest f32 (a value beyond f32's range is refused), or convert it yourself",
  Int8Array: "pass { dtype: 'i32' } (every value converts exactly)",
  Int16Array: "pass { dtype: 'i32' } (every value converts exactly)",
  Uint8Array: "pass { dtype: 'u32' } or { dtype: 'i32' } (every value converts exactly)",
  Uint8ClampedArray: "pass { dtype: 'u32' } or { dtype: 'i32' } (every value converts exactly)",
  Uint16Array: "pass { dtype: 'u32' } or { dtype: 'i32' } (every value converts exactly)",
  BigInt64Array: "WebGPU has no 64-bit integers: pass { dtype: 'i32' } (a value outside i32's range is refused)",
  BigUint64Array: "WebGPU has no 64-bit integers: pass { dtype: 'u32' } (a value outside u32's range is refused)",
};

/**
 * The dtype a host typed array maps to when no dtype is given: Float32Array → f32, Int32Array → i32,
 * Uint32Array → u32. Any other typed array is a DTypeError saying which dtype to ask for (a Float64Array
 * has no float64 on WebGPU: `{ dtype: 'f32' }` rounds it, as the user then asked).
 */
export function dtypeOfHost(a: ArrayBufferView, op?: string): DType {
  if (a instanceof Float32Array) return 'f32';
  if (a instanceof Int32Array) return 'i32';
  if (a instanceof Uint32Array) return 'u32';
  const name = a.constructor.name;
  const ask = ASK_FOR[name];
  throw new DTypeError(
    `${op !== undefined ? `${op}: ` : ''}a ${name} has no dtype of its own on the device${ask !== undefined ? `: ${ask}` : ''}; without a dtype gpukit takes Float32Array (f32), Int32Array (i32) or Uint32Array (u32)`,
  );
}

// The values each integer dtype holds: anything else would wrap (3e10 → -64771072) or truncate on upload.
const INT_RANGE = { i32: [-0x80000000, 0x7fffffff], u32: [0, 0xffffffff] } as const;

/** Whether a typed array's buffer is detached (transferred or freed): it then reads as empty. */
export function isDetached(buffer: ArrayBufferLike): boolean {
  // Node 20 has no ArrayBuffer.prototype.detached; constructing a view over a detached buffer throws.
  try {
    new Uint8Array(buffer, 0, 0);
    return false;
  } catch {
    return true;
  }
}

/**
 * Host data checked for upload as `dtype`, as the typed array that holds it on the host (f16: a
 * Float32Array of the values). Nothing is coerced: a value that would not arrive as given is refused.
 * - `data` that is not a typed array or an array-like of numbers (null, a string, an object without a
 *   valid `length`, a typed array over a detached buffer, a `length` or element getter that throws):
 *   ArgumentError.
 * - A typed array of another element type, an element that is not a number (a string, null, a hole),
 *   or, for i32 / u32, an element that is not an integer in the dtype's range: DTypeError naming the
 *   element's index and value.
 * A typed array that already matches is returned as it is (no copy; it may be SharedArrayBuffer-backed).
 *
 * @example
 * ```ts
 * hostData('array', 'i32', [1, 2]);   // Int32Array [1, 2]
 * hostData('array', 'u32', [-1]);     // throws DTypeError: element 0 is -1, outside u32's range
 * ```
 */
export function hostData(op: string, dtype: DType, data: unknown): HostArray {
  const want = dtype === 'f16' ? Float32Array : dtype === 'i32' ? Int32Array : dtype === 'u32' ? Uint32Array : Float32Array;
  if (ArrayBuffer.isView(data)) {
    if (isDetached(data.buffer)) throw new ArgumentError(`${op}: the ${data.constructor.name}'s ArrayBuffer is detached (transferred or freed), so there is no data to upload`);
    if (dtype === 'bool') {
      // A Uint8Array (what toArray gives) or a Uint32Array of 0/1: checked element by element below.
      if (!(data instanceof Uint8Array || data instanceof Uint32Array)) throw new DTypeError(`${op}: cannot upload a ${data.constructor.name} as bool: pass booleans, or a Uint8Array / Uint32Array of 0 and 1`);
    } else {
      if (data instanceof want) return data;
      if (data instanceof DataView) throw new ArgumentError(`${op}: data must be a typed array or an array of numbers, got a DataView`);
      return convertTyped(op, dtype, data as unknown as ArrayLike<number | bigint>);
    }
  } else if (typeof data !== 'object' || data === null) {
    throw new ArgumentError(`${op}: data must be a typed array or an array of numbers, got ${describeValue(data)}`);
  }
  const list = data as ArrayLike<unknown>;
  let length: unknown;
  try {
    length = list.length;
  } catch (e) {
    throw new ArgumentError(`${op}: reading data.length threw: ${(e as Error).message}`, { cause: e });
  }
  if (typeof length !== 'number' || !Number.isSafeInteger(length) || length < 0) {
    throw new ArgumentError(`${op}: data must be a typed array or an array of numbers; its length is ${describeValue(length)}`);
  }
  const out = hostArray(dtype, length);
  const range = dtype === 'i32' || dtype === 'u32' ? INT_RANGE[dtype] : undefined;
  for (let i = 0; i < length; i++) {
    let v: unknown;
    try {
      v = list[i];
    } catch (e) {
      throw new ArgumentError(`${op}: reading element ${i} of data threw: ${(e as Error).message}`, { cause: e });
    }
    if (dtype === 'bool') {
      // Booleans, or exactly 0 and 1 (the dtype was asked for explicitly): anything else is no boolean.
      if (typeof v === 'boolean') out[i] = v ? 1 : 0;
      else if (v === 0 || v === 1) out[i] = v;
      else throw new DTypeError(`${op}: element ${i} is ${describeValue(v)}; a bool array takes true / false (or the numbers 0 and 1)`);
      continue;
    }
    if (typeof v !== 'number') {
      throw new DTypeError(`${op}: element ${i} is ${describeValue(v)}${v === undefined ? ' (a hole, or data.length is larger than the data)' : ''}; a ${dtype} array takes numbers`);
    }
    if (range !== undefined) checkInteger(op, dtype as 'i32' | 'u32', i, v);
    out[i] = v;
  }
  return out;
}

/**
 * A typed array of another element type converted to `dtype` (the conversion the caller asked for by naming
 * the dtype): exact where the value is representable; for i32 / u32 a value that is not an integer in the
 * dtype's range is a DTypeError (no wrap); for f32 / f16 each value is rounded to the nearest f32 (a
 * Float64Array's 0.1 becomes f32's 0.1), and a finite value whose rounding overflows to ±Infinity is a
 * DTypeError (NaN and ±Infinity themselves pass). Bigints convert when they are safe integers.
 */
function convertTyped(op: string, dtype: DType, data: ArrayLike<number | bigint>): HostArray {
  const n = data.length;
  const out = hostArray(dtype, n);
  const ints = dtype === 'i32' || dtype === 'u32' ? dtype : undefined;
  for (let i = 0; i < n; i++) {
    const raw = data[i] ?? 0;
    let v: number;
    if (typeof raw === 'bigint') {
      v = Number(raw);
      if (!Number.isSafeInteger(v) || BigInt(v) !== raw) {
        throw new DTypeError(`${op}: element ${i} is ${raw}n, which no ${dtype} holds exactly${ints !== undefined ? ` (outside [${INT_RANGE[ints][0]}, ${INT_RANGE[ints][1]}])` : ''}`);
      }
    } else v = raw;
    if (ints !== undefined) checkInteger(op, ints, i, v);
    else if (Number.isFinite(v) && !Number.isFinite(Math.fround(v))) {
      throw new DTypeError(`${op}: element ${i} is ${v}, beyond f32's range (±3.4028234663852886e38): it would become ${v > 0 ? '' : '-'}Infinity; scale or clip it first`);
    }
    out[i] = v;
  }
  return out;
}

/** Data for `device.array`: a typed array, an array of numbers, or nested arrays of them (shape inferred). */
export type NestedArray = ArrayLike<number> | ArrayLike<boolean> | BigInt64Array | BigUint64Array | readonly NestedArray[];

function isSequence(v: unknown): v is ArrayLike<unknown> {
  return Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
}

/**
 * Nested data (`[[1, 2], [3, 4]]`, or a list of typed arrays) flattened in C order with its shape, as NumPy's
 * `array` infers it from the first element along each axis; undefined for data that is not nested (a typed
 * array, or an array none of whose elements is a sequence). Ragged data is a ShapeError naming the first
 * place it differs (`data[1] has 3 elements but data[0] has 2`); an element that is not a number, a
 * DTypeError naming its path. `typed` is the typed-array class of the innermost rows when they all share one
 * (its dtype is the default, as for a flat typed array).
 */
export function nestedData(op: string, data: unknown): { values: (number | bigint | boolean)[]; shape: number[]; typed: ArrayBufferView | undefined } | undefined {
  if (!Array.isArray(data) || !data.some(isSequence)) return undefined;
  const shape: number[] = [];
  let cur: unknown = data;
  while (isSequence(cur)) {
    shape.push(cur.length);
    if (cur.length === 0) break;
    cur = cur[0];
  }
  const first = (d: number): string => '[0]'.repeat(d);
  const values: (number | bigint | boolean)[] = [];
  const rows: { typed: ArrayBufferView | undefined; mixed: boolean } = { typed: undefined, mixed: false };
  const walk = (v: unknown, d: number, path: string): void => {
    if (d === shape.length) {
      if (isSequence(v)) throw new ShapeError(`${op}: data${path} is a sequence but data${first(d)} is a number: nested data must be rectangular (ragged at axis ${d})`);
      if (typeof v !== 'number' && typeof v !== 'bigint' && typeof v !== 'boolean') throw new DTypeError(`${op}: data${path} is ${describeValue(v)}; nested data takes numbers (or booleans)`);
      values.push(v);
      return;
    }
    if (!isSequence(v)) throw new ShapeError(`${op}: data${path} is ${describeValue(v)} but data${first(d)} is a sequence of ${shape[d]}: nested data must be rectangular (ragged at axis ${d})`);
    if (v.length !== shape[d]) throw new ShapeError(`${op}: data${path} has ${v.length} element${v.length === 1 ? '' : 's'} but data${first(d)} has ${shape[d]}: nested data must be rectangular (ragged at axis ${d})`);
    if (d === shape.length - 1) {
      if (!ArrayBuffer.isView(v)) rows.mixed = true;
      else if (rows.typed === undefined) rows.typed = v;
      else if (rows.typed.constructor !== v.constructor) rows.mixed = true;
    }
    for (let i = 0; i < v.length; i++) walk(v[i], d + 1, `${path}[${i}]`);
  };
  walk(data, 0, '');
  return { values, shape, typed: rows.mixed ? undefined : rows.typed };
}

/** Throws DTypeError unless `v`, element `i` of data for an i32 / u32 array, is an integer in the dtype's range. */
export function checkInteger(op: string, dtype: 'i32' | 'u32', i: number, v: number): void {
  const range = INT_RANGE[dtype];
  if (Number.isInteger(v) && v >= range[0] && v <= range[1]) return;
  throw new DTypeError(
    `${op}: element ${i} is ${v}, ${Number.isInteger(v) ? `outside ${dtype}'s range [${range[0]}, ${range[1]}]` : 'not an integer'}; a ${dtype} array holds integers in [${range[0]}, ${range[1]}] (convert or clamp it first)`,
  );
}

export function hostArray<D extends DType>(dtype: D, length: number): StoredArrayOf[D];
export function hostArray(dtype: DType, length: number): HostArray {
  switch (dtype) {
    case 'f32':
    case 'f16':
      return new Float32Array(length);
    case 'i32':
      return new Int32Array(length);
    case 'u32':
    case 'bool':
      return new Uint32Array(length);
  }
}

// f16 conversion: round-to-nearest-even, the same rounding the GPU uses when it stores f16.
const f32Scratch = new Float32Array(1);
const u32Scratch = new Uint32Array(f32Scratch.buffer);

export function f32ToF16Bits(value: number): number {
  f32Scratch[0] = value;
  const x = u32Scratch[0] ?? 0;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    const rest = mant & ((1 << shift) - 1);
    let m = mant >>> shift;
    if (rest > half || (rest === half && (m & 1) !== 0)) m += 1;
    return sign | m;
  }
  const rest = mant & 0x1fff;
  let m = mant >>> 13;
  if (rest > 0x1000 || (rest === 0x1000 && (m & 1) !== 0)) {
    m += 1;
    if (m === 0x400) {
      m = 0;
      e += 1;
      if (e >= 0x1f) return sign | 0x7c00;
    }
  }
  return sign | (e << 10) | m;
}

export function f16BitsToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant !== 0 ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

// --- The Array API standard's type promotion, over gpukit's dtypes ----------------------------------------

/** Whether a dtype is a floating-point one (f32, f16). */
export function isFloatDType(d: DType): boolean {
  return d === 'f32' || d === 'f16';
}

/** Whether a dtype is an integer one (i32, u32). */
export function isIntDType(d: DType): boolean {
  return d === 'i32' || d === 'u32';
}

/**
 * The dtype two operands of `op` promote to, by the Array API standard's table restricted to gpukit's dtypes:
 * the same dtype stays; f16 with f32 is f32. Everything else the standard refuses or needs a dtype WebGPU
 * lacks, so it is a DTypeError naming `op`: bool with a number dtype and integer with float (numpy.array_api
 * raises TypeError for both: the standard defines no cross-kind promotion), and i32 with u32 (the standard's
 * answer is int64, which WGSL has no type for).
 *
 * @example
 * ```ts
 * promoteTypes('add', 'f16', 'f32'); // 'f32'
 * promoteTypes('add', 'i32', 'u32'); // throws DTypeError: ... would need int64 ...
 * ```
 */
export function promoteTypes(op: string, a: DType, b: DType): DType {
  if (a === b) return a;
  if (isFloatDType(a) && isFloatDType(b)) return 'f32';
  if (a === 'bool' || b === 'bool') throw new DTypeError(`${op}: cannot combine ${a} and ${b}: the Array API standard promotes bool only with bool (convert with astype first)`);
  if (isFloatDType(a) !== isFloatDType(b)) {
    throw new DTypeError(`${op}: cannot combine ${a} and ${b}: the Array API standard has no promotion between integer and floating-point dtypes (convert one with astype first)`);
  }
  throw new DTypeError(`${op}: cannot combine ${a} and ${b}: the Array API standard promotes them to int64, which WebGPU has no type for (convert one with astype first)`);
}

/**
 * The dtype the standard's promotion gives the arrays and dtypes passed (the standard's `result_type`):
 * arrays (anything with a `dtype`) and dtype names, at least one. Refusals as {@link promoteTypes}: a
 * DTypeError for bool with numbers, integer with float and i32 with u32.
 *
 * @example
 * ```ts
 * resultType('f16', 'f32');   // 'f32'
 * resultType(x, y);           // the dtype add(x, y) returns
 * ```
 * @see https://data-apis.org/array-api/2021.12/API_specification/generated/signatures.data_type_functions.result_type.html
 */
export function resultType(...arraysAndDTypes: readonly (DType | { readonly dtype: DType })[]): DType {
  if (arraysAndDTypes.length === 0) throw new ArgumentError('resultType: pass at least one array or dtype');
  const ds = arraysAndDTypes.map((a) => assertDType(typeof a === 'object' && (a as unknown) !== null ? a.dtype : a, 'resultType'));
  return ds.reduce((acc, d) => promoteTypes('resultType', acc, d));
}

/**
 * Whether `from` casts to `to` under the standard's promotion rules (the standard's `can_cast`, as
 * numpy.array_api computes it: promoting the two gives `to`). A cast astype() performs anyway is a
 * different question: astype converts between any two dtypes.
 *
 * @example canCast('f16', 'f32') // true; canCast('i32', 'f32') // false
 */
export function canCast(from: DType | { readonly dtype: DType }, to: DType): boolean {
  const f = assertDType(typeof from === 'object' && (from as unknown) !== null ? from.dtype : from, 'canCast');
  const t = assertDType(to, 'canCast');
  try {
    return promoteTypes('canCast', f, t) === t;
  } catch (e) {
    if (e instanceof DTypeError) return false;
    throw e;
  }
}

const INT_LIMITS = { i32: [-0x80000000, 0x7fffffff], u32: [0, 0xffffffff] } as const;

/**
 * A JS scalar operand of `op` beside an array of `dtype`, as the value its uniform holds, by the standard's
 * rules for Python scalars: a number with a float array; an integer number within the dtype's range with an
 * integer array; a boolean (as 1 / 0) with a bool array. Anything else is a DTypeError (numpy.array_api
 * raises TypeError, or OverflowError for an integer outside the dtype).
 *
 * @example scalarOperand('add', 'i32', 3) // 3; scalarOperand('add', 'i32', 0.5) throws DTypeError
 */
export function scalarOperand(op: string, dtype: DType, v: number | boolean): number {
  if (typeof v === 'boolean') {
    if (dtype !== 'bool') throw new DTypeError(`${op}: a boolean scalar combines only with a bool array, got a ${dtype} array`);
    return v ? 1 : 0;
  }
  if (typeof v !== 'number') throw new DTypeError(`${op}: a scalar operand must be a number or a boolean, got ${describeValue(v)}`);
  if (dtype === 'bool') throw new DTypeError(`${op}: the number ${v} cannot combine with a bool array (pass true or false)`);
  if (isFloatDType(dtype)) return v;
  if (!Number.isInteger(v)) throw new DTypeError(`${op}: the scalar ${v} is not an integer, so it combines only with a float array, not ${dtype} (convert the array with astype first)`);
  const [lo, hi] = INT_LIMITS[dtype as 'i32' | 'u32'];
  if (v < lo || v > hi) throw new DTypeError(`${op}: the scalar ${v} is outside ${dtype}'s range [${lo}, ${hi}]`);
  return v;
}
