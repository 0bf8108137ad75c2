import { expect } from 'vitest';
import { calibrate } from '../../src/bench/calibrate.js';
import { gpuTest } from '../fixture.js';

gpuTest('calibration returns positive finite ceilings on the real adapter', async ({ device }) => {
  const c = await calibrate(device, { elements: 2 ** 20, reps: 2 });
  for (const k of ['bandwidth', 'flops', 'dispatch', 'upload', 'download'] as const) {
    expect(Number.isFinite(c[k].value), k).toBe(true);
    expect(c[k].value, k).toBeGreaterThan(0);
    expect(c[k].method.length, k).toBeGreaterThan(10);
  }
});
