import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { gpukit, messages } from './spawn.js';

// `--progress` forces the progress bar even on a pipe: its first frame ("calibrating the adapter") marks the
// start of the work, so an error printed without it came before any calibration or sweep.
const tiny = ['--quick', '--progress', '--sizes', '2^10'];

/** One line on stderr, exit 2, no stack, no work started. */
function expectUsageError(r: { status: number | null; stdout: string; stderr: string }, pattern: RegExp): void {
  const lines = messages(r.stderr);
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^gpukit bench: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stderr).not.toContain('calibrating');
  expect(r.stdout).toBe('');
  expect(r.status).toBe(2);
}

describe('gpukit bench refuses a bad command line before any work, in one line with exit code 2', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gpukit-usage-'));

  test('an output file in a directory that does not exist', async () => {
    expectUsageError(await gpukit(['bench', 'sum', ...tiny, '--json', join(dir, 'missing', 'b.json')]), /--json .*its directory .* does not exist/);
  });
  test('an output path that is a directory', async () => {
    expectUsageError(await gpukit(['bench', 'sum', ...tiny, '--html', dir]), /--html .*is a directory/);
  });
  test('an output path under a file', async () => {
    const file = join(dir, 'plain');
    writeFileSync(file, 'x');
    expectUsageError(await gpukit(['bench', 'sum', ...tiny, '--csv', join(file, 'b.csv')]), /--csv .*not a directory/);
    expect(readFileSync(file, 'utf8')).toBe('x');
  });
  test('an unknown op', async () => {
    expectUsageError(await gpukit(['bench', 'summ', ...tiny]), /unknown op summ; this build can bench: axpy, sum/);
  });
  test('an unknown contender (was: exit 0 and an empty report)', async () => {
    expectUsageError(await gpukit(['bench', 'sum', ...tiny, '--contenders', 'gpu-kernal']), /--contenders: unknown contender gpu-kernal .*known: cpu-1t, cpu-pool, gpu-kernel, gpu-e2e/);
  });
  test('a contender that does not run the op asked for', async () => {
    expectUsageError(await gpukit(['bench', 'sort', ...tiny, '--contenders', 'gpujs-webasm']), /--contenders: unknown contender gpujs-webasm for sort/);
  });
  test('a size past 2^32 (was: a RangeError after calibration)', async () => {
    expectUsageError(await gpukit(['bench', 'sum', ...tiny.slice(0, 2), '--sizes', '2^40']), /--sizes: '2\^40' is larger than 2\^32 elements/);
  });
  test("a size past the adapter's buffers", async () => {
    expectUsageError(await gpukit(['bench', 'sum', ...tiny.slice(0, 2), '--sizes', '2^10,2^31']), /--sizes: sum at 2\^31 needs .*(maxStorageBufferBindingSize|maxBufferSize)/);
  });
  test('fleet options without --fleet (was: silently ignored)', async () => {
    expectUsageError(await gpukit(['bench', 'sum', ...tiny, '--shard-sizes', '3']), /--shard-sizes goes with --fleet only/);
    expectUsageError(await gpukit(['bench', 'sum', ...tiny, '--redis', 'redis://127.0.0.1:1', '--queues', 'q']), /--redis, --queues go with --fleet only/);
  });
  test('--placement and --fleet together', async () => {
    expectUsageError(await gpukit(['bench', 'sum', '--placement', '--fleet']), /--placement and --fleet do not combine/);
  });
  test("an empty output path (was: '--json : is a directory')", async () => {
    expectUsageError(await gpukit(['bench', 'sum', ...tiny, '--json', '']), /^gpukit bench: --json: an empty path; give a file name$/);
  });
  test("commander's own usage errors exit 2 too", async () => {
    const r = await gpukit(['bench', '--no-such-flag']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown option '--no-such-flag'/);
  });
});

test('the table is printed before the files are written: a file that cannot be written no longer loses the results', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gpukit-order-'));
  const out = join(dir, 'gone');
  writeFileSync(join(dir, 'keep'), '');
  // A directory that passes the up-front check and is removed once calibration has started.
  const { mkdirSync } = await import('node:fs');
  mkdirSync(out);
  const r = await gpukit(['bench', 'sum', ...tiny, '--contenders', 'cpu-1t,gpu-kernel', '--json', join(out, 'b.json')], {
    onStderr: (soFar) => {
      if (soFar.includes('calibrating') && existsSync(out)) rmSync(out, { recursive: true });
    },
  });
  expect(r.stderr).toContain('calibrating');
  expect(r.stdout).toMatch(/sum — /);
  expect(r.stdout).toMatch(/gpu-kernel vs cpu-1t/);
  const lines = messages(r.stderr);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^gpukit bench: .*b\.json \(--json\) cannot be written \(ENOENT\)/);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.status).not.toBe(0);
}, 90_000);
