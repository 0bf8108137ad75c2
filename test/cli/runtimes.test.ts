/**
 * The CLI under each runtime (issue 30): `gpukit info --json` run by Bun, by Deno on Dawn and by Deno on its own
 * WebGPU (wgpu), with the pinned binaries of the `bun` and `deno` devDependencies; each names its runtime and
 * WebGPU implementation, checked against the runtime's own `--version`. (Bun and Deno run the TypeScript source
 * here, as they run bin/gpukit.js's compiled JS for a user: see docs/notes/runtimes.md.)
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const bin = (name: string): string => fileURLToPath(new URL(`../../node_modules/.bin/${name}`, import.meta.url));

function version(cmd: string): string {
  const out = spawnSync(bin(cmd), ['--version'], { encoding: 'utf8' }).stdout;
  return /(\d+\.\d+\.\d+)/.exec(out)?.[1] ?? `no version from ${cmd}: ${out}`;
}

/** The environment without gpukit's engine choices (a leftover GPUKIT_WEBGPU would pick the implementation). */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env['GPUKIT_ENGINE'];
  delete env['GPUKIT_WEBGPU'];
  return env;
}

function info(cmd: string, args: readonly string[]): { runtime?: { name: string; version: string }; webgpu?: string; engine?: string } {
  const r = spawnSync(bin(cmd), [...args, 'src/cli/main.ts', 'info', '--json'], { cwd: root, encoding: 'utf8', timeout: 60_000, env: cleanEnv() });
  expect(r.status, `${cmd} ${args.join(' ')}: ${r.stderr}`).toBe(0);
  return JSON.parse(r.stdout) as ReturnType<typeof info>;
}

test('bun runs `gpukit info` on Dawn and names bun and its version', () => {
  const i = info('bun', []);
  expect(i.runtime).toEqual({ name: 'bun', version: version('bun') });
  expect(i).toMatchObject({ engine: 'dawn', webgpu: 'dawn' });
});

test('deno runs `gpukit info` on Dawn (the webgpu addon) and, with --webgpu wgpu, on its own WebGPU (Deno 2.9.6 needs no --unstable-webgpu)', () => {
  const v = version('deno');
  expect(info('deno', ['run', '-A', '--sloppy-imports'])).toMatchObject({ runtime: { name: 'deno', version: v }, engine: 'dawn', webgpu: 'dawn' });
  const w = spawnSync(bin('deno'), ['run', '-A', '--sloppy-imports', 'src/cli/main.ts', 'info', '--json', '--webgpu', 'wgpu'], { cwd: root, encoding: 'utf8', timeout: 60_000, env: cleanEnv() });
  expect(w.status, w.stderr).toBe(0);
  expect(JSON.parse(w.stdout)).toMatchObject({ runtime: { name: 'deno', version: v }, engine: 'dawn', webgpu: 'wgpu', featureLevel: 'core' });
});

test("deno without --allow-ffi cannot load Dawn's addon: gpukit uses Deno's own WebGPU and says why, on stderr and in fallbackReason", () => {
  const w = spawnSync(bin('deno'), ['run', '--allow-read', '--allow-env', '--allow-sys', '--sloppy-imports', 'src/cli/main.ts', 'info', '--json'], { cwd: root, encoding: 'utf8', timeout: 60_000, env: cleanEnv() });
  expect(w.status, w.stderr).toBe(0);
  const i = JSON.parse(w.stdout) as { webgpu?: string; fallbackReason?: string };
  expect(i.webgpu).toBe('wgpu');
  expect(i.fallbackReason).toMatch(/the webgpu package \(Dawn\) could not load in deno .*--allow-ffi.*using the runtime's own WebGPU \(wgpu\)/);
  expect(w.stderr).toMatch(/GPUKIT_WEBGPU=wgpu/);
  // Asked for by name, Dawn does not fall back: the load failure is the answer.
  const d = spawnSync(bin('deno'), ['run', '--allow-read', '--allow-env', '--allow-sys', '--sloppy-imports', 'src/cli/main.ts', 'info', '--json', '--webgpu', 'dawn'], { cwd: root, encoding: 'utf8', timeout: 60_000, env: cleanEnv() });
  expect(d.status).not.toBe(0);
  expect(d.stderr).toMatch(/allow-ffi/);
});
