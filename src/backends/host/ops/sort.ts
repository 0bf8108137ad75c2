/** sort and sortPairs on the host engine: the CPU references, with every NaN returned as the quiet NaN, as on Dawn. */
import { DeviceArray } from '../../../buffers/device-array.js';
import type { HostContext } from '../context.js';
import type { SortCall, SortPairsCall } from '../../../ops/sort.js';
import { sortCpu, sortPairsCpu } from '../../../reference/sort.js';

type Keys = Float32Array | Int32Array | Uint32Array;

/** sortCpu keeps NaN payloads; the ops return every NaN as the quiet NaN 0x7FFFFFFF, as on Dawn. */
function canonicalNaN(keys: Keys): Keys {
  if (!(keys instanceof Float32Array)) return keys;
  const bits = new Uint32Array(keys.buffer, keys.byteOffset, keys.length);
  for (let i = 0; i < keys.length; i++) if (Number.isNaN(keys[i])) bits[i] = 0x7fffffff;
  return keys;
}

function bitsOf(a: Keys): Uint32Array {
  return new Uint32Array(a.buffer, a.byteOffset, a.length);
}

export function hostSort(host: HostContext, { keys }: SortCall): DeviceArray {
  host.assertUsable();
  const out = new DeviceArray(host, keys.dtype, keys.length);
  const K = keys.data;
  const O = out.data;
  if (keys.length > 0) host.enqueue(() => {
    new Uint32Array(O.buffer, O.byteOffset, O.length).set(bitsOf(canonicalNaN(sortCpu(K))));
  });
  return out;
}

export function hostSortPairs(host: HostContext, { keys, values }: SortPairsCall): { keys: DeviceArray; values: DeviceArray<'u32'> } {
  host.assertUsable();
  const outK = new DeviceArray(host, keys.dtype, keys.length);
  const outV = new DeviceArray(host, 'u32', keys.length);
  const K = keys.data;
  const V = values.data;
  const OK = outK.data;
  const OV = outV.data;
  if (keys.length > 0) {
    host.enqueue(() => {
      const r = sortPairsCpu(K, V);
      new Uint32Array(OK.buffer, OK.byteOffset, OK.length).set(bitsOf(canonicalNaN(r.keys)));
      OV.set(r.values);
    });
  }
  return { keys: outK, values: outV };
}
