// gpukit/testing from a user's side: pack gpukit as `npm publish` would, install the tarball and vitest into a
// fresh project in a temp directory (npm's cache, as scripts/pack-check.sh does), and run the user's tests the
// way the README's "Testing your GPU code in CI" tells them to. One project serves every case.
// Core pass only (.ci/run's other passes exclude test/cli/): the matrix command runs all three engines itself.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const files = fileURLToPath(new URL('./consumer/', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'gpukit-consumer-'));
const app = join(work, 'app');

interface Run { readonly status: number | null; readonly out: string }

// The nested vitest must not think it is a worker of this one.
const childEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
  ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(VITEST|TINYPOOL)/.test(k) && k !== 'NODE_OPTIONS')),
  CI: 'true',
  ...extra,
});

function sh(cmd: string, args: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd ?? app, env: opts.env ?? childEnv(), timeout: opts.timeoutMs ?? 120_000 });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (status) => { resolve({ status, out }); });
  });
}

const setupMs: Record<string, number> = {};

beforeAll(async () => {
  let t = performance.now();
  const pack = await sh('npm', ['pack', '--silent', '--pack-destination', work], { cwd: root });
  expect(pack.status, pack.out).toBe(0);
  setupMs['npm pack (builds)'] = performance.now() - t;
  const tarball = readdirSync(work).find((f) => f.endsWith('.tgz')) ?? '';
  mkdirSync(join(app, 'test'), { recursive: true });
  mkdirSync(join(app, 'bad'));
  mkdirSync(join(app, 'node-test'));
  const version = (p: string): string => (JSON.parse(readFileSync(join(root, 'node_modules', p, 'package.json'), 'utf8')) as { version: string }).version;
  // The README's package.json, with the tarball for gpukit and this checkout's vitest and @types/node versions.
  writeFileSync(join(app, 'package.json'), JSON.stringify({
    name: 'my-gpu-app', private: true, type: 'module',
    scripts: { test: 'vitest run --dir test', 'test:matrix': 'gpukit test-matrix -- vitest run --dir test' },
    dependencies: { gpukit: `file:../${tarball}` },
    devDependencies: { vitest: `^${version('vitest')}`, '@types/node': version('@types/node') },
  }, null, 2));
  copyFileSync(join(files, 'axpy.test.ts.txt'), join(app, 'test', 'axpy.test.ts'));
  copyFileSync(join(files, 'wrong.test.ts.txt'), join(app, 'bad', 'wrong.test.ts'));
  copyFileSync(join(files, 'leak.test.ts.txt'), join(app, 'bad', 'leak.test.ts'));
  copyFileSync(join(files, 'sum.node-test.mjs.txt'), join(app, 'node-test', 'sum.test.mjs'));
  copyFileSync(join(files, 'no-vitest.mjs.txt'), join(app, 'no-vitest.mjs'));
  t = performance.now();
  const install = await sh('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], { timeoutMs: 170_000 });
  expect(install.status, install.out).toBe(0);
  setupMs['npm install'] = performance.now() - t;
}, 240_000);

afterAll(() => {
  console.log(`consumer project: ${Object.entries(setupMs).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`).join(', ')}`);
  rmSync(work, { recursive: true, force: true });
});

test('npm run test:matrix runs the kernel test on Dawn core, Dawn GLES compatibility and gpujs, and each passes', async () => {
  const r = await sh('npm', ['run', '--silent', 'test:matrix'], { timeoutMs: 170_000 });
  expect(r.status, r.out).toBe(0);
  expect(r.out).toMatch(/^ {2}core +passed/m);
  expect(r.out).toMatch(/^ {2}compat +passed/m);
  expect(r.out).toMatch(/^ {2}gpujs +passed/m);
  expect(r.out).toContain('test-matrix: 3 of 3 engines passed');
  // Each pass really ran on its engine (the test prints what it got).
  const sections = r.out.split('== gpukit test-matrix: ').slice(1);
  expect(sections.map((s) => /ran on (\w+) \((\w+), (\w+)\)/.exec(s)?.slice(1).join(' '))).toEqual([
    expect.stringMatching(/^dawn (?!opengles)\w+ core$/),
    'dawn opengles compatibility',
    expect.stringMatching(/^gpujs /),
  ]);
}, 180_000);

test('a wrong kernel fails naming the worst element and the bound; a leaked array fails the test that leaked it', async () => {
  const json = join(work, 'bad.json');
  const r = await sh('npx', ['vitest', 'run', '--dir', 'bad', '--reporter=json', `--outputFile=${json}`], { env: childEnv({ GPUKIT_ENGINE: 'dawn' }) });
  expect(r.status).toBe(1);
  const report = JSON.parse(readFileSync(json, 'utf8')) as { testResults: { assertionResults: { title: string; status: string; failureMessages: string[] }[] }[] };
  const results = new Map(report.testResults.flatMap((f) => f.assertionResults).map((a) => [a.title, a]));
  const wrong = results.get('a wrong axpy fails with its worst element');
  expect(wrong?.status).toBe('failed');
  // x[617] = 1000 is the element furthest out: 2.501·1000 + 1 against 2501, bound γ₂·2501 ≈ 2.98e-4.
  expect(wrong?.failureMessages[0]).toMatch(/worst at index 617: got 250[12](\.\d+)?, expected 2501, \|error\| [\d.]+ > bound 2\.98\de-4 \(γ_2/);
  const leak = results.get('leaks an array');
  expect(leak?.status).toBe('failed');
  expect(leak?.failureMessages[0]).toMatch(/array bytes still in use after the test \(missing destroy\/using\?\): \d+ bytes leaked/);
  // The test after it, which frees its array, is measured from its own start and passes.
  expect(results.get('frees its array')?.status).toBe('passed');
}, 120_000);

test('gpukit/testing works under node:test with vitest unresolvable, and the consumer type-checks', async () => {
  // no-vitest.mjs makes any import of vitest throw: first show it does.
  writeFileSync(join(app, 'probe.mjs'), 'import "vitest";\n');
  const probe = await sh(process.execPath, ['--import', './no-vitest.mjs', 'probe.mjs']);
  expect(probe.out).toContain('vitest imported: vitest');
  const r = await sh(process.execPath, ['--import', './no-vitest.mjs', '--test', 'node-test/'], { env: childEnv({ GPUKIT_ENGINE: 'dawn' }) });
  expect(r.status, r.out).toBe(0);
  expect(r.out).toMatch(/^# pass 2$/m);
  expect(r.out).toMatch(/^# fail 0$/m);

  writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      target: 'ES2022', lib: ['ES2022', 'ESNext.Disposable'], module: 'NodeNext', moduleResolution: 'NodeNext', types: ['node'],
      strict: true, noUncheckedIndexedAccess: true, exactOptionalPropertyTypes: true, skipLibCheck: true, noEmit: true,
    },
    include: ['test', 'bad'],
  }));
  const tsc = await sh(join(root, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json']);
  expect(tsc.status, tsc.out).toBe(0);
  // …and a wrong use of the matcher is a type error.
  writeFileSync(join(app, 'test', 'typo.ts'), "import { expect } from 'vitest';\nimport 'gpukit/testing/vitest';\nexpect([1]).toBeAllClose([1], { dtype: 'f64', op: 'add' });\n");
  const bad = await sh(join(root, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json']);
  rmSync(join(app, 'test', 'typo.ts'));
  expect(bad.out).toMatch(/typo\.ts\(3,\d+\): error TS2322: Type '"f64"'/);
}, 120_000);

test('npx gpukit setup and doctor run from the installed package', async () => {
  // This machine has the software adapter (CI installs it first), so setup changes nothing and says so.
  const setup = await sh('npx', ['gpukit', 'setup', '--dry-run']);
  expect(setup.status, setup.out).toBe(0);
  expect(setup.out).toMatch(/gpukit setup: already installed: mesa-vulkan-drivers \d+\.[^ ]+ \(lavapipe\)/);
  const doctor = await sh('npx', ['gpukit', 'doctor']);
  expect(doctor.status, doctor.out).toBe(0);
  expect(doctor.out.match(/^ {2}ok {4}(core|compat|gpujs) /gm)).toHaveLength(3);
}, 60_000);
