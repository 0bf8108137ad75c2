import { spawnSync } from 'node:child_process';
import { mkdtempSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { InvalidFileError } from '../../src/errors.js';
import { checkTuneCache, ensureWritableDir, MAX_READ_BYTES, readBoundedText } from '../../src/backends/dawn/tuning.js';
import { uniformCpu } from '../../src/reference/random.js';

const GOOD = { adapter: 'lavapipe', created: '2026-11-26T00:00:00.000Z', winners: { reduce: { '8': { params: { wg: 64, items: 4 }, ms: 0.5 }, '12': { params: { wg: 128 }, ms: null } } } };

// Valid JSON of the wrong shape: what a cache from another version, a truncated write or a hand edit holds.
const BAD: readonly (readonly [string, unknown])[] = [
  ['an empty object', {}],
  ['an array', []],
  ['null', null],
  ['a number', 3],
  ['winners null', { winners: null }],
  ['winners an array', { winners: [] }],
  ['an op that is not an object', { winners: { reduce: 5 } }],
  ['a null winner', { winners: { reduce: { '8': null } } }],
  ['a winner without params', { winners: { reduce: { '8': { ms: 1 } } } }],
  ['params as a string', { winners: { reduce: { '8': { params: 'wg=64', ms: 1 } } } }],
  ['a param that is a string', { winners: { reduce: { '8': { params: { wg: '64' }, ms: 1 } } } }],
  ['a param that is null', { winners: { reduce: { '8': { params: { wg: null }, ms: 1 } } } }],
  ['a size class that is not a number', { winners: { reduce: { big: { params: { wg: 64 }, ms: 1 } } } }],
  ['ms a string', { winners: { reduce: { '8': { params: { wg: 64 }, ms: 'fast' } } } }],
  ['adapter a number', { adapter: 1, winners: {} }],
];

describe('checkTuneCache (no GPU)', () => {
  test('accepts what saveWinners writes, ms null included (JSON writes Infinity as null)', () => {
    expect(checkTuneCache(JSON.parse(JSON.stringify(GOOD)))).toEqual(GOOD);
    expect(checkTuneCache({ winners: {} })).toEqual({ adapter: '', created: '', winners: {} });
  });
  test.each(BAD)('refuses %s with a one-line reason', (_name, v) => {
    const r = checkTuneCache(v);
    expect(typeof r).toBe('string');
    expect(r).not.toContain('\n');
  });
});

describe('readBoundedText (no GPU)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gpukit-read-'));
  test('reads a small file', () => {
    writeFileSync(join(dir, 'a.json'), '{"x":1}');
    expect(readBoundedText(join(dir, 'a.json'))).toBe('{"x":1}');
  });
  test('refuses a directory, /dev/zero and a FIFO-like device without reading them', () => {
    expect(() => readBoundedText(dir)).toThrow(/is a directory/);
    const t0 = performance.now();
    expect(() => readBoundedText('/dev/zero')).toThrow(InvalidFileError);
    expect(() => readBoundedText('/dev/zero')).toThrow(/not a regular file/);
    expect(performance.now() - t0).toBeLessThan(2000);
  });
  test('refuses a file over the limit by its size, and a /proc file that grows past it while read', () => {
    const big = join(dir, 'big.json');
    writeFileSync(big, '');
    truncateSync(big, MAX_READ_BYTES + 1); // sparse: no 8 MiB written
    expect(() => readBoundedText(big)).toThrow(/over the \d+-byte limit/);
    // /proc files report size 0; the read itself is bounded.
    expect(readBoundedText('/proc/self/status')).toMatch(/^Name:/);
    expect(() => readBoundedText('/proc/self/status', 16)).toThrow(/over the 16-byte limit/);
  });
  test('a missing file names the errno', () => {
    expect(() => readBoundedText(join(dir, 'nope.json'))).toThrow(/ENOENT/);
  });
});

describe('ensureWritableDir (no GPU)', () => {
  test('creates missing levels, refuses a path through a file and a directory under /proc quickly', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gpukit-dir-'));
    ensureWritableDir(join(dir, 'a', 'b'));
    expect(statSync(join(dir, 'a', 'b')).isDirectory()).toBe(true);
    const file = join(dir, 'file');
    writeFileSync(file, '');
    expect(() => { ensureWritableDir(join(file, 'sub')); }).toThrow(/not a directory/);
    const t0 = performance.now();
    // Node's mkdirSync(recursive) never returns here.
    expect(() => { ensureWritableDir('/proc/gpukit-cache/x'); }).toThrow(InvalidFileError);
    expect(performance.now() - t0).toBeLessThan(2000);
  });
});

test('ops run with their defaults and one warning per bad cache file when the cache is valid JSON of the wrong shape', () => {
  const shapes = ['{}', '[]', '{"winners": null}', '{"winners": {"reduce": {"4": null, "8": null, "12": null}, "sort": {"12": null}, "random": {"8": null}, "elementwise": {"12": null}}}',
    '{"winners": {"reduce": {"12": {"params": {"wg": "x"}, "ms": 1}}}}', '{"winners": {"reduce": 1', JSON.stringify(GOOD)];
  const child = fileURLToPath(new URL('./tune-cache-child.ts', import.meta.url));
  const r = spawnSync(process.execPath, ['--import', 'tsx', child, JSON.stringify(shapes)], { encoding: 'utf8', timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  const out = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '') as { dir: string; sum: number[]; add: number[]; sorted: number[]; uniform: number[] }[];
  expect(out).toHaveLength(shapes.length);
  const keys = Array.from({ length: 300 }, (_, i) => (i * 7919) % 300).sort((a, b) => a - b);
  const uniform = [...uniformCpu(64, 5)];
  for (const o of out) {
    expect(o.sum).toEqual([499500, 499500]); // 0 + 1 + ... + 999, exact in f32
    expect(o.add).toEqual(Array.from({ length: 1000 }, (_, i) => 2 * i));
    expect(o.sorted).toEqual(keys);
    expect(o.uniform).toEqual(uniform);
  }
  const warnings = r.stderr.split('\n').filter((l) => l.includes('ignoring the tuning cache'));
  // One line per malformed file (not per op call), none for the valid one.
  expect(warnings).toHaveLength(shapes.length - 1);
  for (const [i, o] of out.entries()) expect(warnings.some((w) => w.includes(o.dir))).toBe(i < shapes.length - 1);
}, 60_000);
