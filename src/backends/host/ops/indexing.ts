/**
 * take and the scatters on the host engine: CPU loops on the device's queue, which check every index
 * before they write anything (an out-of-range one fails the op with an ArgumentError).
 */
import { DeviceArray } from '../../../buffers/device-array.js';
import type { HostContext } from '../context.js';
import { resolveIndices } from '../../../reference/indexing.js';
import type { ScatterCall, TakeCall } from '../../../ops/indexing.js';

export function hostTake(host: HostContext, { x, indices, g, what, shape: outShape }: TakeCall): DeviceArray {
  host.assertUsable();
  const out = new DeviceArray(host, x.dtype, outShape);
  const X = x.data;
  const I = indices.data;
  const O = out.data;
  host.enqueue(() => {
    const ks = resolveIndices('take', what, I, g.n, true);
    let o = 0;
    for (let a = 0; a < g.outer; a++) {
      for (let j = 0; j < g.m; j++) {
        const base = (a * g.n + (ks[j] ?? 0)) * g.inner;
        for (let b = 0; b < g.inner; b++) O[o++] = X[base + b] ?? 0;
      }
    }
  });
  return out;
}

/** target[a, idx[j], b] ⊕= values[a, j, b] in place (a fresh target: filled with the call's init first). */
export function hostScatter(host: HostContext, { plan, target, init, indices, values, g, shape, dtype }: ScatterCall): DeviceArray {
  host.assertUsable();
  const t = target ?? new DeviceArray(host, dtype, shape);
  const T = t.data;
  const I = indices.data;
  // No values (bincount without weights): ones.
  const V = values?.data;
  const fill = target === null && init !== 0;
  host.enqueue(() => {
    if (fill) T.fill(init);
    const ks = resolveIndices(plan.op, plan.what, I, g.n, plan.wrap);
    let o = 0;
    for (let a = 0; a < g.outer; a++) {
      for (let j = 0; j < g.m; j++) {
        const base = (a * g.n + (ks[j] ?? 0)) * g.inner;
        for (let b = 0; b < g.inner; b++, o++) {
          const v = V === undefined ? 1 : (V[o] ?? 0);
          const at = base + b;
          const old = T[at] ?? 0;
          // Typed-array stores round to f32 / wrap to 32 bits, as the kernel's atomics do.
          if (plan.combine === 'add') T[at] = old + v;
          else if (!Number.isNaN(old) && (Number.isNaN(v) || v > old)) T[at] = v;
        }
      }
    }
  });
  return t;
}
