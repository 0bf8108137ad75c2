import { Command, Option } from 'commander';
import { runInfo } from './info.js';

const program = new Command();
program.name('gpukit').description('GPU compute for Node.js: device info, benchmarks, tuning');

const backend = new Option('--backend <name>', 'force a Dawn backend (vulkan, opengles, ...)').env('GPUKIT_BACKEND');
const featureLevel = new Option('--feature-level <level>', 'force a feature level').choices(['core', 'compatibility']).env('GPUKIT_FEATURE_LEVEL');
const adapter = new Option('--adapter <text>', 'force an adapter whose name contains this text').env('GPUKIT_ADAPTER');

program
  .command('info')
  .description('print the adapter, backend, feature level, software or hardware, limits and features')
  .addOption(backend)
  .addOption(featureLevel)
  .addOption(adapter)
  .option('--json', 'print device info as JSON')
  .option('--all', 'print every limit and every adapter found')
  .action(async (o: { backend?: string; featureLevel?: string; adapter?: string; json?: boolean; all?: boolean }) => {
    process.exitCode = await runInfo({
      ...(o.backend !== undefined ? { backend: o.backend as 'vulkan' } : {}),
      ...(o.featureLevel !== undefined ? { featureLevel: o.featureLevel as 'core' } : {}),
      ...(o.adapter !== undefined ? { adapter: o.adapter } : {}),
      ...(o.json === true ? { json: true } : {}),
      ...(o.all === true ? { all: true } : {}),
    });
  });

await program.parseAsync(process.argv);
