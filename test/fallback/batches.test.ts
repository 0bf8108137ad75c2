/**
 * The gpujs engine keeps the batch contract of issue 11: a failed task fails its own op's outputs (every
 * read rejects with its error), ops that read them fail with it, and everything else reads back right.
 */
import { expect, test } from 'vitest';
import { GpukitError, openDevice, scale } from '../../src/index.js';
import { expectArrayEqual } from '../fixture.js';

test('gpujs: a failing jsKernel fails only its own outputs and those computed from them', async () => {
  await using device = await openDevice({ engine: 'gpujs', gpujsMode: 'cpu' });
  const h = Float32Array.from({ length: 16 }, (_, i) => 2 + (i % 7));
  using x = device.array(h);
  // gpu.js compiles a kernel on its first run, inside the queued task: an object literal fails there.
  const failing = device.jsKernel(function (this: { thread: { x: number } }, a: number[]) {
    const o = { k: 1 };
    return o.k + (a[this.thread.x] ?? 0);
  }, { output: 16 });
  using good = scale(x, 2);
  using bad = failing(x);
  using fromBad = scale(bad, 2);
  using good2 = scale(good, 2);
  expectArrayEqual(await good2.toArray(), h.map((v) => 4 * v));
  const e1 = await bad.toArray().catch((e: unknown) => e);
  expect(e1).toBeInstanceOf(GpukitError);
  await expect(bad.toArray()).rejects.toBe(e1);
  await expect(fromBad.toArray()).rejects.toBe(e1);
  await expect(device.sync()).rejects.toBe(e1);
  await device.sync();
  // Stale data: empty() after a destroyed recognisable array reads zeros on this engine too.
  const s = device.array(new Float32Array([3.14159, 2.71828, 1.41421, 42]));
  await s.toArray();
  s.destroy();
  using e = device.empty(4);
  expectArrayEqual(await e.toArray(), [0, 0, 0, 0]);
});
