import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { formatJson } from '../../src/bench/report.js';
import { syntheticReport } from '../bench/synthetic-report.js';
import { gpukit, messages } from './spawn.js';

const dir = mkdtempSync(join(tmpdir(), 'gpukit-compare-'));
const text = formatJson(syntheticReport());
const good = join(dir, 'good.json');
writeFileSync(good, text);
const file = (name: string, content: string): string => {
  writeFileSync(join(dir, name), content);
  return join(dir, name);
};

test('gpukit compare of two valid reports prints the agreement and exits 0', async () => {
  const r = await gpukit(['compare', good, good]);
  expect(r.status, r.stderr).toBe(0);
  expect(r.stdout).toMatch(/crossovers agreeing .*: (\d+)\/\1$/m);
});

describe('gpukit compare refuses what is not a report: one typed line naming the file, exit 2, no stack', () => {
  const cases: readonly [string, () => string, RegExp][] = [
    ['{}', () => file('empty-object.json', '{}'), /empty-object\.json is not a gpukit bench --json report: schema is missing/],
    ['null', () => file('null.json', 'null'), /null\.json is not a gpukit bench --json report: the report is null/],
    ['a truncated report', () => file('cut.json', text.slice(0, Math.floor(text.length * 0.6))), /cut\.json is not a gpukit bench --json report: not JSON/],
    ['a directory', () => dir, /is a directory, not a file/],
    ['/dev/zero (never read)', () => '/dev/zero', /\/dev\/zero is not a regular file/],
  ];
  test.each(cases)('%s', async (_name, make, pattern) => {
    const bad = make();
    // As either argument: both are checked before anything is compared.
    for (const args of [[bad, good], [good, bad]]) {
      const r = await gpukit(['compare', ...args], { timeoutMs: 20_000 });
      const lines = messages(r.stderr);
      expect(lines, r.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/^gpukit compare: /);
      expect(lines[0]).toMatch(pattern);
      expect(r.stderr).not.toMatch(/^\s+at /m);
      expect(r.stdout).toBe('');
      expect(r.status).toBe(2);
    }
  });
});
