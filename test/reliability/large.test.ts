import { expect } from 'vitest';
import { gpuTest, expectArrayEqual } from '../fixture.js';

gpuTest('transfers of an array larger than one storage binding are whole, not truncated', async ({ device }) => {
  const n = device.limits.maxStorageBufferBindingSize / 4 + 12_345;
  const h = new Uint32Array(n);
  for (let i = 0; i < n; i++) h[i] = (i * 2654435761) >>> 0;
  using a = device.array(h);
  expect(a.byteLength).toBeGreaterThan(device.limits.maxStorageBufferBindingSize);
  const back = await a.toArray();
  expectArrayEqual(back, h);
});
