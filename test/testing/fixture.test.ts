// gpukit/testing's DeviceFixture on its own (gpukit's gpuTest is built on it): a test that leaks arrays or leaves
// a validation error behind fails; a clean one passes; no adapter is a skip outside CI and a failure in it.
import { AssertionError } from 'node:assert';
import { afterAll, expect, test } from 'vitest';
import { DeviceUnavailableError, ValidationError, type GpuDevice } from '../../src/index.js';
import { compileKernelSync } from '../../src/backends/dawn/kernel.js';
import { DeviceFixture, NO_DEVICE_REASON } from '../../src/testing/index.js';
import { ENGINE } from '../fixture.js';

const fixture = new DeviceFixture({ open: { engine: ENGINE }, requireDevice: true });
afterAll(() => fixture.close());
const noSkip = (reason: string): never => { throw new Error(`skipped: ${reason}`); };

test('a test that leaves an array alive fails, naming the bytes; the next, which frees its array, passes', async () => {
  let kept: { destroy(): void } | undefined;
  const leak = fixture.run((device: GpuDevice) => { kept = device.array(Float32Array.of(1, 2, 3)); }, noSkip);
  await expect(leak).rejects.toThrow(AssertionError);
  await expect(leak).rejects.toThrow(/array bytes still in use after the test \(missing destroy\/using\?\): \d+ bytes leaked/);
  await fixture.run((device: GpuDevice) => { using x = device.array(Float32Array.of(1, 2, 3)); expect(x.length).toBe(3); }, noSkip);
  kept?.destroy();
});

test('a test that leaves a validation error behind fails with it', async () => {
  const device = await fixture.device();
  if (device?.info.engine !== 'dawn') {
    // gpujs has no raw WGSL to get wrong; the leak check above is what the fixture adds there.
    expect(device?.info.engine).toBe('gpujs');
    return;
  }
  // Passes reflection, fails Dawn's compile: only WebGPU can tell, at submit time.
  const broken = `alias T = f32;
@group(0) @binding(0) var<storage, read> x: array<T>;
@group(0) @binding(1) var<storage, read_write> y: array<T>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) id: vec3<u32>) { let bad: f32 = 1u; y[id.x] = x[id.x] + bad; }`;
  const run = fixture.run((d: GpuDevice) => {
    const k = compileKernelSync(d.ctx, broken, { label: 'fixture-broken' });
    using x = d.array(new Float32Array(64));
    using y = d.empty(64);
    k.run({ x, y }, { invocations: 64 });
  }, noSkip);
  await expect(run).rejects.toThrow(ValidationError);
  await fixture.run(() => undefined, noSkip); // the error was reported once; the device is clean again
});

test('no adapter: skipped with the reason outside CI, DeviceUnavailableError when required', async () => {
  // An adapter name that matches nothing stands in for a machine without one.
  const open = { engine: 'dawn', adapter: 'no-such-adapter-anywhere' } as const;
  const lenient = new DeviceFixture({ open, requireDevice: false });
  const skipped: string[] = [];
  await lenient.run(() => { throw new Error('must not run'); }, (r) => skipped.push(r));
  expect(skipped).toEqual([NO_DEVICE_REASON]);
  const strict = new DeviceFixture({ open, requireDevice: true });
  await expect(strict.run(() => undefined, noSkip)).rejects.toThrow(DeviceUnavailableError);
  await lenient.close();
  await strict.close();
});
