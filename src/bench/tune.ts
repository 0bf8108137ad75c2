import { dirname } from 'node:path';
import { ensureWritableDir, pinParams, saveWinners, sizeClass, tunables, tuneCachePath, type TuneCacheFile, type TuneParams, type Tunable } from '../backends/dawn/tuning.js';
import type { GpuDevice } from '../gpu-device.js';
import { axpy, DeviceArray, fft, histogram, matmul, scan, sort, sortPairs, sum, transpose } from '../index.js';

/** A workload the tuner times: `run` enqueues the op once on resident inputs. */
/**
 * What one tuning run enqueues. `run` returns the arrays it made that nothing reads (or nothing): with fusion a
 * recorded product destroyed unread is never computed, so they stay alive until the profile computes them,
 * and are destroyed after.
 */
interface Workload {
  run(): unknown;
  dispose(): void;
}

/** Destroys what a workload's run returned. */
function free(made: unknown): void {
  if (made instanceof DeviceArray) made.destroy();
}

function filled(device: GpuDevice, n: number, seed: number): DeviceArray<'f32'> {
  const h = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    h[i] = s / 2 ** 32;
  }
  return device.array(h);
}

function keys(device: GpuDevice, n: number): DeviceArray<'u32'> {
  const h = new Uint32Array(n);
  let s = 7;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    h[i] = s;
  }
  return device.array(h);
}

/** What each tunable op runs while being tuned, at size n. */
const WORKLOADS: Readonly<Record<string, (device: GpuDevice, n: number) => Workload>> = {
  elementwise: (d, n) => {
    const x = filled(d, n, 1);
    const y = filled(d, n, 2);
    return { run: () => void axpy(1.5, x, y), dispose: () => { [x, y].forEach((a) => { a.destroy(); }); } };
  },
  reduce: (d, n) => {
    const x = filled(d, n, 3);
    return { run: () => { sum(x).destroy(); }, dispose: () => { x.destroy(); } };
  },
  random: (d, n) => ({ run: () => { d.random.uniform(n, { seed: 1 }).destroy(); }, dispose: () => undefined }),
  histogram: (d, n) => {
    const x = filled(d, n, 4);
    return {
      run: () => {
        const h = histogram(x, { bins: 256, lo: 0, hi: 1 });
        h.counts.destroy();
        h.outside.destroy();
      },
      dispose: () => { x.destroy(); },
    };
  },
  fft: (d, n) => {
    const x = filled(d, 2 * n, 5);
    return { run: () => { fft(x).destroy(); }, dispose: () => { x.destroy(); } };
  },
  scan: (d, n) => {
    const x = filled(d, n, 6);
    return { run: () => { scan(x).destroy(); }, dispose: () => { x.destroy(); } };
  },
  sort: (d, n) => {
    const k = keys(d, n);
    return { run: () => { sort(k).destroy(); }, dispose: () => { k.destroy(); } };
  },
  sortPairs: (d, n) => {
    const k = keys(d, n);
    const v = keys(d, n);
    return {
      run: () => {
        const r = sortPairs(k, v);
        r.keys.destroy();
        r.values.destroy();
      },
      dispose: () => { [k, v].forEach((a) => { a.destroy(); }); },
    };
  },
  // n is the number of multiply-adds m·k·n of a square problem.
  matmul: (d, n) => {
    const m = Math.max(1, Math.round(Math.cbrt(n)));
    const a = filled(d, m * m, 7);
    const b = filled(d, m * m, 8);
    return { run: () => matmul(a, b, { m, k: m, n: m }), dispose: () => { [a, b].forEach((x) => { x.destroy(); }); } };
  },
  transpose: (d, n) => {
    const m = Math.max(1, Math.round(Math.sqrt(n)));
    const a = filled(d, m * m, 9);
    return { run: () => { transpose(a, { rows: m, cols: m }).destroy(); }, dispose: () => { a.destroy(); } };
  },
  // n is the row length R: 2^22 elements in rows of R, summed along the rows.
  'reduce-rows': (d, n) => {
    const rows = Math.max(1, Math.floor(2 ** 22 / n));
    const flat = filled(d, rows * n, 10);
    const x = flat.reshape(rows, n);
    return { run: () => { sum(x, { axis: 1 }).destroy(); }, dispose: () => { [x, flat].forEach((v) => { v.destroy(); }); } };
  },
  // n is k: a (2^22 / k)×k · k×10 product (at least 64 rows).
  'matmul-skinny': (d, n) => {
    const m = Math.max(64, Math.floor(2 ** 22 / n));
    const flat = [filled(d, m * n, 11), filled(d, n * 10, 12)] as const;
    const a = flat[0].reshape(m, n);
    const b = flat[1].reshape(n, 10);
    return { run: () => matmul(a, b), dispose: () => { [a, b, ...flat].forEach((x) => { x.destroy(); }); } };
  },
};

/** Options of {@link tune}. */
export interface TuneOptions {
  /** Ops to tune (tunable names). @default every tunable with a workload */
  readonly ops?: readonly string[];
  /** Time only the smallest and largest size class of each op, with fewer repetitions. @default false */
  readonly quick?: boolean;
  /** Called after each candidate is timed. */
  readonly onProgress?: (msg: string) => void;
  /**
   * Write the winners to the cache file (its directory is checked before any candidate is timed). With
   * `false` the caller saves `winners` itself (`saveWinners`), e.g. after printing them. @default true
   */
  readonly save?: boolean;
}

export interface TuneResult {
  readonly op: string;
  readonly n: number;
  readonly winner: TuneParams;
  readonly ms: number;
  readonly defaultMs: number;
  readonly candidates: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1] ?? NaN;
}

/**
 * The autotuner: for each op and size class, times every candidate parameter set with GPU timestamps
 * (median of a few runs, after one untimed run that compiles it), keeps the fastest, and caches the
 * winners on disk for this adapter (see tuneCachePath). Ops then use them instead of their defaults.
 */
export async function tune(device: GpuDevice, opts: TuneOptions = {}): Promise<{ results: TuneResult[]; winners: TuneCacheFile['winners']; path: string }> {
  const ctx = device.ctx;
  const save = opts.save !== false;
  if (save) ensureWritableDir(dirname(tuneCachePath(ctx.info)));
  const chosen = tunables().filter((t) => (opts.ops === undefined || opts.ops.includes(t.op)) && Object.hasOwn(WORKLOADS, t.op));
  const reps = opts.quick === true ? 3 : 5;
  const results: TuneResult[] = [];
  const winners: TuneCacheFile['winners'] = {};
  for (const t of chosen) {
    const sizes = opts.quick === true && t.sizes.length > 1 ? [t.sizes[0] ?? 1, t.sizes.at(-1) ?? 1] : t.sizes;
    for (const n of sizes) {
      const r = await tuneOne(device, t, n, reps, opts.onProgress);
      results.push(r);
      (winners[t.op] ??= {})[String(sizeClass(n))] = { params: r.winner, ms: r.ms };
    }
  }
  const path = save ? saveWinners(ctx, winners) : tuneCachePath(ctx.info);
  return { results, winners, path };
}

async function tuneOne(device: GpuDevice, t: Tunable, n: number, reps: number, progress?: (msg: string) => void): Promise<TuneResult> {
  const ctx = device.ctx;
  const make = WORKLOADS[t.op];
  if (make === undefined) throw new Error(`no workload for ${t.op}`);
  const w = make(device, n);
  const defaults = t.defaults(ctx, n);
  const candidates = t.candidates(ctx, n);
  const timeOf = async (params: TuneParams): Promise<number> => {
    pinParams(ctx, t.op, params);
    try {
      const first = w.run(); // compiles the variant
      await device.sync();
      free(first);
      const times: number[] = [];
      for (let r = 0; r < reps; r++) {
        const p = await device.profile(() => w.run());
        free(p.result);
        times.push(p.phases.kernel.ms);
      }
      return median(times);
    } catch {
      return Infinity; // a candidate this size cannot use (e.g. a shape constraint)
    } finally {
      pinParams(ctx, t.op, undefined);
    }
  };
  try {
    const defaultMs = await timeOf(defaults);
    let best = { params: defaults, ms: defaultMs };
    for (const c of candidates) {
      const ms = await timeOf(c);
      progress?.(`${t.op} n=${n} ${JSON.stringify(c)} ${ms.toFixed(3)} ms`);
      if (ms < best.ms) best = { params: c, ms };
    }
    return { op: t.op, n, winner: best.params, ms: best.ms, defaultMs, candidates: candidates.length };
  } finally {
    w.dispose();
  }
}
