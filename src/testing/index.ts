/**
 * `gpukit/testing`: test GPU code the way gpukit tests itself, under any runner (vitest, node:test, …) and
 * without vitest installed. The vitest fixture and the `toBeAllClose` matcher live in `gpukit/testing/vitest`.
 * @example
 * import { after, test } from 'node:test';
 * import { sum } from 'gpukit';
 * import { DeviceFixture, expectAllClose, sumCpu } from 'gpukit/testing';
 * const gpu = new DeviceFixture();
 * after(() => gpu.close());
 * test('sum', gpu.test(async (device) => {
 *   const host = Float32Array.from({ length: 1000 }, (_, i) => i / 7);
 *   using x = device.array(host);
 *   using s = sum(x);
 *   expectAllClose(await s.toArray(), [sumCpu(host)], { dtype: 'f32', op: 'sum', n: host.length });
 * }));
 */
export { DeviceFixture, engineFromEnv, isCI, NO_DEVICE_REASON, type DeviceFixtureOptions, type SkipContext } from './fixture.js';
export { allClose, expectAllClose, expectWithin, type AllCloseResult, type WorstElement } from './allclose.js';
export {
  U16, U32, U64, gamma, absSum, sumBound, matmulBound, fftBound, fftRoundTripBound, toleranceFor,
  type ToleranceOp, type ToleranceSpec, type ExplicitTolerance,
} from './tolerance.js';
// The CPU references gpukit's ops are written against (float64 where the op is a float sum). This is their one
// public home: `gpukit` itself does not export them (issue 25 item 4).
export { sumCpu, dotCpu, minCpu, maxCpu } from '../reference/reduce.js';
export { scanCpu } from '../reference/scan.js';
export { sortCpu, sortPairsCpu } from '../reference/sort.js';
export { matmulCpu, transposeCpu } from '../reference/matmul.js';
export { fftCpu } from '../reference/fft.js';
export { histogramCpu } from '../reference/histogram.js';
export { argCpu } from '../reference/arg.js';
export { randomU32Cpu, uniformCpu, normalCpu } from '../reference/random.js';
