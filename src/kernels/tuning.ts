import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { DeviceContext } from '../device/context.js';
import type { DeviceInfo } from '../device/info.js';
import { ArgumentError } from '../errors.js';

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

const profiles = new WeakMap<DeviceContext, TuningProfile>();

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
  if (profile === undefined) profiles.delete(ctx);
  else profiles.set(ctx, profile);
}

/** The device's tuning profile: the forced one, else the adapter's own kind. */
export function tuningProfile(ctx: DeviceContext): TuningProfile {
  return profiles.get(ctx) ?? (ctx.info.isSoftware ? 'software' : 'gpu');
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
  const id = [info.engine, info.backend, info.vendor, info.architecture, info.description, info.featureLevel].join('|');
  return createHash('sha256').update(id).digest('hex').slice(0, 16);
}

/** Where winners are cached: `$GPUKIT_CACHE_DIR`, else `$XDG_CACHE_HOME/gpukit`, else `~/.cache/gpukit`. */
export function tuneCachePath(info: DeviceInfo): string {
  const dir = process.env['GPUKIT_CACHE_DIR'] ?? join(process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'gpukit');
  return join(dir, `tune-${adapterKey(info)}.json`);
}

export interface TuneCacheFile {
  readonly adapter: string;
  readonly created: string;
  /** op → size class (log2) → winner */
  readonly winners: Record<string, Record<string, { params: TuneParams; ms: number }>>;
}

const loaded = new WeakMap<DeviceContext, TuneCacheFile | null>();

function cacheOf(ctx: DeviceContext): TuneCacheFile | null {
  if (loaded.has(ctx)) return loaded.get(ctx) ?? null;
  let file: TuneCacheFile | null = null;
  if (process.env['GPUKIT_NO_TUNE_CACHE'] !== '1') {
    try {
      file = JSON.parse(readFileSync(tuneCachePath(ctx.info), 'utf8')) as TuneCacheFile;
    } catch {
      file = null;
    }
  }
  loaded.set(ctx, file);
  return file;
}

const pins = new WeakMap<DeviceContext, Map<string, TuneParams>>();

/**
 * Pins an op's parameters on a device (for experiments and tests), or unpins them with `undefined`.
 * Pinned parameters win over the tuning cache and the defaults.
 */
export function pinParams(ctx: DeviceContext, op: string, params: TuneParams | undefined): void {
  let m = pins.get(ctx);
  if (m === undefined) pins.set(ctx, (m = new Map<string, TuneParams>()));
  if (params === undefined) m.delete(op);
  else m.set(op, params);
}

/** The parameters an op uses at size n: pinned, else the tuned winner for this adapter and size class, else the default. */
export function tunedParams(ctx: DeviceContext, t: Tunable, n: number): TuneParams {
  const pinned = pins.get(ctx)?.get(t.op);
  if (pinned !== undefined) return { ...t.defaults(ctx, n), ...pinned };
  // Winners are cached per adapter: a profile forced against the adapter's kind reads none (they were timed for the other profile).
  const ownKind = tuningProfile(ctx) === (ctx.info.isSoftware ? 'software' : 'gpu');
  const w = ownKind ? cacheOf(ctx)?.winners[t.op]?.[String(sizeClass(n))] : undefined;
  if (w !== undefined) {
    // A cached winner is reused only if it is still a candidate (kernels may have changed since).
    const key = JSON.stringify(w.params);
    if (t.candidates(ctx, n).some((c) => JSON.stringify(c) === key)) return w.params;
  }
  return t.defaults(ctx, n);
}

/** Stores winners for this adapter (merging with what the cache holds) and uses them from now on. */
export function saveWinners(ctx: DeviceContext, winners: TuneCacheFile['winners']): string {
  const path = tuneCachePath(ctx.info);
  const old = cacheOf(ctx);
  const merged: TuneCacheFile['winners'] = { ...(old?.winners ?? {}) };
  for (const [op, classes] of Object.entries(winners)) merged[op] = { ...(merged[op] ?? {}), ...classes };
  const file: TuneCacheFile = { adapter: `${ctx.info.vendor} ${ctx.info.architecture} ${ctx.info.description}`.trim(), created: new Date().toISOString(), winners: merged };
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.tmp`, JSON.stringify(file, null, 2));
  renameSync(`${path}.tmp`, path);
  loaded.set(ctx, file);
  return path;
}
