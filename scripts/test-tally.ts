// Reads vitest JSON reports and prints the line the CI tally reads: `Tests: N passed, M failed`. Skipped and
// todo tests count as failures (a suite that skips its GPU tests has not run them), as does a report that is
// missing, unreadable or holds no test. Exit status 1 when anything failed.
//
//   npx tsx scripts/test-tally.ts results/bun.json [more.json ...]
import { readFileSync } from 'node:fs';

interface VitestJson {
  readonly numPassedTests?: number;
  readonly numFailedTests?: number;
  readonly numPendingTests?: number;
  readonly numTodoTests?: number;
  readonly numTotalTests?: number;
}

let passed = 0;
let failed = 0;
for (const f of process.argv.slice(2)) {
  let r: VitestJson;
  try {
    r = JSON.parse(readFileSync(f, 'utf8')) as VitestJson;
  } catch {
    console.log(`${f}: no JSON result`);
    failed++;
    continue;
  }
  const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  if (skipped > 0) console.log(`${f}: ${String(skipped)} skipped or todo test(s), counted as failed`);
  const empty = (r.numTotalTests ?? 0) === 0 ? 1 : 0;
  if (empty > 0) console.log(`${f}: no test ran, counted as one failure`);
  passed += r.numPassedTests ?? 0;
  failed += (r.numFailedTests ?? 0) + skipped + empty;
}
console.log(`Tests: ${String(passed)} passed, ${String(failed)} failed`);
process.exit(failed > 0 ? 1 : 0);
