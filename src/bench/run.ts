import { closeSync, lstatSync, openSync, readlinkSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { buildReport, type BenchReport } from './analyze.js';
import { calibrate } from './calibrate.js';
import { contendersOf } from './contender.js';
import { closeGpujsContenders, registerGpujsContenders } from './gpujs.js';
import { registerWasmContenders, wasmLabel } from './wasm.js';
import { benchOps } from './ops.js';
import { NoiseMonitor } from './noise.js';
import { formatCsv, formatHtml, formatJson } from './report.js';
import { DEFAULT_SETTINGS, QUICK_SETTINGS, sizesFor, sweepOp, type OpMeasurements, type Progress } from './runner.js';
import { CpuPool } from '../cpu/pool.js';
import { InvalidFileError, UsageError } from '../errors.js';
import { openDevice, type GpuDevice, type OpenDeviceOptions } from '../index.js';
import type { DeviceInfo } from '../device/info.js';
import { engineTraits } from '../device/engines.js';

export const DEFAULT_SIZES = '2^10..2^24:2';
export const QUICK_SIZES = '2^10..2^22:4';

/** Largest size `--sizes` accepts before a device is open: 2^32 elements (16 GiB of f32) is past any adapter's buffers. */
export const MAX_SIZE_EXPONENT = 32;

/**
 * Parses sizes: `2^10..2^24` (every power of two), `2^10..2^24:2` (every second one), or a comma list of
 * numbers and powers (`1024,2^20`). Sizes above 2^32 are refused here; what the adapter's buffers allow is
 * checked once the device is open, before calibration. Throws {@link UsageError}.
 */
export function parseSizes(text: string): number[] {
  const out: number[] = [];
  const max = 2 ** MAX_SIZE_EXPONENT;
  const tooBig = (part: string): UsageError => new UsageError(`--sizes: '${part}' is larger than 2^${String(MAX_SIZE_EXPONENT)} elements`);
  for (const part of text.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const range = /^2\^(\d+)\s*\.\.\s*2\^(\d+)(?::(\d+))?$/.exec(part);
    if (range !== null) {
      const [a, b, step] = [Number(range[1]), Number(range[2]), Number(range[3] ?? 1)];
      if (!(step >= 1) || b < a) throw new UsageError(`--sizes: bad size range '${part}': expected 2^a..2^b[:step] with a ≤ b`);
      if (b > MAX_SIZE_EXPONENT) throw tooBig(part);
      for (let e = a; e <= b; e += step) out.push(2 ** e);
      continue;
    }
    const pow = /^2\^(\d+)$/.exec(part);
    const v = pow !== null ? 2 ** Number(pow[1]) : Number(part);
    if (!Number.isInteger(v) || v < 1) throw new UsageError(`--sizes: bad size '${part}': expected a positive integer, 2^k or 2^a..2^b[:step]`);
    if (v > max) throw tooBig(part);
    out.push(v);
  }
  if (out.length === 0) throw new UsageError(`--sizes: '${text}' names no size`);
  return [...new Set(out)].sort((x, y) => x - y);
}

/**
 * Checks that a report can be written to `path` before any work is done: it is not a directory, its
 * directory exists, and a file can be created there (an existing file is opened for writing, not
 * truncated). Permission bits do not answer that (root, read-only mounts), so it tries. Throws
 * {@link UsageError} naming the flag.
 *
 * @example
 * ```ts
 * checkOutputPath('--json', 'out/bench.json');
 * ```
 */
export function checkOutputPath(flag: string, path: string): void {
  const fail = (why: string): UsageError => new UsageError(`${flag} ${path}: ${why}`);
  if (path.trim() === '') throw new UsageError(`${flag}: an empty path; give a file name`);
  const abs = resolve(path);
  let exists = true;
  try {
    if (statSync(abs).isDirectory()) throw fail('is a directory; give a file name');
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') throw fail('a parent of it is not a directory');
    if (code !== 'ENOENT') throw fail(`cannot be used (${code ?? String(e)})`);
    exists = false;
  }
  const dir = dirname(abs);
  if (exists) {
    try {
      closeSync(openSync(abs, 'r+'));
    } catch (e) {
      throw fail(`is not writable (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
    return;
  }
  try {
    if (!statSync(dir).isDirectory()) throw fail(`${dir} is not a directory`);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw fail(`its directory ${dir} does not exist`);
  }
  const probe = join(dir, `.gpukit-probe-${String(process.pid)}`);
  try {
    writeFileSync(probe, '', { flag: 'wx' });
  } catch (e) {
    throw fail(`its directory ${dir} is not writable (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  rmSync(probe, { force: true });
}

/**
 * What names one file: its device and inode when it exists (links, `./a` and `a`); else, for a symlink to a
 * file not made yet, its target's; else its real directory and name.
 */
function fileIdentity(path: string, depth = 0): string {
  const abs = resolve(path);
  try {
    const st = statSync(abs);
    return `${String(st.dev)}:${String(st.ino)}`;
  } catch {
    // Not there yet (or a dangling link): below.
  }
  try {
    if (depth < 8 && lstatSync(abs).isSymbolicLink()) return fileIdentity(resolve(dirname(abs), readlinkSync(abs)), depth + 1);
  } catch {
    // Neither a file nor a link: below.
  }
  try {
    return join(realpathSync(dirname(abs)), basename(abs));
  } catch {
    return abs;
  }
}

/**
 * Throws {@link UsageError} when two output flags name the same file (the later report would silently
 * replace the earlier one).
 *
 * @example
 * ```ts
 * checkDistinctOutputs([['--json', 'r.json'], ['--csv', 'r.json']]); // UsageError
 * ```
 */
export function checkDistinctOutputs(outputs: readonly (readonly [flag: string, path: string | undefined])[]): void {
  const seen = new Map<string, string>();
  for (const [flag, path] of outputs) {
    if (path === undefined) continue;
    const id = fileIdentity(path);
    const earlier = seen.get(id);
    if (earlier !== undefined) throw new UsageError(`${earlier} and ${flag} name the same file ${path}: give each report its own file`);
    seen.set(id, flag);
  }
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
  /** Bench on this open device instead of opening one from `open` (a fleet worker's device); left open. */
  readonly device?: GpuDevice;
  readonly command?: string;
  /**
   * Aborting it ends the sweep after the measurement running then: the report holds what was measured,
   * with `interrupted` set (Ctrl-C in `gpukit bench`).
   */
  readonly signal?: AbortSignal;
  /** Called with the device's info and the report of a whole sweep before the device closes (the CLI saves the placement model). */
  readonly onReport?: (info: DeviceInfo, report: BenchReport) => void;
}

function progressLine(p: Progress, t0: number): string {
  const width = 28;
  const frac = p.total > 0 ? p.done / p.total : 0;
  const filled = Math.round(frac * width);
  const el = (performance.now() - t0) / 1000;
  return `\r[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${(100 * frac).toFixed(0).padStart(3)}% ${el.toFixed(0).padStart(4)} s  ${p.label}`.padEnd(110).slice(0, 110);
}

const OUTPUTS = [
  ['--json', 'json', formatJson],
  ['--csv', 'csv', formatCsv],
  ['--html', 'html', formatHtml],
] as const;

/**
 * What can be checked before a device is opened: sizes, op names, the contender list, output paths.
 * Throws {@link UsageError}.
 */
function checkOptions(o: BenchCliOptions): { sizes: number[]; only: string[] | undefined } {
  const sizes = parseSizes(o.sizes ?? (o.quick === true ? QUICK_SIZES : DEFAULT_SIZES));
  const available = benchOps();
  const unknown = o.ops.filter((n) => !available.some((a) => a.name === n));
  if (unknown.length > 0) throw new UsageError(`unknown op ${unknown.join(', ')}; this build can bench: ${available.map((a) => a.name).join(', ')}`);
  let only: string[] | undefined;
  if (o.contenders !== undefined) {
    only = o.contenders.split(',').map((s) => s.trim()).filter((s) => s !== '');
    if (only.length === 0) throw new UsageError(`--contenders: '${o.contenders}' names no contender`);
  }
  for (const [flag, key] of OUTPUTS) {
    const path = o[key];
    if (path !== undefined) checkOutputPath(flag, path);
  }
  checkDistinctOutputs(OUTPUTS.map(([flag, key]) => [flag, o[key]] as const));
  return { sizes, only };
}

/**
 * `gpukit bench`'s sweep without printing or writing: checks every option (sizes, ops, contenders, output
 * paths, sizes against the adapter's buffer limits) before calibrating, so a typo fails in a second with a
 * {@link UsageError} instead of after the sweep. Then calibrates, sweeps and analyses.
 *
 * @example
 * ```ts
 * const report = await sweepBench({ ops: ['sum'], quick: true });
 * ```
 */
export async function sweepBench(o: BenchCliOptions): Promise<BenchReport> {
  const t0 = performance.now();
  const quick = o.quick === true;
  const settings = quick ? QUICK_SETTINGS : DEFAULT_SETTINGS;
  const explicitSizes = o.sizes !== undefined;
  const { sizes, only } = checkOptions(o);
  const available = benchOps();
  const ops = o.ops.length > 0 ? available.filter((a) => o.ops.includes(a.name)) : available;
  const show = o.progress ?? process.stderr.isTTY;
  const device = o.device ?? (await openDevice(o.open ?? {}));
  let pool: CpuPool | undefined;
  const bar = { drawn: false };
  try {
    pool = await CpuPool.create();
    // gpu.js contenders (its webgpu mode on the same adapter, and webasm) for the ops it runs as kernels.
    registerGpujsContenders();
    // cpu-wasm (TF.js's wasm backend) where its optional packages are installed; the report says when not.
    const wasm = await registerWasmContenders();
    const cpuWasm = 'unavailable' in wasm ? { unavailable: wasm.unavailable } : { label: wasmLabel(wasm) };
    const noise = new NoiseMonitor(pool);
    const env = { device, pool, noise };
    const say = (p: Progress): void => {
      if (!show) return;
      process.stderr.write(progressLine(p, t0));
      bar.drawn = true;
    };
    const plan = ops.map((op) => {
      const all = contendersOf(op, env);
      const cs = all.filter((c) => only === undefined || only.includes(c.name) || only.includes(c.role));
      return { op, all, sizes: sizesFor(op, sizes, explicitSizes), count: cs.length };
    });
    checkPlan(plan, only, device.info.limits, device.info.engine, 'unavailable' in wasm ? wasm.unavailable : undefined);
    say({ done: 0, total: 1, label: 'calibrating the adapter' });
    const calibration = await calibrate(device, quick ? { elements: 2 ** 22, reps: 5 } : {});
    const base = { done: 0, total: plan.reduce((s, p) => s + p.sizes.length * p.count * settings.rounds, 0) };
    const measurements: OpMeasurements[] = [];
    const signal = o.signal;
    for (const p of plan) {
      if (signal?.aborted === true) break;
      const m = await sweepOp(p.op, env, p.sizes, settings, only, say, base, signal);
      if (m.cells.length > 0) measurements.push(m);
    }
    const interrupted =
      signal?.aborted === true
        ? `interrupted after ${String(base.done)} of ${String(base.total)} measurements: ${measurements.length > 0 ? `${measurements.map((m) => m.op.name).join(', ')} in part or in whole` : 'nothing measured'}; sizes, contenders and rounds not reached are absent, and the figures of a cut round rest on fewer samples`
        : undefined;
    noise.probe();
    const report = buildReport({
      info: device.info,
      calibration,
      noise: noise.summary(),
      measurements,
      settings: { ...settings, quick },
      command: o.command ?? 'gpukit bench',
      durationS: (performance.now() - t0) / 1000,
      ...(interrupted !== undefined ? { interrupted } : {}),
      cpuWasm,
    });
    if (interrupted === undefined) o.onReport?.(device.info, report);
    return report;
  } finally {
    // Cleared on success and on error alike, so an error message starts on a line of its own.
    if (bar.drawn) process.stderr.write('\r' + ' '.repeat(110) + '\r');
    await pool?.close();
    await closeGpujsContenders();
    if (o.device === undefined) await device.close();
  }
}

/** f32 and u32: every array a bench op allocates at size n holds n four-byte elements. */
const BYTES_PER_ELEMENT = 4;

/**
 * What needs the device's contenders and limits, checked before calibration: every `--contenders` name
 * runs in at least one op and every op keeps a contender; every size fits the adapter's buffers.
 */
function checkPlan(
  plan: readonly { op: { name: string }; all: readonly { name: string; role: string }[]; sizes: readonly number[]; count: number }[],
  only: readonly string[] | undefined,
  limits: Readonly<Record<string, number>>,
  engine?: string,
  wasmMissing?: string,
): void {
  if (only !== undefined) {
    const known = [...new Set(plan.flatMap((p) => p.all.flatMap((c) => [c.name, c.role])))].filter((n) => n !== 'other');
    const unknown = only.filter((n) => !known.includes(n));
    if (unknown.length > 0) {
      const wgsl = !engineTraits(engine).runsWgsl && unknown.some((n) => n.startsWith('gpu-')) ? ` (the gpu-* contenders run WGSL, which only the dawn engine runs; this device runs on ${engine ?? ''})` : '';
      const wasm = wasmMissing !== undefined && unknown.includes('cpu-wasm') ? ` (${wasmMissing})` : '';
      throw new UsageError(`--contenders: unknown contender ${unknown.join(', ')} for ${plan.map((p) => p.op.name).join(', ')}${wgsl}${wasm}; known: ${known.join(', ')}`);
    }
    const empty = plan.filter((p) => p.count === 0).map((p) => p.op.name);
    if (empty.length > 0) throw new UsageError(`--contenders: none of ${only.join(', ')} runs ${empty.join(', ')}`);
  }
  const caps = ['maxBufferSize', 'maxStorageBufferBindingSize'].flatMap((k) => (limits[k] !== undefined ? [[k, limits[k]] as const] : []));
  if (caps.length === 0) return;
  const [limit, bytes] = caps.reduce((a, b) => (b[1] < a[1] ? b : a));
  const maxN = Math.floor(bytes / BYTES_PER_ELEMENT);
  for (const p of plan) {
    const over = p.sizes.filter((n) => n > maxN);
    if (over.length > 0) {
      throw new UsageError(
        `--sizes: ${p.op.name} at ${over.map((n) => fmtSize(n)).join(', ')} needs arrays of ${fmtSize(over[0] ?? 0)} × ${String(BYTES_PER_ELEMENT)} bytes; this adapter's ${limit} is ${String(bytes)} bytes (at most ${String(maxN)} elements)`,
      );
    }
  }
}

const fmtSize = (n: number): string => (Number.isInteger(Math.log2(n)) ? `2^${String(Math.log2(n))}` : String(n));

/**
 * Writes the files a bench run asked for (`--json`, `--csv`, `--html`); returns what was written. Throws
 * {@link InvalidFileError} if one cannot be written (paths are checked before the sweep, so only a change
 * on disk in the meantime gets here).
 *
 * @example
 * ```ts
 * const report = await sweepBench({ ops: ['sum'], quick: true, json: 'b.json' });
 * console.log(formatTable(report));
 * writeBenchFiles(report, { json: 'b.json' });
 * ```
 */
export function writeBenchFiles(report: BenchReport, o: Pick<BenchCliOptions, 'json' | 'csv' | 'html'>): { readonly flag: string; readonly path: string }[] {
  const written: { flag: string; path: string }[] = [];
  for (const [flag, key, format] of OUTPUTS) {
    const path = o[key];
    if (path === undefined) continue;
    try {
      writeFileSync(path, format(report));
    } catch (e) {
      throw new InvalidFileError(path, `(${flag}) cannot be written (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
    written.push({ flag, path });
  }
  return written;
}

/**
 * `gpukit bench` without the printing: checks the options, calibrates, sweeps, analyses, and writes the
 * files asked for. Returns the report.
 *
 * @example
 * ```ts
 * const report = await runBench({ ops: ['sum'], quick: true, html: 'bench.html' });
 * ```
 */
export async function runBench(o: BenchCliOptions): Promise<BenchReport> {
  const report = await sweepBench(o);
  writeBenchFiles(report, o);
  return report;
}
