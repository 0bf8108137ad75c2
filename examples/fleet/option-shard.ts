/**
 * A fleet job module (`gpukit/fleet`): a European call priced by Monte Carlo, one shard per block of paths.
 * A shard travels by reference — a Philox seed and a path offset — never as data: path `p` draws uniforms
 * `2p` and `2p + 1` of the stream, so shards with disjoint offsets cover disjoint paths, and the same paths
 * give the same numbers on every worker.
 *
 * Why the estimate is bit-identical however the paths are cut: the device draws the uniforms (Philox streams
 * are bit-identical on Dawn, on gpu.js and on the CPU reference); each path's payoff is computed from them
 * in float64 on the host (the same V8 `Math` everywhere, so every engine's shard agrees bit for bit, where
 * kernels' own `exp`/`log` differ by ulps between adapters); and payoffs are summed exactly, in fixed point
 * (units of 2^-32, a BigInt), so the sum does not depend on the order or the cut. {@link priceSingleProcess}
 * is the single-machine run the fleet's result is checked against.
 *
 * Used by test/fleet/ and bench/fleet-overhead.ts (the README's "Scaling out" runs it); through workers with
 * `fleet().run({ module: 'examples/fleet/option-shard.ts', shards })` (the workers need tsx for a .ts module).
 */
import type { GpuDevice } from '../../src/index.js';

/** One block of paths of one option. */
export interface OptionShard {
  readonly seed: number;
  /** Index of the shard's first path in the whole run. */
  readonly firstPath: number;
  readonly paths: number;
  readonly spot: number;
  readonly strike: number;
  readonly rate: number;
  readonly vol: number;
  readonly years: number;
}

/** A shard's result: its path count and the exact sum of its payoffs in units of 2^-32 (a decimal string). */
export interface OptionPartial {
  readonly paths: number;
  readonly payoffSum: string;
}

const FIXED = 2 ** 32;
/** Payoffs below this keep (payoff · 2^32) under 2^53 for up to 2^12 of them summed in a float64. */
const MAX_PAYOFF = 2 ** 8;
const CHUNK = 4096;
/** Paths drawn per device call (2 uniforms each): bounded memory whatever the shard's size. */
const BLOCK = 1 << 20;

/** Exact fixed-point payoff sum of paths [firstPath, firstPath + paths). */
async function payoffSum(device: GpuDevice, s: OptionShard): Promise<bigint> {
  const drift = (s.rate - 0.5 * s.vol * s.vol) * s.years;
  const diffusion = s.vol * Math.sqrt(s.years);
  let total = 0n;
  for (let done = 0; done < s.paths; done += BLOCK) {
    const n = Math.min(BLOCK, s.paths - done);
    using u = device.random.uniform(2 * n, { seed: s.seed, offset: 2 * (s.firstPath + done) });
    const host = await u.toArray();
    for (let c = 0; c < n; c += CHUNK) {
      let acc = 0; // an exact integer: at most CHUNK terms below 2^40 each
      for (let p = c; p < Math.min(c + CHUNK, n); p++) {
        // Box–Muller on this path's two uniforms; 1 - u1 is in (0, 1], so no log 0.
        const u1 = 1 - (host[2 * p] ?? 0);
        const u2 = host[2 * p + 1] ?? 0;
        const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
        const payoff = Math.max(s.spot * Math.exp(drift + diffusion * z) - s.strike, 0);
        if (!(payoff < MAX_PAYOFF)) throw new RangeError(`option-shard: payoff ${String(payoff)} ≥ ${String(MAX_PAYOFF)} would overflow the fixed-point sum; scale spot and strike down`);
        acc += Math.round(payoff * FIXED);
      }
      total += BigInt(acc);
    }
  }
  return total;
}

/** Runs one shard on a worker's device. */
export default async function optionShard(device: GpuDevice, shard: OptionShard): Promise<OptionPartial> {
  return { paths: shard.paths, payoffSum: (await payoffSum(device, shard)).toString() };
}

/** Combines the shards (each exactly once, in shard order): the discounted mean payoff. */
export function reduce(partials: readonly OptionPartial[], shards: readonly OptionShard[]): { price: number; paths: number } {
  const paths = partials.reduce((a, p) => a + p.paths, 0);
  const sum = partials.reduce((a, p) => a + BigInt(p.payoffSum), 0n);
  const first = shards[0];
  if (first === undefined) throw new RangeError('option-shard: no shards');
  return { price: (Math.exp(-first.rate * first.years) * (Number(sum) / FIXED)) / paths, paths };
}

/** Cuts `paths` paths into `count` shards with disjoint path ranges. */
export function optionShards(o: Omit<OptionShard, 'firstPath' | 'paths'>, paths: number, count: number): OptionShard[] {
  const per = Math.ceil(paths / count);
  const out: OptionShard[] = [];
  for (let first = 0; first < paths; first += per) out.push({ ...o, firstPath: first, paths: Math.min(per, paths - first) });
  return out;
}

/** The same paths priced in one process, as one shard. */
export async function priceSingleProcess(device: GpuDevice, o: Omit<OptionShard, 'firstPath' | 'paths'>, paths: number): Promise<{ price: number; paths: number }> {
  const one = { ...o, firstPath: 0, paths };
  return reduce([await optionShard(device, one)], [one]);
}
