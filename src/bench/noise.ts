/**
 * The machine's own steadiness during a sweep. A fixed reference job (the same loop on the same data) is
 * timed at the start of every round of every op; how much its time moves is how much the machine's speed
 * moved, whatever the ops did. On a shared VM the two cores are not always both there: a figure that
 * differs between two runs by no more than the reference did is the machine's drift, not the op's.
 */
import { sumLoop } from '../cpu/loops.js';
import { sharedF32, type CpuPool } from '../cpu/pool.js';
import { median, quantile } from './stats.js';

/** One timing of the reference jobs, ms, `atS` seconds into the sweep. */
export interface NoiseProbe {
  readonly atS: number;
  /** One thread: Σ over 2^16 f32 (L2-resident), median of 15 calls. */
  readonly oneThreadMs: number;
  /** Every core: the pool's Σ over 2^20 f32, median of 15 calls. */
  readonly allCoresMs: number;
}

/** How the reference jobs moved over the sweep. */
export interface NoiseSummary {
  readonly probes: readonly NoiseProbe[];
  /** p90 / p10 of the probes' times (1 = perfectly steady), and max / min. */
  readonly oneThread: { readonly medianMs: number; readonly spread: number; readonly maxOverMin: number };
  readonly allCores: { readonly medianMs: number; readonly spread: number; readonly maxOverMin: number };
  readonly method: string;
}

export const NOISE_METHOD =
  'reference jobs timed at the start of every round of every op: one thread summing 2^16 f32 (median of 15 calls), and the worker pool summing 2^20 f32 over every core (median of 15); spread = p90/p10 of those timings over the sweep';

/** Results of the reference jobs land here, so the engine cannot drop the work as unused. */
export let noiseSink = 0;

/** Times the reference jobs. */
export class NoiseMonitor {
  readonly #one = sharedF32(2 ** 16);
  readonly #all = sharedF32(2 ** 20);
  readonly #probes: NoiseProbe[] = [];
  readonly #t0 = performance.now();

  constructor(private readonly pool: CpuPool) {
    for (let i = 0; i < this.#all.length; i++) this.#all[i] = (i % 13) - 6;
    this.#one.set(this.#all.subarray(0, this.#one.length));
  }

  /** Times both reference jobs once (about 5 ms) and keeps the figures. */
  probe(): NoiseProbe {
    const time = (f: () => number): number => {
      const t: number[] = [];
      for (let k = 0; k < 15; k++) {
        const a = performance.now();
        noiseSink += f();
        t.push(performance.now() - a);
      }
      return median(t);
    };
    time(() => sumLoop(this.#one));
    const p = {
      atS: (performance.now() - this.#t0) / 1000,
      oneThreadMs: time(() => sumLoop(this.#one)),
      allCoresMs: time(() => this.pool.sum(this.#all)),
    };
    this.#probes.push(p);
    return p;
  }

  summary(): NoiseSummary {
    return summarizeNoise(this.#probes);
  }
}

/** The summary of some probes (one sweep's, or several shards' of a `bench --fleet` sweep pooled). */
export function summarizeNoise(probes: readonly NoiseProbe[], method = NOISE_METHOD): NoiseSummary {
  const of = (v: readonly number[]): NoiseSummary['oneThread'] => ({
    medianMs: median(v),
    spread: quantile(v, 0.9) / quantile(v, 0.1),
    maxOverMin: Math.max(...v) / Math.min(...v),
  });
  return {
    probes: [...probes],
    oneThread: of(probes.map((p) => p.oneThreadMs)),
    allCores: of(probes.map((p) => p.allCoresMs)),
    method,
  };
}
