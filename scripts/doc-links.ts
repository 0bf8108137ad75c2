/**
 * The docs' links resolve: every relative link and image of the Markdown pages (README.md and docs/, not the
 * generated docs/api/) names a file of this repository, and every `#anchor` a heading of its page (GitHub's
 * slugs). Web links are not fetched (CI has no network). `npx tsx scripts/doc-links.ts` prints the problems;
 * test/docs/links.test.ts asserts there are none.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** README.md and every page under docs/ but the generated API reference. */
export function markdownPages(): string[] {
  const out = ['README.md'];
  const walk = (dir: string): void => {
    for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
      const p = `${dir}/${e.name}`;
      if (e.isDirectory()) {
        if (p !== 'docs/api') walk(p);
      } else if (e.name.endsWith('.md')) out.push(p);
    }
  };
  walk('docs');
  return out.sort();
}

/** The text outside fenced code blocks and inline code spans, where links live. */
function prose(text: string): string {
  return text.replace(/^(`{3,})[^\n]*\n[\s\S]*?^\1\s*$/gm, '').replace(/`[^`\n]*`/g, '');
}

/** GitHub's anchors for a page's headings (lowercase, punctuation dropped, spaces to '-', repeats numbered). */
export function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  const noFences = text.replace(/^(`{3,})[^\n]*\n[\s\S]*?^\1\s*$/gm, '');
  for (const m of noFences.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = (m[1] ?? '').toLowerCase().replace(/<[^>]+>/g, '').replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  for (const m of noFences.matchAll(/<a\s+(?:name|id)="([^"]+)"/g)) out.add(m[1] ?? '');
  return out;
}

/** Each link or image target of a page, with its line. */
export function links(text: string): { target: string; line: number }[] {
  const body = prose(text);
  const out: { target: string; line: number }[] = [];
  const lineOf = (i: number): number => body.slice(0, i).split('\n').length;
  for (const m of body.matchAll(/!?\[[^\]\n]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) out.push({ target: m[1] ?? '', line: lineOf(m.index) });
  for (const m of body.matchAll(/^\[[^\]\n]+\]:\s+(\S+)/gm)) out.push({ target: m[1] ?? '', line: lineOf(m.index) });
  for (const m of body.matchAll(/<img\s[^>]*src="([^"]+)"/g)) out.push({ target: m[1] ?? '', line: lineOf(m.index) });
  return out;
}

/** Every link that does not resolve, as `page:line: why`. */
export function brokenLinks(pages = markdownPages()): string[] {
  const problems: string[] = [];
  for (const page of pages) {
    const text = readFileSync(join(ROOT, page), 'utf8');
    for (const { target, line } of links(text)) {
      if (/^[a-z][a-z+.-]*:/i.test(target)) continue; // https:, mailto: — not fetched
      const [path = '', anchor] = target.split('#');
      const file = path === '' ? join(ROOT, page) : resolve(dirname(join(ROOT, page)), decodeURIComponent(path));
      const rel = relative(ROOT, file);
      if (rel.startsWith('..')) {
        problems.push(`${page}:${line}: ${target} leaves the repository`);
        continue;
      }
      if (!existsSync(file)) {
        problems.push(`${page}:${line}: ${target}: no such file`);
        continue;
      }
      if (anchor !== undefined && anchor !== '') {
        if (statSync(file).isDirectory() || !file.endsWith('.md')) {
          problems.push(`${page}:${line}: ${target}: an anchor into a file that is not Markdown`);
          continue;
        }
        if (!anchors(readFileSync(file, 'utf8')).has(anchor)) problems.push(`${page}:${line}: ${target}: no heading '#${anchor}' in ${rel}`);
      }
    }
  }
  return problems;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const pages = markdownPages();
  const problems = brokenLinks(pages);
  for (const p of problems) console.error(p);
  const n = pages.reduce((k, p) => k + links(readFileSync(join(ROOT, p), 'utf8')).length, 0);
  console.log(`doc links: ${n} links on ${pages.length} pages; ${problems.length} broken`);
  process.exit(problems.length === 0 ? 0 : 1);
}
