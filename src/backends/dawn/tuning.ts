import { createHash, randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, mkdirSync, openSync, readSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import type { DeviceContext } from './context.js';
import type { DeviceInfo } from '../../device/info.js';
import { ArgumentError, InvalidFileError } from '../../errors.js';

/** Kernel parameters (override constants and host-side choices such as items per invocation). */
export type TuneParams = Readonly<Record<string, number>>;

/**
 * What an op exposes to the autotuner: candidate parameter sets per size class and a default per kind of
 * adapter. A software adapter (cost per invocation, expensive barriers) and a GPU want opposite shapes.
 */
export interface Tunable {
  readonly op: string;
  /** Sizes the tuner times this op at (one per size class). */
  readonly sizes: readonly number[];
  candidates(ctx: DeviceContext, n: number): readonly TuneParams[];
  defaults(ctx: DeviceContext, n: number): TuneParams;
}

/**
 * Whose defaults and candidates the ops use: `software` (a CPU-emulated adapter: few invocations, long serial
 * folds, no shared-memory trees) or `gpu` (hardware: many short invocations, WG 256, shared-memory tiles).
 */
export type TuningProfile = 'gpu' | 'software';

/**
 * What a device keeps for tuning (`DeviceContext.tuning`): the profile forced by openDevice (undefined: the
 * adapter's own kind), the tuning cache file as read for it (undefined: not read yet; null: none or ignored),
 * and the parameters pinned per op.
 */
export interface DeviceTuning {
  profile: TuningProfile | undefined;
  cache: TuneCacheFile | null | undefined;
  readonly pins: Map<string, TuneParams>;
}

/** The device's tuning state (`DeviceContext.tuning`), made on first use. */
function tuningOf(ctx: DeviceContext): DeviceTuning {
  return (ctx.tuning ??= { profile: undefined, cache: undefined, pins: new Map<string, TuneParams>() });
}

/** Checks a profile name from an option or `GPUKIT_TUNING_PROFILE` (`where` names it); empty/undefined → undefined. */
export function parseTuningProfile(v: unknown, where: string): TuningProfile | undefined {
  if (v === undefined || v === '') return undefined;
  if (v === 'gpu' || v === 'software') return v;
  throw new ArgumentError(`unknown tuning profile ${JSON.stringify(v)} in ${where}; expected gpu or software`);
}

/**
 * Forces a device's tuning profile (openDevice's `tuningProfile`), e.g. `gpu` on a software adapter so CI runs
 * the hardware paths; `undefined` goes back to the adapter's own kind.
 */
export function setTuningProfile(ctx: DeviceContext, profile: TuningProfile | undefined): void {
  tuningOf(ctx).profile = profile;
}

/** The device's tuning profile: the forced one, else the adapter's own kind. */
export function tuningProfile(ctx: DeviceContext): TuningProfile {
  return tuningOf(ctx).profile ?? (ctx.info.isSoftware ? 'software' : 'gpu');
}

/** True when the ops should use their software-adapter defaults and candidates (what `Tunable`s branch on). */
export function softwareProfile(ctx: DeviceContext): boolean {
  return tuningProfile(ctx) === 'software';
}

const registry = new Map<string, Tunable>();

export function registerTunable(t: Tunable): Tunable {
  registry.set(t.op, t);
  return t;
}

export function tunables(): Tunable[] {
  return [...registry.values()];
}

/** Size classes are powers of 16 (2^4, 2^8, ... 2^28): winners rarely change within one. */
export function sizeClass(n: number): number {
  return Math.min(28, Math.max(4, Math.ceil(Math.log2(Math.max(1, n)) / 4) * 4));
}

/** Identity of an adapter and driver: tuning results are only reused on the same one. */
export function adapterKey(info: DeviceInfo): string {
  // A WebGPU implementation other than Dawn compiles the same WGSL to other code, so it tunes apart; Dawn keeps the
  // key it had before implementations were named, so existing caches stay valid.
  const id = [info.engine, info.backend, info.vendor, info.architecture, info.description, info.featureLevel, ...(info.webgpu !== undefined && info.webgpu !== 'dawn' ? [info.webgpu] : [])].join('|');
  return createHash('sha256').update(id).digest('hex').slice(0, 16);
}

/** The directory winners are cached in: `$GPUKIT_CACHE_DIR`, else `$XDG_CACHE_HOME/gpukit`, else `~/.cache/gpukit`. */
export function tuneCacheDir(): string {
  return process.env['GPUKIT_CACHE_DIR'] ?? join(process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'gpukit');
}

/** Where winners are cached: `tune-<adapter key>.json` in {@link tuneCacheDir}. */
export function tuneCachePath(info: DeviceInfo): string {
  return join(tuneCacheDir(), `tune-${adapterKey(info)}.json`);
}

/** One cached winner: its parameters and the time it was timed at (`null` when no candidate ran). */
export interface TuneWinner {
  readonly params: TuneParams;
  readonly ms: number | null;
}

export interface TuneCacheFile {
  readonly adapter: string;
  readonly created: string;
  /** op → size class (log2) → winner */
  readonly winners: Record<string, Record<string, TuneWinner>>;
}

/** Files gpukit reads (tuning caches, bench reports) are small; anything larger is refused unread. */
export const MAX_READ_BYTES = 8 * 1024 * 1024;

/**
 * Reads a small text file without trusting it: refuses what is not a regular file (a directory, a FIFO,
 * `/dev/zero`) and anything over `maxBytes`, checked with `fstat` before reading and again while reading
 * (a file in `/proc` says size 0 and still has content). Opened non-blocking, so a FIFO cannot hang the open.
 * Throws {@link InvalidFileError} with a one-line reason.
 *
 * @example
 * ```ts
 * const text = readBoundedText('report.json'); // throws InvalidFileError on a directory, /dev/zero, 1 GiB
 * ```
 */
export function readBoundedText(path: string, maxBytes = MAX_READ_BYTES): string {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw new InvalidFileError(path, `cannot be opened (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { cause: e });
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new InvalidFileError(path, 'is a directory, not a file');
    if (!st.isFile()) throw new InvalidFileError(path, 'is not a regular file (a device, FIFO or socket)');
    if (st.size > maxBytes) throw new InvalidFileError(path, `is ${String(st.size)} bytes, over the ${String(maxBytes)}-byte limit for files gpukit reads`);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.alloc(Math.min(64 * 1024, maxBytes + 1 - total));
      const got = readSync(fd, buf, 0, buf.length, null);
      if (got === 0) break;
      total += got;
      if (total > maxBytes) throw new InvalidFileError(path, `is over the ${String(maxBytes)}-byte limit for files gpukit reads`);
      chunks.push(buf.subarray(0, got));
    }
    return Buffer.concat(chunks).toString('utf8');
  } catch (e) {
    if (e instanceof InvalidFileError) throw e;
    throw new InvalidFileError(path, `cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes `text` to `path` atomically and without following links: into a new temporary file beside it (a
 * random name, created exclusively with O_EXCL and O_NOFOLLOW, so a file or symlink planted there is never
 * written through), then renamed over `path` (which replaces a symlink at `path`, never its target).
 * Throws the file system's error; the temporary file is removed on failure.
 *
 * @example
 * ```ts
 * writeFileAtomic(tuneCachePath(info), JSON.stringify(file));
 * ```
 */
export function writeFileAtomic(path: string, text: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(8).toString('hex')}.tmp`);
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
  try {
    try {
      writeFileSync(fd, text);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/**
 * What is wrong with a file that JSON.parse refused, without its bytes: V8's message quotes the text around
 * the error (`Unexpected token 'r', "root:$6$…" is not valid JSON`), which a warning must not echo (the file
 * may be a link to a secret). Keeps the position V8 gives, if any.
 *
 * @example
 * ```ts
 * try { JSON.parse(text); } catch (e) { warn(`not JSON (${jsonProblem(e)})`); }
 * ```
 */
export function jsonProblem(e: unknown): string {
  const m = e instanceof Error ? e.message : '';
  if (/unexpected end of json input/i.test(m)) return 'it ends early';
  const at = /at position (\d+)/.exec(m)?.[1];
  return at !== undefined ? `a syntax error at character ${at}` : 'a syntax error';
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Checks that a parsed tuning cache has the shape gpukit reads: `{ winners: { op: { sizeClass: { params:
 * { name: finite number }, ms: number | null } } } }` (`adapter` and `created` strings when present). Returns
 * the file, or a one-line description of the first problem. Hand-written so a cache from another version, a
 * truncated write or a hand edit can never reach an op as a `TypeError`.
 *
 * @example
 * ```ts
 * const r = checkTuneCache(JSON.parse(text));
 * if (typeof r === 'string') console.warn(r);
 * ```
 */
export function checkTuneCache(v: unknown): TuneCacheFile | string {
  if (!isRecord(v)) return `expected an object, got ${v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v}`;
  for (const k of ['adapter', 'created'] as const) if (k in v && typeof v[k] !== 'string') return `'${k}' is not a string`;
  const winners = v['winners'];
  if (!isRecord(winners)) return `'winners' is not an object`;
  for (const [op, classes] of Object.entries(winners)) {
    if (!isRecord(classes)) return `winners.${op} is not an object`;
    for (const [cls, w] of Object.entries(classes)) {
      const at = `winners.${op}.${cls}`;
      if (!/^\d+$/.test(cls)) return `${at}: size class is not a whole number`;
      if (!isRecord(w)) return `${at} is not an object`;
      if (!isRecord(w['params'])) return `${at}.params is not an object`;
      for (const [name, p] of Object.entries(w['params'])) if (typeof p !== 'number' || !Number.isFinite(p)) return `${at}.params.${name} is not a finite number`;
      // JSON writes Infinity (no candidate ran) as null.
      if ('ms' in w && w['ms'] !== null && typeof w['ms'] !== 'number') return `${at}.ms is not a number`;
    }
  }
  return {
    adapter: typeof v['adapter'] === 'string' ? v['adapter'] : '',
    created: typeof v['created'] === 'string' ? v['created'] : '',
    winners: winners as TuneCacheFile['winners'],
  };
}

/** Paths already warned about in this process: one line per bad file, not one per op call. */
const warned = new Set<string>();

/** Reads and checks a tuning cache; a missing file is `null` silently, a bad one `null` with one warning. */
function readTuneCache(path: string): TuneCacheFile | null {
  let text: string;
  try {
    text = readBoundedText(path, MAX_READ_BYTES);
  } catch (e) {
    // No cache yet is the normal case.
    const code = e instanceof InvalidFileError ? (e.cause as NodeJS.ErrnoException | undefined)?.code : undefined;
    if (code === 'ENOENT') return null;
    warnOnce(path, e instanceof Error ? e.message : String(e));
    return null;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    warnOnce(path, `${path}: not JSON (${jsonProblem(e)})`);
    return null;
  }
  const r = checkTuneCache(parsed);
  if (typeof r === 'string') {
    warnOnce(path, `${path}: ${r}`);
    return null;
  }
  return r;
}

function warnOnce(path: string, problem: string): void {
  if (warned.has(path)) return;
  warned.add(path);
  process.stderr.write(`gpukit: ignoring the tuning cache (${problem.replaceAll('\n', ' ')}); ops use their defaults. Run \`gpukit tune\` to rewrite it.\n`);
}

function cacheOf(ctx: DeviceContext): TuneCacheFile | null {
  const state = tuningOf(ctx);
  if (state.cache !== undefined) return state.cache;
  const file = process.env['GPUKIT_NO_TUNE_CACHE'] === '1' ? null : readTuneCache(tuneCachePath(ctx.info));
  state.cache = file;
  return file;
}

/**
 * Makes sure a directory exists and a file can be created in it, creating missing parents one level at a
 * time (Node's `mkdirSync(..., { recursive: true })` loops forever under `/proc`). Throws
 * {@link InvalidFileError} naming the directory and the reason. Called before tuning starts, so a cache
 * that cannot be written is refused before any candidate is timed.
 *
 * @example
 * ```ts
 * ensureWritableDir(tuneCacheDir());
 * ```
 */
export function ensureWritableDir(dir: string): void {
  const abs = resolve(dir);
  const missing: string[] = [];
  let at = abs;
  for (;;) {
    let st;
    try {
      st = statSync(at);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOTDIR') throw new InvalidFileError(abs, 'cannot be used as a directory (a parent is not a directory)');
      if (code !== 'ENOENT') throw new InvalidFileError(abs, `cannot be used as a directory (${at}: ${code ?? String(e)})`);
      const up = dirname(at);
      if (up === at) throw new InvalidFileError(abs, 'has no existing parent');
      missing.unshift(at);
      at = up;
      continue;
    }
    if (!st.isDirectory()) throw new InvalidFileError(abs, `cannot be used as a directory (${at} is not a directory)`);
    break;
  }
  for (const d of missing) {
    try {
      mkdirSync(d);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') throw new InvalidFileError(abs, `cannot be created (${d}: ${code ?? String(e)})`);
    }
  }
  // Permission bits do not tell (root, read-only mounts, /proc): create and remove a file.
  const probe = join(abs, `.gpukit-probe-${String(process.pid)}`);
  try {
    writeFileSync(probe, '', { flag: 'wx' });
  } catch (e) {
    throw new InvalidFileError(abs, `is not writable (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  rmSync(probe, { force: true });
}

/**
 * Pins an op's parameters on a device (for experiments and tests), or unpins them with `undefined`.
 * Pinned parameters win over the tuning cache and the defaults.
 */
export function pinParams(ctx: DeviceContext, op: string, params: TuneParams | undefined): void {
  const { pins } = tuningOf(ctx);
  if (params === undefined) pins.delete(op);
  else pins.set(op, params);
}

/** The parameters an op uses at size n: pinned, else the tuned winner for this adapter and size class, else the default. */
export function tunedParams(ctx: DeviceContext, t: Tunable, n: number): TuneParams {
  const pinned = tuningOf(ctx).pins.get(t.op);
  if (pinned !== undefined) return { ...t.defaults(ctx, n), ...pinned };
  // Own properties only: a key such as `constructor` must not find Object.prototype's.
  const own = <T>(o: Record<string, T> | undefined, k: string): T | undefined => (o !== undefined && Object.hasOwn(o, k) ? o[k] : undefined);
  // Winners are cached per adapter: a profile forced against the adapter's kind reads none (they were timed for the other profile).
  const ownKind = tuningProfile(ctx) === (ctx.info.isSoftware ? 'software' : 'gpu');
  const w = ownKind ? own(own(cacheOf(ctx)?.winners, t.op), String(sizeClass(n))) : undefined;
  if (w !== undefined) {
    // A cached winner is reused only if it is still a candidate (kernels may have changed since).
    const key = JSON.stringify(w.params);
    if (t.candidates(ctx, n).some((c) => JSON.stringify(c) === key)) return w.params;
  }
  return t.defaults(ctx, n);
}

/**
 * Stores winners for this adapter (merging with what the cache holds) and uses them from now on. Throws
 * {@link InvalidFileError} when the cache directory cannot be written; the winners are used in this process
 * all the same.
 */
export function saveWinners(ctx: DeviceContext, winners: TuneCacheFile['winners']): string {
  const path = tuneCachePath(ctx.info);
  const old = cacheOf(ctx);
  const merged: TuneCacheFile['winners'] = { ...(old?.winners ?? {}) };
  for (const [op, classes] of Object.entries(winners)) merged[op] = { ...(merged[op] ?? {}), ...classes };
  const file: TuneCacheFile = { adapter: `${ctx.info.vendor} ${ctx.info.architecture} ${ctx.info.description}`.trim(), created: new Date().toISOString(), winners: merged };
  tuningOf(ctx).cache = file;
  ensureWritableDir(dirname(path));
  try {
    writeFileAtomic(path, JSON.stringify(file, null, 2));
  } catch (e) {
    throw new InvalidFileError(path, `cannot be written (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  return path;
}
