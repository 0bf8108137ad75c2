// The placement model file: saved and read back per adapter; a corrupt, truncated, foreign-adapter,
// other-version, other-format, unreadable or unwritable file is one warning line and is ignored — never a
// crash — and the front end then places with calibrated or built-in defaults.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { measuredOps, placementPath, readPlacementFile, savePlacement, type PlacementFile } from '../../src/bench/placement-file.js';
import type { DeviceInfo } from '../../src/device/info.js';
import { placeOn } from '../../src/placement/placed.js';
import { syntheticReport } from '../bench/synthetic-report.js';
import { gpuTest } from '../fixture.js';

const info: DeviceInfo = {
  engine: 'dawn',
  backend: 'vulkan',
  vendor: 'mesa',
  architecture: 'software',
  description: 'llvmpipe (test)',
  isSoftware: true,
  isFallbackAdapter: true,
  featureLevel: 'core',
  features: [],
  limits: {},
};
const other: DeviceInfo = { ...info, description: 'another adapter' };
const lines = { 'cpu-1t': { alphaMs: 0.001, betaMs: 6e-7 }, 'gpu-e2e': { alphaMs: 0.2, betaMs: 5e-7 } };
const ops = { sum: { created: '2026-01-01T00:00:00.000Z', command: 'gpukit bench sum', sizes: [1024, 2 ** 24] as [number, number], lines } };
const ceilings = { dispatchMs: 0.2, uploadGBps: 10, downloadGBps: 1.5, bandwidthGBps: 6, gflops: 90 };

let dir: string;
let saved: string | undefined;
let warnings: string[];

beforeEach(() => {
  saved = process.env['GPUKIT_CACHE_DIR'];
  dir = mkdtempSync(join(tmpdir(), 'gpukit-placement-'));
  process.env['GPUKIT_CACHE_DIR'] = dir;
  warnings = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    // Only placement's lines: on gpujs the fixture's device announces its fallback on stderr too.
    if (String(chunk).includes('placement model')) warnings.push(String(chunk));
    return true;
  });
});

afterEach(() => {
  vi.restoreAllMocks();
  if (saved === undefined) delete process.env['GPUKIT_CACHE_DIR'];
  else process.env['GPUKIT_CACHE_DIR'] = saved;
});

/** Exactly one warning, one line, naming the problem. */
function expectOneWarning(pattern: RegExp): void {
  expect(warnings).toHaveLength(1);
  expect(warnings[0]?.trimEnd()).not.toContain('\n');
  expect(warnings[0]).toMatch(/^gpukit: ignoring the placement model/);
  expect(warnings[0]).toMatch(pattern);
}

describe('saving and reading', () => {
  test('round trip: what is saved for an adapter is read back for it, and merges per op', () => {
    const first = savePlacement(info, { ops, calibration: ceilings });
    expect(first.written).toBe(true);
    expect(first.path).toBe(join(dir, first.path.slice(dir.length + 1)));
    const back = readPlacementFile(placementPath(info), info);
    expect(back?.ops['sum']?.lines).toEqual(lines);
    expect(back?.calibration).toMatchObject(ceilings);
    // A later bench of another op keeps sum's lines; a later calibration keeps the ops.
    savePlacement(info, { ops: { dot: { ...ops.sum, command: 'gpukit bench dot' } } });
    const merged = readPlacementFile(placementPath(info), info);
    expect(Object.keys(merged?.ops ?? {}).sort()).toEqual(['dot', 'sum']);
    expect(merged?.calibration).toMatchObject(ceilings);
    expect(warnings).toEqual([]);
  });

  test('no file is no model and no warning', () => {
    expect(readPlacementFile(placementPath(info), info)).toBeNull();
    expect(warnings).toEqual([]);
  });

  test('a read-only file is read all the same', () => {
    savePlacement(info, { ops });
    chmodSync(placementPath(info), 0o444);
    expect(readPlacementFile(placementPath(info), info)?.ops['sum']?.lines).toEqual(lines);
    expect(warnings).toEqual([]);
  });

  test('measuredOps keeps the cpu-1t and gpu-e2e lines of an op swept over 3 sizes spanning 2^8', () => {
    const m = measuredOps(syntheticReport());
    expect(Object.keys(m)).toEqual(['sum']);
    const l = m['sum']?.lines;
    // The synthetic report's medians lie on t = 0.001 + 6e-7·n (cpu-1t) and 0.2 + 5e-7·n (gpu-e2e).
    expect(l?.['cpu-1t']?.betaMs).toBeCloseTo(6e-7, 9);
    expect(l?.['gpu-e2e']?.alphaMs).toBeCloseTo(0.2, 4);
    expect(l?.['gpu-e2e']?.betaMs).toBeCloseTo(5e-7, 9);
    expect(l?.['cpu-pool']).toBeUndefined();
    expect(m['sum']?.sizes).toEqual([2 ** 10, 2 ** 18]);
    // The medians behind each line, [w, ms] by ascending w, for interpolation.
    expect(m['sum']?.points?.['cpu-1t']?.map(([w]) => w)).toEqual([2 ** 10, 2 ** 14, 2 ** 18]);
    expect(m['sum']?.points?.['gpu-e2e']?.[2]?.[1]).toBeCloseTo(0.2 + 5e-7 * 2 ** 18, 12);
    // Two sizes do not pin a line down: nothing is kept.
    const r = syntheticReport();
    const two = { ...r, ops: r.ops.map((o) => ({ ...o, sizes: o.sizes.slice(0, 2), contenders: o.contenders.map((c) => ({ ...c, points: c.points.slice(0, 2) })) })) };
    expect(measuredOps(two)).toEqual({});
  });
});

describe('a bad file is warned about once and ignored', () => {
  const write = (text: string): void => {
    writeFileSync(placementPath(info), text);
  };
  const valid = (): PlacementFile => {
    savePlacement(info, { ops, calibration: ceilings });
    return JSON.parse(readFileSync(placementPath(info), 'utf8')) as PlacementFile;
  };

  test('corrupt (not JSON)', () => {
    write('{ this is not json');
    expect(readPlacementFile(placementPath(info), info)).toBeNull();
    expectOneWarning(/not JSON/);
  });

  test('truncated', () => {
    const text = JSON.stringify(valid(), null, 2);
    write(text.slice(0, Math.floor(text.length / 2)));
    expect(readPlacementFile(placementPath(info), info)).toBeNull();
    expectOneWarning(/not JSON/);
  });

  test('a field of the wrong type', () => {
    const f = valid();
    write(JSON.stringify({ ...f, ops: { sum: { ...f.ops['sum'], lines: { 'gpu-e2e': { alphaMs: 'fast', betaMs: 1 } } } } }));
    expect(readPlacementFile(placementPath(info), info)).toBeNull();
    expectOneWarning(/ops\.sum\.lines\.gpu-e2e is not \{ alphaMs, betaMs \}/);
  });

  test('measured points out of order', () => {
    const f = valid();
    write(JSON.stringify({ ...f, ops: { sum: { ...f.ops['sum'], points: { 'cpu-1t': [[1024, 0.1], [512, 0.05]] } } } }));
    expect(readPlacementFile(placementPath(info), info)).toBeNull();
    expectOneWarning(/ops\.sum\.points\.cpu-1t is not a list of \[w, ms\] pairs/);
  });

  test('another adapter', () => {
    savePlacement(other, { ops });
    write(readFileSync(placementPath(other), 'utf8'));
    expect(readPlacementFile(placementPath(info), info)).toBeNull();
    expectOneWarning(/describes adapter .* not this one/);
  });

  test('another gpukit version', () => {
    write(JSON.stringify({ ...valid(), gpukit: '0.0.1' }));
    expect(readPlacementFile(placementPath(info), info)).toBeNull();
    expectOneWarning(/written by gpukit "0\.0\.1"/);
  });

  test('another format version', () => {
    write(JSON.stringify({ ...valid(), schema: 'gpukit-placement/2' }));
    expect(readPlacementFile(placementPath(info), info)).toBeNull();
    expectOneWarning(/another format version/);
  });

  test('unreadable: a directory where the file should be', () => {
    mkdirSync(placementPath(info));
    expect(readPlacementFile(placementPath(info), info)).toBeNull();
    expectOneWarning(/is a directory/);
  });

  test('the same bad file read twice warns once', () => {
    write('[]');
    expect(readPlacementFile(placementPath(info), info)).toBeNull();
    expect(readPlacementFile(placementPath(info), info)).toBeNull();
    expectOneWarning(/expected an object, got an array/);
  });
});

test('a cache directory that cannot be written: one warning, no throw, the model is still returned', () => {
  const file = join(dir, 'not-a-dir');
  writeFileSync(file, '');
  process.env['GPUKIT_CACHE_DIR'] = join(file, 'cache');
  const s = savePlacement(info, { ops });
  expect(s.written).toBe(false);
  expect(s.file.ops['sum']?.lines).toEqual(lines);
  expect(warnings).toHaveLength(1);
  expect(warnings[0]).toMatch(/^gpukit: could not save the placement model \(.*not-a-dir.*\); it is used in this process only\n$/);
});

gpuTest('the front end over a corrupt file places with the defaults and still computes', async ({ device }) => {
  writeFileSync(placementPath(device.info), '{"schema": "gpukit-placement/1", "gpukit": ');
  const gk = await placeOn(device, { calibrate: false, pool: false });
  expect(gk.model.ceilingSource.kind).toBe('default');
  expect(gk.model.isMeasured('sum')).toBe(false);
  expect(await gk.sum(new Float32Array([1, 2, 3.5]))).toBe(6.5);
  expect(gk.explain('sum', 8)).toMatchObject({ side: 'cpu', reason: 'model' });
  expectOneWarning(/not JSON/);
  await gk.close();
});
