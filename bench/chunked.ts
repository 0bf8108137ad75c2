/**
 * What splitting work over several bindings costs, side by side in one run: the same ops on the same 2^22
 * f32 values on a device with the adapter's limits (one binding) and on one opened with
 * `limits: { maxStorageBufferBindingSize: 4 MiB, maxBufferSize: 16 MiB }` (four chunks, one buffer each).
 * Interleaved rep by rep; medians of wall time from enqueue to `sync()`.
 *
 *   npx tsx bench/chunked.ts [--reps 9]
 */
import { cpus } from 'node:os';
import { add, openDevice, scan, sort, sum, type DeviceArray, type GpuDevice } from '../src/index.js';

const reps = Number(process.argv[process.argv.indexOf('--reps') + 1] ?? 9) || 9;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? NaN;
const n = 2 ** 22;
const data = Float32Array.from({ length: n }, (_, i) => ((Math.imul(i, 2654435761) >>> 0) % 100000) / 7);

await using whole = await openDevice({ engine: 'dawn' });
await using split = await openDevice({ engine: 'dawn', limits: { maxStorageBufferBindingSize: 4 << 20, maxBufferSize: 16 << 20 } });
console.log(`adapter: ${whole.info.description}${whole.info.isSoftware ? ' (software, CPU-emulated)' : ''}; cpu: ${cpus()[0]?.model ?? '?'}`);
const ops: [string, (x: DeviceArray) => DeviceArray][] = [
  ['add', (x) => add(x, x)],
  ['sum', (x) => sum(x)],
  ['scan', (x) => scan(x)],
  ['sort', (x) => sort(x)],
];
for (const [name, op] of ops) {
  const round = async (d: GpuDevice, x: DeviceArray): Promise<number> => {
    await d.sync();
    const t0 = performance.now();
    const y = op(x);
    await d.sync();
    const t = performance.now() - t0;
    y.destroy();
    return t;
  };
  using xw = whole.array(data);
  using xs = split.array(data);
  await round(whole, xw); // warm up: pipelines
  await round(split, xs);
  const a: number[] = [];
  const b: number[] = [];
  for (let r = 0; r < reps; r++) {
    a.push(await round(whole, xw));
    b.push(await round(split, xs));
  }
  console.log(`${name.padEnd(5)} f32 2^22: one binding ${median(a).toFixed(1).padStart(7)} ms   4 chunks ${median(b).toFixed(1).padStart(7)} ms   ratio ${(median(b) / median(a)).toFixed(2)}×`);
}
