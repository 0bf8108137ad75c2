/**
 * The placement model: for an op call of a given size, the predicted time of each side — the CPU (one thread,
 * or the worker pool) and the GPU end to end (upload, op, download) — and the decision. Predictions come, per
 * op, from the lines `gpukit bench` measured on this adapter (`measured`), else from lines derived from the
 * adapter's calibrated ceilings (`calibrated`), else from built-in ceilings for the adapter's kind (`default`).
 * Pure arithmetic: no device, tested with injected models.
 */
import type { MeasuredOp, PlacementCeilings, PlacementContender, PlacementFile, PlacementLine } from '../bench/placement-file.js';

/** The ops the placed front end runs, by their `gpukit bench` names (the model's lines are keyed by them). */
export const PLACED_OPS = ['sum', 'dot', 'axpy', 'add', 'add-bcast', 'softmax-rows', 'scan', 'sort', 'matmul'] as const;
export type PlacedOp = (typeof PLACED_OPS)[number];

/** What one call costs to move and compute: the inputs of a prediction. */
export interface CallSize {
  /** Work units (elements; multiply-adds for matmul): what the lines are fitted against. */
  readonly w: number;
  /** Bytes uploaded and downloaded by the GPU side. */
  readonly upload: number;
  readonly download: number;
  /** Minimal device-memory traffic and FLOPs of the kernel (for lines derived from ceilings). */
  readonly kernelBytes: number;
  readonly flops: number;
}

/** Where a prediction's line came from. */
export type ModelSource =
  | { readonly kind: 'measured'; readonly created: string; readonly command: string }
  | { readonly kind: 'calibrated'; readonly created: string }
  | { readonly kind: 'default'; readonly adapterKind: 'software' | 'gpu' }
  | { readonly kind: 'given' };

/** One side's predicted time. */
export interface Prediction {
  readonly contender: PlacementContender;
  readonly ms: number;
  readonly source: ModelSource;
}

/** What placement decided for one call, and why. */
export interface Decision {
  readonly op: PlacedOp;
  readonly w: number;
  /** Where it runs. */
  readonly side: 'cpu' | 'gpu';
  /** The CPU contender that runs (or would run) it: one thread, the worker pool or the wasm library. */
  readonly cpu: Prediction;
  readonly gpu: Prediction;
  /** `model`: the smaller prediction won; `forced`: placement 'cpu' or 'gpu'; `resident`: an input is a DeviceArray. */
  readonly reason: 'model' | 'forced' | 'resident';
}

/**
 * Per op: the CPU loop's cost per work unit on one thread of a typical x86 core (ns; from `gpukit bench` runs
 * of src/cpu/loops.ts, rounded up), the GPU dispatches one call makes, and whether the kernel is bound by
 * arithmetic rather than memory. Used only where an op has no measured lines.
 */
const TRAITS: Readonly<Record<PlacedOp, { readonly cpuNs: number; readonly pool: boolean; readonly passes: number; readonly compute: boolean; readonly wasmNs: number }>> = {
  sum: { cpuNs: 0.7, pool: true, passes: 2, compute: false, wasmNs: 2 },
  dot: { cpuNs: 0.9, pool: true, passes: 2, compute: false, wasmNs: 2.5 },
  axpy: { cpuNs: 1.0, pool: true, passes: 1, compute: false, wasmNs: 4 },
  add: { cpuNs: 1.2, pool: false, passes: 1, compute: false, wasmNs: 3 },
  'add-bcast': { cpuNs: 1.2, pool: false, passes: 1, compute: false, wasmNs: 3 },
  'softmax-rows': { cpuNs: 22, pool: false, passes: 1, compute: true, wasmNs: 8 },
  scan: { cpuNs: 1.2, pool: true, passes: 3, compute: false, wasmNs: 15 },
  sort: { cpuNs: 8, pool: true, passes: 12, compute: false, wasmNs: 150 },
  matmul: { cpuNs: 2, pool: true, passes: 1, compute: true, wasmNs: 0.12 },
};

/**
 * The fixed cost of a cpu-wasm call used in derived lines (TF.js's per-op dispatch and tensor bookkeeping;
 * `wasmNs` above is its per-unit cost from `gpukit bench` runs of TF.js 4.22's wasm backend on one thread,
 * copies in and out included, rounded up).
 */
const WASM_ALPHA_MS = 0.03;

/** What a forced decision fixes: the side (`cpu`: the fastest CPU contender), or one kind of CPU contender. */
export type ForcedSide = 'cpu' | 'gpu' | 'cpu-js' | 'cpu-wasm';

/** Whether the op has a worker-pool CPU version (the pool runs a fixed set of loops). */
export function hasPool(op: PlacedOp): boolean {
  return TRAITS[op].pool;
}

/**
 * Ceilings assumed before anything is measured, per adapter kind: lavapipe-like for a software adapter (what
 * `gpukit bench` calibrated on a 2-core EPYC VM, rounded towards slower), a modest discrete GPU otherwise.
 */
export const DEFAULT_CEILINGS: Readonly<Record<'software' | 'gpu', PlacementCeilings>> = {
  software: { dispatchMs: 0.2, uploadGBps: 8, downloadGBps: 1.4, bandwidthGBps: 6, gflops: 100 },
  gpu: { dispatchMs: 0.06, uploadGBps: 6, downloadGBps: 3, bandwidthGBps: 200, gflops: 5000 },
};

/**
 * Derating of the ceilings for derived lines: transfers reach half the calibrated rate end to end (the bench
 * measures 1/3–1/2 on lavapipe), memory-bound kernels 70 % of copy bandwidth, arithmetic-bound ones 10 % of the
 * FMA rate (matmul reaches 12 % on lavapipe). Erring slow keeps the GPU for sizes where it clearly wins.
 */
const DERATE = { transfer: 0.5, memory: 0.7, compute: 0.1 } as const;

const line = (l: PlacementLine, w: number): number => l.alphaMs + l.betaMs * w;

/**
 * A measured contender's time at w: inside the measured sizes, log-log interpolation between the two nearest
 * medians (a straight line on the bench's time-vs-n chart), so a cache cliff between sizes is kept; below the
 * smallest, the fitted line (the fixed cost dominates there); above the largest, the largest median scaled by
 * w (its per-unit cost, which already includes any cliff), or the line if that is slower.
 */
function measuredAt(l: PlacementLine, pts: readonly (readonly [number, number])[] | undefined, w: number): number {
  if (pts === undefined || pts.length < 2) return line(l, w);
  const first = pts[0];
  const last = pts[pts.length - 1];
  if (first === undefined || last === undefined || w <= first[0]) return line(l, w);
  if (w >= last[0]) return Math.max(line(l, w), (last[1] * w) / last[0]);
  let i = 1;
  while (i < pts.length - 1 && (pts[i]?.[0] ?? Infinity) < w) i++;
  const [w0, t0] = pts[i - 1] ?? first;
  const [w1, t1] = pts[i] ?? last;
  const f = Math.log(w / w0) / Math.log(w1 / w0);
  return Math.exp(Math.log(t0) + f * (Math.log(t1) - Math.log(t0)));
}

/** Lines an injected model gives per op (the same shape as a placement file's `ops.<op>.lines`). */
export type GivenLines = Readonly<Partial<Record<string, Readonly<Partial<Record<PlacementContender, PlacementLine>>>>>>;

/** Options of {@link PlacementModel}. */
export interface PlacementModelOptions {
  /** Threads of the CPU pool (scales the derived pool line). @default 2 */
  readonly cores?: number;
  /** Host copy cost, ns per byte, that the pool pays to move non-shared inputs into shared memory. @default 0.15 */
  readonly copyNsPerByte?: number;
  /**
   * First-touch cost, ns per byte, of the fresh result array a placed call on the JS loops returns (the
   * operating system maps and zeroes its pages): the bench's CPU loops write into arrays allocated once, so
   * their lines leave it out, while the GPU's end-to-end and cpu-wasm lines include their own fresh result.
   * Charged from 128 KiB of result up (`FRESH_BYTES`) (smaller arrays come from memory the heap already touched).
   * 0.4–0.55 measured on the 2-vCPU AMD EPYC VM (a 64 MiB `new Float32Array(n).set(y)` against the same
   * `set` into that array again). @default 0.45
   */
  readonly freshNsPerByte?: number;
}

/** Result bytes from which a fresh host array's first touch is charged (glibc hands such blocks out as new pages). */
export const FRESH_BYTES = 128 * 1024;

/**
 * Predicts each side of a call. Per op, measured lines win; a contender the measurement lacks is derived.
 *
 * @example
 * ```ts
 * const m = PlacementModel.given({ sum: { 'cpu-1t': { alphaMs: 0, betaMs: 1e-6 }, 'gpu-e2e': { alphaMs: 0.25, betaMs: 5e-7 } } });
 * m.decide('sum', sizeOf('sum', 2 ** 20), { pool: false }).side; // 'gpu': 0.77 ms against 1.05 ms
 * ```
 */
export class PlacementModel {
  readonly #measured: Readonly<Record<string, { readonly lines: MeasuredOp['lines']; readonly points?: MeasuredOp['points']; readonly source: ModelSource }>>;
  readonly #ceilings: PlacementCeilings;
  readonly #ceilingSource: ModelSource;
  readonly #cores: number;
  readonly #copyNs: number;
  readonly #freshNs: number;

  constructor(measured: Readonly<Record<string, { readonly lines: MeasuredOp['lines']; readonly points?: MeasuredOp['points']; readonly source: ModelSource }>>, ceilings: PlacementCeilings, ceilingSource: ModelSource, options: PlacementModelOptions = {}) {
    this.#measured = measured;
    this.#ceilings = ceilings;
    this.#ceilingSource = ceilingSource;
    this.#cores = Math.max(1, options.cores ?? 2);
    this.#copyNs = options.copyNsPerByte ?? 0.15;
    this.#freshNs = options.freshNsPerByte ?? 0.45;
  }

  /** A model from given lines (tests, experiments); ops without lines fall back to the software defaults. */
  static given(lines: GivenLines, options: PlacementModelOptions = {}): PlacementModel {
    const measured = Object.fromEntries(Object.entries(lines).flatMap(([op, l]) => (l === undefined ? [] : [[op, { lines: l, source: { kind: 'given' } as const }]])));
    return new PlacementModel(measured, DEFAULT_CEILINGS.software, { kind: 'default', adapterKind: 'software' }, options);
  }

  /** The model of an adapter: its placement file's measured ops and calibration, else the kind's defaults. */
  static fromFile(file: PlacementFile | null, adapterKind: 'software' | 'gpu', options: PlacementModelOptions = {}): PlacementModel {
    const measured = Object.fromEntries(Object.entries(file?.ops ?? {}).map(([op, m]) => [op, { lines: m.lines, ...(m.points !== undefined ? { points: m.points } : {}), source: { kind: 'measured', created: m.created, command: m.command } as const }]));
    const cal = file?.calibration;
    return cal !== undefined
      ? new PlacementModel(measured, cal, { kind: 'calibrated', created: cal.created }, options)
      : new PlacementModel(measured, DEFAULT_CEILINGS[adapterKind], { kind: 'default', adapterKind }, options);
  }

  /** Where the ceilings behind derived lines came from. */
  get ceilingSource(): ModelSource {
    return this.#ceilingSource;
  }

  /** The op's lines are measured (or given) rather than derived. */
  isMeasured(op: PlacedOp): boolean {
    return this.#measured[op] !== undefined;
  }

  /** The derived prediction of one contender from the ceilings and the op's traits. */
  #derived(op: PlacedOp, c: PlacementContender, s: CallSize): number {
    const t = TRAITS[op];
    if (c === 'cpu-1t') return 0.002 + t.cpuNs * s.w * 1e-6;
    if (c === 'cpu-pool') return 0.05 + ((1.3 * t.cpuNs) / this.#cores) * s.w * 1e-6;
    if (c === 'cpu-wasm') return WASM_ALPHA_MS + t.wasmNs * s.w * 1e-6;
    const k = this.#ceilings;
    const alpha = k.dispatchMs * (1 + 0.25 * (t.passes - 1));
    const transfer = s.upload / (k.uploadGBps * DERATE.transfer * 1e6) + s.download / (k.downloadGBps * DERATE.transfer * 1e6);
    const memory = (s.kernelBytes * (op === 'sort' ? 8 : 1)) / (k.bandwidthGBps * DERATE.memory * 1e6);
    const compute = t.compute ? s.flops / (k.gflops * DERATE.compute * 1e6) : 0;
    return alpha + transfer + Math.max(memory, compute);
  }

  /**
   * The predicted time of one contender; `undefined` when it cannot run the op (no pool version). The pool's
   * prediction includes copying `copyBytes` of non-shared inputs into shared memory; the JS loops' (one
   * thread and the pool) the first touch of the fresh result array they return (see `freshNsPerByte`).
   */
  predict(op: PlacedOp, c: PlacementContender, s: CallSize, copyBytes = 0): Prediction | undefined {
    if (c === 'cpu-pool' && !TRAITS[op].pool) return undefined;
    const m = this.#measured[op];
    const fresh = (c === 'cpu-1t' || c === 'cpu-pool') && s.download >= FRESH_BYTES ? s.download * this.#freshNs * 1e-6 : 0;
    const copy = (c === 'cpu-pool' ? copyBytes * this.#copyNs * 1e-6 : 0) + fresh;
    const l = m?.lines[c];
    if (m !== undefined && l !== undefined) return { contender: c, ms: measuredAt(l, m.points?.[c], s.w) + copy, source: m.source };
    // A measured op whose sweep left the pool (or cpu-wasm) out has no line for it: it is not guessed beside measured lines.
    if (m !== undefined && (c === 'cpu-pool' || c === 'cpu-wasm')) return undefined;
    return { contender: c, ms: this.#derived(op, c, s) + copy, source: this.#ceilingSource };
  }

  /**
   * Decides one call: the fastest predicted CPU contender (one thread; the pool when `pool` allows it; the
   * wasm library when `wasm` says it is installed and runs this call) against the GPU end to end. `force`
   * keeps the predictions but fixes the side: `cpu` (the fastest CPU contender), `gpu`, `cpu-js` (the faster of
   * one thread and the pool) or `cpu-wasm` (the wasm library where it can run the call, else `cpu-js`).
   */
  decide(op: PlacedOp, s: CallSize, options: { readonly pool: boolean; readonly wasm?: boolean; readonly copyBytes?: number; readonly force?: ForcedSide }): Decision {
    const one = this.predict(op, 'cpu-1t', s) ?? this.predict(op, 'cpu-pool', s, options.copyBytes);
    const pool = options.pool ? this.predict(op, 'cpu-pool', s, options.copyBytes) : undefined;
    const js = one === undefined || (pool !== undefined && pool.ms < one.ms) ? pool : one;
    const wasm = options.wasm === true ? this.predict(op, 'cpu-wasm', s) : undefined;
    const force = options.force;
    const cpu = force === 'cpu-js' || wasm === undefined ? js : force === 'cpu-wasm' || js === undefined || wasm.ms < js.ms ? wasm : js;
    const gpu = this.predict(op, 'gpu-e2e', s);
    if (cpu === undefined || gpu === undefined) throw new Error(`placement: no CPU or GPU prediction for ${op}`);
    if (force !== undefined) return { op, w: s.w, side: force === 'gpu' ? 'gpu' : 'cpu', cpu, gpu, reason: 'forced' };
    return { op, w: s.w, side: gpu.ms < cpu.ms ? 'gpu' : 'cpu', cpu, gpu, reason: 'model' };
  }
}

const side = (n: number): number => Math.max(1, Math.round(Math.sqrt(n)));

/**
 * The cost inputs of an op at the bench's size n (as `gpukit bench` sizes it: n elements; for matmul two
 * N×N matrices with N² = n; for add and softmax-rows n elements in rows of 1024).
 *
 * @example
 * ```ts
 * sizeOf('sum', 2 ** 20); // { w: 1048576, upload: 4194304, download: 4, ... }
 * ```
 */
export function sizeOf(op: PlacedOp, n: number): CallSize {
  switch (op) {
    case 'matmul': {
      const N = side(n);
      return matmulSize(N, N, N);
    }
    case 'add-bcast':
      return addSize(n, Math.min(1024, n));
    default:
      return elementSize(op, n);
  }
}

/** An elementwise-like op over n elements (every op but matmul and add-bcast). */
export function elementSize(op: Exclude<PlacedOp, 'matmul'>, n: number): CallSize {
  switch (op) {
    case 'sum':
      return { w: n, upload: 4 * n, download: 4, kernelBytes: 4 * n, flops: n };
    case 'dot':
      return { w: n, upload: 8 * n, download: 4, kernelBytes: 8 * n, flops: 2 * n };
    case 'axpy':
      return { w: n, upload: 8 * n, download: 4 * n, kernelBytes: 12 * n, flops: 2 * n };
    case 'add':
      return { w: n, upload: 8 * n, download: 4 * n, kernelBytes: 12 * n, flops: n };
    case 'add-bcast':
      return addSize(n, Math.min(1024, n));
    case 'softmax-rows':
      return { w: n, upload: 4 * n, download: 4 * n, kernelBytes: 8 * n, flops: 6 * n };
    case 'scan':
      return { w: n, upload: 4 * n, download: 4 * n, kernelBytes: 8 * n, flops: n };
    case 'sort':
      return { w: n, upload: 4 * n, download: 4 * n, kernelBytes: 8 * n, flops: 0 };
  }
}

/** x (n elements) + a row of `cols` broadcast over it. */
export function addSize(n: number, cols: number): CallSize {
  return { w: n, upload: 4 * n + 4 * cols, download: 4 * n, kernelBytes: 8 * n + 4 * cols, flops: n };
}

/** C (m×n) = A (m×k) · B (k×n): w = m·k·n multiply-adds. */
export function matmulSize(m: number, k: number, n: number): CallSize {
  return { w: m * k * n, upload: 4 * (m * k + k * n), download: 4 * m * n, kernelBytes: 4 * (m * k + k * n + m * n), flops: 2 * m * k * n };
}
