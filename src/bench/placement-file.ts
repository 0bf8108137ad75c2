/**
 * The placement model file: what `gpukit bench` measured (the fitted α + β·w lines of the contenders the
 * placed front end can run: `cpu-1t`, `cpu-pool`, `gpu-e2e`) and what a calibration measured (the adapter's
 * ceilings), saved per adapter identity next to the tuning cache as `placement-<adapter key>.json`.
 *
 * The file is versioned and checked field by field: a file that is not JSON, is truncated, comes from another
 * adapter or another gpukit version, or cannot be read is ignored with one line on stderr, never a crash. A
 * file that cannot be written is one warning too: placement then uses what it has in memory.
 */
import { dirname, join } from 'node:path';
import type { DeviceInfo } from '../device/info.js';
import { InvalidFileError } from '../errors.js';
import { adapterKey, ensureWritableDir, jsonProblem, MAX_READ_BYTES, readBoundedText, tuneCacheDir, writeFileAtomic } from '../backends/dawn/tuning.js';
import type { BenchReport } from './analyze.js';
import { versions } from './analyze.js';
import type { Calibration } from './calibrate.js';

/** The format tag every placement file carries; a different one is another format version and is ignored. */
export const PLACEMENT_SCHEMA = 'gpukit-placement/1';

/** The contenders a placement model holds lines for. */
export const PLACEMENT_CONTENDERS = ['cpu-1t', 'cpu-pool', 'cpu-wasm', 'gpu-e2e'] as const;
export type PlacementContender = (typeof PLACEMENT_CONTENDERS)[number];

/** A fitted line t(w) = alphaMs + betaMs·w (w = work units: elements, or multiply-adds for matmul). */
export interface PlacementLine {
  readonly alphaMs: number;
  readonly betaMs: number;
}

/** One op's measured lines and where they came from. */
export interface MeasuredOp {
  readonly created: string;
  readonly command: string;
  /** Smallest and largest size n of the sweep the lines were fitted to. */
  readonly sizes: readonly [number, number];
  readonly lines: Readonly<Partial<Record<PlacementContender, PlacementLine>>>;
  /**
   * The measured medians `[w, ms]` behind each line, by ascending w: within the measured range placement
   * interpolates them, which keeps a cache cliff (a sort that slows from 15 to 45 ns per key past 2^18) that
   * one line through all sizes smooths over. Absent in files that only have lines.
   */
  readonly points?: Readonly<Partial<Record<PlacementContender, readonly (readonly [number, number])[]>>>;
}

/** The calibrated ceilings placement derives GPU lines from when an op was not measured. */
export interface PlacementCeilings {
  readonly dispatchMs: number;
  readonly uploadGBps: number;
  readonly downloadGBps: number;
  readonly bandwidthGBps: number;
  readonly gflops: number;
}

export interface PlacementFile {
  readonly schema: typeof PLACEMENT_SCHEMA;
  /** The gpukit version that wrote it: another version's file is stale (kernels and ops change). */
  readonly gpukit: string;
  /** {@link adapterKey} of the adapter it describes. */
  readonly adapter: string;
  /** The adapter in words, for people reading the file. */
  readonly adapterName: string;
  readonly created: string;
  readonly ops: Readonly<Record<string, MeasuredOp>>;
  readonly calibration?: PlacementCeilings & { readonly created: string };
}

/** Where the placement model of an adapter lives: `placement-<adapter key>.json` beside the tuning cache. */
export function placementPath(info: DeviceInfo): string {
  return join(tuneCacheDir(), `placement-${adapterKey(info)}.json`);
}

/** The running gpukit's version, which a file must match. */
export function gpukitVersion(): string {
  return versions()['gpukit'] ?? 'unknown';
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const finiteNonNeg = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const positive = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;

/**
 * Checks a parsed placement file against the running gpukit and adapter: the schema tag, the version, the
 * adapter key and every field placement reads. Returns the file, or a one-line description of the first problem.
 *
 * @example
 * ```ts
 * const r = checkPlacementFile(JSON.parse(text), { version: '0.1.0', adapter: adapterKey(device.info) });
 * if (typeof r === 'string') console.warn(r);
 * ```
 */
export function checkPlacementFile(v: unknown, expect: { readonly version: string; readonly adapter: string }): PlacementFile | string {
  if (!isRecord(v)) return `expected an object, got ${v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v}`;
  if (v['schema'] !== PLACEMENT_SCHEMA) return `schema is ${JSON.stringify(v['schema'])}, expected ${JSON.stringify(PLACEMENT_SCHEMA)} (another format version)`;
  if (v['gpukit'] !== expect.version) return `written by gpukit ${JSON.stringify(v['gpukit'])}, this is ${expect.version} (stale: run \`gpukit bench\` again)`;
  if (v['adapter'] !== expect.adapter) return `describes adapter ${JSON.stringify(v['adapter'])}, not this one (${expect.adapter})`;
  for (const k of ['adapterName', 'created'] as const) if (typeof v[k] !== 'string') return `'${k}' is not a string`;
  const ops = v['ops'];
  if (!isRecord(ops)) return `'ops' is not an object`;
  for (const [op, m] of Object.entries(ops)) {
    if (!isRecord(m)) return `ops.${op} is not an object`;
    if (typeof m['created'] !== 'string' || typeof m['command'] !== 'string') return `ops.${op}: 'created' and 'command' must be strings`;
    const sizes = m['sizes'];
    if (!Array.isArray(sizes) || sizes.length !== 2 || !sizes.every(positive)) return `ops.${op}.sizes is not [smallest, largest]`;
    const lines = m['lines'];
    if (!isRecord(lines)) return `ops.${op}.lines is not an object`;
    for (const [c, l] of Object.entries(lines)) {
      if (!(PLACEMENT_CONTENDERS as readonly string[]).includes(c)) return `ops.${op}.lines: unknown contender '${c}'`;
      if (!isRecord(l) || !finiteNonNeg(l['alphaMs']) || !finiteNonNeg(l['betaMs'])) return `ops.${op}.lines.${c} is not { alphaMs, betaMs } (finite, ≥ 0)`;
    }
    const points = m['points'];
    if (points !== undefined) {
      if (!isRecord(points)) return `ops.${op}.points is not an object`;
      for (const [c, ps] of Object.entries(points)) {
        if (!(PLACEMENT_CONTENDERS as readonly string[]).includes(c)) return `ops.${op}.points: unknown contender '${c}'`;
        if (!Array.isArray(ps) || !ps.every((p, i) => Array.isArray(p) && p.length === 2 && positive(p[0]) && positive(p[1]) && (i === 0 || (p[0]) > ((ps[i - 1] as number[])[0] ?? Infinity)))) {
          return `ops.${op}.points.${c} is not a list of [w, ms] pairs (positive, w ascending)`;
        }
      }
    }
  }
  const cal = v['calibration'];
  if (cal !== undefined) {
    if (!isRecord(cal) || typeof cal['created'] !== 'string') return `'calibration' is not an object with 'created'`;
    for (const k of ['dispatchMs', 'uploadGBps', 'downloadGBps', 'bandwidthGBps', 'gflops']) if (!positive(cal[k])) return `calibration.${k} is not a positive number`;
  }
  return v as unknown as PlacementFile;
}

const warned = new Set<string>();

/** One stderr line per problem and file, however often the file is read. */
export function warnPlacement(line: string): void {
  if (warned.has(line)) return;
  warned.add(line);
  process.stderr.write(`gpukit: ${line.replaceAll('\n', ' ')}\n`);
}

/**
 * Reads the placement model of an adapter. A missing file is `null` silently; a file that cannot be read,
 * is not JSON or fails {@link checkPlacementFile} is `null` with one warning on stderr.
 *
 * @example
 * ```ts
 * const file = readPlacementFile(placementPath(device.info), device.info);
 * ```
 */
export function readPlacementFile(path: string, info: DeviceInfo): PlacementFile | null {
  let text: string;
  try {
    text = readBoundedText(path, MAX_READ_BYTES);
  } catch (e) {
    const code = e instanceof InvalidFileError ? (e.cause as NodeJS.ErrnoException | undefined)?.code : undefined;
    // No file there (ENOTDIR: a parent is a file) is the normal case of a model not saved yet.
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    warnPlacement(`ignoring the placement model (${e instanceof Error ? e.message : String(e)}); placement uses calibrated or built-in defaults`);
    return null;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    warnPlacement(`ignoring the placement model ${path} (not JSON: ${jsonProblem(e)}); placement uses calibrated or built-in defaults`);
    return null;
  }
  const r = checkPlacementFile(parsed, { version: gpukitVersion(), adapter: adapterKey(info) });
  if (typeof r === 'string') {
    warnPlacement(`ignoring the placement model ${path} (${r}); placement uses calibrated or built-in defaults`);
    return null;
  }
  return r;
}

/**
 * Merges measured ops and/or a calibration into the adapter's placement file (ops replace the same ops'
 * earlier lines) and writes it atomically. Never throws: a file that cannot be written is one warning, and
 * the merged model is returned all the same so this process can use it.
 *
 * @example
 * ```ts
 * savePlacement(device.info, { calibration: ceilingsOf(await calibrate(device)) });
 * ```
 */
export function savePlacement(info: DeviceInfo, update: { readonly ops?: Readonly<Record<string, MeasuredOp>>; readonly calibration?: PlacementCeilings }): { readonly file: PlacementFile; readonly path: string; readonly written: boolean } {
  const path = placementPath(info);
  const old = readPlacementFile(path, info);
  const now = new Date().toISOString();
  const cal = update.calibration !== undefined ? { ...update.calibration, created: now } : old?.calibration;
  const file: PlacementFile = {
    schema: PLACEMENT_SCHEMA,
    gpukit: gpukitVersion(),
    adapter: adapterKey(info),
    adapterName: `${info.vendor} ${info.architecture} ${info.description}`.replace(/\s+/g, ' ').trim(),
    created: now,
    ops: { ...(old?.ops ?? {}), ...(update.ops ?? {}) },
    ...(cal !== undefined ? { calibration: cal } : {}),
  };
  try {
    ensureWritableDir(dirname(path));
    writeFileAtomic(path, JSON.stringify(file, null, 2));
    return { file, path, written: true };
  } catch (e) {
    const why = e instanceof InvalidFileError ? e.message : `${path} cannot be written (${(e as NodeJS.ErrnoException).code ?? String(e)})`;
    warnPlacement(`could not save the placement model (${why}); it is used in this process only`);
    return { file, path, written: false };
  }
}

/** The ceilings placement keeps from a calibration. */
export function ceilingsOf(c: Calibration): PlacementCeilings {
  return { dispatchMs: c.dispatch.value, uploadGBps: c.upload.value, downloadGBps: c.download.value, bandwidthGBps: c.bandwidth.value, gflops: c.flops.value };
}

/** A line is kept only when it was fitted to at least this many sizes spanning at least 2^6. */
export const MIN_FIT_SIZES = 3;

/**
 * The measured lines of a bench report, per op: the `cpu-1t`, `cpu-pool` and `gpu-e2e` fits of every op
 * swept over at least {@link MIN_FIT_SIZES} sizes spanning 2^6 or more (fewer points do not pin a line down),
 * and only ops with a GPU line and a CPU line.
 *
 * @example
 * ```ts
 * savePlacement(device.info, { ops: measuredOps(report), calibration: ceilingsOf(report.calibration) });
 * ```
 */
export function measuredOps(report: Pick<BenchReport, 'ops' | 'command' | 'createdAt'>): Record<string, MeasuredOp> {
  const out: Record<string, MeasuredOp> = {};
  for (const op of report.ops) {
    const lo = Math.min(...op.sizes);
    const hi = Math.max(...op.sizes);
    if (op.sizes.length < MIN_FIT_SIZES || hi / lo < 64) continue;
    const lines: Partial<Record<PlacementContender, PlacementLine>> = {};
    const points: Partial<Record<PlacementContender, [number, number][]>> = {};
    for (const c of op.contenders) {
      if (!(PLACEMENT_CONTENDERS as readonly string[]).includes(c.name) || c.points.length < MIN_FIT_SIZES) continue;
      const line = { alphaMs: c.fit.alphaMs, betaMs: c.fit.nsPerUnit * 1e-6 };
      if (!finiteNonNeg(line.alphaMs) || !finiteNonNeg(line.betaMs)) continue;
      lines[c.name as PlacementContender] = line;
      const ps = [...c.points].sort((a, b) => a.w - b.w).filter((p) => positive(p.w) && positive(p.medianMs));
      points[c.name as PlacementContender] = ps.filter((p, i) => i === 0 || p.w > (ps[i - 1]?.w ?? Infinity)).map((p) => [p.w, p.medianMs]);
    }
    if (lines['gpu-e2e'] === undefined || (lines['cpu-1t'] === undefined && lines['cpu-pool'] === undefined && lines['cpu-wasm'] === undefined)) continue;
    out[op.name] = { created: report.createdAt, command: report.command, sizes: [lo, hi], lines, points };
  }
  return out;
}
