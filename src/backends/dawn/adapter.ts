import { readdirSync } from 'node:fs';
import { ArgumentError, DeviceUnavailableError } from '../../errors.js';
import { describeValue } from '../../args.js';
import { ensureHeadlessEgl, prepareDriverEnvironment } from '../../device/env.js';
import { looksSoftware, type BackendName, type DeviceInfo, type FeatureLevel, type WebgpuImplementation } from '../../device/info.js';
import { currentRuntime, runtimeLabel } from '../../device/runtime.js';
import { addressSpaceRoom, DAWN_MIN_ADDRESS_SPACE, gib } from '../../device/memory.js';

/** How to choose the Dawn adapter. Environment variables fill in what the options leave out. */
export interface DawnAdapterOptions {
  /**
   * The WebGPU implementation under the dawn engine: `dawn` (the `webgpu` npm package; Node, Bun and Deno) or
   * `wgpu` (the runtime's own `navigator.gpu`: Deno: 2.9.6 has it by default, older Deno under `--unstable-webgpu`). `backend`, `featureLevel`
   * and `unsafeDisableRobustness` are Dawn's and are refused with `wgpu`. Where the chosen one is missing,
   * `openDevice` throws DeviceUnavailableError saying how to get it.
   * @default process.env.GPUKIT_WEBGPU, else `dawn`
   *
   * @example
   * ```ts
   * // deno run -A main.ts
   * const device = await openDevice({ webgpu: 'wgpu' });
   * console.log(device.info.webgpu, device.info.runtime); // 'wgpu' { name: 'deno', version: '2.9.6' }
   * ```
   */
  readonly webgpu?: WebgpuImplementation;
  /** Force a Dawn backend. @default process.env.GPUKIT_BACKEND, else Dawn's default, then `opengles` */
  readonly backend?: BackendName;
  /** Force an adapter whose name (vendor, architecture or description) contains this text. @default process.env.GPUKIT_ADAPTER */
  readonly adapter?: string;
  /** Force a feature level. @default process.env.GPUKIT_FEATURE_LEVEL, else `core`, then `compatibility` */
  readonly featureLevel?: FeatureLevel;
  /** @default 'high-performance' */
  // Spelled out rather than GPUPowerPreference: a global type alias would tie the published types to one WebGPU lib.
  readonly powerPreference?: 'low-power' | 'high-performance';
  /**
   * Turn off Dawn's robustness transform (bounds clamping on every storage access). Faster, but an
   * out-of-bounds access becomes undefined behaviour — on a software adapter that is host memory.
   * Only for trusted kernels; benchmarks report which mode they ran in.
   * @default false
   */
  readonly unsafeDisableRobustness?: boolean;
  /**
   * Lower caps on the limits gpukit works to (each at least 4 KiB and at most the adapter's own): a device
   * that behaves like a smaller GPU, e.g. to test code that splits data over several bindings or buffers
   * with small, fast arrays. gpukit enforces them itself (WebGPU grants every device at least its default
   * limits) and `device.limits` reports them. On gpujs `maxBufferSize` caps arrays too; binding limits do
   * not apply to host memory.
   * @default the adapter's limits
   *
   * @example
   * ```ts
   * const small = await openDevice({ limits: { maxStorageBufferBindingSize: 1 << 16, maxBufferSize: 1 << 18 } });
   * ```
   */
  readonly limits?: LimitCaps;
}

/** Limits a device may be opened with below the adapter's (see {@link DawnAdapterOptions.limits}). */
export interface LimitCaps {
  /** Bytes one storage binding may cover. */
  readonly maxStorageBufferBindingSize?: number;
  /** Bytes one GPU buffer may hold. */
  readonly maxBufferSize?: number;
}

/** The smallest cap `openDevice({ limits })` accepts, in bytes. */
export const MIN_CAP = 4096;

/** The limit names {@link LimitCaps} takes. */
export const CAPPABLE_LIMITS = ['maxStorageBufferBindingSize', 'maxBufferSize'] as const;

/** The Dawn instance (what `webgpu`'s `create()` returns), kept referenced for the device's whole life. */
export type DawnInstance = GPU;

export interface DawnHandle {
  /** Dawn's instance, kept referenced while the device lives; null for an adopted device (its owner keeps its own). */
  readonly instance: DawnInstance | null;
  /** True for a device gpukit adopted (`openDevice({ device })`): close() leaves it alive. */
  readonly adopted?: boolean;
  /** The adapter, or null for an adopted device. */
  readonly adapter: GPUAdapter | null;
  readonly device: GPUDevice;
  readonly info: DeviceInfo;
  /** The limits gpukit works to: the device's, lowered by `openDevice({ limits })`. */
  readonly limits?: GPUSupportedLimits;
}

interface WebgpuModule {
  create(flags: string[]): GPU;
  globals: Record<string, unknown>;
}

let webgpuModule: Promise<WebgpuModule> | undefined;

/**
 * Instances no longer in use. Dawn's event loop can touch an instance for a tick after its last device or
 * adapter is gone, and if V8 has collected it by then the process crashes or deadlocks; parked here they
 * stay alive, and with no live device they schedule no work, so Node still exits.
 */
const retired = new Set<GPU>();

export function retireInstance(instance: GPU): void {
  retired.add(instance);
}

/**
 * One Dawn instance per set of instance flags, shared by every device opened with them: a device that
 * closes leaves its instance here for the next one, so open/close cycles do not pile up instances (each
 * kept ~2 MiB for the life of the process). The set of flag combinations gpukit uses is small.
 */
const instances = new Map<string, GPU>();

function instanceFor(mod: WebgpuModule, flags: string[]): GPU {
  const key = flags.join(' ');
  let instance = instances.get(key);
  if (instance === undefined) {
    instance = mod.create(flags);
    instances.set(key, instance);
    retired.add(instance);
  }
  return instance;
}

/** Loads the `webgpu` package once, installing its globals (GPUBufferUsage...) on first use. */
export async function loadWebgpu(): Promise<WebgpuModule> {
  webgpuModule ??= (async () => {
    prepareDriverEnvironment();
    const mod = (await import('webgpu')) as unknown as WebgpuModule;
    for (const [k, v] of Object.entries(mod.globals)) {
      if (!(k in globalThis)) Object.defineProperty(globalThis, k, { value: v, configurable: true, writable: true });
    }
    return mod;
  })();
  return webgpuModule;
}

const OPTIONAL_FEATURES: readonly GPUFeatureName[] = ['timestamp-query', 'shader-f16', 'subgroups'];

interface Attempt {
  readonly backend: BackendName | undefined;
  readonly featureLevel: FeatureLevel;
}

function envOption(name: string): string | undefined {
  const v = process.env[name];
  return v === undefined || v === '' ? undefined : v;
}

function instanceFlags(backend: BackendName | undefined, opts: DawnAdapterOptions): string[] {
  const flags = ['disable-dawn-features=timestamp_quantization'];
  if (opts.unsafeDisableRobustness === true) flags.push('enable-dawn-features=disable_robustness');
  if (backend !== undefined) flags.push(`backend=${backend}`);
  return flags;
}

function adapterName(a: GPUAdapter): string {
  const { vendor, architecture, description } = a.info;
  return [vendor, architecture, description].filter((s) => s !== '').join(' ');
}

function adapterLevel(a: GPUAdapter): FeatureLevel {
  return a.features.has('core-features-and-limits') ? 'core' : 'compatibility';
}

async function tryAdapter(
  mod: WebgpuModule,
  attempt: Attempt,
  opts: DawnAdapterOptions,
): Promise<{ instance: GPU; adapter: GPUAdapter } | { error: string }> {
  if (attempt.backend === 'opengles' || attempt.backend === 'opengl') ensureHeadlessEgl();
  let instance: GPU;
  try {
    instance = instanceFor(mod, instanceFlags(attempt.backend, opts));
  } catch (e) {
    return { error: `backend ${attempt.backend ?? 'default'}: ${(e as Error).message}` };
  }
  let adapter: GPUAdapter | null;
  try {
    adapter = await instance.requestAdapter({
      featureLevel: attempt.featureLevel,
      powerPreference: opts.powerPreference ?? 'high-performance',
    });
  } catch (e) {
    return { error: `backend ${attempt.backend ?? 'default'}: ${(e as Error).message}` };
  }
  const where = `${attempt.backend ?? 'default backend'}/${attempt.featureLevel}`;
  if (adapter === null) {
    retireInstance(instance);
    return { error: `${where}: no adapter` };
  }
  if (attempt.featureLevel === 'core' && adapterLevel(adapter) !== 'core') {
    retireInstance(instance);
    return { error: `${where}: adapter ${adapterName(adapter)} lacks core features` };
  }
  return { instance, adapter };
}

/** Lists every adapter Dawn can find here, as `backend/featureLevel: name` (for errors and `gpukit info`). */
export async function listDawnAdapters(): Promise<string[]> {
  const mod = await loadWebgpu();
  const found: string[] = [];
  for (const backend of ['vulkan', 'opengles'] as const) {
    for (const featureLevel of ['core', 'compatibility'] as const) {
      const r = await tryAdapter(mod, { backend, featureLevel }, {});
      if ('adapter' in r) {
        if (adapterLevel(r.adapter) === featureLevel) found.push(`${backend}/${featureLevel}: ${adapterName(r.adapter)}`);
        retireInstance(r.instance);
      }
    }
  }
  return found;
}

function parseBackend(v: string | undefined): BackendName | undefined {
  if (v === undefined) return undefined;
  const known: readonly BackendName[] = ['vulkan', 'opengles', 'opengl', 'metal', 'd3d12', 'd3d11', 'null'];
  if ((known as readonly string[]).includes(v)) return v as BackendName;
  throw new DeviceUnavailableError(`unknown backend '${v}'; expected one of ${known.join(', ')}`);
}

/** The WebGPU implementation asked for: `openDevice({ webgpu })`, else GPUKIT_WEBGPU, else Dawn. */
export function webgpuChoice(opts: Pick<DawnAdapterOptions, 'webgpu'>): WebgpuImplementation {
  if (opts.webgpu !== undefined) return opts.webgpu;
  const v = envOption('GPUKIT_WEBGPU');
  if (v === undefined || v === 'dawn' || v === 'wgpu') return v ?? 'dawn';
  throw new DeviceUnavailableError(`unknown WebGPU implementation '${v}' in GPUKIT_WEBGPU; expected dawn or wgpu`);
}

interface NavigatorWithGpu {
  readonly navigator?: { readonly gpu?: GPU };
}

/**
 * Opens a device on the runtime's own WebGPU (`navigator.gpu`): wgpu in Deno. Dawn's instance flags do not
 * exist there, so the Dawn-only options are refused rather than ignored; gpukit's timestamps need no
 * quantization toggle on wgpu (it does not quantize). wgpu reports no `core-features-and-limits` feature: it
 * implements core WebGPU only, so its adapters are `core`.
 */
async function openNavigatorGpu(opts: DawnAdapterOptions, fallbackReason?: string): Promise<DawnHandle> {
  const dawnOnly = (['backend', 'featureLevel', 'unsafeDisableRobustness'] as const).filter((k) => opts[k] !== undefined && !(k === 'featureLevel' && opts[k] === 'core'));
  if (dawnOnly.length > 0) throw new ArgumentError(`openDevice: ${dawnOnly.join(', ')} ${dawnOnly.length === 1 ? 'is a Dawn option' : 'are Dawn options'}; webgpu 'wgpu' has no such choice`);
  const gpu = (globalThis as NavigatorWithGpu).navigator?.gpu;
  const rt = currentRuntime();
  if (gpu === undefined) {
    // Deno 2.9.6 has navigator.gpu by default; older Deno only under --unstable-webgpu.
    const how = rt.name === 'deno' ? 'run Deno with --unstable-webgpu (Deno 2.9.6 has it without the flag)' : `${runtimeLabel(rt)} has no built-in WebGPU: use Deno (deno run -A), or webgpu 'dawn'`;
    throw new DeviceUnavailableError(`webgpu 'wgpu' needs the runtime's own WebGPU (navigator.gpu), and ${runtimeLabel(rt)} has none here: ${how}`);
  }
  const adapter = await gpu.requestAdapter({ powerPreference: opts.powerPreference ?? 'high-performance' });
  if (adapter === null) throw new DeviceUnavailableError(`webgpu 'wgpu' (${runtimeLabel(rt)}): navigator.gpu found no adapter. ${HOW_TO_GET_ONE}`);
  const wanted = opts.adapter ?? envOption('GPUKIT_ADAPTER');
  if (wanted !== undefined && !adapterName(adapter).toLowerCase().includes(wanted.toLowerCase())) {
    throw new DeviceUnavailableError(`webgpu 'wgpu': the adapter ${adapterName(adapter)} does not match '${wanted}'`, [`wgpu: ${adapterName(adapter)}`]);
  }
  const caps = checkLimitCaps(opts.limits, adapter.limits as unknown as Record<string, unknown>);
  const device = await requestDevice(adapter);
  const info = { ...describe(adapter, device, { backend: undefined, featureLevel: 'core' }, fallbackReason, caps), webgpu: 'wgpu' as const, featureLevel: 'core' as const };
  return { instance: gpu, adapter, device, info, limits: cappedLimits(device.limits, caps) };
}

function parseLevel(v: string | undefined): FeatureLevel | undefined {
  if (v === undefined) return undefined;
  if (v === 'core' || v === 'compatibility') return v;
  throw new DeviceUnavailableError(`unknown feature level '${v}'; expected core or compatibility`);
}

/**
 * Opens a Dawn device: the default backend with core features first, then Dawn's OpenGL ES backend in
 * compatibility mode. A forced backend, adapter or feature level that cannot be had throws
 * {@link DeviceUnavailableError} listing the adapters that do exist.
 */
export async function openDawn(opts: DawnAdapterOptions = {}): Promise<DawnHandle> {
  if (webgpuChoice(opts) === 'wgpu') return openNavigatorGpu(opts);
  const room = addressSpaceRoom();
  if (room !== undefined && room < DAWN_MIN_ADDRESS_SPACE) {
    throw new DeviceUnavailableError(
      `Dawn needs ${gib(DAWN_MIN_ADDRESS_SPACE)} of address space free to open a device, and ulimit -v leaves this process ${gib(room)}: raise ulimit -v (Dawn crashes, not fails, below that)`,
    );
  }
  let mod: WebgpuModule;
  try {
    mod = await loadWebgpu();
  } catch (e) {
    // Deno may be unable to load the Dawn addon (no --allow-ffi, no prebuilt Dawn for the platform) and still
    // have WebGPU of its own: with nothing forcing Dawn, use that, and say so.
    const dawnAsked = opts.webgpu !== undefined || envOption('GPUKIT_WEBGPU') !== undefined || opts.backend !== undefined || opts.featureLevel !== undefined || opts.unsafeDisableRobustness !== undefined || envOption('GPUKIT_BACKEND') !== undefined || envOption('GPUKIT_FEATURE_LEVEL') !== undefined;
    if (dawnAsked || (globalThis as NavigatorWithGpu).navigator?.gpu === undefined) throw e;
    const reason = `the webgpu package (Dawn) could not load in ${runtimeLabel()} (${((e as Error).message.split('\n')[0] ?? '').slice(0, 200)}); using the runtime's own WebGPU (wgpu)`;
    process.stderr.write(`gpukit: ${reason}. To choose it explicitly and silence this: GPUKIT_WEBGPU=wgpu.\n`);
    return openNavigatorGpu(opts, reason);
  }
  const backend = opts.backend ?? parseBackend(envOption('GPUKIT_BACKEND'));
  const level = opts.featureLevel ?? parseLevel(envOption('GPUKIT_FEATURE_LEVEL'));
  const wanted = opts.adapter ?? envOption('GPUKIT_ADAPTER');
  const forced = backend !== undefined || level !== undefined || wanted !== undefined;

  const attempts: Attempt[] =
    backend !== undefined || level !== undefined
      ? [{ backend, featureLevel: level ?? 'core' }, ...(level === undefined ? [{ backend, featureLevel: 'compatibility' as const }] : [])]
      : [
          { backend: undefined, featureLevel: 'core' },
          { backend: 'opengles', featureLevel: 'compatibility' },
        ];

  const failures: string[] = [];
  for (const attempt of attempts) {
    const r = await tryAdapter(mod, attempt, opts);
    if ('error' in r) {
      failures.push(r.error);
      continue;
    }
    if (wanted !== undefined && !adapterName(r.adapter).toLowerCase().includes(wanted.toLowerCase())) {
      retireInstance(r.instance);
      failures.push(`${attempt.backend ?? 'default'}/${attempt.featureLevel}: ${adapterName(r.adapter)} does not match '${wanted}'`);
      continue;
    }
    let caps: Record<string, number>;
    try {
      caps = checkLimitCaps(opts.limits, r.adapter.limits as unknown as Record<string, unknown>);
    } catch (e) {
      retireInstance(r.instance);
      throw e;
    }
    const device = await requestDevice(r.adapter);
    const fallbackReason = failures.length > 0 && !forced ? `no core adapter (${failures.join('; ')}); using ${attempt.backend ?? 'default'}/${attempt.featureLevel}` : undefined;
    const info = describe(r.adapter, device, attempt, fallbackReason, caps);
    return { instance: r.instance, adapter: r.adapter, device, info, limits: cappedLimits(device.limits, caps) };
  }
  const available = await listDawnAdapters().catch(() => []);
  const what = forced
    ? `no Dawn adapter matches ${JSON.stringify({ backend, featureLevel: level, adapter: wanted })}`
    : 'no WebGPU adapter found';
  throw new DeviceUnavailableError(`${what} (${failures.join('; ')}).${available.length === 0 ? ` ${HOW_TO_GET_ONE}` : ''}`, available);
}

export const HOW_TO_GET_ONE =
  'On a machine without a GPU install the software adapter (Mesa lavapipe >= 24): `npx gpukit setup` (Debian, Ubuntu; ' +
  '`npm run setup:software-gpu` in the gpukit checkout; elsewhere it says what to install), then `npx gpukit doctor`.';

/**
 * Checks `openDevice({ limits })` against the adapter: each cap a positive integer no larger than the
 * adapter's own limit. Throws ArgumentError naming the option.
 */
export function checkLimitCaps(caps: LimitCaps | undefined, adapterLimits: Readonly<Record<string, unknown>>): Record<string, number> {
  if (caps === undefined) return {};
  const out: Record<string, number> = {};
  for (const key of CAPPABLE_LIMITS) {
    const v = caps[key];
    if (v === undefined) continue;
    const max = adapterLimits[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
      throw new ArgumentError(`openDevice: limits.${key} must be a positive integer number of bytes, got ${String(v)}`);
    }
    // Ops keep small tables (partials, histograms, uniforms' arrays) in one binding each: below 4 KiB a
    // device could not run them at all.
    if (v < MIN_CAP) throw new ArgumentError(`openDevice: limits.${key} must be at least ${MIN_CAP} bytes, got ${v}`);
    if (typeof max === 'number' && v > max) {
      throw new ArgumentError(`openDevice: limits.${key} = ${v} is above the adapter's ${key} = ${max}; a cap may only lower a limit`);
    }
    out[key] = v;
  }
  return out;
}

async function requestDevice(adapter: GPUAdapter): Promise<GPUDevice> {
  const requiredFeatures = OPTIONAL_FEATURES.filter((f) => adapter.features.has(f));
  // Ask for the adapter's own limits: the defaults (e.g. 128 MiB bindings, 256 invocations) are lower than
  // many adapters allow, and ops size their kernels from the device limits.
  const requiredLimits: Record<string, number> = {};
  const limits = adapter.limits as unknown as Record<string, unknown>;
  for (const key in limits) {
    const v = limits[key];
    // Compute needs no dynamic offsets, so the dynamic-offset maxima are not asked for. (The two "artificially
    // reduced" warnings on stderr are not about this request: Dawn prints them itself while it enumerates a
    // Vulkan adapter reporting 1000000, e.g. lavapipe, straight to fd 2 with no toggle or callback to route them.)
    if (typeof v === 'number' && !key.startsWith('maxDynamic')) requiredLimits[key] = v;
  }
  try {
    return await adapter.requestDevice({ requiredFeatures, requiredLimits, label: 'gpukit' });
  } catch {
    // Some adapters report limits they then refuse; fall back to the ones compute kernels care about.
    const core: Record<string, number> = {};
    for (const key of ['maxComputeWorkgroupSizeX', 'maxComputeWorkgroupSizeY', 'maxComputeWorkgroupSizeZ', 'maxComputeInvocationsPerWorkgroup', 'maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupStorageSize', 'maxStorageBuffersPerShaderStage']) {
      const v = requiredLimits[key];
      if (v !== undefined) core[key] = v;
    }
    return await adapter.requestDevice({ requiredFeatures, requiredLimits: core, label: 'gpukit' });
  }
}

/**
 * The limits gpukit works to: the device's, with `openDevice({ limits })` caps applied. WebGPU gives a
 * device at least its default limits whatever it asks for (128 MiB bindings, 256 MiB buffers), so a cap
 * below those cannot be had from Dawn: gpukit enforces the capped values itself (every binding, buffer and
 * op plan reads these).
 */
function cappedLimits(limits: GPUSupportedLimits, caps: Readonly<Record<string, number>>): GPUSupportedLimits {
  if (Object.keys(caps).length === 0) return limits;
  const out: Record<string, number> = {};
  const all = limits as unknown as Record<string, unknown>;
  for (const key in all) {
    const v = all[key];
    if (typeof v === 'number') out[key] = v;
  }
  Object.assign(out, caps);
  // A binding can never be larger than a buffer.
  out['maxStorageBufferBindingSize'] = Math.min(out['maxStorageBufferBindingSize'] ?? Infinity, out['maxBufferSize'] ?? Infinity);
  return Object.freeze(out) as unknown as GPUSupportedLimits;
}

function describe(adapter: GPUAdapter, device: GPUDevice, attempt: Attempt, fallbackReason: string | undefined, caps: Readonly<Record<string, number>> = {}): DeviceInfo {
  const { vendor, architecture, description } = adapter.info;
  const limits: Record<string, number> = {};
  const dl = device.limits as unknown as Record<string, unknown>;
  for (const key in dl) {
    const v = dl[key];
    if (typeof v === 'number') limits[key] = v;
  }
  Object.assign(limits, caps);
  if (limits['maxStorageBufferBindingSize'] !== undefined && limits['maxBufferSize'] !== undefined) limits['maxStorageBufferBindingSize'] = Math.min(limits['maxStorageBufferBindingSize'], limits['maxBufferSize']);
  const isFallbackAdapter = adapter.info.isFallbackAdapter;
  return {
    engine: 'dawn',
    webgpu: 'dawn',
    runtime: currentRuntime(),
    backend: attempt.backend ?? (attempt.featureLevel === 'core' ? defaultBackendName() : 'opengles'),
    vendor,
    architecture,
    description,
    isFallbackAdapter,
    isSoftware: isFallbackAdapter || looksSoftware(vendor, architecture, description) || glWithoutRenderNode(attempt),
    featureLevel: adapterLevel(adapter),
    features: [...device.features].sort(),
    limits,
    ...(fallbackReason !== undefined ? { fallbackReason } : {}),
  };
}

// Dawn's GL backend does not name the renderer; on Linux, GL with no DRM render node can only be llvmpipe.
function glWithoutRenderNode(attempt: Attempt): boolean {
  if (process.platform !== 'linux' || (attempt.backend !== 'opengles' && attempt.backend !== 'opengl')) return false;
  try {
    return !readdirSync('/dev/dri').some((f) => f.startsWith('renderD'));
  } catch {
    return true;
  }
}

function defaultBackendName(): string {
  switch (process.platform) {
    case 'darwin':
      return 'metal';
    case 'win32':
      return 'd3d12';
    default:
      return 'vulkan';
  }
}

/**
 * The symbol under which an adopted `GPUDevice` carries the gpukit device context that adopted it: the mark
 * lives on the device object itself (no module-level registry), and is removed when that context closes.
 */
export const ADOPTED_BY = Symbol.for('gpukit.adoptedBy');

/** The Dawn-only choices `openDevice` refuses next to `device` (the device is made already: there is nothing to choose). */
export const ADOPT_CONFLICTS = ['backend', 'adapter', 'featureLevel', 'powerPreference', 'unsafeDisableRobustness', 'webgpu', 'gpujsMode'] as const;

/**
 * Adopts an outside `GPUDevice` (the `webgpu` package's, TF.js's, the user's own): gpukit works on it without
 * owning it. Its limits and features are the device's own (capped by `limits`, as for a device gpukit opens);
 * the adapter's description comes from `device.adapterInfo`. Refuses an object that is not a GPUDevice, a
 * destroyed or lost one, and a device another open gpukit device has adopted already (ArgumentError).
 */
export async function adoptDevice(device: unknown, opts: DawnAdapterOptions = {}): Promise<DawnHandle> {
  const d = device as Partial<GPUDevice> | null;
  if (typeof d !== 'object' || d === null || typeof d.createBuffer !== 'function' || typeof d.queue !== 'object' || !(d.lost instanceof Promise)) {
    throw new ArgumentError(`openDevice: option 'device' must be a GPUDevice (from the webgpu package, TF.js or adapter.requestDevice()), got ${typeof device === 'object' && device !== null ? describeValue(device) : typeof device}`);
  }
  const gpu = device as GPUDevice & { [ADOPTED_BY]?: unknown };
  if (gpu[ADOPTED_BY] !== undefined) {
    throw new ArgumentError('openDevice: this GPUDevice is already adopted by an open gpukit device; two gpukit devices over one GPUDevice would share its error scopes, so the second is refused — use the first, or close() it before adopting again');
  }
  const lost = await Promise.race([gpu.lost.then(() => true), new Promise<false>((r) => setImmediate(() => { r(false); }))]);
  if (lost) throw new ArgumentError('openDevice: option \'device\' is a GPUDevice that is destroyed or lost; pass a live one');
  await loadWebgpu().catch(() => undefined); // GPUBufferUsage and friends, when the device came from elsewhere
  const caps = checkLimitCaps(opts.limits, gpu.limits as unknown as Record<string, unknown>);
  const ai = (gpu as { adapterInfo?: GPUAdapterInfo }).adapterInfo;
  const vendor = ai?.vendor ?? '';
  const architecture = ai?.architecture ?? '';
  const description = ai?.description ?? '';
  const limits: Record<string, number> = {};
  const dl = gpu.limits as unknown as Record<string, unknown>;
  for (const key in dl) {
    const v = dl[key];
    if (typeof v === 'number') limits[key] = v;
  }
  Object.assign(limits, caps);
  if (limits['maxStorageBufferBindingSize'] !== undefined && limits['maxBufferSize'] !== undefined) limits['maxStorageBufferBindingSize'] = Math.min(limits['maxStorageBufferBindingSize'], limits['maxBufferSize']);
  const isFallbackAdapter = ai?.isFallbackAdapter === true;
  const info: DeviceInfo = {
    engine: 'dawn',
    webgpu: 'dawn',
    runtime: currentRuntime(),
    backend: defaultBackendName(),
    vendor,
    architecture,
    description,
    isFallbackAdapter,
    isSoftware: isFallbackAdapter || looksSoftware(vendor, architecture, description),
    featureLevel: gpu.features.has('core-features-and-limits') ? 'core' : 'compatibility',
    features: [...gpu.features].sort(),
    limits,
    adopted: true,
  };
  return { instance: null, adopted: true, device: gpu, adapter: null, info, limits: cappedLimits(gpu.limits, caps) };
}
