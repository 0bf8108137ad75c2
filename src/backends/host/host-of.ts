import { DeviceArray } from '../../buffers/device-array.js';
import type { HostContext } from './context.js';
import { ArgumentError, DestroyedError } from '../../errors.js';

/** The gpujs device every array belongs to; refuses arrays of other devices or engines. */
export function hostOf(op: string, ...arrays: readonly DeviceArray[]): HostContext {
  const first = arrays[0];
  if (first === undefined) throw new ArgumentError(`${op}: needs at least one array`);
  for (const a of arrays) {
    if (!((a as unknown) instanceof DeviceArray)) throw new ArgumentError(`${op}: expected a DeviceArray, got ${typeof a}`);
    if (a.host === null || a.host !== first.host) throw new ArgumentError(`${op}: arrays belong to different devices${a.engine !== first.engine ? ` (engines ${first.engine} and ${a.engine})` : ''}`);
    if (a.destroyed) throw new DestroyedError(`${op}: this ${a.dtype} array of length ${a.length} was destroyed`);
  }
  const host = first.host;
  if (host === null) throw new ArgumentError(`${op}: not a gpujs array`);
  host.assertUsable();
  return host;
}

