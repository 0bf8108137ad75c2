import { DTypeError } from '../errors.js';

/** Element types a {@link DeviceArray} can hold. `f16` needs the device feature `shader-f16`. */
export type DType = 'f32' | 'i32' | 'u32' | 'f16';

/** The typed array that holds each dtype on the host (f16 is handed to JS as Float32Array: Node 20 has no Float16Array). */
export interface HostArrayOf {
  f32: Float32Array;
  i32: Int32Array;
  u32: Uint32Array;
  f16: Float32Array;
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
};

export const dtypes: readonly DType[] = ['f32', 'i32', 'u32', 'f16'];

export function isDType(x: unknown): x is DType {
  return typeof x === 'string' && Object.hasOwn(DTYPES, x);
}

export function assertDType(x: unknown): DType {
  if (!isDType(x)) throw new DTypeError(`unknown dtype ${JSON.stringify(x)}; expected one of ${dtypes.join(', ')}`);
  return x;
}

export function bytesOf(dtype: DType): number {
  return DTYPES[dtype].bytes;
}

/** The dtype a host typed array maps to by default. */
export function dtypeOfHost(a: ArrayBufferView): DType {
  if (a instanceof Float32Array) return 'f32';
  if (a instanceof Int32Array) return 'i32';
  if (a instanceof Uint32Array) return 'u32';
  throw new DTypeError(
    `cannot upload a ${a.constructor.name}: expected Float32Array (f32), Int32Array (i32) or Uint32Array (u32)`,
  );
}

export function hostArray<D extends DType>(dtype: D, length: number): HostArrayOf[D];
export function hostArray(dtype: DType, length: number): HostArray {
  switch (dtype) {
    case 'f32':
    case 'f16':
      return new Float32Array(length);
    case 'i32':
      return new Int32Array(length);
    case 'u32':
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
