/**
 * `gpukit bench --placement`: honest accounting of placement. Each op runs through the placed front end three
 * ways on the same inputs — placed by the model, always on the CPU, always on the GPU (the same front end with
 * its side forced, so all three pay the same conversions) — interleaved round by round like the bench's sweep.
 * Per size: which side placement picked, which side was faster, and its regret (placed / the better side).
 */
import { availableParallelism, cpus } from 'node:os';
import { describeAdapter } from '../device/info.js';
import { openDevice, type OpenDeviceOptions } from '../index.js';
import { fill as fillBench } from '../bench/ops.js';
import { median } from '../bench/stats.js';
import { parseSizes, DEFAULT_SIZES, QUICK_SIZES } from '../bench/run.js';
import { UsageError } from '../errors.js';
import { PLACED_OPS, type PlacedOp } from './model.js';
import { describeWasm, loadWasmCpu } from '../cpu/wasm.js';
import { placeOn, type Placed } from './placed.js';

/** Largest size of the default sweep per op (as `gpukit bench` caps sort and matmul). */
const MAX_SIZE: Partial<Record<PlacedOp, number>> = { sort: 2 ** 22, matmul: 2 ** 18 };

/** A side of the regret table: the JS loops, TF.js's wasm backend, or the GPU end to end. */
export type Side = 'cpu' | 'cpu-wasm' | 'gpu';

/** One op at one size. */
export interface RegretRow {
  readonly op: PlacedOp;
  readonly n: number;
  /** Medians of whole calls, ms: `cpuMs` the JS loops (one thread or the pool, as the model picks), `wasmMs` cpu-wasm (absent when not installed). */
  readonly cpuMs: number;
  readonly wasmMs?: number;
  readonly gpuMs: number;
  readonly placedMs: number;
  /** The side placement picked, and the side that was faster (`cpu` = the JS loops). */
  readonly picked: Side;
  readonly faster: Side;
  /** placed / the fastest side: what placement cost, measured (decision, its overhead and the machine's noise). */
  readonly regret: number;
  /** The picked side's forced median / the fastest side: what the decision alone cost (1 when it picked the fastest side). */
  readonly decision: number;
  readonly source: string;
}

export interface RegretReport {
  readonly adapter: string;
  readonly cpu: string;
  readonly rows: readonly RegretRow[];
  readonly rounds: number;
  /** cpu-wasm's label (library, version, SIMD, threads), or why it was not measured. */
  readonly wasm?: string;
}

/** The bench's own data: uniform f32 in [−0.5, 0.5), or u32 keys (xorshift32, deterministic). */
function fill(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  fillBench(a, seed, 'unit');
  return a;
}

function keys(n: number): Uint32Array {
  const a = new Uint32Array(n);
  fillBench(a, 7, 'u32');
  return a;
}

/** The call `gpukit bench`'s op makes at size n, through a placed front end. */
function callOf(op: PlacedOp, n: number): (gk: Placed) => Promise<unknown> {
  const cols = Math.max(1, Math.min(1024, n));
  const rows = Math.max(1, Math.floor(n / cols));
  switch (op) {
    case 'sum': {
      const x = fill(n, 17);
      return (gk) => gk.sum(x);
    }
    case 'dot': {
      const [x, y] = [fill(n, 17), fill(n, 18)];
      return (gk) => gk.dot(x, y);
    }
    case 'axpy': {
      const [x, y] = [fill(n, 17), fill(n, 18)];
      return (gk) => gk.axpy(2, x, y);
    }
    case 'add': {
      const [x, y] = [{ data: fill(rows * cols, 17), shape: [rows, cols] }, { data: fill(rows * cols, 18), shape: [rows, cols] }];
      return (gk) => gk.add(x, y);
    }
    case 'add-bcast': {
      const [x, b] = [{ data: fill(rows * cols, 17), shape: [rows, cols] }, { data: fill(cols, 18), shape: [cols] }];
      return (gk) => gk.add(x, b);
    }
    case 'softmax-rows': {
      const x = { data: fill(rows * cols, 17), shape: [rows, cols] };
      return (gk) => gk.softmax(x);
    }
    case 'scan': {
      const x = fill(n, 17);
      return (gk) => gk.cumsum(x);
    }
    case 'sort': {
      const k = keys(n);
      return (gk) => gk.sort(k);
    }
    case 'matmul': {
      const N = Math.max(1, Math.round(Math.sqrt(n)));
      const [a, b] = [{ data: fill(N * N, 17), shape: [N, N] }, { data: fill(N * N, 18), shape: [N, N] }];
      return (gk) => gk.matmul(a, b);
    }
  }
}

/**
 * Times calls until `minSamples` samples and `budgetMs` of calls; returns the samples, ms per call. Calls under
 * 0.2 ms are timed in batches (a sample is a batch's time / its calls): a microsecond call is then not lost in
 * the clock's resolution and the cost of reading it.
 */
async function sample(call: () => Promise<unknown>, minSamples: number, budgetMs: number): Promise<number[]> {
  const t = performance.now();
  await call();
  const batch = Math.max(1, Math.min(4096, Math.ceil(0.2 / Math.max(1e-4, performance.now() - t))));
  const out: number[] = [];
  const start = performance.now();
  while (out.length < minSamples || performance.now() - start < budgetMs) {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) await call();
    out.push((performance.now() - t0) / batch);
    if (out.length >= 1000) break;
  }
  return out;
}

export interface PlacementBenchOptions {
  readonly ops: readonly string[];
  readonly sizes?: string;
  readonly quick?: boolean;
  readonly open?: OpenDeviceOptions;
  readonly onProgress?: (label: string) => void;
}

/**
 * Runs the placement accounting. Op names and sizes are checked before the device is opened ({@link UsageError}).
 *
 * @example
 * ```ts
 * const r = await placementBench({ ops: ['sum'], sizes: '2^10,2^20' });
 * console.log(formatRegret(r));
 * ```
 */
export async function placementBench(o: PlacementBenchOptions): Promise<RegretReport> {
  const explicit = o.sizes !== undefined;
  const sizes = parseSizes(o.sizes ?? (o.quick === true ? QUICK_SIZES : DEFAULT_SIZES));
  const unknown = o.ops.filter((n) => !(PLACED_OPS as readonly string[]).includes(n));
  if (unknown.length > 0) throw new UsageError(`--placement: unknown op ${unknown.join(', ')}; placed ops: ${PLACED_OPS.join(', ')}`);
  const ops = (o.ops.length > 0 ? o.ops : PLACED_OPS) as readonly PlacedOp[];
  const rounds = o.quick === true ? 2 : 4;
  const [minSamples, budgetMs] = o.quick === true ? [3, 15] : [3, 40];
  const device = await openDevice(o.open ?? {});
  try {
    const placed = await placeOn(device);
    const cpu = await placeOn(device, { model: placed.model, placement: 'cpu-js' });
    const gpu = await placeOn(device, { model: placed.model, placement: 'gpu' });
    const wasm = placed.wasm ? await placeOn(device, { model: placed.model, placement: 'cpu-wasm' }) : undefined;
    const modes: (readonly [string, Placed])[] = [['placed', placed], ['cpu', cpu], ...(wasm !== undefined ? [['cpu-wasm', wasm] as const] : []), ['gpu', gpu]];
    const rows: RegretRow[] = [];
    try {
      for (const op of ops) {
        const cap = MAX_SIZE[op];
        const opSizes = explicit || cap === undefined ? sizes : sizes.filter((n) => n <= cap);
        const calls = new Map(opSizes.map((n) => [n, callOf(op, n)]));
        const samples = new Map<string, number[]>();
        for (let r = 0; r < rounds; r++) {
          for (const n of opSizes) {
            const call = calls.get(n);
            if (call === undefined) continue;
            const order = r % 2 === 0 ? modes : [...modes].reverse();
            for (const [name, gk] of order) {
              o.onProgress?.(`${op} 2^${Math.log2(n).toFixed(0)} ${name} (round ${String(r + 1)}/${String(rounds)})`);
              // Warm, untimed: pipelines compile, the pool starts, and the JIT optimises the CPU loops before
              // any mode is timed (otherwise the first mode timed pays for the others' optimised code).
              if (r === 0) for (const [, w] of modes) await sample(() => call(w), 2, 5);
              const got = await sample(() => call(gk), minSamples, budgetMs);
              samples.set(`${name}@${String(n)}`, [...(samples.get(`${name}@${String(n)}`) ?? []), ...got]);
            }
          }
        }
        for (const n of opSizes) {
          const med = (m: string): number => median(samples.get(`${m}@${String(n)}`) ?? [NaN]);
          const [p, c, g] = [med('placed'), med('cpu'), med('gpu')];
          const wm = wasm !== undefined ? med('cpu-wasm') : undefined;
          const d = placed.explain(op, n);
          const sides: [Side, number][] = [['cpu', c], ...(wm !== undefined ? [['cpu-wasm', wm] as [Side, number]] : []), ['gpu', g]];
          const [faster, best] = sides.reduce((a, b) => (b[1] < a[1] ? b : a));
          const picked: Side = d.side === 'gpu' ? 'gpu' : d.cpu.contender === 'cpu-wasm' ? 'cpu-wasm' : 'cpu';
          const pickedMs = sides.find(([s]) => s === picked)?.[1] ?? NaN;
          rows.push({ op, n, cpuMs: c, ...(wm !== undefined ? { wasmMs: wm } : {}), gpuMs: g, placedMs: p, picked, faster, regret: p / best, decision: pickedMs / best, source: (d.side === 'gpu' ? d.gpu : d.cpu).source.kind });
        }
      }
    } finally {
      await placed.close();
      await cpu.close();
      await gpu.close();
      await wasm?.close();
    }
    const w = wasm !== undefined ? await loadWasmCpu() : undefined;
    const wasmLabel = w === undefined ? 'cpu-wasm not measured: its optional packages are not installed (or placement was told not to use them)' : 'unavailable' in w ? w.unavailable : `cpu-wasm: ${describeWasm(w.label)}`;
    return { adapter: describeAdapter(device.info), cpu: `${cpus()[0]?.model ?? 'unknown'} (${String(availableParallelism())} threads)`, rows, rounds, wasm: wasmLabel };
  } finally {
    await device.close();
  }
}

const pow2 = (n: number): string => (Number.isInteger(Math.log2(n)) ? `2^${String(Math.log2(n))}` : String(n));
const ms = (v: number): string => (v >= 100 ? v.toFixed(0) : v >= 1 ? v.toFixed(2) : v >= 0.01 ? v.toFixed(3) : `${(v * 1000).toFixed(2)} µs`);

/** Two sides within this factor of each other are a tie: picking either is right. */
export const TIE = 1.1;

/**
 * The regret table: per op and size the three medians, the side picked and the faster side, the regret, and
 * a summary (how often placement picked the faster side, the worst regret, against the 1.1× goal).
 *
 * @example
 * ```ts
 * console.log(formatRegret(await placementBench({ ops: ['sum'], quick: true })));
 * ```
 */
export function formatRegret(r: RegretReport): string {
  const lines = [`gpukit bench --placement — ${r.adapter}; CPU ${r.cpu}; medians of whole calls over ${String(r.rounds)} interleaved rounds`];
  if (r.wasm !== undefined) lines.push(r.wasm);
  lines.push(['op'.padEnd(13), 'n'.padEnd(6), 'cpu ms'.padStart(9), 'wasm ms'.padStart(9), 'gpu ms'.padStart(9), 'placed ms'.padStart(10), 'picked'.padStart(9), 'faster'.padStart(9), 'regret'.padStart(7), 'decision'.padStart(9), 'gpu/best'.padStart(9), 'cpu/best'.padStart(9), 'wasm/best'.padStart(10), '  model'].join(' '));
  for (const x of r.rows) {
    const best = Math.min(x.cpuMs, x.gpuMs, x.wasmMs ?? Infinity);
    const wasm = x.wasmMs === undefined ? '—' : ms(x.wasmMs);
    const wasmBest = x.wasmMs === undefined ? '—' : `${(x.wasmMs / best).toFixed(2)}×`;
    lines.push([x.op.padEnd(13), pow2(x.n).padEnd(6), ms(x.cpuMs).padStart(9), wasm.padStart(9), ms(x.gpuMs).padStart(9), ms(x.placedMs).padStart(10), x.picked.padStart(9), x.faster.padStart(9), `${x.regret.toFixed(2)}×`.padStart(7), `${x.decision.toFixed(2)}×`.padStart(9), `${(x.gpuMs / best).toFixed(2)}×`.padStart(9), `${(x.cpuMs / best).toFixed(2)}×`.padStart(9), wasmBest.padStart(10), `  ${x.source}`].join(' '));
  }
  const worst = (f: (x: RegretRow) => number): RegretRow | undefined => r.rows.reduce<RegretRow | undefined>((a, b) => (a === undefined || f(b) > f(a) ? b : a), undefined);
  const right = r.rows.filter((x) => x.decision <= TIE).length;
  const [wr, wd] = [worst((x) => x.regret), worst((x) => x.decision)];
  const at = (x: RegretRow | undefined, v: number | undefined): string => (x === undefined || v === undefined ? 'none' : `${v.toFixed(2)}× (${x.op} ${pow2(x.n)})`);
  lines.push(`decisions: placement picked the fastest side (or one within ${TIE.toFixed(1)}× of it) at ${String(right)} of ${String(r.rows.length)} sizes; worst decision ${at(wd, wd?.decision)}`);
  lines.push(`measured: placed / fastest side worst ${at(wr, wr?.regret)}; ${String(r.rows.filter((x) => x.regret > TIE).length)} size(s) over the ${TIE.toFixed(1)}× goal ` +
    `(placed and the forced side it picked run the same code: where they differ, that is the machine's noise)`);
  const vsWasm = r.rows.filter((x) => x.op === 'matmul' && x.wasmMs !== undefined);
  if (vsWasm.length > 0) lines.push(`matmul, cpu-wasm median / placed median (goal ≥ 0.90× at 2^18–2^20): ${vsWasm.map((x) => `${pow2(x.n)} ${((x.wasmMs ?? NaN) / x.placedMs).toFixed(2)}×`).join(' · ')}`);
  return lines.join('\n');
}
