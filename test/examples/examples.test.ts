/**
 * Smoke test of examples/: each recipe runs as a user would run it (`tsx examples/NN-name.ts`), exits 0,
 * and prints its result line. Timings are not asserted (a shared 2-core machine); only that each recipe
 * reports what it claims to show.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, test } from 'vitest';
import { DeviceUnavailableError, openDevice } from '../../src/index.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

// Two examples at a time: the machine has two cores, and the software adapter uses both.
let running = 0;
const waiting: (() => void)[] = [];
async function slot<T>(f: () => Promise<T>): Promise<T> {
  if (running >= 2) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await f();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

function runExample(entry: string): Promise<Run> {
  // "file.ts@gpujs" runs the recipe on the gpujs engine.
  const [file = entry, engine] = entry.split('@');
  return new Promise((resolve, reject) => {
    const child = spawn(tsx, [join('examples', file)], {
      cwd: root,
      // Dawn wants a runtime dir; a fresh one per run keeps parallel runs apart.
      env: { ...process.env, ...(engine !== undefined ? { GPUKIT_ENGINE: engine } : {}), XDG_RUNTIME_DIR: process.env['XDG_RUNTIME_DIR'] ?? mkdtempSync(join(tmpdir(), 'gpukit-ex-')) },
      timeout: 45_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}

/** Each example and what its output must contain besides `check: ok`. */
const EXAMPLES: readonly (readonly [string, readonly RegExp[]])[] = [
  ['01-device-info.ts', [/^adapter: +\S.*$/m, /^backend: +\S+/m, /^limits:$/m, /maxStorageBufferBindingSize +[\d,]+/]],
  ['02-first-application.ts', [/launched \d+×\d+ workgroups/, /check: ok \(150000 elements doubled, max error 0\)/]],
  ['03-memory-model-matmul.ts', [/^ +naive +[\d.]+ ms/m, /^ +tiled 16×16 +[\d.]+ ms/m, /^ +reg-blocked 8×8 +[\d.]+ ms/m, /^ranking: /m, /^why: \S/m]],
  ['04-device-arrays.ts', [/^2·x\[0\.\.3\] +0\.0000 1\.6829/m]],
  ['05-elementwise.ts', [/^lin_comb /m, /a typo in a body is a ShaderCompileError/, /unresolved value 'offset'/]],
  ['06-mapreduce.ts', [/^dot\(x, y\) +reduction -?[\d.]+/m, /^#\(x > 0\.5\) +reduction (\d+) +CPU \1 /m]],
  ['07-gpu-libraries.ts', [/0 of 1048576 differ from the CPU stream/, /strongest bins 10, 11, 12, 13/]],
  ['08-js-kernels.ts', [/^engine: gpujs/m, /matmul exact/]],
  ['10-mlp.ts', [/^engine: \w+; probs 4096×10, labels 4096$/m]],
  ['10-mlp.ts@gpujs', [/^engine: gpujs;/m]],
  ['11-kmeans.ts', [/^engine: \w+; 20000 points in 8-D, k = 16/m]],
  ['11-kmeans.ts@gpujs', [/^engine: gpujs;/m]],
  ['12-tfjs-postprocess.ts', [/^engine: dawn; TF\.js backend: webgpu; logits 4096×256/m, /^handoff on the GPU \(fromTensor, zero-copy\): [\d.]+ ms$/m, /^readback in between .*: [\d.]+ ms/m]],
  ['13-raw-webgpu.ts', [/^engine: dawn; a WGSL pipeline of its own on device\.gpu/m]],
  ['09-testing.ts', [/^crossover \(kernel only\): (pays (from|at) n = 2\^\d+|never)/m, /^crossover \(end to end\): +(pays (from|at) n = 2\^\d+|never)/m, /^ +kernel +[\d.]+ (ms|µs) +\((gpu-timestamps|wall-clock[\w-]*)/m]],
];

/** Recipe 8 runs on the gpujs engine, which needs no adapter; the others want Dawn. */
const NEEDS_DAWN = (file: string): boolean => !file.startsWith('08-') && !file.endsWith('@gpujs');

let dawn = true;
beforeAll(async () => {
  try {
    const device = await openDevice({ engine: 'dawn' });
    await device.close();
  } catch (e) {
    // In CI a missing adapter is a failure, never a skip (as in test/fixture.ts).
    if (!(e instanceof DeviceUnavailableError) || (process.env['CI'] ?? '') !== '') throw e;
    dawn = false;
  }
});

describe('examples', () => {
  test.concurrent.for(EXAMPLES)('%s runs and prints its result', async ([file, expected], { expect, skip }) => {
    if (NEEDS_DAWN(file) && !dawn) {
      skip('no WebGPU adapter for Dawn (run `npm run setup:software-gpu`); under CI=true this fails instead');
      return;
    }
    const r = await slot(() => runExample(file));
    const context = `\n--- stdout ---\n${r.stdout}\n--- stderr ---\n${r.stderr}`;
    expect(r.code, `exit code${context}`).toBe(0);
    expect(r.stdout, context).toMatch(/^check: ok \(.+\)$/m);
    for (const re of expected) expect(r.stdout, context).toMatch(re);
  });
});
