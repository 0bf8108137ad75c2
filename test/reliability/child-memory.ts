/**
 * Child process for memory checks that need a fresh process (RSS is per process). Prints one JSON line.
 *   cycles N : opens and closes N Dawn devices (each uploads, reads back, closes).
 *   huge BYTES : uploads and downloads one u32 array of BYTES bytes and compares it.
 */
import { openDevice } from '../../src/index.js';

const [scenario, arg] = process.argv.slice(2);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');

async function cycle(): Promise<void> {
  const d = await openDevice({ engine: 'dawn' });
  const x = d.array(new Float32Array([1, 2, 3]));
  await x.toArray();
  x.destroy();
  await d.close();
}

if (scenario === 'cycles') {
  const n = Number(arg);
  for (let i = 0; i < 20; i++) await cycle(); // warm up: Dawn's and the allocator's own pools
  gc();
  const rss0 = process.memoryUsage().rss;
  const heap0 = process.memoryUsage().heapUsed;
  for (let i = 0; i < n; i++) await cycle();
  gc();
  await new Promise((r) => setTimeout(r, 20));
  gc();
  console.log(JSON.stringify({ cycles: n, rss0, rss1: process.memoryUsage().rss, heap0, heap1: process.memoryUsage().heapUsed }));
} else if (scenario === 'huge') {
  const bytes = Number(arg);
  const n = bytes / 4;
  const d = await openDevice({ engine: 'dawn' });
  const h = new Uint32Array(n);
  for (let i = 0; i < n; i++) h[i] = (i * 2654435761) >>> 0;
  const a = d.array(h);
  const back = await a.toArray();
  let bad = -1;
  for (let i = 0; i < n; i++) {
    if (back[i] !== h[i]) {
      bad = i;
      break;
    }
  }
  a.destroy();
  await d.close();
  console.log(JSON.stringify({ bytes, firstMismatch: bad, length: back.length }));
} else throw new Error(`unknown scenario ${String(scenario)}`);
