import { expect, test } from 'vitest';
import { DeviceLostError, openDevice } from '../../src/index.js';

test('a device destroyed underneath surfaces as DeviceLostError on the next call, not a hang', async () => {
  const device = await openDevice();
  const k = await device.kernel('@group(0) @binding(0) var<storage, read_write> v: array<f32>;\n@compute @workgroup_size(1) fn main() { v[0] = 1.0; }');
  const v = device.zeros(4);
  device.gpu.destroy(); // as if the driver reset
  await expect(v.toArray()).rejects.toBeInstanceOf(DeviceLostError);
  expect(() => { k.run({ v }, { workgroups: 1 }); }).toThrow(DeviceLostError);
  expect(() => device.zeros(1)).toThrow(/lost \(destroyed\)/);
  await device.close();

  // A new device works afterwards.
  await using again = await openDevice();
  using w = again.array(new Float32Array([5]));
  expect(await w.item()).toBe(5);
});

test('a readback waiting when the device is lost rejects instead of hanging', async () => {
  const device = await openDevice();
  const v = device.zeros(1 << 20);
  const pending = v.toArray();
  device.gpu.destroy();
  const result = await pending.then(
    () => 'resolved',
    (e: unknown) => e,
  );
  // Either the readback finished before the loss, or it failed with a typed error: never a hang.
  if (result !== 'resolved') expect(result).toBeInstanceOf(DeviceLostError);
  await device.close();
});
