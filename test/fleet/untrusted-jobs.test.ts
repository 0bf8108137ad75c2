/**
 * A real worker against jobs written straight into Redis, as any process that can reach it could: a `data:`
 * module that would write a marker file, modules outside the worker's --modules, a file under them that is no
 * JavaScript (its secret line must not reach the job's failedReason or stacktrace), a reduce job with
 * `count: 1e9` (a V8 fatal error before the fix), payloads of the wrong shape, job data that is not JSON, and
 * a poisoned worker registry. The worker fails each such job for good and goes on to run a good one. Then
 * the submitter's side: an unreachable Redis, a wrong password, and a job that vanished with a Redis restart.
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FlowProducer, Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ArgumentError, RedisUnavailableError } from '../../src/errors.js';
import { fleet, FleetJobError, type Fleet } from '../../src/fleet/index.js';
import { REGISTRY_PREFIX } from '../../src/fleet/protocol.js';
import { gpukit } from '../cli/spawn.js';
import { closeAll, startRedis, startWorker, TEST_MODULES, type RedisProcess, type WorkerProcess } from './harness.js';
import type { SlowShard } from './jobs/slow.js';

const SLOW = fileURLToPath(new URL('./jobs/slow.ts', import.meta.url));
const Q = 'untrusted';
const dir = mkdtempSync(join(tmpdir(), 'gpukit-untrusted-'));
const allowedDir = join(dir, 'allowed');
mkdirSync(allowedDir);
const SECRET = 'root:$6$SECRET-LINE-3f9a:19000:0:99999:7:::';
// Under the allowed directory but no module: its import fails, and the failure must not quote it.
const secretJs = join(allowedDir, 'shadow.js');
writeFileSync(secretJs, `${SECRET}\n`);
const secretOutside = join(dir, 'shadow');
writeFileSync(secretOutside, `${SECRET}\n`);
const marker = join(dir, 'marker');
const evilOutside = join(dir, 'evil.mjs');
writeFileSync(evilOutside, `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'ran');\nexport default () => 1;\n`);

let redis: RedisProcess;
let w: WorkerProcess;
let f: Fleet;
let connection: Redis;
let flows: FlowProducer;
let queue: Queue;

beforeAll(async () => {
  redis = await startRedis();
  w = await startWorker(redis.url, 'core', Q, { modules: [...TEST_MODULES, allowedDir] });
  f = fleet({ redis: redis.url });
  connection = new Redis(redis.url, { maxRetriesPerRequest: null });
  connection.on('error', () => undefined); // while the last test restarts Redis
  flows = new FlowProducer({ connection });
  queue = new Queue(Q, { connection });
  queue.on('error', () => undefined);
  flows.on('error', () => undefined);
}, 90_000);

afterAll(async () => {
  try {
    await flows.close();
    await queue.close();
    connection.disconnect();
  } finally {
    await closeAll(f);
  }
}, 30_000);

/** One good job through the fleet: the worker is alive and well. */
async function stillServes(): Promise<void> {
  const log = join(dir, `ok-${String(Date.now())}.txt`);
  const r = await f.run<SlowShard, { indices: number[] }>({ module: SLOW, shards: [{ log, ms: 1 }, { log, ms: 1 }], queue: Q, timeoutMs: 30_000 });
  expect(r.value.indices).toEqual([0, 1]);
  expect(w.child.exitCode).toBeNull();
}

/** Waits until job `id` (written straight into the queue) failed; its record as the worker left it. */
async function failed(id: string, ms = 15_000): Promise<Job> {
  const t0 = Date.now();
  for (;;) {
    const state = await queue.getJobState(id);
    if (state === 'failed') {
      const job = await Job.fromId(queue, id);
      if (job !== undefined) return job;
    }
    if (Date.now() - t0 > ms) throw new Error(`job ${id} is ${state}, not failed, after ${String(ms)} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Submits one flow of raw shard jobs (a good parent) and returns its failures by index. */
async function rawShards(id: string, modules: readonly string[]): Promise<{ failures: readonly { index: number; error: string }[]; children: Job[] }> {
  await flows.add({
    name: 'reduce',
    queueName: Q,
    opts: { jobId: id },
    data: { module: SLOW, count: modules.length, shards: modules.map(() => ({})) },
    children: modules.map((module, index) => ({ name: 'shard', queueName: Q, opts: { jobId: `${id}.${String(index)}`, attempts: 2, ignoreDependencyOnFailure: true }, data: { module, index, shard: {}, budgetMs: 0 } })),
  });
  const err = await f.wait(id, Q, 30_000).then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(FleetJobError);
  const children = await Promise.all(modules.map(async (_, i) => Job.fromId(queue, `${id}.${String(i)}`)));
  return { failures: (err as FleetJobError).failures, children: children.filter((c): c is Job => c !== undefined) };
}

describe('jobs a worker must not run', () => {
  test('a data: module, a node: builtin, a module outside --modules: each fails at once for good, and none ran', async () => {
    const dataUrl = `data:text/javascript,import{writeFileSync}from'node:fs';writeFileSync(${JSON.stringify(marker)},'ran');export default()=>1`;
    const { failures, children } = await rawShards('rce', [dataUrl, 'node:child_process', evilOutside, `file://${evilOutside}`, join(allowedDir, '..', 'evil.mjs')]);
    expect(failures.map((x) => x.index)).toEqual([0, 1, 2, 3, 4]);
    expect(failures[0]?.error).toMatch(/^job module 'data:text\/javascript,.*' refused: a data: URL is never run/);
    expect(failures[1]?.error).toBe("job module 'node:child_process' refused: a node: URL is never run; a job module is a file under the worker's --modules");
    for (const x of failures.slice(2)) expect(x.error).toMatch(/refused: not under this worker's --modules$/);
    // Unrecoverable: one try each, though two were allowed.
    for (const c of children) expect(c.attemptsMade).toBe(1);
    expect(existsSync(marker)).toBe(false);
    await stillServes();
    expect(existsSync(marker)).toBe(false);
  });

  test('a reduce job naming a data: module: its shards run, the reduce is refused, and nothing ran', async () => {
    const log = join(dir, 'reduce-rce.txt');
    const dataUrl = `data:text/javascript,import{writeFileSync}from'node:fs';writeFileSync(${JSON.stringify(marker)},'ran');export default()=>1;export function reduce(){return 42}`;
    await flows.add({
      name: 'reduce',
      queueName: Q,
      opts: { jobId: 'reduce-rce' },
      data: { module: dataUrl, count: 1, shards: [{ log, ms: 1 }] },
      children: [{ name: 'shard', queueName: Q, opts: { jobId: 'reduce-rce.0' }, data: { module: SLOW, index: 0, shard: { log, ms: 1 }, budgetMs: 0 } }],
    });
    const job = await failed('reduce-rce', 20_000);
    expect(job.failedReason).toMatch(/^job module 'data:text\/javascript,.*' refused: a data: URL is never run/);
    expect(existsSync(marker)).toBe(false);
  });

  test('the submitting side refuses a URL module before sending it', async () => {
    await expect(f.run({ module: 'data:text/javascript,export default()=>1', shards: [{}], queue: Q })).rejects.toThrow(ArgumentError);
    await expect(f.run({ module: new URL('node:fs'), shards: [{}], queue: Q })).rejects.toThrow(/is a URL; a job module is a file path/);
    await expect(f.run({ module: 'file://elsewhere/job.mjs', shards: [{}], queue: Q })).rejects.toThrow(/is not a usable file: URL/);
  });

  test('a file that is no module: its content never reaches the job record (failedReason, stacktrace)', async () => {
    const { failures, children } = await rawShards('leak', [secretJs, secretOutside, '/proc/self/environ']);
    expect(failures.map((x) => x.index)).toEqual([0, 1, 2]);
    expect(failures[0]?.error).toBe(`job module '${secretJs}' could not be imported (SyntaxError); import it on the worker's machine to see why`);
    for (const c of children) {
      const record = JSON.stringify([c.failedReason, c.stacktrace]);
      expect(record).not.toContain('SECRET');
      expect(record).not.toContain('$6$');
      expect(record).not.toMatch(/PATH=|HOME=/);
    }
    expect(w.output()).not.toContain('SECRET');
  });

  test('a reduce job with count 1e9 and no shards fails fast with the count named; the worker lives on', async () => {
    const t0 = performance.now();
    await queue.add('reduce', { module: SLOW, count: 1e9, shards: [] }, { jobId: 'huge', attempts: 3 });
    const job = await failed('huge');
    expect(job.failedReason).toBe("fleet job huge: bad reduce job data: 'count' is not a whole number in 1..100000");
    expect(job.attemptsMade).toBe(1);
    expect(performance.now() - t0).toBeLessThan(10_000);
    // The submitter's wait checks the same data before it loops over the count.
    await expect(f.wait('huge', Q, 30_000)).rejects.toThrow(FleetJobError);
    await stillServes();
  });

  test('shard and reduce payloads of the wrong shape fail for good, naming the field; a budget over 2^31−1 ms too', async () => {
    const cases: [string, string, unknown, RegExp][] = [
      ['bad-count', 'reduce', { module: SLOW, count: 3, shards: [{}, {}] }, /'count' is 3 but 'shards' has 2/],
      ['bad-index', 'shard', { module: SLOW, index: -1, shard: {}, budgetMs: 0 }, /'index'/],
      ['bad-budget', 'shard', { module: SLOW, index: 0, shard: { log: join(dir, 'never'), ms: 1 }, budgetMs: 2 ** 31 }, /'budgetMs' is not a whole number of ms in 0\.\.2147483647/],
      ['bad-module', 'shard', { module: ['x'], index: 0, shard: {}, budgetMs: 0 }, /'module'/],
      ['bad-bench', 'shard', { module: 'gpukit:bench', index: 0, shard: { op: 1 }, budgetMs: 0 }, /a bench shard is/],
    ];
    for (const [id, name, data] of cases) await queue.add(name, data, { jobId: id, attempts: 3 });
    for (const [id, , , re] of cases) {
      const job = await failed(id);
      expect(job.failedReason).toMatch(re);
      expect(job.attemptsMade).toBe(1);
    }
    expect(existsSync(join(dir, 'never'))).toBe(false);
    // The submitter refuses such a budget before sending anything.
    await expect(f.run({ module: SLOW, shards: [{}], queue: Q, budgetMs: 2 ** 31 })).rejects.toThrow(/budgetMs must be a whole number of ms in 0\.\.2147483647/);
  });

  test('job data that is not JSON in Redis fails the job instead of leaving it active', async () => {
    await queue.pause();
    await queue.add('shard', { module: SLOW, index: 0, shard: {}, budgetMs: 0 }, { jobId: 'garbled' });
    await connection.hset(queue.toKey('garbled'), 'data', '{"module": nope');
    await queue.resume();
    const t0 = Date.now();
    let state = '';
    while (Date.now() - t0 < 15_000) {
      state = await queue.getJobState('garbled');
      if (state === 'failed') break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(state).toBe('failed');
    const job = await connection.hget(queue.toKey('garbled'), 'failedReason');
    expect(job).toBe("gpukit worker: job garbled's data in Redis is not JSON");
    await stillServes();
  });

  test('a poisoned worker registry: entries that are not worker identities are left out, each with a warning', async () => {
    const warnings: string[] = [];
    const g = fleet({ redis: redis.url, warn: (line) => warnings.push(line) });
    try {
      await connection.set(`${REGISTRY_PREFIX}garbage`, '{not json', 'EX', 60);
      const real = JSON.parse(await connection.get(`${REGISTRY_PREFIX}${w.id}`) ?? '{}') as Record<string, unknown>;
      await connection.set(`${REGISTRY_PREFIX}traversal`, JSON.stringify({ ...real, id: 'evil', kind: '../../x', queues: ['gpukit.../../x'] }), 'EX', 60);
      const listed = await g.workers();
      expect(listed.map((x) => x.id)).toEqual([w.id]);
      expect(warnings.sort()).toEqual([
        `fleet: ignoring worker registry entry "${REGISTRY_PREFIX}garbage" (not JSON)`,
        `fleet: ignoring worker registry entry "${REGISTRY_PREFIX}traversal" ('kind' is not 1..128 letters, digits, '.', '_' or '-' starting with a letter or digit)`,
      ]);
    } finally {
      await connection.del(`${REGISTRY_PREFIX}garbage`, `${REGISTRY_PREFIX}traversal`);
      await g.close();
    }
  });
});

describe('the submitter and its Redis', () => {
  test('no Redis there, or a wrong password: a RedisUnavailableError within the connect timeout, not a silent wait', async () => {
    const down = fleet({ redis: `redis://:x@127.0.0.1:${String(redis.port + 1 === 65536 ? 1 : redis.port + 1)}`, connectTimeoutMs: 500 });
    const wrong = fleet({ redis: `redis://:wrong@127.0.0.1:${String(redis.port)}`, connectTimeoutMs: 500 });
    try {
      const t0 = performance.now();
      await expect(down.workers()).rejects.toThrow(RedisUnavailableError);
      await expect(wrong.run({ module: SLOW, shards: [{}], queue: Q })).rejects.toThrow(/not ready within 500 ms \(WRONGPASS/);
      expect(performance.now() - t0).toBeLessThan(5_000);
    } finally {
      await down.close();
      await wrong.close();
    }
  });

  test('a --redis that is no Redis URL: one line naming the option, exit 2, no stack; no Redis there: a one-line error, not a hang', async () => {
    for (const args of [['worker', '--modules', allowedDir], ['bench', '--fleet', 'sum']]) {
      const r = await gpukit([...args, '--redis', 'not a url']);
      expect(r.status).toBe(2);
      expect(r.stderr).toBe(`gpukit ${args[0] ?? ''}: --redis: 'not a url' is not a URL; expected redis://[:password@]host:port[/db], or rediss:// for TLS\n`);
    }
    const closed = `redis://:secret-pw@127.0.0.1:${String(redis.port === 65535 ? 1 : redis.port + 1)}`;
    const t0 = performance.now();
    const r = await gpukit(['bench', '--fleet', 'sum', '--sizes', '2^10', '--redis', closed], { timeoutMs: 40_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^gpukit bench: RedisUnavailableError: Redis at redis:\/\/…@127\.0\.0\.1:\d+ not ready within 10000 ms \(connect ECONNREFUSED[^\n]*\n$/);
    expect(r.stderr).not.toContain('secret-pw');
    expect(performance.now() - t0).toBeLessThan(30_000);
  }, 60_000);

  test('Redis restarted (no persistence) while a job is waited for: the wait says the job vanished, long before its timeout', async () => {
    // A queue no worker consumes: the job waits there until Redis loses it.
    const id = await f.submit({ module: SLOW, shards: [{}], queue: 'nobody' });
    const waiting = f.wait(id, 'nobody', 120_000).then(() => undefined, (e: unknown) => e);
    await new Promise((r) => setTimeout(r, 300));
    const t0 = performance.now();
    await redis.restart();
    const err = await waiting;
    expect(err).toBeInstanceOf(FleetJobError);
    expect((err as Error).message).toMatch(new RegExp(`^fleet job ${id} vanished from queue nobody in Redis at redis://…@127\\.0\\.0\\.1:\\d+ while waited for`));
    expect((err as Error).message).not.toContain(redis.password);
    expect(performance.now() - t0).toBeLessThan(10_000);
  });
});
