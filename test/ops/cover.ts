/**
 * Which tuning parameter sets a test runs so that every value of every parameter of an op, and both
 * profiles' defaults, run at least once (not the cross product: shader compiles dominate on lavapipe).
 */
import { expect } from 'vitest';
import type { GpuDevice } from '../../src/index.js';
import { pinParams, setTuningProfile, tuningProfile, type Tunable, type TuneParams } from '../../src/backends/dawn/tuning.js';

const entries = (p: TuneParams): [string, number][] => Object.entries(p).sort(([a], [b]) => a.localeCompare(b));
export const same = (a: TuneParams, b: TuneParams): boolean => JSON.stringify(entries(a)) === JSON.stringify(entries(b));
export const show = (p: TuneParams): string => entries(p).map(([k, v]) => `${k}=${v}`).join(' ');

/**
 * The parameter sets to run: `start` (the defaults), then the candidate that runs the most (parameter, value)
 * pairs not yet run — the cheapest among equals — until every value seen in `start` and `candidates` has run.
 */
export function coverValues(start: readonly TuneParams[], candidates: readonly TuneParams[], cost: (p: TuneParams) => number): TuneParams[] {
  const want = new Set<string>();
  for (const p of [...start, ...candidates]) for (const [k, v] of entries(p)) want.add(`${k}=${v}`);
  const chosen: TuneParams[] = [];
  const take = (p: TuneParams): void => {
    if (!chosen.some((c) => same(c, p))) chosen.push(p);
    for (const [k, v] of entries(p)) want.delete(`${k}=${v}`);
  };
  start.forEach(take);
  while (want.size > 0) {
    let best: TuneParams | undefined;
    let bestGain = 0;
    for (const c of candidates) {
      const gain = entries(c).filter(([k, v]) => want.has(`${k}=${v}`)).length;
      if (gain > bestGain || (gain === bestGain && gain > 0 && best !== undefined && cost(c) < cost(best))) {
        best = c;
        bestGain = gain;
      }
    }
    if (best === undefined) throw new Error(`no candidate runs ${[...want].join(', ')}`);
    take(best);
  }
  return chosen;
}

/** Both profiles' defaults and the GPU profile's candidates (a superset of the software ones), read with the profile forced. */
export function profiles(device: GpuDevice, t: Tunable): { gpu: TuneParams; software: TuneParams; candidates: readonly TuneParams[] } {
  const ctx = device.ctx;
  const was = tuningProfile(ctx);
  const n = 2 ** 20;
  try {
    setTuningProfile(ctx, 'software');
    const software = t.defaults(ctx, n);
    const softwareCands = t.candidates(ctx, n);
    setTuningProfile(ctx, 'gpu');
    const gpu = t.defaults(ctx, n);
    const candidates = t.candidates(ctx, n);
    for (const c of softwareCands) expect(candidates.some((g) => same(g, c)), `${t.op}: software candidate ${show(c)} missing under the gpu profile`).toBe(true);
    return { gpu, software, candidates };
  } finally {
    setTuningProfile(ctx, was);
  }
}

/**
 * The covered parameter sets of an op on this device: both profiles' defaults first. With
 * `GPUKIT_TEST_ALL_CANDIDATES=1`, every candidate instead (minutes of compiles on lavapipe: for hunting, not CI).
 */
export function coverSets(device: GpuDevice, t: Tunable, cost: (p: TuneParams) => number): TuneParams[] {
  const { gpu, software, candidates } = profiles(device, t);
  if (process.env['GPUKIT_TEST_ALL_CANDIDATES'] === '1') return coverValues([gpu, software, ...candidates], [], cost);
  return coverValues([gpu, software], candidates, cost);
}

/** Runs `body` with the op pinned to `p` (unpinned after, whatever happens). */
export async function withPinned<R>(device: GpuDevice, op: string, p: TuneParams, body: () => Promise<R>): Promise<R> {
  pinParams(device.ctx, op, p);
  try {
    return await body();
  } finally {
    pinParams(device.ctx, op, undefined);
  }
}

/** Runs `body` once per covered parameter set with the op pinned to it; a failure names the set and whose default it is. */
export async function forEachSet(device: GpuDevice, t: Tunable, sets: readonly TuneParams[], body: (p: TuneParams, i: number, count: number) => Promise<void>): Promise<void> {
  const { gpu, software } = profiles(device, t);
  for (const [i, p] of sets.entries()) {
    pinParams(device.ctx, t.op, p);
    try {
      await body(p, i, sets.length);
    } catch (e) {
      throw new Error(`${t.op} with ${show(p)}${same(p, gpu) ? ' (hardware default)' : ''}${same(p, software) ? ' (software default)' : ''}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    } finally {
      pinParams(device.ctx, t.op, undefined);
    }
  }
}

export const num = (p: TuneParams, k: string): number => {
  const v = p[k];
  if (v === undefined) throw new Error(`parameter ${k} missing from ${show(p)}`);
  return v;
};

