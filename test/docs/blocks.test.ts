/**
 * Every ```ts block of README.md and docs/guide/*.md runs as the program a reader would paste, on this pass's
 * engine (the blocks open their own device with openDevice(), so GPUKIT_ENGINE and a hidden Dawn apply), and
 * prints what its `// prints:` comments say. `from=PATH` blocks must equal the file they show. The count is printed.
 * Conventions: scripts/doc-blocks.ts and docs/contributing/docs.md.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { codeBlocks, docPages, extractBlocks, programs, runProgram, staleCopies, type Program } from '../../scripts/doc-blocks.js';
import { sharedDevice } from '../fixture.js';

let dawn = false;
const count = { ran: 0, dawnOnly: 0, copies: 0 };

beforeAll(async () => {
  const device = await sharedDevice();
  dawn = device?.info.engine === 'dawn';
});

afterAll(() => {
  console.log(`doc blocks: ${count.ran} programs ran${count.dawnOnly > 0 ? `, ${count.dawnOnly} need Dawn (not run on this engine)` : ''}, ${count.copies} copies of repository files compared`);
});

const pages = docPages();

const synthetic = (name: string, code: string): Program => ({ name, dawnOnly: false, blocks: [{ file: 'x.md', line: 1, lang: 'ts', flags: new Set<string>(), from: null, code }] });

test('the runner fails a block that prints something else or throws, and passes one that prints what it says', async () => {
  expect((await runProgram(synthetic('synthetic-wrong', 'console.log(1 + 1); // prints: 3'))).failures).toEqual(['x.md:2: printed "2", the page says "3"']);
  expect((await runProgram(synthetic('synthetic-right', "console.log([1, 2], 'a'); // prints: [ 1,   2 ] a"))).failures).toEqual([]);
  expect((await runProgram(synthetic('synthetic-throws', "throw new Error('boom');"))).failures).toEqual(['synthetic-throws: threw Error: boom']);
});

test('fences: the language, the flags, from=PATH; continue joins the block before', () => {
  const md = '# p\n```ts\nconst a = 1;\n```\n```sh\nnpm ci\n```\n```ts dawn continue\nconsole.log(a);\n```\n```ts from=src/index.ts\n```\n';
  const blocks = extractBlocks('p.md', md);
  expect(blocks.map((b) => [b.lang, [...b.flags].join(','), b.from])).toEqual([['ts', '', null], ['sh', '', null], ['ts', 'dawn,continue', null], ['ts', '', 'src/index.ts']]);
});

test('the README and every guide are checked, and the guides hold runnable blocks', () => {
  expect(pages[0]).toBe('README.md');
  expect(pages.length).toBeGreaterThanOrEqual(10);
  expect(programs('README.md').length).toBeGreaterThanOrEqual(2);
});

for (const page of pages) {
  describe(page, () => {
    test('from=PATH blocks equal their files', () => {
      expect(staleCopies(page)).toEqual([]);
      count.copies += codeBlocks(page).filter((b) => b.from !== null).length;
    });
    for (const p of programs(page)) {
      test(`${p.name} runs and prints what it shows`, async () => {
        if (p.dawnOnly && !dawn) {
          count.dawnOnly++;
          return;
        }
        const r = await runProgram(p);
        count.ran++;
        expect(r.failures, r.printed.join('\n')).toEqual([]);
      });
    }
  });
}
