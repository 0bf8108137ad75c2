import { expect } from 'vitest';
import { UnsupportedOnEngineError, type EngineChoice, type GpuDevice } from '../src/index.js';
import { DeviceFixture, engineFromEnv, expectAllClose as expectAllCloseWith } from '../src/testing/index.js';
import { createGpuTest } from '../src/testing/vitest.js';

// The fixture is gpukit/testing's (src/testing): one implementation for gpukit's suite and its users.
export { isCI } from '../src/testing/index.js';

/** The engine the suite runs on: GPUKIT_ENGINE (dawn, gpujs or auto; default auto). */
export const ENGINE: EngineChoice = engineFromEnv();

const fixture = new DeviceFixture({ open: { engine: ENGINE } });

/** The device the fixture gives every test of this file (null: no adapter outside CI), for `beforeAll` warm-ups. */
export function sharedDevice(): Promise<GpuDevice | null> {
  return fixture.device();
}

/**
 * `gpuTest` gives each test the file's device and fails the test if it left a WebGPU validation error
 * behind or leaked array memory (bytes in use must return to what they were before the test).
 */
export const gpuTest = createGpuTest(fixture);

/**
 * A test of something only the dawn engine has (raw WGSL, builders, pinned tuning parameters on
 * `device.ctx`). On gpujs it is not skipped: it asserts that the Dawn-only surface refuses with
 * UnsupportedOnEngineError, which is this engine's documented behaviour.
 */
export function dawnTest(name: string, fn: (ctx: { device: GpuDevice }) => Promise<void> | void): void {
  gpuTest(name, async ({ device }) => {
    if (device.info.engine === 'dawn') {
      await fn({ device });
      return;
    }
    expect(() => device.ctx).toThrow(UnsupportedOnEngineError);
    await expect(device.kernel('@compute @workgroup_size(1) fn main() {}')).rejects.toThrow(UnsupportedOnEngineError);
  });
}

/** Element-wise closeness with a per-element absolute + relative tolerance; integers compare exactly. */
export function expectAllClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol = 1e-6, atol = 1e-6): void {
  expectAllCloseWith(actual, expected, { rtol, atol });
}

/** Exact element-wise equality (NaN equals NaN), fast on large arrays; reports the first mismatch. */
export function expectArrayEqual(actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  expect(actual.length, 'length').toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (a !== e && !(Number.isNaN(a) && Number.isNaN(e))) expect.fail(`element ${i}: got ${a}, expected ${e}`);
  }
}
