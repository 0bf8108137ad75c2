// Placement with the cpu-wasm side: pure arithmetic on given lines and on the derived defaults (no timing
// assertions), plus a placed front end on a device that runs the side the model picks.
import { describe, expect, test } from 'vitest';
import { checkPlacementFile, measuredOps, PLACEMENT_SCHEMA } from '../../src/bench/placement-file.js';
import { PlacementModel, sizeOf } from '../../src/placement/model.js';
import { gpuTest } from '../fixture.js';
import { placeOn } from '../../src/placement/placed.js';
import { syntheticReport } from '../bench/synthetic-report.js';

const L = (alphaMs: number, betaMs: number) => ({ alphaMs, betaMs });
// matmul lines (ms, per multiply-add): JS 2 ns, wasm 0.1 ns + 0.03 ms, GPU 0.3 ms + 0.25 ns.
const m = PlacementModel.given({ matmul: { 'cpu-1t': L(0, 2e-6), 'cpu-pool': L(0.05, 1.2e-6), 'cpu-wasm': L(0.03, 1e-7), 'gpu-e2e': L(0.3, 2.5e-7) } });

describe('decide with cpu-wasm', () => {
  test('picks cpu-wasm where its line is lowest, and only when offered', () => {
    const s = sizeOf('matmul', 2 ** 20);
    const d = m.decide('matmul', s, { pool: true, wasm: true });
    // By hand at w = 2^30: wasm 0.03 + 107.4 ms, GPU 0.3 + 268.4 ms, pool 1288 ms, one thread 2147 ms.
    expect(d.side).toBe('cpu');
    expect(d.cpu.contender).toBe('cpu-wasm');
    expect(d.cpu.ms).toBeCloseTo(0.03 + 1e-7 * 2 ** 30, 9);
    const off = m.decide('matmul', s, { pool: true, wasm: false });
    expect(off.side).toBe('gpu');
    expect(off.cpu.contender).toBe('cpu-pool');
    // Tiny: one thread's zero fixed cost beats wasm's 0.03 ms.
    expect(m.decide('matmul', sizeOf('matmul', 4), { pool: true, wasm: true }).cpu.contender).toBe('cpu-1t');
  });

  test('forced sides: cpu-js leaves wasm out, cpu-wasm takes it, cpu takes the fastest CPU', () => {
    const s = sizeOf('matmul', 2 ** 20);
    expect(m.decide('matmul', s, { pool: true, wasm: true, force: 'cpu-js' }).cpu.contender).toBe('cpu-pool');
    const w = m.decide('matmul', sizeOf('matmul', 4), { pool: true, wasm: true, force: 'cpu-wasm' });
    expect([w.side, w.cpu.contender, w.reason]).toEqual(['cpu', 'cpu-wasm', 'forced']);
    expect(m.decide('matmul', s, { pool: true, wasm: true, force: 'cpu' }).cpu.contender).toBe('cpu-wasm');
    // Not offered (not installed, or the call is one wasm cannot run): forced cpu-wasm falls back to the JS side.
    expect(m.decide('matmul', s, { pool: true, wasm: false, force: 'cpu-wasm' }).cpu.contender).toBe('cpu-pool');
  });

  test('a measured op without a cpu-wasm line does not guess one; an unmeasured op derives it from the defaults', () => {
    const only = PlacementModel.given({ sum: { 'cpu-1t': L(0, 1e-6), 'gpu-e2e': L(0.3, 5e-7) } });
    expect(only.predict('sum', 'cpu-wasm', sizeOf('sum', 2 ** 20))).toBeUndefined();
    const derived = only.predict('matmul', 'cpu-wasm', sizeOf('matmul', 2 ** 20));
    expect(derived?.source.kind).toBe('default');
    // The default: 0.03 ms + 0.12 ns per multiply-add.
    expect(derived?.ms).toBeCloseTo(0.03 + 0.12e-6 * 2 ** 30, 6);
  });
});

describe('placement file', () => {
  test('keeps a cpu-wasm line and accepts it back', () => {
    const r = syntheticReport();
    const withWasm = { ...r, ops: r.ops.map((o) => ({ ...o, contenders: [...o.contenders, { ...o.contenders[0], name: 'cpu-wasm', role: 'cpu-wasm' } as (typeof o.contenders)[number]] })) };
    const ops = measuredOps(withWasm);
    expect(ops['sum']?.lines['cpu-wasm']).toEqual(ops['sum']?.lines['cpu-1t']);
    const file = { schema: PLACEMENT_SCHEMA, gpukit: '0.1.0', adapter: 'a', adapterName: 'x', created: 'now', ops };
    expect(typeof checkPlacementFile(file, { version: '0.1.0', adapter: 'a' })).toBe('object');
  });
});

describe('a placed front end runs the side the model picks', () => {
  gpuTest('matmul and sort on cpu-wasm give the JS side\'s answers; wasm: false never uses it', async ({ device }) => {
    const big = L(0, 1);
    const wasmFirst = PlacementModel.given({
      matmul: { 'cpu-1t': big, 'cpu-wasm': L(0, 0), 'gpu-e2e': big },
      sort: { 'cpu-1t': big, 'cpu-wasm': L(0, 0), 'gpu-e2e': big },
      sum: { 'cpu-1t': big, 'cpu-wasm': L(0, 0), 'gpu-e2e': big },
    });
    const gk = await placeOn(device, { model: wasmFirst, pool: false });
    const js = await placeOn(device, { model: wasmFirst, pool: false, placement: 'cpu-js' });
    const no = await placeOn(device, { model: wasmFirst, pool: false, wasm: false });
    try {
      expect(gk.wasm).toBe(true);
      expect(no.wasm).toBe(false);
      const a = { data: Float32Array.from({ length: 6 }, (_, i) => i - 2), shape: [2, 3] };
      const b = { data: Float32Array.from({ length: 12 }, (_, i) => 0.5 * i - 1), shape: [3, 4] };
      const p = await gk.profile(() => gk.matmul(a, b));
      expect(p.placements[0]?.cpu.contender).toBe('cpu-wasm');
      // Small integers and halves: every product and sum is exact in f32, so both sides agree exactly.
      expect([...p.result.data]).toEqual([...(await js.matmul(a, b)).data]);
      const keys = new Uint32Array([5, 0xffffffff, 0, 0x80000000, 5, 1]);
      const s = await gk.profile(() => gk.sort(keys));
      expect(s.placements[0]?.cpu.contender).toBe('cpu-wasm');
      expect([...s.result]).toEqual([0, 1, 5, 5, 0x80000000, 0xffffffff]);
      // f32 keys: the wasm side sorts only u32, so it is not offered.
      const f = await gk.profile(() => gk.sort(new Float32Array([2, -1, 0])));
      expect(f.placements[0]?.cpu.contender).toBe('cpu-1t');
      expect([...f.result]).toEqual([-1, 0, 2]);
      const q = await no.profile(() => no.sum(new Float32Array([1, 2, 3])));
      expect([q.placements[0]?.cpu.contender, q.result]).toEqual(['cpu-1t', 6]);
    } finally {
      await gk.close();
      await js.close();
      await no.close();
    }
  });
});
