import { formatTable } from './report.js';
import { runBench } from './run.js';

/**
 * Runs one op's suite (bench/<op>.bench.ts) with the options `gpukit bench` takes (`--quick`, `--sizes`),
 * and prints its table.
 *
 * @example
 * ```ts
 * await runSuite('sum', ['--quick']);
 * ```
 */
export async function runSuite(op: string, argv: readonly string[]): Promise<void> {
  const sizesAt = argv.indexOf('--sizes');
  const sizes = sizesAt >= 0 ? argv[sizesAt + 1] : undefined;
  const report = await runBench({ ops: [op], quick: argv.includes('--quick'), ...(sizes !== undefined ? { sizes } : {}), command: `bench/${op}.bench.ts ${argv.join(' ')}` });
  console.log(formatTable(report));
}
