/**
 * Turns raw sweep measurements into the report: fits, crossovers, asymptotes, roofline and the one-line
 * "why" of each op, against the calibrated ceilings.
 */
import { readFileSync } from 'node:fs';
import { cpus, platform, arch, availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { engineTraits } from '../device/engines.js';
import { describeAdapter, type DeviceInfo } from '../device/info.js';
import { currentRuntime } from '../device/runtime.js';
import { packageKernelsDir } from '../kernels/load.js';
import type { Calibration } from './calibrate.js';
import type { NoiseSummary } from './noise.js';
import * as fmt from './format.js';
import {
  asymptoticSpeedup,
  crossover,
  fitLinear,
  roofline,
  saturationSize,
  FIT_METHOD,
  PARITY,
  type Crossover,
  type LineCrossing,
  type LinearFit,
  type Roofline,
} from './model.js';
import type { OpMeasurements, PhasePoint, SweepSettings } from './runner.js';
import { GPUJS_KERNEL_OPS } from './gpujs-ops.js';
import { isCpuRole, type CpuLabel } from './contender.js';

export const SCHEMA = 'gpukit-bench/1';

/** The label every figure from a software adapter carries. */
export function softwareLabel(info: Pick<DeviceInfo, 'isSoftware'> & { description: string }): string | undefined {
  return info.isSoftware
    ? `Software adapter (${info.description || 'CPU-emulated'}): these GPU figures describe a CPU emulating a GPU on the same cores as the CPU contenders, not GPU hardware.`
    : undefined;
}

export interface PointReport {
  readonly n: number;
  readonly w: number;
  readonly medianMs: number;
  readonly p10Ms: number;
  readonly p90Ms: number;
  readonly samples: number;
  /** Fitted time at w and measured / fitted − 1. */
  readonly fitMs: number;
  readonly residual: number;
}

export interface ContenderReport {
  readonly name: string;
  readonly role: string;
  readonly method: string;
  /** A CPU contender's library, version, SIMD and threads. */
  readonly label?: CpuLabel;
  readonly fit: { readonly alphaMs: number; readonly nsPerUnit: number; readonly madResidual: number; readonly outliers: number };
  readonly points: readonly PointReport[];
}

/** What two fitted lines say, in sizes n (not work units). */
export type LineCrossingN =
  | { readonly kind: 'crosses'; readonly n: number; readonly extrapolated: boolean }
  | { readonly kind: 'always' }
  | { readonly kind: 'never' }
  | { readonly kind: 'until'; readonly n: number };

/** A crossover stated in sizes n; `parity` keeps the lines' own verdict in `lines`. */
export type CrossoverN = LineCrossingN | { readonly kind: 'parity'; readonly ratio: number; readonly lines: LineCrossingN };

export interface Comparison {
  readonly gpu: string;
  readonly cpu: string;
  /** From the two fitted lines. */
  readonly crossover: CrossoverN;
  /** From the medians: the smallest measured size from which the GPU is faster at every larger size. */
  readonly measuredCrossover: { readonly kind: 'crosses'; readonly n: number } | { readonly kind: 'always' } | { readonly kind: 'never' };
  readonly asymptoticSpeedup: number;
  /** Size where the fitted speedup reaches 90 % of its asymptote (0: already at the smallest size). */
  readonly saturationN: number | null;
  /** Measured speedup (CPU median / GPU median) per size. */
  readonly speedups: readonly { readonly n: number; readonly speedup: number }[];
}

/**
 * The GPU against the best CPU contender at each size: `speedups` and `measuredCrossover` use, at each size,
 * the fastest CPU median there (named in `bestCpu`); `crossover`, `asymptoticSpeedup` and `saturationN` use
 * the fitted line of `cpu`, the CPU contender fastest at the largest size measured.
 */
export interface BestComparison extends Comparison {
  readonly bestCpu: readonly { readonly n: number; readonly name: string }[];
}

export interface OpReport {
  readonly name: string;
  readonly summary: string;
  readonly unit: string;
  readonly sizes: readonly number[];
  /** Minimal device-memory bytes and FLOPs per work unit at the largest size. */
  readonly bytesPerUnit: number;
  readonly flopsPerUnit: number;
  readonly contenders: readonly ContenderReport[];
  readonly comparisons: readonly Comparison[];
  /** Each GPU contender against the best CPU contender at each size (absent in older reports). */
  readonly best?: readonly BestComparison[];
  readonly phases: readonly PhasePoint[];
  readonly roofline: (Roofline & { readonly n: number; readonly kernelMs: number }) | null;
  readonly why: { readonly kernel: string; readonly e2e: string };
  /**
   * Where the op has a gpu-stream contender: per size with phases, its median against gpu-e2e's and the
   * share of the e2e run's transfer time it hid, (e2e − stream) / (upload + download).
   */
  readonly stream?: readonly StreamPoint[];
  /**
   * Where the op ran its GPU contenders with fusion on and off (the chain op): kernel-only and end to end, the
   * fused and the unfused line against the best CPU, so the report shows where fusion moves the crossover.
   */
  readonly fusion?: readonly FusionShift[];
  /**
   * Present when no GPU contender was compared with the CPU, and why: on the gpujs engine, an op that gpu.js
   * does not run as a kernel (it runs on the host CPU there), so only the CPU contenders were measured.
   */
  readonly unmeasured?: string;
}

/**
 * One GPU contender run with fusion on (`fused`, e.g. gpu-kernel) and off (`unfused`, gpu-kernel-unfused),
 * each against the best CPU contender (its {@link BestComparison}): the two crossovers, and the fused
 * contender's speedup over the unfused one at each size (unfused median / fused median).
 */
export interface FusionShift {
  readonly role: string;
  readonly fused: string;
  readonly unfused: string;
  /** The CPU contender whose fitted line both crossovers use: the fastest at the largest size. */
  readonly cpu: string;
  readonly fusedCrossover: CrossoverN;
  readonly unfusedCrossover: CrossoverN;
  readonly fusedMeasured: Comparison['measuredCrossover'];
  readonly unfusedMeasured: Comparison['measuredCrossover'];
  readonly speedups: readonly { readonly n: number; readonly speedup: number }[];
}

/** The suffix of a GPU contender run with fusion off beside its fused twin (src/bench/ops.ts). */
export const UNFUSED_SUFFIX = '-unfused';

/**
 * Each fused/unfused pair of GPU contenders against the best CPU (see {@link FusionShift}); empty without such pairs.
 *
 * @example
 * ```ts
 * fusionShifts(op.contenders, op.best ?? []) // [{ role: 'gpu-kernel', fused: 'gpu-kernel', unfused: 'gpu-kernel-unfused', ... }, ...]
 * ```
 */
export function fusionShifts(contenders: readonly ContenderReport[], best: readonly BestComparison[]): FusionShift[] {
  return best.flatMap((f) => {
    const u = best.find((b) => b.gpu === f.gpu + UNFUSED_SUFFIX);
    if (u === undefined) return [];
    const med = (name: string, n: number): number => contenders.find((c) => c.name === name)?.points.find((p) => p.n === n)?.medianMs ?? NaN;
    return [{
      role: contenders.find((c) => c.name === f.gpu)?.role ?? f.gpu,
      fused: f.gpu,
      unfused: u.gpu,
      cpu: f.cpu,
      fusedCrossover: f.crossover,
      unfusedCrossover: u.crossover,
      fusedMeasured: f.measuredCrossover,
      unfusedMeasured: u.measuredCrossover,
      speedups: f.speedups.map(({ n }) => ({ n, speedup: med(u.gpu, n) / med(f.gpu, n) })),
    }];
  });
}

/** gpu-stream against gpu-e2e at one size (see {@link OpReport.stream}). */
export interface StreamPoint {
  readonly n: number;
  readonly e2eMs: number;
  readonly streamMs: number;
  /** upload + download of the end-to-end run (its phase breakdown), ms. */
  readonly transferMs: number;
  /** (e2e − stream) / transfer: 1 = every transfer hidden, 0 = none, < 0 = the stream was slower. */
  readonly hidden: number;
}

/** The gpu-stream points of an op: every size measured by both contenders and broken into phases. */
export function streamPoints(contenders: readonly ContenderReport[], phases: readonly PhasePoint[]): StreamPoint[] {
  const e2e = contenders.find((c) => c.role === 'gpu-e2e');
  const stream = contenders.find((c) => c.role === 'gpu-stream');
  if (e2e === undefined || stream === undefined) return [];
  return phases.flatMap((ph) => {
    const e = e2e.points.find((p) => p.n === ph.n)?.medianMs;
    const s = stream.points.find((p) => p.n === ph.n)?.medianMs;
    if (e === undefined || s === undefined) return [];
    const transferMs = ph.upload + ph.download;
    return [{ n: ph.n, e2eMs: e, streamMs: s, transferMs, hidden: transferMs > 0 ? (e - s) / transferMs : 0 }];
  });
}

export interface BenchReport {
  readonly schema: typeof SCHEMA;
  readonly createdAt: string;
  readonly durationS: number;
  readonly command: string;
  readonly versions: Readonly<Record<string, string>>;
  readonly host: { readonly cpu: string; readonly cores: number; readonly platform: string; readonly arch: string };
  readonly adapter: {
    readonly description: string;
    readonly isSoftware: boolean;
    readonly backend: string;
    readonly featureLevel: string;
    readonly features: readonly string[];
    /** Present on a software adapter: the warning every report shows. */
    readonly softwareLabel?: string;
    /** `dawn` or `gpujs` (absent in reports of older versions, which are all dawn). */
    readonly engine?: string;
    /** The WebGPU implementation under the dawn engine: `dawn` or `wgpu` (absent on gpujs and in older reports). */
    readonly webgpu?: string;
  };
  /** The JavaScript runtime the sweep ran in (absent in reports of older versions, which all ran on Node). */
  readonly runtime?: { readonly name: string; readonly version: string };
  readonly settings: SweepSettings & { readonly quick: boolean };
  readonly calibration: Calibration;
  /** How steady the machine was during the sweep (absent in reports of older versions). */
  readonly noise?: NoiseSummary;
  readonly methods: Readonly<Record<string, string>>;
  readonly ops: readonly OpReport[];
  /** Present when the sweep was cut short (Ctrl-C): what was measured by then, and what that means. */
  readonly interrupted?: string;
  /** The cpu-wasm contender: its label when it ran, or why it did not (absent in older reports). */
  readonly cpuWasm?: { readonly label: CpuLabel } | { readonly unavailable: string };
}

export const METHODS: Readonly<Record<string, string>> = {
  median: 'median of every tinybench sample pooled over the interleaved rounds; p10/p90 the 10th/90th percentiles (linear interpolation)',
  fit: FIT_METHOD + ', fitted to the per-size medians; residual = measured / fitted − 1',
  crossover: 'n where the fitted GPU line α_g + β_g·w meets the CPU line α_c + β_c·w (w = work units at n); "always"/"never" when one line is below the other at every size; measuredCrossover from the medians alone',
  asymptoticSpeedup: 'β_cpu / β_gpu of the fitted lines: the speedup as n → ∞',
  saturationN: 'n where the fitted speedup reaches 90 % of its asymptote: w = (0.9·β_c·α_g − β_g·α_c) / (0.1·β_c·β_g); past it the speedup has stopped growing',
  roofline: 'arithmetic intensity = FLOPs / minimal device-memory bytes of the op; achieved GB/s and GFLOP/s from the GPU-timestamp kernel median at the largest size, as % of the calibrated copy bandwidth and FMA rate',
  best: "each GPU contender against the best CPU contender (cpu-1t, cpu-pool, cpu-wasm) at each size: speedups and the measured crossover against the fastest CPU median at each size; the fitted crossover, asymptote and 90 % point against the line of the CPU contender fastest at the largest size, which the 'why' lines name too",
  fusion: 'for an op run with fusion on and off (chain): each fused GPU contender and its -unfused twin against the best CPU contender (as in best): both fitted crossovers and both measured ones; speedups = unfused median / fused median per size',
  stream: 'gpu-stream against gpu-e2e per size: hidden = (e2e median − stream median) / (upload + download of the end-to-end phase breakdown): the share of the transfer time the stream overlapped with other work',
  phases: 'device.profile() of the end-to-end run: upload = host time in queue.writeBuffer, kernel = GPU timestamps, download = copy + mapAsync + copy into JS, host = the rest of the wall time',
};

function nOfW(unit: string, w: number): number {
  return unit === 'multiply-add' ? w ** (2 / 3) : w;
}

export function linesToN(unit: string, c: LineCrossing, minN: number, maxN: number): LineCrossingN {
  // A crossing below the smallest size measured says no more than "the GPU wins at every size measured".
  if (c.kind === 'crosses') {
    const n = nOfW(unit, c.w);
    return n < minN ? { kind: 'always' } : { kind: 'crosses', n, extrapolated: n > 2 * maxN };
  }
  if (c.kind === 'until') {
    const n = nOfW(unit, c.w);
    return n < minN ? { kind: 'never' } : { kind: 'until', n };
  }
  return c;
}

function toN(unit: string, c: Crossover, minN: number, maxN: number): CrossoverN {
  return c.kind === 'parity' ? { kind: 'parity', ratio: c.ratio, lines: linesToN(unit, c.lines, minN, maxN) } : linesToN(unit, c, minN, maxN);
}

function readVersion(pkgJson: string): string {
  try {
    return (JSON.parse(readFileSync(pkgJson, 'utf8')) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export function versions(): Record<string, string> {
  const root = dirname(packageKernelsDir());
  const v: Record<string, string> = {
    gpukit: readVersion(join(root, 'package.json')),
    node: process.versions.node,
    v8: process.versions.v8,
  };
  // Bun and Deno report the Node version they emulate as process.versions.node: name the runtime itself too.
  const rt = currentRuntime();
  if (rt.name !== 'node') v[rt.name] = rt.version;
  for (const dep of ['webgpu', 'tinybench', '@tensorflow/tfjs-backend-wasm']) v[dep] = readVersion(join(root, 'node_modules', dep, 'package.json'));
  return v;
}

/** Human text for a crossover. */
export function describeCrossover(c: CrossoverN): string {
  switch (c.kind) {
    case 'crosses':
      return `${fmt.pow2(c.n)}${c.extrapolated ? ' (extrapolated)' : ''}`;
    case 'always':
      return 'always';
    case 'never':
      return 'never';
    case 'until':
      return `only below ${fmt.pow2(c.n)}`;
    case 'parity':
      return `parity (${fmt.times(c.ratio)} per element)`;
  }
}

function measuredCrossover(sizes: readonly number[], gpu: readonly number[], cpu: readonly number[]): Comparison['measuredCrossover'] {
  let from = sizes.length;
  for (let i = sizes.length - 1; i >= 0; i--) {
    if ((gpu[i] ?? Infinity) < (cpu[i] ?? 0)) from = i;
    else break;
  }
  if (from === sizes.length) return { kind: 'never' };
  if (from === 0) return { kind: 'always' };
  return { kind: 'crosses', n: sizes[from] ?? NaN };
}

function explainKernel(op: OpReport, fits: Map<string, LinearFit>, cal: Calibration, best: string | undefined): string {
  const g = fits.get('gpu-kernel');
  const c = best === undefined ? undefined : fits.get(best);
  if (g === undefined || c === undefined || best === undefined) return 'not measured';
  const cpuName = bestName(op, best);
  const unit = op.unit === 'multiply-add' ? 'multiply-add' : 'element';
  const rl = op.roofline;
  const where = rl === null
    ? ''
    : op.flopsPerUnit === 0 || rl.bound === 'memory'
      ? `, streaming ${fmt.gbps(rl.achievedGBps)} (${rl.pctOfBandwidth.toFixed(0)} % of the ${fmt.gbps(cal.bandwidth.value)} copy ceiling)`
      : `, at ${rl.achievedGflops.toFixed(1)} GFLOP/s (${rl.pctOfFlops.toFixed(0)} % of the ${cal.flops.value.toFixed(1)} GFLOP/s FMA ceiling)`;
  const s = asymptoticSpeedup(g, c);
  if (s > 1 / PARITY && s < PARITY) {
    return `Kernel-only is at parity with ${cpuName}: ${fmt.nsPer(g.betaMs)} vs ${fmt.nsPer(c.betaMs)} ns/${unit}${where} — both are bound by the same memory, so where they cross is noise, not a property of the op.`;
  }
  if (s < 1) {
    return `Kernel-only never overtakes ${cpuName}: the kernel costs ${fmt.nsPer(g.betaMs)} ns/${unit}${where}, more than the CPU loop's ${fmt.nsPer(c.betaMs)} ns/${unit}.`;
  }
  return `Kernel-only wins on per-${unit} cost (${fmt.nsPer(g.betaMs)} vs ${cpuName}'s ${fmt.nsPer(c.betaMs)} ns/${unit}${where}) and pays ${fmt.ms(g.alphaMs)} fixed per call, so it tends to ${fmt.times(s)}.`;
}

function explainE2e(op: OpReportDraft, fits: Map<string, LinearFit>, cal: Calibration, best: string | undefined): string {
  const c = best === undefined ? undefined : fits.get(best);
  const last = op.phases.at(-1);
  if (last === undefined || c === undefined || best === undefined) return 'not measured';
  const cpuName = bestName(op, best);
  const n = last.n;
  const w = op.contenders[0]?.points.find((p) => p.n === n)?.w ?? n;
  const cpuMs = c.alphaMs + c.betaMs * w;
  const perEl = (bytes: number): string => (bytes >= n ? `${(bytes / n).toFixed(0)} B/element` : `${bytes} B`);
  const parts = [
    { name: 'upload', ms: last.upload, bytes: transferBytes(op, n).upload, cal: cal.upload.value },
    { name: 'download', ms: last.download, bytes: transferBytes(op, n).download, cal: cal.download.value },
    { name: 'kernel', ms: last.kernel, bytes: 0, cal: 0 },
    { name: 'host overhead (encoding, submission, waits)', ms: last.host, bytes: 0, cal: 0 },
  ];
  const top = parts.reduce((a, b) => (b.ms > a.ms ? b : a));
  const at = `at ${fmt.pow2(n)}`;
  const cmp = top.ms > cpuMs ? `already more than ${cpuName}'s whole loop (${fmt.ms(cpuMs)})` : `against ${fmt.ms(cpuMs)} for ${cpuName}'s whole loop`;
  if (top.bytes > 0) {
    const rate = top.bytes / (top.ms * 1e6);
    return `End-to-end is bound by the ${top.name}: ${perEl(top.bytes)} at ${fmt.gbps(rate)} (calibrated ${fmt.gbps(top.cal)}) takes ${fmt.ms(top.ms)} ${at}, ${cmp}.`;
  }
  if (top.name === 'kernel') return `End-to-end is bound by the kernel itself (${fmt.ms(top.ms)} ${at}, transfers ${fmt.ms(last.upload + last.download)}), ${cmp}; see the kernel-only line.`;
  return `End-to-end is bound by host overhead: ${fmt.ms(top.ms)} ${at} outside upload, kernel and download (dispatch round trip alone: ${fmt.ms(cal.dispatch.value)}), ${cmp}.`;
}

/** The best CPU contender as the 'why' lines name it: "the best CPU contender, cpu-wasm (TensorFlow.js … 4.22.0, SIMD on, 1 thread)". */
function bestName(op: OpReport, name: string): string {
  const l = op.contenders.find((c) => c.name === name)?.label;
  return `the best CPU contender at ${fmt.pow2(Math.max(...op.sizes))}, ${name}${l === undefined ? '' : ` (${l.library} ${l.version}, SIMD ${l.simd ? 'on' : 'off'}, ${String(l.threads)} thread${l.threads === 1 ? '' : 's'})`}`;
}

/**
 * The CPU contender fastest (lowest median) at the largest size every CPU contender measured, or at the
 * largest size any did; undefined without CPU contenders.
 */
export function bestCpuAtLargest(contenders: readonly ContenderReport[]): string | undefined {
  const cpus = contenders.filter((c) => isCpuRole(c.role) && c.points.length > 0);
  if (cpus.length === 0) return undefined;
  const common = Math.min(...cpus.map((c) => Math.max(...c.points.map((p) => p.n))));
  const at = (c: ContenderReport): number => c.points.find((p) => p.n === common)?.medianMs ?? Infinity;
  return cpus.reduce((a, b) => (at(b) < at(a) ? b : a)).name;
}

/** At each size, the CPU contender with the lowest median there and that median. */
export function bestCpuPerSize(contenders: readonly ContenderReport[], sizes: readonly number[]): { n: number; name: string; ms: number }[] {
  const cpus = contenders.filter((c) => isCpuRole(c.role));
  return sizes.flatMap((n) => {
    const at = cpus.flatMap((c) => {
      const p = c.points.find((q) => q.n === n);
      return p === undefined ? [] : [{ n, name: c.name, ms: p.medianMs }];
    });
    return at.length === 0 ? [] : [at.reduce((a, b) => (b.ms < a.ms ? b : a))];
  });
}

function transferBytes(op: OpReportDraft, n: number): { upload: number; download: number } {
  return op.transfer(n);
}

interface OpReportDraft extends OpReport {
  transfer(n: number): { upload: number; download: number };
}

/** Why an op has no GPU-vs-CPU comparison, or undefined when nothing explains it beyond the contender list. */
function unmeasuredReason(op: string, contenders: readonly ContenderReport[], engine: string | undefined): string | undefined {
  const cpu = contenders.some((c) => isCpuRole(c.role));
  if (!cpu) return 'no CPU contender was measured, so there is nothing to compare a GPU contender with';
  if (engineTraits(engine).runsWgsl) return contenders.some((c) => c.role.startsWith('gpu-')) ? undefined : 'no GPU contender was measured (--contenders)';
  if (!(GPUJS_KERNEL_OPS as readonly string[]).includes(op)) {
    return `not measured on the gpujs engine: gpukit's gpu-* contenders run WGSL, which only the dawn engine runs, and the gpujs engine runs ${op} on the host CPU, not as a gpu.js kernel (gpu.js kernels: ${GPUJS_KERNEL_OPS.join(', ')}); only the CPU contenders ran`;
  }
  return `not measured on the gpujs engine: gpukit's gpu-* contenders run WGSL, which only the dawn engine runs, and no gpujs contender ran (--contenders)`;
}

/** The end-to-end sentence on the gpujs engine: gpu.js's contender against the faster CPU contender. */
function explainGpujs(op: OpReportDraft, comparisons: readonly Comparison[]): string {
  const best = comparisons.reduce<Comparison | undefined>((a, b) => (a === undefined || b.asymptoticSpeedup < a.asymptoticSpeedup ? b : a), undefined);
  if (best === undefined) return 'not measured';
  const last = best.speedups.at(-1);
  const at = last === undefined ? '' : ` (measured ${fmt.times(last.speedup)} at ${fmt.pow2(last.n)})`;
  const side = best.asymptoticSpeedup > 1 ? 'overtakes' : 'stays behind';
  return `On the gpujs engine (no WGSL), ${best.gpu} end to end ${side} ${best.cpu}: crossover ${describeCrossover(best.crossover)}, asymptotic speedup ${fmt.times(best.asymptoticSpeedup)}${at}; no phase breakdown (gpu.js times no phases).`;
}

/** Builds the report of one op from its measurements. */
export function analyzeOp(m: OpMeasurements, cal: Calibration, engine?: string): OpReport {
  const { op } = m;
  const sizes = [...m.sizes];
  const maxN = Math.max(...sizes);
  const fits = new Map<string, LinearFit>();
  const contenders: ContenderReport[] = m.contenders.map((c) => {
    const cells = m.cells.filter((x) => x.contender === c.name).sort((a, b) => a.n - b.n);
    const fit = fitLinear(cells.map((x) => ({ w: x.w, ms: x.stats.median })));
    fits.set(c.name, fit);
    return {
      name: c.name,
      role: c.role,
      method: c.method,
      ...(c.label !== undefined ? { label: c.label } : {}),
      fit: { alphaMs: fit.alphaMs, nsPerUnit: fit.betaMs * 1e6, madResidual: fit.madRel, outliers: fit.outliers },
      points: cells.map((x) => {
        const fitMs = fit.alphaMs + fit.betaMs * x.w;
        return { n: x.n, w: x.w, medianMs: x.stats.median, p10Ms: x.stats.p10, p90Ms: x.stats.p90, samples: x.stats.samples, fitMs, residual: x.stats.median / fitMs - 1 };
      }),
    };
  });
  const medians = (name: string): number[] => sizes.map((n) => m.cells.find((x) => x.contender === name && x.n === n)?.stats.median ?? NaN);
  // One GPU contender's line against one CPU line (a contender, or the best CPU at each size): crossovers,
  // asymptote, saturation and the speedup per size.
  const lines = (gf: LinearFit, cf: LinearFit, gm: readonly number[], cm: readonly number[]) => {
    const sat = saturationSize(gf, cf);
    return {
      crossover: toN(op.unit, crossover(gf, cf), Math.min(...sizes), maxN),
      measuredCrossover: measuredCrossover(sizes, gm, cm),
      asymptoticSpeedup: asymptoticSpeedup(gf, cf),
      saturationN: sat === undefined ? null : nOfW(op.unit, sat),
      speedups: sizes.map((n, i) => ({ n, speedup: (cm[i] ?? NaN) / (gm[i] ?? NaN) })),
    };
  };
  const comparisons: Comparison[] = [];
  // gpukit's own GPU contenders against the CPU (gpu-kernel, gpu-e2e, and where the op ran them with fusion
  // off too, gpu-kernel-unfused and gpu-e2e-unfused); where there are none (the gpujs engine runs no WGSL), gpu.js's.
  const ownGpu = (x: ContenderReport): boolean => x.role === 'gpu-kernel' || x.role === 'gpu-e2e';
  const wgsl = contenders.some(ownGpu);
  const gpuSide = wgsl ? contenders.filter(ownGpu).map((x) => x.name) : contenders.filter((x) => x.name.startsWith('gpujs-')).map((x) => x.name);
  for (const g of gpuSide) {
    for (const c of contenders.filter((x) => isCpuRole(x.role)).map((x) => x.name)) {
      const gf = fits.get(g);
      const cf = fits.get(c);
      if (gf === undefined || cf === undefined) continue;
      comparisons.push({ gpu: g, cpu: c, ...lines(gf, cf, medians(g), medians(c)) });
    }
  }
  const bestCpu = bestCpuAtLargest(contenders);
  const perSize = bestCpuPerSize(contenders, sizes);
  const best: BestComparison[] = [];
  for (const g of gpuSide) {
    const gf = fits.get(g);
    const cf = bestCpu === undefined ? undefined : fits.get(bestCpu);
    if (gf === undefined || cf === undefined || bestCpu === undefined) continue;
    const bm = sizes.map((n) => perSize.find((b) => b.n === n)?.ms ?? NaN);
    best.push({ gpu: g, cpu: bestCpu, ...lines(gf, cf, medians(g), bm), bestCpu: perSize.map(({ n, name }) => ({ n, name })) });
  }
  const kernelLast = m.cells.filter((x) => x.contender === 'gpu-kernel').sort((a, b) => b.n - a.n)[0];
  const wMax = op.work(maxN);
  const perUnit = { bytesPerUnit: op.bytes(maxN) / wMax, flopsPerUnit: op.flops(maxN) / wMax };
  const rl = kernelLast === undefined
    ? null
    : { ...roofline(perUnit, kernelLast.w, kernelLast.stats.median, { bandwidthGBps: cal.bandwidth.value, gflops: cal.flops.value }), n: kernelLast.n, kernelMs: kernelLast.stats.median };
  const draft: OpReportDraft = {
    name: op.name,
    summary: op.summary,
    unit: op.unit,
    sizes,
    ...perUnit,
    contenders,
    comparisons,
    ...(best.length > 0 ? { best } : {}),
    phases: m.phases,
    roofline: rl,
    why: { kernel: '', e2e: '' },
    transfer: (n) => op.transfer(n),
  };
  const gpujs = !engineTraits(engine).runsWgsl && !wgsl;
  const unmeasured = comparisons.length > 0 ? undefined : unmeasuredReason(op.name, contenders, engine);
  const why = gpujs
    ? { kernel: `not applicable on the gpujs engine: gpu-kernel times gpukit's WGSL kernels with GPU timestamps, which only the dawn engine runs.`, e2e: unmeasured ?? explainGpujs(draft, comparisons) }
    : { kernel: explainKernel(draft, fits, cal, bestCpu), e2e: explainE2e(draft, fits, cal, bestCpu) };
  const report: Omit<OpReportDraft, 'transfer'> & { transfer?: unknown } = { ...draft };
  delete report.transfer;
  const stream = streamPoints(contenders, m.phases);
  const fusion = fusionShifts(contenders, best);
  return { ...report, why, ...(fusion.length > 0 ? { fusion } : {}), ...(stream.length > 0 ? { stream } : {}), ...(unmeasured !== undefined ? { unmeasured } : {}) };
}

/** The whole report (JSON-serialisable). */
export function buildReport(args: {
  readonly info: DeviceInfo;
  readonly calibration: Calibration;
  readonly noise?: NoiseSummary;
  readonly measurements: readonly OpMeasurements[];
  readonly settings: SweepSettings & { readonly quick: boolean };
  readonly command: string;
  readonly durationS: number;
  readonly interrupted?: string;
  readonly cpuWasm?: BenchReport['cpuWasm'];
}): BenchReport {
  const { info } = args;
  const label = softwareLabel({ isSoftware: info.isSoftware, description: describeAdapter(info) });
  return {
    schema: SCHEMA,
    createdAt: new Date().toISOString(),
    durationS: args.durationS,
    command: args.command,
    versions: versions(),
    host: { cpu: cpus()[0]?.model ?? 'unknown', cores: availableParallelism(), platform: platform(), arch: arch() },
    adapter: {
      description: describeAdapter(info),
      isSoftware: info.isSoftware,
      backend: info.backend,
      featureLevel: info.featureLevel,
      features: info.features,
      ...(label !== undefined ? { softwareLabel: label } : {}),
      engine: info.engine,
      ...(info.webgpu !== undefined ? { webgpu: info.webgpu } : {}),
    },
    runtime: currentRuntime(),
    settings: args.settings,
    calibration: args.calibration,
    ...(args.noise !== undefined ? { noise: args.noise } : {}),
    methods: {
      ...METHODS,
      ...Object.fromEntries(args.measurements.flatMap((m) => m.contenders.map((c) => [`contender:${m.op.name}:${c.name}`, c.method]))),
    },
    ops: args.measurements.map((m) => analyzeOp(m, args.calibration, info.engine)),
    ...(args.interrupted !== undefined ? { interrupted: args.interrupted } : {}),
    ...(args.cpuWasm !== undefined ? { cpuWasm: args.cpuWasm } : {}),
  };
}
