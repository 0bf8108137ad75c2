/**
 * What a shard costs to send through the fleet, side by side in one run on this machine: the Monte Carlo
 * option shard (examples/fleet/option-shard.ts) run in this process vs as a one-shard fleet job (submit, a
 * worker takes it, runs it, the parent reduces, the submitter hears of it), and a job of 32 empty shards
 * on one worker (the per-shard overhead: Redis round trips, the flow's bookkeeping). Starts its own
 * redis-server on a free 127.0.0.1 port and one `gpukit worker` (lavapipe core), and stops them by pid.
 *
 *   npx tsx bench/fleet-overhead.ts [--reps 7]
 */
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { openDevice } from '../src/index.js';
import { fleet } from '../src/fleet/index.js';
import optionShard, { optionShards } from '../examples/fleet/option-shard.js';
import { startRedis, startWorker, stopAll } from '../test/fleet/harness.js';

const reps = Number(process.argv[process.argv.indexOf('--reps') + 1] ?? 7) || 7;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? NaN;
const MODULE = fileURLToPath(new URL('../examples/fleet/option-shard.ts', import.meta.url));
const OPTION = { seed: 1, spot: 100, strike: 105, rate: 0.03, vol: 0.25, years: 1 };

const redis = await startRedis();
try {
  await startWorker(redis.url, 'core', 'bench');
  await using f = fleet({ redis: redis.url });
  await using device = await openDevice({ engine: 'dawn' });
  console.log(`adapter: ${device.info.description}${device.info.isSoftware ? ' (software, CPU-emulated)' : ''}; cpu: ${cpus()[0]?.model ?? '?'}; Redis on 127.0.0.1`);
  for (const paths of [1 << 12, 1 << 18, 1 << 21]) {
    const [shard] = optionShards(OPTION, paths, 1);
    if (shard === undefined) throw new Error('no shard');
    const local: number[] = [];
    const remote: number[] = [];
    for (let i = 0; i < reps; i++) {
      let t0 = performance.now();
      await optionShard(device, shard);
      local.push(performance.now() - t0);
      t0 = performance.now();
      await f.run({ module: MODULE, shards: [shard], queue: 'bench' });
      remote.push(performance.now() - t0);
    }
    const [l, r] = [median(local), median(remote)];
    console.log(`${String(paths).padStart(8)} paths: in process ${l.toFixed(1)} ms, one-shard fleet job ${r.toFixed(1)} ms (${(r / l).toFixed(2)}×, +${(r - l).toFixed(1)} ms)`);
  }
  const empty = optionShards(OPTION, 32, 32);
  const per: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await f.run({ module: MODULE, shards: empty, queue: 'bench' });
    per.push((performance.now() - t0) / 32);
  }
  console.log(`32 one-path shards on one worker: ${median(per).toFixed(2)} ms per shard`);
} finally {
  await stopAll();
}
