/**
 * What clearing reused pool memory costs, side by side in one run: the output of `scale(x, 2, out)` is a
 * pooled array that held data before — cleared first (`device.empty(n)`, the default) or not
 * (`device.empty(n, { uninitialized: true })`) — then `sum` and `item()` read the result back. Interleaved
 * rep by rep; medians of wall time per round.
 *
 *   npx tsx bench/clear-cost.ts [--reps 40]
 */
import { cpus } from 'node:os';
import { openDevice, scale, sum } from '../src/index.js';

const reps = Number(process.argv[process.argv.indexOf('--reps') + 1] ?? 40) || 40;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? NaN;

await using device = await openDevice({ engine: 'dawn' });
console.log(`adapter: ${device.info.description}${device.info.isSoftware ? ' (software, CPU-emulated)' : ''}; cpu: ${cpus()[0]?.model ?? '?'}`);
for (const n of [1 << 18, 1 << 22]) {
  using x = device.array(new Float32Array(n).fill(1));
  const round = async (uninitialized: boolean): Promise<number> => {
    const t0 = performance.now();
    using out = uninitialized ? device.empty(n, { uninitialized: true }) : device.empty(n);
    scale(x, 2, { out });
    using s = sum(out);
    await s.item();
    return performance.now() - t0;
  };
  for (let i = 0; i < 5; i++) await round(i % 2 === 0); // warm up: pipelines, and dirty pooled buffers to reuse
  const cleared: number[] = [];
  const raw: number[] = [];
  for (let r = 0; r < reps; r++) {
    cleared.push(await round(false));
    raw.push(await round(true));
  }
  const c = median(cleared);
  const u = median(raw);
  console.log(`n = 2^${Math.log2(n)}: cleared ${c.toFixed(3)} ms, uninitialized ${u.toFixed(3)} ms per scale + sum + item (cleared / uninitialized ${(c / u).toFixed(2)}×)`);
}
