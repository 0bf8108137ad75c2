/**
 * gpu-stream against gpu-e2e, side by side in one run, interleaved call by call: for add (a map) and sum (a
 * reduction) over f32 host arrays, at each size the medians of
 *   e2e-resident:   write the host inputs into device arrays that stay allocated, the op, toArray (what
 *                   `gpukit bench`'s gpu-e2e contender times)
 *   e2e-twin:       e2e-resident again over arrays of its own: the spread between two identical contenders
 *   e2e-fresh:      device.array(host) per call, the op, toArray, destroy (allocating per call)
 *   stream:         one-shot device.mapStream / reduceStream with the default chunk (allocates per call)
 *   streamer:       streamer.map / reduce on one device.streamer() made before the timed calls (what
 *                   `gpukit bench`'s gpu-stream contender times), with measured routing: its warm-up
 *                   (WARM_CALLS interleaved calls, more than the 3 routes × 4 calls it explores) lets it
 *                   pick its route before the timed calls; the routes its timed calls took are printed
 *   streamer-write: the same with { mappedUploadBytes: Infinity }: a single chunk of any size is written
 *                   into the resident arrays (queue.writeBuffer) as e2e-resident does, never through the
 *                   mapped upload buffers (checks the MAPPED_UPLOAD_BYTES routing; same as streamer above 2^21)
 * and the ratios to e2e-resident (per round too, for streamer). Several rounds; each round interleaves all.
 *
 *   npx tsx bench/stream-vs-e2e.ts [--sizes 10,12,14,16,18,20,21,22,24] [--ms 1500] [--rounds 3]
 */
import { cpus } from 'node:os';
import { add, openDevice, sum, type DeviceArray } from '../src/index.js';

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? (process.argv[i + 1] ?? dflt) : dflt;
};
const sizes = arg('--sizes', '10,12,14,16,18,20,21,22,24').split(',').map(Number);
const budgetMs = Number(arg('--ms', '1500'));
const rounds = Number(arg('--rounds', '3'));
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? NaN;
let seed = 12345;
/** xorshift32, so runs shuffle alike. */
const rand = (): number => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 2 ** 32;
};
const shuffled = <T>(xs: readonly T[]): T[] => {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [a[i], a[j]] = [a[j] as T, a[i] as T];
  }
  return a;
};
/** Warm-up calls of the streamers: measured routing tries each of up to 3 routes 4 times (12 calls). */
const WARM_CALLS = 16;
const fmt = (ms: number): string => (ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(2)} ms`);

await using device = await openDevice({ engine: 'dawn' });
console.log(`adapter: ${device.info.description}${device.info.isSoftware ? ' (software, CPU-emulated)' : ''}; cpu: ${cpus()[0]?.model ?? '?'} ×${cpus().length}`);

const ops: { name: string; kind: 'map' | 'sum'; inputs: number; op: (...a: DeviceArray[]) => DeviceArray }[] = [
  { name: 'add', kind: 'map', inputs: 2, op: (x, y) => add(x, y) },
  { name: 'sum', kind: 'sum', inputs: 1, op: (x) => sum(x) },
];

for (const spec of ops) {
  for (const e of sizes) {
    const n = 2 ** e;
    const hosts = Array.from({ length: spec.inputs }, (_, j) => Float32Array.from({ length: n }, (_, i) => (((i * 7 + j * 13) % 1000) - 500) / 256));
    const resident = hosts.map((h) => device.array(h));
    const twin = hosts.map((h) => device.array(h));
    const streamer = device.streamer();
    const writer = device.streamer({ mappedUploadBytes: Infinity });
    const contenders: Record<string, () => Promise<unknown>> = {
      'e2e-resident': async () => {
        resident.forEach((a, i) => a.write(hosts[i] ?? []));
        using out = spec.op(...resident);
        return await out.toArray();
      },
      'e2e-twin': async () => {
        twin.forEach((a, i) => a.write(hosts[i] ?? []));
        using out = spec.op(...twin);
        return await out.toArray();
      },
      'e2e-fresh': async () => {
        const xs = hosts.map((h) => device.array(h));
        try {
          using out = spec.op(...xs);
          return await out.toArray();
        } finally {
          for (const a of xs) a.destroy();
        }
      },
      stream: () => (spec.kind === 'map' ? device.mapStream(hosts, (...c) => spec.op(...c)) : device.reduceStream(hosts, (...c) => spec.op(...c), { combine: 'sum' })),
      streamer: () => (spec.kind === 'map' ? streamer.map(hosts, (...c) => spec.op(...c)) : streamer.reduce(hosts, (...c) => spec.op(...c), { combine: 'sum' })),
      'streamer-write': () => (spec.kind === 'map' ? writer.map(hosts, (...c) => spec.op(...c)) : writer.reduce(hosts, (...c) => spec.op(...c), { combine: 'sum' })),
    };
    const names = Object.keys(contenders);
    const times: Record<string, number[]> = Object.fromEntries(names.map((k) => [k, []]));
    // Warm up: pipelines, pool, and the streamer's measured routing (it explores its first 12 calls),
    // interleaved as the timed calls are, so the routing learns in the conditions it is timed in.
    for (let i = 0; i < WARM_CALLS; i++) for (const k of shuffled(names)) await contenders[k]?.();
    // Calls per round: about budgetMs / rounds in all.
    const t0 = performance.now();
    for (const k of names) await contenders[k]?.();
    const per = Math.max(3, Math.round(budgetMs / rounds / Math.max(0.01, performance.now() - t0)));
    const ratios: string[] = [];
    const taken = new Map<string, number>();
    const meds: Record<string, number[]> = Object.fromEntries(names.map((k) => [k, []]));
    for (let r = 0; r < rounds; r++) {
      const round: Record<string, number[]> = Object.fromEntries(names.map((k) => [k, []]));
      for (let i = 0; i < per; i++) {
        // A fresh random order each time: a cyclic rotation would keep every contender after the same one,
        // and on lavapipe what ran just before (whose memory is in the caches) moves a call by several %.
        for (const k of shuffled(names)) {
          const s = performance.now();
          await contenders[k]?.();
          round[k]?.push(performance.now() - s);
          if (k === 'streamer') taken.set(streamer.lastRoute ?? '?', (taken.get(streamer.lastRoute ?? '?') ?? 0) + 1);
        }
      }
      for (const k of names) {
        meds[k]?.push(median(round[k] ?? []));
        times[k]?.push(...(round[k] ?? []));
      }
      ratios.push((median(round.streamer ?? []) / median(round['e2e-resident'] ?? [])).toFixed(2));
    }
    for (const a of [...resident, ...twin]) a.destroy();
    streamer.destroy();
    writer.destroy();
    const m = (k: string): number => median(times[k] ?? []);
    const r = (k: string): string => `${(m(k) / m('e2e-resident')).toFixed(2)}×`;
    console.log(
      `${spec.name.padEnd(4)} 2^${String(e).padEnd(2)} e2e-resident ${fmt(m('e2e-resident')).padStart(9)} | streamer ${r('streamer')} (rounds ${ratios.join(' ')})` +
        ` routes ${[...taken].map(([k, v]) => `${k}×${v}`).join(',')}  streamer-write ${r('streamer-write')}  stream ${r('stream')}  e2e-fresh ${r('e2e-fresh')}  e2e-twin ${r('e2e-twin')}  [${per}×${rounds} calls each]`,
    );
  }
}
