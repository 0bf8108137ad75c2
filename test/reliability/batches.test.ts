/**
 * Batches and buffers (issue 11): every result is right, or its own op's error — never zeros, stale data
 * or a neighbour's error. Each test here failed on the code before buffer lifetimes followed the GPU
 * timeline and errors were attributed per op.
 */
import { expect } from 'vitest';
import { add, openDevice, OutOfMemoryError, scale, sum, ValidationError, ProfileConflictError } from '../../src/index.js';
import { compileKernelSync } from '../../src/backends/dawn/kernel.js';
import { dawnTest, gpuTest, expectArrayEqual } from '../fixture.js';

/** A kernel that passes reflection but fails Dawn's compile: only WebGPU can tell, at submit time. */
const broken = (label: string): string => `// ${label}
alias T = f32;
@group(0) @binding(0) var<storage, read> x: array<T>;
@group(0) @binding(1) var<storage, read_write> y: array<T>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let bad: f32 = 1u;
  y[id.x] = x[id.x] + bad;
}`;

/** f32 values with exact sums: the k-th array holds k + i % 7. */
function ramp(n: number, k: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => k + (i % 7));
}

dawnTest('buffers freed while queued work still uses them: a scoped loop with no pool cache stays right', async ({ device }) => {
  // poolCacheBytes: 0 frees every released buffer: before, release() destroyed it at once, while the batch
  // that used it was not yet submitted, and Dawn rejected the whole batch.
  await using dev = await openDevice({ engine: 'dawn', poolCacheBytes: 0 });
  expect(device.info.engine).toBe('dawn');
  for (let it = 0; it < 24; it++) {
    const n = (1 << 18) << (it % 4); // 1 to 8 MiB
    const h = ramp(n, it % 5);
    let s;
    {
      using x = dev.array(h);
      using y = scale(x, 2);
      s = sum(y);
    } // x and y are released here, before their batch is even submitted
    const want = 2 * h.reduce((a, v) => a + v, 0);
    expect(await s.item()).toBe(want);
    s.destroy();
  }
  expect(dev.memory.inUseBytes).toBe(0);
  await dev.sync();
  expect(dev.memory.pendingBytes).toBe(0);
});

gpuTest('64 concurrent toArray() of one array, then 1,000 concurrent item(), with a small pool cache', async ({ device }) => {
  await using dev = await openDevice({ engine: device.info.engine, poolCacheBytes: 8 << 20 });
  const h = ramp(1 << 20, 3); // 4 MiB: 64 staging buffers are 256 MiB, far over the cache
  using x = dev.array(h);
  const all = await Promise.all(Array.from({ length: 64 }, () => x.toArray()));
  for (const a of all) expectArrayEqual(a, h);
  const items = Array.from({ length: 1000 }, (_, k) => {
    const s = dev.array(new Float32Array([k, 1]));
    const t = sum(s);
    s.destroy();
    return t;
  });
  const got = await Promise.all(items.map((t) => t.item()));
  got.forEach((v, k) => {
    if (v !== k + 1) expect.fail(`item ${k}: got ${v}, expected ${k + 1}`);
  });
  for (const t of items) t.destroy();
});

dawnTest('one invalid op in a batch: the valid ops read back right, the invalid one rejects with its own error on every read', async ({ device }) => {
  const ctx = device.ctx;
  const bk = compileKernelSync(ctx, broken('broken-kernel'), { label: 'broken-kernel' });
  const ph = ramp(100, 1);
  const qh = ramp(100, 2);
  using p = device.array(ph);
  using q = device.array(qh);
  // All in one macrotask: one batch.
  using good = add(p, q);
  using bad = device.empty(100);
  bk.run({ x: p, y: bad }, { invocations: 100 });
  using after = scale(good, 3); // reads a valid op's output: unaffected
  using poisoned = scale(bad, 2); // reads the failed op's output: fails with its error
  const want = ph.map((v, i) => v + (qh[i] ?? 0));
  expectArrayEqual(await good.toArray(), want);
  expectArrayEqual(await good.toArray(), want);
  expectArrayEqual(await after.toArray(), want.map((v) => 3 * v));
  const e1 = await bad.toArray().catch((e: unknown) => e);
  expect(e1).toBeInstanceOf(ValidationError);
  expect((e1 as Error).message).toMatch(/broken-kernel/);
  const e2 = await bad.toArray().catch((e: unknown) => e);
  expect(e2).toBe(e1); // the same error, every time: never zeros
  await expect(poisoned.toArray()).rejects.toBe(e1);
  // The op that reads a known-failed array now refuses at once, with that error.
  expect(() => scale(bad, 2)).toThrow((e1 as Error).message);
  // sync() reports the failure once; the device stays usable.
  await expect(device.sync()).rejects.toBe(e1);
  await device.sync();
  // Overwriting the failed array makes it valid again.
  bad.write(ph);
  expectArrayEqual(await bad.toArray(), ph);
});

dawnTest('two async tasks: the faulty task gets its error, the correct task its numbers', async ({ device }) => {
  const bk = compileKernelSync(device.ctx, broken('broken-task'), { label: 'broken-task' });
  const h = ramp(256, 4);
  const correct = async (): Promise<number> => {
    using x = device.array(h);
    using y = scale(x, 2);
    using s = sum(y);
    return await s.item();
  };
  const faulty = async (): Promise<Float32Array> => {
    using x = device.array(h);
    using y = device.empty(256);
    bk.run({ x, y }, { invocations: 256 });
    return await y.toArray();
  };
  for (let trial = 0; trial < 5; trial++) {
    const [c, f] = await Promise.allSettled([correct(), faulty()]);
    expect(c).toEqual({ status: 'fulfilled', value: 2 * h.reduce((a, v) => a + v, 0) });
    expect(f.status).toBe('rejected');
    expect((f as PromiseRejectedResult).reason).toBeInstanceOf(ValidationError);
    expect(((f as PromiseRejectedResult).reason as Error).message).toMatch(/broken-task/);
    await device.sync().catch(() => undefined); // the fixture's sync must come back clean
  }
});

dawnTest('a batch after a failed one is unaffected, and a buffer destroyed under queued work never fails the batch', async ({ device }) => {
  const bk = compileKernelSync(device.ctx, broken('broken-first'), { label: 'broken-first' });
  const h = ramp(64, 5);
  using x = device.array(h);
  using y = device.empty(64);
  bk.run({ x, y }, { invocations: 64 });
  await new Promise((r) => setImmediate(r)); // the failed batch is submitted alone
  using z = scale(x, 4);
  expectArrayEqual(await z.toArray(), h.map((v) => 4 * v));
  await expect(y.toArray()).rejects.toBeInstanceOf(ValidationError);
  await device.sync().catch(() => undefined);
});

gpuTest('no stale data: empty() and zeros() after destroying a recognisable array read zeros', async ({ device }) => {
  const secret = new Float32Array([3.14159, 2.71828, 1.41421, 42]);
  for (const make of [(n: number) => device.empty(n), (n: number) => device.zeros(n), (n: number) => device.empty(n, 'i32')]) {
    const s = device.array(secret);
    await s.toArray();
    s.destroy();
    await device.sync();
    using e = make(4);
    expectArrayEqual(await e.toArray(), [0, 0, 0, 0]);
  }
  // An explicit opt-in keeps the fast path (contents then unspecified: only the length is checked).
  using u = device.empty(4, { uninitialized: true });
  expect((await u.toArray()).length).toBe(4);
});

dawnTest('a vec4 binding of a length-5 array sees zeros past its end, not a previous owner\'s data', async ({ device }) => {
  const k = await device.kernel(`
@group(0) @binding(0) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@compute @workgroup_size(1) fn main() {
  let v = x[1];
  out[0] = v.x; out[1] = v.y; out[2] = v.z; out[3] = v.w;
}`);
  const old = device.array(Float32Array.from({ length: 64 }, (_, i) => 100 + i));
  await old.toArray();
  old.destroy();
  await device.sync();
  using x = device.array(new Float32Array([1, 2, 3, 4, 5])); // reuses old's buffer
  using out = device.empty(4);
  k.run({ x, out }, { invocations: 1 });
  expectArrayEqual(await out.toArray(), [5, 0, 0, 0]);
  // An op's output that the op overwrites whole (a strided view gathered into a new array) reuses a
  // buffer GPU work wrote: its slack is cleared on the GPU.
  const old2 = device.array(Float32Array.from({ length: 64 }, (_, i) => 200 + i));
  using big = scale(old2, 1); // a GPU-written buffer of 64 elements
  await big.toArray();
  big.destroy();
  old2.destroy();
  await device.sync();
  using m = device.array(Float32Array.from({ length: 10 }, (_, i) => i + 1), 'f32', [5, 2]);
  using col = m.slice(null, 1).contiguous(); // [2, 4, 6, 8, 10]: 5 elements, written by the gather
  using out2 = device.empty(4);
  k.run({ x: col, out: out2 }, { invocations: 1 });
  expectArrayEqual(await out2.toArray(), [10, 0, 0, 0]);
});

dawnTest('profile() with five readbacks, and a second profile while one records is refused', async ({ device }) => {
  const h = ramp(1000, 1);
  using x = device.array(h);
  const p = await device.profile(async () => {
    let total = 0;
    for (let i = 1; i <= 5; i++) {
      using y = scale(x, i);
      using s = sum(y);
      total += await s.item();
    }
    return total;
  });
  const base = h.reduce((a, v) => a + v, 0);
  expect(p.result).toBe(15 * base);
  expect(p.phases.kernel.count).toBeGreaterThanOrEqual(10);
  // Two concurrent profiles: the second is refused with a typed error, the first is unaffected.
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => (release = r));
  const first = device.profile(async () => {
    await gate;
    using s = sum(x);
    return await s.item();
  });
  await expect(device.profile(() => 1)).rejects.toBeInstanceOf(ProfileConflictError);
  release();
  expect((await first).result).toBe(base);
  // Work another task enqueues while a profile records is in its wall time, not in its kernels.
  let go: () => void = () => undefined;
  const started = new Promise<void>((r) => (go = r));
  const other = (async () => {
    await started;
    using y = scale(x, 2);
    using z = scale(y, 2);
    return (await z.toArray())[0];
  })();
  const own = await device.profile(async () => {
    go();
    using s = sum(x);
    const v = await s.item();
    await other;
    return v;
  });
  expect(own.result).toBe(base);
  expect(await other).toBe(4 * (h[0] ?? 0));
  // The same sum profiled alone: the other task's two scale dispatches are not counted (nor timed).
  const alone = await device.profile(async () => {
    using s = sum(x);
    return await s.item();
  });
  expect(alone.phases.kernel.count).toBeGreaterThan(0);
  expect(own.phases.kernel.count).toBe(alone.phases.kernel.count);
  expect(own.kernels.some((k) => /scale/.test(k.label))).toBe(false);
});

gpuTest('a memory budget: allocations past it throw OutOfMemoryError after freeing the cache, and the device stays usable', async ({ device }) => {
  await using dev = await openDevice({ engine: device.info.engine, memoryBudgetBytes: 16 << 20 });
  expect(dev.memory.memoryBudgetBytes).toBe(16 << 20);
  const held: { destroy(): void }[] = [];
  for (let i = 0; i < 3; i++) held.push(dev.empty(1 << 20)); // 3 × 4 MiB
  expect(() => dev.empty(1 << 21)).toThrow(OutOfMemoryError); // 8 MiB more would pass 16 MiB
  for (const a of held) a.destroy();
  await dev.sync(); // the released memory joins the cache ...
  using big = dev.empty(3 << 20); // ... which is freed to make room for 12 MiB
  using s = sum(big);
  expect(await s.item()).toBe(0);
  // On Dawn a readback needs staging memory of the array's size: past the budget that is refused too, typed.
  if (dev.info.engine === 'dawn') await expect(big.toArray()).rejects.toThrow(OutOfMemoryError);
  expect(dev.memory.cachedBytes + dev.memory.inUseBytes).toBeLessThanOrEqual(16 << 20);
});
