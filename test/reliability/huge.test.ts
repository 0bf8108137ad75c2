/**
 * Transfers past 2 GiB (issue 12). Heavy (about a minute and 10 GiB here), so CI runs it in the core pass
 * only (.ci/run excludes it from the compatibility pass).
 */
import { execFile } from 'node:child_process';
import { freemem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';

const run = promisify(execFile);

async function child(...args: string[]): Promise<Record<string, number>> {
  const script = fileURLToPath(new URL('./child-memory.ts', import.meta.url));
  const { stdout } = await run(process.execPath, ['--expose-gc', '--import', 'tsx', script, ...args], { timeout: 170_000, maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as Record<string, number>;
}

test('an array just over 2 GiB uploads and downloads whole (copies go in pieces of at most 1 GiB)', { timeout: 180_000 }, async () => {
  // One copy of 2 GiB or more crashed the process (SIGSEGV in Dawn on submit). The child holds the host
  // data, Dawn's upload staging, the buffer, the readback staging and the result: about 5 × 2 GiB.
  const need = 11 * 2 ** 30;
  if (freemem() < need) {
    throw new Error(`this test needs about 11 GiB of free memory; the machine has ${(freemem() / 2 ** 30).toFixed(1)} GiB free`);
  }
  const bytes = 2 ** 31 + 16;
  const r = await child('huge', String(bytes));
  expect(r).toEqual({ bytes, firstMismatch: -1, length: bytes / 4 });
});
