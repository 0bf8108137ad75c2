import { DeviceArray } from '../../buffers/device-array.js';
import { wgslOf, type DType } from '../../buffers/dtype.js';
import { chunkElements } from '../../buffers/chunks.js';
import type { DeviceContext } from './context.js';
import { specializeSource } from '../../kernels/compose.js';
import { ArgumentError, DTypeError, LimitError, ShaderCompileError, ValidationError } from '../../errors.js';
import { compileModule, type SourceMapper } from './compile.js';
import { checkRunArgs, gridFor, type Dispatch } from './geometry.js';
import { reflectCompute, resolveWorkgroupSize, type BindingInfo, type EntryInfo } from '../../kernels/reflect.js';
import { builtinKernel } from '../../kernels/load.js';
import { PackedUniform, packFields, packUniform, type UniformValue } from './uniform.js';

/** Options for compiling a kernel. */
export interface KernelOptions {
  /** Entry point to use. @default the module's only `@compute` function */
  readonly entryPoint?: string;
  /** Values for the module's `override` constants (workgroup size, tile sizes...). @default {} */
  readonly constants?: Readonly<Record<string, number>>;
  /** Rewrites the module's `alias T = ...;` to this element type (CuPy's typedef trick). @default unchanged */
  readonly dtype?: DType;
  /** A label for the pipeline, used in errors and Dawn messages. @default derived from the source */
  readonly label?: string;
  /** @internal maps generated WGSL positions back to the user's text */
  readonly mapper?: SourceMapper;
}

/** Arguments of a kernel run, by binding name: arrays for storage, plain values for uniforms. */
export type KernelArgs = Readonly<Record<string, DeviceArray | UniformValue>>;

/** Applies the dtype rewrite and `enable f16;` without shifting any line numbers (the composer's `specializeSource`). */
export function specialize(source: string, dtype: DType | undefined): string {
  return specializeSource(source, dtype);
}

function labelFor(source: string, entry: string | undefined): string {
  const file = /^\/\/\s*([\w.-]+\.wgsl)/.exec(source)?.[1];
  return file ?? entry ?? 'kernel';
}

/**
 * A compiled compute kernel whose bindings were found by reflection, so arguments are passed by name.
 *
 * @example
 * ```ts
 * const k = await device.kernel(wgsl);
 * k.run({ x, y, params: { n: x.length, a: 2 } }, { invocations: x.length });
 * console.log(await y.toArray());
 * ```
 */
export class Kernel {
  readonly label: string;
  readonly entry: EntryInfo;
  readonly workgroupSize: readonly [number, number, number];
  readonly pipeline: GPUComputePipeline;
  readonly #ctx: DeviceContext;
  readonly #layout: GPUBindGroupLayout;
  /** @internal The error scope of a synchronous compile (gpukit's own kernels): a failed dispatch names it. */
  readonly compileError: Promise<GPUError | null> | undefined;

  /** @internal use `device.kernel()` */
  constructor(
    ctx: DeviceContext,
    label: string,
    entry: EntryInfo,
    workgroupSize: readonly [number, number, number],
    pipeline: GPUComputePipeline,
    layout: GPUBindGroupLayout,
    compileError?: Promise<GPUError | null>,
  ) {
    this.#ctx = ctx;
    this.compileError = compileError;
    this.label = label;
    this.entry = entry;
    this.workgroupSize = workgroupSize;
    this.pipeline = pipeline;
    this.#layout = layout;
  }

  /** Names of the bindings this kernel takes. */
  get bindings(): readonly BindingInfo[] {
    return this.entry.bindings;
  }

  /**
   * Enqueues one dispatch and returns at once; read an output back (`await out.toArray()`) to wait for it.
   * Arguments are checked before anything is enqueued.
   */
  run(args: KernelArgs, dispatch: Dispatch): void {
    this.#run(args, dispatch);
  }

  /**
   * @internal The value of the uniform binding `name` packed once, for {@link runPacked} (gpukit's prepared
   * calls, which bind the same values on every run). Checked as `run` checks it.
   */
  pack(name: string, value: UniformValue): PackedUniform {
    const b = this.#uniformBinding(name);
    return new PackedUniform(b.layout, packUniform(b.layout, value, name));
  }

  /** @internal The struct uniform `name` packed field by field from `get` (see {@link pack}). */
  packFields(name: string, get: (field: string) => unknown): PackedUniform {
    const b = this.#uniformBinding(name);
    return new PackedUniform(b.layout, packFields(b.layout, get, name));
  }

  #uniformBinding(name: string): BindingInfo {
    const b = this.entry.bindings.find((x) => x.name === name && x.kind === 'uniform');
    if (b === undefined) throw new ArgumentError(`${this.label}: no uniform binding '${name}'`);
    return b;
  }

  /** @internal {@link run} with uniforms packed by {@link pack}: the same checks, binding and dispatch. */
  runPacked(args: Readonly<Record<string, DeviceArray | PackedUniform>>, dispatch: Dispatch): void {
    this.#run(args, dispatch);
  }

  #run(args: Readonly<Record<string, DeviceArray | UniformValue | PackedUniform>>, dispatch: Dispatch): void {
    const ctx = this.#ctx;
    ctx.assertUsable();
    checkRunArgs(this.label, args, dispatch, this.workgroupSize, ctx.limits.maxComputeWorkgroupsPerDimension); // before anything is bound
    const names = new Set(this.entry.bindings.map((b) => b.name));
    const extra = Object.keys(args).filter((k) => !names.has(k));
    if (extra.length > 0) {
      throw new ArgumentError(`${this.label}: unknown argument${extra.length > 1 ? 's' : ''} ${extra.join(', ')}; the kernel binds ${[...names].join(', ')}`);
    }
    const entries: GPUBindGroupEntry[] = [];
    // Views (offsets, strides, broadcasts) are read through a gather into a plain temporary, released once
    // the dispatch is encoded (its memory is reused only after the GPU is done with it).
    const temps: DeviceArray[] = [];
    try {
      this.#bindAndDispatch(args, dispatch, entries, temps);
    } finally {
      for (const t of temps) t.destroy();
    }
  }

  #bindAndDispatch(args: Readonly<Record<string, DeviceArray | UniformValue | PackedUniform>>, dispatch: Dispatch, entries: GPUBindGroupEntry[], temps: DeviceArray[]): void {
    const ctx = this.#ctx;
    const reads: GPUBuffer[] = [];
    const writes: GPUBuffer[] = [];
    const boundAs = new Map<GPUBuffer, { name: string; writable: boolean }>();
    for (const b of this.entry.bindings) {
      if (!Object.hasOwn(args, b.name)) throw new ArgumentError(`${this.label}: missing argument '${b.name}' (${describeBinding(b)})`);
      let value = args[b.name];
      if (b.kind === 'storage' && value instanceof DeviceArray && !value.destroyed) value.assertWritable(this.label, `'${b.name}' is written (read_write) and`);
      // A window (a contiguous view at an aligned byte offset in one buffer) binds in place, read or written.
      if (value instanceof DeviceArray && !value.destroyed && !value.isPlain && !isWindow(value)) {
        if (b.kind === 'storage') {
          throw new ArgumentError(`${this.label}: '${b.name}' is written (read_write) and ${value.toString()} is a view (offset ${value.offset}, strides [${value.strides.join(', ')}]); outputs must be plain arrays: write into a fresh array, then copy it in with view.write(...)`);
        }
        if (b.kind === 'read-only-storage') {
          const gathered: DeviceArray = value.contiguous();
          temps.push(gathered);
          value = gathered;
        }
      }
      const resource = this.#resource(b, value);
      entries.push({ binding: b.binding, resource });
      if (b.kind === 'uniform') continue;
      const writable = b.kind === 'storage';
      // WebGPU rejects a buffer bound read-only and read_write in one dispatch, and would take the whole
      // batch down with it: refuse it here, naming both arguments, before anything is encoded.
      const other = boundAs.get(resource.buffer);
      if (other !== undefined && (other.writable || writable) && !(other.writable && writable)) {
        throw new ArgumentError(
          `${this.label}: '${other.name}' and '${b.name}' are the same array, bound ${other.writable ? 'read_write' : 'read-only'} and ${writable ? 'read_write' : 'read-only'} in one dispatch; pass a different output array (or use the op's in-place form)`,
        );
      }
      if (other === undefined || writable) boundAs.set(resource.buffer, { name: b.name, writable });
      (writable ? writes : reads).push(resource.buffer);
      if (writable) reads.push(resource.buffer);
      // An input a failed op left undefined: say so now (its error), rather than compute from it.
      const failed = writable ? undefined : ctx.failureOf(resource.buffer);
      if (failed !== undefined) throw failed;
    }
    const grid = gridFor(dispatch, this.workgroupSize, ctx.limits.maxComputeWorkgroupsPerDimension, this.label);
    if (grid[0] * grid[1] * grid[2] === 0) return;
    const bindGroup = ctx.gpu.createBindGroup({ label: this.label, layout: this.#layout, entries });
    ctx.dispatch(this.pipeline, bindGroup, grid, this.label, { reads, writes, compileError: this.compileError });
  }

  #resource(b: BindingInfo, value: DeviceArray | UniformValue | PackedUniform | undefined): GPUBufferBinding & { buffer: GPUBuffer } {
    const ctx = this.#ctx;
    if (b.kind === 'uniform') {
      if (value instanceof PackedUniform) {
        if (value.layout !== b.layout) throw new ArgumentError(`${this.label}: '${b.name}' was packed for another kernel`);
        return ctx.uniform(value.bytes);
      }
      if (value instanceof DeviceArray) {
        throw new ArgumentError(`${this.label}: '${b.name}' is a uniform (var<uniform>); pass its value as ${b.layout.kind === 'struct' ? 'a plain object' : 'a number or array'}, not a DeviceArray`);
      }
      return ctx.uniform(packUniform(b.layout, value, b.name));
    }
    if (!(value instanceof DeviceArray)) {
      throw new ArgumentError(`${this.label}: '${b.name}' is a storage buffer (var<storage>); pass a DeviceArray, got ${value instanceof PackedUniform ? 'a packed uniform' : typeof value}`);
    }
    if (value.ctx !== ctx) throw new ArgumentError(`${this.label}: '${b.name}' is an array of another device`);
    if (value.destroyed) return { buffer: value.buffer, offset: 0 }; // value.buffer throws DestroyedError
    // A bool array's elements are u32 words (0 or 1): it binds where the kernel declares array<u32>.
    if (b.elementType !== undefined && b.elementType !== wgslOf(value.dtype)) {
      throw new DTypeError(`${this.label}: '${b.name}' holds ${b.elementType} but the array passed is ${value.dtype}`);
    }
    // Arrays of vectors (e.g. vec4 kernels) bind whole elements: round up to the stride; the pool's
    // size classes leave room for it, and kernels guard on their own length, not on arrayLength.
    const stride = b.layout.kind === 'array' ? b.layout.stride : 4;
    const max = ctx.limits.maxStorageBufferBindingSize;
    const wanted = Math.ceil(value.bindingSize / stride) * stride;
    if (wanted > max) {
      const chunk = chunkElements(ctx.limits);
      throw new LimitError(
        'maxStorageBufferBindingSize',
        wanted,
        max,
        `${this.label}: binding '${b.name}' (${value.length} ${value.dtype})`,
        this.compileError !== undefined
          ? // gpukit's own kernels (compiled synchronously): an op that does not split this argument.
            `this op does not split '${b.name}' over several bindings (see "Data larger than one binding" in the README): keep it within ${max} bytes, e.g. by running the op on slices along the first axis`
          : `bind windows of the array instead (x.window(offset, length): at most ${chunk} elements each, at offsets that are multiples of ${chunk}), one dispatch per window`,
      );
    }
    // A plain array binds its (first) buffer from 0; a window binds its range of the buffer holding it.
    const span = value.span;
    if (span === undefined) throw new ArgumentError(`${this.label}: '${b.name}' is a view that is not contiguous; pass x.contiguous()`);
    const size = Math.min(span.buffer.size - span.byteOffset, wanted);
    if (size < b.minBytes) {
      throw new ArgumentError(`${this.label}: '${b.name}' needs at least ${b.minBytes} bytes, the array has ${value.byteLength}`);
    }
    return { buffer: span.buffer, offset: span.byteOffset, size };
  }
}

/**
 * A contiguous view whose start is a multiple of minStorageBufferOffsetAlignment bytes in the one buffer
 * holding it: bound as `{ buffer, offset, size }`, no gather. (A view across two buffers' segments throws
 * its LimitError here.)
 */
function isWindow(value: DeviceArray): boolean {
  if (value.host !== null || !value.isContiguous) return false;
  let span: { readonly byteOffset: number } | undefined;
  try {
    span = value.span;
  } catch {
    return false; // across two buffers: read through a copy (contiguous()), which handles that
  }
  return span !== undefined && span.byteOffset % value.ctx.limits.minStorageBufferOffsetAlignment === 0;
}

function describeBinding(b: BindingInfo): string {
  if (b.kind === 'uniform') return b.layout.kind === 'struct' ? `uniform struct ${b.layout.name}` : 'uniform';
  return `${b.kind === 'storage' ? 'read_write' : 'read'} storage of ${b.elementType ?? 'struct'}`;
}

function cacheKey(source: string, options: KernelOptions): string {
  const constants = options.constants ?? {};
  return `${options.entryPoint ?? ''}|${options.dtype ?? ''}|${JSON.stringify(Object.entries(constants).sort())}|${source}`;
}

/**
 * Drops every compiled variant (any entry point, dtype or constants) of these sources from the device's
 * caches, so their pipelines can be collected; compiling one again builds it anew. Generated builders
 * call it when their per-device LRU evicts them (src/backends/dawn/builder-cache.ts).
 */
export function forgetKernels(ctx: DeviceContext, sources: ReadonlySet<string>): void {
  if (sources.size === 0) return;
  for (const cache of [ctx.kernels, ctx.syncKernels]) {
    for (const key of [...cache.keys()]) {
      // cacheKey is `entry|dtype|constants|source`, and only the source may hold a '|'.
      let bar = -1;
      for (let k = 0; k < 3; k++) bar = key.indexOf('|', bar + 1);
      if (sources.has(key.slice(bar + 1))) cache.delete(key);
    }
  }
}

let kernelCacheSize = 256;

/**
 * How many compiled raw kernels (`device.kernel()`) each device keeps, most recently used first (default
 * 256). A kernel object still held keeps working after it leaves the cache; compiling its source again
 * builds it anew. Each costs ~0.075 MiB on a software adapter, so a program compiling kernels from
 * generated source in a loop stays bounded.
 */
export function setKernelCacheSize(n: number): void {
  if (!Number.isInteger(n) || n < 0) throw new ArgumentError(`setKernelCacheSize: n must be a non-negative integer, got ${String(n)}`);
  kernelCacheSize = n;
}

/** Compiles (or fetches from the device's pipeline cache) a kernel from WGSL source. */
export function compileKernel(ctx: DeviceContext, source: string, options: KernelOptions = {}): Promise<Kernel> {
  ctx.assertUsable();
  const cache = ctx.kernels;
  const key = cacheKey(source, options);
  let p = cache.get(key);
  if (p === undefined) {
    p = buildAsync(ctx, source, options);
    const c = cache;
    p.catch(() => c.delete(key));
  } else cache.delete(key); // re-inserted below: most recently used last
  cache.set(key, p);
  while (cache.size > kernelCacheSize) {
    const oldest = cache.keys().next().value;
    if (oldest === undefined) break;
    cache.delete(oldest);
  }
  return p;
}

/**
 * Compiles a kernel synchronously (Dawn's blocking pipeline creation), for gpukit's own kernels inside ops
 * that must enqueue without awaiting. Compile problems surface as the ValidationError of the op that used it;
 * use {@link compileKernel} for user WGSL, whose errors deserve a ShaderCompileError up front.
 */
export function compileKernelSync(ctx: DeviceContext, source: string, options: KernelOptions = {}): Kernel {
  ctx.assertUsable();
  const cache = ctx.syncKernels;
  const key = cacheKey(source, options);
  let k = cache.get(key);
  if (k === undefined) {
    const t0 = performance.now();
    const p = prepare(ctx, source, options);
    const { value: pipeline, error } = ctx.scoped(() => {
      const module = ctx.gpu.createShaderModule({ code: p.code, label: p.label });
      return ctx.gpu.createComputePipeline({
        label: p.label,
        layout: ctx.gpu.createPipelineLayout({ label: p.label, bindGroupLayouts: [p.layout] }),
        compute: { module, entryPoint: p.entry.name, constants: { ...(options.constants ?? {}) } },
      });
    });
    k = new Kernel(ctx, p.label, p.entry, p.workgroupSize, pipeline, p.layout, error);
    cache.set(key, k);
    ctx.sink?.compile(performance.now() - t0);
  }
  return k;
}

interface Prepared {
  readonly code: string;
  readonly label: string;
  readonly entry: EntryInfo;
  readonly workgroupSize: readonly [number, number, number];
  readonly layout: GPUBindGroupLayout;
}

/** Specialises, reflects and checks a module and builds its bind group layout (all synchronous). */
function prepare(ctx: DeviceContext, source: string, options: KernelOptions): Prepared {
  const constants = options.constants ?? {};
  const code = specialize(source, options.dtype);
  const label = options.label ?? labelFor(source, options.entryPoint);
  let entries: EntryInfo[];
  try {
    entries = reflectCompute(code);
  } catch (e) {
    throw new ShaderCompileError(label, [], `\nreflection failed: ${(e as Error).message}`);
  }
  const entry = options.entryPoint !== undefined ? entries.find((e) => e.name === options.entryPoint) : entries.length === 1 ? entries[0] : undefined;
  if (entry === undefined) {
    const names = entries.map((e) => e.name).join(', ') || 'none';
    throw new ArgumentError(
      options.entryPoint !== undefined
        ? `${label}: no @compute entry point '${options.entryPoint}'; the module has ${names}`
        : `${label}: the module has ${entries.length} @compute entry points (${names}); pass entryPoint`,
    );
  }
  const unknown = Object.keys(constants).filter((k) => !entry.overrides.includes(k));
  if (unknown.length > 0) throw new ArgumentError(`${label}: unknown override constant${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; the module declares ${entry.overrides.join(', ') || 'none'}`);
  const workgroupSize = resolveWorkgroupSize(entry, constants);
  checkWorkgroup(ctx, workgroupSize, label);
  if (entry.bindings.some((b) => b.group !== 0)) throw new ArgumentError(`${label}: gpukit binds @group(0) only; move every binding to group 0`);
  const storageCount = entry.bindings.filter((b) => b.kind !== 'uniform').length;
  if (storageCount > ctx.limits.maxStorageBuffersPerShaderStage) {
    throw new LimitError('maxStorageBuffersPerShaderStage', storageCount, ctx.limits.maxStorageBuffersPerShaderStage, `${label}: storage bindings`);
  }
  const layout = ctx.gpu.createBindGroupLayout({
    label,
    entries: entry.bindings.map((b) => ({ binding: b.binding, visibility: GPUShaderStage.COMPUTE, buffer: { type: b.kind } })),
  });
  return { code, label, entry, workgroupSize, layout };
}

async function buildAsync(ctx: DeviceContext, source: string, options: KernelOptions): Promise<Kernel> {
  const t0 = performance.now();
  const code = specialize(source, options.dtype);
  const shift = code.length - source.length; // only line 1 can move (the 'enable f16; ' prefix)
  const label = options.label ?? labelFor(source, options.entryPoint);
  const mapper: SourceMapper =
    options.mapper ??
    ((line, column) => ({ line, column: line === 1 ? Math.max(1, column - shift) : column, sourceLine: source.split('\n')[line - 1] ?? '' }));
  // Compile first so a syntax error is reported as such, before reflection trips over it.
  const module = await compileModule(ctx.gpu, code, label, mapper);
  const p = prepare(ctx, source, options);
  let pipeline: GPUComputePipeline;
  try {
    pipeline = await ctx.guard(
      ctx.gpu.createComputePipelineAsync({
        label,
        layout: ctx.gpu.createPipelineLayout({ label, bindGroupLayouts: [p.layout] }),
        compute: { module, entryPoint: p.entry.name, constants: { ...(options.constants ?? {}) } },
      }),
    );
  } catch (e) {
    if (e instanceof Error && e.name === 'GPUPipelineError') throw new ValidationError(`${label}: pipeline creation failed: ${e.message}`);
    throw e;
  }
  ctx.sink?.compile(performance.now() - t0);
  return new Kernel(ctx, p.label, p.entry, p.workgroupSize, pipeline, p.layout);
}

function checkWorkgroup(ctx: DeviceContext, wg: readonly [number, number, number], label: string): void {
  const l = ctx.limits;
  const dims = [
    ['maxComputeWorkgroupSizeX', l.maxComputeWorkgroupSizeX],
    ['maxComputeWorkgroupSizeY', l.maxComputeWorkgroupSizeY],
    ['maxComputeWorkgroupSizeZ', l.maxComputeWorkgroupSizeZ],
  ] as const;
  dims.forEach(([name, max], i) => {
    const v = wg[i] ?? 1;
    if (v > max) throw new LimitError(name, v, max, `${label}: workgroup size`);
  });
  const total = wg[0] * wg[1] * wg[2];
  if (total > l.maxComputeInvocationsPerWorkgroup) {
    throw new LimitError('maxComputeInvocationsPerWorkgroup', total, l.maxComputeInvocationsPerWorkgroup, `${label}: workgroup of ${wg.join('×')}`);
  }
}

/** One of gpukit's own kernels (`kernels/<file>.wgsl`), compiled synchronously and cached per device. */
export function builtin(ctx: DeviceContext, file: string, options: KernelOptions = {}): Kernel {
  return compileKernelSync(ctx, builtinKernel(file), { label: `${file}${options.dtype !== undefined ? `|${options.dtype}` : ''}`, ...options });
}
