import { Command, Option } from 'commander';
import { benchCommand, fleetBenchCommand, DEFAULT_SIZES, QUICK_SIZES } from './bench.js';
import { runInfo } from './info.js';
import { cliAction, EXIT_USAGE, watchStdout } from './errors.js';
import { UsageError } from '../errors.js';
import { runTune } from './tune.js';
import { runSetup } from './setup.js';
import { runDoctor } from './doctor.js';
import { runMatrix } from './matrix.js';
import { placementCommand } from './placement.js';
import { gpukitVersion } from '../bench/placement-file.js';

watchStdout();
const program = new Command();
program
  .name('gpukit')
  .description('GPU compute for Node.js, Bun and Deno: device info, benchmarks, tuning, test setup')
  .version(gpukitVersion(), '-V, --version', "print gpukit's version")
  .enablePositionalOptions();
// Commander's own usage errors (unknown option, missing argument) exit 2 like gpukit's; help and --version stay 0.
// Set before the subcommands are added: they inherit it.
program.exitOverride((err) => process.exit(err.exitCode === 1 ? EXIT_USAGE : err.exitCode));

const backend = new Option('--backend <name>', 'force a Dawn backend (vulkan, opengles, ...)').env('GPUKIT_BACKEND');
const featureLevel = new Option('--feature-level <level>', 'force a feature level').choices(['core', 'compatibility']).env('GPUKIT_FEATURE_LEVEL');
const adapter = new Option('--adapter <text>', 'force an adapter whose name contains this text').env('GPUKIT_ADAPTER');
const webgpu = new Option('--webgpu <impl>', "WebGPU implementation: dawn (the webgpu package) or wgpu (Deno's own navigator.gpu)").choices(['dawn', 'wgpu']).env('GPUKIT_WEBGPU');

program
  .command('info')
  .description('print the adapter, backend, feature level, software or hardware, limits and features')
  .addOption(backend)
  .addOption(featureLevel)
  .addOption(adapter)
  .addOption(webgpu)
  .option('--json', 'print device info as JSON')
  .option('--all', 'print every limit and every adapter found')
  .action(async (o: { backend?: string; featureLevel?: string; adapter?: string; webgpu?: string; json?: boolean; all?: boolean }) => {
    process.exitCode = await cliAction('info', () => runInfo({
      ...(o.webgpu !== undefined ? { webgpu: o.webgpu as 'dawn' } : {}),
      ...(o.backend !== undefined ? { backend: o.backend as 'vulkan' } : {}),
      ...(o.featureLevel !== undefined ? { featureLevel: o.featureLevel as 'core' } : {}),
      ...(o.adapter !== undefined ? { adapter: o.adapter } : {}),
      ...(o.json === true ? { json: true } : {}),
      ...(o.all === true ? { all: true } : {}),
    }));
  });

program
  .command('bench')
  .description('benchmark ops on the CPU (one thread, worker pool) and the GPU (kernel-only, end-to-end): crossovers, asymptotes, roofline, and why')
  .argument('[ops...]', 'ops to bench (default: every op this build has: axpy, sum, dot, add, add-bcast, softmax-rows, chain, scan, sort, matmul)')
  .option('--sizes <range>', `sizes: 2^a..2^b[:step] or a comma list (default ${DEFAULT_SIZES}; --quick ${QUICK_SIZES}; chain: 2^10, 2^14, 2^18, 2^22 unless given)`)
  .option('--contenders <list>', 'comma list of contenders (names or roles) to run: cpu-1t, cpu-pool, cpu-wasm, gpu-kernel, gpu-e2e, gpu-stream, gpu-kernel-unfused, gpu-e2e-unfused (chain)')
  .option('--json <file>', 'write the full report as JSON (schema: docs/bench-json.md)')
  .option('--csv <file>', 'write one row per op, contender and size as CSV')
  .option('--html <file>', 'write a self-contained HTML report with SVG charts')
  .option('--quick', 'fewer sizes and samples: about 30 s')
  .option('--placement', 'instead of the sweep: run each op placed by the model, always on the CPU and always on the GPU, and print how often placement picked the faster side and its regret per size')
  .option('--progress', 'show the progress bar on stderr even when it is not a terminal (default: only on a terminal)')
  .option('--no-progress', 'no progress bar')
  .option('--fleet', 'publish the sweep to every adapter kind of a gpukit worker fleet (shards: op × size range) and write one atlas (--json, --html) across adapters')
  .option('--redis <url>', 'with --fleet: the fleet\'s Redis (default GPUKIT_REDIS_URL, else redis://127.0.0.1:6379)')
  .option('--queues <list>', 'with --fleet: kind queues to publish to (default: gpukit.<kind> of every announced worker kind)')
  .option('--shard-sizes <n>', 'with --fleet: at most n sizes per shard; each op\'s sweep is cut into contiguous size ranges that a kind\'s workers share (default 2)')
  .addOption(backend)
  .addOption(featureLevel)
  .addOption(adapter)
  .addOption(webgpu)
  .action(async (ops: string[], o: { sizes?: string; contenders?: string; json?: string; csv?: string; html?: string; quick?: boolean; placement?: boolean; progress?: boolean; fleet?: boolean; redis?: string; queues?: string; shardSizes?: string; backend?: string; featureLevel?: string; adapter?: string; webgpu?: string }) => {
    const open = {
      ...(o.webgpu !== undefined ? { webgpu: o.webgpu as 'dawn' } : {}),
      ...(o.backend !== undefined ? { backend: o.backend as 'vulkan' } : {}),
      ...(o.featureLevel !== undefined ? { featureLevel: o.featureLevel as 'core' } : {}),
      ...(o.adapter !== undefined ? { adapter: o.adapter } : {}),
    };
    const fleetOnly = (['redis', 'queues', 'shardSizes'] as const).filter((key) => o[key] !== undefined);
    if (o.fleet !== true && fleetOnly.length > 0) {
      process.exitCode = await cliAction('bench', () => {
        throw new UsageError(`--${fleetOnly.map((key) => (key === 'shardSizes' ? 'shard-sizes' : key)).join(', --')} ${fleetOnly.length > 1 ? 'go' : 'goes'} with --fleet only`);
      });
      return;
    }
    if (o.placement === true) {
      process.exitCode = await cliAction('bench', () => {
        if (o.fleet === true) throw new UsageError('--placement and --fleet do not combine: place on this machine, or publish the sweep to a fleet');
        const other = (['contenders', 'json', 'csv', 'html'] as const).filter((k) => o[k] !== undefined);
        if (other.length > 0) throw new UsageError(`--placement prints its table only; it does not take --${other.join(', --')}`);
        return placementCommand({ ops, ...(o.sizes !== undefined ? { sizes: o.sizes } : {}), ...(o.quick === true ? { quick: true } : {}), ...(o.progress !== undefined ? { progress: o.progress } : {}), open });
      });
      return;
    }
    // What a sweep here and a sweep published to a fleet share.
    const sweep = {
      ops,
      ...(o.sizes !== undefined ? { sizes: o.sizes } : {}),
      ...(o.contenders !== undefined ? { contenders: o.contenders } : {}),
      ...(o.json !== undefined ? { json: o.json } : {}),
      ...(o.csv !== undefined ? { csv: o.csv } : {}),
      ...(o.html !== undefined ? { html: o.html } : {}),
      ...(o.quick === true ? { quick: true } : {}),
      command: ['gpukit', ...process.argv.slice(2)].join(' '),
    };
    if (o.fleet === true) {
      process.exitCode = await cliAction('bench', () => fleetBenchCommand({
        ...sweep,
        ...(o.redis !== undefined ? { redis: o.redis } : {}),
        ...(o.queues !== undefined ? { queues: o.queues } : {}),
        ...(o.shardSizes !== undefined ? { shardSizes: o.shardSizes } : {}),
      }));
      return;
    }
    process.exitCode = await cliAction('bench', () => benchCommand({ ...sweep, ...(o.progress !== undefined ? { progress: o.progress } : {}), open }));
  });

program
  .command('compare')
  .description('compare two `gpukit bench --json` reports of the same sweep (or two adapters of a `bench --fleet` atlas, atlas.json#<kind>): do crossovers and medians agree?')
  .argument('<a>', 'first report (JSON), or atlas.json#<kind>')
  .argument('<b>', 'second report (JSON), or atlas.json#<kind>')
  .action(async (a: string, b: string) => {
    process.exitCode = await cliAction('compare', async () => {
      const { compareReports, readReport } = await import('../bench/compare.js');
      if (!a.includes('#') && !b.includes('#')) {
        // Both are read and checked before anything is printed.
        const r = compareReports(readReport(a), readReport(b));
        for (const l of r.lines) console.log(l);
        return 0;
      }
      const { readComparable } = await import('../fleet/atlas.js');
      const [ra, rb] = [readComparable(a), readComparable(b)];
      console.log(`a: ${ra.label}`);
      console.log(`b: ${rb.label}`);
      if (ra.report.adapter.description !== rb.report.adapter.description) console.log('different adapters: DIFFER marks an op whose verdict changes from one adapter to the other');
      for (const l of compareReports(ra.report, rb.report).lines) console.log(l);
      return 0;
    });
  });

program
  .command('tune')
  .description("time each op's candidate kernel parameters on this adapter and cache the winners (per adapter identity)")
  .argument('[ops...]', 'tunable ops (default: all)')
  .option('--quick', 'only the smallest and largest size class, fewer repetitions')
  .option('--verbose', 'print every candidate timing')
  .addOption(backend)
  .addOption(featureLevel)
  .addOption(adapter)
  .action(async (ops: string[], o: { quick?: boolean; verbose?: boolean; backend?: string; featureLevel?: string; adapter?: string }) => {
    process.exitCode = await cliAction('tune', () => runTune({
      ops,
      quick: o.quick === true,
      verbose: o.verbose === true,
      open: {
        ...(o.backend !== undefined ? { backend: o.backend as 'vulkan' } : {}),
        ...(o.featureLevel !== undefined ? { featureLevel: o.featureLevel as 'core' } : {}),
        ...(o.adapter !== undefined ? { adapter: o.adapter } : {}),
      },
    }));
  });

program
  .command('worker')
  .description('a fleet worker: open one device and run BullMQ jobs (sharded jobs, bench --fleet shards) from Redis, one at a time, until SIGTERM')
  .option('--redis <url>', 'Redis URL, redis://:password@host:port or rediss:// for TLS (default GPUKIT_REDIS_URL, else redis://127.0.0.1:6379)')
  .option('--modules <paths...>', 'job modules this worker runs: files under these directories, or these files (default GPUKIT_WORKER_MODULES; none: bench --fleet shards only)')
  .addOption(new Option('--queue <list>', 'comma list of queues to consume; {kind} expands to this adapter\'s kind').default('gpukit').env('GPUKIT_QUEUE'))
  .option('--lock-ms <ms>', 'job lock: a killed worker\'s job is taken over after about this long', '30000')
  .option('--stalled-ms <ms>', 'interval of the stalled-job check', '30000')
  .addOption(new Option('--engine <name>', 'engine (default GPUKIT_ENGINE or auto)').choices(['auto', 'dawn', 'gpujs']))
  .addOption(backend)
  .addOption(featureLevel)
  .addOption(adapter)
  .action(async (o: { redis?: string; modules?: string[]; queue: string; lockMs: string; stalledMs: string; engine?: string; backend?: string; featureLevel?: string; adapter?: string }) => {
    process.exitCode = await cliAction('worker', async () => {
      const { runWorker } = await import('./worker.js');
      const { UsageError } = await import('../errors.js');
      const { redisUrlProblem } = await import('../fleet/redis.js');
      const bad = o.redis !== undefined ? redisUrlProblem(o.redis) : undefined;
      if (bad !== undefined) throw new UsageError(`--redis: ${bad}`);
      const ms = (flag: string, v: string): number => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 100) throw new UsageError(`${flag}: expected a whole number of milliseconds ≥ 100, got '${v}'`);
        return n;
      };
      return runWorker({
        ...(o.redis !== undefined ? { redis: o.redis } : {}),
        ...(o.modules !== undefined ? { modules: o.modules } : {}),
        queues: o.queue.split(',').map((q) => q.trim()).filter((q) => q !== ''),
        lockDurationMs: ms('--lock-ms', o.lockMs),
        stalledIntervalMs: ms('--stalled-ms', o.stalledMs),
        open: {
          ...(o.engine !== undefined ? { engine: o.engine as 'auto' } : {}),
          ...(o.backend !== undefined ? { backend: o.backend as 'vulkan' } : {}),
          ...(o.featureLevel !== undefined ? { featureLevel: o.featureLevel as 'core' } : {}),
          ...(o.adapter !== undefined ? { adapter: o.adapter } : {}),
        },
      });
    });
  });

program
  .command('setup')
  .description('install the software GPU adapter (Mesa lavapipe, EGL/GLES) on Debian/Ubuntu; elsewhere say what to install')
  .option('--dry-run', 'print the commands it would run, run none')
  .action(async (o: { dryRun?: boolean }) => {
    process.exitCode = await cliAction('setup', () => runSetup({ dryRun: o.dryRun === true }));
  });

program
  .command('doctor')
  .description('which engines (Dawn core, Dawn GLES compatibility, gpujs) can run here, and the command that fixes each that cannot')
  .action(async () => {
    process.exitCode = await cliAction('doctor', () => runDoctor());
  });

program
  .command('test-matrix')
  .description('run a test command on Dawn core, Dawn GLES compatibility and gpujs (Dawn hidden), as gpukit\'s CI does: gpukit test-matrix -- vitest run')
  .option('--engines <list>', 'comma list of engines: core, compat, gpujs (default all)')
  .argument('<command...>', 'the test command, after --')
  .passThroughOptions()
  .action(async (command: string[], o: { engines?: string }) => {
    process.exitCode = await cliAction('test-matrix', () => runMatrix(command, o.engines !== undefined ? { engines: o.engines } : {}));
  });

await program.parseAsync(process.argv);
