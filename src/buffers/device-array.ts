import type { Backend } from '../backends/backend.js';
import { describeValue } from '../args.js';
import type { DeviceContext } from '../backends/dawn/context.js';
import type { HostContext } from '../backends/host/context.js';
import type { EngineName } from '../device/info.js';
import { assertHostRoom } from '../device/memory.js';
import { ArgumentError, DestroyedError, DTypeError, LimitError, ShapeError, UnsupportedOnEngineError } from '../errors.js';
import { bytesOf, f32ToF16Bits, hostData, nestedData, type DType, type HostArray, type HostArrayOf, type NestedArray, type StoredArrayOf } from './dtype.js';
import { chunkElements } from './chunks.js';
import { broadcastLayout, cStrides, isCContiguous, isWritable, MAX_RANK, normAxis, permuteLayout, reshapeLayout, sliceLayout, type Layout, type SliceSpec } from './strided.js';
import { Storage } from './storage.js';

export { Storage };

/**
 * @internal What a lazy array (a recorded elementwise chain, src/backends/dawn/fusion.ts) holds instead of
 * memory until something needs its elements: the fusion layer's node, how to compute it (a new array whose
 * memory this array then takes over), and the WGSL it would run.
 */
export interface PendingSource {
  /** The recording's node (opaque here: the fusion layer reads it). */
  readonly node: unknown;
  /** Computes the array: a new plain array of the same dtype and shape, whose memory this array takes. */
  materialize(): DeviceArray;
  /** The generated kernel source that {@link materialize} would run (for `fusedSource`). */
  source(): string;
}

/** Where an array lives: its backend, or a device context (which holds its backend). */
export type ArrayHome = Backend | { readonly backend: Backend };

function backendOf(home: ArrayHome): Backend {
  return 'run' in home ? home : home.backend;
}

/**
 * What a new array's memory holds before anything writes it: `zero` (the default: pooled memory that held
 * another array's data is cleared first), `overwrite` (the caller writes every element before anything
 * reads it: only the slack a vec4 binding could see is cleared), `host` (`overwrite` by host writes:
 * `device.array(data)`; on Dawn it prefers a buffer no GPU work ever wrote, so those writes can go straight
 * into its memory: see `DeviceContext.gpuWritten`), `host-kept` (the same for an array kept and written
 * again and again, a streamer's ring: never a GPU-written buffer) or `uninitialized` (whatever the pool
 * had: `device.empty(n, { uninitialized: true })`, for those who ask).
 */
export type ArrayFill = 'zero' | 'overwrite' | 'host' | 'host-kept' | 'uninitialized';

/** Checks a length or shape and returns the element count. */
export function checkShape(shape: number | readonly number[], what = 'length'): { length: number; shape: readonly number[] } {
  const dims = typeof shape === 'number' ? [shape] : [...shape];
  for (const d of dims) {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      throw new ShapeError(`${what} must be a non-negative integer, got ${typeof d === 'number' ? String(d) : describeValue(d)}${dims.length > 1 ? ` in shape [${dims.join(', ')}]` : ''}`);
    }
  }
  const length = dims.reduce((a, b) => a * b, 1);
  if (!Number.isSafeInteger(length)) throw new ShapeError(`shape [${dims.join(', ')}] has too many elements`);
  return { length, shape: dims };
}

/**
 * A typed array that lives on the device. Made by `device.array()`, `device.empty()`, `device.zeros()` or
 * returned by ops; read back with `await arr.toArray()`. Owns its memory: `destroy()` (or `using`) returns
 * it to the device's pool. On the `dawn` engine the memory is a GPU buffer; on `gpujs` it is host memory
 * (a typed array gpu.js kernels read and write). The API is the same on both.
 *
 * @example
 * ```ts
 * using x = device.array(new Float32Array([1, 2, 3]));
 * console.log(await x.toArray(), x.engine); // Float32Array [1, 2, 3] 'dawn'
 * ```
 */
export class DeviceArray<D extends DType = DType> {
  readonly dtype: D;
  /**
   * The same number as {@link size} (the product of the shape), under JavaScript's name for it; the two are
   * always equal.
   * @deprecated Use {@link size}, NumPy's name. `length` stays as an alias until the next major version.
   */
  readonly length: number;
  readonly shape: readonly number[];
  /**
   * Steps in elements between neighbours along each axis, in its storage. A fresh array is C-ordered;
   * views (`transpose`, `slice`, `broadcastTo`...) have other strides: 0 on broadcast axes, negative on
   * reversed slices.
   */
  readonly strides: readonly number[];
  /** Position of element [0, 0, ...] in its storage, in elements (0 for a fresh array). */
  readonly offset: number;
  /** Bytes of data (size × element size); the buffer may be larger. */
  readonly byteLength: number;
  /** Which engine's memory holds the array: `dawn` (a GPU buffer) or `gpujs` (host memory). */
  readonly engine: EngineName;
  readonly #backend: Backend;
  #storage: Storage | null;
  /** A lazy array's recording, until its elements are needed (then it computes them and owns the memory). */
  #pending: PendingSource | undefined;
  /** False for a view: the array it was taken from owns the memory. */
  #owner = true;
  /**
   * True for a broadcast view and every view taken from one (a row of it, a transpose, a reshape that
   * does not copy): its storage is the base array's, which writes through it would change.
   */
  #readOnly = false;

  /** @internal use `device.empty()` / `device.array()` */
  constructor(
    home: ArrayHome,
    dtype: D,
    shape: number | readonly number[],
    adopt?: GPUBuffer | ArrayBuffer | Storage,
    fill: ArrayFill = 'zero',
    layout?: { readonly strides: readonly number[]; readonly offset: number },
  ) {
    const backend = backendOf(home);
    backend.assertUsable();
    const s = checkShape(shape);
    backend.checkDType(dtype);
    if (s.shape.length > MAX_RANK) throw new ShapeError(`an array may have at most ${MAX_RANK} dimensions, got shape [${s.shape.join(', ')}]`);
    this.engine = backend.engine;
    this.#backend = backend;
    this.dtype = dtype;
    this.length = s.length;
    this.shape = s.shape;
    this.strides = layout?.strides ?? cStrides(s.shape);
    this.offset = layout?.offset ?? 0;
    this.byteLength = s.length * bytesOf(dtype);
    if (adopt instanceof Storage && adopt.borrowed !== null && !adopt.borrowed.claimed) {
      adopt.borrowed.claimed = true;
      // A wrapped outside buffer (src/interop/ wrapBuffer): this array stands for it; destroying it drops
      // gpukit's hold (the backend never pools or frees borrowed memory).
      this.#storage = adopt;
      return;
    }
    if (adopt instanceof Storage) {
      // A view: borrows the storage of the array it was taken from, which keeps owning it.
      this.#storage = adopt;
      this.#owner = false;
      return;
    }
    this.#storage = adopt !== undefined ? backend.adopt(adopt, dtype, this.length, this.byteLength, fill) : backend.allocate(dtype, this.length, this.byteLength, fill);
  }

  /** Number of dimensions. */
  get ndim(): number {
    return this.shape.length;
  }

  /**
   * Number of elements: the product of the shape (NumPy's `x.size`): 1 for a 0-d array, 0 for an empty one.
   * A view counts its own elements, not its storage's.
   */
  get size(): number {
    return this.length;
  }

  /** The view's layout in its storage. */
  get layout(): Layout {
    return { shape: this.shape, strides: this.strides, offset: this.offset };
  }

  /** True when the elements lie consecutively in C order (possibly at an offset in a larger storage). */
  get isContiguous(): boolean {
    return isCContiguous(this.layout);
  }

  /**
   * @internal True when element i of the array is element i of its storage (C-contiguous at offset 0):
   * what kernels, copies and gpu.js bind directly.
   */
  get isPlain(): boolean {
    return this.offset === 0 && isCContiguous(this.layout);
  }

  /**
   * False for broadcast views (one storage element stands for several of the view's) and every view taken
   * from one (a row, a transpose...): they are read-only — `write`, `set`, and passing them as an op's
   * output throw ArgumentError. A copy (`reshape` that copies, an op's result) is writable again.
   */
  get writable(): boolean {
    return !this.#readOnly && isWritable(this.layout);
  }

  /**
   * @internal Makes this array read-only, as a broadcast view is: memory lent for reading (a TF.js tensor's,
   * src/interop/), which `write`, `set` and op outputs must not change.
   */
  freeze(): this {
    this.#readOnly = true;
    return this;
  }

  /** @internal Throws ArgumentError naming `op` and `what` when this array is read-only ({@link writable}). */
  assertWritable(op: string, what: string): void {
    if (this.writable) return;
    const why = this.#readOnly ? 'is read-only (a broadcast view or one taken from it, or memory lent for reading such as a TF.js tensor)' : 'is a broadcast view (stride 0 on an axis of extent > 1)';
    throw new ArgumentError(`${op}: ${what} ${this.toString()} ${why}: it is read-only (a write would change the array it was broadcast from); write into a fresh array instead`);
  }

  /**
   * @internal A lazy array: no memory yet, `source` computes it on first need (any use of its storage:
   * a kernel binding it, a readback, a copy). Owns the memory it then gets.
   */
  static lazy<D extends DType>(home: ArrayHome, dtype: D, shape: readonly number[], source: PendingSource): DeviceArray<D> {
    const st = new Storage(null, null);
    const a = new DeviceArray<D>(home, dtype, shape, st);
    a.#owner = true;
    a.#storage = null;
    a.#pending = source;
    return a;
  }

  /** @internal The recording behind a lazy array not computed yet (undefined otherwise). */
  get pending(): PendingSource | undefined {
    return this.#pending;
  }

  #live(): Storage {
    const p = this.#pending;
    if (p !== undefined) {
      const made = p.materialize();
      // The computed array's memory becomes this array's (the computed one is left without it).
      this.#pending = undefined;
      this.#storage = made.#storage;
      made.#storage = null;
    }
    if (this.#storage === null) throw new DestroyedError(`this ${this.dtype} array of shape [${this.shape.join(', ')}] was destroyed`);
    if (this.#storage.released) throw new DestroyedError(`this ${this.dtype} view of shape [${this.shape.join(', ')}] was taken from an array that has since been destroyed`);
    const borrow = this.#storage.borrowed;
    if (borrow?.ownerDestroyed === true) throw new DestroyedError(`this ${this.dtype} array of shape [${this.shape.join(', ')}] wraps ${borrow.from} whose owner has destroyed it`);
    return this.#storage;
  }

  /** True for a view (it borrows the memory of the array it was taken from). */
  get isView(): boolean {
    return !this.#owner;
  }

  /** @internal The storage behind this array (its backend's handle); throws DestroyedError once destroyed. */
  get storage(): Storage {
    return this.#live();
  }

  #viewOf(l: Layout, readOnly = this.#readOnly): DeviceArray<D> {
    const v = new DeviceArray<D>(this.#backend, this.dtype, l.shape, this.#live(), 'zero', l);
    v.#readOnly = readOnly;
    return v;
  }

  /**
   * The same elements in another shape (one dimension may be -1: inferred). A view of this array's memory
   * when NumPy's no-copy rule allows it (`isView`), else a new contiguous copy. Destroy the result either way.
   */
  reshape(...shape: (number | readonly number[])[]): DeviceArray<D> {
    const dims = (shape.length === 1 && Array.isArray(shape[0]) ? shape[0] : shape) as unknown[];
    if (dims.length === 0 && shape.length === 0) throw new ShapeError('reshape: pass the new shape (reshape([]) for a 0-d array)');
    for (const d of dims) {
      if (typeof d !== 'number' || !Number.isInteger(d) || d < -1) throw new ShapeError(`reshape: a dimension must be a non-negative integer or -1, got ${describeValue(d)}`);
    }
    return this.#reshape(dims as number[]);
  }

  #reshape(dims: number[]): DeviceArray<D> {
    const free = dims.filter((d) => d === -1).length;
    if (free > 1) throw new ShapeError(`reshape: at most one dimension may be -1, got [${dims.join(', ')}]`);
    let target = dims;
    if (free === 1) {
      const known = dims.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
      if (known === 0 || this.length % known !== 0) throw new ShapeError(`reshape: cannot reshape ${this.length} elements to [${dims.join(', ')}]`);
      target = dims.map((d) => (d === -1 ? this.length / known : d));
    }
    const checked = checkShape(target, 'reshape: a dimension');
    if (checked.length !== this.length) throw new ShapeError(`reshape: cannot reshape [${this.shape.join(', ')}] (${this.length} elements) to [${target.join(', ')}] (${checked.length})`);
    const l = reshapeLayout(this.layout, checked.shape);
    if (l !== undefined) return this.#viewOf(l);
    const copy = this.contiguous();
    const out = copy.#viewOf({ shape: checked.shape, strides: cStrides(checked.shape), offset: 0 }, false);
    out.#owner = true; // the copy's memory moves to the reshaped array
    copy.#storage = null;
    return out;
  }

  /**
   * A view with the axes permuted (reversed by default, as NumPy's `transpose`): `axes` lists each axis
   * once, as one array or as separate arguments (`x.transpose(1, 0)`, as NumPy's method takes them).
   */
  transpose(axes?: readonly number[] | null): DeviceArray<D>;
  transpose(...axes: number[]): DeviceArray<D>;
  transpose(...args: unknown[]): DeviceArray<D> {
    let order: unknown[];
    if (args.length === 0 || (args.length === 1 && (args[0] === undefined || args[0] === null))) order = this.shape.map((_, d) => this.ndim - 1 - d);
    else if (args.length === 1 && Array.isArray(args[0])) order = args[0] as unknown[];
    else order = args;
    for (const a of order) {
      if (typeof a !== 'number' || !Number.isInteger(a)) throw new ArgumentError(`transpose: axes must be integers (one array, or one per argument), got ${describeValue(a)}${args.length === 1 ? '' : ` among ${args.length} arguments`}`);
    }
    return this.#viewOf(permuteLayout('transpose', this.layout, order as number[]));
  }

  /** The transpose (a view with the axes reversed). */
  get T(): DeviceArray<D> {
    return this.transpose();
  }

  /**
   * The standard's `x.mT`: a view with the last two axes swapped (each matrix of a stack transposed).
   * Fewer than 2 dimensions is a ShapeError.
   */
  get mT(): DeviceArray<D> {
    if (this.ndim < 2) throw new ShapeError(`mT: the array must have at least 2 dimensions, got shape [${this.shape.join(', ')}]`);
    const order = this.shape.map((_, d) => d);
    order[this.ndim - 2] = this.ndim - 1;
    order[this.ndim - 1] = this.ndim - 2;
    return this.#viewOf(permuteLayout('mT', this.layout, order));
  }

  /**
   * A read-only view of the diagonal `offset` (0 the main one, > 0 above it, < 0 below it) of each matrix
   * of the array (the last two axes; NumPy's `diagonal(x, offset, -2, -1)`): shape `[...batch, L]`, no copy.
   * Fewer than 2 dimensions is a ShapeError.
   */
  diagonal(offset = 0): DeviceArray<D> {
    if (typeof offset !== 'number' || !Number.isSafeInteger(offset)) throw new ArgumentError(`diagonal: offset must be an integer, got ${describeValue(offset)}`);
    if (this.ndim < 2) throw new ShapeError(`diagonal: the array must have at least 2 dimensions, got shape [${this.shape.join(', ')}]`);
    const nd = this.ndim;
    const m = this.shape[nd - 2] ?? 0;
    const n = this.shape[nd - 1] ?? 0;
    const sm = this.strides[nd - 2] ?? 0;
    const sn = this.strides[nd - 1] ?? 0;
    const len = Math.max(0, offset >= 0 ? Math.min(m, n - offset) : Math.min(m + offset, n));
    const start = len === 0 ? 0 : offset >= 0 ? offset * sn : -offset * sm;
    return this.#viewOf({ shape: [...this.shape.slice(0, -2), len], strides: [...this.strides.slice(0, -2), sm + sn], offset: this.offset + start }, true);
  }

  /** A view with a new axis of extent 1 at `axis` (negative counts from the end of the result). */
  expandDims(axis: number): DeviceArray<D> {
    const a = normAxis('expandDims', axis, this.ndim + 1);
    return this.#viewOf({ shape: [...this.shape.slice(0, a), 1, ...this.shape.slice(a)], strides: [...this.strides.slice(0, a), 0, ...this.strides.slice(a)], offset: this.offset });
  }

  /** A view without the extent-1 axes (or only `axis`, which must have extent 1). */
  squeeze(axis?: number | readonly number[] | null): DeviceArray<D> {
    const given: unknown = axis;
    if (given !== undefined && given !== null && typeof given !== 'number' && !Array.isArray(given)) {
      throw new ArgumentError(`squeeze: axis must be an integer, a list of integers or null, got ${describeValue(given)}`);
    }
    const list = axis === undefined || axis === null ? undefined : (typeof axis === 'number' ? [axis] : axis).map((a) => normAxis('squeeze', a, this.ndim));
    if (list !== undefined && new Set(list).size !== list.length) throw new ArgumentError(`squeeze: axis [${(axis as readonly number[]).join(', ')}] repeats an axis`);
    const drop = new Set(list ?? this.shape.flatMap((e, d) => (e === 1 ? [d] : [])));
    for (const d of drop) if (this.shape[d] !== 1) throw new ShapeError(`squeeze: axis ${d} has extent ${this.shape[d]}, not 1`);
    return this.#viewOf({ shape: this.shape.filter((_, d) => !drop.has(d)), strides: this.strides.filter((_, d) => !drop.has(d)), offset: this.offset });
  }

  /** A read-only view broadcast to `shape` by NumPy's rules (stride 0 on new and stretched axes). */
  broadcastTo(shape: readonly number[]): DeviceArray<D> {
    const given: unknown = shape;
    if (typeof given !== 'number' && !Array.isArray(given)) throw new ShapeError(`broadcastTo: shape must be an array of non-negative integers, got ${describeValue(given)}`);
    return this.#viewOf(broadcastLayout('broadcastTo', this.layout, checkShape(shape, 'broadcastTo: a dimension').shape), true);
  }

  /**
   * A view of a region (NumPy's basic indexing `x[...]`): one entry per axis from the first — an integer
   * (drops the axis; negative counts from the end; out of range: IndexError), `[start, stop, step]` (NumPy's
   * `start:stop:step`; any may be null; out-of-range bounds clamp as NumPy's do, negative steps included),
   * null (the whole axis, `:`), `'...'` (an ellipsis) or `'newaxis'` (NumPy's `None`: a new axis of extent 1).
   * Boolean-mask indexing is `booleanIndex(x, mask)` (its result's length is known only after a readback).
   *
   * @example
   * ```ts
   * using row = x.slice(2);               // x[2]
   * using tail = x.slice(null, [-3]);     // x[:, -3:]
   * using rev = x.slice([null, null, -1]); // x[::-1]
   * using last = x.slice('...', -1);      // x[..., -1]
   * using col = v.slice(null, 'newaxis'); // v[:, None]
   * ```
   */
  slice(...specs: SliceSpec[]): DeviceArray<D> {
    return this.#viewOf(sliceLayout('slice', this.layout, specs));
  }

  /** The region of this array ← `value` broadcast to its shape (the backend's assign; views freed after). */
  #assignBroadcast(region: Layout, value: DeviceArray): void {
    const src = value.#viewOf(broadcastLayout('set', value.layout, region.shape), true);
    const dst = this.#viewOf(region);
    try {
      this.#backend.assign(dst, src);
    } finally {
      dst.destroy();
      src.destroy();
    }
  }

  /**
   * Writes `value` into the region `specs` selects (see {@link slice}; NumPy's `x[specs] = value`), with
   * NumPy's broadcasting: a number (every element of the region), host data (a typed array or (nested)
   * array of numbers, checked as `device.array` checks it; flat data of the region's size fills it in C
   * order, other data broadcasts from its own shape), or a DeviceArray of x's dtype (any layout, broadcast to
   * the region; it may overlap x: it is read in full first). Only the region moves. Shapes that do not
   * broadcast are a ShapeError; another dtype a DTypeError (no promotion yet).
   *
   * @example
   * ```ts
   * x.set([0], 0);                      // x[0] = 0
   * x.set([null, [0, 2]], [1, 2]);      // x[:, 0:2] = [1, 2] (broadcast over the rows)
   * x.set([[1, null]], x.slice([0, -1])); // x[1:] = x[:-1]
   * ```
   */
  set(specs: readonly SliceSpec[], value: number | NestedArray | DeviceArray): this {
    const given: unknown = specs;
    if (!Array.isArray(given)) throw new ArgumentError(`set: specs must be an array of slice specs (one per leading axis, as slice() takes them), got ${describeValue(given)}`);
    this.assertWritable('set', 'the array');
    const region = sliceLayout('set', this.layout, specs);
    if (value instanceof DeviceArray) {
      if (value.destroyed) throw new DestroyedError(`set: the value (${value.dtype}, shape [${value.shape.join(', ')}]) was destroyed`);
      if (value.backend !== this.#backend) throw new ArgumentError('set: the value belongs to another device');
      if (value.dtype !== this.dtype) throw new DTypeError(`set: the value is ${value.dtype} but the array is ${this.dtype} (no type promotion yet): astype(value, '${this.dtype}') first`);
      this.#assignBroadcast(region, value);
      return this;
    }
    // Host data: a number is a 0-d array; nested data has its own shape; flat data of the region's size fills it.
    const nested = typeof value === 'number' ? { values: [value], shape: [], typed: undefined } : nestedData('set', value);
    const flat = nested === undefined ? value : nested.typed !== undefined ? new (nested.typed.constructor as new (v: readonly (number | bigint | boolean)[]) => ArrayBufferView)(nested.values) : nested.values;
    const host = hostData('set', this.dtype, flat);
    const size = region.shape.reduce((a, b) => a * b, 1);
    const shape = nested?.shape ?? (host.length === size ? region.shape : [host.length]);
    broadcastLayout('set', { shape, strides: cStrides(shape), offset: 0 }, region.shape); // a ShapeError before any memory is taken
    if (nested === undefined && host.length === size) {
      const v = this.#viewOf(region);
      try {
        v.write(host);
      } finally {
        v.destroy();
      }
      return this;
    }
    const tmp = new DeviceArray<D>(this.#backend, this.dtype, shape, undefined, 'host');
    try {
      tmp.write(host);
      this.#assignBroadcast(region, tmp);
    } finally {
      tmp.destroy();
    }
    return this;
  }

  /**
   * The array's elements in C order at offset 0: a new array (a gather on the device) for a view that is
   * not plain, or a view of the same memory when it already is. Destroy the result like any array.
   */
  contiguous(): DeviceArray<D> {
    if (this.isPlain) return this.#viewOf(this.layout);
    return this.#backend.gather(this);
  }

  /**
   * @internal Copies this contiguous view (4-byte aligned start) into the contiguous array `dst` from its
   * element `at`, with buffer copies in queue order, segment by segment: either side may span several
   * buffers. The same dtype; `at` 4-byte aligned too. `partial`: dst is a region of a larger array (its other
   * elements, and a failure of the op that wrote them, stay).
   */
  copyRangeTo(dst: DeviceArray, at: number, partial = false): void {
    dst.assertWritable('copyRangeTo', 'the destination');
    const ctx = this.ctx;
    const st = this.#live();
    const dt = dst.#live();
    const elem = bytesOf(this.dtype);
    if (!this.isContiguous || !dst.isContiguous || dst.dtype !== this.dtype || at + this.length > dst.length || ((this.offset * elem) % 4) + ((dst.offset + at) * elem) % 4 !== 0) {
      throw new ArgumentError(`copyRangeTo: needs contiguous arrays of one dtype at 4-byte aligned offsets, with room for ${this.length} elements at ${at}`);
    }
    for (const b of st.buffers) {
      const failed = ctx.failureOf(b);
      if (failed !== undefined) throw failed;
    }
    const segOf = (x: Storage, e: number): { buffer: GPUBuffer; byte: number; room: number } => {
      const k = x.segmentElements === Infinity ? 0 : Math.floor(e / x.segmentElements);
      const first = x.segmentElements === Infinity ? 0 : k * x.segmentElements;
      return { buffer: x.buffers[k] as GPUBuffer, byte: (e - first) * elem, room: x.segmentElements === Infinity ? Infinity : first + x.segmentElements - e };
    };
    let done = 0;
    while (done < this.length) {
      const from = segOf(st, this.offset + done);
      const to = segOf(dt, dst.offset + at + done);
      const run = Math.min(this.length - done, from.room, to.room);
      // Copies move whole 4-byte words: an odd f16 tail takes one more element, inside both buffers.
      const size = Math.min(alignedBytes(run * elem), from.buffer.size - from.byte, to.buffer.size - to.byte);
      ctx.copy(from.buffer, from.byte, to.buffer, to.byte, size, `copy|${this.dtype}|${this.length}`, false, partial);
      done += run;
    }
  }

  /** @internal The engine this array's storage lives on: ops run through it (src/backends/backend.ts). */
  get backend(): Backend {
    return this.#backend;
  }

  /** @internal The Dawn device; throws {@link UnsupportedOnEngineError} for a gpujs array. */
  get ctx(): DeviceContext {
    return this.#backend.dawnContext(() => new UnsupportedOnEngineError(`this array lives on the ${this.engine} engine, which has no WebGPU device context`));
  }

  /** @internal The gpujs device, or null on Dawn. */
  get host(): HostContext | null {
    return this.#backend.hostContext;
  }

  /**
   * @internal Moves this array's memory into a new array of another 4-byte dtype with the same length
   * (kernels that write bit patterns, e.g. random numbers as u32 bits of f32). This array is left destroyed.
   */
  reinterpret<E extends DType>(dtype: E, shape: readonly number[] = this.shape): DeviceArray<E> {
    if (bytesOf(dtype) !== bytesOf(this.dtype)) throw new DTypeError(`cannot reinterpret ${this.dtype} as ${dtype}: element sizes differ`);
    if (checkShape(shape).length !== this.length) throw new ShapeError(`cannot reshape ${this.length} elements to [${shape.join(', ')}]`);
    if (!this.isPlain || !this.#owner || this.#readOnly) throw new ArgumentError(`cannot reinterpret a view: make it contiguous() first`);
    const storage = this.#live();
    const out = new DeviceArray<E>(this.#backend, dtype, shape, storage);
    out.#owner = true; // the memory moves to the new array
    this.#storage = null;
    return out;
  }

  /**
   * @internal A view of the same elements as another dtype of the same size (bit patterns: f32 keys as
   * u32). Destroying it drops only the view.
   */
  viewAs<E extends DType>(dtype: E): DeviceArray<E> {
    if (bytesOf(dtype) !== bytesOf(this.dtype)) throw new DTypeError(`cannot view ${this.dtype} as ${dtype}: element sizes differ`);
    const v = new DeviceArray<E>(this.#backend, dtype, this.shape, this.#live(), 'zero', this.layout);
    v.#readOnly = this.#readOnly;
    return v;
  }

  /**
   * The GPU buffer of a plain (C-ordered, offset 0) array; throws for a view — kernels and ops read views
   * through a gather, or pass `x.contiguous()` — if the array was destroyed, or on the gpujs engine.
   */
  get buffer(): GPUBuffer {
    const buffers = this.#backend.gpuBuffers(() => this.#live());
    if (buffers.length > 1) throw this.#tooBig();
    const b = buffers[0] as GPUBuffer;
    if (!this.isPlain) throw new ArgumentError(`${this.toString()} is a view (offset ${this.offset}, strides [${this.strides.join(', ')}]): this needs a plain array — pass x.contiguous()`);
    return b;
  }

  /** @internal The GPU buffer behind this view (any layout); throws if destroyed, on gpujs, or for several buffers. */
  get storageBuffer(): GPUBuffer {
    const buffers = this.#backend.gpuBuffers(() => this.#live());
    if (buffers.length > 1) throw this.#tooBig();
    return buffers[0] as GPUBuffer;
  }

  /** @internal Every GPU buffer behind this view (one, or the segments of an array larger than one buffer). */
  get storageBuffers(): readonly GPUBuffer[] {
    return this.#backend.gpuBuffers(() => this.#live());
  }

  #tooBig(): LimitError {
    const st = this.#live();
    const ctx = this.ctx;
    const chunk = chunkElements(ctx.limits);
    return new LimitError(
      'maxBufferSize',
      this.byteLength,
      ctx.limits.maxBufferSize,
      `${this.toString()} is stored in ${st.buffers.length} buffers of ${st.segmentElements} elements`,
      `it has no single GPU buffer: bind windows of it (x.window(offset, length), at most ${chunk} elements each, offsets multiples of ${chunk}) or use gpukit's ops, which split it`,
    );
  }

  /**
   * @internal Where a contiguous view lies for a binding: its buffer (the segment holding it) and byte range
   * there; undefined for a view that is not contiguous. Throws LimitError for a view across two segments.
   */
  get span(): { readonly buffer: GPUBuffer; readonly byteOffset: number; readonly byteLength: number } | undefined {
    this.#backend.gpuBuffers(() => this.#live());
    const st = this.#live();
    if (!this.isContiguous) return undefined;
    const seg = st.segmentElements;
    const first = Math.floor(this.offset / seg);
    const last = this.length === 0 ? first : Math.floor((this.offset + this.length - 1) / seg);
    if (first !== last) {
      throw new LimitError(
        'maxBufferSize',
        this.byteLength,
        this.ctx.limits.maxBufferSize,
        `${this.toString()} at element ${this.offset} crosses from buffer ${first} into buffer ${last} of its array (segments of ${seg} elements)`,
        `bind windows that stay inside one segment (x.window(offset, length) with offsets multiples of ${chunkElements(this.ctx.limits)})`,
      );
    }
    const bytes = bytesOf(this.dtype);
    return { buffer: st.buffers[first] as GPUBuffer, byteOffset: (first === 0 ? this.offset : this.offset - first * seg) * bytes, byteLength: this.byteLength };
  }

  /**
   * A 1-D view of elements [offset, offset + length) of a contiguous array (in C order): a **window** that
   * kernels bind directly, without a copy, when its start is a multiple of the device's
   * `minStorageBufferOffsetAlignment` bytes. The way to hand a raw kernel an array larger than one binding:
   * bind it window by window (`chunkElements` in the README says how large each may be).
   *
   * @example
   * ```ts
   * for (let at = 0; at < x.size; at += chunk) {
   *   using w = x.window(at, Math.min(chunk, x.size - at));
   *   k.run({ x: w, params: { n: w.size } }, { invocations: w.size });
   * }
   * ```
   */
  window(offset: number, length: number): DeviceArray<D> {
    const st = this.#live();
    if (!this.isContiguous) throw new ArgumentError(`window: ${this.toString()} is not contiguous (strides [${this.strides.join(', ')}]); take windows of x.contiguous()`);
    for (const [what, v] of [['offset', offset], ['length', length]] as const) {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new ArgumentError(`window: ${what} must be a non-negative integer, got ${String(v)}`);
    }
    if (offset + length > this.length) throw new ShapeError(`window: elements [${offset}, ${offset + length}) are outside an array of length ${this.length}`);
    const start = this.offset + offset;
    if (length > 0) {
      const align = this.#backend.windowAlignment;
      const byte = (start % st.segmentElements) * bytesOf(this.dtype);
      if (byte % align !== 0) {
        throw new ArgumentError(`window: offset ${offset} puts the window at byte ${byte} of its buffer, not a multiple of minStorageBufferOffsetAlignment = ${align}; use an offset that is a multiple of ${align / gcd(align, bytesOf(this.dtype))} elements`);
      }
    }
    return this.#viewOf({ shape: [length], strides: [1], offset: start });
  }

  /** @internal Elements per buffer of this view's storage (Infinity when it is one buffer). */
  get storageSegmentElements(): number {
    return this.#live().segmentElements;
  }

  /** @internal Bytes of the storage behind this view (what a binding of all of it covers, rounded up to 4). */
  get storageBindingSize(): number {
    const st = this.#live();
    if (st.buffers.length > 1) throw this.#tooBig();
    return st.bytes;
  }

  #hostBlock(): ArrayBuffer {
    const st = this.#live();
    this.#backend.accessing(st);
    return st.block as ArrayBuffer;
  }

  /**
   * @internal A plain 1-D array of `dtype` over this view's whole storage (a new reference to it), for
   * kernels that address the storage themselves (the strided copy). Destroy it after use.
   */
  storageAlias<E extends DType>(dtype: E): DeviceArray<E> {
    const st = this.#live();
    if (st.buffers.length > 1) throw this.#tooBig();
    const n = Math.floor(st.bytes / bytesOf(dtype));
    const alias = new DeviceArray<E>(this.#backend, dtype, [n], st, 'zero', { strides: [1], offset: 0 });
    alias.#readOnly = this.#readOnly;
    return alias;
  }

  /**
   * @internal A plain-like 1-D array of `dtype` (the same element size) over elements [start, start + length)
   * of this view's storage, which must lie in one of its buffers (one segment): what the strided copy binds,
   * window by window, for a view of an array larger than one binding or one buffer. Destroy it after use.
   */
  storageWindow<E extends DType>(dtype: E, start: number, length: number): DeviceArray<E> {
    const st = this.#live();
    if (bytesOf(dtype) !== bytesOf(this.dtype)) throw new DTypeError(`cannot view ${this.dtype} storage as ${dtype}: element sizes differ`);
    const seg = st.segmentElements;
    const k = seg === Infinity ? 0 : Math.floor(start / seg);
    if (start < 0 || length < 0 || (seg !== Infinity && start + length > (k + 1) * seg)) {
      throw new ArgumentError(`storageWindow: elements [${start}, ${start + length}) do not lie in one buffer of ${this.toString()}'s storage (segments of ${seg} elements)`);
    }
    const w = new DeviceArray<E>(this.#backend, dtype, [length], st, 'zero', { strides: [1], offset: start });
    w.#readOnly = this.#readOnly;
    return w;
  }

  /**
   * @internal Copies this plain array into `dst` (plain, same dtype) starting at element `at`, in queue
   * order (a buffer copy on Dawn, a task on gpujs).
   */
  copyInto(dst: DeviceArray, at: number): void {
    dst.assertWritable('copyInto', 'the destination');
    if (!this.isPlain || !dst.isPlain || dst.dtype !== this.dtype || at + this.length > dst.length) {
      throw new ArgumentError(`copyInto: needs plain arrays of one dtype and room for ${this.length} elements at ${at}`);
    }
    if (this.length === 0) return;
    this.#backend.copyInto(this, dst, at);
  }

  /** @internal The host block behind this view on gpujs (any layout). */
  get storageBlock(): ArrayBuffer {
    return this.#hostBlock();
  }

  /**
   * @internal On the gpujs engine: a typed view of a plain array's host memory (exactly `length` elements;
   * f32 for f32, Int32Array / Uint32Array for i32 / u32). Read or write it only inside a task on the
   * device's queue, so it is ordered with the other work. Throws for a view (see {@link buffer}).
   */
  get data(): StoredArrayOf[D] {
    const block = this.#hostBlock();
    if (!this.isPlain) throw new ArgumentError(`${this.toString()} is a view (offset ${this.offset}, strides [${this.strides.join(', ')}]): this needs a plain array — pass x.contiguous()`);
    return viewOf(this.dtype, block, this.length) as StoredArrayOf[D];
  }

  get destroyed(): boolean {
    if (this.#pending !== undefined) return false;
    return this.#storage === null || this.#storage.released || this.#storage.borrowed?.ownerDestroyed === true;
  }

  /** Bytes a binding of this array covers: the data rounded up to 4 (at least 4). */
  get bindingSize(): number {
    return Math.max(4, alignedBytes(this.byteLength));
  }

  /** Copies host data into the array (same length). Enqueued after every op enqueued before it. */
  write(data: ArrayLike<number>): this {
    data = hostData('write', this.dtype, data); // refuses what would not arrive intact (see hostData)
    this.assertWritable('write', 'the array');
    if (!this.isPlain) return this.#writeView(data);
    this.#live();
    this.#backend.assertUsable();
    if (data.length !== this.length) {
      throw new ShapeError(`cannot write ${data.length} elements into an array of length ${this.length}`);
    }
    if (this.length === 0) return this;
    this.#backend.write(this, data);
    return this;
  }

  /** Writes into a view's elements only: a scatter on the device (or on the host queue). */
  #writeView(data: ArrayLike<number>): this {
    this.#live();
    if (data.length !== this.length) throw new ShapeError(`cannot write ${data.length} elements into a view of shape [${this.shape.join(', ')}] (${this.length} elements)`);
    if (this.length === 0) return this;
    this.#backend.writeView(this, data);
    return this;
  }

  /**
   * Downloads into a new host typed array (f16 arrives as Float32Array, bool as a Uint8Array of 0/1), or into
   * `out`: a typed array of the dtype's host type (Float32Array for f32 and f16, Int32Array, Uint32Array,
   * Uint8Array for bool) and exactly `size` elements
   * (a `subarray` of a larger array works), which skips the allocation. Resolves with the array written.
   * Waits for every op before it.
   *
   * @example
   * ```ts
   * const a = await x.toArray();               // a new Float32Array
   * const buf = new Float32Array(2 * x.size);
   * await x.toArray(buf.subarray(x.size));   // into the second half of buf
   * ```
   */
  toArray(options?: ReadOptions): Promise<HostArrayOf[D]>;
  toArray(out: HostArrayOf[D], options?: ReadOptions): Promise<HostArrayOf[D]>;
  async toArray(outOrOptions?: HostArrayOf[D] | ReadOptions, maybeOptions: ReadOptions = {}): Promise<HostArrayOf[D]> {
    const given = ArrayBuffer.isView(outOrOptions) ? this.#checkOut(outOrOptions) : undefined;
    const options = given !== undefined ? maybeOptions : ((outOrOptions as ReadOptions | undefined) ?? {});
    const timeoutMs = readTimeout('toArray', options);
    this.#assertReadRoom(given !== undefined);
    if (this.dtype === 'bool') {
      // Stored as one u32 (0 or 1) per element: read as u32, handed back as bytes.
      const bits = this.viewAs('u32');
      try {
        const words = await this.#backend.read(bits, undefined, options, timeoutMs);
        const out = (given as Uint8Array | undefined) ?? new Uint8Array(words.length);
        out.set(words);
        return out as HostArrayOf[D];
      } finally {
        bits.destroy();
      }
    }
    return this.#backend.read(this, given as StoredArrayOf[D] | undefined, options, timeoutMs) as Promise<unknown> as Promise<HostArrayOf[D]>;
  }

  /**
   * A readback's host memory, checked before any of it is taken: the new host array (f16 arrives as f32),
   * and on Dawn the staging buffer it is mapped through (one segment at a time) and, for a strided view,
   * the gathered copy — the memory of a software adapter, or mapped host memory, either way the host's.
   */
  #assertReadRoom(given: boolean): void {
    if (this.length === 0) return;
    const host = given ? 0 : this.length * (this.dtype === 'f16' ? 4 : this.dtype === 'bool' ? 5 : bytesOf(this.dtype));
    const device = this.#backend.readBytes(this);
    assertHostRoom(`toArray of ${this.toString()}`, host + device, 'read it in parts (x.slice([a, b]).toArray(), or toArray(out) into memory you already have) or free memory');
  }

  /** `toArray(out)`'s checks: the dtype's host type and exactly this array's length. */
  #checkOut(out: ArrayBufferView): HostArrayOf[D] {
    const want = this.dtype === 'f16' || this.dtype === 'f32' ? Float32Array : this.dtype === 'i32' ? Int32Array : this.dtype === 'bool' ? Uint8Array : Uint32Array;
    if (!(out instanceof want)) {
      throw new DTypeError(`toArray(out): out is a ${out.constructor.name} but this array is ${this.dtype}: pass a ${want.name}${this.dtype === 'f16' ? ' (f16 reads back as f32)' : ''}`);
    }
    if (out.length !== this.length) {
      throw new ShapeError(`toArray(out): out has ${out.length} elements but ${this.toString()} has ${this.length}: pass an array of exactly ${this.length} (a subarray works)`);
    }
    return out as HostArrayOf[D];
  }

  /** The single element of a one-element array (size 1) (a device scalar, as reductions return). */
  async item(options: ReadOptions = {}): Promise<number> {
    if (this.length !== 1) throw new ShapeError(`item() needs an array of length 1, this one has length ${this.length}`);
    const a = await this.toArray(options);
    return a[0] ?? NaN;
  }

  /**
   * Drops this array. An array that owns its memory returns it to the device's pool (once the work queued
   * on it is done); its views then throw {@link DestroyedError} on any use — never read memory the pool
   * gave to someone else. Destroying a view drops only the view. Idempotent.
   */
  destroy(): void {
    // A lazy array never computed has nothing to free: its recording goes.
    this.#pending = undefined;
    const st = this.#storage;
    if (st === null) return;
    // Recorded chains that still read this memory keep it until they are computed (the backend takes it).
    if (this.#owner && !st.released && this.#backend.retiring(st)) {
      st.released = true;
      this.#storage = null;
      return;
    }
    this.#storage = null;
    if (!this.#owner || st.released) return;
    st.released = true;
    this.#backend.release(st);
  }

  /** The same as {@link destroy}, so `using x = device.array(...)` frees the array at the end of its scope. */
  [Symbol.dispose](): void {
    this.destroy();
  }

  /** `DeviceArray<f32>[2×3]`: the dtype and shape, as error messages name an array. */
  toString(): string {
    return `DeviceArray<${this.dtype}>[${this.shape.join('×')}]${this.destroyed ? ' (destroyed)' : ''}`;
  }
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** Options of a readback (`toArray`, `item`). */
export interface ReadOptions {
  /**
   * Give up after this many ms of waiting for the GPU, with `TimeoutError`; the device is then unusable
   * (see `openDevice({ timeoutMs })`). Dawn engine only: gpujs work runs on this thread. @default the device's timeoutMs
   */
  readonly timeoutMs?: number;
}

function readTimeout(op: string, options: ReadOptions): number | undefined {
  const o = options as unknown; // checked at run time: callers from plain JS can pass anything
  if (typeof o !== 'object' || o === null) throw new ArgumentError(`${op}: options must be an object ({ timeoutMs }), got ${o === null ? 'null' : typeof o}`);
  const unknown = Object.keys(o).filter((k) => k !== 'timeoutMs');
  if (unknown.length > 0) throw new ArgumentError(`${op}: unknown option${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; it takes timeoutMs`);
  const t = options.timeoutMs;
  if (t !== undefined && !(typeof t === 'number' && Number.isFinite(t) && t > 0)) throw new ArgumentError(`${op}: option 'timeoutMs' must be a positive number of ms, got ${String(t)}`);
  return t;
}

/** @internal A typed view of `length` elements of `dtype` at the start of a host block. */
export function viewOf(dtype: DType, block: ArrayBuffer, length: number): HostArray {
  switch (dtype) {
    case 'f32':
    case 'f16':
      return new Float32Array(block, 0, length);
    case 'i32':
      return new Int32Array(block, 0, length);
    case 'u32':
    case 'bool':
      return new Uint32Array(block, 0, length);
  }
}

export function alignedBytes(n: number): number {
  return Math.ceil(n / 4) * 4;
}

/**
 * The bytes to upload for `data` as `dtype`, after {@link hostData} has refused whatever would not arrive
 * intact. Always over a plain ArrayBuffer: Dawn's writeBuffer refuses SharedArrayBuffer-backed views, so
 * those are copied.
 */
export function toBytes(dtype: DType, data: ArrayLike<number>): Uint8Array {
  const host = hostData('write', dtype, data);
  if (dtype === 'f16') {
    const bits = new Uint16Array(alignedBytes(host.length * 2) / 2);
    for (let i = 0; i < host.length; i++) bits[i] = f32ToF16Bits(host[i] ?? 0);
    return new Uint8Array(bits.buffer);
  }
  const view = new Uint8Array(host.buffer, host.byteOffset, host.byteLength);
  return host.buffer instanceof ArrayBuffer ? view : view.slice();
}
