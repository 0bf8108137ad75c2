/**
 * `npm run conformance`: draws the Array API conformance cases (test/conformance/generate.py, cached), runs
 * them on both engines in this process (dawn where an adapter exists, and gpujs), and writes
 * docs/reference/conformance.md. `--engine dawn|gpujs` runs one; `--print` writes nothing and prints the table.
 * GPUKIT_CONFORMANCE_BUDGET (cases per function, default 24) and GPUKIT_CONFORMANCE_SEED set the draw.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as api from '../src/index.js';
import { loadCases, runParams } from '../test/conformance/cases.js';
import { conformanceDoc } from '../test/conformance/doc.js';
import { runAll, type EngineResult } from '../test/conformance/report.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const at = argv.indexOf('--engine');
const engines = at >= 0 ? [argv[at + 1] ?? ''] : ['dawn', 'gpujs'];
const { seed, budget } = runParams();
const file = loadCases(seed, budget);
const results: EngineResult[] = [];
for (const engine of engines) {
  if (engine !== 'dawn' && engine !== 'gpujs') throw new Error(`--engine must be dawn or gpujs, got ${engine}`);
  let device: api.GpuDevice;
  try {
    device = await api.openDevice({ engine });
  } catch (e) {
    console.error(`conformance: no ${engine} device (${e instanceof Error ? e.message : String(e)}); its column is left out`);
    continue;
  }
  try {
    const r = await runAll(api, device, file);
    console.error(`conformance: ${engine}: ${file.cases.length} cases in ${r.seconds.toFixed(1)} s`);
    results.push(r);
  } finally {
    await device.close();
  }
}
const doc = conformanceDoc(file, results);
if (argv.includes('--print')) console.log(doc);
else {
  writeFileSync(join(ROOT, 'docs/reference/conformance.md'), doc);
  console.error('conformance: wrote docs/reference/conformance.md');
}
