/**
 * openDevice({ device }): gpukit on an outside GPUDevice it does not own. Adopt → ops → close leaves the device
 * usable; its loss becomes DeviceLostError; limits and features are the device's; one gpukit device per
 * GPUDevice at a time; Dawn only (the host engine and Dawn's adapter choices are typed ArgumentErrors).
 */
import { describe, expect } from 'vitest';
import { add, ArgumentError, DeviceLostError, openDevice, sum } from '../../src/index.js';
import { gpuTest } from '../fixture.js';
import { readRaw, rawDevice } from './raw-device.js';

describe('openDevice({ device })', () => {
  gpuTest('adopt, run ops, close: the outside device still works, and its buffers too', async ({ device: fixture }) => {
    const raw = fixture.info.engine === 'dawn' ? await rawDevice() : null;
    if (raw === null) {
      // The host engine cannot hold a GPUDevice: refused with a typed error, forced or from the environment.
      await expect(openDevice({ device: {} as GPUDevice, engine: 'gpujs' })).rejects.toThrow(ArgumentError);
      return;
    }
    const mine = raw.createBuffer({ size: 16, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
    raw.queue.writeBuffer(mine, 0, new Float32Array([1, 2, 3, 4]));
    const device = await openDevice({ device: raw });
    expect(device.info.adopted).toBe(true);
    expect(device.gpu).toBe(raw);
    expect(device.limits.maxStorageBufferBindingSize).toBe(raw.limits.maxStorageBufferBindingSize);
    expect(device.info.features).toEqual([...raw.features].sort());
    // Tuning and calibration key on the adapter: named from the device's own adapterInfo.
    expect(device.info.description).toBe(raw.adapterInfo.description);
    expect(device.info.isSoftware).toBe(fixture.info.isSoftware);
    const x = device.array(new Float32Array([1, 2, 3, 4, 5]));
    const y = add(x, x);
    expect([...(await y.toArray())]).toEqual([2, 4, 6, 8, 10]);
    expect(await sum(y).item()).toBe(30);
    const held = device.memory.inUseBytes;
    expect(held).toBeGreaterThan(0);
    await device.close();
    expect(device.closed).toBe(true);
    // The device and the owner's buffer are alive: WebGPU work on them runs, with no validation error.
    raw.pushErrorScope('validation');
    const after = raw.createBuffer({ size: 16, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
    raw.queue.writeBuffer(after, 0, new Float32Array([9, 8, 7, 6]));
    expect([...new Float32Array((await readRaw(raw, mine, 16)).buffer)]).toEqual([1, 2, 3, 4]);
    expect([...new Float32Array((await readRaw(raw, after, 16)).buffer)]).toEqual([9, 8, 7, 6]);
    expect(await raw.popErrorScope()).toBeNull();
    // gpukit's own buffers were freed by close(): reading one is a validation error on the outside device.
    raw.pushErrorScope('validation');
    const enc = raw.createCommandEncoder();
    enc.copyBufferToBuffer(x.storage.buffer as GPUBuffer, 0, after, 0, 4);
    raw.queue.submit([enc.finish()]);
    expect(await raw.popErrorScope()).not.toBeNull();
    // Adopting it again after close() works.
    const again = await openDevice({ device: raw });
    expect(await sum(again.array([1, 2, 3])).item()).toBe(6);
    await again.close();
    raw.destroy();
  });

  gpuTest('a second gpukit device over the same GPUDevice is refused while the first is open', async ({ device: fixture }) => {
    const raw = fixture.info.engine === 'dawn' ? await rawDevice() : null;
    if (raw === null) return expect(openDevice({ device: {} as GPUDevice, engine: 'gpujs' })).rejects.toThrow(/dawn engine only/);
    const first = await openDevice({ device: raw });
    await expect(openDevice({ device: raw })).rejects.toThrow(ArgumentError);
    await expect(openDevice({ device: raw })).rejects.toThrow(/already adopted/);
    await first.close();
    const second = await openDevice({ device: raw });
    await second.close();
    raw.destroy();
  });

  gpuTest('conflicting options and non-devices are typed ArgumentErrors', async ({ device: fixture }) => {
    await expect(openDevice({ device: {} as GPUDevice, engine: 'gpujs' })).rejects.toThrow(/engine 'gpujs'/);
    const prev = process.env['GPUKIT_ENGINE'];
    process.env['GPUKIT_ENGINE'] = 'gpujs';
    try {
      await expect(openDevice({ device: {} as GPUDevice })).rejects.toThrow(/GPUKIT_ENGINE=gpujs/);
    } finally {
      if (prev === undefined) delete process.env['GPUKIT_ENGINE'];
      else process.env['GPUKIT_ENGINE'] = prev;
    }
    await expect(openDevice({ device: {} as GPUDevice, backend: 'vulkan' })).rejects.toThrow(/backend chooses one/);
    await expect(openDevice({ device: {} as GPUDevice, adapter: 'x', powerPreference: 'low-power' })).rejects.toThrow(/adapter, powerPreference choose/);
    await expect(openDevice({ device: {} as GPUDevice })).rejects.toThrow(ArgumentError);
    await expect(openDevice({ device: 42 as unknown as GPUDevice })).rejects.toThrow(/must be a GPUDevice/);
    if (fixture.info.engine !== 'dawn') return;
    const raw = await rawDevice();
    if (raw === null) return;
    raw.destroy();
    await expect(openDevice({ device: raw })).rejects.toThrow(/destroyed or lost/);
  });

  gpuTest("another library's validation error inside gpukit's open batch is reported by sync(), not swallowed; gpukit's results stay right", async ({ device: fixture }) => {
    const raw = fixture.info.engine === 'dawn' ? await rawDevice() : null;
    if (raw === null) return expect(openDevice({ device: {} as GPUDevice, engine: 'gpujs' })).rejects.toThrow(ArgumentError);
    const device = await openDevice({ device: raw });
    const x = device.array(new Float32Array([1, 2, 3]));
    await device.sync();
    const y = add(x, x); // gpukit's batch is open (and its error scope pushed) until the end of this task
    raw.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.STORAGE, label: 'theirs, invalid' }); // their mistake
    await expect(device.sync()).rejects.toThrow(/theirs, invalid/);
    expect([...(await y.toArray())]).toEqual([2, 4, 6]);
    await device.sync(); // reported once
    await device.close();
    raw.destroy();
  });

  gpuTest('loss of the adopted device becomes DeviceLostError; limits of a default device are honoured', async ({ device: fixture }) => {
    const raw = fixture.info.engine === 'dawn' ? await rawDevice('default') : null;
    if (raw === null) return expect(openDevice({ device: {} as GPUDevice, engine: 'gpujs' })).rejects.toThrow(ArgumentError);
    const device = await openDevice({ device: raw });
    // TF.js asks for no limits: gpukit works to the defaults (128 MiB bindings), not the adapter's.
    expect(device.limits.maxStorageBufferBindingSize).toBe(raw.limits.maxStorageBufferBindingSize);
    const x = device.array(new Float32Array(1000).fill(1));
    expect(await sum(x).item()).toBe(1000);
    raw.destroy(); // its owner destroys it while gpukit still has it
    await raw.lost;
    await new Promise((r) => setImmediate(r));
    expect(() => device.array([1])).toThrow(DeviceLostError);
    await expect(x.toArray()).rejects.toThrow(DeviceLostError);
    await device.close();
  });
});
