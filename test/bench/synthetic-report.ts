// A small, valid `gpukit bench --json` report built from made-up timings (no GPU), for the tests of what
// reads reports back (gpukit compare).
import { buildReport, type BenchReport } from '../../src/bench/analyze.js';
import type { Calibration } from '../../src/bench/calibrate.js';
import type { BenchOp } from '../../src/bench/contender.js';
import { DEFAULT_SETTINGS, type Cell } from '../../src/bench/runner.js';
import { summarize } from '../../src/bench/stats.js';
import type { DeviceInfo } from '../../src/device/info.js';

/** A made-up software adapter's description (its features: [] unless given). */
export const syntheticInfo = (features: string[] = []): DeviceInfo => ({
  engine: 'dawn',
  backend: 'vulkan',
  vendor: 'mesa',
  architecture: 'software',
  description: 'llvmpipe (synthetic)',
  isSoftware: true,
  isFallbackAdapter: true,
  featureLevel: 'core',
  features,
  limits: {},
});
const info = syntheticInfo();
const ceiling = (value: number, unit: string) => ({ value, unit, method: 'synthetic' });
/** Made-up calibration ceilings (copy bandwidth `bandwidth` GB/s). */
export const syntheticCalibration = (bandwidth = 10): Calibration => ({
  bandwidth: ceiling(bandwidth, 'GB/s'),
  flops: ceiling(50, 'GFLOP/s'),
  dispatch: ceiling(0.08, 'ms'),
  upload: ceiling(12, 'GB/s'),
  download: ceiling(5, 'GB/s'),
});
const calibration = syntheticCalibration();
const op: BenchOp = {
  name: 'sum',
  summary: 'synthetic sum',
  unit: 'element',
  work: (n) => n,
  bytes: (n) => 4 * n,
  flops: (n) => n,
  transfer: (n) => ({ upload: 4 * n, download: 4 }),
  contenders: () => [],
  hostInputs: () => [],
  release: () => undefined,
};
const lines: Record<string, [number, number]> = { 'cpu-1t': [0.001, 6e-7], 'gpu-kernel': [0.05, 1e-7], 'gpu-e2e': [0.2, 5e-7] };
const sizes = [2 ** 10, 2 ** 14, 2 ** 18];

export function syntheticReport(): BenchReport {
  const cells: Cell[] = Object.entries(lines).flatMap(([name, [a, b]]) =>
    sizes.map((n) => {
      const t = a + b * n;
      const s = [t * 0.95, t, t * 1.1];
      return { op: 'sum', contender: name, n, w: n, samplesMs: s, stats: summarize(s) };
    }),
  );
  return buildReport({
    info,
    calibration,
    noise: {
      probes: [0, 1].map((i) => ({ atS: i, oneThreadMs: 0.05, allCoresMs: 0.4 })),
      oneThread: { medianMs: 0.05, spread: 1, maxOverMin: 1 },
      allCores: { medianMs: 0.4, spread: 1, maxOverMin: 1 },
      method: 'synthetic',
    },
    measurements: [
      {
        op,
        sizes,
        contenders: Object.keys(lines).map((name) => ({ name, role: name as 'cpu-1t', method: `method of ${name}` })),
        cells,
        phases: sizes.map((n) => ({ n, runs: 3, upload: (4 * n) / 12e6, kernel: 0.05 + 1e-7 * n, download: 0.05, host: 0.1, wall: 0.3 })),
      },
    ],
    settings: { ...DEFAULT_SETTINGS, quick: false },
    command: 'gpukit bench sum',
    durationS: 1,
  });
}
