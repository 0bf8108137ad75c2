import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { tune } from '../../src/bench/tune.js';
import { sizeClass, tunedParams, tuneCachePath } from '../../src/backends/dawn/tuning.js';
import { randomTunable } from '../../src/backends/dawn/ops/random.js';
import { UnsupportedOnEngineError } from '../../src/errors.js';
import { gpuTest } from '../fixture.js';

gpuTest('the tuner times candidates, caches the winner per adapter and ops then use it', async ({ device }) => {
  const dir = mkdtempSync(join(tmpdir(), 'gpukit-tune-'));
  const old = process.env['GPUKIT_CACHE_DIR'];
  process.env['GPUKIT_CACHE_DIR'] = dir;
  try {
    if (device.info.engine !== 'dawn') {
      // The tuner times WGSL kernel variants, which only the dawn engine runs: on gpujs it refuses, typed, and
      // writes no cache file.
      await expect(tune(device, { ops: ['random'], quick: true })).rejects.toThrow(UnsupportedOnEngineError);
      expect(readdirSync(dir)).toEqual([]);
      return;
    }
    const { results, path } = await tune(device, { ops: ['random'], quick: true });
    expect(path).toBe(tuneCachePath(device.info));
    expect(results.length).toBe(2);
    const file = JSON.parse(readFileSync(path, 'utf8')) as { winners: Record<string, Record<string, { params: Record<string, number>; ms: number }>> };
    for (const r of results) {
      expect(Number.isFinite(r.ms) && r.ms > 0).toBe(true);
      expect(r.ms).toBeLessThanOrEqual(r.defaultMs);
      const cands = randomTunable.candidates(device.ctx, r.n).map((c) => JSON.stringify(c));
      const winner = JSON.stringify(r.winner);
      expect(cands.includes(winner) || winner === JSON.stringify(randomTunable.defaults(device.ctx, r.n))).toBe(true);
      expect(file.winners['random']?.[String(sizeClass(r.n))]?.params).toEqual(r.winner);
      expect(tunedParams(device.ctx, randomTunable, r.n)).toEqual(r.winner);
    }
  } finally {
    if (old === undefined) delete process.env['GPUKIT_CACHE_DIR'];
    else process.env['GPUKIT_CACHE_DIR'] = old;
  }
});

gpuTest('the tuner times real matmul kernels (with fusion a product destroyed unread was never computed: every candidate read 0 ms)', async ({ device }) => {
  if (device.info.engine !== 'dawn' || !device.info.features.includes('timestamp-query')) return;
  const prev = process.env['GPUKIT_CACHE_DIR'];
  process.env['GPUKIT_CACHE_DIR'] = mkdtempSync(join(tmpdir(), 'gpukit-tune-mm-'));
  try {
    const { results } = await tune(device, { ops: ['matmul'], quick: true });
    expect(results.length).toBeGreaterThan(0);
    for (const r of results) {
      expect(Number.isFinite(r.defaultMs) && r.defaultMs > 0, `default at n=${String(r.n)}`).toBe(true);
      expect(Number.isFinite(r.ms) && r.ms > 0, `winner at n=${String(r.n)}`).toBe(true);
    }
  } finally {
    if (prev === undefined) delete process.env['GPUKIT_CACHE_DIR'];
    else process.env['GPUKIT_CACHE_DIR'] = prev;
  }
}, 120_000);
