/**
 * Child process of builder-cache.test.ts: builds many distinct map() expressions on one device and prints
 * one JSON line with the builder cache's size and the RSS before and after (measured after full GCs, so
 * what is left is what the caches hold, not garbage waiting for a collection).
 */
import { map, openDevice, setBuilderCacheSize } from '../../src/index.js';
import { builderCache } from '../../src/backends/dawn/builder-cache.js';

const CAPACITY = Number(process.argv[2] ?? 16);
const EXPRESSIONS = Number(process.argv[3] ?? 300);

async function settle(): Promise<number> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run with --expose-gc');
  // Dawn frees an object whose JS wrapper was collected at its next tick: collect, then let it tick.
  for (let k = 0; k < 3; k++) {
    gc();
    await new Promise((r) => setTimeout(r, 50));
    (await x.toArray()).fill(0);
    await device.sync();
    await new Promise((r) => setTimeout(r, 50));
  }
  return process.memoryUsage().rss;
}

setBuilderCacheSize(CAPACITY);
const device = await openDevice({ engine: 'dawn' });
const x = device.array(new Float32Array([1, 2, 3, 4, 5, 6, 7, 8, 9]));
let wrong = 0;
const run = async (k: number): Promise<void> => {
  using y = map(x, `x * ${k}.0 + 1.0 // expression ${k}`);
  // Reading back every few expressions keeps the queue short without waiting on each one.
  if (k % 8 === 0) {
    const got = await y.toArray();
    if (got[8] !== 9 * k + 1) wrong++;
  }
};
// Warm up past the capacity, so the baseline already holds a full cache and the allocator's pools.
for (let k = 0; k < Math.min(2 * CAPACITY, 64); k++) await run(k);
await device.sync();
await new Promise((r) => setTimeout(r, 1000));
const rss0 = await settle();
const heap0 = process.memoryUsage().heapUsed;
const t0 = performance.now();
for (let k = 1000; k < 1000 + EXPRESSIONS; k++) await run(k);
await device.sync();
const seconds = (performance.now() - t0) / 1000;
// Background compiles (map proves its vec4 variant) finish after the readbacks: let them land.
await new Promise((r) => setTimeout(r, 1000));
const rss1 = await settle();
const heap1 = process.memoryUsage().heapUsed;
const cache = builderCache(device.ctx);
const size = cache.size;
// device.elementwise() builders share the cache: 100 more, each called once, leave it at its capacity.
for (let k = 0; k < 100; k++) {
  const f = await device.elementwise({ name: `times_${k}`, args: 'x: T[], y: T[]', body: `y = x * ${k}.0` });
  using y = f({ x }) as typeof x;
  if (k % 25 === 0 && (await y.toArray())[8] !== 9 * k) wrong++;
}
const sizeAfterBuilders = cache.size;
x.destroy();
await device.close();
const sizeAfterClose = cache.size;
console.log(JSON.stringify({ capacity: CAPACITY, expressions: EXPRESSIONS, size, sizeAfterBuilders, sizeAfterClose, wrong, rss0, rss1, heap0, heap1, seconds }));
