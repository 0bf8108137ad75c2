import { availableParallelism } from 'node:os';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { mergePathSplit } from './loops.js';
import { WORKER_SOURCE } from './worker-source.js';

/** A job for one worker: an op name and its arguments (typed arrays must be views of SharedArrayBuffers). */
export type PoolJob = Readonly<Record<string, unknown>> & { readonly op: string };

/** Float32Array on a SharedArrayBuffer, so the pool's workers see it without a copy. */
export function sharedF32(n: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(Math.max(4, n * 4)), 0, n);
}

/** Uint32Array on a SharedArrayBuffer. */
export function sharedU32(n: number): Uint32Array {
  return new Uint32Array(new SharedArrayBuffer(Math.max(4, n * 4)), 0, n);
}

/** Splits [0, n) into `parts` ranges with boundaries on multiples of 16 (whole cache lines of f32). */
export function splitRange(n: number, parts: number): [number, number][] {
  const out: [number, number][] = [];
  const step = Math.ceil(n / parts / 16) * 16;
  for (let p = 0; p < parts; p++) out.push([Math.min(n, p * step), Math.min(n, (p + 1) * step)]);
  return out;
}

/**
 * A pool of worker threads, one per core, created once and reused: the CPU-parallel baseline of
 * `gpukit bench`. Jobs are handed over through a SharedArrayBuffer control block with Atomics (a wake-up
 * costs microseconds, not a postMessage round trip), and `run` blocks the calling thread until every
 * worker is done — it is a benchmark baseline, the caller has nothing else to do meanwhile.
 *
 * @example
 * ```ts
 * await using pool = await CpuPool.create();
 * const x = sharedF32(1 << 20).fill(1);
 * console.log(pool.sum(x)); // 1048576
 * ```
 */
export class CpuPool {
  readonly size: number;
  readonly #workers: Worker[];
  readonly #ports: MessagePort[];
  readonly #ctrl: Int32Array;
  readonly #results: Float64Array;
  #closed = false;

  private constructor(workers: Worker[], ports: MessagePort[], ctrl: Int32Array, results: Float64Array) {
    this.size = workers.length;
    this.#workers = workers;
    this.#ports = ports;
    this.#ctrl = ctrl;
    this.#results = results;
  }

  /** Starts `threads` workers (default: every core) and waits until they are running. */
  static async create(threads = availableParallelism()): Promise<CpuPool> {
    const size = Math.max(1, threads);
    const ctrl = new Int32Array(new SharedArrayBuffer(8 * size));
    const results = new Float64Array(new SharedArrayBuffer(8 * size));
    const workers: Worker[] = [];
    const ports: MessagePort[] = [];
    for (let index = 0; index < size; index++) {
      const { port1, port2 } = new MessageChannel();
      const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { port: port2, ctrl, results, index }, transferList: [port2] });
      workers.push(w);
      ports.push(port1);
    }
    await Promise.all(workers.map((w) => new Promise<void>((resolve, reject) => {
      w.once('online', () => { resolve(); });
      w.once('error', reject);
    })));
    return new CpuPool(workers, ports, ctrl, results);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Runs one job per worker (jobs[w] on worker w; fewer jobs leave workers idle) and returns their numbers. */
  run(jobs: readonly PoolJob[]): number[] {
    if (this.#closed) throw new Error('gpukit: this CPU pool is closed');
    const ctrl = this.#ctrl;
    const used = Math.min(jobs.length, this.size);
    const seqs: number[] = [];
    for (let w = 0; w < used; w++) {
      this.#ports[w]?.postMessage(jobs[w]);
      seqs.push(Atomics.add(ctrl, 2 * w, 1) + 1);
      Atomics.notify(ctrl, 2 * w);
    }
    const out: number[] = [];
    for (let w = 0; w < used; w++) {
      const want = seqs[w] ?? 0;
      for (let done = Atomics.load(ctrl, 2 * w + 1); done !== want; done = Atomics.load(ctrl, 2 * w + 1)) Atomics.wait(ctrl, 2 * w + 1, done);
      out.push(this.#results[w] ?? NaN);
    }
    return out;
  }

  /** y = a·x + y, split over the workers. */
  axpy(a: number, x: Float32Array, y: Float32Array): void {
    this.run(splitRange(x.length, this.size).map(([lo, hi]) => ({ op: 'axpy', a, x, y, lo, hi })));
  }

  sum(x: Float32Array): number {
    return this.run(splitRange(x.length, this.size).map(([lo, hi]) => ({ op: 'sum', x, lo, hi }))).reduce((s, v) => s + v, 0);
  }

  dot(x: Float32Array, y: Float32Array): number {
    return this.run(splitRange(x.length, this.size).map(([lo, hi]) => ({ op: 'dot', x, y, lo, hi }))).reduce((s, v) => s + v, 0);
  }

  /** Inclusive prefix sum in two parallel passes: chunk totals, then each chunk's scan from its offset. */
  scan(x: Float32Array, out: Float32Array): void {
    const ranges = splitRange(x.length, this.size);
    const totals = this.run(ranges.map(([lo, hi]) => ({ op: 'sum', x, lo, hi })));
    let offset = 0;
    const jobs = ranges.map(([lo, hi], k) => {
      const job = { op: 'scan', x, out, lo, hi, offset };
      offset += totals[k] ?? 0;
      return job;
    });
    this.run(jobs);
  }

  /**
   * Sorts u32 keys in place: each worker radix-sorts its chunk, then rounds of pairwise merges, each round
   * split across all workers by merge path (so the last merge is parallel too). `scratch` ≥ keys.length.
   */
  sort(keys: Uint32Array, scratch: Uint32Array): void {
    const n = keys.length;
    let runs = splitRange(n, this.size).filter(([lo, hi]) => hi > lo);
    this.run(runs.map(([lo, hi]) => ({ op: 'radix', keys, scratch, lo, hi })));
    let src = keys;
    let dst = scratch;
    while (runs.length > 1) {
      const next: [number, number][] = [];
      const jobs: PoolJob[] = [];
      const pairs = Math.ceil(runs.length / 2);
      const perPair = Math.max(1, Math.floor(this.size / pairs));
      for (let p = 0; p < runs.length; p += 2) {
        const a = runs[p] ?? [0, 0];
        const b = runs[p + 1] ?? [a[1], a[1]];
        const total = b[1] - a[0];
        next.push([a[0], b[1]]);
        const cuts = splitRange(total, perPair);
        for (const [d0, d1] of cuts) {
          if (d1 <= d0) continue;
          const i0 = mergePathSplit(src, a[0], a[1], b[0], b[1], d0);
          const i1 = mergePathSplit(src, a[0], a[1], b[0], b[1], d1);
          jobs.push({ op: 'merge', src, aLo: a[0] + i0, aHi: a[0] + i1, bLo: b[0] + d0 - i0, bHi: b[0] + d1 - i1, dst, outLo: a[0] + d0 });
        }
      }
      for (let k = 0; k < jobs.length; k += this.size) this.run(jobs.slice(k, k + this.size));
      runs = next;
      const t = src;
      src = dst;
      dst = t;
    }
    if (src !== keys) keys.set(src);
  }

  /** C = A·B (row-major f32, A m×k, B k×n), rows split over the workers. */
  matmul(a: Float32Array, b: Float32Array, c: Float32Array, m: number, k: number, n: number): void {
    const rows: [number, number][] = [];
    const step = Math.ceil(m / this.size);
    for (let r = 0; r < m; r += step) rows.push([r, Math.min(m, r + step)]);
    this.run(rows.map(([r0, r1]) => ({ op: 'matmul', a, b, c, m, k, n, r0, r1 })));
  }

  /** Stops the workers (idempotent); Node can exit afterwards. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const exits = this.#workers.map((w) => new Promise<void>((resolve) => w.once('exit', () => { resolve(); })));
    this.#workers.forEach((_w, i) => {
      this.#ports[i]?.postMessage({ op: 'exit' });
      Atomics.add(this.#ctrl, 2 * i, 1);
      Atomics.notify(this.#ctrl, 2 * i);
    });
    await Promise.all(exits);
    for (const p of this.#ports) p.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
