/**
 * What the CLI writes: `--version`, two report flags naming one file, and a standard output that cannot be
 * written (/dev/full): each a clear outcome, never exit 0 over a lost write.
 */
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { gpukit, messages } from './spawn.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'gpukit-out-'));
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

test('gpukit --version (and -V) prints the package version and exits 0 (was: unknown option)', async () => {
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  for (const flag of ['--version', '-V']) {
    const r = await gpukit([flag]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(`${version}\n`);
  }
});

describe('two report flags naming one file are refused before any work (was: the later one overwrote the earlier)', () => {
  const same = [
    ['--json', 'r.json', '--csv', 'r.json'],
    ['--csv', 'r.out', '--html', './sub/../r.out'],
    ['--json', 'r.json', '--html', 'link.json'], // a symlink to r.json
  ];
  test.each(same)('%s %s %s %s', async (f1, p1, f2, p2) => {
    if (p2 === 'link.json' && !existsSync(join(dir, 'link.json'))) symlinkSync(join(dir, 'r.json'), join(dir, 'link.json'));
    const r = await gpukit(['bench', 'sum', '--quick', '--progress', '--sizes', '2^10', f1, join(dir, p1), f2, join(dir, p2)]);
    expect(r.status, r.stderr).toBe(2);
    const lines = messages(r.stderr);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^gpukit bench: ${f1} and ${f2} name the same file .*: give each report its own file$`));
    expect(r.stderr).not.toContain('calibrating');
    expect(existsSync(join(dir, 'r.json')) || existsSync(join(dir, 'r.out'))).toBe(false);
  });
});

/** `gpukit <args> > /dev/full`: status and stderr. */
function toDevFull(args: readonly string[]): Promise<{ status: number | null; stderr: string }> {
  // stdout is /dev/full: every write to it fails with ENOSPC.
  const full = openSync('/dev/full', 'w');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: root, stdio: ['ignore', full, 'pipe'], timeout: 60_000 });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => {
      resolve({ status, stderr });
    });
  }).finally(() => {
    closeSync(full);
  }) as Promise<{ status: number | null; stderr: string }>;
}

describe.runIf(existsSync('/dev/full'))('a standard output that cannot be written: one typed line, exit 2 (was: exit 0, or a stack and exit 1)', () => {
  test.each([['--help'], ['--version'], ['info'], ['info', '--json']])('gpukit %s > /dev/full', async (...args) => {
    const r = await toDevFull(args.filter((a): a is string => typeof a === 'string'));
    expect(r.status, r.stderr).toBe(2);
    expect(messages(r.stderr)).toEqual(['gpukit: InvalidFileError: standard output cannot be written (ENOSPC)']);
  });
});

test("gpukit worker --engine takes auto, dawn or gpujs only: a usage error before Redis or a device (was: openDevice's ArgumentError, exit 1)", async () => {
  const r = await gpukit(['worker', '--engine', 'bogus', '--redis', 'redis://127.0.0.1:1']);
  expect(r.status, r.stderr).toBe(2);
  expect(messages(r.stderr)).toEqual(["error: option '--engine <name>' argument 'bogus' is invalid. Allowed choices are auto, dawn, gpujs."]);
});
