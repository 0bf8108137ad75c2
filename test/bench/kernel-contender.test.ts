/**
 * The gpu-kernel contender of `gpukit bench` times real dispatches for every op. With fusion an elementwise
 * op's result is recorded, not run: the contender used to profile the recording alone (add and add-bcast
 * read 0 ms at every size in a default sweep), their kernels running untimed at the next sync.
 */
import { expect } from 'vitest';
import type { BenchEnv } from '../../src/bench/contender.js';
import { benchOps } from '../../src/bench/ops.js';
import type { CpuPool } from '../../src/cpu/pool.js';
import { isMeasured } from '../../src/bench/contender.js';
import { gpuTest } from '../fixture.js';

gpuTest('every op\'s gpu-kernel contender times at least one dispatch (GPU timestamps > 0)', async ({ device }) => {
  if (device.info.engine !== 'dawn' || !device.info.features.includes('timestamp-query')) return;
  const env: BenchEnv = { device, pool: { size: 1 } as unknown as CpuPool };
  const timed: string[] = [];
  for (const op of benchOps()) {
    const c = op.contenders(env).find((x) => x.role === 'gpu-kernel');
    if (c === undefined) continue;
    const n = op.name === 'matmul' ? 64 * 64 : 4096;
    await c.setup(n);
    try {
      const r = await c.run();
      expect(isMeasured(r), op.name).toBe(true);
      if (isMeasured(r)) expect(r.measuredMs, op.name).toBeGreaterThan(0);
      timed.push(op.name);
    } finally {
      await c.teardown();
      c.release?.();
      op.release();
    }
  }
  expect(timed).toContain('add');
  expect(timed).toContain('add-bcast');
});
