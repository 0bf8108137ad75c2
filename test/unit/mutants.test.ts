import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { MUTANTS, type Mutant } from '../mutants/list.js';
import { mutate } from '../mutants/mutate.js';

// The mutant list of `npm run mutants` must keep applying to the source: a drifted search string fails here,
// in the ordinary suite, instead of silently dropping a mutant.
describe('the mutant list', () => {
  test('every mutant applies to the current source exactly as listed, and changes it', () => {
    expect(MUTANTS.length).toBeGreaterThanOrEqual(15);
    expect(new Set(MUTANTS.map((m) => m.id)).size).toBe(MUTANTS.length);
    for (const m of MUTANTS) {
      const text = readFileSync(new URL(`../../${m.file}`, import.meta.url), 'utf8');
      const out = mutate(m, text);
      expect(out, m.id).not.toBe(text);
      for (const e of m.edits) expect(out.split(e.replace).length - 1, `${m.id}: replacements`).toBeGreaterThanOrEqual(e.count ?? 1);
      expect(m.tests.length, `${m.id}: tests`).toBeGreaterThan(0);
    }
  });

  test('a search string found zero times or more often than listed is an error naming the mutant', () => {
    const m: Mutant = { id: 'probe', what: '', file: 'f.ts', edits: [{ search: 'a < b', replace: 'a <= b' }], tests: ['t'], engine: 'dawn' };
    expect(mutate(m, 'x; a < b; y')).toBe('x; a <= b; y');
    expect(() => mutate(m, 'x; a > b')).toThrow('mutant probe: "a < b" occurs 0 time(s) in f.ts, expected 1');
    expect(() => mutate(m, 'a < b; a < b')).toThrow('occurs 2 time(s) in f.ts, expected 1');
    expect(mutate({ ...m, edits: [{ search: 'a < b', replace: 'a <= b', count: 2 }] }, 'a < b; a < b')).toBe('a <= b; a <= b');
    expect(() => mutate({ ...m, edits: [{ search: 'a < b', replace: 'a < b' }] }, 'a < b')).toThrow('mutant probe: the edits change nothing');
  });
});
