/**
 * Tall-skinny matmul against square, side by side in one run (kernel time from GPU timestamps, median of
 * 5 after 2 warm-ups): `npx tsx bench/tall-skinny.ts`. Prints GMAC/s for 4096×1024·1024×n (n = 10, 16, 64)
 * with the transposed computation (the default) and without it (GPUKIT_MATMUL_NO_SWAP=1), and a square
 * 1024³ product for reference.
 */
import { matmul, openDevice, type GpuDevice } from '../src/index.js';

async function kernelMs(device: GpuDevice, m: number, k: number, n: number): Promise<number> {
  using a = device.array(new Float32Array(m * k).fill(1), { shape: [m, k] });
  using b = device.array(new Float32Array(k * n).fill(1), { shape: [k, n] });
  const times: number[] = [];
  for (let rep = 0; rep < 7; rep++) {
    const p = await device.profile(async () => {
      using c = matmul(a, b);
      await device.sync();
      return c.shape;
    });
    if (rep >= 2) times.push(p.phases.kernel.ms);
  }
  times.sort((x, y) => x - y);
  return times[Math.floor(times.length / 2)] ?? NaN;
}

const device = await openDevice({ engine: 'dawn' });
console.log(`adapter: ${device.info.description} (${device.info.isSoftware ? 'software, CPU-emulated' : 'GPU'})`);
const gmac = (m: number, k: number, n: number, ms: number): string => ((m * k * n) / ms / 1e6).toFixed(2);
for (const n of [10, 16, 64]) {
  process.env['GPUKIT_MATMUL_NO_SWAP'] = '1';
  const plain = await kernelMs(device, 4096, 1024, n);
  delete process.env['GPUKIT_MATMUL_NO_SWAP'];
  const swapped = await kernelMs(device, 4096, 1024, n);
  console.log(`4096×1024·1024×${n}: ${gmac(4096, 1024, n, swapped)} GMAC/s (transposed computation) vs ${gmac(4096, 1024, n, plain)} GMAC/s (direct)`);
}
const sq = await kernelMs(device, 1024, 1024, 1024);
console.log(`1024×1024·1024×1024: ${gmac(1024, 1024, 1024, sq)} GMAC/s`);
await device.close();
