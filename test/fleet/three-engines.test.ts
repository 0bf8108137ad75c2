/**
 * A real fleet: one Redis, three `gpukit worker` processes on three engines (lavapipe core, GLES
 * compatibility, gpu.js with Dawn hidden). The sharded Monte Carlo job's estimate must be bit-identical to
 * the single-process run over the same paths, and agree with Black–Scholes within its standard error. The
 * atlas bench (`gpukit bench --fleet`) measures all three kinds (gpu.js's: its CPU and gpu.js contenders, no
 * WGSL; every kind's CPU contenders include cpu-wasm, TF.js's wasm backend, an optional dependency installed here), and each kind's report has the shape of its engine's single-process `gpukit bench` report;
 * `gpukit compare` reads its adapters.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDevice } from '../../src/index.js';
import { fleet, type Fleet } from '../../src/fleet/index.js';
import { optionShards, priceSingleProcess } from '../../examples/fleet/option-shard.js';
import { gpukit } from '../cli/spawn.js';
import { closeAll, ENGINES, startRedis, startWorker, type RedisProcess, type WorkerProcess } from './harness.js';

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
  for (const engine of ['core', 'compat', 'gpujs'] as const) workers.push(await startWorker(redis.url, engine, 'gpukit,gpukit.{kind}', { lockMs: 20_000 }));
  f = fleet({ redis: redis.url });
}, 120_000);

afterAll(() => closeAll(f as Fleet | undefined), 30_000);

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

describe('the crossover atlas across the three engines', () => {
  test('gpukit bench --fleet writes one atlas (JSON + HTML) with all three kinds measured, and compare reads it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gpukit-atlas-'));
    const [json, html, single, singleGpujs] = ['atlas.json', 'atlas.html', 'single.json', 'single-gpujs.json'].map((f) => join(dir, f)) as [string, string, string, string];
    const r = await gpukit(['bench', '--fleet', 'sum', 'axpy', '--sizes', '2^10,2^12', '--quick', '--shard-sizes', '1', '--redis', redis.url, '--json', json, '--html', html], { timeoutMs: 90_000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const atlas = JSON.parse(readFileSync(json, 'utf8')) as {
      schema: string;
      adapters: { state: string; kind: string; error?: string; workers?: string[]; shards?: { op: string; sizes: number[] }[]; report?: { ops: { name: string; sizes: number[]; contenders: { name: string; label?: { version: string; simd: boolean; threads: number } }[] }[]; cpuWasm?: { label?: { version: string } } } }[];
      crossovers: { op: string; comparison: string; byKind: Record<string, { crossover: string }> }[];
    };
    expect(atlas.schema).toBe('gpukit-atlas/1');
    // The atlas keeps the command line, with the Redis password hidden.
    for (const file of [json, html]) expect(readFileSync(file, 'utf8')).not.toContain(redis.password);
    const byKind = new Map(atlas.adapters.map((a) => [a.kind, a]));
    expect([...byKind.keys()].sort()).toEqual(workers.map((w) => w.kind).sort());
    const dawnKinds = workers.map((w) => w.kind).filter((k) => !k.startsWith('gpujs-'));
    const gpujsKind = workers.map((w) => w.kind).find((k) => k.startsWith('gpujs-')) ?? '';
    for (const a of atlas.adapters) expect([a.kind, a.state, a.error]).toEqual([a.kind, 'measured', undefined]);

    // The single-process runs of the same sweep, on the core adapter and with Dawn hidden (engine auto falls
    // back to gpu.js): each measured kind's report has the shape of its engine's single-process report.
    const s = await gpukit(['bench', 'sum', 'axpy', '--sizes', '2^10,2^12', '--quick', '--no-progress', '--json', single], { timeoutMs: 60_000 });
    expect(s.status).toBe(0);
    const g = await gpukit(['bench', 'sum', 'axpy', '--sizes', '2^10,2^12', '--quick', '--no-progress', '--json', singleGpujs], { env: ENGINES.gpujs, timeoutMs: 60_000 });
    expect(g.status).toBe(0);
    type Single = { ops: { name: string; sizes: number[]; contenders: { name: string }[]; comparisons: { gpu: string; cpu: string }[] }[] };
    const ref = JSON.parse(readFileSync(single, 'utf8')) as Single;
    const refGpujs = JSON.parse(readFileSync(singleGpujs, 'utf8')) as Single;
    const shape = (ops: { name: string; sizes: number[]; contenders: { name: string }[] }[]): unknown => ops.map((o) => [o.name, o.sizes, o.contenders.map((c) => c.name)]);
    // gpu.js's kind: the CPU contenders (cpu-wasm included) and gpu.js webasm, no WGSL contender (and no gpu.js
    // webgpu: no Dawn adapter).
    expect(refGpujs.ops.map((o) => o.contenders.map((c) => c.name))).toEqual([['cpu-1t', 'cpu-pool', 'gpujs-webasm', 'cpu-wasm'], ['cpu-1t', 'cpu-pool', 'gpujs-webasm', 'cpu-wasm']]);
    for (const k of [...dawnKinds, gpujsKind]) {
      const a = byKind.get(k);
      expect(a?.state).toBe('measured');
      expect(a?.workers).toEqual([workers.find((w) => w.kind === k)?.id]);
      // One shard per op × size, merged back into the single-process report's shape below.
      expect(a?.shards?.map((x) => [x.op, x.sizes])).toEqual([['axpy', [1024]], ['axpy', [4096]], ['sum', [1024]], ['sum', [4096]]]);
      expect(shape(a?.report?.ops ?? [])).toEqual(shape((k === gpujsKind ? refGpujs : ref).ops));
      // Every kind measured cpu-wasm, and its merged report still says what it ran on.
      expect(a?.report?.cpuWasm?.label?.version).toBe('4.22.0');
      for (const op of a?.report?.ops ?? []) expect(op.contenders.find((c) => c.name === 'cpu-wasm')?.label).toMatchObject({ version: '4.22.0', simd: true, threads: 1 });
    }
    // The cross-adapter table: every op and comparison of both references, with a verdict for each kind that
    // ran it (gpukit's gpu-* contenders on the Dawn kinds, gpu.js's against the CPU on the gpujs kind).
    const comparisons = (r: Single): string[] => r.ops.flatMap((o) => o.comparisons.map((c) => `${o.name} ${c.gpu} vs ${c.cpu}`));
    expect(comparisons(refGpujs)).toEqual([
      'axpy gpujs-webasm vs cpu-1t', 'axpy gpujs-webasm vs cpu-pool', 'axpy gpujs-webasm vs cpu-wasm',
      'sum gpujs-webasm vs cpu-1t', 'sum gpujs-webasm vs cpu-pool', 'sum gpujs-webasm vs cpu-wasm',
    ]);
    expect(atlas.crossovers.map((c) => `${c.op} ${c.comparison}`).sort()).toEqual([...comparisons(ref), ...comparisons(refGpujs)].sort());
    for (const row of atlas.crossovers) expect(Object.keys(row.byKind).sort()).toEqual(row.comparison.startsWith('gpujs-') ? [gpujsKind] : [...dawnKinds].sort());

    const page = readFileSync(html, 'utf8');
    for (const k of [...byKind.keys()]) expect(page).toContain(`<section id="${k}">`);
    expect(page).toContain('Software adapters.');
    // gpu.js's section: its WGSL ceilings are not applicable, not zero.
    const gpujsSection = page.slice(page.indexOf(`<section id="${gpujsKind}">`));
    expect(gpujsSection).toMatch(/<td>bandwidth<\/td><td>not applicable<\/td>/);

    // compare across adapters: two kinds of one atlas, and one kind against the single-process report.
    const [k0 = '', k1 = ''] = dawnKinds;
    const c = await gpukit(['compare', `${json}#${k0}`, `${json}#${k1}`]);
    expect(c.stderr).toBe('');
    expect(c.status).toBe(0);
    expect(c.stdout).toContain(`a: ${k0}`);
    expect(c.stdout).toMatch(/crossovers agreeing .*: \d+\/\d+/);
    const c2 = await gpukit(['compare', `${json}#${k0}`, single]);
    expect(c2.status).toBe(0);
    // gpu.js's kind against its single-process run: the same comparisons, gpujs-webasm against the CPU.
    const c3 = await gpukit(['compare', `${json}#${gpujsKind}`, singleGpujs]);
    expect(c3.stderr).toBe('');
    expect(c3.status).toBe(0);
    expect(c3.stdout).toMatch(/crossovers agreeing .*: \d+\/6\b/);
    const bad = await gpukit(['compare', `${json}#no-such-kind`, single]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/no-such-kind.*measured kinds: /);
  });
});
