/**
 * `gpukit bench --fleet` shards by op × size range on a real fleet: two lavapipe (Vulkan core) workers and one
 * GLES compatibility worker on one Redis. The core kind's shards are shared by its two workers (both run some),
 * and each kind's shards merge into one report in which every op is measured at every size exactly once.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runAtlas, type Atlas } from '../../src/fleet/atlas.js';
import { gpukit } from '../cli/spawn.js';
import { startRedis, startWorker, stopAll, type RedisProcess, type WorkerProcess } from './harness.js';

const OPS = ['sum', 'axpy'];
const SIZES = [2 ** 10, 2 ** 11, 2 ** 12];

let redis: RedisProcess;
const core: WorkerProcess[] = [];
let compat: WorkerProcess;

beforeAll(async () => {
  redis = await startRedis();
  // One after another: Dawn start-ups at once only fight over two cores.
  for (let i = 0; i < 2; i++) core.push(await startWorker(redis.url, 'core', 'gpukit.{kind}', { lockMs: 20_000 }));
  compat = await startWorker(redis.url, 'compat', 'gpukit.{kind}', { lockMs: 20_000 });
}, 120_000);

afterAll(async () => {
  await stopAll();
}, 30_000);

describe('the atlas sweep sharded by op × size range', () => {
  test('a kind\'s workers share its shards, and each kind\'s merged report has every op at every size exactly once', async () => {
    const atlas: Atlas = await runAtlas({ redis: redis.url, ops: OPS, sizes: SIZES.join(','), quick: true, shardSizes: 1, timeoutMs: 50_000 });
    const coreKind = core[0]?.kind ?? '';
    expect(core[1]?.kind).toBe(coreKind);
    expect(atlas.shardSizes).toBe(1);
    expect(atlas.adapters.map((a) => a.kind).sort()).toEqual([coreKind, compat.kind].sort());
    for (const a of atlas.adapters) {
      if (a.state !== 'measured') throw new Error(`${a.kind} not measured: ${a.error}`);
      // Every op × size is one shard of its own, each run once.
      expect(a.shards.map((s) => `${s.op}@${s.sizes.join(',')}`)).toEqual(OPS.flatMap((op) => SIZES.map((n) => `${op}@${String(n)}`)));
      expect(a.report.ops.map((o) => o.name)).toEqual(OPS);
      for (const op of a.report.ops) {
        expect(op.sizes).toEqual(SIZES);
        expect(op.contenders.length).toBeGreaterThan(2);
        for (const c of op.contenders) expect(c.points.map((p) => p.n)).toEqual(SIZES);
        for (const c of op.comparisons) expect(c.speedups.map((s) => s.n)).toEqual(SIZES);
        expect(op.phases.map((p) => p.n)).toEqual(SIZES);
      }
    }
    const byKind = new Map(atlas.adapters.map((a) => [a.kind, a]));
    const shared = byKind.get(coreKind);
    if (shared?.state !== 'measured') throw new Error('core kind not measured');
    // Both core workers ran shards; the compat worker ran all of its kind's and none of the core kind's.
    expect(shared.workers).toEqual(core.map((w) => w.id).sort());
    for (const w of core) expect(shared.shards.filter((s) => s.worker === w.id).length).toBeGreaterThan(0);
    const other = byKind.get(compat.kind);
    if (other?.state !== 'measured') throw new Error('compat kind not measured');
    expect(other.workers).toEqual([compat.id]);
    // The workers' own logs agree: each shard done once, by the worker the atlas names.
    const done = (w: WorkerProcess): number => (w.output().match(/done gpukit\.\S+ job \S+ shard \d+/g) ?? []).length;
    expect(core.map(done)).toEqual(core.map((w) => shared.shards.filter((s) => s.worker === w.id).length));
    expect(done(compat)).toBe(OPS.length * SIZES.length);
  });

  test('--shard-sizes that is not a positive whole number is refused before anything is published', async () => {
    const before = [...core, compat].map((w) => w.output().length);
    for (const bad of ['0', '1.5', 'two']) {
      const r = await gpukit(['bench', '--fleet', 'sum', '--sizes', '2^10', '--shard-sizes', bad, '--redis', redis.url]);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(`--shard-sizes: expected a positive whole number of sizes per shard, got '${bad}'`);
    }
    expect([...core, compat].map((w) => w.output().length)).toEqual(before);
  });
});
