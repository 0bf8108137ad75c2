/**
 * Test job module: logs its start, waits `ms`, draws 4 uniforms of seed `index` on the worker's device, logs its
 * end. Its lines in `log` show how often each shard started and finished, and in which process.
 */
import { appendFileSync } from 'node:fs';
import { random, type GpuDevice } from '../../../src/index.js';

export interface SlowShard {
  readonly log: string;
  readonly ms: number;
  /** Throw instead of finishing (every attempt). */
  readonly fail?: boolean;
}

export default async function slow(device: GpuDevice, shard: SlowShard, index: number): Promise<{ index: number; u: number[]; pid: number }> {
  appendFileSync(shard.log, `start ${String(index)} ${String(process.pid)}\n`);
  await new Promise((r) => setTimeout(r, shard.ms));
  if (shard.fail === true) throw new Error(`shard ${String(index)} refuses (planted failure)`);
  using u = random.uniform(device, 4, { seed: index });
  const values = Array.from(await u.toArray());
  appendFileSync(shard.log, `end ${String(index)} ${String(process.pid)}\n`);
  return { index, u: values, pid: process.pid };
}

/** Records what the reducer saw: the indices in order. */
export function reduce(results: readonly { index: number; u: number[]; pid: number }[]): { indices: number[]; results: readonly { index: number; u: number[]; pid: number }[] } {
  return { indices: results.map((r) => r.index), results };
}
