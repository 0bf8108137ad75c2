/**
 * Docs that cannot rot: every ```ts block of README.md, docs/guide/ and docs/contributing/ runs, and what it prints is compared
 * where the block says what it prints. `npx tsx scripts/doc-blocks.ts` runs them all and prints the count;
 * test/docs/blocks.test.ts runs the same blocks under vitest (and test/docs/links.test.ts checks the links).
 *
 * The conventions (docs/contributing/docs.md says the same for writers):
 * - A ```ts block is a self-contained program: it imports from 'gpukit' (and 'gpukit/testing') as a user's
 *   file does, opens its own device with `openDevice()` and may use top-level `await` and `using`.
 * - `console.log(...); // prints: TEXT` — that call must print TEXT (whitespace runs compare as one space;
 *   a call that runs several times prints its lines joined by one space).
 * - Words after the language in the fence: `dawn` (raw WGSL: runs only where the Dawn engine is; counted as
 *   not run on gpujs), `continue` (runs after the previous ```ts block of the same page, as one program),
 *   `from=PATH` (not run here: the block must equal that repository file, which a test runs).
 * - Any other language (```sh, ```text, ```json) is not run.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { format } from 'node:util';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Where the runnable modules made from blocks are written (ignored by git and eslint). */
const OUT = join(ROOT, 'scratch', 'doc-blocks');

/** A fenced code block of a Markdown page. */
export interface Block {
  /** The page, relative to the repository root. */
  readonly file: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly lang: string;
  readonly flags: ReadonlySet<string>;
  /** `from=PATH`: the repository file this block shows. */
  readonly from: string | null;
  readonly code: string;
}

/** The pages whose blocks run: the README, the guides and the contributing pages. */
export function docPages(): string[] {
  const dir = (d: string): string[] => readdirSync(join(ROOT, d)).filter((f) => f.endsWith('.md')).sort().map((f) => `${d}/${f}`);
  return ['README.md', ...dir('docs/guide'), ...dir('docs/contributing')];
}

/** Every fenced block of a page. */
export function extractBlocks(file: string, text = readFileSync(join(ROOT, file), 'utf8')): Block[] {
  const lines = text.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,})(.*)$/.exec(lines[i] ?? '');
    if (open === null) continue;
    const fence = open[1] ?? '```';
    const [lang = '', ...words] = (open[2] ?? '').trim().split(/\s+/);
    let j = i + 1;
    while (j < lines.length && !(lines[j] ?? '').startsWith(fence)) j++;
    if (j >= lines.length) throw new Error(`${file}:${i + 1}: a code fence that never closes`);
    const from = words.find((w) => w.startsWith('from='))?.slice(5) ?? null;
    blocks.push({ file, line: i + 1, lang, flags: new Set(words.filter((w) => !w.startsWith('from='))), from, code: lines.slice(i + 1, j).join('\n') });
    i = j;
  }
  return blocks;
}

/** Blocks that are TypeScript or JavaScript programs (run, or compared with a file). */
export function codeBlocks(file: string): Block[] {
  return extractBlocks(file).filter((b) => b.lang === 'ts' || b.lang === 'js');
}

const KNOWN_FLAGS = new Set(['dawn', 'continue']);

/** One program to run: a block, with the blocks it continues. */
export interface Program {
  readonly name: string;
  readonly blocks: readonly Block[];
  readonly dawnOnly: boolean;
}

/** The programs of a page: `continue` blocks join the program before them; `from=` blocks are not programs. */
export function programs(file: string): Program[] {
  const out: Program[] = [];
  let last: Program | null = null;
  for (const b of codeBlocks(file)) {
    for (const f of b.flags) if (!KNOWN_FLAGS.has(f)) throw new Error(`${file}:${b.line}: unknown block flag '${f}' (dawn, continue, from=PATH)`);
    if (b.from !== null) continue;
    if (b.lang !== 'ts') throw new Error(`${file}:${b.line}: a runnable block must be \`\`\`ts (or name its file with from=PATH)`);
    if (b.flags.has('continue')) {
      if (last === null) throw new Error(`${file}:${b.line}: 'continue' with no block before it`);
      const joined: Program = { name: last.name, blocks: [...last.blocks, b], dawnOnly: last.dawnOnly || b.flags.has('dawn') };
      out[out.length - 1] = joined;
      last = joined;
    } else {
      last = { name: `${file}:${b.line}`, blocks: [b], dawnOnly: b.flags.has('dawn') };
      out.push(last);
    }
  }
  return out;
}

const IMPORTS: Record<string, string> = {
  gpukit: 'src/index.js',
  'gpukit/testing': 'src/testing/index.js',
  'gpukit/fleet': 'src/fleet/index.js',
  'gpukit/interop': 'src/interop/index.js',
};

/** An expected output: `// prints: TEXT` on the line of a console.log. */
interface Expectation {
  readonly at: string;
  readonly text: string;
}

const norm = (s: string): string => s.replace(/\s+/g, ' ').trim();

/** The module a program runs as: its imports hoisted and pointed at this checkout, its body in a function. */
export function moduleSource(p: Program): { source: string; expect: Map<number, Expectation> } {
  const imports: string[] = [];
  const body: string[] = [];
  const expect = new Map<number, Expectation>();
  let id = 0;
  for (const b of p.blocks) {
    const lines = b.code.split('\n');
    for (let i = 0; i < lines.length; i++) {
      let line = lines[i] ?? '';
      if (/^import\s/.test(line)) {
        let stmt = line;
        while (!/['"];?\s*$/.test(stmt) && i + 1 < lines.length) stmt += `\n${lines[++i] ?? ''}`;
        imports.push(stmt.replace(/from\s+'([^']+)'/, (m, spec: string) => {
          const target = IMPORTS[spec];
          if (target === undefined) throw new Error(`${b.file}:${b.line + i + 1}: a doc block may import only ${Object.keys(IMPORTS).join(', ')} (got '${spec}')`);
          return `from '${relative(OUT, join(ROOT, target)).split('\\').join('/')}'`;
        }));
        body.push('');
        continue;
      }
      const prints = /\/\/ prints: (.*)$/.exec(line);
      if (line.includes('console.log(')) {
        const n = id++;
        line = line.replace('console.log(', `__log(${n}, `);
        if (prints !== null) expect.set(n, { at: `${b.file}:${b.line + i + 1}`, text: prints[1] ?? '' });
      } else if (prints !== null) throw new Error(`${b.file}:${b.line + i + 1}: '// prints:' on a line without console.log`);
      body.push(line);
    }
  }
  const source = `${imports.join('\n')}\n// ${p.name}\nexport default async function (__log: (at: number, ...args: unknown[]) => void): Promise<void> {\n${body.join('\n')}\n}\n`;
  return { source, expect };
}

/** What running a program gave: its failures (empty when it ran as shown) and everything it printed. */
export interface Outcome {
  readonly failures: string[];
  readonly printed: string[];
}

/** Runs one program in this process (vitest or tsx transforms the module) and compares what it printed. */
export async function runProgram(p: Program): Promise<Outcome> {
  const { source, expect } = moduleSource(p);
  mkdirSync(OUT, { recursive: true });
  const file = join(OUT, `${p.name.replace(/[^\w]+/g, '-')}.ts`);
  writeFileSync(file, source);
  const got = new Map<number, string[]>();
  const printed: string[] = [];
  const log = (at: number, ...args: unknown[]): void => {
    const s = format(...args);
    printed.push(s);
    got.set(at, [...(got.get(at) ?? []), s]);
  };
  const failures: string[] = [];
  try {
    const mod = (await import(pathToFileURL(file).href)) as { default: (l: typeof log) => Promise<void> };
    await mod.default(log);
  } catch (e) {
    failures.push(`${p.name}: threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    return { failures, printed };
  }
  for (const [n, want] of expect) {
    const have = (got.get(n) ?? []).join(' ');
    if (norm(have) !== norm(want.text)) failures.push(`${want.at}: printed ${JSON.stringify(have)}, the page says ${JSON.stringify(want.text)}`);
  }
  return { failures, printed };
}

/** `from=PATH` blocks whose text differs from their file. */
export function staleCopies(file: string): string[] {
  return codeBlocks(file)
    .filter((b) => b.from !== null)
    .flatMap((b) => {
      const text = readFileSync(join(ROOT, b.from ?? ''), 'utf8');
      return text.trim() === b.code.trim() ? [] : [`${file}:${b.line}: differs from ${b.from ?? ''}`];
    });
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { openDevice } = await import('../src/index.js');
  const probe = await openDevice();
  const dawn = probe.info.engine === 'dawn';
  await probe.close();
  let ran = 0;
  let skipped = 0;
  let copies = 0;
  const failures: string[] = [];
  for (const page of docPages()) {
    failures.push(...staleCopies(page));
    copies += codeBlocks(page).filter((b) => b.from !== null).length;
    for (const p of programs(page)) {
      if (p.dawnOnly && !dawn) {
        skipped++;
        continue;
      }
      const r = await runProgram(p);
      ran++;
      failures.push(...r.failures);
    }
  }
  for (const f of failures) console.error(f);
  console.log(`doc blocks: ${ran} programs ran${skipped > 0 ? `, ${skipped} need Dawn (not run on this engine)` : ''}, ${copies} copies of repository files compared; ${failures.length} failure(s)`);
  process.exit(failures.length === 0 ? 0 : 1);
}
