/** random on the host engine: the CPU references (the same Philox4x32-10 stream, bit-identical). */
import { DeviceArray } from '../../../buffers/device-array.js';
import type { HostContext } from '../context.js';
import type { RandomCall } from '../../../ops/random.js';
import { normalCpu, randomU32Cpu, uniformCpu } from '../../../reference/random.js';

export function hostRandom(host: HostContext, { n, dist, seed, offset, shape }: RandomCall): DeviceArray {
  host.assertUsable();
  const out = new DeviceArray(host, dist === 'u32' ? 'u32' : 'f32', shape); // element i in C order is stream element offset + i
  const O = out.data;
  if (n > 0) host.enqueue(() => {
    O.set(dist === 'u32' ? randomU32Cpu(n, seed, offset) : dist === 'uniform' ? uniformCpu(n, seed, offset) : normalCpu(n, seed, offset));
  });
  return out;
}
