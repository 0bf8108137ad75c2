import { formatTable } from '../bench/report.js';
import { runBench, type BenchCliOptions } from '../bench/run.js';
import { DeviceUnavailableError } from '../errors.js';

export { DEFAULT_SIZES, QUICK_SIZES } from '../bench/run.js';

/** The CLI action: prints the table; exit code 1 without an adapter. */
export async function benchCommand(o: BenchCliOptions): Promise<number> {
  try {
    const report = await runBench(o);
    console.log(formatTable(report));
    for (const [what, file] of [['JSON', o.json], ['CSV', o.csv], ['HTML', o.html]] as const) if (file !== undefined) console.log(`${what} written to ${file}`);
    return 0;
  } catch (e) {
    if (e instanceof DeviceUnavailableError) {
      console.error(`gpukit bench: no usable GPU adapter.\n${e.message}`);
      return 1;
    }
    throw e;
  }
}
