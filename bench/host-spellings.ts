/**
 * The spelling pairs of bench/targets.ts `--only spellings` (issue 26 item 4) on the gpujs (host) engine,
 * where device.profile() has no kernel timestamps: wall clock from the call to its result read back,
 * interleaved rep by rep (which goes first alternating), median with the min–max range.
 *
 *   npx tsx bench/host-spellings.ts [--reps 7]
 */
import { add, matmul, openDevice, transpose, type DeviceArray } from '../src/index.js';

const reps = Number(process.argv[process.argv.indexOf('--reps') + 1] ?? 7) || 7;
await using device = await openDevice({ engine: 'gpujs' });
const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? NaN;
const range = (xs: readonly number[]): string => `${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)}`;

async function time(f: () => DeviceArray): Promise<number> {
  const t0 = performance.now();
  using r = f();
  await r.toArray();
  return performance.now() - t0;
}

async function pair(what: string, f: () => DeviceArray, g: () => DeviceArray): Promise<void> {
  const tf: number[] = [];
  const tg: number[] = [];
  for (let i = 0; i < 2; i++) {
    await time(f);
    await time(g);
  }
  for (let i = 0; i < reps; i++) {
    // Alternating which goes first, as bench/targets.ts does.
    if (i % 2 === 0) {
      tf.push(await time(f));
      tg.push(await time(g));
    } else {
      tg.push(await time(g));
      tf.push(await time(f));
    }
  }
  console.log(`gpujs ${what}: ${median(tf).toFixed(1)} ms (${range(tf)}) / ${median(tg).toFixed(1)} ms (${range(tg)}) = ${(median(tf) / median(tg)).toFixed(2)}×; goal ≤ 1.50×`);
}

{
  using X = device.array(Float32Array.from({ length: 50_000 * 32 }, (_, i) => Math.sin(i * 0.37)), { shape: [50_000, 32] });
  using r = device.array(Float32Array.from({ length: 50_000 }, (_, i) => Math.cos(i * 0.11)));
  using XT = X.T;
  await pair('matmul 50,000×32: X.T @ r / r @ X', () => matmul(XT, r), () => matmul(r, X));
}
{
  using A = device.array(Float32Array.from({ length: 2048 * 2048 }, (_, i) => i % 1009), { shape: [2048, 2048] });
  using AT = A.T;
  await pair('transpose 2048×2048: A.T.contiguous() / transpose(A)', () => AT.contiguous(), () => transpose(A));
}
{
  using B = device.array(Float32Array.from({ length: 4096 * 1024 }, (_, i) => (i % 1000) / 1000), { shape: [4096, 1024] });
  using col = device.array(Float32Array.from({ length: 4096 }, (_, i) => i / 4096), { shape: [4096, 1] });
  using row = device.array(Float32Array.from({ length: 1024 }, (_, i) => i / 1024));
  await pair('broadcast add 4096×1024: + col [4096,1] / + row [1024]', () => add(B, col), () => add(B, row));
}
