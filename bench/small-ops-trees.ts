/**
 * "100 small ops + readback not slower than today", measured precisely: the old tree and this one loaded in
 * ONE process (each its own Dawn device), the same chain run on each in turn, rep by rep, 60 reps after a
 * warm-up — the process-to-process noise of bench/trees.ts (±10 % on this 2-core VM) cancels out.
 *
 *   npx tsx bench/small-ops-trees.ts --old <dir of the old checkout>
 *
 * Prints the median time of each chain on each tree and new/old (below 1.05 is "not slower").
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as current from '../src/index.js';

type Lib = typeof current;

const at = process.argv.indexOf('--old');
const oldDir = at >= 0 ? process.argv[at + 1] : undefined;
if (oldDir === undefined) {
  console.error('usage: npx tsx bench/small-ops-trees.ts --old <dir>');
  process.exit(2);
}
const previous = (await import(pathToFileURL(resolve(oldDir, 'src/index.ts')).href)) as Lib;

const WGSL = `struct P { n: u32, a: f32 }
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> params: P;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) g: vec3u) {
  if (g.x < params.n) { y[g.x] = params.a * x[g.x] + y[g.x]; }
}`;
const n = 1024;

async function setup(lib: Lib) {
  const device = await lib.openDevice({ engine: 'dawn' });
  const k = await device.kernel(WGSL);
  const x = device.array(Float32Array.from({ length: n }, (_, i) => i / n));
  const y = device.zeros(n);
  return { lib, device, k, x, y };
}
type Side = Awaited<ReturnType<typeof setup>>;

/** 100 raw kernel runs, one readback (bench/targets.ts's chain). */
async function kernels(s: Side): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < 100; i++) s.k.run({ x: s.x, y: s.y, params: { n, a: 0.5 } }, { invocations: n });
  await s.y.toArray();
  return performance.now() - t0;
}

/** 100 ready ops (mul and add alternating, each reading the previous result), one readback. */
async function ops(s: Side): Promise<number> {
  const t0 = performance.now();
  const made: current.DeviceArray[] = [];
  let a = s.x;
  for (let i = 0; i < 100; i++) {
    a = i % 2 === 1 ? s.lib.add(a, s.x) : s.lib.mul(a, s.x);
    made.push(a);
  }
  await a.toArray();
  for (const m of made) m.destroy();
  return performance.now() - t0;
}

const median = (xs: readonly number[]): number => [...xs].sort((p, q) => p - q)[xs.length >> 1] ?? NaN;
const old = await setup(previous);
const now = await setup(current);
console.log(`adapter: ${current.describeAdapter(now.device.info)}`);
for (const [name, f] of [['100 kernel runs + 1 readback', kernels], ['100 ops (mul/add) + 1 readback', ops]] as const) {
  for (let i = 0; i < 10; i++) {
    await f(old);
    await f(now);
  }
  const a: number[] = [];
  const b: number[] = [];
  for (let r = 0; r < 60; r++) {
    // Alternate who goes first, so neither side always follows the other's work.
    if (r % 2 === 1) {
      a.push(await f(old));
      b.push(await f(now));
    } else {
      b.push(await f(now));
      a.push(await f(old));
    }
  }
  console.log(`${name}: old ${median(a).toFixed(3)} ms, new ${median(b).toFixed(3)} ms, new/old ${(median(b) / median(a)).toFixed(3)}`);
}
for (const s of [old, now]) {
  s.x.destroy();
  s.y.destroy();
  await s.device.close();
}
