/**
 * Tall-skinny matmul against square, side by side in one run: `npx tsx bench/tall-skinny.ts [--reps 9]`.
 * Kernel time from GPU timestamps; the contenders are interleaved rep by rep (a loaded machine slows them
 * alike) and each figure is a median. Prints GMAC/s for 4096×1024·1024×n (n = 10, 16, 64) with the default
 * (matmul-skinny for n ≤ 16), without it (GPUKIT_MATMUL_NO_SKINNY=1: the previous default, for n < 16 the
 * transposed computation Cᵀ = Bᵀ·Aᵀ) and direct (GPUKIT_MATMUL_NO_SWAP=1 as well), and how many times the
 * square 1024³ product's rate each is below (the goal: at most 2× for the default at n = 10).
 */
import { matmul, openDevice, type DeviceArray, type GpuDevice } from '../src/index.js';

const reps = Number(process.argv[process.argv.indexOf('--reps') + 1] ?? 9) || 9;

type Mode = 'default' | 'no-skinny' | 'direct';

async function kernelMs(device: GpuDevice, a: DeviceArray, b: DeviceArray, mode: Mode): Promise<number> {
  const env = { GPUKIT_MATMUL_NO_SKINNY: mode === 'default' ? undefined : '1', GPUKIT_MATMUL_NO_SWAP: mode === 'direct' ? '1' : undefined };
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) Reflect.deleteProperty(process.env, k);
    else process.env[k] = v;
  }
  try {
    const p = await device.profile(async () => {
      using c = matmul(a, b);
      await device.sync();
      return c.shape;
    });
    return p.phases.kernel.ms;
  } finally {
    for (const k of Object.keys(env)) Reflect.deleteProperty(process.env, k);
  }
}

const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[xs.length >> 1] ?? NaN;

const device = await openDevice({ engine: 'dawn' });
console.log(`adapter: ${device.info.description} (${device.info.isSoftware ? 'software, CPU-emulated' : 'GPU'})`);
const ones = (r: number, c: number): DeviceArray => device.array(Float32Array.from({ length: r * c }, (_, i) => ((i * 7) % 13) / 13), { shape: [r, c] });
using s = ones(1024, 1024);
using a = ones(4096, 1024);
const rate = (macs: number, ms: number): number => macs / ms / 1e6;
for (const n of [10, 16, 64]) {
  using b = ones(1024, n);
  const modes: Mode[] = n < 16 ? ['default', 'no-skinny', 'direct'] : n === 16 ? ['default', 'no-skinny'] : ['default'];
  const times = new Map<string, number[]>([['square', []], ...modes.map((m): [string, number[]] => [m, []])]);
  for (let r = 0; r < reps + 2; r++) {
    const sq = await kernelMs(device, s, s, 'default');
    if (r >= 2) times.get('square')?.push(sq); // the first two compile and warm up
    for (const m of modes) {
      const t = await kernelMs(device, a, b, m);
      if (r >= 2) times.get(m)?.push(t);
    }
  }
  const square = rate(1024 ** 3, median(times.get('square') ?? []));
  const parts = modes.map((m) => {
    const g = rate(4096 * 1024 * n, median(times.get(m) ?? []));
    return `${m} ${g.toFixed(2)} GMAC/s (${(square / g).toFixed(2)}× below)`;
  });
  console.log(`4096×1024·1024×${n}: ${parts.join(', ')}; square 1024³ ${square.toFixed(2)} GMAC/s${n < 16 ? ' — goal: default ≤ 2× below' : ''}`);
}
await device.close();
