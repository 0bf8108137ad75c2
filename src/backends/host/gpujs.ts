/**
 * The gpu.js side of the gpujs engine: loading gpu.js (only here, only by dynamic `import()`, so the Dawn
 * path never pays for it), choosing its mode, and running its kernels on host arrays.
 *
 * Mode choice: gpu.js's `webgpu` mode when a WebGPU adapter exists — on gpukit's own Dawn instance, handed
 * to gpu.js as `navigator.gpu` (gpu.js's webgpu backend reads only that global; its own `webgpu@0.2.9`
 * dependency is never loaded) — else `webasm` (WebAssembly with SIMD, split across worker threads for
 * outputs of 4096 cells or more), else `cpu`.
 */
import { DeviceUnavailableError } from '../../errors.js';
import { checkLimitCaps, HOW_TO_GET_ONE, loadWebgpu, retireInstance } from '../dawn/adapter.js';
import { HostContext } from './context.js';
import { looksSoftware, type DeviceInfo } from '../../device/info.js';
import { currentRuntime } from '../../device/runtime.js';

/** gpu.js modes gpukit uses. */
export type GpujsMode = 'webgpu' | 'webasm' | 'cpu';

/** The part of a gpu.js kernel gpukit calls. */
export interface GpujsKernel {
  (...args: unknown[]): unknown;
  setOutput(output: number[]): GpujsKernel;
}

interface GpujsInstance {
  createKernel(source: string | ((...args: never[]) => unknown), settings: Record<string, unknown>): GpujsKernel;
  destroy(): Promise<void>;
}

interface GpujsModule {
  GPU: new (settings: { mode: string }) => GpujsInstance;
  WebGPUContext: { destroy(): Promise<void> };
}

/** What the gpujs engine keeps per device. */
export interface GpujsBackend {
  readonly mode: GpujsMode;
  readonly gpu: GpujsInstance;
  readonly kernels: Map<string, GpujsKernel>;
  /**
   * The most bytes one array may have when a gpu.js kernel takes it or writes it, and the device limit that
   * sets it: in webgpu mode every array is one storage buffer (gpu.js asks for the adapter's
   * maxStorageBufferBindingSize and maxBufferSize, the smaller wins); null in webasm and cpu modes.
   */
  readonly binding: { readonly limit: string; readonly bytes: number } | null;
  /**
   * The most bytes a gpu.js kernel's arrays may have together, and the limit's name: in webasm mode gpu.js
   * lays every array argument and the output into one WebAssembly memory of at most 65536 pages (wasm32),
   * 16 of which it keeps spare; null in webgpu and cpu modes.
   */
  readonly memory: { readonly limit: string; readonly bytes: number } | null;
}

let loaded: Promise<GpujsModule> | undefined;
let loadedOnce = false;

/** @internal True once gpu.js has been imported in this process (tests check the Dawn path never does). */
export function gpujsLoaded(): boolean {
  return loadedOnce;
}

async function loadGpujs(): Promise<GpujsModule> {
  loaded ??= (async () => {
    const mod = (await import('gpu.js')) as unknown as GpujsModule & { default?: GpujsModule };
    loadedOnce = true;
    return mod.default ?? mod;
  })();
  try {
    return await loaded;
  } catch (e) {
    loaded = undefined;
    throw new DeviceUnavailableError(`the gpujs engine could not load gpu.js: ${(e as Error).message}. Install it with \`npm install gpu.js@2.24.1\`.`, [], { cause: e });
  }
}

// gpu.js's webgpu mode shares one module-level GPUDevice between all its instances; it is destroyed when
// the last gpukit device using it closes, and only then is the Dawn instance released.
let webgpuUsers = 0;
let webgpuInstance: GPU | null = null;

interface NavigatorLike {
  gpu?: unknown;
}

function installNavigatorGpu(instance: GPU): void {
  // Node 20 has no navigator; Node 21+ has one without `gpu`.
  const g = globalThis as unknown as { navigator?: NavigatorLike };
  g.navigator ??= {};
  Object.defineProperty(g.navigator, 'gpu', { value: instance, configurable: true, writable: true });
}

function removeNavigatorGpu(instance: GPU): void {
  const nav = (globalThis as unknown as { navigator?: NavigatorLike }).navigator;
  if (nav?.gpu === instance) Reflect.deleteProperty(nav, 'gpu');
}

/** A Dawn adapter for gpu.js's webgpu mode, on a Dawn instance of gpukit's own; null if there is none. */
async function probeWebgpu(): Promise<{ instance: GPU; adapter: GPUAdapter } | null> {
  if (webgpuInstance !== null) {
    const adapter = await webgpuInstance.requestAdapter();
    if (adapter !== null) return { instance: webgpuInstance, adapter };
  }
  try {
    const mod = await loadWebgpu();
    const instance = mod.create(['disable-dawn-features=timestamp_quantization']);
    const adapter = await instance.requestAdapter();
    if (adapter === null) {
      retireInstance(instance);
      return null;
    }
    return { instance, adapter };
  } catch {
    return null;
  }
}

export interface OpenGpujsOptions {
  /** Force a gpu.js mode; otherwise webgpu (if `probeWebgpu` finds an adapter), webasm, cpu. */
  readonly mode?: GpujsMode;
  /** Look for a WebGPU adapter for gpu.js's webgpu mode (false when Dawn already found none). */
  readonly probeWebgpu: boolean;
  /** Why Dawn was not used, for `device.info.fallbackReason`. */
  readonly fallbackReason?: string;
  /**
   * `openDevice({ limits })`: on gpujs `maxBufferSize` caps the largest array (host memory has no binding
   * limit, so `maxStorageBufferBindingSize` is checked but changes nothing here).
   */
  readonly limits?: { readonly maxBufferSize?: number; readonly maxStorageBufferBindingSize?: number };
}

/** Opens a gpujs device. Throws {@link DeviceUnavailableError} if gpu.js or the requested mode cannot run. */
export async function openGpujs(opts: OpenGpujsOptions): Promise<HostContext> {
  const mod = await loadGpujs();
  let mode = opts.mode;
  let webgpu: { instance: GPU; adapter: GPUAdapter } | null = null;
  if (mode === 'webgpu' || (mode === undefined && opts.probeWebgpu)) {
    webgpu = await probeWebgpu();
    if (webgpu === null && mode === 'webgpu') throw new DeviceUnavailableError(`gpu.js's webgpu mode needs a WebGPU adapter and none was found. ${HOW_TO_GET_ONE}`);
    if (webgpu !== null) mode = 'webgpu';
  }
  if (mode === undefined) mode = 'WebAssembly' in globalThis ? 'webasm' : 'cpu';
  let gpu: GpujsInstance;
  try {
    if (webgpu !== null) {
      installNavigatorGpu(webgpu.instance);
      webgpuInstance = webgpu.instance;
      webgpuUsers++;
    }
    gpu = new mod.GPU({ mode });
  } catch (e) {
    if (webgpu !== null) await releaseWebgpu(mod);
    throw new DeviceUnavailableError(`gpu.js cannot run in mode ${mode} here: ${(e as Error).message}`, [], { cause: e });
  }
  const a = webgpu?.adapter.info;
  // gpu.js's webgpu mode requests the adapter's own maxima (see its context.js), so those are the limits.
  const l = webgpu?.adapter.limits;
  const binding = l === undefined ? null : l.maxStorageBufferBindingSize <= l.maxBufferSize ? { limit: 'maxStorageBufferBindingSize', bytes: l.maxStorageBufferBindingSize } : { limit: 'maxBufferSize', bytes: l.maxBufferSize };
  const own = { maxBufferSize: 2 ** 31, ...(l !== undefined ? { maxStorageBufferBindingSize: l.maxStorageBufferBindingSize } : {}) };
  const capped = checkLimitCaps(opts.limits, own)['maxBufferSize'];
  const limits = capped !== undefined ? { ...own, maxBufferSize: capped } : own;
  const info: DeviceInfo = {
    engine: 'gpujs',
    runtime: currentRuntime(),
    backend: mode,
    vendor: a?.vendor ?? '',
    architecture: a?.architecture ?? '',
    description: mode === 'webgpu' ? `gpu.js webgpu on ${[a?.vendor, a?.description].filter((s) => s !== undefined && s !== '').join(' ')}` : `gpu.js ${mode} on the host CPU`,
    // webasm and cpu run on the CPU; webgpu runs wherever its adapter does.
    isSoftware: a === undefined ? true : a.isFallbackAdapter || looksSoftware(a.vendor, a.architecture, a.description),
    isFallbackAdapter: a?.isFallbackAdapter ?? false,
    featureLevel: 'core',
    features: [],
    limits,
    ...(opts.fallbackReason !== undefined ? { fallbackReason: opts.fallbackReason } : {}),
  };
  const memory = mode === 'webasm' ? { limit: 'WebAssembly memory (65536 pages, 16 kept spare by gpu.js)', bytes: (65536 - 16) * 65536 } : null;
  const backend: GpujsBackend = { mode, gpu, kernels: new Map(), binding, memory };
  const host = new HostContext(info, limits, backend);
  host.onClose(async () => {
    backend.kernels.clear();
    await gpu.destroy().catch(() => undefined);
    if (webgpu !== null) await releaseWebgpu(mod);
  });
  return host;
}

async function releaseWebgpu(mod: GpujsModule): Promise<void> {
  webgpuUsers--;
  if (webgpuUsers > 0 || webgpuInstance === null) return;
  const instance = webgpuInstance;
  webgpuInstance = null;
  await mod.WebGPUContext.destroy().catch(() => undefined);
  removeNavigatorGpu(instance);
  // Dawn may touch its instance for a tick after the device is gone: park it (see retireInstance).
  retireInstance(instance);
}

/** The gpu.js backend of a gpujs device. */
export function backendOf(host: HostContext): GpujsBackend {
  return host.gpujs;
}

/** The iteration cap of a kernel whose longest loop runs `iterations` times: a power of two ≥ it (≥ 1024), so one compiled kernel serves a range of bounds. */
export function loopCap(iterations: number): number {
  return 2 ** Math.max(10, Math.ceil(Math.log2(Math.max(1, iterations))));
}

/**
 * Runs a gpu.js kernel (created once per device and cached under `key` and `loopMax`) with `output` dims
 * and returns its result flattened row-major into a Float32Array. `source` is JS source text: gpu.js
 * parses it, so it must not depend on TypeScript's emit.
 *
 * `loopMax` becomes gpu.js's `loopMaxIterations`: gpu.js stops every loop whose bound is not a literal
 * after that many iterations, silently (in all three modes), so it must be at least the real bound of the
 * kernel's longest loop. It is part of the cache key: a kernel built for a smaller bound is never reused.
 */
export async function runKernel(host: HostContext, key: string, source: string | ((...args: never[]) => unknown), loopMax: number, settings: Record<string, unknown>, output: number[], args: unknown[]): Promise<Float32Array> {
  const b = backendOf(host);
  const cacheKey = `${key}|loop${loopMax}`;
  let k = b.kernels.get(cacheKey);
  if (k === undefined) {
    k = b.gpu.createKernel(source, {
      dynamicOutput: true,
      dynamicArguments: true,
      precision: 'single',
      // webgpu is async by nature; webasm splits large outputs across worker threads only in async mode.
      asyncMode: b.mode !== 'cpu',
      output,
      ...settings,
      loopMaxIterations: loopMax,
    });
    b.kernels.set(cacheKey, k);
  }
  k.setOutput(output);
  const r = await Promise.resolve(k(...args));
  return flatten(r, output);
}

function flatten(r: unknown, output: number[]): Float32Array {
  if (r instanceof Float32Array) return r;
  const total = output.reduce((a, b) => a * b, 1);
  const out = new Float32Array(total);
  let at = 0;
  const walk = (v: unknown): void => {
    if (v instanceof Float32Array) {
      out.set(v, at);
      at += v.length;
    } else if (Array.isArray(v)) {
      for (const e of v) walk(e);
    } else if (typeof v === 'number') {
      out[at++] = v;
    }
  };
  walk(r);
  return out;
}
