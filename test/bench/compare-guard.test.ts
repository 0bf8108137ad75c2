import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { checkReport, compareReports, readReport } from '../../src/bench/compare.js';
import { formatJson } from '../../src/bench/report.js';
import { InvalidFileError } from '../../src/errors.js';
import { syntheticReport } from './synthetic-report.js';

const good = JSON.parse(formatJson(syntheticReport())) as Record<string, unknown>;

const DELETE = Symbol('delete');

/** A deep copy of the good report with the field at `path` set to `value` (or deleted). */
function edited(path: readonly (string | number)[], value: unknown): unknown {
  const r = structuredClone(good) as unknown;
  let at = r as Record<string, unknown>;
  for (const k of path.slice(0, -1)) at = at[String(k)] as Record<string, unknown>;
  const last = String(path.at(-1) ?? '');
  if (value === DELETE) Reflect.deleteProperty(at, last);
  else at[last] = value;
  return r;
}

describe('checkReport: what compareReports reads is there and has its type (no GPU)', () => {
  test('a report as formatJson writes it passes, and compares equal to itself', () => {
    const r = checkReport(good);
    expect(typeof r).not.toBe('string');
    const g = compareReports(r as Exclude<typeof r, string>, r as Exclude<typeof r, string>);
    expect(g.crossovers).toBeGreaterThan(0);
    expect(g.crossoversAgree).toBe(g.crossovers);
  });
  test('a report without noise (older versions) passes', () => {
    expect(typeof checkReport(edited(['noise'], DELETE))).toBe('object');
  });
  const cases: readonly [string, unknown, RegExp][] = [
    ['{}', {}, /^schema is missing$/],
    ['null', null, /^the report is null, expected an object$/],
    ['an array', [], /the report is an array/],
    ['another schema', edited(['schema'], 'gpukit-bench/0'), /schema is "gpukit-bench\/0", expected "gpukit-bench\/1"/],
    ['ops missing', edited(['ops'], DELETE), /^ops is missing$/],
    ['ops null', edited(['ops'], null), /^ops is null, expected an array$/],
    ['sizes null', edited(['ops', 0, 'sizes'], null), /^ops\[0\]\.sizes is null/],
    ['sizes empty', edited(['ops', 0, 'sizes'], []), /^ops\[0\]\.sizes is empty/],
    ['a size of 0', edited(['ops', 0, 'sizes', 1], 0), /^ops\[0\]\.sizes\[1\] is 0, expected a positive size/],
    ['a comparison without crossover', edited(['ops', 0, 'comparisons', 0, 'crossover'], DELETE), /^ops\[0\]\.comparisons\[0\]\.crossover is missing/],
    ['an unknown crossover kind', edited(['ops', 0, 'comparisons', 0, 'crossover'], { kind: 'sometimes' }), /crossover\.kind is "sometimes"/],
    ['a crossing without n', edited(['ops', 0, 'comparisons', 0, 'crossover'], { kind: 'crosses' }), /crossover\.n is missing/],
    ['parity with bad lines', edited(['ops', 0, 'comparisons', 0, 'crossover'], { kind: 'parity', ratio: 1, lines: { kind: 'parity' } }), /crossover\.lines\.kind is "parity"/],
    ['a median as a string', edited(['ops', 0, 'contenders', 1, 'points', 2, 'medianMs'], '3'), /^ops\[0\]\.contenders\[1\]\.points\[2\]\.medianMs is string, expected a number/],
    ['a fit that is null', edited(['ops', 0, 'contenders', 0, 'fit'], null), /^ops\[0\]\.contenders\[0\]\.fit is null/],
    ['noise probes missing', edited(['noise', 'probes'], DELETE), /^noise\.probes is missing/],
  ];
  test.each(cases)('%s is refused with the first bad field, in one line', (_name, v, pattern) => {
    const r = checkReport(v);
    expect(typeof r).toBe('string');
    expect(r).toMatch(pattern);
    expect(r).not.toContain('\n');
  });
});

describe('readReport (no GPU)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gpukit-report-'));
  test('reads back what formatJson wrote, non-finite numbers included', () => {
    const r = edited(['ops', 0, 'comparisons', 0, 'crossover'], { kind: 'parity', ratio: 'Infinity', lines: { kind: 'never' } });
    writeFileSync(join(dir, 'a.json'), JSON.stringify(r));
    const back = readReport(join(dir, 'a.json'));
    expect(back.ops[0]?.comparisons[0]?.crossover).toEqual({ kind: 'parity', ratio: Infinity, lines: { kind: 'never' } });
  });
  test('a truncated report, an empty file, a directory and /dev/zero are typed one-line errors naming the file', () => {
    const text = formatJson(syntheticReport());
    writeFileSync(join(dir, 'cut.json'), text.slice(0, text.length >> 1));
    writeFileSync(join(dir, 'empty.json'), '');
    for (const [f, pattern] of [
      [join(dir, 'cut.json'), /cut\.json is not a gpukit bench --json report: not JSON/],
      [join(dir, 'empty.json'), /empty\.json is not a gpukit bench --json report: not JSON \(it is empty\)/],
      [dir, /is a directory/],
      ['/dev/zero', /\/dev\/zero is not a regular file/],
    ] as const) {
      let err: unknown;
      try {
        readReport(f);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InvalidFileError);
      expect((err as InvalidFileError).message).toMatch(pattern);
      expect((err as InvalidFileError).message).not.toContain('\n');
      expect((err as InvalidFileError).path).toBe(f);
    }
  });
});
