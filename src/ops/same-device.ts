/**
 * The engine-neutral device check of an op's manifest: every array on one backend (one device) and none
 * destroyed, with the messages both engines gave before (src/ops/util.ts's deviceOf on Dawn,
 * src/backends/host/host-of.ts on gpujs).
 */
import type { Backend } from '../backends/backend.js';
import type { DeviceArray } from '../buffers/device-array.js';
import { ArgumentError, DestroyedError } from '../errors.js';

/** The backend all of `arrays` run on; refuses arrays of different devices and destroyed ones. */
export function backendOf(op: string, first: DeviceArray, ...others: readonly DeviceArray[]): Backend {
  for (const a of [first, ...others]) {
    if (a.backend !== first.backend) throw new ArgumentError(`${op}: arrays belong to different devices${a.engine !== first.engine ? ` (engines ${first.engine} and ${a.engine})` : ''}`);
    if (a.destroyed) throw new DestroyedError(`${op}: this ${a.dtype} array of length ${a.length} was destroyed`);
  }
  return first.backend;
}
