import { formatTable } from '../bench/report.js';
import { sweepBench, writeBenchFiles, type BenchCliOptions } from '../bench/run.js';

export { DEFAULT_SIZES, QUICK_SIZES } from '../bench/run.js';

/**
 * The CLI action: checks every option before any work, sweeps, prints the table, then writes the files
 * (so a file that cannot be written never costs the results). Errors go to {@link cliAction}'s handler.
 */
export async function benchCommand(o: BenchCliOptions): Promise<number> {
  const report = await sweepBench(o);
  console.log(formatTable(report));
  for (const { flag, path } of writeBenchFiles(report, o)) console.log(`${flag.slice(2).toUpperCase()} written to ${path}`);
  return 0;
}
