/**
 * tinybench suite for `matmul`: CPU one thread, CPU worker pool, GPU kernel-only and GPU end-to-end over
 * the default sizes. It is the same harness `gpukit bench matmul` runs (src/bench/runner.ts), reachable on
 * its own: `npx tsx bench/matmul.bench.ts [--quick] [--sizes 2^10..2^20]`.
 */
import { runSuite } from '../src/bench/suite.js';

await runSuite('matmul', process.argv.slice(2));
