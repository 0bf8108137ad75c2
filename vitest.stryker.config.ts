import { defineConfig } from 'vitest/config';

// The GPU-free unit tests that Stryker (`npm run mutants:ts`, stryker.config.json) runs against each mutant
// of the GPU-free modules it mutates. No test here opens a device.
export default defineConfig({
  test: {
    include: [
      'test/unit/**/*.test.ts', 'test/bench/fit-robust.test.ts', 'test/bench/crossover.test.ts', 'test/kernels/codegen.test.ts',
      'test/buffers/strided.test.ts', 'test/fallback/wgsl-js.test.ts', 'test/placement/decide.test.ts', 'test/fleet/collect.test.ts', 'test/fleet/job-data.test.ts',
    ],
    pool: 'forks',
    maxWorkers: 1,
  },
});
