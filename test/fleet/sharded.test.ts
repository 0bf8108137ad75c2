/**
 * A real fleet: one Redis, three `gpukit worker` processes on three engines (lavapipe core, GLES
 * compatibility, gpu.js with Dawn hidden). The sharded Monte Carlo job's estimate must be bit-identical to
 * the single-process run over the same paths, and agree with Black–Scholes within its standard error.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { fileURLToPath } from 'node:url';
import { openDevice } from '../../src/index.js';
import { fleet, type Fleet } from '../../src/fleet/index.js';
import { optionShards, priceSingleProcess } from '../../examples/fleet/option-shard.js';
import { startRedis, startWorker, stopAll, type RedisProcess, type WorkerProcess } from './harness.js';

const MODULE = fileURLToPath(new URL('../../examples/fleet/option-shard.ts', import.meta.url));
const OPTION = { seed: 20_260_917, spot: 100, strike: 105, rate: 0.03, vol: 0.25, years: 1 };
const PATHS = 120_000;

/** Black–Scholes call price: the closed form the Monte Carlo estimate converges to. */
function blackScholesCall(o: typeof OPTION): number {
  const erf = (x: number): number => {
    // Abramowitz–Stegun 7.1.26 is only 1.5e-7; sum the Taylor series instead (|x| < 3 here), exact to 1e-15.
    let term = x;
    let sum = x;
    for (let k = 1; k < 200; k++) {
      term *= (-x * x) / k;
      sum += term / (2 * k + 1);
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  };
  const N = (x: number): number => 0.5 * (1 + erf(x / Math.SQRT2));
  const d1 = (Math.log(o.spot / o.strike) + (o.rate + 0.5 * o.vol ** 2) * o.years) / (o.vol * Math.sqrt(o.years));
  const d2 = d1 - o.vol * Math.sqrt(o.years);
  return o.spot * N(d1) - o.strike * Math.exp(-o.rate * o.years) * N(d2);
}

let redis: RedisProcess;
const workers: WorkerProcess[] = [];
let f: Fleet;

beforeAll(async () => {
  redis = await startRedis();
  // Started one after another: three Dawn/gpu.js start-ups at once only fight over two cores.
  for (const engine of ['core', 'compat', 'gpujs'] as const) workers.push(await startWorker(redis.url, engine, 'gpukit,gpukit.{kind}'));
  f = fleet({ redis: redis.url });
}, 120_000);

afterAll(async () => {
  await f.close();
  await stopAll();
}, 30_000);

describe('a fleet of three engines', () => {
  test('each worker announces its adapter identity, and a different kind per engine', async () => {
    const listed = await f.workers();
    expect(listed.map((w) => w.id).sort()).toEqual(workers.map((w) => w.id).sort());
    const kinds = listed.map((w) => w.kind);
    expect(new Set(kinds).size).toBe(3);
    expect(kinds.some((k) => k.startsWith('vulkan-core-'))).toBe(true);
    expect(kinds.some((k) => k.startsWith('opengles-compatibility-'))).toBe(true);
    expect(kinds.some((k) => k.startsWith('gpujs-'))).toBe(true);
    for (const w of listed) expect(w.queues).toEqual(['gpukit', `gpukit.${w.kind}`]);
  });

  test('the sharded Monte Carlo price is bit-identical to the single-process run over the same paths', async () => {
    const shards = optionShards(OPTION, PATHS, 12);
    expect(shards.map((s) => s.firstPath)).toEqual(Array.from({ length: 12 }, (_, i) => i * 10_000));
    const run = await f.run<(typeof shards)[number], { price: number; paths: number }>({ module: MODULE, shards, timeoutMs: 60_000 });
    expect(run.shards.map((s) => s.index)).toEqual([...Array(12).keys()]);

    await using device = await openDevice();
    const single = await priceSingleProcess(device, OPTION, PATHS);
    expect(run.value.paths).toBe(PATHS);
    expect(Object.is(run.value.price, single.price)).toBe(true);

    // An independent check of the estimate itself: within 4 standard errors of the closed form.
    const bs = blackScholesCall(OPTION);
    const stderr = (OPTION.spot * 0.5) / Math.sqrt(PATHS); // payoff sd < spot / 2 for these parameters
    expect(Math.abs(single.price - bs)).toBeLessThan(4 * stderr);
  });

  test('every engine gives the same bits for the same shard (pinned to each kind queue)', async () => {
    const shards = optionShards(OPTION, 8_000, 2);
    const byKind = await Promise.all(
      workers.map(async (w) => {
        const r = await f.run<(typeof shards)[number], { price: number; paths: number }>({ module: MODULE, shards, queue: `gpukit.${w.kind}`, timeoutMs: 60_000 });
        expect(new Set(r.shards.map((s) => s.worker.kind))).toEqual(new Set([w.kind]));
        return r.value;
      }),
    );
    // Each kind's reduce combines exact fixed-point sums, so equal prices mean equal payoff bits.
    expect(byKind[1]).toEqual(byKind[0]);
    expect(byKind[2]).toEqual(byKind[0]);
  });
});
