// `npm run mutants:ts`: Stryker mutation testing of the GPU-free TypeScript modules, judged by the GPU-free
// unit tests of vitest.stryker.config.ts (no device is opened). pool.ts is mutated up to the end of
// SizeClassPool (sizeClass and the accounting); BufferPool below it needs a device and is covered by
// `npm run mutants` instead; likewise axis-options.ts only from checkAxisOptions to axisCallOptions (the options
// checks and the rows × R plan), its kernels and host loops being judged by the GPU tests. The WGSL→JS
// translator (src/backends/host/wgsl-js.ts) is judged by test/unit/wgsl-js-*.test.ts and test/fallback/wgsl-js.test.ts,
// which translate and run snippets of every builtin, statement form and error without a device (see
// docs/contributing/mutation-testing.md); `npx stryker run --mutate src/backends/host/wgsl-js.ts` measures it alone.
// Concurrency 1: CI and dev machines here have two cores.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: 'vitest.stryker.config.ts' },
  mutate: [
    'src/bench/stats.ts', 'src/bench/model.ts', 'src/backends/dawn/pool.ts:1-281', 'src/buffers/dtype.ts', 'src/backends/dawn/uniform.ts', 'src/testing/tolerance.ts',
    'src/buffers/strided.ts', 'src/buffers/chunks.ts', 'src/ops/axis-options.ts:39-101', 'src/placement/model.ts', 'src/fleet/protocol.ts',
    'src/backends/host/wgsl-js.ts',
  ],
  coverageAnalysis: 'perTest',
  concurrency: 1,
  timeoutMS: 20000,
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  thresholds: { high: 90, low: 80, break: 80 },
};
