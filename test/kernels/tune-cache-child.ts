// Child of tune-cache.test.ts: for each tuning-cache content given as JSON on argv, opens a fresh device
// whose cache file holds that content and runs sum, add, sort and random twice each. Prints one JSON line:
// what each op returned, so the parent checks the values against its own references.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { add, openDevice, random, sort, sum } from '../../src/index.js';
import { tuneCachePath } from '../../src/backends/dawn/tuning.js';

const contents = JSON.parse(process.argv[2] ?? '[]') as string[];
const out: { dir: string; sum: number[]; add: number[]; sorted: number[]; uniform: number[] }[] = [];
for (const text of contents) {
  const dir = mkdtempSync(join(tmpdir(), 'gpukit-badcache-'));
  process.env['GPUKIT_CACHE_DIR'] = dir;
  const device = await openDevice({ engine: 'dawn' });
  writeFileSync(tuneCachePath(device.info), text);
  const x = device.array(Float32Array.from({ length: 1000 }, (_, i) => i));
  const k = device.array(Uint32Array.from({ length: 300 }, (_, i) => (i * 7919) % 300));
  const r = { dir, sum: [] as number[], add: [] as number[], sorted: [] as number[], uniform: [] as number[] };
  for (let rep = 0; rep < 2; rep++) {
    r.sum.push(...(await sum(x).toArray()));
    r.add = [...(await add(x, x).toArray())];
    r.sorted = [...(await sort(k).toArray())];
    r.uniform = [...(await random.uniform(device, 64, { seed: 5 }).toArray())];
  }
  out.push(r);
  await device.close();
}
console.log(JSON.stringify(out));
