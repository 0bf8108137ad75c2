/**
 * The docs' links resolve (relative files and #anchors; no network), the README stays a front page (≤ 150 lines),
 * and no page names a package registry's host: gpukit is installed from a packed tarball or a git URL.
 */
import { readFileSync } from 'node:fs';
import { expect, test } from 'vitest';
import { anchors, brokenLinks, links, markdownPages } from '../../scripts/doc-links.js';

test('every relative link and anchor of README.md and docs/ resolves', () => {
  expect(brokenLinks()).toEqual([]);
});

test('the checker finds a broken file, a broken anchor and a good one', () => {
  const text = '# Quick start\n## Quick start\n[a](#quick-start-1) [b](nowhere.md) [c](#nope) [d](https://example.org)\n```\n[e](x.md)\n```\n';
  expect(links(text).map((l) => l.target)).toEqual(['#quick-start-1', 'nowhere.md', '#nope', 'https://example.org']);
  expect([...anchors(text)]).toEqual(['quick-start', 'quick-start-1']);
  expect(anchors('## `map(x, expr)`: one line\n').has('mapx-expr-one-line')).toBe(true);
});

test('the README is at most 150 lines', () => {
  expect(readFileSync('README.md', 'utf8').trimEnd().split('\n').length).toBeLessThanOrEqual(150);
});

test('no page names a package registry host', () => {
  const hosts = /\b(registry\.npmjs\.org|npmjs\.com|registry\.yarnpkg\.com|jsr\.io|deno\.land)\b/i;
  expect(markdownPages().filter((p) => hosts.test(readFileSync(p, 'utf8')))).toEqual([]);
});
