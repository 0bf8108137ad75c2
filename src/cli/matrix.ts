import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { UsageError } from '../errors.js';

/** One engine environment of the matrix: gpukit's own CI passes (.ci/run) for a user's test command. */
export interface MatrixEntry {
  /** Short name, as `--engines` takes it. */
  readonly name: 'core' | 'compat' | 'gpujs';
  readonly title: string;
  /** Variables set for the pass. */
  readonly set: Readonly<Record<string, string>>;
  /** Variables removed for the pass (a leftover Dawn option would make engine auto mean dawn). */
  readonly unset: readonly string[];
  /** The one command that makes this engine work where it does not. */
  readonly fix: string;
}

const DAWN_OPTIONS = ['GPUKIT_BACKEND', 'GPUKIT_FEATURE_LEVEL', 'GPUKIT_ADAPTER'];

/** The three engines gpukit's CI runs on, with the environment each needs. */
export const MATRIX: readonly MatrixEntry[] = [
  {
    name: 'core',
    title: 'Dawn core (Vulkan)',
    set: { GPUKIT_ENGINE: 'dawn' },
    unset: ['GPUKIT_BACKEND', 'GPUKIT_FEATURE_LEVEL'],
    fix: 'npx gpukit setup',
  },
  {
    name: 'compat',
    title: "Dawn GLES compatibility (OpenGL ES through EGL surfaceless)",
    set: { GPUKIT_ENGINE: 'dawn', GPUKIT_BACKEND: 'opengles', GPUKIT_FEATURE_LEVEL: 'compatibility', EGL_PLATFORM: 'surfaceless' },
    unset: [],
    fix: 'npx gpukit setup',
  },
  {
    name: 'gpujs',
    title: 'gpujs (Dawn hidden: no Vulkan driver, no EGL vendor)',
    // engine auto must fall back to gpu.js by itself, as it would on a machine without an adapter.
    set: { GPUKIT_ENGINE: 'auto', VK_ICD_FILENAMES: '/nonexistent', __EGL_VENDOR_LIBRARY_FILENAMES: '/nonexistent' },
    unset: DAWN_OPTIONS,
    fix: 'npm rebuild gpu.js gl',
  },
];

/** The environment of one matrix pass, built from `base` (CI set when it is not, so a missing adapter fails). */
export function matrixEnv(entry: MatrixEntry, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries({ ...base, ...entry.set }).filter(([k]) => !entry.unset.includes(k)));
  if ((env['CI'] ?? '') === '') env['CI'] = 'true';
  // Mesa's EGL wants a runtime directory; a CI container often has none.
  if ((env['XDG_RUNTIME_DIR'] ?? '') === '') env['XDG_RUNTIME_DIR'] = mkdtempSync(join(tmpdir(), 'gpukit-xdg-'));
  // The project's own tools first, as `npm exec` has them.
  env['PATH'] = [join(process.cwd(), 'node_modules', '.bin'), env['PATH'] ?? ''].join(delimiter);
  return env;
}

/** Picks matrix entries by name (`core,compat,gpujs`); every one when `names` is undefined. */
export function selectEntries(names: string | undefined): readonly MatrixEntry[] {
  if (names === undefined) return MATRIX;
  const want = names.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const unknown = want.filter((n) => !MATRIX.some((e) => e.name === n));
  if (unknown.length > 0 || want.length === 0) {
    throw new UsageError(`--engines: ${unknown.length > 0 ? `unknown ${unknown.join(', ')}` : 'empty'}; choose from ${MATRIX.map((e) => e.name).join(', ')}`);
  }
  return MATRIX.filter((e) => want.includes(e.name));
}

function runOnce(command: readonly string[], env: NodeJS.ProcessEnv): Promise<{ status: number; error?: string }> {
  const [cmd, ...args] = command;
  return new Promise((resolve) => {
    const child = spawn(cmd ?? '', args, { stdio: 'inherit', env });
    child.on('error', (e: NodeJS.ErrnoException) => { resolve({ status: 127, error: e.code === 'ENOENT' ? `${cmd ?? ''}: command not found (is it installed in this project?)` : e.message }); });
    child.on('close', (code, signal) => { resolve({ status: code ?? (signal !== null ? 128 : 1) }); });
  });
}

/**
 * `gpukit test-matrix -- <command…>`: runs the command once per engine (Dawn core, Dawn GLES compatibility,
 * gpujs with Dawn hidden), as gpukit's own CI does, and reports each. Returns 0 only when every pass passed.
 */
export async function runMatrix(command: readonly string[], opts: { readonly engines?: string } = {}): Promise<number> {
  if (command.length === 0) throw new UsageError('give the test command after --, e.g. `gpukit test-matrix -- vitest run`');
  const entries = selectEntries(opts.engines);
  const results: { entry: MatrixEntry; status: number; seconds: number }[] = [];
  for (const entry of entries) {
    const vars = [...Object.entries(entry.set).map(([k, v]) => `${k}=${v}`), ...entry.unset.map((k) => `-u ${k}`)].join(' ');
    console.log(`\n== gpukit test-matrix: ${entry.name}, ${entry.title}\n== ${vars} ${command.join(' ')}`);
    const t0 = performance.now();
    const r = await runOnce(command, matrixEnv(entry));
    const seconds = (performance.now() - t0) / 1000;
    // A command that cannot start would fail every pass the same way: say so once.
    if (r.error !== undefined) throw new UsageError(r.error);
    results.push({ entry, status: r.status, seconds });
  }
  console.log('\n== gpukit test-matrix results');
  for (const r of results) {
    const verdict = r.status === 0 ? 'passed' : `FAILED (exit ${r.status})`;
    console.log(`  ${r.entry.name.padEnd(7)} ${verdict.padEnd(16)} ${r.seconds.toFixed(1).padStart(6)} s  ${r.entry.title}`);
  }
  const passed = results.filter((r) => r.status === 0).length;
  console.log(`test-matrix: ${passed} of ${results.length} engines passed`);
  return passed === results.length ? 0 : 1;
}
