/**
 * Fault injection on a real fleet (Redis and two lavapipe workers, short BullMQ locks): a worker SIGKILLed
 * mid-job, a worker stopped with SIGTERM mid-job, one stopped with a second SIGTERM (force: the shard is handed
 * back), a job module changed on disk under a running worker, Redis restarted between jobs, a module that throws, a module
 * that does not export a job, a shard over its time budget, and a flow with a duplicated and a missing shard.
 * Every job completes exactly once (each shard's `end` line appears once) or fails with each shard's error
 * recorded; the reducer never sees a duplicate or a missing shard.
 */
import { mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FlowProducer } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { uniformCpu } from '../../src/testing/index.js';
import { fleet, FleetJobError, type Fleet } from '../../src/fleet/index.js';
import { closeAll, startRedis, startWorker, TEST_MODULES, type RedisProcess, type WorkerProcess } from './harness.js';
import type { SlowShard } from './jobs/slow.js';

const SLOW = fileURLToPath(new URL('./jobs/slow.ts', import.meta.url));
const NO_EXPORT = fileURLToPath(new URL('./jobs/no-export.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'gpukit-faults-'));
let logs = 0;
const newLog = (): string => join(dir, `log-${String(++logs)}.txt`);

/** How often each shard started and ended, from a slow.ts log. */
function tally(log: string): { starts: Map<number, string[]>; ends: Map<number, string[]> } {
  const starts = new Map<number, string[]>();
  const ends = new Map<number, string[]>();
  for (const line of readFileSync(log, 'utf8').trim().split('\n')) {
    const [what, index, pid] = line.split(' ');
    const m = what === 'start' ? starts : ends;
    m.set(Number(index), [...(m.get(Number(index)) ?? []), pid ?? '']);
  }
  return { starts, ends };
}

function readLog(log: string): string {
  try {
    return readFileSync(log, 'utf8');
  } catch {
    return '';
  }
}

async function poll<T>(f: () => T | undefined, ms = 20_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() - t0 > ms) throw new Error(`poll: nothing after ${String(ms)} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

type Slow = { indices: number[]; results: { index: number; u: number[]; pid: number }[] };

/** The values each shard must return, from the CPU Philox reference. */
const expected = (n: number): number[][] => Array.from({ length: n }, (_, i) => Array.from(uniformCpu(4, i)));

let redis: RedisProcess;
let a: WorkerProcess;
let b: WorkerProcess;
/** The worker that takes over the force-stopped worker's shard (queue faults-force). */
let y: WorkerProcess;
let f: Fleet;

beforeAll(async () => {
  redis = await startRedis();
  a = await startWorker(redis.url, 'core', 'faults');
  b = await startWorker(redis.url, 'core', 'faults');
  f = fleet({ redis: redis.url });
}, 90_000);

afterAll(() => closeAll(f as Fleet | undefined), 30_000);

describe('fault injection', () => {
  test('a worker SIGKILLed mid-job: its shard runs again on the other worker, and completes exactly once', async () => {
    const log = newLog();
    const shards: SlowShard[] = Array.from({ length: 4 }, () => ({ log, ms: 1200 }));
    const pending = f.run<SlowShard, Slow>({ module: SLOW, shards, queue: 'faults', timeoutMs: 40_000 });
    // Killed once the job module itself has started in worker a (not merely been taken from the queue).
    const victim = await poll(() => /^start (\d+) (\d+)$/m.exec(readLog(log).split('\n').filter((l) => l.endsWith(` ${String(a.pid)}`)).join('\n'))?.[1]);
    await a.kill();
    const r = await pending;
    expect(r.value.indices).toEqual([0, 1, 2, 3]);
    expect(r.value.results.map((x) => x.u)).toEqual(expected(4));
    const { starts, ends } = tally(log);
    for (let i = 0; i < 4; i++) expect(ends.get(i)?.length).toBe(1);
    // The killed shard started in the killed worker and again in the survivor, which finished it.
    expect(starts.get(Number(victim))).toContain(String(a.pid));
    expect(ends.get(Number(victim))).toEqual([String(b.pid)]);
    expect(r.shards.every((s) => s.worker.id === b.id)).toBe(true);
    expect(r.duplicates).toBe(0);
    a = await startWorker(redis.url, 'core', 'faults');
  });

  test('SIGTERM mid-job: the worker finishes its shard, then exits 0', async () => {
    const term = await startWorker(redis.url, 'core', 'faults-term');
    const log = newLog();
    const pending = f.run<SlowShard, Slow>({ module: SLOW, shards: [{ log, ms: 800 }], queue: 'faults-term', timeoutMs: 30_000 });
    await term.waitFor(/start faults-term job/);
    const exited = new Promise<number | null>((r) => term.child.once('exit', (code) => { r(code); }));
    process.kill(term.pid, 'SIGTERM');
    expect(await exited).toBe(0);
    const out = term.output();
    expect(out.indexOf('stopping after the current job')).toBeGreaterThan(0);
    expect(out.indexOf('done faults-term job')).toBeGreaterThan(out.indexOf('stopping after the current job'));
    // The parent (reduce) job waits on the same queue for the next worker there.
    await startWorker(redis.url, 'core', 'faults-term');
    const r = await pending;
    expect(r.value.results[0]?.pid).toBe(term.pid);
    expect(tally(log).ends.get(0)).toEqual([String(term.pid)]);
  });

  test('a second SIGTERM mid-job: the shard goes back to the queue at once, its try not counted, and runs once elsewhere', async () => {
    const x = await startWorker(redis.url, 'core', 'faults-force');
    const log = newLog();
    // One try only: a hand-back counted as a failed try would fail the job.
    const pending = f.run<SlowShard, Slow>({ module: SLOW, shards: [{ log, ms: 5000 }], queue: 'faults-force', attempts: 1, timeoutMs: 40_000 });
    await poll(() => (readLog(log).includes(`start 0 ${String(x.pid)}`) ? true : undefined));
    const exited = new Promise<number | null>((r) => x.child.once('exit', (code) => { r(code); }));
    process.kill(x.pid, 'SIGTERM');
    await x.waitFor(/stopping after the current job/);
    const t0 = performance.now();
    process.kill(x.pid, 'SIGTERM');
    expect(await exited).toBe(0);
    // Gone without waiting for its 5 s shard, which it never finished nor reported.
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(x.output()).toMatch(/stopping now; the current job goes back to the queue\n[\s\S]*handed back faults-force job \S+ shard 0 to the queue/);
    expect(x.output()).not.toMatch(/done faults-force job/);
    // Allowed the test's own directory too, where the next test writes a module.
    y = await startWorker(redis.url, 'core', 'faults-force', { modules: [...TEST_MODULES, dir] });
    const r = await pending;
    expect(r.value.results.map((v) => v.pid)).toEqual([y.pid]);
    expect(r.value.results[0]?.u).toEqual(expected(1)[0]);
    const { starts, ends } = tally(log);
    expect(starts.get(0)).toEqual([String(x.pid), String(y.pid)]);
    expect(ends.get(0)).toEqual([String(y.pid)]);
    expect(r.shards.map((s) => s.worker.id)).toEqual([y.id]);
    expect(r.duplicates).toBe(0);
  });

  test('a job module changed on disk: a running worker keeps the code it imported first, and says so', async () => {
    const mod = join(dir, 'version.mjs');
    writeFileSync(mod, 'export default async () => 1;\n');
    const first = await f.run<object, number[]>({ module: mod, shards: [{}], queue: 'faults-force', timeoutMs: 20_000 });
    expect(first.value).toEqual([1]);
    writeFileSync(mod, 'export default async () => 2;\n');
    const later = new Date(Date.now() + 60_000);
    utimesSync(mod, later, later); // a new mtime even where the file system's clock is coarse
    const second = await f.run<object, number[]>({ module: mod, shards: [{}], queue: 'faults-force', timeoutMs: 20_000 });
    expect(second.value).toEqual([1]);
    expect(y.output()).toContain(`job module ${mod} changed on disk since this worker imported it; this worker runs the code it imported first (restart workers to deploy the new code)`);
  });

  test('Redis restarted between jobs: the workers reconnect and the next job runs', async () => {
    const first = await f.run<SlowShard, Slow>({ module: SLOW, shards: [{ log: newLog(), ms: 10 }, { log: newLog(), ms: 10 }], queue: 'faults', timeoutMs: 30_000 });
    expect(first.value.indices).toEqual([0, 1]);
    await redis.restart();
    const log = newLog();
    const second = await f.run<SlowShard, Slow>({ module: SLOW, shards: Array.from({ length: 3 }, () => ({ log, ms: 10 })), queue: 'faults', timeoutMs: 30_000 });
    expect(second.value.results.map((x) => x.u)).toEqual(expected(3));
    const { ends } = tally(log);
    expect([...ends.values()].map((p) => p.length)).toEqual([1, 1, 1]);
    // Both workers saw the outage and reconnected (the same processes, not restarted ones).
    for (const w of [a, b]) expect(w.output()).toMatch(/Redis at \S+ unreachable[^\n]*\n[\s\S]*Redis at \S+ reachable again/);
  });

  test('a module that throws: the job fails with that shard\'s error recorded, after its attempts; the others ran once', async () => {
    const log = newLog();
    const shards: SlowShard[] = [0, 1, 2, 3].map((i) => ({ log, ms: 10, ...(i === 2 ? { fail: true } : {}) }));
    const err = await f.run({ module: SLOW, shards, queue: 'faults', attempts: 2, timeoutMs: 30_000 }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(FleetJobError);
    const e = err as FleetJobError;
    expect(e.failures).toEqual([{ index: 2, error: 'shard 2 refuses (planted failure)' }]);
    expect(e.message).toMatch(/1 shard\(s\) failed: shard 2 refuses/);
    const { starts, ends } = tally(log);
    expect(starts.get(2)?.length).toBe(2);
    expect(ends.has(2)).toBe(false);
    for (const i of [0, 1, 3]) expect(ends.get(i)?.length).toBe(1);
  });

  test('a module with no job function: every shard fails naming the module', async () => {
    const err = await f.run({ module: NO_EXPORT, shards: [{}], queue: 'faults', timeoutMs: 30_000 }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(FleetJobError);
    expect((err as FleetJobError).failures).toEqual([{ index: 0, error: `job module ${NO_EXPORT} exports no default function (device, shard) => result` }]);
  });

  test('a shard over its time budget fails with the budget named, at the budget; the others complete', async () => {
    const log = newLog();
    const t0 = performance.now();
    const err = await f
      .run({ module: SLOW, shards: [{ log, ms: 10 }, { log, ms: 4000 }], queue: 'faults', attempts: 1, budgetMs: 400, timeoutMs: 30_000 })
      .then(() => undefined, (e: unknown) => e);
    // Failed when the budget ran out, not when the runaway shard ended by itself 4 s in.
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(err).toBeInstanceOf(FleetJobError);
    const failures = (err as FleetJobError).failures;
    expect(failures.map((x) => x.index)).toEqual([1]);
    expect(failures[0]?.error).toMatch(/^shard 1 exceeded its time budget of 400 ms on worker /);
    expect(tally(log).ends.get(0)?.length).toBe(1);
  });

  test('the parent drops a duplicated shard and fails on a missing one', async () => {
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    const flows = new FlowProducer({ connection });
    try {
      const log = newLog();
      const child = (index: number): { name: string; queueName: string; data: unknown } => ({ name: 'shard', queueName: 'faults', data: { module: SLOW, index, shard: { log, ms: 10 }, budgetMs: 0 } });
      // Shard 1 submitted twice: the reducer must see indices 0, 1 once each.
      await flows.add({ name: 'reduce', queueName: 'faults', opts: { jobId: 'dup-test' }, data: { module: SLOW, count: 2, shards: [{}, {}] }, children: [child(0), child(1), child(1)] });
      const dup = await f.wait<Slow>('dup-test', 'faults', 30_000);
      expect(dup.value.indices).toEqual([0, 1]);
      expect(dup.duplicates).toBe(1);
      // Three shards announced, shard 1 never submitted.
      await flows.add({ name: 'reduce', queueName: 'faults', opts: { jobId: 'gap-test' }, data: { module: SLOW, count: 3, shards: [{}, {}, {}] }, children: [child(0), child(2)] });
      const err = await f.wait('gap-test', 'faults', 30_000).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(FleetJobError);
      expect((err as Error).message).toMatch(/no result for shard 1 of 3/);
    } finally {
      await flows.close();
      connection.disconnect();
    }
  });
});
