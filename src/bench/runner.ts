/**
 * The sweep: each op is swept over its sizes several times (rounds); in each round and at each size every
 * contender is set up and measured by one tinybench run, the order reversed every other round, so slow
 * drifts of a noisy machine hit every contender alike. Samples of all rounds are pooled into a median and
 * p10–p90, which therefore describe the whole op's sweep, not one moment of it.
 */
import { Bench, type FnReturnedObject } from 'tinybench';
import type { BenchEnv, BenchOp, Contender, CpuLabel, PhaseSample } from './contender.js';
import { contendersOf, isMeasured } from './contender.js';
import { median, summarize, type Summary } from './stats.js';

/** Measurement settings of a sweep. */
export interface SweepSettings {
  /** Sweeps over the sizes per op; every (size, contender) is measured once per round. @default 6 */
  readonly rounds: number;
  /** tinybench time budget per contender per round, ms. @default 35 */
  readonly timeMs: number;
  /** tinybench minimum samples per contender per round (a slow cell still gets one per round, spread over the sweep). @default 1 */
  readonly minSamples: number;
  /** tinybench warmup per contender (first round only), ms and minimum calls. @default 20 ms, 1 call */
  readonly warmupMs: number;
  readonly warmupCalls: number;
  /** Profiled end-to-end runs per size for the phase breakdown (medians kept). @default 3 */
  readonly phaseRuns: number;
}

export const DEFAULT_SETTINGS: SweepSettings = { rounds: 6, timeMs: 35, minSamples: 1, warmupMs: 20, warmupCalls: 1, phaseRuns: 3 };
export const QUICK_SETTINGS: SweepSettings = { rounds: 2, timeMs: 15, minSamples: 2, warmupMs: 5, warmupCalls: 1, phaseRuns: 1 };

/** One (op, contender, size) measurement: every sample, in ms, and its summary. */
export interface Cell {
  readonly op: string;
  readonly contender: string;
  readonly n: number;
  /** Work units at n (elements; multiply-adds for matmul). */
  readonly w: number;
  readonly samplesMs: readonly number[];
  readonly stats: Summary;
}

/** The median phase breakdown of the end-to-end GPU run at one size. */
export interface PhasePoint extends PhaseSample {
  readonly n: number;
  readonly runs: number;
}

export interface OpMeasurements {
  readonly op: BenchOp;
  readonly sizes: readonly number[];
  readonly contenders: readonly { readonly name: string; readonly role: Contender['role']; readonly method: string; readonly label?: CpuLabel }[];
  readonly cells: readonly Cell[];
  readonly phases: readonly PhasePoint[];
}

export interface Progress {
  readonly done: number;
  readonly total: number;
  readonly label: string;
}

/** Measures one contender for one round with tinybench; returns the samples (ms). */
async function measure(c: Contender, s: SweepSettings, warm: boolean): Promise<number[]> {
  const bench = new Bench({
    name: c.name,
    time: s.timeMs,
    iterations: s.minSamples,
    warmup: warm,
    warmupTime: s.warmupMs,
    warmupIterations: s.warmupCalls,
    retainSamples: true,
    throws: true,
  });
  if (c.sync === true) {
    bench.add(c.name, () => void c.run(), { async: false });
  } else {
    bench.add(
      c.name,
      async (): Promise<FnReturnedObject | undefined> => {
        const t0 = performance.now();
        const r = await c.run();
        // A contender that measures itself (GPU timestamps) returns its figure as the sample; the time budget
        // is still charged the whole call's wall clock, or a 0.05 ms kernel behind a 0.3 ms round trip
        // would run six times over its budget.
        return isMeasured(r) ? { overriddenDuration: r.measuredMs, overriddenIterationCost: performance.now() - t0 } : undefined;
      },
      { async: true },
    );
  }
  await bench.run();
  const task = bench.tasks[0];
  const res = task?.result;
  if (res === undefined || (res.state !== 'completed' && res.state !== 'aborted-with-statistics')) {
    throw new Error(`gpukit bench: ${c.name} did not complete (${res?.state ?? 'no result'})`);
  }
  return [...(res.latency.samples ?? [])];
}

/**
 * Runs one op over its sizes. `only` keeps the contenders whose names are listed.
 *
 * The sweep goes over all sizes once per round, rather than finishing one size before the next: the
 * samples of a cell are then spread over the whole op's sweep, so a burst of load on a shared machine
 * lands in one round of a cell instead of making its whole median (the bursts seen on a 2-core VM last
 * a few seconds and slow everything by up to 2×). Every round sets the contenders up afresh (new
 * buffers), so allocation luck is sampled too. The phase breakdown is taken in the last round.
 *
 * @example
 * ```ts
 * const m = await sweepOp(benchOp('sum')!, env, [2 ** 10, 2 ** 20], DEFAULT_SETTINGS);
 * ```
 */
export async function sweepOp(
  op: BenchOp,
  env: BenchEnv,
  sizes: readonly number[],
  settings: SweepSettings,
  only?: readonly string[],
  onProgress?: (p: Progress) => void,
  progressBase = { done: 0, total: 0 },
  signal?: AbortSignal,
): Promise<OpMeasurements> {
  const all = contendersOf(op, env);
  const contenders = only === undefined ? all : all.filter((c) => only.includes(c.name) || only.includes(c.role));
  const samples = new Map<string, number[]>();
  const key = (c: Contender, n: number): string => `${c.name}@${String(n)}`;
  const phases: PhasePoint[] = [];
  let done = progressBase.done;
  try {
    // An abort (Ctrl-C) ends the sweep after the measurement running then: what was measured stays.
    const stopped = (): boolean => signal?.aborted === true;
    sweep: for (let r = 0; r < settings.rounds; r++) {
      if (stopped()) break;
      env.noise?.probe();
      for (const n of sizes) {
        if (stopped()) break sweep;
        const ready: Contender[] = [];
        try {
          for (const c of contenders) {
            await c.setup(n);
            ready.push(c);
          }
          // Alternate the contenders' order between rounds, so slow drifts hit every contender alike.
          const order = r % 2 === 0 ? ready : [...ready].reverse();
          for (const c of order) {
            // A CPU contender's measurement may never leave the microtask queue: give the event loop a turn,
            // or a signal (Ctrl-C) would be seen only once the whole sweep is done.
            if (signal !== undefined) await new Promise((r) => setImmediate(r));
            if (stopped()) break;
            onProgress?.({ done, total: progressBase.total, label: `${op.name} 2^${Math.log2(n).toFixed(0)} ${c.name} (round ${String(r + 1)}/${String(settings.rounds)})` });
            const got = await measure(c, settings, r === 0);
            const into = samples.get(key(c, n)) ?? [];
            for (const v of got) into.push(v);
            samples.set(key(c, n), into);
            done++;
          }
          if (r === settings.rounds - 1 && !stopped()) {
            for (const c of ready) {
              if (c.phases === undefined) continue;
              const runs: PhaseSample[] = [];
              for (let k = 0; k < settings.phaseRuns; k++) runs.push(await c.phases());
              const med = (f: (p: PhaseSample) => number): number => median(runs.map(f));
              phases.push({ n, runs: runs.length, upload: med((p) => p.upload), kernel: med((p) => p.kernel), download: med((p) => p.download), host: med((p) => p.host), wall: med((p) => p.wall) });
            }
          }
        } finally {
          for (const c of ready) await c.teardown();
        }
      }
    }
  } finally {
    for (const c of contenders) c.release?.();
    op.release();
  }
  const cells: Cell[] = [];
  for (const n of sizes) {
    for (const c of contenders) {
      const s = samples.get(key(c, n));
      if (s === undefined) continue;
      cells.push({ op: op.name, contender: c.name, n, w: op.work(n), samplesMs: s, stats: summarize(s) });
    }
  }
  progressBase.done = done;
  if (signal?.aborted === true) {
    // Cut short: only the sizes and contenders that have samples.
    const measured = (f: (c: Cell) => unknown): Set<unknown> => new Set(cells.map(f));
    const ns = measured((c) => c.n);
    const names = measured((c) => c.contender);
    return { op, sizes: sizes.filter((n) => ns.has(n)), contenders: contenders.filter((c) => names.has(c.name)).map(described), cells, phases };
  }
  return { op, sizes, contenders: contenders.map(described), cells, phases };
}

/** What the report keeps of a contender. */
function described(c: Contender): OpMeasurements['contenders'][number] {
  return { name: c.name, role: c.role, method: c.method, ...(c.label !== undefined ? { label: c.label } : {}) };
}

/**
 * Sizes of the default sweep for an op: the requested sizes up to the op's own cap (`maxSize`), and only every
 * `sizeStride`-th power of two from the smallest kept; explicit sizes as given.
 */
export function sizesFor(op: BenchOp, sizes: readonly number[], explicit: boolean): number[] {
  if (explicit || (op.maxSize === undefined && op.sizeStride === undefined)) return [...sizes];
  const cap = op.maxSize ?? Infinity;
  let kept = sizes.filter((n) => n <= cap);
  const stride = op.sizeStride;
  if (stride !== undefined && kept.length > 0) {
    const lo = Math.log2(Math.min(...kept));
    kept = kept.filter((n) => {
      const d = Math.log2(n) - lo;
      return Number.isInteger(d) && d % stride === 0;
    });
  }
  return kept.length > 0 ? kept : [Math.min(...sizes)];
}
