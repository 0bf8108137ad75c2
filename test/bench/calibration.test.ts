import { expect } from 'vitest';
import { calibrate } from '../../src/bench/calibrate.js';
import { gpuTest } from '../fixture.js';

gpuTest('calibration returns positive finite ceilings on the real adapter', async ({ device }) => {
  const c = await calibrate(device, { elements: 2 ** 20, reps: 2 });
  const wgsl = ['bandwidth', 'flops', 'dispatch'] as const;
  const copies = ['upload', 'download'] as const;
  const dawn = device.info.engine === 'dawn';
  for (const k of dawn ? [...wgsl, ...copies] : copies) {
    expect(c[k].applicable, k).toBeUndefined();
    expect(Number.isFinite(c[k].value), k).toBe(true);
    expect(c[k].value, k).toBeGreaterThan(0);
    expect(c[k].method.length, k).toBeGreaterThan(10);
  }
  // The gpujs engine runs no WGSL: its copy, FMA and dispatch ceilings are not applicable (NaN, saying why), not
  // zero or a guess; its upload and download (host copies) are measured above.
  if (!dawn) {
    for (const k of wgsl) {
      expect(c[k].applicable, k).toBe(false);
      expect(c[k].value, k).toBeNaN();
      expect(c[k].method, k).toMatch(/^not applicable: .*WGSL/);
    }
  }
});
