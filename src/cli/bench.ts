import { formatTable } from '../bench/report.js';
import { ceilingsOf, measuredOps, savePlacement } from '../bench/placement-file.js';
import { sweepBench, writeBenchFiles, type BenchCliOptions } from '../bench/run.js';

export { DEFAULT_SIZES, QUICK_SIZES } from '../bench/run.js';

/**
 * The CLI action: checks every option before any work, sweeps, prints the table, then writes the files
 * (so a file that cannot be written never costs the results). Errors go to {@link cliAction}'s handler.
 * The fitted lines of the ops swept over enough sizes are saved as this adapter's placement model.
 */
export async function benchCommand(o: BenchCliOptions): Promise<number> {
  let saved: string | undefined;
  const report = await sweepBench({
    ...o,
    onReport: (info, r) => {
      const ops = measuredOps(r);
      if (Object.keys(ops).length === 0) return;
      const s = savePlacement(info, { ops, calibration: ceilingsOf(r.calibration) });
      if (s.written) saved = `placement model (${Object.keys(ops).join(', ')}) saved to ${s.path}`;
    },
  });
  console.log(formatTable(report));
  for (const { flag, path } of writeBenchFiles(report, o)) console.log(`${flag.slice(2).toUpperCase()} written to ${path}`);
  if (saved !== undefined) console.log(saved);
  return 0;
}
