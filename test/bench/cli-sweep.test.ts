import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'vitest';
import { gpuTest } from '../fixture.js';

const run = promisify(execFile);

// The child sees the engine this process sees (the same environment): Dawn in the Dawn passes, gpu.js where Dawn
// is hidden. Either way the sweep runs; the contenders are that engine's (test/bench/cli-gpujs.test.ts checks the
// gpujs report's comparisons and ceilings in detail).
gpuTest('a tiny real sweep through the CLI entry: 1 op, 2 sizes, every output', async ({ device }) => {
  const dawn = device.info.engine === 'dawn';
  const dir = mkdtempSync(join(tmpdir(), 'gpukit-bench-'));
  const files = { json: join(dir, 'b.json'), csv: join(dir, 'b.csv'), html: join(dir, 'b.html') };
  const env = { ...process.env, XDG_RUNTIME_DIR: process.env['XDG_RUNTIME_DIR'] ?? dir };
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', 'bench', 'sum', '--quick', '--sizes', '2^10,2^14', '--no-progress', '--json', files.json, '--csv', files.csv, '--html', files.html],
    { env, timeout: 60_000 },
  );
  expect(stdout).toMatch(/sum — /);
  const gpu = dawn ? 'gpu-e2e' : 'gpujs-webasm';
  expect(stdout).toMatch(new RegExp(`${gpu} vs cpu-1t`));
  const j = JSON.parse(readFileSync(files.json, 'utf8')) as {
    ops: { name: string; contenders: { name: string; points: unknown[]; label?: { library: string; version: string; simd: boolean; threads: number } }[] }[];
    cpuWasm?: { label?: { version: string }; unavailable?: string };
  };
  expect(j.ops.map((o) => o.name)).toEqual(['sum']);
  // On Dawn: gpukit's five contenders (sum is memory-bound: it has gpu-stream), gpu.js in its two modes (sum is one
  // of the ops gpu.js runs as a kernel), and cpu-wasm (TF.js's wasm backend: an optional dependency, which `npm ci`
  // installs, so it is measured here). On gpujs: no WGSL contender and no gpu.js webgpu mode (no Dawn adapter).
  const gpuSide = dawn ? ['gpu-kernel', 'gpu-e2e', 'gpu-stream', 'gpujs-webgpu', 'gpujs-webasm'] : ['gpujs-webasm'];
  const contenders = j.ops[0]?.contenders ?? [];
  expect(contenders.map((c) => c.name)).toEqual(['cpu-1t', 'cpu-pool', ...gpuSide, 'cpu-wasm']);
  for (const c of contenders) expect(c.points).toHaveLength(2);
  // Every CPU contender says what it runs on (library, version, SIMD, threads); the GPU ones carry no CPU label.
  const label = (name: string): unknown => contenders.find((c) => c.name === name)?.label;
  expect(label('cpu-wasm')).toMatchObject({ library: expect.stringMatching(/^TensorFlow\.js wasm backend/) as unknown, version: '4.22.0', simd: true, threads: 1 });
  expect(label('cpu-1t')).toMatchObject({ simd: false, threads: 1 });
  expect(label('cpu-pool')).toMatchObject({ simd: false, threads: expect.any(Number) as unknown });
  for (const n of gpuSide) expect(label(n)).toBeUndefined();
  expect(j.cpuWasm?.label?.version).toBe('4.22.0');
  expect(j.cpuWasm?.unavailable).toBeUndefined();
  expect(stdout).toMatch(/^ {2}cpu-wasm {2}TensorFlow\.js wasm backend .* 4\.22\.0, SIMD on, 1 thread \(/m);
  expect(stdout).toMatch(new RegExp(`${gpu} vs cpu-wasm:`));
  expect(readFileSync(files.csv, 'utf8').split('\n').filter((l) => l !== '')).toHaveLength(1 + contenders.length * 2); // a header, then a row per contender and size
  expect(readFileSync(files.html, 'utf8')).toContain('<svg');
}, 90_000);
