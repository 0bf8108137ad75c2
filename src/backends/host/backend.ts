import type { Backend } from '../backend.js';
import type { OpManifest } from '../../ops/manifest.js';
import type { DeviceArray } from '../../buffers/device-array.js';
import type { HostContext } from './context.js';

/** A gpujs array (checked by shape, not by class: this module loads before the array class does). */
function isHostArray(v: unknown): v is DeviceArray {
  return typeof v === 'object' && v !== null && (v as { engine?: unknown }).engine === 'gpujs' && typeof (v as { destroyed?: unknown }).destroyed === 'boolean';
}

/** The host memory blocks of the arrays in `v`: an array, or arrays inside a list or a plain record. */
export function hostBlocksOf(v: unknown, depth = 0): ArrayBuffer[] {
  if (isHostArray(v)) return v.destroyed ? [] : [v.storageBlock];
  if (depth > 1 || typeof v !== 'object' || v === null) return [];
  const items: unknown[] = Array.isArray(v) ? v : Object.values(v);
  return items.flatMap((x) => hostBlocksOf(x, depth + 1));
}

/**
 * The host backend: an op runs its host implementation (gpu.js kernels or CPU loops) as one unit on the
 * device's ordered queue ({@link HostContext.op}): if it fails, or it read an array a failed op left
 * undefined, the arrays it returns are marked failed with that error. The host implementations read plain
 * host memory, so views among the call's arrays are gathered into plain arrays first, on the same queue.
 */
export class HostBackend implements Backend {
  readonly engine = 'gpujs' as const;
  readonly #ctx: HostContext;

  constructor(ctx: HostContext) {
    this.#ctx = ctx;
  }

  run<C extends object, R>(op: OpManifest<never[], C, R>, call: C): R {
    const temps: DeviceArray[] = [];
    const plain = (v: unknown): unknown => {
      if (!isHostArray(v) || v.destroyed || v.isPlain) return v;
      const c = v.contiguous();
      temps.push(c);
      return c;
    };
    const gathered = Object.fromEntries(Object.entries(call).map(([k, v]) => [k, Array.isArray(v) ? v.map(plain) : plain(v)])) as C;
    try {
      return this.#ctx.op(op.name, hostBlocksOf(call), () => op.host(this.#ctx, gathered), (r) => hostBlocksOf(r));
    } finally {
      for (const t of temps) t.destroy();
    }
  }
}
