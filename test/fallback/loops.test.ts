import { describe, expect, test } from 'vitest';
import { cappedLoops } from '../../src/backends/host/loops.js';

const kinds = (src: string): string[] => cappedLoops(src).map((l) => `${l.kind}@${l.line}`);

describe('cappedLoops: the loops gpu.js stops at loopMaxIterations (found without a GPU)', () => {
  test('for loops with a literal start and a literal bound on the declared counter are not capped', () => {
    expect(kinds('function () { let s = 0; for (let i = 0; i < 4096; i++) s += i; return s; }')).toEqual([]);
    expect(kinds('function () { for (var j = 2.5; 1e4 >= j; j += 2) {} }')).toEqual([]);
    expect(kinds('function () { for (let i = 10; i != 0; i--) {} }')).toEqual([]);
  });

  test('a bound gpu.js cannot see is capped: an argument, a variable, an expression, a negative literal, a missing part', () => {
    expect(kinds('function (n) { for (let i = 0; i < n; i++) {} }')).toEqual(['for@1']);
    expect(kinds('function () { const n = 8; for (let i = 0; i < n; i++) {} }')).toEqual(['for@1']);
    expect(kinds('function () { for (let i = 0; i < 2 * 8; i++) {} }')).toEqual(['for@1']);
    expect(kinds('function () { for (let i = -4; i < 8; i++) {} }')).toEqual(['for@1']);
    expect(kinds('function () { for (let i = 0; j < 8; i++) {} }')).toEqual(['for@1']);
    expect(kinds('function () { for (let i = 0; i < 8;) {} }')).toEqual(['for@1']);
    expect(kinds('function () { for (let i = 0, j = 0; i < 8; i++) {} }')).toEqual(['for@1']);
    expect(kinds('function (x) { let i = 0; for (i = 0; i < 8; i++) {} }')).toEqual(['for@1']);
  });

  test('while and do-while are always capped; lines are counted; keywords in comments, strings and names do not count', () => {
    const src = [
      'function (n) {',
      '  // while (true) in a comment',
      "  const s = 'for (;;)'; /* do { } */",
      '  let forward = 0; let i = 0;',
      '  while (i < n) i++;',
      '  do { i--; } while (i > 0);',
      '  return this.while + forward;',
      '}',
    ].join('\n');
    expect(kinds(src)).toEqual(['while@5', 'do@6', 'while@6']);
    expect(cappedLoops(src)[0]?.text).toBe('while (i < n) i++;');
  });
});
