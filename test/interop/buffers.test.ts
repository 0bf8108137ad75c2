/**
 * Outside GPUBuffers as arrays (wrapBuffer) and arrays' buffers under a lease (exportBuffer): zero-copy in
 * both directions (checked by content, on the same memory), each lifetime order gives a defined result, usage
 * flags are checked with the flag named, and the queue order between gpukit's batches and another library's
 * submissions is what the docs say (device.flush() before the other side reads).
 */
import { describe, expect } from 'vitest';
import { add, BufferUsageError, DestroyedError, multiply, UnsupportedOnEngineError, type GpuDevice } from '../../src/index.js';
import { exportBuffer, wrapBuffer } from '../../src/interop/index.js';
import { gpuTest } from '../fixture.js';
import { readRaw } from './raw-device.js';

const ALL = (): number => GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
const f32 = (b: Uint8Array): number[] => [...new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4)];

/** On gpujs there is no GPUBuffer: the Dawn-only surface refuses with a typed error. */
async function refusedOnHost(device: GpuDevice): Promise<boolean> {
  if (device.info.engine === 'dawn') return false;
  await device.flush(); // the host queue: flush() is sync() there
  expect(() => wrapBuffer(device, {} as GPUBuffer, { dtype: 'f32', shape: [1] })).toThrow(UnsupportedOnEngineError);
  const x = device.array([1, 2]);
  expect(() => exportBuffer(x)).toThrow(UnsupportedOnEngineError);
  x.destroy();
  return true;
}

describe('wrapBuffer / exportBuffer', () => {
  gpuTest('a wrapped buffer is read and written in place, both ways, at a byte offset too', async ({ device }) => {
    if (await refusedOnHost(device)) return;
    const raw = device.gpu;
    const buf = raw.createBuffer({ label: 'theirs', size: 48, usage: ALL() });
    raw.queue.writeBuffer(buf, 0, new Float32Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]));
    const x = wrapBuffer(device, buf, { dtype: 'f32', shape: [2, 2], byteOffset: 16 }); // elements 4..7
    expect([...(await x.toArray())]).toEqual([5, 6, 7, 8]);
    // The other side writes: gpukit sees it with no copy (the same memory).
    raw.queue.writeBuffer(buf, 16, new Float32Array([50, 60, 70, 80]));
    using y = multiply(x, x);
    expect([...(await y.toArray())]).toEqual([2500, 3600, 4900, 6400]);
    // gpukit writes: the other side sees it in its own buffer, and the bytes around the view are untouched.
    x.write([-1, -2, -3, -4]);
    const whole = wrapBuffer(device, buf, { dtype: 'f32', shape: [12] });
    using inc = add(whole.slice([0, 4]), 100);
    whole.set([[8, 12]], inc);
    await device.flush();
    expect(f32(await readRaw(raw, buf, 48))).toEqual([1, 2, 3, 4, -1, -2, -3, -4, 101, 102, 103, 104]);
    x.destroy();
    whole.destroy();
    buf.destroy();
  });

  gpuTest('lifetimes: owner destroys first, gpukit destroys first, a lease outstanding', async ({ device }) => {
    if (await refusedOnHost(device)) return;
    const raw = device.gpu;
    // Owner first: the array and its views throw DestroyedError instead of reading freed memory.
    const a = raw.createBuffer({ size: 16, usage: ALL() });
    raw.queue.writeBuffer(a, 0, new Float32Array([1, 2, 3, 4]));
    const xa = wrapBuffer(device, a, { dtype: 'f32', shape: [4] });
    const view = xa.slice([1, 3]);
    expect([...(await view.toArray())]).toEqual([2, 3]);
    a.destroy();
    expect(xa.destroyed).toBe(true);
    await expect(xa.toArray()).rejects.toThrow(DestroyedError);
    await expect(view.toArray()).rejects.toThrow(/whose owner has destroyed it/);
    expect(() => add(xa, 1)).toThrow(DestroyedError);
    xa.destroy(); // still idempotent, and frees nothing of the owner's

    // gpukit first: destroying the array drops gpukit's hold only; the buffer is never pooled or destroyed.
    const b = raw.createBuffer({ size: 16, usage: ALL() });
    raw.queue.writeBuffer(b, 0, new Float32Array([5, 6, 7, 8]));
    const before = device.memory;
    const xb = wrapBuffer(device, b, { dtype: 'f32', shape: [4] });
    xb.destroy();
    // No record of the ended borrow stays on the buffer (an owner's pool may wrap and release it again and again).
    expect((b as unknown as Record<symbol, Set<unknown>>)[Symbol.for('gpukit.borrows')]?.size).toBe(0);
    expect(device.memory.inUseBytes).toBe(before.inUseBytes);
    expect(device.memory.cachedBytes).toBe(before.cachedBytes);
    using fresh = device.zeros([4]); // a pool that had taken b would hand it out (and clear it) here
    expect(fresh.buffer).not.toBe(b);
    expect(f32(await readRaw(raw, b, 16))).toEqual([5, 6, 7, 8]);
    b.destroy();

    // A lease outstanding: the array is destroyed but its memory is neither reused nor freed until release().
    const y = device.array(new Float32Array([9, 10, 11, 12]));
    const lease = exportBuffer(y);
    expect([lease.byteOffset, lease.byteLength, lease.dtype, ...lease.shape]).toEqual([0, 16, 'f32', 4]);
    y.destroy();
    const others = Array.from({ length: 4 }, () => device.array(new Float32Array([0, 0, 0, 0])));
    await device.sync();
    for (const o of others) expect(o.buffer).not.toBe(lease.buffer);
    expect(f32(await readRaw(raw, lease.buffer, 16))).toEqual([9, 10, 11, 12]);
    for (const o of others) o.destroy();
    expect(lease.released).toBe(false);
    lease.release();
    lease.release(); // idempotent
    expect(lease.released).toBe(true);
    await device.sync(); // the memory goes back to the pool; the fixture checks nothing leaked
  });

  gpuTest('usage flags that do not allow what is asked are a BufferUsageError naming the flag', async ({ device }) => {
    if (await refusedOnHost(device)) return;
    const raw = device.gpu;
    const noStorage = raw.createBuffer({ size: 16, usage: GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
    expect(() => wrapBuffer(device, noStorage, { dtype: 'f32', shape: [4] })).toThrow(expect.objectContaining({ flag: 'STORAGE' }));
    const storageOnly = raw.createBuffer({ size: 16, usage: GPUBufferUsage.STORAGE });
    const s = wrapBuffer(device, storageOnly, { dtype: 'f32', shape: [4] });
    await expect(s.toArray()).rejects.toThrow(BufferUsageError);
    await expect(s.toArray()).rejects.toThrow(/lacks GPUBufferUsage.COPY_SRC/);
    expect(() => s.write([1, 2, 3, 4])).toThrow(expect.objectContaining({ flag: 'COPY_DST' }));
    s.destroy();
    const readOnly = raw.createBuffer({ size: 16, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
    const r = wrapBuffer(device, readOnly, { dtype: 'f32', shape: [4] });
    expect([...(await r.toArray())]).toEqual([0, 0, 0, 0]);
    using doubled = add(r, r); // kernels need STORAGE only
    expect([...(await doubled.toArray())]).toEqual([0, 0, 0, 0]);
    r.destroy();
    // Options are checked before anything is made.
    expect(() => wrapBuffer(device, readOnly, { dtype: 'f32', shape: [5] })).toThrow(/do not fit a buffer of 16 bytes/);
    expect(() => wrapBuffer(device, readOnly, { dtype: 'f32', shape: [1], byteOffset: 2 })).toThrow(/multiple of 4/);
    expect(() => wrapBuffer(device, readOnly, { dtype: 'f32', shape: [1], offset: 4 } as never)).toThrow(/unknown option 'offset'/);
    for (const b of [noStorage, storageOnly, readOnly]) b.destroy();
  });

  gpuTest('queue order: the other side sees gpukit results after await device.flush(), not before; gpukit sees what was submitted before its batch', async ({ device }) => {
    if (await refusedOnHost(device)) return;
    const raw = device.gpu;
    const theirs = raw.createBuffer({ size: 16, usage: ALL() });
    const copyOut = (src: GPUBuffer): void => {
      const enc = raw.createCommandEncoder();
      enc.copyBufferToBuffer(src, 0, theirs, 0, 16);
      raw.queue.submit([enc.finish()]);
    };
    const x = device.array(new Float32Array([1, 2, 3, 4]));
    await device.sync();
    // Without flush: gpukit's batch is still open (it goes at the end of this task), so a submission made now
    // runs first and copies the old contents. That is the documented hazard.
    const y = add(x, 10);
    using leaseEarly = exportBuffer(y);
    copyOut(leaseEarly.buffer);
    expect(f32(await readRaw(raw, theirs, 16))).toEqual([0, 0, 0, 0]);
    // With flush: gpukit's work is on the queue first.
    const z = add(x, 20);
    using lease = exportBuffer(z);
    await device.flush();
    copyOut(lease.buffer);
    expect(f32(await readRaw(raw, theirs, 16))).toEqual([21, 22, 23, 24]);
    // The other way: their submitted writes are seen by gpukit's next batch with nothing to await.
    const w = wrapBuffer(device, theirs, { dtype: 'f32', shape: [4] });
    raw.queue.writeBuffer(theirs, 0, new Float32Array([7, 7, 7, 7]));
    using sum2 = add(w, x);
    expect([...(await sum2.toArray())]).toEqual([8, 9, 10, 11]);
    w.destroy();
    x.destroy();
    y.destroy();
    z.destroy();
    leaseEarly.release();
    lease.release();
    await device.sync();
    theirs.destroy();
  });
});
