/**
 * "Nothing got slower": bench/targets.ts of two trees, interleaved in one run (old, new, old, new, …), each
 * target's ratio compared between the trees. Only figures measured side by side in one run mean anything on
 * these machines (absolute times move 2–5× between days), so the two trees take turns and each figure is the
 * median of its rounds.
 *
 *   npx tsx bench/trees.ts --old <dir of the old checkout> [--rounds 3] [-- <targets.ts args>]
 *
 * The old checkout needs its node_modules (a symlink to this one's is fine). Prints one row per target:
 * the median ratio (baseline time / gpukit time, as targets.ts defines it) on each tree and new/old.
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

const argv = process.argv.slice(2);
const at = (flag: string): string | undefined => {
  const i = argv.indexOf(flag);
  return i >= 0 ? argv[i + 1] : undefined;
};
const oldDir = at('--old');
if (oldDir === undefined) {
  console.error('usage: npx tsx bench/trees.ts --old <dir> [--rounds 3] [-- <targets.ts args>]');
  process.exit(2);
}
const rounds = Number(at('--rounds') ?? 3);
const dash = argv.indexOf('--');
const passed = dash >= 0 ? argv.slice(dash + 1) : [];
const trees = { old: resolve(oldDir), new: resolve('.') };

/** target → ratio, from the table targets.ts prints (`… 12.3 ms   cont 11.0 ms   0.89×  ≥0.83  yes`). */
function parse(out: string): Map<string, number> {
  const rows = new Map<string, number>();
  for (const line of out.split('\n')) {
    const m = /^(.{58}) .*?\s([\d.]+|NaN|Infinity)×\s+≥[\d.]+\s+(yes|no)$/.exec(line);
    if (m !== null) rows.set((m[1] ?? '').trim(), Number(m[2]));
  }
  return rows;
}

const seen: Record<'old' | 'new', Map<string, number[]>> = { old: new Map(), new: new Map() };
for (let r = 0; r < rounds; r++) {
  for (const which of ['old', 'new'] as const) {
    const t0 = performance.now();
    const out = execFileSync('npx', ['tsx', 'bench/targets.ts', ...passed], { cwd: trees[which], encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 26 });
    if (r === 0 && which === 'old') console.log(out.split('\n').slice(0, 3).join('\n'));
    for (const [k, v] of parse(out)) seen[which].set(k, [...(seen[which].get(k) ?? []), v]);
    console.error(`round ${r + 1}/${rounds} ${which}: ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 === 1 ? (s[s.length >> 1] ?? NaN) : ((s[s.length / 2 - 1] ?? NaN) + (s[s.length / 2] ?? NaN)) / 2;
};
console.log(`\n${'target'.padEnd(58)} ${'old'.padStart(8)} ${'new'.padStart(8)} ${'new/old'.padStart(8)}  ${'old range'.padStart(13)} ${'new range'.padStart(13)}   (ratio = baseline / gpukit, higher is faster; median of ${rounds} interleaved rounds, and min–max)`);
const range = (xs: readonly number[]): string => `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}`;
let worst = Infinity;
for (const [k, olds] of seen.old) {
  const o = median(olds);
  const n = median(seen.new.get(k) ?? []);
  const q = n / o;
  if (Number.isFinite(q)) worst = Math.min(worst, q);
  const overlap = Math.max(...(seen.new.get(k) ?? [NaN])) >= Math.min(...olds);
  console.log(`${k.padEnd(58)} ${o.toFixed(3).padStart(8)} ${n.toFixed(3).padStart(8)} ${q.toFixed(3).padStart(8)}  ${range(olds).padStart(13)} ${range(seen.new.get(k) ?? []).padStart(13)}${q < 0.95 ? (overlap ? '  median slower by > 5 %, ranges overlap' : '  slower by more than 5 %, ranges apart') : ''}`);
}
console.log(`\nworst new/old: ${worst.toFixed(3)} (≥ 0.95 is "nothing got slower")`);
