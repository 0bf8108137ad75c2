/**
 * What the assembled manipulation ops cost (concat, pad, tril, roll) beside the gather they compete with
 * (`x.T.contiguous()`), on an n×n f32 array: best of 3 wall-clock runs each, enqueue to sync.
 *
 *   npx tsx bench/assemble.ts            # Dawn (GPUKIT_ENGINE=gpujs for the host engine)
 *
 * Measured on lavapipe (2 shared CPU cores, 2048²), after rows of ≥ 256 contiguous elements went to one
 * buffer copy each instead of the strided-copy kernel: concat along axis 1 649 → ~55 ms, pad 355 → ~30–45 ms,
 * tril 92 → ~55–80 ms; on gpujs, after TypedArray.set per contiguous run: concat along axis 1 554 → 4 ms.
 * On a software adapter these are measurements of that adapter, not of GPU hardware.
 */
import { concat, openDevice, pad, roll, tril } from '../src/index.js';

const device = await openDevice();
for (const n of [256, 1024, 2048]) {
  using x = device.random.uniform([n, n], { seed: 1 });
  await device.sync();
  const cases = [
    ['tril', () => tril(x)],
    ['concat axis 0', () => concat([x, x])],
    ['concat axis 1', () => concat([x, x], { axis: 1 })],
    ['pad 1', () => pad(x, 1)],
    ['roll axis 1', () => roll(x, 7, { axis: 1 })],
    ['x.T.contiguous()', () => x.T.contiguous()],
  ] as const;
  for (const [name, f] of cases) {
    let best = Infinity;
    for (let r = 0; r < 3; r++) {
      const t0 = performance.now();
      const y = f();
      await device.sync();
      best = Math.min(best, performance.now() - t0);
      y.destroy();
    }
    console.log(`${device.info.engine} ${n}² ${name}: ${best.toFixed(1)} ms`);
  }
}
await device.close();
