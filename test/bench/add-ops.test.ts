/**
 * The add benches: `add` ((rows, 1024) + the same shape) and `add-bcast` ((rows, 1024) + (1024,)) are
 * listed, take inputs of the right lengths, and compute x + y (x + b[c]) at tiny sizes, checked against
 * f32 sums written here. No timings (those are `gpukit bench` and bench/targets.ts).
 */
import { describe, expect, it } from 'vitest';
import type { OpReport } from '../../src/bench/analyze.js';
import { addGrid, benchOp, benchOps } from '../../src/bench/ops.js';
import { broadcastRatioLines } from '../../src/bench/report.js';
import { expectArrayEqual, gpuTest } from '../fixture.js';

describe('the add and add-bcast bench ops', () => {
  gpuTest('are listed, size their inputs as (rows, 1024) and (1024,), and compute the sum', async ({ device }) => {
    const names = benchOps().map((o) => o.name);
    expect(names).toContain('add');
    expect(names).toContain('add-bcast');
    expect(addGrid(5000)).toEqual({ rows: 4, cols: 1024 });
    expect(addGrid(7)).toEqual({ rows: 1, cols: 7 });
    for (const name of ['add', 'add-bcast']) {
      const op = benchOp(name);
      if (op?.once === undefined) return expect.fail(`${name} has no once()`);
      for (const n of [1, 7, 1024, 3000]) {
        const { rows, cols } = addGrid(n);
        const [x, y] = op.hostInputs(n);
        if (x === undefined || y === undefined) return expect.fail('two inputs');
        expect(x.length).toBe(rows * cols);
        expect(y.length).toBe(name === 'add' ? rows * cols : cols);
        const got = await op.once(device, n);
        expectArrayEqual(got, Array.from(x, (v, i) => Math.fround(v + (y[name === 'add' ? i : i % cols] ?? NaN))));
      }
      op.release();
    }
  });
});

describe('the broadcast ratio of gpukit bench', () => {
  // Only the fields broadcastRatioLines reads; medians made up.
  const report = (name: string, kernel: Record<number, number>, e2e: Record<number, number>): OpReport =>
    ({
      name,
      sizes: Object.keys(kernel).map(Number),
      contenders: [
        { role: 'gpu-kernel', points: Object.entries(kernel).map(([n, ms]) => ({ n: Number(n), medianMs: ms })) },
        { role: 'gpu-e2e', points: Object.entries(e2e).map(([n, ms]) => ({ n: Number(n), medianMs: ms })) },
      ],
    }) as unknown as OpReport;

  it('prints add-bcast over add per size both ran, and nothing without both', () => {
    const add = report('add', { 1024: 2, 1048576: 4 }, { 1024: 10, 1048576: 20 });
    const bcast = report('add-bcast', { 1048576: 5, 4096: 1 }, { 1048576: 18, 4096: 3 });
    const lines = broadcastRatioLines([add, bcast]);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/add-bcast \/ add.*1\.20/);
    expect(lines[1]).toMatch(/kernel-only 1\.25×\s+end-to-end 0\.90×/);
    expect(broadcastRatioLines([add])).toEqual([]);
  });
});
