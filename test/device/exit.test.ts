import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));

function runScript(body: string): { status: number | null; ms: number; out: string } {
  const script = `import { openDevice } from './src/index.ts';\n${body}`;
  const t0 = performance.now();
  const r = spawnSync(tsx, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, ms: performance.now() - t0, out: `${r.stdout}${r.stderr}` };
}

test('a script that opens, computes and closes exits by itself within a few seconds', () => {
  const r = runScript(`
const d = await openDevice();
const k = await d.kernel('@group(0) @binding(0) var<storage, read_write> v: array<f32>;\\n@compute @workgroup_size(1) fn main() { v[0] = 7.0; }');
const v = d.zeros(1);
k.run({ v }, { workgroups: 1 });
console.log('value', await v.item());
await d.close();
`);
  expect(r.out).toContain('value 7');
  expect(r.status).toBe(0);
  expect(r.ms).toBeLessThan(10_000);
});

test('it also exits after an error was thrown mid-way', () => {
  const r = runScript(`
const d = await openDevice();
try { await d.kernel('fn broken('); } catch (e) { console.log('caught', e.name); }
await d.close();
`);
  expect(r.out).toContain('caught ShaderCompileError');
  expect(r.status).toBe(0);
  expect(r.ms).toBeLessThan(10_000);
});
