import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { gpukit, messages } from './spawn.js';

/** A cache directory that cannot be used is refused before the device is opened ("tuning on ..." never printed). */
function expectRefusedUpFront(r: { status: number | null; stdout: string; stderr: string }, pattern: RegExp): void {
  const lines = messages(r.stderr);
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^gpukit tune: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stdout).not.toContain('tuning on');
  expect(r.status).toBe(2);
}

test('gpukit tune with GPUKIT_CACHE_DIR under /proc fails at once (was: mkdir -p spinning at 100 % CPU forever)', async () => {
  const r = await gpukit(['tune', 'random', '--quick'], { env: { GPUKIT_CACHE_DIR: '/proc/gpukit-cache' }, timeoutMs: 20_000 });
  expectRefusedUpFront(r, /\/proc\/gpukit-cache cannot be created \(.*ENOENT\)/);
});

test('gpukit tune into a cache dir that cannot be created is refused before timing anything (was: every candidate, then a crash)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gpukit-tunecache-'));
  writeFileSync(join(dir, 'file'), '');
  const r = await gpukit(['tune', 'random', '--quick'], { env: { GPUKIT_CACHE_DIR: join(dir, 'file', 'cache') }, timeoutMs: 20_000 });
  expectRefusedUpFront(r, /cannot be used as a directory \(a parent is not a directory\)/);
});

test('gpukit tune with an unknown op is a usage error', async () => {
  const r = await gpukit(['tune', 'nosuchop'], { timeoutMs: 20_000 });
  expectRefusedUpFront(r, /unknown op nosuchop; tunable ops: .*random/);
});
