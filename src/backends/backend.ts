/**
 * The one boundary between gpukit's engine-neutral layers (arrays, ops) and its engines. Each engine is a
 * backend: `src/backends/dawn/` (WGSL on WebGPU through Dawn) and `src/backends/host/` (gpu.js kernels and
 * CPU loops over host memory). An array holds its backend; an op asks it to run the op's manifest
 * ({@link Backend.run}), and the backend picks its own implementation. Nothing outside `src/backends/` asks
 * which engine it is on.
 */
import type { EngineName } from '../device/info.js';
import type { OpManifest } from '../ops/manifest.js';

export interface Backend {
  /** Which engine this is: for messages and reports, never for branching outside the backends. */
  readonly engine: EngineName;
  /**
   * Runs one op whose arguments `op.check` has validated: this engine's implementation of it (the
   * manifest's `dawn` or `host` field), inside whatever unit of work the engine keeps per op (the host
   * backend's ordered queue, which marks the outputs of a failed op failed).
   */
  run<C extends object, R>(op: OpManifest<never[], C, R>, call: C): R;
}
