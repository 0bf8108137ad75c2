import type { CpuPool } from '../cpu/pool.js';
import { engineTraits } from '../device/engines.js';
import type { GpuDevice } from '../gpu-device.js';

/** What a contender's measurements mean, and how they were taken. */
export type ContenderRole = 'cpu-1t' | 'cpu-pool' | 'cpu-wasm' | 'gpu-kernel' | 'gpu-e2e' | 'gpu-stream' | 'other';

/** Roles of the CPU contenders: the report compares the GPU with each, and with the best of them at each size. */
export const CPU_ROLES: readonly ContenderRole[] = ['cpu-1t', 'cpu-pool', 'cpu-wasm'];

/** Whether a role is a CPU contender's ({@link CPU_ROLES}). */
export function isCpuRole(role: string): boolean {
  return (CPU_ROLES as readonly string[]).includes(role);
}

/**
 * What a CPU contender runs on, as every report (table, JSON, HTML) states it: the library and its version,
 * whether it uses SIMD, and how many threads.
 */
export interface CpuLabel {
  readonly library: string;
  readonly version: string;
  readonly simd: boolean;
  readonly threads: number;
  readonly note?: string;
}

/** A CPU label in one line. */
export function describeCpuLabel(l: CpuLabel): string {
  return `${l.library} ${l.version}, SIMD ${l.simd ? 'on' : 'off'}, ${String(l.threads)} thread${l.threads === 1 ? '' : 's'}${l.note !== undefined ? ` (${l.note})` : ''}`;
}

/** The phase breakdown of one end-to-end GPU run, ms (from `device.profile()`). */
export interface PhaseSample {
  readonly upload: number;
  readonly kernel: number;
  readonly download: number;
  readonly host: number;
  readonly wall: number;
}

/**
 * One way of doing an op at a size. `setup(n)` allocates and fills what the run needs (not timed), `run()`
 * does the op once (timed by the harness's wall clock, unless it returns {@link Measured}: its own
 * measurement, e.g. GPU timestamps), `teardown()` frees what setup made for that size, and `release()`, when
 * present, frees what the contender keeps for the whole sweep (called once, after its last size). A new engine (gpu.js) is one more contender:
 * see {@link registerContender}.
 *
 * @example
 * ```ts
 * const c: Contender = { name: 'cpu-1t', role: 'cpu-1t', method: 'wall clock', setup: (n) => {...}, run: () => sumLoop(x), teardown: () => {} };
 * ```
 */
export interface Contender {
  readonly name: string;
  readonly role: ContenderRole;
  /** How the figure is measured, in words (goes into the JSON's method fields). */
  readonly method: string;
  /** What a CPU contender runs on (every CPU contender has one). */
  readonly label?: CpuLabel;
  setup(n: number): void | Promise<void>;
  run(): unknown;
  /** `run` never returns a promise: timed as a synchronous call (no await in the measured window). */
  readonly sync?: boolean;
  teardown(): void | Promise<void>;
  /** Frees what the contender keeps between sizes and rounds (called once, when the op's sweep ends). */
  release?(): void;
  /** Optional phase breakdown of one run (GPU end-to-end contenders). */
  phases?(): Promise<PhaseSample>;
}

/** What a self-timed run returns. */
export interface Measured {
  readonly measuredMs: number;
}

export function isMeasured(v: unknown): v is Measured {
  return typeof v === 'object' && v !== null && typeof (v as { measuredMs?: unknown }).measuredMs === 'number';
}

/** What contenders are built from: the device (if any) and the CPU pool. */
export interface BenchEnv {
  readonly device: GpuDevice;
  readonly pool: CpuPool;
  /** Times the machine's reference jobs at the start of every round (see noise.ts). */
  readonly noise?: { probe(): unknown };
}

/** A benchmarkable op: its contenders, how much work and memory traffic a size means. */
export interface BenchOp {
  readonly name: string;
  /** One line: what the op computes and on what data. */
  readonly summary: string;
  /** What a work unit is: the model fits time against work units, not sizes. */
  readonly unit: 'element' | 'multiply-add';
  /** Work units at size n (n elements; for matmul n = N² elements of each N×N matrix, N³ multiply-adds). */
  work(n: number): number;
  /** Minimal device-memory traffic at size n, bytes (each input read once, each output written once). */
  bytes(n: number): number;
  /** Floating-point operations at size n (an FMA is two). */
  flops(n: number): number;
  /** Bytes the end-to-end contender uploads and downloads at size n. */
  transfer(n: number): { readonly upload: number; readonly download: number };
  /** Largest size the default sweep uses for this op (the CPU side of sort and matmul grows fast). */
  readonly maxSize?: number;
  /**
   * In a sweep over the default sizes, only every `sizeStride`-th power of two from the smallest size kept
   * (chain, stride 4: 2^10, 2^14, 2^18, 2^22): an op with many contenders at fewer sizes, so the default sweep
   * stays within its time budget. Explicit `--sizes` are swept as given.
   */
  readonly sizeStride?: number;
  /** Contenders in the order they are interleaved. */
  contenders(env: BenchEnv): Contender[];
  /** The host inputs at size n, the same data every contender gets (kept until `release()`). */
  hostInputs(n: number): readonly (Float32Array | Uint32Array)[];
  /** Drops the host inputs kept for the sizes swept. */
  release(): void;
  /**
   * Runs the op once on the device, on the host inputs at size n (uploaded, then freed), and reads the result
   * back: what the GPU contenders compute, for checking them against a reference.
   */
  once?(device: GpuDevice, n: number): Promise<Float32Array | Int32Array | Uint32Array>;
}

const extra = new Map<string, ((env: BenchEnv, op: BenchOp) => Contender | undefined)[]>();

/**
 * Adds a contender to an op's list (or to every op with `'*'`): how gpu.js joins the bench.
 *
 * @example
 * ```ts
 * registerContender('sum', (env) => ({ name: 'gpujs', role: 'other', method: 'wall clock', setup, run, teardown }));
 * ```
 */
export function registerContender(op: string, make: (env: BenchEnv, op: BenchOp) => Contender | undefined): void {
  const list = extra.get(op) ?? [];
  list.push(make);
  extra.set(op, list);
}

/** Roles whose contenders run gpukit's WGSL kernels: only the dawn engine runs them. */
export const WGSL_ROLES: readonly ContenderRole[] = ['gpu-kernel', 'gpu-e2e', 'gpu-stream'];

/**
 * The op's own contenders followed by registered ones. On a gpujs-engine device the WGSL contenders
 * ({@link WGSL_ROLES}) are left out: that device runs no WGSL, so the CPU and the registered (gpu.js) ones remain.
 */
export function contendersOf(op: BenchOp, env: BenchEnv): Contender[] {
  const more = [...(extra.get(op.name) ?? []), ...(extra.get('*') ?? [])].map((f) => f(env, op)).filter((c): c is Contender => c !== undefined);
  const own = op.contenders(env).filter((c) => engineTraits(env.device.engine).runsWgsl || !WGSL_ROLES.includes(c.role));
  return [...own, ...more];
}
