/**
 * The gpu-stream contender of `gpukit bench`: the memory-bound ops have it beside gpu-e2e, and at tiny sizes
 * (one chunk) and once past 2^21 elements (three chunks in flight) it computes what the op's own plain run
 * computes — bit for bit for maps, within the f32 sum bound for reductions. The report's hidden-transfer
 * figure is (e2e − stream) / (upload + download). No timings here (those are `gpukit bench`).
 */
import { describe, expect, it } from 'vitest';
import type { ContenderReport, OpReport } from '../../src/bench/analyze.js';
import { streamPoints } from '../../src/bench/analyze.js';
import type { BenchEnv } from '../../src/bench/contender.js';
import { benchOp } from '../../src/bench/ops.js';
import { EXPLORATION_CALLS } from '../../src/buffers/stream.js';
import { streamLines } from '../../src/bench/report.js';
import type { PhasePoint } from '../../src/bench/runner.js';
import type { CpuPool } from '../../src/cpu/pool.js';
import { expectArrayEqual, gpuTest } from '../fixture.js';

const STREAMED = ['add', 'axpy', 'sum', 'dot', 'softmax-rows'];

describe('the gpu-stream contender', () => {
  gpuTest('the memory-bound ops have it, and it returns what the plain run returns', async ({ device }) => {
    // The CPU contenders are built but never set up here: the pool only names its size.
    const env: BenchEnv = { device, pool: { size: 1 } as unknown as CpuPool };
    for (const name of STREAMED) {
      const op = benchOp(name);
      if (op?.once === undefined) return expect.fail(`${name} is not in the bench`);
      const c = op.contenders(env).find((x) => x.role === 'gpu-stream');
      if (c === undefined) return expect.fail(`${name} has no gpu-stream contender`);
      expect(c.name).toBe('gpu-stream');
      for (const n of [1, 1000, 3000]) {
        await c.setup(n);
        const got = (await c.run()) as Float32Array | number;
        await c.teardown();
        const plain = await op.once(device, n);
        if (typeof got === 'number') {
          // Σ over one chunk: the same op on the same data as the plain run.
          expect(got).toBe(plain[0]);
        } else {
          expectArrayEqual(got, plain);
        }
      }
      c.release?.();
      op.release();
    }
    expect(benchOp('scan')?.contenders(env).some((x) => x.role === 'gpu-stream')).toBe(false);
  });

  gpuTest('past 2^21 elements it streams in chunks: add bit for bit, sum within the f32 bound of float64', async ({ device }) => {
    const env: BenchEnv = { device, pool: { size: 1 } as unknown as CpuPool };
    const n = (1 << 21) + (1 << 16); // default chunk 2^20: three chunks
    const add = benchOp('add');
    const sum = benchOp('sum');
    if (add === undefined || sum === undefined) return expect.fail('add and sum are in the bench');
    const ca = add.contenders(env).find((x) => x.role === 'gpu-stream');
    const cs = sum.contenders(env).find((x) => x.role === 'gpu-stream');
    if (ca === undefined || cs === undefined) return expect.fail('both stream');
    await ca.setup(n);
    const got = (await ca.run()) as Float32Array;
    await ca.teardown();
    const [x, y] = add.hostInputs(n);
    if (x === undefined || y === undefined) return expect.fail('two inputs');
    const want = new Float32Array(x.length);
    for (let i = 0; i < x.length; i++) want[i] = (x[i] ?? NaN) + (y[i] ?? NaN);
    expectArrayEqual(got, want);
    ca.release?.();
    add.release();
    await cs.setup(n);
    const total = (await cs.run()) as number;
    await cs.teardown();
    const [s] = sum.hostInputs(n);
    if (s === undefined) return expect.fail('one input');
    let ref = 0;
    let abs = 0;
    for (const v of s) {
      ref += v;
      abs += Math.abs(v);
    }
    expect(Math.abs(total - ref)).toBeLessThanOrEqual(2 * 20 * 2 ** -24 * abs);
    cs.release?.();
    sum.release();
  });

  gpuTest('a sweep makes one streamer for all its sizes and rounds, explores each size once, and frees it at the end', async ({ device }) => {
    // Before: a new streamer in every setup, so measured routing explored again (24 untimed calls) at every
    // size of every round: about 40 % of a default sweep's wall clock.
    const env: BenchEnv = { device, pool: { size: 1 } as unknown as CpuPool };
    const op = benchOp('add');
    if (op === undefined) return expect.fail('add is in the bench');
    const made: { destroyed: boolean; calls: number }[] = [];
    const real = device.streamer.bind(device);
    const spied = (...a: Parameters<typeof real>): ReturnType<typeof real> => {
      const s = real(...a);
      const rec = { destroyed: false, calls: 0 };
      made.push(rec);
      const destroy = s.destroy.bind(s);
      const map = s.map.bind(s);
      s.destroy = () => { rec.destroyed = true; destroy(); };
      s.map = ((...m: Parameters<typeof map>) => { rec.calls++; return map(...m); });
      return s;
    };
    device.streamer = spied;
    try {
      const c = op.contenders(env).find((x) => x.role === 'gpu-stream');
      if (c === undefined) return expect.fail('add streams');
      const sizes = [1024, 4096];
      for (let round = 0; round < 3; round++) {
        for (const n of sizes) {
          await c.setup(n);
          const got = (await c.run()) as Float32Array;
          await c.teardown();
          const [x, y] = op.hostInputs(n);
          if (x === undefined || y === undefined) return expect.fail('two inputs');
          const want = new Float32Array(x.length);
          for (let i = 0; i < x.length; i++) want[i] = (x[i] ?? NaN) + (y[i] ?? NaN);
          expectArrayEqual(got, want);
        }
      }
      expect(made.length).toBe(1);
      expect(made[0]?.destroyed).toBe(false);
      // Each size explores once (EXPLORATION_CALLS + 6 untimed calls), later rounds warm with 2; plus the 6 timed runs.
      expect(made[0]?.calls).toBe(2 * (EXPLORATION_CALLS + 6) + 2 * 2 * 2 + 6);
      c.release?.();
      expect(made[0]?.destroyed).toBe(true);
    } finally {
      device.streamer = real;
      op.release();
    }
  });
});

describe('the hidden-transfer figure', () => {
  const contender = (role: string, points: Record<number, number>): ContenderReport =>
    ({ name: role, role, points: Object.entries(points).map(([n, ms]) => ({ n: Number(n), medianMs: ms })) }) as unknown as ContenderReport;
  const phase = (n: number, upload: number, download: number): PhasePoint => ({ n, runs: 3, upload, download, kernel: 1, host: 1, wall: upload + download + 2 });

  it('is (e2e − stream) / (upload + download) at each size both ran, and nothing without a stream', () => {
    const cs = [contender('gpu-e2e', { 1024: 1, 4194304: 50 }), contender('gpu-stream', { 1024: 1.1, 4194304: 30 })];
    const pts = streamPoints(cs, [phase(1024, 0.2, 0.3), phase(4194304, 15, 25)]);
    expect(pts).toHaveLength(2);
    expect(pts[0]?.hidden).toBeCloseTo(-0.1 / 0.5, 12);
    expect(pts[1]?.hidden).toBeCloseTo(20 / 40, 12);
    expect(pts[1]?.transferMs).toBe(40);
    expect(streamPoints([cs[0] as ContenderReport], [phase(1024, 1, 1)])).toEqual([]);
    const lines = streamLines([{ name: 'add', stream: pts } as unknown as OpReport, { name: 'scan' } as unknown as OpReport]);
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatch(/add\s+2\^22\s+e2e 50\.0+ ms\s+stream 30\.0+ ms\s+0\.60×\s+transfers 40\.0+ ms\s+hidden 50 %/);
    expect(streamLines([{ name: 'scan' } as unknown as OpReport])).toEqual([]);
  });
});
