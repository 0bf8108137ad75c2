import { describeValue } from '../args.js';
import { ArgumentError } from '../errors.js';
import type { RuntimeInfo } from './runtime.js';
/** Which engine runs the kernels: Dawn (WGSL through the `webgpu` package) or the gpu.js fallback. */
export type EngineName = 'dawn' | 'gpujs';
/** WebGPU feature level of the device: full WebGPU (`core`) or the reduced `compatibility` level (GLES). */
export type FeatureLevel = 'core' | 'compatibility';
/**
 * The WebGPU implementation under the dawn engine: `dawn` (Google's, through the `webgpu` npm package, a
 * Node-API addon that Node, Bun and Deno all load) or `wgpu` (Mozilla's, built into Deno as `navigator.gpu`:
 * 2.9.6 has it by default, older Deno under `--unstable-webgpu`). The engine, the ops and the WGSL are the same on both.
 */
export type WebgpuImplementation = 'dawn' | 'wgpu';
/** Dawn backend names (what `GPUKIT_BACKEND` / `backend` accept). */
export type BackendName = 'vulkan' | 'opengles' | 'opengl' | 'metal' | 'd3d12' | 'd3d11' | 'null';

/** What a device runs on. Everything `gpukit info` prints comes from here. */
export interface DeviceInfo {
  readonly engine: EngineName;
  /**
   * The WebGPU implementation under the dawn engine (see {@link WebgpuImplementation}); absent on gpujs
   * (and in infos saved before gpukit named it, which all ran on Dawn).
   */
  readonly webgpu?: WebgpuImplementation;
  /** The JavaScript runtime that opened the device: `{ name: 'deno', version: '2.9.6' }` (absent in older saved infos). */
  readonly runtime?: RuntimeInfo;
  /** Dawn backend (`vulkan`, `opengles`...) or, on gpu.js, its mode (`webgpu`, `webasm`, `cpu`). */
  readonly backend: string;
  readonly vendor: string;
  readonly architecture: string;
  readonly description: string;
  /**
   * True for a software adapter that emulates a GPU on the CPU (lavapipe/llvmpipe, SwiftShader, WARP):
   * its timings describe that emulation, not GPU hardware.
   */
  readonly isSoftware: boolean;
  /** The adapter's own `isFallbackAdapter` flag. */
  readonly isFallbackAdapter: boolean;
  readonly featureLevel: FeatureLevel;
  readonly features: readonly string[];
  readonly limits: Readonly<Record<string, number>>;
  /**
   * True for an outside `GPUDevice` gpukit adopted (`openDevice({ device })`): `close()` leaves it alive, and
   * `backend` is the platform's default Dawn backend (a device does not say which backend made it).
   */
  readonly adopted?: boolean;
  /** Set when gpukit did not get its first choice (core Dawn adapter) and why. */
  readonly fallbackReason?: string;
}

const SOFTWARE = /llvmpipe|lavapipe|swiftshader|softpipe|warp|microsoft basic render|software/i;

export function looksSoftware(...names: readonly string[]): boolean {
  return names.some((n) => SOFTWARE.test(n));
}

/** One line naming an adapter, and a label for timings made on it. */
export function describeAdapter(info: DeviceInfo): string {
  const i = info as unknown; // checked at run time: plain-JS callers can pass anything, and a wrong object would print 'undefined'
  const bad = typeof i !== 'object' || i === null ? 'an object' : (['vendor', 'architecture', 'description', 'engine', 'backend', 'featureLevel'] as const).find((k) => typeof (i as Record<string, unknown>)[k] !== 'string') ?? (typeof (i as DeviceInfo).isSoftware === 'boolean' ? undefined : 'isSoftware');
  if (bad !== undefined) throw new ArgumentError(`describeAdapter: info must be a DeviceInfo (device.info)${bad === 'an object' ? '' : `; its '${bad}' is ${describeValue((i as Record<string, unknown>)[bad])}`}, got ${describeValue(i)}`);
  const kind = info.isSoftware ? 'software adapter, CPU-emulated' : 'hardware adapter';
  const name = [info.vendor, info.architecture, info.description].filter((s) => s !== '').join(' / ');
  const engine = info.webgpu !== undefined && info.webgpu !== info.engine ? `${info.engine}[${info.webgpu}]` : info.engine;
  return `${name} (${engine}/${info.backend}, ${info.featureLevel}, ${kind})`;
}
