import { formatTable } from '../bench/report.js';
import { ceilingsOf, measuredOps, savePlacement } from '../bench/placement-file.js';
import { checkDistinctOutputs, checkOutputPath, DEFAULT_SIZES, parseSizes, QUICK_SIZES, sweepBench, writeBenchFiles, type BenchCliOptions } from '../bench/run.js';

export { DEFAULT_SIZES, QUICK_SIZES } from '../bench/run.js';

/**
 * The CLI action: checks every option before any work, sweeps, prints the table, then writes the files
 * (so a file that cannot be written never costs the results). Errors go to {@link cliAction}'s handler.
 * The fitted lines of the ops swept over enough sizes are saved as this adapter's placement model.
 */
export async function benchCommand(o: BenchCliOptions): Promise<number> {
  let saved: string | undefined;
  // Ctrl-C: the sweep stops after the measurement running then, and what was measured is printed and
  // written (marked partial), exit 130; a second Ctrl-C quits at once.
  const stop = new AbortController();
  const onSigint = (): void => {
    if (stop.signal.aborted) process.exit(EXIT_SIGINT);
    stop.abort();
    process.stderr.write('\ngpukit bench: interrupted: finishing the measurement running now, then writing what was measured (Ctrl-C again to quit at once)\n');
  };
  process.on('SIGINT', onSigint);
  let report;
  try {
    report = await sweepBench({
      ...o,
      signal: stop.signal,
      onReport: (info, r) => {
        const ops = measuredOps(r);
        if (Object.keys(ops).length === 0) return;
        const s = savePlacement(info, { ops, calibration: ceilingsOf(r.calibration) });
        if (s.written) saved = `placement model (${Object.keys(ops).join(', ')}) saved to ${s.path}`;
      },
    });
  } finally {
    process.off('SIGINT', onSigint);
  }
  console.log(formatTable(report));
  for (const { flag, path } of writeBenchFiles(report, o)) console.log(`${flag.slice(2).toUpperCase()} written to ${path}`);
  if (saved !== undefined) console.log(saved);
  if (report.interrupted !== undefined) {
    console.error(`gpukit bench: interrupted: the report${o.json !== undefined || o.csv !== undefined || o.html !== undefined ? ' and its files hold' : ' holds'} only what was measured (${report.interrupted})`);
    return EXIT_SIGINT;
  }
  return 0;
}

/** Exit code of a sweep cut short by Ctrl-C (128 + SIGINT, as a shell reports it). */
export const EXIT_SIGINT = 130;

/**
 * `gpukit bench --fleet`: the sweep published to every adapter kind's workers as shards (op × size range); prints the
 * cross-adapter table and writes the atlas (`--json`, `--html`). Options are checked before anything is sent.
 */
export async function fleetBenchCommand(o: BenchCliOptions & { readonly redis?: string; readonly queues?: string; readonly shardSizes?: string }): Promise<number> {
  const { benchOps } = await import('../bench/ops.js');
  const { UsageError } = await import('../errors.js');
  const { runAtlas, formatAtlasTable, writeAtlas } = await import('../fleet/atlas.js');
  const { redactUrl, redisUrlProblem } = await import('../fleet/redis.js');
  const badUrl = o.redis !== undefined ? redisUrlProblem(o.redis) : undefined;
  if (badUrl !== undefined) throw new UsageError(`--redis: ${badUrl}`);
  const sizes = o.sizes ?? (o.quick === true ? QUICK_SIZES : DEFAULT_SIZES);
  parseSizes(sizes);
  const available = benchOps().map((a) => a.name);
  const unknown = o.ops.filter((n) => !available.includes(n));
  if (unknown.length > 0) throw new UsageError(`unknown op ${unknown.join(', ')}; this build can bench: ${available.join(', ')}`);
  if (o.csv !== undefined || o.contenders !== undefined) throw new UsageError('--fleet writes an atlas (--json, --html); --csv and --contenders are for one adapter');
  if (o.json !== undefined) checkOutputPath('--json', o.json);
  if (o.html !== undefined) checkOutputPath('--html', o.html);
  checkDistinctOutputs([['--json', o.json], ['--html', o.html]]);
  const shardSizes = o.shardSizes === undefined ? undefined : Number(o.shardSizes);
  if (shardSizes !== undefined && !(Number.isInteger(shardSizes) && shardSizes >= 1)) throw new UsageError(`--shard-sizes: expected a positive whole number of sizes per shard, got '${String(o.shardSizes)}'`);
  const atlas = await runAtlas({
    // In the build's op order, as a single-adapter `gpukit bench` reports them.
    ops: o.ops.length > 0 ? available.filter((n) => o.ops.includes(n)) : available,
    sizes,
    ...(o.sizes === undefined ? { defaultSizes: true } : {}),
    ...(shardSizes !== undefined ? { shardSizes } : {}),
    ...(o.quick === true ? { quick: true } : {}),
    ...(o.redis !== undefined ? { redis: o.redis } : {}),
    ...(o.queues !== undefined ? { queues: o.queues.split(',').map((q) => q.trim()).filter((q) => q !== '') } : {}),
    // The atlas keeps the command line: never a Redis password in it.
    ...(o.command !== undefined ? { command: o.command.split(' ').map(redactUrl).join(' ') } : {}),
  });
  console.log(formatAtlasTable(atlas));
  for (const { flag, path } of writeAtlas(atlas, o)) console.log(`${flag.slice(2).toUpperCase()} written to ${path}`);
  return atlas.adapters.some((a) => a.state === 'measured') ? 0 : 1;
}
