/**
 * `gpukit/testing/vitest`: gpukit's test fixture and all-close matcher for vitest (an optional peer
 * dependency: only this module imports it). Importing it registers `expect(x).toBeAllClose(y, spec)`.
 * @example
 * import { expect } from 'vitest';
 * import { mul } from 'gpukit';
 * import { gpuTest } from 'gpukit/testing/vitest';
 * gpuTest('doubles', async ({ device }) => {
 *   using x = device.array([1, 2, 3]);
 *   using y = mul(x, x);
 *   expect(await y.toArray()).toBeAllClose([1, 4, 9], { dtype: 'f32', op: 'mul' });
 * });
 */
import { afterAll, expect, test } from 'vitest';
import type { GpuDevice } from '../gpu-device.js';
import { allClose } from './allclose.js';
import { DeviceFixture, NO_DEVICE_REASON, type DeviceFixtureOptions } from './fixture.js';
import type { ExplicitTolerance, ToleranceSpec } from './tolerance.js';

declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- must match vitest's own declaration
  interface Matchers<T = any> {
    /**
     * Element-wise closeness within the bound gpukit documents for `spec.op` in `spec.dtype` (or an explicit
     * `{ rtol, atol }`); the failure names the worst element, its index and the bound.
     */
    toBeAllClose(expected: ArrayLike<number>, spec: ToleranceSpec | ExplicitTolerance): T;
  }
}

expect.extend({
  toBeAllClose(received: unknown, expected: ArrayLike<number>, spec: ToleranceSpec | ExplicitTolerance) {
    if (received === null || typeof received !== 'object' || typeof (received as { length?: unknown }).length !== 'number') {
      return { pass: false, message: () => `toBeAllClose: expected an array of numbers, got ${typeof received}` };
    }
    const r = allClose(received as ArrayLike<number>, expected, spec);
    return { pass: r.pass, message: () => (this.isNot ? `expected not all close, but ${r.message}` : r.message) };
  },
});

/**
 * A vitest `test` whose tests get the file's device (`{ device }`) and fail on a leftover validation error or
 * array memory left alive. Given options, it makes its own {@link DeviceFixture} and closes its device after
 * the file's tests; given a fixture, it shares that fixture's device and leaves closing it to you.
 * @example const gpuTest = createGpuTest({ open: { engine: 'dawn' } });
 */
export function createGpuTest(options: DeviceFixtureOptions | DeviceFixture = {}) {
  let fixture: DeviceFixture;
  if (options instanceof DeviceFixture) fixture = options;
  else {
    const own = new DeviceFixture(options);
    afterAll(() => own.close());
    fixture = own;
  }
  return test.extend<{ device: GpuDevice }>({
    device: async ({ skip }, use) => {
      const device = await fixture.device();
      if (device === null) {
        skip(NO_DEVICE_REASON);
        return;
      }
      const before = fixture.begin(device);
      await use(device);
      await fixture.verify(device, before);
    },
  });
}

/** {@link createGpuTest} with the default options: the engine from GPUKIT_ENGINE, required under CI. */
export const gpuTest = createGpuTest();
