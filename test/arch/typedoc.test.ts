/**
 * The API reference builds with zero warnings (`npm run docs`: typedoc with `notDocumented` on and warnings as
 * errors), and from the op manifests every op export is listed under its category with a `@see` naming NumPy's
 * function (scripts/typedoc-plugin.ts). One typedoc run, in a child process (about 15-45 s on two loaded cores).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { OPS } from '../../src/ops/registry.js';

const out = mkdtempSync(join(tmpdir(), 'gpukit-typedoc-'));
afterAll(() => {
  rmSync(out, { recursive: true, force: true });
});

interface Part { readonly kind: string; readonly text: string }
interface Node {
  readonly name: string;
  readonly children?: readonly Node[];
  readonly categories?: readonly { readonly title: string; readonly children: readonly number[] }[];
  readonly id: number;
  readonly comment?: { readonly blockTags?: readonly { readonly tag: string; readonly content: readonly Part[] }[] };
  readonly signatures?: readonly Node[];
}

test('npm run docs: zero warnings, every op under its category with @see NumPy', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', './node_modules/typedoc/bin/typedoc', '--out', join(out, 'html'), '--json', join(out, 'api.json')], { encoding: 'utf8', timeout: 170_000 });
  const log = `${r.stdout}${r.stderr}`;
  expect(log).not.toMatch(/\[warning\]|\[error\]/);
  expect(r.status, log).toBe(0);

  const project = JSON.parse(readFileSync(join(out, 'api.json'), 'utf8')) as Node;
  const main = project.children?.find((m) => m.name === 'index');
  const byId = new Map((main?.children ?? []).map((c) => [c.id, c]));
  const categoryOf = new Map<string, string>();
  for (const c of main?.categories ?? []) for (const id of c.children) categoryOf.set(byId.get(id)?.name ?? '', c.title);
  expect([...new Set(categoryOf.values())]).toEqual(expect.arrayContaining(['Creation', 'Elementwise', 'Reductions', 'Indexing', 'Sorting', 'Linear algebra', 'FFT', 'Random', 'Errors']));
  const see = (n: Node): string =>
    [n, ...(n.signatures ?? [])].flatMap((x) => x.comment?.blockTags ?? []).filter((t) => t.tag === '@see').map((t) => t.content.map((p) => p.text).join('')).join(' ');
  const missing: string[] = [];
  for (const o of OPS) {
    for (const name of [o.name, ...(o.aliases ?? [])].map((n) => n.split('.')[0] ?? n)) {
      const node = [...byId.values()].find((c) => c.name === name);
      if (node === undefined || categoryOf.get(name) === undefined || categoryOf.get(name) === 'Other') missing.push(`${name}: no category`);
      else if (o.numpy !== null && !see(node).includes(o.numpy)) missing.push(`${name}: no @see ${o.numpy}`);
    }
  }
  expect(missing).toEqual([]);
  expect(categoryOf.get('ShapeError')).toBe('Errors');
}, 180_000);
