/**
 * Redraws the docs' bench charts (docs/bench-*.svg) from a `gpukit bench --json` file, so the README and the
 * bench guide show one run's figures: `npx tsx scripts/bench-charts.ts bench.json`. The file is checked as
 * `gpukit compare` checks it (a file that is not a bench report is refused).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readReport } from '../src/bench/compare.js';
import { rooflineChart, speedupChart, timeChart } from '../src/bench/report.js';

const file = process.argv[2];
if (file === undefined) {
  console.error('usage: npx tsx scripts/bench-charts.ts <gpukit bench --json file>');
  process.exit(2);
}
const r = readReport(file);
const out = join(import.meta.dirname, '..', 'docs');
for (const name of ['sum', 'matmul']) {
  const op = r.ops.find((o) => o.name === name);
  if (op === undefined) {
    console.error(`bench-charts: ${file} has no ${name} (run gpukit bench with its default ops)`);
    process.exit(1);
  }
  writeFileSync(join(out, `bench-${name}-time.svg`), timeChart(r, op) + '\n');
  writeFileSync(join(out, `bench-${name}-speedup.svg`), speedupChart(r, op) + '\n');
}
writeFileSync(join(out, 'bench-roofline.svg'), rooflineChart(r) + '\n');
console.log(`docs/bench-{sum,matmul}-{time,speedup}.svg and docs/bench-roofline.svg from ${file} (${r.createdAt})`);
