import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));

test('gpukit info names the adapter, backend, feature level and kind', () => {
  const r = spawnSync(tsx, ['src/cli/main.ts', 'info'], { cwd: root, encoding: 'utf8', timeout: 30_000 });
  expect(r.status).toBe(0);
  expect(r.stdout).toMatch(/^adapter: +.+/m);
  expect(r.stdout).toMatch(/^feature level: +core$/m);
  expect(r.stdout).toMatch(/^kind: +(software|hardware)/m);
  expect(r.stdout).toMatch(/maxStorageBufferBindingSize +\d+/);
  // On a software adapter the budget and what it was based on; on hardware, none.
  expect(r.stdout).toMatch(/^memory budget: +(\d+(\.\d)? GiB, 3\/4 of the \d+\.\d\d GiB of host memory free when the device opened \(.+\)|none: a hardware adapter .*)$/m);
});

test('gpukit info with no adapter says why and how to get one, and exits 1', () => {
  const r = spawnSync(tsx, ['src/cli/main.ts', 'info'], {
    cwd: root,
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, VK_ICD_FILENAMES: '/nonexistent', __EGL_VENDOR_LIBRARY_FILENAMES: '/nonexistent' },
  });
  expect(r.status).toBe(1);
  expect(r.stderr).toMatch(/no usable GPU adapter/);
  expect(r.stderr).toMatch(/setup:software-gpu/);
});
