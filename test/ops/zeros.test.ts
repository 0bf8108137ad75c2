import { describe, expect } from 'vitest';
import { scale, type DType } from '../../src/index.js';
import { expectArrayEqual, gpuTest } from '../fixture.js';
import { randomF32 } from './helpers.js';

// zeros() must clear: the pool hands back blocks of the same size class with whatever they last held.
describe('zeros on a dirty pool', () => {
  for (const dtype of ['f32', 'i32', 'u32'] as const satisfies readonly DType[]) {
    gpuTest(`${dtype}: zeros() after a non-zero array of the same size class reads zeros`, async ({ device }) => {
      for (const n of [1, 5, 64, 1000, 4097, 65_537]) {
        for (const dirtyLength of [n, Math.max(1, n - 1)]) {
          // Written from the host, then freed: its block goes back to the pool with non-zero contents.
          const host = dtype === 'f32' ? new Float32Array(dirtyLength).fill(-7.5) : dtype === 'i32' ? new Int32Array(dirtyLength).fill(-3) : new Uint32Array(dirtyLength).fill(0xdeadbeef);
          device.array(host, dtype).destroy();
          using z = device.zeros(n, dtype);
          expect(z.dtype).toBe(dtype);
          expectArrayEqual(await z.toArray(), new Array<number>(n).fill(0));
        }
      }
    });
  }

  gpuTest('zeros() after an op output of the same size, in the same batch of work', async ({ device }) => {
    const n = 10_001;
    using x = device.array(randomF32(n, 3, 1, 2));
    scale(x, 3).destroy(); // an output written on the device, freed before it is read
    using z = device.zeros(n);
    using y = scale(z, 5); // used on the device before any read
    expectArrayEqual(await y.toArray(), new Float32Array(n));
    expectArrayEqual(await z.toArray(), new Float32Array(n));
  });
});
