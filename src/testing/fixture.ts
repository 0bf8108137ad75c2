import { AssertionError } from 'node:assert';
import { DeviceUnavailableError } from '../errors.js';
import { openDevice, type EngineChoice, type GpuDevice, type OpenDeviceOptions } from '../index.js';

/**
 * The engine a test run asks for: GPUKIT_ENGINE (dawn, gpujs or auto; empty or unset: auto).
 * `gpukit test-matrix` sets it for each of its passes.
 * @example openDevice({ engine: engineFromEnv() })
 */
export function engineFromEnv(env: NodeJS.ProcessEnv = process.env): EngineChoice {
  const e = env['GPUKIT_ENGINE'] ?? '';
  return e === '' ? 'auto' : (e as EngineChoice);
}

/**
 * Whether this run is CI: any non-empty `CI` (`true`, `1`, `yes`, even `false`: setting it at all says CI).
 * In CI a missing adapter fails the test instead of skipping it.
 * @example if (isCI()) console.log('a missing adapter fails the tests')
 */
export function isCI(env: NodeJS.ProcessEnv = process.env): boolean {
  return (env['CI'] ?? '') !== '';
}

/** What a {@link DeviceFixture} opens. */
export interface DeviceFixtureOptions {
  /**
   * Options for `openDevice`; `engine` defaults to {@link engineFromEnv}.
   * @default { engine: engineFromEnv() }
   */
  readonly open?: OpenDeviceOptions;
  /**
   * Fail (rather than skip) a test when no adapter can be opened.
   * @default isCI()
   */
  readonly requireDevice?: boolean;
}

/** The reason a test is skipped when there is no adapter outside CI. */
export const NO_DEVICE_REASON =
  'no WebGPU adapter (run `npx gpukit setup`, or `npx gpukit doctor` to see why); under CI (any non-empty CI) this fails instead';

/** The node:test context the fixture needs: a way to skip (node's TestContext has it). */
export interface SkipContext {
  /** Marks the running test skipped, with the reason. */
  skip(message?: string): void;
}

/**
 * A device shared by the tests of one file, and the checks each test must pass: no WebGPU validation error
 * left behind (the device's error scopes must come back empty) and no array memory left alive (bytes in use
 * must return to what they were before the test). Framework-free: `gpukit/testing/vitest`'s `gpuTest` is this
 * fixture as a vitest `test.extend`, and `fixture.test(fn)` wraps a node:test test.
 * @example
 * import { after, test } from 'node:test';
 * import { DeviceFixture } from 'gpukit/testing';
 * const gpu = new DeviceFixture();
 * after(() => gpu.close());
 * test('sum', gpu.test(async (device) => { using x = device.array([1, 2, 3]); ... }));
 */
export class DeviceFixture {
  readonly #open: OpenDeviceOptions;
  readonly #require: boolean;
  #device: Promise<GpuDevice | null> | undefined;

  constructor(options: DeviceFixtureOptions = {}) {
    this.#open = { engine: engineFromEnv(), ...options.open };
    this.#require = options.requireDevice ?? isCI();
  }

  /** The shared device, opened on first use; null when there is no adapter and one is not required. */
  async device(): Promise<GpuDevice | null> {
    this.#device ??= openDevice(this.#open).catch((e: unknown) => {
      // In CI a missing adapter is a failure, never a skip: the point of CI is running kernels for real.
      if (e instanceof DeviceUnavailableError && !this.#require) return null;
      throw e;
    });
    return this.#device;
  }

  /** What a test starts from (array bytes in use); hand it to {@link DeviceFixture.verify} after the test. */
  begin(device: GpuDevice): number {
    return device.memory.inUseBytes;
  }

  /**
   * After a test: throws the test's validation error (as gpukit's `ValidationError`) if it left one, and an
   * AssertionError if arrays it made are still alive.
   */
  async verify(device: GpuDevice, before: number): Promise<void> {
    if (device.closed) return;
    await device.sync(); // throws ValidationError if the test left one
    const now = device.memory.inUseBytes;
    if (now !== before) {
      throw new AssertionError({
        message: `array bytes still in use after the test (missing destroy/using?): ${now - before} bytes leaked (${now} in use, ${before} before the test)`,
      });
    }
  }

  /** Runs `fn` with the device and the checks around it; calls `skip` (and returns) when there is no device. */
  async run(fn: (device: GpuDevice) => unknown, skip: (reason: string) => void): Promise<void> {
    const device = await this.device();
    if (device === null) {
      skip(NO_DEVICE_REASON);
      return;
    }
    const before = this.begin(device);
    await fn(device);
    await this.verify(device, before);
  }

  /**
   * A node:test test function: `test('name', fixture.test(async (device) => …))`.
   * @example test('doubles', gpu.test(async (device) => { using y = mul(device.array([1, 2]), 2); … }))
   */
  test(fn: (device: GpuDevice) => unknown): (t: SkipContext) => Promise<void> {
    return (t) => this.run(fn, (reason) => { t.skip(reason); });
  }

  /** Closes the shared device (call it from `after` / `afterAll`), so Node can exit. */
  async close(): Promise<void> {
    const d = this.#device;
    this.#device = undefined;
    const device = await d?.catch(() => null);
    await device?.close();
  }
}
