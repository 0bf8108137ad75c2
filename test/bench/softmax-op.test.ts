/**
 * The softmax-rows bench op is listed, sizes its input as (rows, 1024), and computes a row softmax at tiny
 * sizes, checked against a float64 softmax written here. No timings (those are `gpukit bench`).
 */
import { expect } from 'vitest';
import { addGrid, benchOp, benchOps } from '../../src/bench/ops.js';
import { tunedParams } from '../../src/backends/dawn/tuning.js';
import { rowsTunable } from '../../src/ops/axis.js';
import { gpuTest } from '../fixture.js';
import { softmaxBounds, type RowEngine } from '../tolerance.js';

gpuTest('softmax-rows is listed and computes a row softmax', async ({ device }) => {
  expect(benchOps().map((o) => o.name)).toContain('softmax-rows');
  const op = benchOp('softmax-rows');
  if (op?.once === undefined) return expect.fail('softmax-rows has no once()');
  for (const n of [1, 7, 2048 + 5]) {
    const { rows, cols } = addGrid(n);
    const [x] = op.hostInputs(n);
    if (x === undefined) return expect.fail('one input');
    expect(x.length).toBe(rows * cols);
    const got = await op.once(device, n);
    // Relative, per element: the row kernel's bound (test/tolerance.ts softmaxBounds) for the geometry it runs.
    const eng: RowEngine = device.info.engine === 'gpujs' ? 'gpujs' : { lanes: tunedParams(device.ctx, rowsTunable, cols)['LANES'] ?? 1 };
    for (let r = 0; r < rows; r++) {
      const row = Array.from(x.subarray(r * cols, (r + 1) * cols));
      const m = Math.max(...row);
      const s = row.reduce((acc, v) => acc + Math.exp(v - m), 0);
      const bound = softmaxBounds(row, m, eng);
      row.forEach((v, c) => {
        const want = Math.exp(v - m) / s;
        const g = got[r * cols + c] ?? NaN;
        if (!(Math.abs(g - want) <= (bound[c] ?? NaN))) expect.fail(`n ${n} row ${r} col ${c}: got ${g}, expected ${want} (bound ${bound[c]})`);
      });
    }
  }
  op.release();
});
