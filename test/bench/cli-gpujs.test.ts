/**
 * `gpukit bench` where only the gpujs engine is available (Dawn hidden in a child process: no Vulkan driver, no
 * EGL vendor; this file runs in the core and GLES passes, which see Dawn themselves). Engine auto falls back to
 * gpu.js, and the report is an honest one: the CPU contenders and gpu.js's webasm contender (no webgpu mode:
 * there is no Dawn adapter for it), compared with each other; no WGSL calibration (those ceilings are not
 * applicable); an op gpu.js runs on the CPU reported as not measured, not as a failure.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';

const run = promisify(execFile);

/** The child's environment: this process's, with Dawn hidden and no variable that would force a Dawn backend. */
function dawnHidden(dir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  const forcing = new Set(['GPUKIT_ENGINE', 'GPUKIT_BACKEND', 'GPUKIT_FEATURE_LEVEL', 'GPUKIT_ADAPTER', 'GPUKIT_GPUJS_MODE', 'GPUKIT_TUNING_PROFILE']);
  for (const [k, v] of Object.entries(process.env)) if (!forcing.has(k)) env[k] = v;
  return { ...env, VK_ICD_FILENAMES: '/nonexistent', __EGL_VENDOR_LIBRARY_FILENAMES: '/nonexistent', XDG_RUNTIME_DIR: process.env['XDG_RUNTIME_DIR'] ?? dir };
}

interface Point { n: number; medianMs: number }
interface Report {
  adapter: { engine?: string; backend: string };
  calibration: Record<string, { value: number | string; applicable?: boolean; method: string }>;
  ops: {
    name: string;
    sizes: number[];
    contenders: { name: string; role: string; points: Point[]; label?: { library: string; version: string; simd: boolean; threads: number } }[];
    comparisons: { gpu: string; cpu: string; speedups: { n: number; speedup: number }[]; crossover: { kind: string } }[];
    unmeasured?: string;
  }[];
  cpuWasm?: { label?: { version: string }; unavailable?: string };
}

test('with Dawn hidden, a tiny sweep compares gpujs-webasm with the CPU; WGSL contenders and ceilings are absent or n/a', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gpukit-bench-gpujs-'));
  const json = join(dir, 'b.json');
  const { stdout, stderr } = await run(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', 'bench', 'sum', 'add', '--quick', '--sizes', '2^10,2^12', '--no-progress', '--json', json],
    { env: dawnHidden(dir), timeout: 60_000 },
  );
  // The fallback is announced once; the bench itself does not fail.
  expect(stderr.match(/running on the gpujs engine/g)).toHaveLength(1);
  expect(stderr).not.toMatch(/gpukit bench: /);
  expect(stdout).toMatch(/gpujs-webasm vs cpu-1t:/);
  expect(stdout).toMatch(/ceilings: copy n\/a · FMA n\/a · dispatch round trip n\/a · upload \d/);
  const r = JSON.parse(readFileSync(json, 'utf8')) as Report;
  expect(r.adapter.engine).toBe('gpujs');
  expect(r.adapter.backend).toBe('webasm');
  // The WGSL ceilings: not applicable (NaN, written "NaN"), saying why; upload and download: host copies, measured.
  for (const k of ['bandwidth', 'flops', 'dispatch']) {
    expect(r.calibration[k]?.applicable).toBe(false);
    expect(r.calibration[k]?.value).toBe('NaN');
    expect(r.calibration[k]?.method).toMatch(/^not applicable: .*WGSL/);
  }
  for (const k of ['upload', 'download']) {
    expect(r.calibration[k]?.applicable).toBeUndefined();
    expect(r.calibration[k]?.value).toBeGreaterThan(0);
  }

  const [sum, add] = r.ops;
  expect(r.ops.map((o) => o.name)).toEqual(['sum', 'add']);
  // sum is a gpu.js kernel: the CPU contenders (cpu-wasm too: TF.js's wasm backend needs no Dawn, and its
  // optional packages are installed) and gpu.js webasm, and no gpukit WGSL contender.
  expect(sum?.contenders.map((c) => c.name)).toEqual(['cpu-1t', 'cpu-pool', 'gpujs-webasm', 'cpu-wasm']);
  expect(sum?.comparisons.map((c) => `${c.gpu} vs ${c.cpu}`)).toEqual(['gpujs-webasm vs cpu-1t', 'gpujs-webasm vs cpu-pool', 'gpujs-webasm vs cpu-wasm']);
  // cpu-wasm says what it runs on, in the JSON and in the table.
  expect(sum?.contenders.find((c) => c.name === 'cpu-wasm')?.label).toMatchObject({ version: '4.22.0', simd: true, threads: 1 });
  expect(r.cpuWasm?.label?.version).toBe('4.22.0');
  expect(stdout).toMatch(/^ {2}cpu-wasm {2}TensorFlow\.js wasm backend .* 4\.22\.0, SIMD on, 1 thread \(/m);
  expect(sum?.unmeasured).toBeUndefined();
  // Each measured speedup is the CPU median over gpu.js's at that size, from the points themselves.
  const median = (name: string, n: number): number => sum?.contenders.find((c) => c.name === name)?.points.find((p) => p.n === n)?.medianMs ?? NaN;
  for (const cmp of sum?.comparisons ?? []) {
    expect(cmp.speedups.map((s) => s.n)).toEqual([1024, 4096]);
    for (const s of cmp.speedups) expect(s.speedup).toBeCloseTo(median(cmp.cpu, s.n) / median('gpujs-webasm', s.n), 10);
  }
  // add runs on the host CPU on gpujs: only the CPU contenders measured (cpu-1t and cpu-wasm; add has no pool
  // version), no comparison, and the report says why.
  expect(add?.contenders.map((c) => c.name)).toEqual(['cpu-1t', 'cpu-wasm']);
  for (const c of add?.contenders ?? []) expect(c.points.map((p) => p.n)).toEqual([1024, 4096]);
  expect(add?.comparisons).toEqual([]);
  expect(add?.unmeasured).toMatch(/gpujs engine runs add on the host CPU, not as a gpu\.js kernel/);
}, 90_000);

test('with Dawn hidden, --contenders gpu-e2e is refused before any work, saying the gpujs engine runs no WGSL', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gpukit-bench-gpujs-'));
  const failed = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'bench', 'sum', '--quick', '--sizes', '2^10', '--no-progress', '--contenders', 'gpu-e2e,cpu-1t'], { env: dawnHidden(dir), timeout: 30_000 }).then(
    () => undefined,
    (e: unknown) => e as { code: number; stderr: string },
  );
  expect(failed?.code).toBe(2);
  expect(failed?.stderr).toMatch(/--contenders: unknown contender gpu-e2e for sum \(the gpu-\* contenders run WGSL, which only the dawn engine runs; this device runs on gpujs\); known: cpu-1t, cpu-pool, gpujs-webasm, cpu-wasm$/m);
}, 60_000);
