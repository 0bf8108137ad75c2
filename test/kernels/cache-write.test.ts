/**
 * The tuning cache and the placement model are written without following links: a symlink planted where the
 * old code wrote its temporary file (`<file>.tmp`), or at the file itself, never has its target written
 * through. And a cache file that is no JSON (a link to a secret) is one warning that does not quote it.
 * No GPU: the writers need only the adapter's identity.
 */
import { lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { placementPath, readPlacementFile, savePlacement } from '../../src/bench/placement-file.js';
import type { DeviceContext } from '../../src/backends/dawn/context.js';
import type { DeviceInfo } from '../../src/device/info.js';
import { jsonProblem, saveWinners, tuneCachePath, writeFileAtomic } from '../../src/backends/dawn/tuning.js';

const info: DeviceInfo = { engine: 'dawn', backend: 'vulkan', vendor: 'mesa', architecture: 'software', description: 'llvmpipe (cache-write test)', isSoftware: true, isFallbackAdapter: true, featureLevel: 'core', features: [], limits: {} };
const SECRET = 'root:$6$SECRET-LINE-77aa:19000:0:99999:7:::\n';

let dir: string;
let victim: string;
let savedDir: string | undefined;
let stderr: string[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gpukit-cache-write-'));
  victim = join(mkdtempSync(join(tmpdir(), 'gpukit-victim-')), 'victim');
  writeFileSync(victim, SECRET);
  savedDir = process.env['GPUKIT_CACHE_DIR'];
  process.env['GPUKIT_CACHE_DIR'] = dir;
  stderr = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr.push(String(chunk));
    return true;
  });
});

afterEach(() => {
  vi.restoreAllMocks();
  if (savedDir === undefined) delete process.env['GPUKIT_CACHE_DIR'];
  else process.env['GPUKIT_CACHE_DIR'] = savedDir;
});

/** The victim is untouched, the link planted at `link` still points at it, and no temporary file is left. */
function expectUntouched(link: string): void {
  expect(readFileSync(victim, 'utf8')).toBe(SECRET);
  expect(lstatSync(link).isSymbolicLink()).toBe(true);
  expect(readlinkSync(link)).toBe(victim);
  expect(readdirSync(dir).filter((f) => f.endsWith('.tmp') && f !== link.slice(dir.length + 1))).toEqual([]);
}

describe('writing the caches', () => {
  test('writeFileAtomic writes through no symlink, at its temporary name or at the file itself', () => {
    const path = join(dir, 'x.json');
    symlinkSync(victim, `${path}.tmp`);
    writeFileAtomic(path, '{"a":1}');
    expect(readFileSync(path, 'utf8')).toBe('{"a":1}');
    expectUntouched(`${path}.tmp`);
    // A link at the file itself is replaced by the new file, its target left alone.
    const linked = join(dir, 'y.json');
    symlinkSync(victim, linked);
    writeFileAtomic(linked, '{"b":2}');
    expect(lstatSync(linked).isSymbolicLink()).toBe(false);
    expect(readFileSync(linked, 'utf8')).toBe('{"b":2}');
    expect(readFileSync(victim, 'utf8')).toBe(SECRET);
  });

  test('saveWinners with a symlink planted at <cache>.tmp: the cache is written, the link\'s target is not', () => {
    const path = tuneCachePath(info);
    symlinkSync(victim, `${path}.tmp`);
    const ctx = { info } as unknown as DeviceContext;
    expect(saveWinners(ctx, { reduce: { '12': { params: { wg: 64 }, ms: 1 } } })).toBe(path);
    expect((JSON.parse(readFileSync(path, 'utf8')) as { winners: unknown }).winners).toEqual({ reduce: { '12': { params: { wg: 64 }, ms: 1 } } });
    expectUntouched(`${path}.tmp`);
  });

  test('savePlacement with a symlink planted at <model>.tmp: the model is written, the link\'s target is not', () => {
    const path = placementPath(info);
    symlinkSync(victim, `${path}.tmp`);
    const r = savePlacement(info, { calibration: { dispatchMs: 0.2, uploadGBps: 10, downloadGBps: 1.5, bandwidthGBps: 6, gflops: 90 } });
    expect(r.written).toBe(true);
    expect(readPlacementFile(path, info)?.calibration?.gflops).toBe(90);
    expectUntouched(`${path}.tmp`);
    expect(stderr).toEqual([]);
  });
});

describe('warnings about a cache that is no JSON', () => {
  test('the placement model linked to a secret: one warning, without a byte of it', () => {
    symlinkSync(victim, placementPath(info));
    expect(readPlacementFile(placementPath(info), info)).toBeNull();
    expect(stderr.join('')).toMatch(/ignoring the placement model .* \(not JSON: a syntax error\)/);
    expect(stderr.join('')).not.toMatch(/SECRET|\$6\$|root:/);
  });

  test('the tuning cache linked to a secret: one warning, without a byte of it', () => {
    symlinkSync(victim, tuneCachePath(info));
    saveWinners({ info } as unknown as DeviceContext, {});
    expect(stderr.join('')).toMatch(/ignoring the tuning cache \(.*: not JSON \(a syntax error\)\)/);
    expect(stderr.join('')).not.toMatch(/SECRET|\$6\$|root:/);
  });

  test('jsonProblem keeps a position and says a truncated file ends early, quoting nothing', () => {
    const problem = (text: string): string => {
      try {
        JSON.parse(text);
      } catch (e) {
        return jsonProblem(e);
      }
      throw new Error('parsed');
    };
    expect(problem('{"a":1,}')).toBe('a syntax error at character 7');
    expect(problem('{"secret": "hunter2"')).toBe('a syntax error at character 20');
    expect(problem('')).toBe('it ends early');
    expect(problem("secret'token")).toBe('a syntax error');
  });
});
