import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { builderCacheSize, map, setBuilderCacheSize, ArgumentError } from '../../src/index.js';
import { builderCache } from '../../src/backends/dawn/builder-cache.js';
import { dawnTest } from '../fixture.js';
import { tsChild } from '../runtime-child.js';

const CAPACITY = 16;
const EXPRESSIONS = 300;

dawnTest(`${EXPRESSIONS} distinct map() expressions (and 100 elementwise builders) keep at most ${CAPACITY} builders and bounded memory (child process)`, ({ device }) => {
  // A fresh process, so RSS measures this loop alone and the size setting touches no other test.
  const script = fileURLToPath(new URL('./builder-cache-child.ts', import.meta.url));
  const child = tsChild(script, [String(CAPACITY), String(EXPRESSIONS)]);
  // On wgpu (Deno's WebGPU) lavapipe compiles naga's SPIR-V, which its on-disk shader cache holds only after a first
  // wgpu run (CI runs Dawn first): cold, the child took 23 s alone and much longer beside other test files, so the
  // wgpu pass (scripts/test-deno.sh) gives tests 180 s and the child 170 s.
  const r = spawnSync(child.command, child.args, { encoding: 'utf8', timeout: device.info.webgpu === 'wgpu' ? 170_000 : 55_000 });
  const line = r.stdout.trim().split('\n').at(-1) ?? '';
  let out: { size: number; sizeAfterBuilders: number; sizeAfterClose: number; wrong: number; rss0: number; rss1: number; seconds: number };
  try {
    out = JSON.parse(line) as typeof out;
  } catch {
    throw new Error(`the child printed no JSON (status ${String(r.status)}):\n${r.stdout}\n${r.stderr}`);
  }
  const grown = (out.rss1 - out.rss0) / 2 ** 20;
  console.log(`builder cache: ${out.size} builders after ${EXPRESSIONS} expressions, RSS +${grown.toFixed(1)} MiB, ${out.seconds.toFixed(1)} s`);
  expect(out.wrong, 'map results that differ from x * k + 1').toBe(0);
  expect(out.size).toBe(CAPACITY);
  expect(out.sizeAfterBuilders, 'after 100 device.elementwise() builders').toBe(CAPACITY);
  expect(out.sizeAfterClose, 'builders held after close()').toBe(0);
  // Measured on llvmpipe after full GCs: before the cache, 300 expressions grew RSS by ~290 MiB (every
  // pipeline kept for the life of the process); with it, by ~70 MiB, which is what the driver keeps of
  // each pipeline it ever built (~0.15 MiB, also for pipelines created and dropped with raw WebGPU).
  // The bound is loose for noise from other processes, and far below the old growth.
  expect(grown).toBeLessThan(130);
});

dawnTest('the cache size is a positive integer, and an evicted builder still works when called again', async ({ device }) => {
  const before = builderCacheSize();
  expect(() => { setBuilderCacheSize(0); }).toThrow(ArgumentError);
  expect(() => { setBuilderCacheSize(2.5); }).toThrow(/integer >= 1/);
  setBuilderCacheSize(2);
  try {
    using x = device.array(new Float32Array([1, 2, 3, 4, 5]));
    const f = await device.elementwise({ name: 'plus_k', args: 'x: T[], y: T[], k: f32', body: 'y = x + k' });
    for (let k = 0; k < 4; k++) map(x, `x * ${k}.0 /* evicts */`).destroy();
    expect(builderCache(device.ctx).size).toBe(2);
    // plus_k was evicted (its kernels forgotten): it compiles again and re-enters the cache.
    using y = f({ x, k: 0.5 }) as import('../../src/index.js').DeviceArray;
    expect([...(await y.toArray())]).toEqual([1.5, 2.5, 3.5, 4.5, 5.5]);
    expect(builderCache(device.ctx).size).toBe(2);
  } finally {
    setBuilderCacheSize(before);
  }
});
