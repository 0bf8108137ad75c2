/**
 * Downloads at the raw path's speed, side by side in one run: `x.toArray()` (a new typed array),
 * `x.toArray(out)` (into the caller's array) and a raw Dawn readback of the same buffer — one
 * copyBufferToBuffer into a MAP_READ buffer made once, mapAsync, getMappedRange and one copy into a new
 * typed array. Interleaved rep by rep; medians of wall time. The goal: toArray within 1.1× of raw.
 * `toArray, 4 buffers` reads the same data stored as an array over four GPU buffers (a second device opened
 * with `limits: { maxBufferSize: size / 4 }`), segment by segment into one host array.
 *
 *   npx tsx bench/readback.ts [--mib 64] [--reps 30]
 */
import { cpus } from 'node:os';
import { openDevice } from '../src/index.js';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(name);
  return i < 0 ? dflt : Number(process.argv[i + 1]) || dflt;
};
const mib = arg('--mib', 64);
const reps = arg('--reps', 30);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? NaN;

await using device = await openDevice({ engine: 'dawn' });
console.log(`adapter: ${device.info.description}${device.info.isSoftware ? ' (software, CPU-emulated)' : ''}; cpu: ${cpus()[0]?.model ?? '?'}`);
const n = (mib << 20) / 4;
const host = new Float32Array(n);
for (let i = 0; i < n; i++) host[i] = i;
using x = device.array(host);
const gpu = device.gpu;
const size = n * 4;
const readback = gpu.createBuffer({ label: 'bench raw readback', size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });

const raw = async (): Promise<Float32Array> => {
  const enc = gpu.createCommandEncoder();
  enc.copyBufferToBuffer(x.buffer, 0, readback, 0, size);
  gpu.queue.submit([enc.finish()]);
  await readback.mapAsync(GPUMapMode.READ, 0, size);
  const out = new Float32Array(readback.getMappedRange(0, size).slice(0));
  readback.unmap();
  return out;
};
const into = new Float32Array(n);
await using small = await openDevice({ engine: 'dawn', limits: { maxBufferSize: size / 4 } });
using multi = small.array(host);
const runs = { toArray: () => x.toArray(), 'toArray(out)': () => x.toArray(into), 'toArray, 4 buffers': () => multi.toArray(), raw };
const times: Record<string, number[]> = Object.fromEntries(Object.keys(runs).map((k) => [k, []]));
for (let r = -3; r < reps; r++) {
  // The order rotates every rep: whichever runs first pays for collecting the others' garbage.
  const order = Object.entries(runs);
  for (let k = 0; k < order.length; k++) {
    const entry = order[(k + r + 3) % order.length];
    if (entry === undefined) continue;
    const [name, run] = entry;
    const t0 = performance.now();
    const got = await run();
    const ms = performance.now() - t0;
    if (got[n - 1] !== n - 1 || got[12345] !== 12345) throw new Error(`${name} read back wrong data`);
    if (r >= 0) times[name]?.push(ms);
  }
}
readback.destroy();
const rawMs = median(times['raw'] ?? []);
for (const [name, t] of Object.entries(times)) {
  const m = median(t);
  console.log(`${name.padEnd(19)} ${m.toFixed(2)} ms  ${((size / (m * 1e6))).toFixed(2)} GB/s  ${(m / rawMs).toFixed(2)}× raw`);
}
console.log(`${mib} MiB, ${reps} interleaved reps, medians`);
