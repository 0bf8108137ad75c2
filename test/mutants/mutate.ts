import type { Mutant } from './list.js';

/** Applies a mutant's edits to `text`; throws when a search string does not occur exactly as often as it says. */
export function mutate(m: Mutant, text: string): string {
  let out = text;
  for (const e of m.edits) {
    const want = e.count ?? 1;
    const found = out.split(e.search).length - 1;
    if (found !== want) throw new Error(`mutant ${m.id}: "${e.search}" occurs ${found} time(s) in ${m.file}, expected ${want} (the source drifted: update test/mutants/list.ts)`);
    out = out.split(e.search).join(e.replace);
  }
  if (out === text) throw new Error(`mutant ${m.id}: the edits change nothing`);
  return out;
}
