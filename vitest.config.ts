import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    // Two cores: more workers only fight over the software adapter's threads.
    maxWorkers: 2,
    // The soak test collects garbage before it reads RSS, so it measures leaks rather than GC timing.
    execArgv: ['--expose-gc'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
