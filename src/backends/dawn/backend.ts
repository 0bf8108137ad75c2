import type { Backend } from '../backend.js';
import type { OpManifest } from '../../ops/manifest.js';
import type { DeviceContext } from './context.js';

/** The Dawn backend: ops run their WGSL implementation on the context's batch. */
export class DawnBackend implements Backend {
  readonly engine = 'dawn' as const;
  readonly #ctx: DeviceContext;

  constructor(ctx: DeviceContext) {
    this.#ctx = ctx;
  }

  run<C extends object, R>(op: OpManifest<never[], C, R>, call: C): R {
    return op.dawn(this.#ctx, call);
  }
}
