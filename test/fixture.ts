import { test as base, expect } from 'vitest';
import { DeviceUnavailableError, openDevice, UnsupportedOnEngineError, type EngineChoice, type GpuDevice } from '../src/index.js';

/** The engine the suite runs on: GPUKIT_ENGINE (dawn, gpujs or auto; default auto). */
export const ENGINE: EngineChoice = (process.env['GPUKIT_ENGINE'] ?? '') === '' ? 'auto' : (process.env['GPUKIT_ENGINE'] as EngineChoice);

/**
 * Whether this run is CI: any non-empty `CI` (`true`, `1`, `yes`, even `false`: setting it at all says CI).
 * In CI a missing adapter fails the test instead of skipping it.
 */
export function isCI(env: NodeJS.ProcessEnv = process.env): boolean {
  return (env['CI'] ?? '') !== '';
}

let shared: Promise<GpuDevice | null> | undefined;

/** The device the fixture gives every test of this file (null: no adapter outside CI), for `beforeAll` warm-ups. */
export async function sharedDevice(): Promise<GpuDevice | null> {
  shared ??= openDevice({ engine: ENGINE }).catch((e: unknown) => {
    // In CI a missing adapter is a failure, never a skip: the point of CI is running kernels for real.
    if (e instanceof DeviceUnavailableError && !isCI()) return null;
    throw e;
  });
  return shared;
}

/**
 * `gpuTest` gives each test the file's device and fails the test if it left a WebGPU validation error
 * behind or leaked array memory (bytes in use must return to what they were before the test).
 */
export const gpuTest = base.extend<{ device: GpuDevice }>({
  device: async ({ skip }, use) => {
    const device = await sharedDevice();
    if (device === null) {
      skip('no WebGPU adapter (run `npm run setup:software-gpu`); under CI (any non-empty CI) this fails instead');
      return;
    }
    const before = device.memory.inUseBytes;
    await use(device);
    if (!device.closed) {
      await device.sync(); // throws ValidationError if the test left one
      expect(device.memory.inUseBytes, 'array bytes still in use after the test (missing destroy/using?)').toBe(before);
    }
  },
});

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
  expect(actual.length, 'length').toBe(expected.length);
  let worst = -1;
  let worstErr = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i] ?? NaN;
    const e = expected[i] ?? NaN;
    if (Number.isNaN(e) && Number.isNaN(a)) continue;
    if (a === e) continue;
    const err = Math.abs(a - e) - (atol + rtol * Math.abs(e));
    if (!(err <= 0) && (worst < 0 || err > worstErr || Number.isNaN(err))) {
      worst = i;
      worstErr = err;
    }
  }
  if (worst >= 0) {
    expect.fail(`element ${worst}: got ${actual[worst]}, expected ${expected[worst]} (rtol ${rtol}, atol ${atol})`);
  }
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
