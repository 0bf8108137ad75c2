/**
 * The default memory budget and the checks made before memory is taken (issue 24, item 6): the budget is
 * based on the host memory free at open, an array past it is refused before its first segment is made,
 * and a readback whose host copy the machine cannot give is refused before the copy is allocated.
 * `ulimit -v` is tested in its own process (test/reliability/process.test.ts).
 */
import { totalmem } from 'node:os';
import { describe, expect } from 'vitest';
import { LimitError, OutOfMemoryError, openDevice, type GpuDevice } from '../../src/index.js';
import { gpuTest } from '../fixture.js';

/** The engines whose memory is this process's: a software adapter, and gpujs. */
const inProcess = (device: GpuDevice): boolean => device.info.engine === 'gpujs' || device.info.isSoftware;

describe('memory budget', () => {
  gpuTest('the default budget is 3/4 of the host memory free at open (not of all memory), and says what it was based on', ({ device }) => {
    if (!inProcess(device)) return;
    const { memoryBudgetBytes: budget, memoryBudgetBasis: basis } = device.memory;
    // Free memory is always below the machine's total; the old default was 3/4 of the total exactly (and
    // none on gpujs).
    expect(budget).toBeGreaterThan(0);
    expect(budget).toBeLessThan(0.75 * totalmem());
    expect(basis).toMatch(/^3\/4 of the \d+\.\d\d GiB of host memory free when the device opened \((MemAvailable|free memory|cgroup .*|ulimit -v .*)\)$/);
    const gib = Number(/of the (\d+\.\d\d) GiB/.exec(basis)?.[1]);
    expect(Math.abs((budget ?? 0) / 0.75 / 2 ** 30 - gib)).toBeLessThanOrEqual(0.005);
  });

  gpuTest('empty([2^20, 2^20]) (4 TiB) is refused at once: nothing allocated, RSS flat', ({ device }) => {
    if (!inProcess(device)) return;
    const before = device.memory;
    const rss0 = process.memoryUsage().rss;
    const t0 = performance.now();
    // gpujs keeps an array in one host block: past maxBufferSize that is a LimitError, as before.
    expect(() => device.empty([2 ** 20, 2 ** 20])).toThrow(device.info.engine === 'gpujs' ? LimitError : OutOfMemoryError);
    if (device.info.engine === 'dawn') expect(() => device.empty([2 ** 20, 2 ** 20])).toThrow(/4398046511104 more bytes would exceed the device's memory budget of \d+ bytes, 3\/4 of/);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(device.memory.created).toBe(before.created);
    expect(device.memory.inUseBytes).toBe(before.inUseBytes);
    expect(process.memoryUsage().rss - rss0).toBeLessThan(64 * 2 ** 20);
  });

  gpuTest('an array over the budget fails before its first segment is made', async ({ device }) => {
    if (device.info.engine === 'gpujs') return; // gpujs does not split arrays into segments
    // 256 KiB buffers and a 1 MiB budget: a 4 MiB array would be 16 segments. Before, 4 were made (the
    // budget's worth) before the fifth failed.
    await using small = await openDevice({ engine: 'dawn', limits: { maxBufferSize: 1 << 18 }, memoryBudgetBytes: 1 << 20, poolCacheBytes: 0 });
    expect(small.memory.memoryBudgetBasis).toBe('set by openDevice({ memoryBudgetBytes })');
    expect(() => small.empty(1 << 20)).toThrow(OutOfMemoryError);
    expect(small.memory.created).toBe(0);
    expect(small.memory.inUseBytes).toBe(0);
    using fits = small.empty(3 << 16); // 768 KiB, three segments: within the budget
    expect(fits.storageBuffers.length).toBe(3);
    expect(small.memory.inUseBuffers).toBe(3);
  });

  gpuTest('a readback whose host copy is more than the host can give is refused, typed, before the copy is allocated', async ({ device }) => {
    if (!inProcess(device)) return;
    // 2^40 f32 of a 4-element array: 4 TiB on the host. Before: the gather on the device failed against the
    // budget (Dawn), or the host copy threw a RangeError (gpujs).
    using x = device.array(new Float32Array([1, 2, 3, 4]));
    using v = x.broadcastTo([2 ** 38, 4]);
    const t0 = performance.now();
    const err = await v.toArray().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OutOfMemoryError);
    expect((err as Error).message).toMatch(/^toArray of DeviceArray<f32>\[274877906944×4\]: needs \d+ bytes \(\d+\.\d\d GiB\) of host memory, more than 3\/4 of the/);
    expect(performance.now() - t0).toBeLessThan(1000);
    // A small readback of the same view's first rows still works.
    using head = v.slice([0, 2]);
    expect(Array.from(await head.toArray())).toEqual([1, 2, 3, 4, 1, 2, 3, 4]);
  });
});
