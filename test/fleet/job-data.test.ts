/**
 * What a worker trusts of what it reads from Redis, without Redis: the job modules it will import (only files
 * under its --modules, refused before any byte is read), the job payloads (types, ranges, count against
 * shards), the worker registry entries, and the Redis URL.
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UnrecoverableError } from 'bullmq';
import { describe, expect, test } from 'vitest';
import { ArgumentError, FleetJobError } from '../../src/errors.js';
import { checkReduceJob, checkShardJob, checkWorkerIdentity, MAX_SHARDS } from '../../src/fleet/protocol.js';
import { connectRedis, redisUrl } from '../../src/fleet/redis.js';
import { moduleAllowList, resolveJobModule } from '../../src/fleet/worker.js';

const base = mkdtempSync(join(tmpdir(), 'gpukit-allow-'));
const root = join(base, 'jobs');
const outside = join(base, 'outside');
mkdirSync(root);
mkdirSync(outside);
const good = join(root, 'good.mjs');
writeFileSync(good, 'export default () => 1;\n');
const elsewhere = join(outside, 'evil.mjs');
writeFileSync(elsewhere, 'export default () => 2;\n');
const single = join(outside, 'single.mjs');
writeFileSync(single, 'export default () => 3;\n');
symlinkSync(elsewhere, join(root, 'link.mjs'));
writeFileSync(join(root, 'notes.txt'), 'SECRET\n');
// A sibling whose name starts with the root's: a prefix test without the separator would let it through.
mkdirSync(`${root}-evil`);
writeFileSync(join(`${root}-evil`, 'x.mjs'), 'export default () => 4;\n');

async function refusal(spec: string, entries: readonly string[] = [root]): Promise<string> {
  const allowed = await moduleAllowList(entries);
  const e = await resolveJobModule(spec, allowed).then(() => undefined, (err: unknown) => err);
  expect(e).toBeInstanceOf(UnrecoverableError);
  return (e as Error).message;
}

describe('the job modules a worker runs', () => {
  test('a file under a --modules directory, by path or file: URL, resolves to its real path', async () => {
    const allowed = await moduleAllowList([root]);
    expect(await resolveJobModule(good, allowed)).toBe(good);
    expect(await resolveJobModule(pathToFileURL(good).href, allowed)).toBe(good);
    // '..' that stays inside the root is fine.
    expect(await resolveJobModule(join(root, '..', 'jobs', 'good.mjs'), allowed)).toBe(good);
  });

  test('a file listed exactly is allowed, its neighbours are not', async () => {
    const allowed = await moduleAllowList([single]);
    expect(await resolveJobModule(single, allowed)).toBe(single);
    expect(await refusal(elsewhere, [single])).toMatch(/not under this worker's --modules/);
  });

  test('URLs other than file: are refused by scheme: data:, node:, http:, and any other', async () => {
    expect(await refusal("data:text/javascript,import('node:fs').then(f=>f.writeFileSync('/tmp/x','1'));export default()=>1")).toMatch(/^job module 'data:text\/javascript,.*' refused: a data: URL is never run/);
    expect(await refusal('node:child_process')).toMatch(/refused: a node: URL is never run/);
    expect(await refusal('http://127.0.0.1:1/job.mjs')).toMatch(/refused: a http: URL is never run/);
    expect(await refusal('blob:nodedata:1234')).toMatch(/refused: a blob: URL is never run/);
  });

  test('paths outside the roots are refused: elsewhere, via .., via a symlink, a sibling sharing the prefix, relative', async () => {
    expect(await refusal(elsewhere)).toMatch(/not under this worker's --modules/);
    expect(await refusal(join(root, '..', 'outside', 'evil.mjs'))).toMatch(/not under this worker's --modules/);
    expect(await refusal(join(root, 'link.mjs'))).toMatch(/not under this worker's --modules/);
    expect(await refusal(join(`${root}-evil`, 'x.mjs'))).toMatch(/not under this worker's --modules/);
    expect(await refusal('jobs/good.mjs')).toMatch(/not an absolute path/);
    expect(await refusal('/etc/passwd')).toMatch(/not under this worker's --modules/);
    expect(await refusal(join(root, 'missing.mjs'))).toMatch(/cannot be resolved \(ENOENT\)/);
  });

  test('a file under a root that is no JavaScript or TypeScript is refused, its content never quoted', async () => {
    const m = await refusal(join(root, 'notes.txt'));
    expect(m).toMatch(/not a JavaScript or TypeScript file/);
    expect(m).not.toContain('SECRET');
  });

  test('a worker without --modules runs no job module at all', async () => {
    expect(await refusal(good, [])).toMatch(/this worker runs no job modules \(start it with --modules/);
  });

  test('a --modules entry that does not exist is refused when the worker starts', async () => {
    await expect(moduleAllowList([join(base, 'nope')])).rejects.toThrow(ArgumentError);
  });
});

describe('job payloads read from Redis', () => {
  const shard = { module: '/srv/a.js', index: 0, shard: {}, budgetMs: 0 };
  test('a good shard job and a good reduce job pass unchanged', () => {
    expect(checkShardJob('j', shard)).toBe(shard);
    const r = { module: '/srv/a.js', count: 2, shards: [{}, {}] };
    expect(checkReduceJob('j', r)).toBe(r);
    expect(checkShardJob('j', { ...shard, index: MAX_SHARDS - 1, budgetMs: 2 ** 31 - 1 }).budgetMs).toBe(2 ** 31 - 1);
  });

  test('each bad field of a shard job fails with a FleetJobError naming it', () => {
    const bad: [unknown, RegExp][] = [
      [null, /not an object/],
      [[1], /not an object/],
      [{ ...shard, module: 42 }, /'module'/],
      [{ ...shard, module: '' }, /'module'/],
      [{ ...shard, module: 'a'.repeat(5000) }, /'module'/],
      [{ ...shard, module: '/a\0b' }, /NUL/],
      [{ ...shard, index: -1 }, /'index'/],
      [{ ...shard, index: 0.5 }, /'index'/],
      [{ ...shard, index: MAX_SHARDS }, /'index'/],
      [{ ...shard, index: '0' }, /'index'/],
      [{ ...shard, budgetMs: 2 ** 31 }, /'budgetMs'/],
      [{ ...shard, budgetMs: -1 }, /'budgetMs'/],
      [{ ...shard, budgetMs: NaN }, /'budgetMs'/],
      [{ ...shard, budgetMs: Infinity }, /'budgetMs'/],
      [{ module: '/a.js', index: 0, budgetMs: 0 }, /'shard' is missing/],
    ];
    for (const [v, re] of bad) {
      expect(() => checkShardJob('j9', v)).toThrow(FleetJobError);
      expect(() => checkShardJob('j9', v)).toThrow(re);
    }
  });

  test('a reduce job whose count is huge, fractional, or not the number of shards fails before anything is allocated', () => {
    const bad: [unknown, RegExp][] = [
      [{ module: '/a.js', count: 1e9, shards: [] }, /'count' is not a whole number in 1\.\.100000/],
      [{ module: '/a.js', count: 0, shards: [] }, /'count'/],
      [{ module: '/a.js', count: 1.5, shards: [{}] }, /'count'/],
      [{ module: '/a.js', count: 3, shards: [{}, {}] }, /'count' is 3 but 'shards' has 2/],
      [{ module: '/a.js', count: 1, shards: {} }, /'shards' is not an array/],
      [{ count: 1, shards: [{}] }, /'module'/],
    ];
    for (const [v, re] of bad) expect(() => checkReduceJob('j', v)).toThrow(re);
    const t0 = performance.now();
    expect(() => checkReduceJob('j', { module: '/a.js', count: 1e9, shards: [] })).toThrow(FleetJobError);
    expect(performance.now() - t0).toBeLessThan(50);
  });
});

describe('worker registry entries read from Redis', () => {
  const id = { id: 'h:1:abc', kind: 'vulkan-core-llvmpipe', adapter: 'llvmpipe', engine: 'dawn', backend: 'vulkan', featureLevel: 'core', isSoftware: true, host: 'h', pid: 1, queues: ['gpukit', 'gpukit.vulkan-core-llvmpipe'], startedAt: '2026-01-01T00:00:00Z' };
  test('a worker identity passes; a path-like kind, a queue with ":", a missing field or a wrong type do not', () => {
    expect(checkWorkerIdentity(id)).toBe(id);
    expect(checkWorkerIdentity({ ...id, kind: '../../x' })).toMatch(/'kind'/);
    expect(checkWorkerIdentity({ ...id, kind: '' })).toMatch(/'kind'/);
    expect(checkWorkerIdentity({ ...id, kind: '.hidden' })).toMatch(/'kind'/);
    expect(checkWorkerIdentity({ ...id, queues: ['a:b'] })).toMatch(/'queues'/);
    expect(checkWorkerIdentity({ ...id, queues: 'gpukit' })).toMatch(/'queues'/);
    expect(checkWorkerIdentity({ ...id, pid: '1' })).toMatch(/'pid'/);
    expect(checkWorkerIdentity({ ...id, isSoftware: 'yes' })).toMatch(/'isSoftware'/);
    expect(checkWorkerIdentity({ ...id, adapter: undefined })).toMatch(/'adapter'/);
    expect(checkWorkerIdentity(null)).toBe('not an object');
  });
});

describe('the Redis URL', () => {
  test('anything but a redis:// or rediss:// URL is an ArgumentError naming where it came from, without its password', () => {
    expect(() => redisUrl('not a url')).toThrow(new ArgumentError("the redis option: 'not a url' is not a URL; expected redis://[:password@]host:port[/db], or rediss:// for TLS"));
    expect(() => redisUrl('http://:hunter2@127.0.0.1:6379')).toThrow(/is a http: URL/);
    expect(() => redisUrl('http://:hunter2@127.0.0.1:6379')).not.toThrow(/hunter2/);
    expect(redisUrl('redis://:pw@127.0.0.1:1')).toBe('redis://:pw@127.0.0.1:1');
  });

  test('a rediss:// URL connects over TLS, a redis:// one does not', () => {
    const tls = connectRedis('rediss://:pw@127.0.0.1:1');
    const plain = connectRedis('redis://:pw@127.0.0.1:1');
    try {
      expect(tls.options.tls).toBeTruthy();
      expect(tls.options.password).toBe('pw');
      expect(plain.options.tls).toBeFalsy();
    } finally {
      tls.disconnect();
      plain.disconnect();
    }
  });
});
