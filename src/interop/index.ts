/**
 * `gpukit/interop`: sharing the GPU with other libraries. Outside `GPUBuffer`s as arrays and arrays' buffers
 * under a lease (any WebGPU code), TF.js tensors ↔ arrays with no host copy, ONNX Runtime tensors ↔ arrays
 * with one. gpukit's core never imports TF.js or ONNX Runtime: these helpers take the library's module as an
 * argument and use only its public API, so gpukit has no dependency on either. Guide: docs/guide/sharing.md.
 */
import { DeviceArray, DTypeError, type DType, type GpuDevice } from '../index.js';
import { leaseArray, wrapOutside, type BufferLease } from '../backends/dawn/share.js';
import { ArgumentError } from '../errors.js';
import { describeValue } from '../args.js';

export type { BufferLease };

/** Options of {@link wrapBuffer}. */
export interface WrapBufferOptions {
  /** Element type of the data in the buffer. */
  readonly dtype: DType;
  /** Shape (C order); its elements must fit the buffer after `byteOffset`. */
  readonly shape: number | readonly number[];
  /** Where the data starts in the buffer, a multiple of the element size. @default 0 */
  readonly byteOffset?: number;
}

const WRAP_KEYS = new Set(['dtype', 'shape', 'byteOffset']);

/**
 * An outside `GPUBuffer` of this device as an array, zero-copy: ops read it and write it in place, and
 * `toArray()` reads what the other side wrote. Borrowed: gpukit never pools or destroys the buffer, and
 * `destroy()` of the array only drops gpukit's hold. Once its owner destroys the buffer, the array (and its
 * views) throw DestroyedError on use. The buffer needs GPUBufferUsage.STORAGE, and COPY_SRC to be read back
 * or copied, COPY_DST to be written (BufferUsageError names the missing flag). Dawn engine only (on gpujs:
 * UnsupportedOnEngineError). Order: submit the other side's writes before gpukit's next batch reads them
 * (queue order), and `await device.flush()` before the other side reads what gpukit wrote.
 *
 * @example
 * ```ts
 * const buf = device.gpu.createBuffer({ size: 16, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
 * using x = wrapBuffer(device, buf, { dtype: 'f32', shape: [4] });
 * x.write([1, 2, 3, 4]); // lands in buf itself
 * ```
 */
export function wrapBuffer(device: GpuDevice, buffer: GPUBuffer, options: WrapBufferOptions): DeviceArray {
  if (typeof options !== 'object' || (options as unknown) === null) throw new ArgumentError(`wrapBuffer: options must be { dtype, shape, byteOffset? }, got ${describeValue(options)}`);
  const unknown = Object.keys(options).find((k) => !WRAP_KEYS.has(k));
  if (unknown !== undefined) throw new ArgumentError(`wrapBuffer: unknown option '${unknown}'; it takes dtype, shape, byteOffset`);
  return wrapOutside(device.ctx, buffer, { dtype: options.dtype, shape: options.shape, byteOffset: options.byteOffset, from: 'an outside GPUBuffer' });
}

/**
 * `x`'s buffer for other WebGPU code, under a lease: until `lease.release()`, gpukit neither reuses nor frees
 * that memory, even after `x` is destroyed (then it returns to the pool when the lease ends). The data is
 * `lease.byteLength` bytes at `lease.byteOffset`. Call `await device.flush()` before the other side submits
 * work that reads it. `x` must be contiguous and fit one buffer. Closing the device frees the memory of
 * leases still held only on a device gpukit owns (it destroys the whole device); on an adopted device it
 * stays until released.
 *
 * @example
 * ```ts
 * using lease = exportBuffer(y);
 * await device.flush();
 * pass.setBindGroup(0, raw.createBindGroup({ layout, entries: [{ binding: 0, resource: { buffer: lease.buffer, offset: lease.byteOffset, size: lease.byteLength } }] }));
 * ```
 */
export function exportBuffer(x: DeviceArray): BufferLease {
  if (!(x instanceof DeviceArray)) throw new ArgumentError(`exportBuffer: x must be a DeviceArray, got ${describeValue(x)}`);
  return leaseArray(x);
}

// ---- TensorFlow.js (its WebGPU backend, @tensorflow/tfjs-backend-webgpu) ----

/** The part of a TF.js tensor the helpers use. */
export interface TfTensorLike {
  readonly shape: number[];
  readonly dtype: string;
  readonly isDisposed: boolean;
  readonly dataId: unknown;
  /** A tensor sharing this one's data (a reference TF.js counts). */
  clone(): TfDisposable;
  /** Drops this tensor's reference to its data. */
  dispose(): void;
}

/** Something TF.js frees with `dispose()`. */
export interface TfDisposable {
  /** Frees it (for a tensor: drops its reference to the data). */
  dispose(): void;
}

/** The part of TF.js (`@tensorflow/tfjs-core`, or `@tensorflow/tfjs`) the helpers use. */
export interface TfLike {
  /** `tf.tensor({ buffer, zeroCopy }, shape, dtype)`: a tensor over GPU data (TF.js's WebGPU backend). */
  tensor(values: { buffer: GPUBuffer; zeroCopy?: boolean }, shape: number[], dtype: string): TfTensorLike;
  /** The name of the current backend (`'webgpu'`). */
  getBackend(): string;
  /** The current backend object. */
  backend(): unknown;
  /** Registers a backend factory under a name. */
  registerBackend(name: string, factory: () => unknown, priority?: number): boolean;
  /** The factory registered under a name, if any. */
  findBackendFactory(name: string): unknown;
  /** Removes the backend registered under a name. */
  removeBackend(name: string): void;
  /** Selects (and starts) a registered backend. */
  setBackend(name: string): Promise<boolean>;
}

/**
 * TF.js's WebGPU backend's methods the helpers call: public in 4.22's typings, except `endComputePassEncoder`
 * (private there, a plain method at run time), which must close TF.js's open compute pass before its command
 * buffer can be submitted.
 */
interface TfWebgpuQueue {
  readonly tensorMap: { get(dataId: unknown): { resource?: unknown } | undefined };
  ensureCommandEncoderReady(): void;
  endComputePassEncoder?(): void;
  submitQueue(): void;
  uploadToGPU(dataId: unknown): void;
}

/** Submits what TF.js's WebGPU backend has encoded and not submitted yet (it batches up to 15 dispatches). */
function submitTf(queue: TfWebgpuQueue): void {
  queue.ensureCommandEncoderReady();
  queue.endComputePassEncoder?.();
  queue.submitQueue();
}

/**
 * Submits the commands TF.js's WebGPU backend has queued (it batches its kernels and submits every 15
 * dispatches, or when something is read), without waiting for the GPU: after it, gpukit's next batch runs
 * after TF.js's work on the shared queue. {@link fromTensor} and {@link toTensor} do this themselves; call it
 * when you hand TF.js's buffers to gpukit another way (wrapBuffer) or before waiting on the queue.
 *
 * @example
 * ```ts
 * const y = model.predict(x);
 * submitTfjs(tf);
 * await device.gpu.queue.onSubmittedWorkDone(); // the model has run
 * ```
 */
export function submitTfjs(tf: TfLike): void {
  submitTf(tfQueue(tf));
}

const TF_DTYPE: Partial<Record<DType, string>> = { f32: 'float32', i32: 'int32' };
const FROM_TF: Readonly<Record<string, DType>> = { float32: 'f32', int32: 'i32' };

/**
 * Makes TF.js run on gpukit's device: registers `new WebGPUBackend(device.gpu)` as TF.js's `webgpu` backend
 * (replacing one registered before) and selects it. Node has no `navigator.gpu`, which the backend's
 * constructor checks for; where it is missing it is set to an object whose `gpu` is the WebGPU entry the
 * `webgpu` package gave gpukit. Either side may make the device: `openDevice({ device: tf.backend().device })`
 * adopts TF.js's instead.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs-core';
 * import { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
 * await setTfjsBackend(tf, WebGPUBackend, device);
 * ```
 */
export async function setTfjsBackend(tf: TfLike, WebGPUBackend: new (device: GPUDevice, adapterInfo?: GPUAdapterInfo) => unknown, device: GpuDevice): Promise<void> {
  const gpu = device.gpu;
  const g = globalThis as { navigator?: { gpu?: unknown } };
  if (g.navigator === undefined) Object.defineProperty(globalThis, 'navigator', { value: { gpu: {} }, configurable: true, writable: true });
  else if (g.navigator.gpu === undefined) Object.defineProperty(g.navigator, 'gpu', { value: {}, configurable: true, writable: true });
  if (tf.findBackendFactory('webgpu') !== null && tf.findBackendFactory('webgpu') !== undefined) tf.removeBackend('webgpu');
  tf.registerBackend('webgpu', () => new WebGPUBackend(gpu, (gpu as { adapterInfo?: GPUAdapterInfo }).adapterInfo));
  if (!(await tf.setBackend('webgpu'))) throw new ArgumentError("setTfjsBackend: TF.js could not start its webgpu backend on this device (see TF.js's message above)");
}

function tfQueue(tf: TfLike): TfWebgpuQueue {
  const b = tf.backend() as Partial<TfWebgpuQueue>;
  if (tf.getBackend() !== 'webgpu' || typeof b.submitQueue !== 'function' || typeof b.ensureCommandEncoderReady !== 'function' || typeof b.uploadToGPU !== 'function' || typeof b.tensorMap?.get !== 'function') {
    throw new ArgumentError(`TF.js's backend is '${tf.getBackend()}', not its WebGPU backend on this device: call setTfjsBackend(tf, WebGPUBackend, device) first`);
  }
  return b as TfWebgpuQueue;
}

/**
 * A TF.js tensor of TF.js's WebGPU backend as a gpukit array, zero-copy: the array is the tensor's own GPU
 * buffer. TF.js's queued commands are submitted first (so gpukit's work after them sees the data), and the
 * array holds a reference to the tensor's data (a `clone()`, which shares it), dropped when the array is
 * destroyed: the original tensor may be disposed at any time. The array is read-only (TF.js tensors are
 * immutable; `write`, `set` and passing it as an op's output are ArgumentErrors): ops read it, and
 * `copy()` / any op's result is an ordinary gpukit array. A tensor whose data TF.js still holds on the host
 * (made from values, not yet used by a GPU kernel) is uploaded by TF.js first. float32 → f32, int32 → i32;
 * other dtypes are a DTypeError. The device must be TF.js's (see {@link setTfjsBackend}).
 *
 * @example
 * ```ts
 * using x = fromTensor(tf, logits, device); // f32 [batch, classes], logits' own memory
 * using p = softmax(x, { axis: -1 });
 * ```
 */
export function fromTensor(tf: TfLike, tensor: TfTensorLike, device: GpuDevice): DeviceArray {
  const ctx = device.ctx;
  const dtype = FROM_TF[tensor.dtype];
  if (dtype === undefined) throw new DTypeError(`fromTensor: a TF.js ${tensor.dtype} tensor has no gpukit dtype; float32 and int32 do (cast it with tf.cast first)`);
  const queue = tfQueue(tf);
  if (tensor.isDisposed) throw new ArgumentError('fromTensor: the tensor is disposed');
  queue.uploadToGPU(tensor.dataId);
  const resource = queue.tensorMap.get(tensor.dataId)?.resource as Partial<GPUBuffer> | null | undefined;
  if (typeof resource !== 'object' || resource === null || typeof resource.usage !== 'number' || typeof resource.mapAsync !== 'function') {
    throw new ArgumentError("fromTensor: TF.js keeps this tensor's data in a texture, not a GPU buffer; only buffers can be shared");
  }
  submitTf(queue); // TF.js's work that writes the tensor goes to the queue before gpukit's next batch
  const ref = tensor.clone(); // shares the data (TF.js's Identity adds a reference): keeps the buffer from TF.js's pool
  try {
    const x = wrapOutside(ctx, resource, { dtype, shape: [...tensor.shape], byteOffset: 0, from: 'a TF.js tensor', onRelease: () => { ref.dispose(); } });
    x.freeze();
    return x;
  } catch (e) {
    ref.dispose();
    throw e;
  }
}

/**
 * A gpukit array as a TF.js tensor with no host copy. gpukit's queued work is submitted first, so TF.js's
 * kernels see it. Zero-copy where the array's buffer holds exactly its data (a plain array whose byte size is
 * one of the pool's size classes: a multiple of 256 bytes up to 4 KiB, then 4 sizes per power of two — 1024
 * f32, 2^20 f32...): the tensor reads that buffer itself (TF.js's `zeroCopy` GPU data) and the buffer is leased
 * to it — destroying the array does not free or reuse it while the tensor lives; once the tensor is disposed,
 * TF.js's queued commands are submitted and the memory returns to gpukit. Otherwise (a view, or a size with
 * slack: TF.js 4.22 reads a GPU buffer's whole size back, so a larger buffer would read back extra elements)
 * the data is copied on the GPU into a buffer of exactly its size, which TF.js copies into its own (two device
 * copies, still no host copy) and the array stays independent of the tensor. f32 → float32, i32 → int32;
 * others are a DTypeError.
 *
 * @example
 * ```ts
 * const t = await toTensor(tf, probs); // tf.Tensor on TF.js's webgpu backend, same GPU memory
 * ```
 */
export async function toTensor(tf: TfLike, x: DeviceArray): Promise<TfTensorLike> {
  const tfDtype = TF_DTYPE[x.dtype];
  if (tfDtype === undefined) throw new DTypeError(`toTensor: TF.js has no dtype for gpukit's ${x.dtype}; f32 and i32 convert (cast with astype first)`);
  const queue = tfQueue(tf);
  const ctx = x.ctx;
  const shape = [...x.shape];
  if (x.isPlain && x.storageBuffers.length === 1 && x.storageBuffer.size === x.byteLength && x.byteLength > 0) {
    let tensor: TfTensorLike | undefined;
    const lease = leaseArray(x, () => {
      if (tensor === undefined || !tensor.isDisposed) return true;
      // Disposed: commands TF.js encoded before that may still read the buffer; submit them before gpukit reuses it.
      submitTf(queue);
      return false;
    });
    try {
      await device(x).flush();
      // TF.js wants STORAGE | COPY_SRC and at least the tensor's bytes: every gpukit array's buffer has them.
      tensor = tf.tensor({ buffer: lease.buffer, zeroCopy: true }, shape, tfDtype);
    } catch (e) {
      lease.release();
      throw e;
    }
    return tensor;
  }
  // A buffer of exactly the data's size, filled by a copy in gpukit's batch; TF.js copies it into its own
  // buffer and submits that copy at once, so it is destroyed right after (WebGPU frees it once the copy ran).
  const bytes = Math.max(4, x.byteLength);
  const exact = ctx.gpu.createBuffer({ label: `toTensor|${x.dtype}|${x.size}`, size: bytes, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
  try {
    const plain = x.isContiguous ? x : x.contiguous();
    try {
      if (x.byteLength > 0) ctx.copy(plain.storageBuffer, plain.offset * (x.byteLength / Math.max(1, x.size)), exact, 0, x.byteLength, `toTensor|${x.dtype}|${x.size}`);
    } finally {
      if (plain !== x) plain.destroy();
    }
    await device(x).flush();
    return tf.tensor({ buffer: exact }, shape, tfDtype);
  } finally {
    exact.destroy();
  }
}

/** The device interface an array's flush goes through: its Dawn context's verdict and error report. */
function device(x: DeviceArray): { flush(): Promise<void> } {
  const ctx = x.ctx;
  return {
    flush: async () => {
      await ctx.settled();
      ctx.checkErrors();
    },
  };
}

// ---- ONNX Runtime (onnxruntime-node / onnxruntime-common) ----

/** The part of an ONNX Runtime tensor the helpers use. */
export interface OrtTensorLike {
  readonly type: string;
  readonly dims: readonly number[];
  readonly location: string;
  readonly data: unknown;
}

/** The part of ONNX Runtime's module the helpers use (`Tensor`). */
export interface OrtLike {
  Tensor: new (type: string, data: ArrayBufferView, dims: readonly number[]) => OrtTensorLike;
}

const ORT_DTYPE: Partial<Record<DType, string>> = { f32: 'float32', i32: 'int32', u32: 'uint32' };
const FROM_ORT: Readonly<Record<string, DType>> = { float32: 'f32', int32: 'i32', uint32: 'u32' };

/**
 * An ONNX Runtime tensor's data as a gpukit array: one copy (host → device). onnxruntime-node keeps its
 * WebGPU device inside its native binding, so its tensors reach JavaScript in host memory (`location: 'cpu'`);
 * a tensor on any other location is an ArgumentError. float32 → f32, int32 → i32, uint32 → u32; others are a
 * DTypeError.
 *
 * @example
 * ```ts
 * const { logits } = await session.run(feeds);
 * using x = fromOrtTensor(device, logits);
 * ```
 */
export function fromOrtTensor(device: GpuDevice, tensor: OrtTensorLike): DeviceArray {
  const dtype = FROM_ORT[tensor.type];
  if (dtype === undefined) throw new DTypeError(`fromOrtTensor: an ONNX Runtime ${tensor.type} tensor has no gpukit dtype; float32, int32 and uint32 do`);
  if (tensor.location !== 'cpu') throw new ArgumentError(`fromOrtTensor: the tensor's data is on '${tensor.location}'; onnxruntime-node hands JavaScript only 'cpu' tensors (its GPU is inside its native binding), so pass one of those`);
  return device.array(tensor.data as Float32Array | Int32Array | Uint32Array, { dtype, shape: [...tensor.dims] });
}

/**
 * A gpukit array as an ONNX Runtime CPU tensor: one copy (device → host; the readback waits for the work
 * that makes `x`). f32 → float32, i32 → int32, u32 → uint32; others are a DTypeError.
 *
 * @example
 * ```ts
 * import * as ort from 'onnxruntime-node';
 * const feeds = { x: await toOrtTensor(ort, normalised) };
 * ```
 */
export async function toOrtTensor(ort: OrtLike, x: DeviceArray): Promise<OrtTensorLike> {
  const type = ORT_DTYPE[x.dtype];
  if (type === undefined) throw new DTypeError(`toOrtTensor: gpukit's ${x.dtype} has no ONNX Runtime tensor type here; f32, i32 and u32 convert`);
  const data = await x.toArray();
  return new ort.Tensor(type, data, [...x.shape]);
}
