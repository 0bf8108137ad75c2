/**
 * The runtime and the WebGPU implementation a device names (issue 30): checked against the runtime's own globals
 * (`Deno.version`, `process.versions.bun`), not against gpukit's detection. scripts/test-bun.sh and
 * scripts/test-deno.sh run this file beside the op suite, so each pass proves it ran where it says it ran.
 */
import { afterEach, expect, test } from 'vitest';
import { ArgumentError, DeviceUnavailableError, openDevice } from '../../src/index.js';
import { currentRuntime } from '../../src/device/runtime.js';
import { adapterKey } from '../../src/backends/dawn/tuning.js';
import type { DeviceInfo } from '../../src/device/info.js';
import { gpuTest } from '../fixture.js';

interface Globals {
  readonly Deno?: { readonly version: { readonly deno: string } };
  readonly navigator?: { readonly gpu?: unknown };
}
const g = globalThis as Globals;
const bunVersion = (process.versions as Record<string, string | undefined>)['bun'];
const expected = g.Deno !== undefined ? { name: 'deno', version: g.Deno.version.deno } : bunVersion !== undefined ? { name: 'bun', version: bunVersion } : { name: 'node', version: process.versions.node };

const saved = process.env['GPUKIT_WEBGPU'];
afterEach(() => {
  if (saved === undefined) delete process.env['GPUKIT_WEBGPU'];
  else process.env['GPUKIT_WEBGPU'] = saved;
});

test('currentRuntime names the runtime this test runs in, with its own version (not the Node version it emulates)', () => {
  expect(currentRuntime()).toEqual(expected);
});

gpuTest('device.info names the runtime, and on the dawn engine the WebGPU implementation the pass asked for', ({ device }) => {
  expect(device.info.runtime).toEqual(expected);
  if (device.info.engine === 'dawn') expect(device.info.webgpu).toBe(saved === 'wgpu' ? 'wgpu' : 'dawn');
  else expect(device.info.webgpu).toBeUndefined();
});

test('an unknown webgpu value is a typed error at the call, before any adapter is opened', async () => {
  await expect(openDevice({ webgpu: 'vulkan' as 'dawn' })).rejects.toThrow(ArgumentError);
  process.env['GPUKIT_WEBGPU'] = 'angle';
  await expect(openDevice({ engine: 'dawn' })).rejects.toThrow(/unknown WebGPU implementation 'angle' in GPUKIT_WEBGPU/);
});

test("Dawn-only options with webgpu 'wgpu' are refused, not ignored", async () => {
  await expect(openDevice({ webgpu: 'wgpu', backend: 'vulkan' })).rejects.toThrow(ArgumentError);
  await expect(openDevice({ webgpu: 'wgpu', featureLevel: 'compatibility' })).rejects.toThrow(/featureLevel is a Dawn option/);
  await expect(openDevice({ webgpu: 'wgpu', unsafeDisableRobustness: true })).rejects.toThrow(/unsafeDisableRobustness is a Dawn option/);
});

test("webgpu 'wgpu' opens on the runtime's navigator.gpu where there is one, else DeviceUnavailableError saying how to get one", async () => {
  if (g.navigator?.gpu !== undefined) {
    const device = await openDevice({ webgpu: 'wgpu' });
    try {
      expect(device.info.webgpu).toBe('wgpu');
      expect(device.info.featureLevel).toBe('core');
    } finally {
      await device.close();
    }
    return;
  }
  const e = await openDevice({ webgpu: 'wgpu' }).catch((x: unknown) => x);
  expect(e).toBeInstanceOf(DeviceUnavailableError);
  expect((e as Error).message).toMatch(expected.name === 'deno' ? /--unstable-webgpu/ : /has no built-in WebGPU: use Deno/);
});

test('wgpu tunes apart from Dawn on the same adapter; Dawn keeps the tuning-cache key it had before implementations were named', () => {
  const base: DeviceInfo = { engine: 'dawn', backend: 'vulkan', vendor: 'mesa', architecture: '', description: 'llvmpipe', isSoftware: true, isFallbackAdapter: false, featureLevel: 'core', features: [], limits: {} };
  expect(adapterKey({ ...base, webgpu: 'dawn' })).toBe(adapterKey(base));
  expect(adapterKey({ ...base, webgpu: 'wgpu' })).not.toBe(adapterKey(base));
});
