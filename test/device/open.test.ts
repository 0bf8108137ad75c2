import { describe, expect, test } from 'vitest';
import { DeviceUnavailableError, openDevice } from '../../src/index.js';

describe('openDevice', () => {
  test('opens a core adapter with its info, features and raised limits', async () => {
    await using device = await openDevice();
    const info = device.info;
    expect(info.engine).toBe('dawn');
    expect(info.featureLevel).toBe('core');
    expect(info.description.length).toBeGreaterThan(0);
    expect(info.features).toContain('timestamp-query');
    // gpukit asks for the adapter's own limits, above WebGPU's defaults (128 MiB / 256 invocations).
    expect(info.limits['maxComputeInvocationsPerWorkgroup']).toBeGreaterThanOrEqual(256);
    expect(device.limits.maxBufferSize).toBeGreaterThanOrEqual(256 * 2 ** 20);
    if (/llvmpipe/.test(info.description)) {
      expect(info.isSoftware).toBe(true);
      expect(info.isFallbackAdapter).toBe(true);
    }
    expect(info.fallbackReason).toBeUndefined();
  });

  test('forcing the GLES backend gives a compatibility device that runs a kernel', async () => {
    await using device = await openDevice({ backend: 'opengles', featureLevel: 'compatibility' });
    expect(device.info.backend).toBe('opengles');
    expect(device.info.featureLevel).toBe('compatibility');
    const k = await device.kernel('@group(0) @binding(0) var<storage, read_write> v: array<u32>;\n@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) g: vec3u) { if (g.x < arrayLength(&v)) { v[g.x] = g.x * 3u; } }');
    using v = device.zeros(100, 'u32');
    k.run({ v }, { invocations: 100 });
    const out = await v.toArray();
    expect(out[99]).toBe(297);
  });

  test('a forced backend that does not exist throws DeviceUnavailableError listing what does', async () => {
    const err = await openDevice({ backend: 'd3d12' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeviceUnavailableError);
    const e = err as DeviceUnavailableError;
    expect(e.message).toMatch(/no Dawn adapter matches .*d3d12/);
    expect(e.available.some((a) => a.startsWith('vulkan/core'))).toBe(true);
    expect(e.message).toMatch(/Adapters found: .*vulkan\/core/);
  });

  test('a forced adapter name that matches nothing throws DeviceUnavailableError', async () => {
    await expect(openDevice({ adapter: 'no-such-gpu-9000' })).rejects.toThrow(/does not match 'no-such-gpu-9000'/);
  });

  test('GPUKIT_BACKEND in the environment forces the backend', async () => {
    process.env['GPUKIT_BACKEND'] = 'metal';
    try {
      await expect(openDevice()).rejects.toBeInstanceOf(DeviceUnavailableError);
    } finally {
      delete process.env['GPUKIT_BACKEND'];
    }
  });

  test('close() is idempotent and a closed device refuses work with a clear error', async () => {
    const device = await openDevice();
    const x = device.zeros(4);
    await device.close();
    await device.close();
    expect(device.closed).toBe(true);
    expect(() => device.zeros(4)).toThrow(/the device is closed/);
    await expect(x.toArray()).rejects.toThrow(/the device is closed/);
    await expect(device.kernel('@compute @workgroup_size(1) fn main() {}')).rejects.toThrow(/closed/);
  });

  test('await using closes the device', async () => {
    let seen: { closed: boolean } | undefined;
    {
      await using device = await openDevice();
      seen = device;
      expect(device.closed).toBe(false);
    }
    expect(seen.closed).toBe(true);
  });
});
