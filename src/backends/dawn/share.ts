import { describeValue } from '../../args.js';
import { checkShape, DeviceArray } from '../../buffers/device-array.js';
import { assertDType, bytesOf, type DType } from '../../buffers/dtype.js';
import { cStrides } from '../../buffers/strided.js';
import { Storage, type Borrow, type StorageLease } from '../../buffers/storage.js';
import { ArgumentError, LimitError } from '../../errors.js';
import type { DeviceContext } from './context.js';
import { requireUsage } from './usage.js';

/** The borrows over a wrapped buffer, kept on the buffer itself: its patched `destroy()` marks them all. */
const BORROWS = Symbol.for('gpukit.borrows');

type WatchedBuffer = GPUBuffer & { [BORROWS]?: Set<Borrow> };

/**
 * Makes `destroy()` of an outside buffer tell gpukit: the arrays over it then throw DestroyedError instead of
 * reading memory its owner freed. The hook is an own property of that buffer object, set once; it calls the
 * original method.
 */
function watchDestroy(buffer: WatchedBuffer, borrow: Borrow): void {
  let set = buffer[BORROWS];
  if (set === undefined) {
    set = new Set();
    const borrows = set;
    const original = buffer.destroy.bind(buffer);
    Object.defineProperty(buffer, BORROWS, { value: set, configurable: true, enumerable: false });
    Object.defineProperty(buffer, 'destroy', {
      configurable: true,
      enumerable: false,
      writable: true,
      value: (): void => {
        for (const b of borrows) b.ownerDestroyed = true;
        original();
      },
    });
  }
  set.add(borrow);
}

/** What {@link wrapOutside} is told about the buffer's contents. */
export interface WrapSpec {
  readonly dtype: unknown;
  readonly shape: unknown;
  readonly byteOffset: unknown;
  /** Who lent it, for messages. */
  readonly from: string;
  /** Called once when gpukit's array over it is destroyed (or its device closes). */
  readonly onRelease?: () => void;
}

/**
 * An array over an outside GPUBuffer of this device, zero-copy and borrowed: gpukit never pools nor destroys
 * it. Checked before anything is made: dtype, shape, byte offset (a multiple of the element size, the data
 * inside the buffer), the buffer unmapped and with STORAGE usage (every op binds it as storage).
 */
export function wrapOutside(ctx: DeviceContext, buffer: unknown, spec: WrapSpec): DeviceArray {
  ctx.assertUsable();
  const b = buffer as Partial<GPUBuffer> | null;
  if (typeof b !== 'object' || b === null || typeof b.size !== 'number' || typeof b.usage !== 'number' || typeof b.destroy !== 'function') {
    throw new ArgumentError(`wrapBuffer: buffer must be a GPUBuffer, got ${describeValue(buffer)}`);
  }
  const gpuBuffer = buffer as GPUBuffer;
  const dtype: DType = assertDType(spec.dtype, 'wrapBuffer');
  if (!Array.isArray(spec.shape) && typeof spec.shape !== 'number') throw new ArgumentError(`wrapBuffer: shape must be a length or an array of lengths, got ${describeValue(spec.shape)}`);
  const { length, shape } = checkShape(spec.shape as number | readonly number[], 'wrapBuffer: shape');
  const elem = bytesOf(dtype);
  const off = spec.byteOffset ?? 0;
  if (typeof off !== 'number' || !Number.isSafeInteger(off) || off < 0 || off % elem !== 0) {
    throw new ArgumentError(`wrapBuffer: byteOffset must be a non-negative multiple of ${elem} (the size of a ${dtype}), got ${describeValue(off)}`);
  }
  const byteLength = length * elem;
  if (off + byteLength > gpuBuffer.size) {
    throw new ArgumentError(`wrapBuffer: ${length} ${dtype} (${byteLength} bytes) at byteOffset ${off} do not fit a buffer of ${gpuBuffer.size} bytes`);
  }
  if (gpuBuffer.size > ctx.limits.maxBufferSize) throw new LimitError('maxBufferSize', gpuBuffer.size, ctx.limits.maxBufferSize, 'wrapBuffer: the buffer');
  if (gpuBuffer.mapState !== 'unmapped') throw new ArgumentError(`wrapBuffer: the buffer is ${gpuBuffer.mapState}; unmap it first (a mapped buffer cannot be used by GPU work)`);
  requireUsage(gpuBuffer, 'STORAGE', 'bound by gpukit\'s kernels', 'wrapBuffer');
  const storage = new Storage(gpuBuffer, null);
  let released = false;
  // eslint-disable-next-line prefer-const -- assigned once below; the release closure needs it declared first
  let borrow: Borrow;
  const release = (): void => {
    if (released) return;
    released = true;
    ctx.borrows.delete(release);
    // The buffer may live on (its owner's pool reuses it): keep no record of a borrow that ended.
    (gpuBuffer as WatchedBuffer)[BORROWS]?.delete(borrow);
    spec.onRelease?.();
  };
  borrow = { from: spec.from, ownerDestroyed: false, claimed: false, onRelease: release };
  storage.borrowed = borrow;
  watchDestroy(gpuBuffer, borrow);
  ctx.borrows.add(release);
  // gpukit has no idea what the buffer holds: neither zeros nor a failed op's output.
  ctx.wrote(gpuBuffer);
  ctx.forget(gpuBuffer);
  const layout = off === 0 ? undefined : { strides: cStrides(shape), offset: off / elem };
  return new DeviceArray(ctx, dtype, shape, storage, 'zero', layout);
}

/** A hold on an array's buffer, handed to someone else: see `exportBuffer` (src/interop/). */
export interface BufferLease {
  /** The buffer; the array's data starts at {@link byteOffset}. */
  readonly buffer: GPUBuffer;
  readonly byteOffset: number;
  /** Bytes of data (the buffer may be larger). */
  readonly byteLength: number;
  readonly dtype: DType;
  readonly shape: readonly number[];
  /** True once {@link release} ran (or the lease's partner object was disposed). */
  readonly released: boolean;
  /** Ends the lease: gpukit may reuse the memory once its array is destroyed. Idempotent. */
  release(): void;
  /** The same as {@link release}, so `using lease = exportBuffer(x)` ends it at the end of its scope. */
  [Symbol.dispose](): void;
}

/**
 * Leases `x`'s buffer: until the lease ends (`release()`, or `until()` turning false), gpukit neither reuses
 * nor frees it, even after `x` is destroyed. `x` must be contiguous and in one buffer.
 */
export function leaseArray(x: DeviceArray, until?: () => boolean): BufferLease {
  const ctx = x.ctx;
  ctx.assertUsable();
  if (!x.isContiguous) throw new ArgumentError(`exportBuffer: ${x.toString()} is not contiguous (strides [${x.strides.join(', ')}]); export x.contiguous() instead`);
  const buffer = x.storageBuffer; // a LimitError for an array in several buffers
  const storage = x.storage;
  let released = false;
  const lease: StorageLease = { held: () => !released && (until?.() ?? true) };
  (storage.leases ??= new Set()).add(lease);
  const release = (): void => {
    if (released) return;
    released = true;
    storage.leases?.delete(lease);
    ctx.backend.unpark();
  };
  return {
    buffer,
    byteOffset: x.offset * bytesOf(x.dtype),
    byteLength: x.byteLength,
    dtype: x.dtype,
    shape: x.shape,
    get released() {
      return !lease.held();
    },
    release,
    [Symbol.dispose]: release,
  };
}
