/**
 * Placement's model (src/placement/model.ts) without a device: every derived prediction worked out by hand
 * from the ceilings and the op's traits, the log-log interpolation between measured medians at and between
 * its points, which contender a decision takes (ties, the pool, forcing), and the call sizes of each op.
 */
import { describe, expect, test } from 'vitest';
import { PLACEMENT_SCHEMA, type PlacementFile } from '../../src/bench/placement-file.js';
import { addSize, DEFAULT_CEILINGS, elementSize, hasPool, matmulSize, PLACED_OPS, PlacementModel, sizeOf, type CallSize } from '../../src/placement/model.js';

/** |a − b| within a few float64 roundings of b. */
function near(a: number | undefined, b: number): void {
  expect(a).toBeDefined();
  expect(Math.abs((a ?? NaN) - b), `${a} vs ${b}`).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(b)));
}

const SW = DEFAULT_CEILINGS.software; // dispatch 0.2 ms, upload 8 GB/s, download 1.4 GB/s, bandwidth 6 GB/s, 100 GFLOP/s

describe('derived predictions (no measured lines)', () => {
  const m = PlacementModel.given({});

  test('the CPU: 2 µs + cpuNs·w on one thread; 50 µs + 1.3·cpuNs/cores·w on the pool, plus its copy', () => {
    const s = sizeOf('sum', 1e6);
    // sum: 0.7 ns per element
    near(m.predict('sum', 'cpu-1t', s)?.ms, 0.002 + 0.7);
    near(m.predict('sum', 'cpu-pool', s)?.ms, 0.05 + (1.3 * 0.7) / 2);
    // copying 4 MB into shared memory at 0.15 ns per byte: + 0.6 ms
    near(m.predict('sum', 'cpu-pool', s, 4e6)?.ms, 0.05 + (1.3 * 0.7) / 2 + 0.6);
    // the copy is the pool's alone
    near(m.predict('sum', 'cpu-1t', s, 4e6)?.ms, 0.702);
    near(PlacementModel.given({}, { cores: 4 }).predict('sum', 'cpu-pool', s)?.ms, 0.05 + (1.3 * 0.7) / 4);
    near(PlacementModel.given({}, { cores: 0 }).predict('sum', 'cpu-pool', s)?.ms, 0.05 + 1.3 * 0.7);
    near(PlacementModel.given({}, { copyNsPerByte: 1 }).predict('sum', 'cpu-pool', s, 1e6)?.ms, 0.05 + (1.3 * 0.7) / 2 + 1);
    // add and softmax-rows have no pool version
    expect(m.predict('add', 'cpu-pool', sizeOf('add', 1e6))).toBeUndefined();
    expect(m.predict('softmax-rows', 'cpu-pool', sizeOf('softmax-rows', 1e6))).toBeUndefined();
    expect(m.predict('sum', 'cpu-1t', s)?.source).toEqual({ kind: 'default', adapterKind: 'software' });
  });

  test('the GPU: dispatches + transfers at half rate + the slower of memory at 70 % and arithmetic at 10 %', () => {
    // sum of 1e6: 2 passes → 0.2·1.25; 4e6 B up at 4 GB/s = 1 ms, 4 B down at 0.7 GB/s; 4e6 B at 4.2 GB/s
    near(m.predict('sum', 'gpu-e2e', sizeOf('sum', 1e6))?.ms, 0.25 + 1 + 4 / 0.7e6 + 4e6 / 4.2e6);
    // matmul 100×100: one pass 0.2; up 8e4 B, down 4e4 B; 1.2e5 B of memory vs 2e6 flops at 10 GFLOP/s = 0.2 ms
    near(m.predict('matmul', 'gpu-e2e', matmulSize(100, 100, 100))?.ms, 0.2 + 8e4 / 4e6 + 4e4 / 0.7e6 + 0.2);
    // sort: 12 passes → 0.2·(1 + 0.25·11); its memory traffic counts 8 times (radix passes)
    near(m.predict('sort', 'gpu-e2e', sizeOf('sort', 1e5))?.ms, 0.2 * 3.75 + 4e5 / 4e6 + 4e5 / 0.7e6 + (8 * 8e5) / 4.2e6);
    // softmax-rows is arithmetic-bound but its 6e6 flops at 10 GFLOP/s (0.6 ms) lose to 8e6 B at 4.2 GB/s
    near(m.predict('softmax-rows', 'gpu-e2e', sizeOf('softmax-rows', 1e6))?.ms, 0.2 + 4e6 / 4e6 + 4e6 / 0.7e6 + Math.max(8e6 / 4.2e6, 6e6 / 1e7));
    // scan: 3 passes
    near(m.predict('scan', 'gpu-e2e', sizeOf('scan', 1e6))?.ms, 0.2 * 1.5 + 4e6 / 4e6 + 4e6 / 0.7e6 + 8e6 / 4.2e6);
    // the GPU-kind defaults: dispatch 0.06, up 6, down 3, 200 GB/s
    const g = PlacementModel.fromFile(null, 'gpu');
    near(g.predict('axpy', 'gpu-e2e', sizeOf('axpy', 1e6))?.ms, 0.06 + 8e6 / 3e6 + 4e6 / 1.5e6 + 12e6 / 140e6);
    expect(g.ceilingSource).toEqual({ kind: 'default', adapterKind: 'gpu' });
    expect(SW.dispatchMs).toBe(0.2);
  });
});

describe('measured lines and points', () => {
  const line = { alphaMs: 0.5, betaMs: 0 };
  const pts: [number, number][] = [[1e3, 1], [1e4, 5], [1e5, 100]];
  const m = PlacementModel.given({ sort: { 'cpu-1t': line, 'gpu-e2e': { alphaMs: 1, betaMs: 1e-6 } } });
  const file = (points?: [number, number][]): PlacementFile => ({
    schema: PLACEMENT_SCHEMA,
    gpukit: '0',
    adapter: 'a',
    adapterName: 'A',
    created: 'c',
    ops: { sort: { created: 'then', command: 'gpukit bench', sizes: [1e3, 1e5], lines: { 'cpu-1t': line }, ...(points !== undefined ? { points: { 'cpu-1t': points } } : {}) } },
  });

  test('a given line is alpha + beta·w; a contender it lacks is derived, except the pool', () => {
    const s: CallSize = { w: 2e6, upload: 0, download: 0, kernelBytes: 0, flops: 0 };
    near(m.predict('sort', 'gpu-e2e', s)?.ms, 1 + 2);
    expect(m.predict('sort', 'gpu-e2e', s)?.source).toEqual({ kind: 'given' });
    expect(m.predict('sort', 'cpu-pool', s)).toBeUndefined();
    expect(m.isMeasured('sort')).toBe(true);
    expect(m.isMeasured('sum')).toBe(false);
    near(m.predict('sum', 'cpu-pool', sizeOf('sum', 1e6))?.ms, 0.505);
    // a measured op lacking the GPU line: derived (0.2·(1 + 0.25·11) + transfers + 8 × memory for sort)
    const cpuOnly = PlacementModel.given({ sort: { 'cpu-1t': line } });
    near(cpuOnly.predict('sort', 'gpu-e2e', sizeOf('sort', 1e5))?.ms, 0.2 * 3.75 + 4e5 / 4e6 + 4e5 / 0.7e6 + (8 * 8e5) / 4.2e6);
    expect(cpuOnly.predict('sort', 'gpu-e2e', sizeOf('sort', 1e5))?.source).toEqual({ kind: 'default', adapterKind: 'software' });
    // an op given as undefined is not measured
    expect(PlacementModel.given({ sum: undefined }).isMeasured('sum')).toBe(false);
  });

  test('between the medians: log-log interpolation; below them the line; above, the last median scaled by w or the line', () => {
    const f = PlacementModel.fromFile(file(pts), 'software');
    const at = (w: number): number | undefined => f.predict('sort', 'cpu-1t', { w, upload: 0, download: 0, kernelBytes: 0, flops: 0 })?.ms;
    near(at(1e3), 0.5); // at the first point: the line
    near(at(500), 0.5);
    near(at(1e4), 5); // at a point: its median
    // halfway in log between 1e3 (1 ms) and 1e4 (5 ms): √5
    near(at(10 ** 3.5), Math.sqrt(5));
    // between 1e4 (5) and 1e5 (100) at 3e4: 5·20^log10(3)
    near(at(3e4), 5 * 20 ** Math.log10(3));
    near(at(1e5), 100);
    near(at(2e5), 200); // 100 ms at 1e5 scaled by w
    const steep = PlacementModel.fromFile({ ...file(pts), ops: { sort: { ...file(pts).ops['sort'], lines: { 'cpu-1t': { alphaMs: 0, betaMs: 1e-2 } } } as never } }, 'software');
    near(steep.predict('sort', 'cpu-1t', { w: 2e5, upload: 0, download: 0, kernelBytes: 0, flops: 0 })?.ms, 2000); // the line is slower
    near(steep.predict('sort', 'cpu-1t', { w: 1e5, upload: 0, download: 0, kernelBytes: 0, flops: 0 })?.ms, 1000); // at the last point too
    // two points are a curve already: halfway in log between 1 ms and 100 ms is 10 ms
    const two = PlacementModel.fromFile(file([[1e3, 1], [1e5, 100]]), 'software');
    near(two.predict('sort', 'cpu-1t', { w: 1e4, upload: 0, download: 0, kernelBytes: 0, flops: 0 })?.ms, 10);
    expect(f.predict('sort', 'cpu-1t', { w: 1e4, upload: 0, download: 0, kernelBytes: 0, flops: 0 })?.source).toEqual({ kind: 'measured', created: 'then', command: 'gpukit bench' });
    // one point (or none) is no curve: the line
    const one = PlacementModel.fromFile(file([[1e3, 7]]), 'software');
    near(one.predict('sort', 'cpu-1t', { w: 1e4, upload: 0, download: 0, kernelBytes: 0, flops: 0 })?.ms, 0.5);
    const none = PlacementModel.fromFile(file(), 'software');
    near(none.predict('sort', 'cpu-1t', { w: 1e4, upload: 0, download: 0, kernelBytes: 0, flops: 0 })?.ms, 0.5);
  });

  test('only matmul and softmax-rows count arithmetic: with a 1 MFLOP/s ceiling it dominates theirs alone', () => {
    const slow = { dispatchMs: 0, uploadGBps: 1e9, downloadGBps: 1e9, bandwidthGBps: 1, gflops: 1e-3, created: 'cal' };
    const f = PlacementModel.fromFile({ ...file(), ops: {}, calibration: slow }, 'software');
    // memory at 0.7 GB/s: kernelBytes / 0.7e6 ms; arithmetic at 0.1 MFLOP/s: flops / 100 ms; transfers ~0
    for (const op of ['sum', 'dot', 'axpy', 'add', 'add-bcast', 'scan', 'sort'] as const) {
      const s = sizeOf(op, 4096);
      expect(Math.abs((f.predict(op, 'gpu-e2e', s)?.ms ?? NaN) - (s.kernelBytes * (op === 'sort' ? 8 : 1)) / 0.7e6), op).toBeLessThan(1e-6);
    }
    for (const op of ['softmax-rows', 'matmul'] as const) {
      const s = sizeOf(op, 4096);
      expect(Math.abs((f.predict(op, 'gpu-e2e', s)?.ms ?? NaN) - s.flops / 100), op).toBeLessThan(1e-6);
    }
  });

  test('a calibrated file supplies the ceilings of derived lines', () => {
    const cal = { dispatchMs: 1, uploadGBps: 1, downloadGBps: 1, bandwidthGBps: 1, gflops: 1, created: 'cal' };
    const f = PlacementModel.fromFile({ ...file(), calibration: cal }, 'gpu');
    expect(f.ceilingSource).toEqual({ kind: 'calibrated', created: 'cal' });
    // add of 1e3: 1 + 8e3/0.5e6 + 4e3/0.5e6 + 12e3/0.7e6
    near(f.predict('add', 'gpu-e2e', sizeOf('add', 1e3))?.ms, 1 + 8e3 / 0.5e6 + 4e3 / 0.5e6 + 12e3 / 0.7e6);
    expect(f.predict('add', 'gpu-e2e', sizeOf('add', 1e3))?.source).toEqual({ kind: 'calibrated', created: 'cal' });
  });
});

describe('decide', () => {
  const s: CallSize = { w: 1, upload: 0, download: 0, kernelBytes: 0, flops: 0 };
  const model = (cpu1: number, pool: number, gpu: number): PlacementModel =>
    PlacementModel.given({ sum: { 'cpu-1t': { alphaMs: cpu1, betaMs: 0 }, 'cpu-pool': { alphaMs: pool, betaMs: 0 }, 'gpu-e2e': { alphaMs: gpu, betaMs: 0 } } });

  test('the smaller prediction wins; a tie stays on the CPU', () => {
    expect(model(2, 9, 1).decide('sum', s, { pool: false })).toMatchObject({ op: 'sum', w: 1, side: 'gpu', reason: 'model', cpu: { contender: 'cpu-1t', ms: 2 }, gpu: { ms: 1 } });
    expect(model(1, 9, 2).decide('sum', s, { pool: false }).side).toBe('cpu');
    expect(model(1, 9, 1).decide('sum', s, { pool: false }).side).toBe('cpu');
  });

  test('the pool runs when allowed and faster (its copy counted); a tie keeps one thread', () => {
    expect(model(3, 2, 2.5).decide('sum', s, { pool: true })).toMatchObject({ side: 'cpu', cpu: { contender: 'cpu-pool', ms: 2 } });
    expect(model(3, 2, 2.5).decide('sum', s, { pool: false })).toMatchObject({ side: 'gpu', cpu: { contender: 'cpu-1t', ms: 3 } });
    expect(model(3, 3, 9).decide('sum', s, { pool: true }).cpu.contender).toBe('cpu-1t');
    // 2 ms + 1e7 B at 0.15 ns/B = 3.5 ms: slower than one thread
    expect(model(3, 2, 9).decide('sum', s, { pool: true, copyBytes: 1e7 }).cpu).toMatchObject({ contender: 'cpu-1t', ms: 3 });
  });

  test('force fixes the side and keeps both predictions', () => {
    expect(model(1, 9, 5).decide('sum', s, { pool: false, force: 'gpu' })).toMatchObject({ side: 'gpu', reason: 'forced', cpu: { ms: 1 }, gpu: { ms: 5 } });
    expect(model(5, 9, 1).decide('sum', s, { pool: false, force: 'cpu' })).toMatchObject({ side: 'cpu', reason: 'forced' });
  });
});

describe('call sizes', () => {
  test('each op at the bench size n, by hand', () => {
    expect(sizeOf('sum', 10)).toEqual({ w: 10, upload: 40, download: 4, kernelBytes: 40, flops: 10 });
    expect(sizeOf('dot', 10)).toEqual({ w: 10, upload: 80, download: 4, kernelBytes: 80, flops: 20 });
    expect(sizeOf('axpy', 10)).toEqual({ w: 10, upload: 80, download: 40, kernelBytes: 120, flops: 20 });
    expect(sizeOf('add', 10)).toEqual({ w: 10, upload: 80, download: 40, kernelBytes: 120, flops: 10 });
    expect(sizeOf('add', 4096)).toEqual({ w: 4096, upload: 8 * 4096, download: 4 * 4096, kernelBytes: 12 * 4096, flops: 4096 });
    expect(sizeOf('softmax-rows', 10)).toEqual({ w: 10, upload: 40, download: 40, kernelBytes: 80, flops: 60 });
    expect(sizeOf('scan', 10)).toEqual({ w: 10, upload: 40, download: 40, kernelBytes: 80, flops: 10 });
    expect(sizeOf('sort', 10)).toEqual({ w: 10, upload: 40, download: 40, kernelBytes: 80, flops: 0 });
    // add-bcast: a row of min(1024, n) broadcast over n elements
    expect(sizeOf('add-bcast', 10)).toEqual(addSize(10, 10));
    expect(sizeOf('add-bcast', 4096)).toEqual({ w: 4096, upload: 4 * 4096 + 4096, download: 4 * 4096, kernelBytes: 8 * 4096 + 4096, flops: 4096 });
    expect(elementSize('add-bcast', 4096)).toEqual(addSize(4096, 1024));
    // matmul: two N×N matrices with N² = n (N rounded, at least 1)
    expect(sizeOf('matmul', 100)).toEqual(matmulSize(10, 10, 10));
    expect(sizeOf('matmul', 120)).toEqual(matmulSize(11, 11, 11));
    expect(sizeOf('matmul', 0)).toEqual(matmulSize(1, 1, 1));
    expect(matmulSize(2, 3, 4)).toEqual({ w: 24, upload: 4 * (6 + 12), download: 32, kernelBytes: 4 * (6 + 12 + 8), flops: 48 });
  });

  test('which ops have a pool version', () => {
    expect(PLACED_OPS.filter(hasPool)).toEqual(['sum', 'dot', 'axpy', 'scan', 'sort', 'matmul']);
  });
});
