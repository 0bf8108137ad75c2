/**
 * gpu-stream against gpu-e2e, side by side in one run, interleaved call by call: for add (a map) and sum (a
 * reduction) over f32 host arrays, at each size the medians of
 *   e2e-resident:   write the host inputs into device arrays kept between calls, the op, toArray (what
 *                   `gpukit bench`'s gpu-e2e contender times)
 *   e2e-twin:       e2e-resident again over arrays of its own: the spread between two identical contenders
 *   e2e-fresh:      device.array(host) per call, the op, toArray, destroy (allocating per call)
 *   stream:         one-shot device.mapStream / reduceStream with the default chunk (allocates per call)
 *   streamer:       streamer.map / reduce on one device.streamer() (what `gpukit bench`'s gpu-stream
 *                   contender times), with measured routing: its warm-up (WARM_CALLS interleaved calls,
 *                   more than the calls it explores) lets it pick its route before the timed
 *                   calls; the routes its timed calls took are printed
 *   streamer-write: the same with { mappedUploadBytes: Infinity }: the fixed rule, one chunk (up to 2^21
 *                   elements) written into the resident arrays (queue.writeBuffer) as e2e-resident does
 * and the ratios to e2e-resident, per round too for the streamer and the twin.
 *
 * Each round makes every contender's device memory anew, in a fresh random order (each makes its arrays or
 * streamer at its first call, and the warm-up calls are shuffled), then interleaves the timed calls in a
 * fresh random order each time. On lavapipe where an array sits among the process's earlier allocations
 * moves every later call on it — by a few % at small sizes, and by 2–3× at 2^20–2^22 when each large write
 * faults in fresh pages (the page faults per call are printed: process.resourceUsage().minorPageFault) —
 * so a harness that always made e2e's arrays first would give e2e that luck in every round.
 *
 *   npx tsx bench/stream-vs-e2e.ts [--sizes 10,12,14,16,18,20,21,22,24] [--ms 1500] [--rounds 4]
 */
import { cpus } from 'node:os';
import { add, openDevice, sum, type DeviceArray, type Streamer } from '../src/index.js';
import { EXPLORATION_CALLS } from '../src/buffers/stream.js';

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? (process.argv[i + 1] ?? dflt) : dflt;
};
const sizes = arg('--sizes', '10,12,14,16,18,20,21,22,24').split(',').map(Number);
const budgetMs = Number(arg('--ms', '1500'));
const rounds = Number(arg('--rounds', '4'));
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
/** Warm-up calls of every contender per round: more than measured routing's exploration. */
const WARM_CALLS = EXPLORATION_CALLS + 6;
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
    const names = ['e2e-resident', 'e2e-twin', 'e2e-fresh', 'stream', 'streamer', 'streamer-write'];
    const times: Record<string, number[]> = Object.fromEntries(names.map((k) => [k, []]));
    const faults: Record<string, number[]> = Object.fromEntries(names.map((k) => [k, []]));
    const roundRatios: Record<string, string[]> = { streamer: [], 'e2e-twin': [] };
    const taken = new Map<string, number>();
    let per = 0;
    for (let r = 0; r < rounds; r++) {
      // This round's device memory, each made at its contender's first call (in the shuffled warm-up).
      const arrays = new Map<string, DeviceArray[]>();
      const streamers = new Map<string, Streamer>();
      const resident = (k: string): DeviceArray[] => {
        let a = arrays.get(k);
        if (a === undefined) arrays.set(k, (a = hosts.map((h) => device.array(h))));
        return a;
      };
      const streamerOf = (k: string): Streamer => {
        let s = streamers.get(k);
        if (s === undefined) streamers.set(k, (s = k === 'streamer' ? device.streamer() : device.streamer({ mappedUploadBytes: Infinity })));
        return s;
      };
      const e2e = (k: string) => async (): Promise<unknown> => {
        const xs = resident(k);
        xs.forEach((a, i) => a.write(hosts[i] ?? []));
        using out = spec.op(...xs);
        return await out.toArray();
      };
      const streamed = (k: string) => (): Promise<unknown> => {
        const s = streamerOf(k);
        return spec.kind === 'map' ? s.map(hosts, (...c) => spec.op(...c)) : s.reduce(hosts, (...c) => spec.op(...c), { combine: 'sum' });
      };
      const contenders: Record<string, () => Promise<unknown>> = {
        'e2e-resident': e2e('e2e-resident'),
        'e2e-twin': e2e('e2e-twin'),
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
        streamer: streamed('streamer'),
        'streamer-write': streamed('streamer-write'),
      };
      for (let i = 0; i < WARM_CALLS; i++) for (const k of shuffled(names)) await contenders[k]?.();
      if (per === 0) {
        // Calls per round: about budgetMs / rounds in all.
        const t0 = performance.now();
        for (const k of names) await contenders[k]?.();
        per = Math.max(3, Math.round(budgetMs / rounds / Math.max(0.01, performance.now() - t0)));
      }
      const round: Record<string, number[]> = Object.fromEntries(names.map((k) => [k, []]));
      for (let i = 0; i < per; i++) {
        for (const k of shuffled(names)) {
          const f0 = process.resourceUsage().minorPageFault;
          const s = performance.now();
          await contenders[k]?.();
          round[k]?.push(performance.now() - s);
          faults[k]?.push(process.resourceUsage().minorPageFault - f0);
          if (k === 'streamer') {
            const route = streamers.get(k)?.lastRoute ?? '?';
            taken.set(route, (taken.get(route) ?? 0) + 1);
          }
        }
      }
      for (const k of names) times[k]?.push(...(round[k] ?? []));
      for (const k of ['streamer', 'e2e-twin']) roundRatios[k]?.push((median(round[k] ?? []) / median(round['e2e-resident'] ?? [])).toFixed(2));
      for (const xs of arrays.values()) for (const a of xs) a.destroy();
      for (const s of streamers.values()) s.destroy();
    }
    const m = (k: string): number => median(times[k] ?? []);
    const r = (k: string): string => `${(m(k) / m('e2e-resident')).toFixed(2)}×`;
    console.log(
      `${spec.name.padEnd(4)} 2^${String(e).padEnd(2)} e2e-resident ${fmt(m('e2e-resident')).padStart(9)} | streamer ${r('streamer')} (rounds ${roundRatios.streamer?.join(' ')})` +
        ` routes ${[...taken].map(([k, v]) => `${k}×${v}`).join(',')}  e2e-twin ${r('e2e-twin')} (rounds ${roundRatios['e2e-twin']?.join(' ')})` +
        `  streamer-write ${r('streamer-write')}  stream ${r('stream')}  e2e-fresh ${r('e2e-fresh')}  [${per}×${rounds} calls each]` +
        `\n          page faults per call (median): ${names.map((k) => `${k} ${median(faults[k] ?? [])}`).join(', ')}`,
    );
  }
}
