import { expect, test } from 'vitest';
import { gpukit } from './spawn.js';

const HIDDEN = { VK_ICD_FILENAMES: '/nonexistent', __EGL_VENDOR_LIBRARY_FILENAMES: '/nonexistent' };

test('gpukit doctor with Dawn hidden: both Dawn engines fail with the command that fixes them, gpujs runs, exit 1', async () => {
  const r = await gpukit(['doctor'], { env: HIDDEN });
  expect(r.status).toBe(1);
  expect(r.stdout).toMatch(/^ {2}FAIL {2}core +Dawn core \(Vulkan\): no WebGPU adapter found.*\n {8}fix: npx gpukit setup$/m);
  expect(r.stdout).toMatch(/^ {2}FAIL {2}compat +Dawn GLES compatibility .*: no Dawn adapter matches.*\n {8}fix: npx gpukit setup$/m);
  expect(r.stdout).toMatch(/^ {2}ok {4}gpujs +gpujs \(Dawn hidden.*\): gpu\.js webasm/m);
  expect(r.stdout).toContain('doctor: 2 of 3 engines cannot run here');
});

// The command prints its environment; it fails (exit 3) unless it got the engine variables of its pass.
const CHECK = [
  'node', '-e',
  `const e = process.env;
   const want = { core: ['dawn', undefined, undefined], compat: ['dawn', 'opengles', 'surfaceless'], gpujs: ['auto', undefined, undefined] }[e.PASS_NAME];
   const got = [e.GPUKIT_ENGINE, e.GPUKIT_BACKEND, e.EGL_PLATFORM];
   process.exit(JSON.stringify(got) === JSON.stringify(want) && e.CI === 'true' && (e.PASS_NAME !== 'gpujs' || e.VK_ICD_FILENAMES === '/nonexistent') ? 0 : 3);`,
];

test('gpukit test-matrix gives each pass its engine environment (and CI), runs them all, and exits 1 when one fails', async () => {
  // PASS_NAME is not set per pass, so each run below checks one pass's environment; the others must fail.
  for (const name of ['core', 'compat', 'gpujs']) {
    const r = await gpukit(['test-matrix', '--', ...CHECK], { env: { PASS_NAME: name, CI: '', GPUKIT_BACKEND: 'vulkan', GPUKIT_ADAPTER: 'x' } });
    expect(r.status, r.stdout + r.stderr).toBe(1);
    for (const other of ['core', 'compat', 'gpujs']) {
      expect(r.stdout).toMatch(new RegExp(`^ {2}${other} +${other === name ? 'passed' : 'FAILED \\(exit 3\\)'} `, 'm'));
    }
    expect(r.stdout).toContain('test-matrix: 1 of 3 engines passed');
  }
}, 60_000);

test('gpukit test-matrix refuses a missing or unknown command and an unknown engine (exit 2)', async () => {
  const none = await gpukit(['test-matrix']);
  expect(none.status).toBe(2);
  const missing = await gpukit(['test-matrix', '--', 'gpukit-no-such-command']);
  expect(missing.status).toBe(2);
  expect(missing.stderr).toContain('gpukit test-matrix: gpukit-no-such-command: command not found');
  const engine = await gpukit(['test-matrix', '--engines', 'core,metal', '--', 'true']);
  expect(engine.status).toBe(2);
  expect(engine.stderr).toContain('--engines: unknown metal; choose from core, compat, gpujs');
  const one = await gpukit(['test-matrix', '--engines', 'gpujs', '--', 'true']);
  expect(one.status).toBe(0);
  expect(one.stdout).toContain('test-matrix: 1 of 1 engines passed');
});
