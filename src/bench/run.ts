import { writeFileSync } from 'node:fs';
import { buildReport, type BenchReport } from './analyze.js';
import { calibrate } from './calibrate.js';
import { contendersOf } from './contender.js';
import { closeGpujsContenders, registerGpujsContenders } from './gpujs.js';
import { benchOps } from './ops.js';
import { NoiseMonitor } from './noise.js';
import { formatCsv, formatHtml, formatJson } from './report.js';
import { DEFAULT_SETTINGS, QUICK_SETTINGS, sizesFor, sweepOp, type OpMeasurements, type Progress } from './runner.js';
import { CpuPool } from '../cpu/pool.js';
import { openDevice, type OpenDeviceOptions } from '../gpu-device.js';

export const DEFAULT_SIZES = '2^10..2^24:2';
export const QUICK_SIZES = '2^10..2^22:4';

/**
 * Parses sizes: `2^10..2^24` (every power of two), `2^10..2^24:2` (every second one), or a comma list of
 * numbers and powers (`1024,2^20`).
 */
export function parseSizes(text: string): number[] {
  const out: number[] = [];
  for (const part of text.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const range = /^2\^(\d+)\s*\.\.\s*2\^(\d+)(?::(\d+))?$/.exec(part);
    if (range !== null) {
      const [a, b, step] = [Number(range[1]), Number(range[2]), Number(range[3] ?? 1)];
      if (!(step >= 1) || b < a) throw new Error(`bad size range '${part}': expected 2^a..2^b[:step] with a ≤ b`);
      for (let e = a; e <= b; e += step) out.push(2 ** e);
      continue;
    }
    const pow = /^2\^(\d+)$/.exec(part);
    const v = pow !== null ? 2 ** Number(pow[1]) : Number(part);
    if (!Number.isInteger(v) || v < 1) throw new Error(`bad size '${part}': expected a positive integer, 2^k or 2^a..2^b[:step]`);
    out.push(v);
  }
  return [...new Set(out)].sort((x, y) => x - y);
}

export interface BenchCliOptions {
  readonly ops: readonly string[];
  readonly sizes?: string;
  readonly contenders?: string;
  readonly json?: string;
  readonly csv?: string;
  readonly html?: string;
  readonly quick?: boolean;
  readonly progress?: boolean;
  readonly open?: OpenDeviceOptions;
  readonly command?: string;
}

function progressLine(p: Progress, t0: number): string {
  const width = 28;
  const frac = p.total > 0 ? p.done / p.total : 0;
  const filled = Math.round(frac * width);
  const el = (performance.now() - t0) / 1000;
  return `\r[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${(100 * frac).toFixed(0).padStart(3)}% ${el.toFixed(0).padStart(4)} s  ${p.label}`.padEnd(110).slice(0, 110);
}

/**
 * `gpukit bench` without the printing: calibrate, sweep, analyse. Returns the report and writes the files
 * asked for.
 *
 * @example
 * ```ts
 * const report = await runBench({ ops: ['sum'], quick: true, html: 'bench.html' });
 * ```
 */
export async function runBench(o: BenchCliOptions): Promise<BenchReport> {
  const t0 = performance.now();
  const quick = o.quick === true;
  const settings = quick ? QUICK_SETTINGS : DEFAULT_SETTINGS;
  const explicitSizes = o.sizes !== undefined;
  const sizes = parseSizes(o.sizes ?? (quick ? QUICK_SIZES : DEFAULT_SIZES));
  const only = o.contenders?.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const available = benchOps();
  const unknown = o.ops.filter((n) => !available.some((a) => a.name === n));
  if (unknown.length > 0) throw new Error(`unknown op ${unknown.join(', ')}; this build can bench: ${available.map((a) => a.name).join(', ')}`);
  const ops = o.ops.length > 0 ? available.filter((a) => o.ops.includes(a.name)) : available;
  const show = o.progress ?? process.stderr.isTTY;
  const device = await openDevice(o.open ?? {});
  const pool = await CpuPool.create();
  // gpu.js contenders (its webgpu mode on the same adapter, and webasm) for the ops it runs as kernels.
  registerGpujsContenders();
  try {
    const noise = new NoiseMonitor(pool);
    const env = { device, pool, noise };
    const say = (p: Progress): void => {
      if (show) process.stderr.write(progressLine(p, t0));
    };
    say({ done: 0, total: 1, label: 'calibrating the adapter' });
    const calibration = await calibrate(device, quick ? { elements: 2 ** 22, reps: 5 } : {});
    const plan = ops.map((op) => {
      const cs = contendersOf(op, env).filter((c) => only === undefined || only.includes(c.name) || only.includes(c.role));
      return { op, sizes: sizesFor(op, sizes, explicitSizes), count: cs.length };
    });
    const base = { done: 0, total: plan.reduce((s, p) => s + p.sizes.length * p.count * settings.rounds, 0) };
    const measurements: OpMeasurements[] = [];
    for (const p of plan) measurements.push(await sweepOp(p.op, env, p.sizes, settings, only, say, base));
    noise.probe();
    if (show) process.stderr.write('\r' + ' '.repeat(110) + '\r');
    const report = buildReport({
      info: device.info,
      calibration,
      noise: noise.summary(),
      measurements,
      settings: { ...settings, quick },
      command: o.command ?? 'gpukit bench',
      durationS: (performance.now() - t0) / 1000,
    });
    if (o.json !== undefined) writeFileSync(o.json, formatJson(report));
    if (o.csv !== undefined) writeFileSync(o.csv, formatCsv(report));
    if (o.html !== undefined) writeFileSync(o.html, formatHtml(report));
    return report;
  } finally {
    await pool.close();
    await closeGpujsContenders();
    await device.close();
  }
}

