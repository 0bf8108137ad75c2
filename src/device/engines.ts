/**
 * What each engine can do, as data: code outside the backends that must choose (the bench's contender list,
 * placement's model, a fleet queue's name) asks an engine's traits, never its name.
 */
import type { EngineName } from './info.js';

/** What an engine can do. */
export interface EngineTraits {
  /**
   * It runs gpukit's WGSL kernels through WebGPU (Dawn): `device.kernel()`, the bench's `gpu-*` contenders and
   * calibration kernels, GPU timestamps. An engine without it computes with gpu.js or on the host CPU.
   */
  readonly runsWgsl: boolean;
}

const TRAITS: Readonly<Record<EngineName, EngineTraits>> = {
  dawn: { runsWgsl: true },
  gpujs: { runsWgsl: false },
};

/**
 * The traits of an engine, by its name (`device.info.engine`, or a saved report's `adapter.engine`). A name this
 * version does not know (or none, as in reports written before engines had names) reads as `dawn`'s.
 *
 * @example
 * ```ts
 * if (!engineTraits(device.info.engine).runsWgsl) console.log('no raw WGSL on this device: use device.jsKernel()');
 * ```
 */
export function engineTraits(engine: string | undefined): EngineTraits {
  return (engine !== undefined && Object.hasOwn(TRAITS, engine) ? TRAITS[engine as EngineName] : undefined) ?? TRAITS.dawn;
}
