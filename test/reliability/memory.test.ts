import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';

const run = promisify(execFile);

async function child(...args: string[]): Promise<Record<string, number>> {
  const script = fileURLToPath(new URL('./child-memory.ts', import.meta.url));
  const { stdout } = await run(process.execPath, ['--expose-gc', '--import', 'tsx', script, ...args], { timeout: 170_000, maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as Record<string, number>;
}

test('300 device open/close cycles keep memory flat', { timeout: 180_000 }, async () => {
  // Each cycle used to keep its Dawn instance (~2.2 MiB each: 100 cycles grew RSS by 224 MiB here).
  // Devices now share one instance per flag set: 300 cycles grew RSS by ~30 MiB (Dawn's and malloc's own
  // caches), so the bound below is loose enough for a loaded machine and far below the old growth.
  const r = await child('cycles', '300');
  const rss = ((r['rss1'] ?? 0) - (r['rss0'] ?? 0)) / 2 ** 20;
  const heap = ((r['heap1'] ?? 0) - (r['heap0'] ?? 0)) / 2 ** 20;
  console.log(`300 open/close cycles: RSS +${rss.toFixed(1)} MiB, JS heap +${heap.toFixed(2)} MiB`);
  expect(heap).toBeLessThan(8);
  expect(rss).toBeLessThan(96);
});
