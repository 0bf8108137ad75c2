// The placed front end returns the same results wherever a call runs — one CPU thread, the worker pool, the
// GPU end to end — each checked against a float64 reference written here (exact for integers and for a
// single rounding), at tiny sizes; and a call runs on the side its model picks (a given model, either side
// of its crossover), which the profile records.
import { afterAll, describe, expect } from 'vitest';
import { ArgumentError } from '../../src/errors.js';
import { DeviceArray } from '../../src/buffers/device-array.js';
import type { GpuDevice } from '../../src/gpu-device.js';
import { PlacementModel, PLACED_OPS, type GivenLines } from '../../src/placement/model.js';
import { placeOn, type Placed } from '../../src/placement/placed.js';
import { gamma } from '../../src/testing/tolerance.js';
import { gpuTest } from '../fixture.js';

function data(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 2 ** 32 - 0.5;
  }
  return a;
}

function u32(n: number): Uint32Array {
  const a = new Uint32Array(n);
  let s = 99;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = i % 5 === 0 ? a[i >> 1] ?? 0 : s; // some repeated keys
  }
  return a;
}

/** |got − want| ≤ bound for each element, with the first failure named. */
function expectWithinEach(label: string, got: ArrayLike<number>, want: ArrayLike<number>, bound: (i: number) => number): void {
  expect(got.length, `${label}: length`).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const err = Math.abs((got[i] ?? NaN) - (want[i] ?? NaN));
    if (!(err <= bound(i))) expect.fail(`${label}: element ${i} is ${got[i]}, expected ${want[i]} within ${bound(i)}`);
  }
}

// Every op's lines: the CPU side's pool line is far below one thread, so `cpu` with the pool on runs the pool
// wherever the op has one; the model never matters for the forced sides otherwise.
const everywhere = (pool: number): GivenLines =>
  Object.fromEntries(PLACED_OPS.map((op) => [op, { 'cpu-1t': { alphaMs: 1, betaMs: 1 }, 'cpu-pool': { alphaMs: 0, betaMs: pool }, 'gpu-e2e': { alphaMs: 1, betaMs: 1 } }]));

const SIDES = [
  { name: 'one CPU thread', placement: 'cpu', pool: false, contender: 'cpu-1t' },
  { name: 'the worker pool', placement: 'cpu', pool: true, contender: 'cpu-pool' },
  { name: 'the GPU', placement: 'gpu', pool: false, contender: 'gpu-e2e' },
] as const;

const opened: Placed[] = [];
afterAll(async () => {
  for (const p of opened) await p.close();
});

async function frontEnd(device: GpuDevice, side: (typeof SIDES)[number]): Promise<Placed> {
  const gk = await placeOn(device, { model: PlacementModel.given(everywhere(1e-9)), placement: side.placement, pool: side.pool });
  opened.push(gk);
  return gk;
}

/** Runs a call under the front end's profile and checks where it ran. */
async function on<T>(gk: Placed, side: (typeof SIDES)[number], op: string, call: () => Promise<T>): Promise<T> {
  const p = await gk.profile(call);
  expect(p.placements, op).toHaveLength(1);
  const d = p.placements[0];
  expect(d?.side, op).toBe(side.placement);
  const pooled = side.contender === 'cpu-pool' && !['add', 'add-bcast', 'softmax-rows'].includes(d?.op ?? '');
  if (side.placement === 'cpu') expect(d?.cpu.contender, op).toBe(pooled ? 'cpu-pool' : 'cpu-1t');
  // Only the GPU side moves data to the device (none when the inputs are empty).
  if (side.placement === 'gpu' && (d?.w ?? 0) > 0) expect(p.phases.upload.bytes ?? 0, op).toBeGreaterThan(0);
  if (side.placement === 'cpu') expect(p.phases.upload.bytes ?? 0, op).toBe(0);
  return p.result;
}

const SIZES = [0, 1, 65, 257];

describe.each(SIDES)('on $name', (side) => {
  gpuTest('sum and dot: within γ_n·Σ|x| of the float64 sums', async ({ device }) => {
    const gk = await frontEnd(device, side);
    for (const n of SIZES) {
      const [x, y] = [data(n, n + 1), data(n, n + 2)];
      let s = 0, sa = 0, d = 0, da = 0;
      for (let i = 0; i < n; i++) {
        s += x[i] ?? 0;
        sa += Math.abs(x[i] ?? 0);
        d += (x[i] ?? 0) * (y[i] ?? 0);
        da += Math.abs((x[i] ?? 0) * (y[i] ?? 0));
      }
      expect(Math.abs((await on(gk, side, 'sum', () => gk.sum(x))) - s), `sum n=${n}`).toBeLessThanOrEqual(gamma(n) * sa);
      expect(Math.abs((await on(gk, side, 'dot', () => gk.dot(x, y))) - d), `dot n=${n}`).toBeLessThanOrEqual(gamma(n + 1) * da);
    }
  });

  gpuTest('sum and dot return f32 values: a total past f32 range is ±Inf; a detached input is an ArgumentError', async ({ device }) => {
    const gk = await frontEnd(device, side);
    const big = new Float32Array([3e38, 3e38]);
    expect(await on(gk, side, 'sum', () => gk.sum(big)), 'sum([3e38, 3e38])').toBe(Infinity);
    expect(await on(gk, side, 'sum', () => gk.sum(big.map((v) => -v))), 'sum([-3e38, -3e38])').toBe(-Infinity);
    expect(await on(gk, side, 'dot', () => gk.dot(new Float32Array([2e19, 2e19]), new Float32Array([1e19, 1e19]))), 'dot past f32 max').toBe(Infinity);
    // An f32 total: the float64 sum of 1 + 2^-30 is not an f32; each side returns its f32 rounding, 1.
    const tiny = new Float32Array([1, 2 ** -30]);
    expect(await on(gk, side, 'sum', () => gk.sum(tiny)), 'sum rounds to f32').toBe(1);
    for (const [what, call] of [
      ['sum', (x: Float32Array) => gk.sum(x)],
      ['dot', (x: Float32Array) => gk.dot(x, x)],
      ['cumsum', (x: Float32Array) => gk.cumsum(x)],
      ['axpy', (x: Float32Array) => gk.axpy(2, x, x)],
      ['add', (x: Float32Array) => gk.add({ data: x, shape: [4] }, x)],
    ] as const) {
      const x = new Float32Array([1, 2, 3, 4]);
      structuredClone(x.buffer, { transfer: [x.buffer] }); // x now reads as empty
      await expect(call(x), what).rejects.toThrow(ArgumentError);
      await expect(call(x), what).rejects.toThrow(new RegExp(`placed ${what}: x(\\.data)? is a Float32Array over a detached ArrayBuffer`));
    }
  });

  gpuTest('axpy, add (same shape and broadcast rows): one rounding each', async ({ device }) => {
    const gk = await frontEnd(device, side);
    for (const n of SIZES) {
      const [x, y] = [data(n, 3), data(n, 4)];
      const got = await on(gk, side, 'axpy', () => gk.axpy(2.5, x, y));
      expectWithinEach(`axpy n=${n}`, got, Array.from(x, (v, i) => 2.5 * v + (y[i] ?? 0)), (i) => gamma(2) * (Math.abs(2.5 * (x[i] ?? 0)) + Math.abs(y[i] ?? 0)));
      expect(y, 'axpy leaves y alone').toEqual(data(n, 4));
      const sum = await on(gk, side, 'add', () => gk.add(x, y));
      expect(Array.from(sum), `add n=${n}`).toEqual(Array.from(x, (v, i) => Math.fround(v + (y[i] ?? 0))));
    }
    for (const shape of [[4, 6], [2, 3, 4], [1, 5]]) {
      const size = shape.reduce((a, b) => a * b, 1);
      const row = shape.slice(1);
      const cols = row.reduce((a, b) => a * b, 1);
      const x = { data: data(size, 5), shape };
      const b = { data: data(cols, 6), shape: row };
      const got = await on(gk, side, 'add', () => gk.add(x, b));
      expect(got.shape).toEqual(shape);
      expect(Array.from(got.data), `add [${shape.join(', ')}] + [${row.join(', ')}]`).toEqual(Array.from(x.data, (v, i) => Math.fround(v + (b.data[i % cols] ?? 0))));
    }
  });

  gpuTest('softmax along the last axis: within 2⁻¹⁶ relative of float64 (exp is not correctly rounded on GPUs)', async ({ device }) => {
    const gk = await frontEnd(device, side);
    for (const shape of [[3, 7], [1, 64], [2, 1]]) {
      const [rows = 1, cols = 1] = shape;
      const x = { data: data(rows * cols, 7).map((v) => 8 * v), shape };
      const want: number[] = [];
      for (let r = 0; r < rows; r++) {
        const row = Array.from(x.data.subarray(r * cols, (r + 1) * cols));
        const m = Math.max(...row);
        const e = row.map((v) => Math.exp(v - m));
        const s = e.reduce((a, b) => a + b, 0);
        want.push(...e.map((v) => v / s));
      }
      const got = await on(gk, side, 'softmax', () => gk.softmax(x));
      expect(got.shape).toEqual(shape);
      expectWithinEach(`softmax [${shape.join(', ')}]`, got.data, want, (i) => 2 ** -16 * (want[i] ?? 0) + 1e-9);
    }
  });

  gpuTest('cumsum: element i within γ_(i+1)·Σ_(j≤i)|x_j| of the float64 prefix sum', async ({ device }) => {
    const gk = await frontEnd(device, side);
    for (const n of SIZES) {
      const x = data(n, 8);
      const want: number[] = [];
      const abs: number[] = [];
      let s = 0, a = 0;
      for (const v of x) {
        s += v;
        a += Math.abs(v);
        want.push(s);
        abs.push(a);
      }
      const got = await on(gk, side, 'cumsum', () => gk.cumsum(x));
      expectWithinEach(`cumsum n=${n}`, got, want, (i) => gamma(i + 1) * (abs[i] ?? 0));
    }
  });

  gpuTest('sort: u32 (and i32) keys exactly as a comparison sort orders them', async ({ device }) => {
    const gk = await frontEnd(device, side);
    for (const n of SIZES) {
      const k = u32(n);
      expect(Array.from(await on(gk, side, 'sort', () => gk.sort(k))), `u32 n=${n}`).toEqual(Array.from(k).sort((p, q) => p - q));
    }
    const i32 = new Int32Array([5, -3, 0, 2 ** 31 - 1, -(2 ** 31), 5, 7]);
    expect(Array.from(await on(gk, side, 'sort', () => gk.sort(i32)))).toEqual(Array.from(i32).sort((p, q) => p - q));
  });

  gpuTest('matmul: each element within γ_k·Σ_p|a_ip·b_pj| of float64', async ({ device }) => {
    const gk = await frontEnd(device, side);
    for (const [m, k, n] of [[1, 1, 1], [3, 5, 2], [17, 9, 4]] as const) {
      const a = { data: data(m * k, m), shape: [m, k] };
      const b = { data: data(k * n, n), shape: [k, n] };
      const want: number[] = [];
      const mag: number[] = [];
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let s = 0, g = 0;
          for (let p = 0; p < k; p++) {
            const t = (a.data[i * k + p] ?? 0) * (b.data[p * n + j] ?? 0);
            s += t;
            g += Math.abs(t);
          }
          want.push(s);
          mag.push(g);
        }
      }
      const got = await on(gk, side, 'matmul', () => gk.matmul(a, b));
      expect(got.shape).toEqual([m, n]);
      expectWithinEach(`matmul ${m}×${k}·${k}×${n}`, got.data, want, (i) => gamma(k) * (mag[i] ?? 0));
    }
  });
});

gpuTest('calls follow a given model on either side of its crossover, and the profile says where each ran', async ({ device }) => {
  // CPU 1 µs/element; GPU 0.1 ms fixed: the crossover is at n = 100.
  const model = PlacementModel.given({ sum: { 'cpu-1t': { alphaMs: 0, betaMs: 1e-3 }, 'gpu-e2e': { alphaMs: 0.1, betaMs: 0 } } });
  const gk = await placeOn(device, { model, pool: false });
  opened.push(gk);
  const [small, large] = [data(60, 1), data(160, 2)];
  const p = await gk.profile(async () => [await gk.sum(small), await gk.sum(large)]);
  expect(p.placements.map((d) => [d.op, d.side, d.reason])).toEqual([['sum', 'cpu', 'model'], ['sum', 'gpu', 'model']]);
  expect(p.placements[0]?.cpu.ms).toBeCloseTo(0.06, 12);
  expect(p.placements[1]?.gpu.ms).toBeCloseTo(0.1, 12);
  // Only the large call was uploaded: 160 f32.
  expect(p.phases.upload.bytes).toBe(4 * 160);
  expect(gk.explain('sum', 99).side).toBe('cpu');
  expect(gk.explain('sum', 101).side).toBe('gpu');
});

gpuTest('device arrays stay on the device: the op runs there and array results are device arrays', async ({ device }) => {
  const gk = await placeOn(device, { model: PlacementModel.given(everywhere(1)), placement: 'cpu', pool: false });
  opened.push(gk);
  using x = device.array(new Float32Array([1, 2, 3, 4]));
  const p = await gk.profile(async () => {
    const s = await gk.sum(x);
    using c = await gk.cumsum(x);
    expect(c).toBeInstanceOf(DeviceArray);
    return [s, Array.from(await c.toArray())];
  });
  expect(p.result).toEqual([10, [1, 3, 6, 10]]);
  expect(p.placements.map((d) => [d.side, d.reason])).toEqual([['gpu', 'resident'], ['gpu', 'resident']]);
  await expect(gk.dot(x, new Float32Array(4))).rejects.toThrow(/placed dot: give both inputs on the host or both on the device/);
});

gpuTest('bad inputs are typed errors naming the op', async ({ device }) => {
  const gk = await placeOn(device, { model: PlacementModel.given({}), pool: false });
  opened.push(gk);
  await expect(gk.sum(new Int32Array(3) as unknown as Float32Array)).rejects.toThrow(/placed sum: x must be Float32Array/);
  await expect(gk.add({ data: new Float32Array(6), shape: [2, 3] }, { data: new Float32Array(2), shape: [2] })).rejects.toThrow(/placed add: y's shape \[2\] must equal x's \[2, 3\] or be a suffix/);
  await expect(gk.matmul({ data: new Float32Array(6), shape: [2, 3] }, { data: new Float32Array(6), shape: [2, 3] })).rejects.toThrow(/do not align/);
  await expect(gk.softmax({ data: new Float32Array(5), shape: [2, 3] })).rejects.toThrow(/holds 6 elements but its data has 5/);
  expect(() => gk.explain('nope' as 'sum', 4)).toThrow(/unknown op/);
  // What plain JS can pass: ArgumentErrors naming the op and the argument, not TypeErrors from inside.
  await expect(gk.sum(null as unknown as Float32Array)).rejects.toThrow(/placed sum: x must be Float32Array \(or \{ data, shape \} of one\), got null/);
  await expect(gk.dot(new Float32Array(2), [1, 2] as unknown as Float32Array)).rejects.toThrow(/placed dot: y must be Float32Array .*got an array of length 2/);
  await expect(gk.softmax({ data: new Float32Array(4), shape: 4 as unknown as number[] })).rejects.toThrow(/placed softmax: x.shape must be an array of non-negative integers, got number 4/);
  await expect(gk.sort({ data: null, shape: [1] } as unknown as Uint32Array)).rejects.toThrow(ArgumentError);
  await expect(placeOn(null as unknown as GpuDevice)).rejects.toThrow(/placeOn: device must be a GpuDevice \(from openDevice\(\)\), got null/);
  await expect(placeOn(device, null as unknown as object)).rejects.toThrow(/placeOn: options must be an object .*got null/);
});
