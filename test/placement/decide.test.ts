// Placement decisions follow the model they are given: the side with the smaller predicted time, on either
// side of the lines' crossover; the pool when its line (with the copy into shared memory) is cheaper; measured
// lines before derived ones. Pure arithmetic: no device.
import { describe, expect, test } from 'vitest';
import { matmulSize, PlacementModel, sizeOf, DEFAULT_CEILINGS, PLACED_OPS } from '../../src/placement/model.js';

// CPU: 1 ns/element, no fixed cost. GPU end to end: 0.25 ms fixed, 0.25 ns/element. Crossover where
// 1e-6·n = 0.25 + 2.5e-7·n, n* = 0.25 / 7.5e-7 = 333 333.
const cpu = { alphaMs: 0, betaMs: 1e-6 };
const gpu = { alphaMs: 0.25, betaMs: 2.5e-7 };
const crossover = 0.25 / (1e-6 - 2.5e-7);

describe('a given model', () => {
  const m = PlacementModel.given({ sum: { 'cpu-1t': cpu, 'gpu-e2e': gpu } });

  test.each([crossover / 4, crossover / 1.2, crossover * 1.2, crossover * 4])('sum at n = %d goes to the side with the smaller line', (nf) => {
    const n = Math.round(nf);
    const d = m.decide('sum', sizeOf('sum', n), { pool: false });
    const cpuMs = cpu.alphaMs + cpu.betaMs * n;
    const gpuMs = gpu.alphaMs + gpu.betaMs * n;
    expect(d.side).toBe(n < crossover ? 'cpu' : 'gpu');
    expect(d.cpu.ms).toBeCloseTo(cpuMs, 12);
    expect(d.gpu.ms).toBeCloseTo(gpuMs, 12);
    expect(d.cpu.contender).toBe('cpu-1t');
    expect(d.gpu.source).toEqual({ kind: 'given' });
    expect(d.reason).toBe('model');
  });

  test('forced placement keeps the predictions and fixes the side', () => {
    const small = sizeOf('sum', 1000);
    expect(m.decide('sum', small, { pool: false, force: 'gpu' })).toMatchObject({ side: 'gpu', reason: 'forced' });
    expect(m.decide('sum', sizeOf('sum', 1e8), { pool: false, force: 'cpu' })).toMatchObject({ side: 'cpu', reason: 'forced' });
  });

  test('matmul lines are in multiply-adds: N×N matrices are N³ work units', () => {
    const mm = PlacementModel.given({ matmul: { 'cpu-1t': { alphaMs: 0, betaMs: 2e-6 }, 'gpu-e2e': { alphaMs: 0.3, betaMs: 2e-7 } } });
    // n* (in multiply-adds) = 0.3 / 1.8e-6 = 166 667: N = 55 (166 375) is below, N = 56 (175 616) above.
    expect(mm.decide('matmul', matmulSize(55, 55, 55), { pool: false }).side).toBe('cpu');
    expect(mm.decide('matmul', matmulSize(56, 56, 56), { pool: false }).side).toBe('gpu');
    expect(mm.decide('matmul', sizeOf('matmul', 56 * 56), { pool: false }).w).toBe(56 ** 3);
  });
});

describe('the pool', () => {
  // Pool: 0.05 ms to wake the workers, 0.3 ns/element; one thread 1 ns/element; the GPU never wins.
  const lines = { 'cpu-1t': cpu, 'cpu-pool': { alphaMs: 0.05, betaMs: 3e-7 }, 'gpu-e2e': { alphaMs: 10, betaMs: 1e-5 } };
  const m = PlacementModel.given({ sum: lines }, { copyNsPerByte: 0.1 });

  test('is chosen where its line, copy included, is below one thread', () => {
    // Without the copy: 0.05 + 3e-7·n < 1e-6·n from n > 71 429. With 4 bytes/element at 0.1 ns/byte (4e-7 ms
    // per element) the pool costs 0.05 + 7e-7·n: below one thread only from n > 166 667.
    const at = (n: number, copy: boolean): string => m.decide('sum', sizeOf('sum', n), { pool: true, copyBytes: copy ? 4 * n : 0 }).cpu.contender;
    expect(at(100_000, false)).toBe('cpu-pool');
    expect(at(100_000, true)).toBe('cpu-1t');
    expect(at(200_000, true)).toBe('cpu-pool');
    expect(at(50_000, false)).toBe('cpu-1t');
  });

  test('is never chosen when the front end has it off, or for an op without a pool version', () => {
    expect(m.decide('sum', sizeOf('sum', 1e7), { pool: false }).cpu.contender).toBe('cpu-1t');
    const add = PlacementModel.given({ add: { 'cpu-1t': cpu, 'cpu-pool': { alphaMs: 0, betaMs: 1e-9 }, 'gpu-e2e': gpu } });
    expect(add.decide('add', sizeOf('add', 1e7), { pool: true }).cpu.contender).toBe('cpu-1t');
  });
});

describe('sources', () => {
  test('measured lines win per op; ops without them are derived from the ceilings, labelled as such', () => {
    const m = PlacementModel.fromFile(
      {
        schema: 'gpukit-placement/1',
        gpukit: '0.1.0',
        adapter: 'x',
        adapterName: 'x',
        created: '2026-01-01T00:00:00Z',
        ops: { sum: { created: '2026-01-02T00:00:00Z', command: 'gpukit bench sum', sizes: [1024, 2 ** 24], lines: { 'cpu-1t': cpu, 'gpu-e2e': gpu } } },
        calibration: { ...DEFAULT_CEILINGS.software, created: '2026-01-03T00:00:00Z' },
      },
      'software',
    );
    const s = m.decide('sum', sizeOf('sum', 1000), { pool: false });
    expect(s.cpu.source).toEqual({ kind: 'measured', created: '2026-01-02T00:00:00Z', command: 'gpukit bench sum' });
    expect(s.cpu.ms).toBeCloseTo(1e-3, 12);
    const d = m.decide('dot', sizeOf('dot', 1000), { pool: false });
    expect(d.gpu.source).toEqual({ kind: 'calibrated', created: '2026-01-03T00:00:00Z' });
    expect(PlacementModel.fromFile(null, 'gpu').ceilingSource).toEqual({ kind: 'default', adapterKind: 'gpu' });
  });

  test('a measured op whose sweep had no pool does not get a guessed pool line', () => {
    const m = PlacementModel.given({ sum: { 'cpu-1t': cpu, 'gpu-e2e': gpu } });
    expect(m.predict('sum', 'cpu-pool', sizeOf('sum', 1e6))).toBeUndefined();
    expect(PlacementModel.given({}).predict('sum', 'cpu-pool', sizeOf('sum', 1e6))?.source.kind).toBe('default');
  });

  test('the built-in software defaults keep small calls on the CPU and send large matmuls to the GPU', () => {
    // Derived from the ceilings alone: a launch (0.2 ms) dwarfs a small loop; a 1024² matmul is 2 GFLOP, which the
    // CPU loop does at 2 ns per multiply-add (2.1 s) and the FMA ceiling, derated to 10 %, in 0.2 s.
    const m = PlacementModel.fromFile(null, 'software');
    for (const op of PLACED_OPS) expect(m.decide(op, sizeOf(op, 1024), { pool: false }).side, op).toBe('cpu');
    expect(m.decide('matmul', sizeOf('matmul', 1024 * 1024), { pool: false }).side).toBe('gpu');
    // Predictions grow with the size on both sides.
    for (const op of PLACED_OPS) {
      const [a, b] = [m.decide(op, sizeOf(op, 2 ** 12), { pool: false }), m.decide(op, sizeOf(op, 2 ** 20), { pool: false })];
      expect(b.cpu.ms, op).toBeGreaterThan(a.cpu.ms);
      expect(b.gpu.ms, op).toBeGreaterThan(a.gpu.ms);
    }
  });
});

describe('measured points', () => {
  // A CPU that falls off a cache cliff between 2^18 and 2^22 (15 → 40 ns per key), and a GPU line with no cliff:
  // the CPU line fitted through the points (15 ns/key) would keep 2^20 on the CPU; its medians do not.
  const cpuPts: [number, number][] = [[2 ** 10, 0.02], [2 ** 14, 0.24], [2 ** 18, 4], [2 ** 22, 160]];
  const m = PlacementModel.fromFile(
    {
      schema: 'gpukit-placement/1',
      gpukit: '0.1.0',
      adapter: 'x',
      adapterName: 'x',
      created: '2026-01-01T00:00:00Z',
      ops: {
        sort: {
          created: '2026-01-02T00:00:00Z',
          command: 'gpukit bench sort',
          sizes: [2 ** 10, 2 ** 22],
          lines: { 'cpu-1t': { alphaMs: 0.005, betaMs: 1.5e-5 }, 'gpu-e2e': { alphaMs: 0.6, betaMs: 2e-5 } },
          points: { 'cpu-1t': cpuPts },
        },
      },
    },
    'software',
  );

  test('are interpolated log-log inside the measured sizes', () => {
    // Halfway (in log w) between 2^18 (4 ms) and 2^22 (160 ms): the geometric mean, √640 = 25.3 ms, plus the
    // first touch of the 4 MiB result the placed call returns (0.45 ns/byte: 1.9 ms).
    expect(m.predict('sort', 'cpu-1t', sizeOf('sort', 2 ** 20))?.ms).toBeCloseTo(Math.sqrt(4 * 160) + 4 * 2 ** 20 * 0.45e-6, 9);
    expect(m.predict('sort', 'cpu-1t', sizeOf('sort', 2 ** 14))?.ms).toBeCloseTo(0.24, 12);
    // The GPU has no points: its line, 0.6 + 2e-5·2^20 = 21.6 ms, beats the interpolated CPU.
    expect(m.decide('sort', sizeOf('sort', 2 ** 20), { pool: false }).side).toBe('gpu');
  });

  test('below the smallest size the line, above the largest the largest median scaled by w', () => {
    expect(m.predict('sort', 'cpu-1t', sizeOf('sort', 256))?.ms).toBeCloseTo(0.005 + 1.5e-5 * 256, 12);
    expect(m.predict('sort', 'cpu-1t', sizeOf('sort', 2 ** 24))?.ms).toBeCloseTo(160 * 4 + 4 * 2 ** 24 * 0.45e-6, 9);
  });
});

describe('the fresh result array of the JS loops', () => {
  // The bench's CPU loops write into arrays made once; a placed call returns a fresh one, whose pages the
  // operating system maps and zeroes on first touch (0.45 ns/byte by default). Lines of gpukit bench on the
  // 2-vCPU EPYC VM for axpy (ms at n = 2^24): one thread 34.8, pool 14.5 (in place), cpu-wasm 52.0 (its own
  // fresh result included), gpu-e2e 111.5. Before, the pool was predicted 14.5 + 64 MiB · 0.15 ns = 24.6 ms
  // and picked; the placed pool call measured 60–200 ms.
  const at = (ms: number, n: number) => ({ alphaMs: 0, betaMs: ms / n });
  const N = 2 ** 24;
  const m = PlacementModel.given({ axpy: { 'cpu-1t': at(34.8, N), 'cpu-pool': at(14.5, N), 'cpu-wasm': at(52, N), 'gpu-e2e': at(111.5, N) } });

  test('past 128 KiB of result the JS loops are charged its first touch, and cpu-wasm wins axpy at 2^24', () => {
    const s = sizeOf('axpy', N);
    const copy = s.upload / 2; // the pool copies x into shared memory (y is copied into the result)
    const d = m.decide('axpy', s, { pool: true, wasm: true, copyBytes: copy });
    const fresh = 4 * N * 0.45e-6;
    expect(m.predict('axpy', 'cpu-1t', s)?.ms).toBeCloseTo(34.8 + fresh, 9);
    expect(m.predict('axpy', 'cpu-pool', s, copy)?.ms).toBeCloseTo(14.5 + copy * 0.15e-6 + fresh, 9);
    expect(m.predict('axpy', 'cpu-wasm', s)?.ms).toBeCloseTo(52, 9);
    expect(d.side).toBe('cpu');
    expect(d.cpu.contender).toBe('cpu-wasm');
  });

  test('below 128 KiB of result nothing is charged (the heap reuses touched memory), nor for a scalar result', () => {
    const n = 32 * 1024 - 1; // 128 KiB − 4 bytes of result
    expect(m.predict('axpy', 'cpu-1t', sizeOf('axpy', n))?.ms).toBeCloseTo((34.8 / N) * n, 12);
    const s = PlacementModel.given({ sum: { 'cpu-1t': at(10, N) } });
    expect(s.predict('sum', 'cpu-1t', sizeOf('sum', N))?.ms).toBeCloseTo(10, 12);
  });

  test('freshNsPerByte sets the charge', () => {
    const z = PlacementModel.given({ axpy: { 'cpu-1t': at(34.8, N) } }, { freshNsPerByte: 0 });
    expect(z.predict('axpy', 'cpu-1t', sizeOf('axpy', N))?.ms).toBeCloseTo(34.8, 9);
  });
});
