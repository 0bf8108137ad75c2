/**
 * Child for the `ulimit -v` tests (the parent runs it as `bash -c 'ulimit -v N; exec node …'`). Prints one
 * JSON line per step.
 *   probe: the process's VmSize before it does anything (the parent sets N from it: tsx alone reserves
 *     tens of GiB of address space for WebAssembly).
 *   budget: opens Dawn, then (1) an array of twice the default budget — made and written, it used to fail
 *     silently and crash the process at the write; (2) an array within the budget: written, summed, read;
 *     (3) an array whose readback needs more host memory than is left: the readback is refused, typed.
 *   open: only opens Dawn (the parent leaves too little address space for it).
 */
import { readFileSync } from 'node:fs';
import { DeviceUnavailableError, OutOfMemoryError, openDevice, sum } from '../../src/index.js';

const vmSize = (): number => Number(/^VmSize:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]) * 1024;
const say = (o: Record<string, unknown>): void => {
  console.log(JSON.stringify(o));
};
const kind = (e: unknown): string => (e instanceof OutOfMemoryError ? 'OutOfMemoryError' : e instanceof DeviceUnavailableError ? 'DeviceUnavailableError' : String(e));

const scenario = process.argv[2];
if (scenario === 'probe') {
  say({ vmSize: vmSize() });
} else if (scenario === 'open') {
  try {
    const d = await openDevice({ engine: 'dawn' });
    say({ open: 'opened' });
    await d.close();
  } catch (e) {
    say({ open: kind(e), message: (e as Error).message });
  }
} else {
  const device = await openDevice({ engine: 'dawn' });
  const budget = device.memory.memoryBudgetBytes ?? 0;
  const limit = Number(/^Max address space\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1]);
  say({ budget, basis: device.memory.memoryBudgetBasis, roomAtOpen: limit - vmSize() });
  // (1) Twice the budget, in f32 elements (a segmented array when over maxBufferSize).
  const n1 = Math.ceil((2 * budget) / 4);
  try {
    const a = device.empty(n1);
    a.slice([0, 4]).write(new Float32Array([1, 2, 3, 4]));
    say({ over: 'made', sum: await sum(a.slice([0, 4])).item() });
  } catch (e) {
    say({ over: kind(e), inUse: device.memory.inUseBytes });
  }
  // (2) A quarter of the budget: works, and reads back right.
  const n2 = Math.floor(budget / 16);
  {
    using b = device.empty(n2);
    using w = b.slice([0, 3]);
    w.write(new Float32Array([1.5, -2, 4]));
    using s = sum(b);
    say({ within: await s.item(), head: Array.from(await w.toArray()) });
  }
  // (3) Half the budget on the device: reading it back needs as much again on the host, plus staging.
  const n3 = Math.floor(budget / 8);
  using c = device.empty(n3);
  try {
    await c.toArray();
    say({ readback: 'read', room: limit - vmSize() });
  } catch (e) {
    say({ readback: kind(e), message: (e as Error).message });
  }
  await device.close();
}
