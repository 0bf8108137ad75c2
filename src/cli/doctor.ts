import { spawn } from 'node:child_process';
import { MATRIX, matrixEnv, type MatrixEntry } from './matrix.js';

interface Check {
  readonly entry: MatrixEntry;
  readonly ok: boolean;
  readonly detail: string;
}

// Each engine is probed in a child process with the environment its matrix pass gets (`gpukit info --json`):
// Dawn reads its driver variables once per process, so one process cannot try all three.
function probe(entry: MatrixEntry): Promise<Check> {
  const script = process.argv[1] ?? '';
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, script, 'info', '--json'], { env: matrixEnv(entry), timeout: 60_000 });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', (e) => { resolve({ entry, ok: false, detail: e.message }); });
    child.on('close', (code) => {
      // The reason `gpukit info` gives (the line after its headline, without the how-to), not Dawn's warnings.
      const why = (): string => {
        const lines = err.split('\n').map((l) => l.trim());
        const at = lines.findIndex((l) => l.startsWith('gpukit: no usable GPU adapter'));
        const line = (at >= 0 ? lines[at + 1] : lines.filter((l) => l !== '' && !l.startsWith('Warning:') && !l.startsWith('at ')).at(-1)) ?? '';
        return line.replace(/\s*On a machine without a GPU.*$/, '') || `exit ${String(code)}`;
      };
      if (code !== 0) {
        resolve({ entry, ok: false, detail: why() });
        return;
      }
      try {
        const info = JSON.parse(out) as { engine?: string; description?: string; backend?: string; featureLevel?: string; isSoftware?: boolean };
        const want = entry.name === 'gpujs' ? 'gpujs' : 'dawn';
        if (info.engine !== want) {
          resolve({ entry, ok: false, detail: `opened ${String(info.engine)}, not ${want}` });
          return;
        }
        const kind = info.isSoftware === true ? 'software' : 'hardware';
        resolve({ entry, ok: true, detail: `${info.description ?? '?'} (${info.backend ?? '?'}, ${info.featureLevel ?? '?'}, ${kind})` });
      } catch {
        resolve({ entry, ok: false, detail: `unreadable info: ${out.slice(0, 200)}` });
      }
    });
  });
}

/**
 * `gpukit doctor`: which engines can run here (the three `gpukit test-matrix` runs), and for each that cannot,
 * the one command that fixes it. Returns 0 when all can run, else 1.
 */
export async function runDoctor(): Promise<number> {
  console.log('gpukit doctor: the engines `gpukit test-matrix` runs on, tried on this machine');
  const checks: Check[] = [];
  for (const entry of MATRIX) {
    const c = await probe(entry);
    checks.push(c);
    console.log(`  ${c.ok ? 'ok  ' : 'FAIL'}  ${entry.name.padEnd(7)} ${entry.title}: ${c.detail}`);
    if (!c.ok) console.log(`        fix: ${entry.fix}`);
  }
  const bad = checks.filter((c) => !c.ok).length;
  console.log(bad === 0 ? 'doctor: every engine can run here' : `doctor: ${bad} of ${checks.length} engines cannot run here; run the fix shown`);
  return bad === 0 ? 0 : 1;
}
