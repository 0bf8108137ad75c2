// `gpukit bench --placement` through the CLI entry, at tiny sizes, over a model file written here: placement
// picks the side the file's lines say at each size, and the table and summary come out. Usage errors exit 2.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { gpukitVersion, PLACEMENT_SCHEMA, placementPath } from '../../src/bench/placement-file.js';
import { adapterKey } from '../../src/backends/dawn/tuning.js';
import { gpukit } from '../cli/spawn.js';
import { gpuTest } from '../fixture.js';

gpuTest('gpukit bench --placement sum at 2^4 and 2^10 follows the saved lines (crossover at 100 elements)', async ({ device }) => {
  const dir = mkdtempSync(join(tmpdir(), 'gpukit-placement-cli-'));
  const saved = process.env['GPUKIT_CACHE_DIR'];
  process.env['GPUKIT_CACHE_DIR'] = dir;
  let path: string;
  try {
    path = placementPath(device.info);
  } finally {
    if (saved === undefined) delete process.env['GPUKIT_CACHE_DIR'];
    else process.env['GPUKIT_CACHE_DIR'] = saved;
  }
  const lines = { 'cpu-1t': { alphaMs: 0, betaMs: 1e-3 }, 'gpu-e2e': { alphaMs: 0.1, betaMs: 0 } };
  writeFileSync(path, JSON.stringify({
    schema: PLACEMENT_SCHEMA,
    gpukit: gpukitVersion(),
    adapter: adapterKey(device.info),
    adapterName: 'the test adapter',
    created: '2026-01-01T00:00:00Z',
    ops: { sum: { created: '2026-01-01T00:00:00Z', command: 'test', sizes: [16, 1024], lines } },
    calibration: { dispatchMs: 0.2, uploadGBps: 8, downloadGBps: 1.4, bandwidthGBps: 6, gflops: 100, created: '2026-01-01T00:00:00Z' },
  }));
  const r = await gpukit(['bench', '--placement', 'sum', '--sizes', '2^4,2^10', '--quick', '--no-progress'], { env: { GPUKIT_CACHE_DIR: dir }, timeoutMs: 60_000 });
  expect(r.stderr).not.toMatch(/ignoring the placement model/);
  expect(r.status, r.stderr).toBe(0);
  // The table: op n cpu ms, wasm ms, gpu ms, placed ms (times may carry a µs unit, so those take one or two
  // words), then single-word columns picked faster regret decision gpu/best cpu/best wasm/best model, read
  // from the right by their header names.
  const out = r.stdout.split('\n');
  const header = (out.find((l) => l.startsWith('op ')) ?? '').split(/\s+/);
  const tail = header.slice(header.indexOf('picked'));
  expect(tail).toEqual(['picked', 'faster', 'regret', 'decision', 'gpu/best', 'cpu/best', 'wasm/best', 'model']);
  const row = (n: string): Record<string, string> => {
    const words = (out.find((l) => l.startsWith('sum') && l.split(/\s+/)[1] === n) ?? '').split(/\s+/);
    return Object.fromEntries(tail.map((name, i) => [name, words.at(i - tail.length) ?? '']));
  };
  const small = row('2^4');
  const large = row('2^10');
  expect(small['model']).toBe('measured');
  expect(large['model']).toBe('measured');
  // cpu-wasm is installed (an optional dependency `npm ci` installs), so it is measured and labelled...
  expect(r.stdout).toMatch(/^cpu-wasm: TensorFlow\.js wasm backend .*4\.22\.0, SIMD on, 1 thread$/m);
  expect(large['wasm/best']).toMatch(/^\d+\.\d\d×$/);
  // ...but the saved sum has no cpu-wasm line, and a measured op gets none guessed: placement follows the
  // cpu-1t and gpu-e2e lines alone. (A cpu-wasm line derived from the defaults, 0.03 ms + 2 ns/el, would beat
  // gpu-e2e's 0.1 ms at 2^10 and put the call on cpu-wasm.)
  expect(small['picked']).toBe('cpu');
  expect(large['picked']).toBe('gpu');
  expect(r.stdout).toMatch(/decisions: placement picked the fastest side \(or one within 1\.1× of it\) at \d of 2 sizes; worst decision \d+\.\d\d× \(sum 2\^\d+\)/);
  expect(r.stdout).toMatch(/measured: placed \/ fastest side worst \d+\.\d\d× \(sum 2\^\d+\); \d size\(s\) over the 1\.1× goal/);
}, 90_000);

gpuTest('gpukit bench --placement refuses the sweep-only flags and unknown ops (exit 2)', async () => {
  const a = await gpukit(['bench', '--placement', 'sum', '--json', 'x.json'], { timeoutMs: 30_000 });
  expect(a.status).toBe(2);
  expect(a.stderr).toMatch(/--placement prints its table only; it does not take --json/);
  const b = await gpukit(['bench', '--placement', 'nosuchop', '--sizes', '2^4'], { timeoutMs: 30_000 });
  expect(b.status).toBe(2);
  expect(b.stderr).toMatch(/--placement: unknown op nosuchop; placed ops: sum, dot/);
}, 60_000);
