/**
 * Reductions along axes absorb the recorded chain under their operand: `sum(mul(x, y), { axis: -1 })`,
 * `softmax(mul(x, s))`, `logsumexp`, `norm`, `max(abs(x), { axis })`… run on Dawn as ONE dispatch of the
 * row kernel (kernels/reduce-rows.wgsl composed with FUSED), where computing the chain first took two. The
 * answers are a float64 loop's over the chain's f32 elements (computed here with Math.fround: one IEEE
 * rounding per op, as the kernels do), within the row kernel's documented bound, and fusion off's within
 * the same bound (min, max, argmin, argmax: exactly). Axis 0, the last, a middle one, negative axes,
 * keepdims, size-1 and empty axes, NaN/±Inf/±0 and broadcast operands inside the chain. Where fusing would
 * recompute a broadcast lazy operand per element, exceed the bindings or find no single stride along the
 * reduced axes, it splits (and still answers right).
 */
import { describe, expect } from 'vitest';
import { abs, add, argmax, argmin, exp, logsumexp, max, mean, min, mul, norm, prod, softmax, std, sub, sum, variance, type DeviceArray, type GpuDevice } from '../../src/index.js';
import { expectArrayEqual, gpuTest } from '../fixture.js';
import { randomF32 } from '../ops/helpers.js';

const U = 2 ** -24;

/**
 * The row kernel's f32 sum bound (kernels/reduce-rows.wgsl's header): each term meets at most
 * 16 + 2 + ⌈R/64⌉ + log2(LANES) roundings (LANES ≤ 256), so |error| ≤ (26 + ⌈R/64⌉)·2^-24·Σ|terms|.
 */
function sumDepth(R: number): number {
  return 26 + Math.ceil(R / 64);
}

/** Runs `make` with fusion on (profiled) and off; the values read back and the fused run's dispatch labels. */
async function onAndOff(device: GpuDevice, make: () => { out: DeviceArray; made: DeviceArray[] }): Promise<{ fused: number[]; unfused: number[]; labels: string[]; lazy: boolean }> {
  let lazy = false;
  const run = async (check: boolean): Promise<number[]> => {
    const { out, made } = make();
    try {
      const v = Array.from((await out.toArray()) as ArrayLike<number>);
      // The chain under the reduction stays lazy (as under a whole-array reduction).
      if (check) lazy = made.some((m) => m.pending !== undefined);
      return v;
    } finally {
      out.destroy();
      for (const m of made) m.destroy();
    }
  };
  const was = device.backend.fusion;
  device.backend.setFusion(true);
  try {
    await device.sync();
    let fused: number[] = [];
    const p = await device.profile(async () => {
      fused = await run(true);
    });
    device.backend.setFusion(false);
    const unfused = await run(false);
    return { fused, unfused, labels: p.kernels.flatMap((k) => Array<string>(k.dispatches).fill(k.label)), lazy };
  } finally {
    device.backend.setFusion(was);
  }
}

/** The chain's shape broadcast (NumPy's rule) and each element's f32 value from `f` over the operands' broadcast elements. */
function chainValues(shape: readonly number[], operands: readonly { data: Float32Array; shape: readonly number[] }[], f: (...v: number[]) => number): Float64Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float64Array(n);
  const nd = shape.length;
  for (let i = 0; i < n; i++) {
    const coord: number[] = [];
    let q = i;
    for (let d = nd - 1; d >= 0; d--) {
      const e = shape[d] ?? 1;
      coord[d] = q % e;
      q = Math.floor(q / e);
    }
    const vals = operands.map((o) => {
      let idx = 0;
      const lead = nd - o.shape.length;
      for (let d = 0; d < o.shape.length; d++) {
        const e = o.shape[d] ?? 1;
        idx = idx * e + (e === 1 ? 0 : (coord[d + lead] ?? 0));
      }
      return o.data[idx] ?? NaN;
    });
    out[i] = Math.fround(f(...vals));
  }
  return out;
}

/** The rows of `v` (of `shape`) along the sorted reduced `axes`, kept axes in order: what a reduction folds. */
function rowsOf(v: Float64Array, shape: readonly number[], axes: readonly number[]): number[][] {
  const nd = shape.length;
  const red = [...new Set(axes.map((a) => (a + nd) % nd))].sort((a, b) => a - b);
  const kept = shape.map((_, d) => d).filter((d) => !red.includes(d));
  const strides = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
  const count = (dims: number[]): number => dims.reduce((a, d) => a * (shape[d] ?? 1), 1);
  const index = (dims: number[], i: number): number => {
    let off = 0;
    for (let j = dims.length - 1; j >= 0; j--) {
      const d = dims[j] ?? 0;
      const e = shape[d] ?? 1;
      off += (i % e) * (strides[d] ?? 0);
      i = Math.floor(i / e);
    }
    return off;
  };
  return Array.from({ length: count(kept) }, (_, r) => Array.from({ length: count(red) }, (_, j) => v[index(kept, r) + index(red, j)] ?? NaN));
}

type Op = 'sum' | 'mean' | 'min' | 'max' | 'prod' | 'var' | 'std' | 'norm' | 'argmin' | 'argmax' | 'logsumexp';

/** float64 reference of one row and its bound (absolute); exact ops: 0. */
function reference(op: Op, row: number[], ddof = 0): { want: number; bound: number } {
  const R = row.length;
  const depth = sumDepth(R);
  const abssum = row.reduce((a, b) => a + Math.abs(b), 0);
  const s = row.reduce((a, b) => a + b, 0);
  const anyNaN = row.some((v) => Number.isNaN(v));
  switch (op) {
    case 'sum':
      return { want: s, bound: depth * U * abssum };
    case 'mean':
      return { want: s / R, bound: (depth * U * abssum) / R + 3 * U * Math.abs(s / R) };
    case 'norm': {
      const ss = row.reduce((a, b) => a + b * b, 0);
      return { want: Math.sqrt(ss), bound: ((depth + 1) * U / 2 + 3 * U) * Math.sqrt(ss) };
    }
    case 'prod':
      // Factors here are exact small powers of two or ±1: the product is exact.
      return { want: row.reduce((a, b) => a * b, 1), bound: 0 };
    case 'min':
    case 'max':
      return { want: anyNaN ? NaN : op === 'min' ? Math.min(...row) : Math.max(...row), bound: 0 };
    case 'argmin':
    case 'argmax': {
      let best = 0;
      for (let j = 0; j < R; j++) {
        const v = row[j] ?? NaN;
        const b = row[best] ?? NaN;
        if (Number.isNaN(b)) break;
        if (Number.isNaN(v) || (op === 'argmin' ? v < b : v > b)) best = j;
      }
      return { want: best, bound: 0 };
    }
    case 'var':
    case 'std': {
      const m = s / R;
      const ssd = row.reduce((a, b) => a + (b - m) * (b - m), 0);
      const v = ssd / (R - ddof);
      // Two passes: the mean's error moves each deviation by (depth + 5)U·mean|x|; squares and the sum add
      // (depth + 2)U of Σ(|d| + e)²; the division and the sqrt a few ulp.
      const e = (depth + 5) * U * (abssum / R);
      const sq = row.reduce((a, b) => a + (Math.abs(b - m) + e) ** 2, 0) - ssd;
      const bv = (sq + (depth + 2) * U * (ssd + sq)) / (R - ddof) + 5 * U * v;
      return op === 'var' ? { want: v, bound: bv } : { want: Math.sqrt(v), bound: bv / (2 * Math.sqrt(v) || 1) + 3 * U * Math.sqrt(v) + Math.sqrt(bv) * (v === 0 ? 1 : 0) };
    }
    case 'logsumexp': {
      if (anyNaN) return { want: NaN, bound: 0 };
      // Shifted by the finite maximum, else 0 (logsumexp's documented rule: +Inf for a row holding +Inf).
      const top = Math.max(...row);
      const mx = Number.isFinite(top) ? top : 0;
      const v = Math.log(row.reduce((a, b) => a + Math.exp(b - mx), 0)) + mx;
      if (!Number.isFinite(v)) return { want: v, bound: 0 };
      // exp within 3 + 2|x − m| ulp, the sum's depth on positive terms, log (2^-21 absolute near 1, else
      // 3 ulp), then the shift added back (test/ops/axis-subsets.test.ts's bound).
      const dev = row.reduce((a, b) => Math.max(a, Math.abs(b - mx)), 0);
      return { want: v, bound: (3 + 2 * dev + depth) * U + 2 ** -21 + 8 * U * (Math.abs(v) + Math.log(Math.max(R, 1))) };
    }
  }
}

/** Both values NaN, or equal infinities, or finite within `bound`. */
function close(got: number, want: number, bound: number): boolean {
  if (Number.isNaN(want) || Number.isNaN(got)) return Number.isNaN(want) && Number.isNaN(got);
  if (!Number.isFinite(want) || !Number.isFinite(got)) return got === want;
  return Math.abs(got - want) <= bound;
}

function expectRows(what: string, got: readonly number[], rows: number[][], op: Op, ddof = 0, other?: readonly number[]): void {
  expect(got.length, what).toBe(rows.length);
  rows.forEach((row, r) => {
    const { want, bound } = reference(op, row, ddof);
    const g = got[r] ?? NaN;
    expect(close(g, want, bound), `${what} row ${r}: got ${g}, want ${want} (bound ${bound})`).toBe(true);
    // Fusion off: the same row kernel over the same f32 elements, within twice the bound (exact ops: the same value).
    if (other !== undefined) expect(close(g, other[r] ?? NaN, 2 * bound), `${what} row ${r}: fused ${g}, unfused ${other[r]}`).toBe(true);
  });
}

const fusing = (device: GpuDevice): boolean => device.info.engine === 'dawn' && device.backend.fusion;

/** One dispatch, the fused row kernel, where the unfused pass took the chain's kernel and the row kernel. */
function expectOneFused(device: GpuDevice, labels: readonly string[], chain: string): void {
  if (!fusing(device)) return;
  expect(labels, labels.join(', ')).toHaveLength(1);
  expect(labels[0]?.startsWith('reduce-rows|') === true && labels[0].endsWith(`|${chain}`), labels.join(', ')).toBe(true);
}

interface Case {
  readonly name: string;
  readonly op: Op;
  readonly shape: readonly number[];
  /** The second operand's shape (broadcast inside the chain). */
  readonly yShape: readonly number[];
  readonly axis?: number | number[];
  readonly keepdims?: boolean;
  readonly ddof?: number;
}

const CASES: Case[] = [
  { name: 'sum, last axis, R % 4 ≠ 0', op: 'sum', shape: [64, 33], yShape: [64, 33], axis: -1 },
  { name: 'sum, last axis, vec4 rows, row-broadcast y, keepdims', op: 'sum', shape: [20, 64], yShape: [64], axis: 1, keepdims: true },
  { name: 'mean, axis 0, column-broadcast y', op: 'mean', shape: [33, 40], yShape: [33, 1], axis: 0 },
  { name: 'max, middle axis of 3-d', op: 'max', shape: [5, 6, 7], yShape: [6, 1], axis: 1 },
  { name: 'min, middle axis, negative, keepdims', op: 'min', shape: [5, 6, 7], yShape: [7], axis: -2, keepdims: true },
  { name: 'sum over the two trailing axes (they merge)', op: 'sum', shape: [3, 4, 5], yShape: [1], axis: [-1, 1] },
  { name: 'norm, last axis', op: 'norm', shape: [9, 100], yShape: [100], axis: -1 },
  { name: 'var, ddof 1, last axis', op: 'var', shape: [12, 50], yShape: [12, 50], axis: 1, ddof: 1 },
  { name: 'std, axis 0', op: 'std', shape: [50, 6], yShape: [6], axis: 0 },
  { name: 'argmax, axis 1', op: 'argmax', shape: [7, 30], yShape: [30], axis: 1 },
  { name: 'argmin, axis 0', op: 'argmin', shape: [30, 7], yShape: [30, 7], axis: 0 },
  { name: 'logsumexp, last axis', op: 'logsumexp', shape: [16, 40], yShape: [40], axis: -1 },
  { name: 'size-1 axis', op: 'sum', shape: [7, 1], yShape: [7, 1], axis: 1 },
  { name: 'size-1 rows (axis 0 of 1×9)', op: 'max', shape: [1, 9], yShape: [9], axis: 1 },
];

function reduceBy(op: Op, m: DeviceArray, axis: number | number[] | undefined, keepdims: boolean | undefined, ddof: number | undefined): DeviceArray {
  const o = { ...(axis !== undefined ? { axis } : {}), ...(keepdims !== undefined ? { keepdims } : {}) };
  switch (op) {
    case 'sum': return sum(m, o);
    case 'mean': return mean(m, o);
    case 'min': return min(m, o);
    case 'max': return max(m, o);
    case 'prod': return prod(m, o);
    case 'norm': return norm(m, o);
    case 'var': return variance(m, { ...o, ...(ddof !== undefined ? { ddof } : {}) });
    case 'std': return std(m, { ...o, ...(ddof !== undefined ? { ddof } : {}) });
    case 'argmin': return argmin(m, { axis: axis as number, ...(keepdims !== undefined ? { keepdims } : {}) });
    case 'argmax': return argmax(m, { axis: axis as number, ...(keepdims !== undefined ? { keepdims } : {}) });
    case 'logsumexp': return logsumexp(m, o);
  }
}

describe('a reduction along axes absorbs its elementwise prologue', () => {
  gpuTest('mul(x, y) reduced along an axis: one row-kernel dispatch, the float64 loop\'s answer, fusion off\'s', async ({ device }) => {
    let k = 0;
    for (const c of CASES) {
      k++;
      const n = c.shape.reduce((a, b) => a * b, 1);
      const ny = c.yShape.reduce((a, b) => a * b, 1);
      const xh = randomF32(n, 100 + k, -2, 2);
      const yh = randomF32(ny, 200 + k, 0.5, 1.5);
      using x = device.array(xh, { shape: [...c.shape] });
      using y = device.array(yh, { shape: [...c.yShape] });
      const r = await onAndOff(device, () => {
        const m = mul(x, y);
        return { out: reduceBy(c.op, m, c.axis, c.keepdims, c.ddof), made: [m] };
      });
      const v = chainValues(c.shape, [{ data: xh, shape: c.shape }, { data: yh, shape: c.yShape }], (a, b) => Math.fround(a) * Math.fround(b));
      const axes = c.axis === undefined ? c.shape.map((_, d) => d) : typeof c.axis === 'number' ? [c.axis] : c.axis;
      expectRows(c.name, r.fused, rowsOf(v, c.shape, axes), c.op, c.ddof ?? 0, r.unfused);
      expectOneFused(device, r.labels, 'fused(mul)');
      if (fusing(device)) expect(r.lazy, `${c.name}: the chain stays lazy`).toBe(true);
    }
  });

  gpuTest('prod of add(x, 1) along axis 0 (exact factors): one dispatch, exact', async ({ device }) => {
    const shape = [6, 5];
    const xh = Float32Array.from({ length: 30 }, (_, i) => [0, -2, 1, -0.5, 0, 0][i % 6] ?? 0);
    using x = device.array(xh, { shape });
    const r = await onAndOff(device, () => {
      const m = add(x, 1);
      return { out: prod(m, { axis: 0 }), made: [m] };
    });
    expectRows('prod', r.fused, rowsOf(chainValues(shape, [{ data: xh, shape }], (a) => a + 1), shape, [0]), 'prod', 0, r.unfused);
    expectArrayEqual(r.fused, r.unfused);
    expectOneFused(device, r.labels, 'fused(add)');
  });

  gpuTest('max(abs(x)) and norm along axes, whole-array norm of a chain: one dispatch each (whole: one reduction)', async ({ device }) => {
    const shape = [17, 24];
    const xh = randomF32(17 * 24, 7, -3, 3);
    using x = device.array(xh, { shape });
    const v = chainValues(shape, [{ data: xh, shape }], (a) => Math.abs(a));
    for (const axis of [0, 1, -1]) {
      const r = await onAndOff(device, () => {
        const m = abs(x);
        return { out: max(m, { axis }), made: [m] };
      });
      expectRows(`max(abs(x)) axis ${axis}`, r.fused, rowsOf(v, shape, [axis]), 'max', 0, r.unfused);
      expectArrayEqual(r.fused, r.unfused);
      expectOneFused(device, r.labels, 'fused(abs)');
    }
    const w = chainValues(shape, [{ data: xh, shape }], (a) => a * 0.5);
    const r = await onAndOff(device, () => {
      const m = mul(x, 0.5);
      return { out: norm(m), made: [m] };
    });
    expectRows('norm(mul(x, 0.5))', r.fused, [Array.from(w)], 'norm', 0, r.unfused);
    if (fusing(device)) {
      expect(r.labels.every((l) => l.startsWith('reduction|norm(fused(mul))')), r.labels.join(', ')).toBe(true);
      expect(r.lazy).toBe(true);
    }
  });

  gpuTest('NaN, ±Inf and ±0 in the chain: NaN rows stay NaN, infinities as the float64 loop, min/max/argmax exactly fusion off\'s', async ({ device }) => {
    const R = 8;
    // Row 0 plain; row 1 a NaN; row 2 +Inf; row 3 −Inf and +Inf (sum NaN); row 4 ±0 only; row 5 −Inf only.
    const xh = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 1, NaN, 3, 4, 5, 6, 7, 8, 1, 2, Infinity, 4, 5, 6, 7, 8, -Infinity, 2, 3, Infinity, 5, 6, 7, 8, 0, -0, 0, -0, -0, 0, -0, 0, -Infinity, -Infinity, -Infinity, -Infinity, -Infinity, -Infinity, -Infinity, -Infinity]);
    const yh = Float32Array.from([1, -1, 1, -1, 1, -1, 1, -1]);
    const shape = [6, R];
    using x = device.array(xh, { shape });
    using y = device.array(yh);
    const v = chainValues(shape, [{ data: xh, shape }, { data: yh, shape: [R] }], (a, b) => a * b);
    for (const op of ['sum', 'max', 'min', 'argmax', 'logsumexp'] as const) {
      const r = await onAndOff(device, () => {
        const m = mul(x, y);
        return { out: reduceBy(op, m, -1, undefined, undefined), made: [m] };
      });
      expectRows(`${op} with specials`, r.fused, rowsOf(v, shape, [-1]), op, 0, r.unfused);
      if (op !== 'sum' && op !== 'logsumexp') expectArrayEqual(r.fused, r.unfused);
      expectOneFused(device, r.labels, 'fused(mul)');
    }
    // softmax: a NaN row gives NaNs, a row with +Inf (no NaN) as fusion off; the rest within the bound below.
    const r = await onAndOff(device, () => {
      const m = mul(x, y);
      return { out: softmax(m), made: [m] };
    });
    expect(r.fused.map((e) => (Number.isNaN(e) ? 'NaN' : e === 0 ? 0 : 'v'))).toEqual(r.unfused.map((e) => (Number.isNaN(e) ? 'NaN' : e === 0 ? 0 : 'v')));
    expectOneFused(device, r.labels, 'fused(mul)');
  });

  gpuTest('the operand stays a recording after the fused reduction: it reads back as x·y, from the values at its call', async ({ device }) => {
    const shape = [16, 12];
    const xh = randomF32(192, 91, -2, 2);
    const yh = randomF32(12, 92, -2, 2);
    using x = device.array(xh, { shape });
    using y = device.array(yh);
    using m = mul(x, y);
    using s = sum(m, { axis: -1 });
    const got = Array.from((await s.toArray()) as Float32Array);
    if (fusing(device)) expect(m.pending).toBeDefined();
    x.write(new Float32Array(192).fill(7)); // after the call: m still stands for the old x
    const v = chainValues(shape, [{ data: xh, shape }, { data: yh, shape: [12] }], (a, b) => a * b);
    expectArrayEqual(await m.toArray(), Float32Array.from(v));
    expectRows('sum', got, rowsOf(v, shape, [-1]), 'sum');
  });

  gpuTest('an empty axis or an empty result: the identity or nothing, as fusion off', async ({ device }) => {
    using x = device.array(new Float32Array(0), { shape: [4, 0] });
    using y = device.array(new Float32Array(0), { shape: [0] });
    for (const axis of [1, 0]) {
      const r = await onAndOff(device, () => {
        const m = mul(x, y);
        return { out: sum(m, { axis }), made: [m] };
      });
      expect(r.fused).toEqual(axis === 1 ? [0, 0, 0, 0] : []);
      expect(r.fused).toEqual(r.unfused);
    }
  });
});

/** softmax's bound per element: exp (3 + 2|x − m| ulp) on the element and in the sum, the sum's depth, the division. */
function softmaxRows(v: Float64Array, shape: readonly number[], axis: number): { want: number[]; bound: number[] } {
  const nd = shape.length;
  const a = (axis + nd) % nd;
  const R = shape[a] ?? 1;
  const stride = shape.slice(a + 1).reduce((p, q) => p * q, 1);
  const want = new Array<number>(v.length).fill(NaN);
  const bound = new Array<number>(v.length).fill(0);
  for (let i = 0; i < v.length; i++) {
    const k = Math.floor(i / stride) % R;
    const base = i - k * stride;
    const row = Array.from({ length: R }, (_, j) => v[base + j * stride] ?? NaN);
    const mx = Math.max(...row);
    const t = row.reduce((p, q) => p + Math.exp(q - mx), 0);
    const dev = row.reduce((p, q) => Math.max(p, Math.abs(q - mx)), 0);
    want[i] = Math.exp((v[i] ?? NaN) - mx) / t;
    bound[i] = (2 * (3 + 2 * dev) + sumDepth(R) + 4) * U * (want[i] ?? 0) + 1e-38;
  }
  return { want, bound };
}

describe('softmax over a recorded chain', () => {
  gpuTest('softmax(mul(x, s)) along the last axis, axis 0 and a middle axis: one dispatch, the float64 answer, fusion off\'s', async ({ device }) => {
    for (const [shape, sShape, axis] of [[[32, 64], [64], -1], [[33, 10], [1], 0], [[4, 9, 6], [9, 1], 1], [[50, 3], [50, 3], 1]] as [number[], number[], number][]) {
      const n = shape.reduce((p, q) => p * q, 1);
      const xh = randomF32(n, 300 + n, -3, 3);
      const sh = randomF32(sShape.reduce((p, q) => p * q, 1), 400 + n, 0.5, 2);
      using x = device.array(xh, { shape });
      using s = device.array(sh, { shape: sShape });
      const r = await onAndOff(device, () => {
        const m = mul(x, s);
        return { out: softmax(m, { axis }), made: [m] };
      });
      const { want, bound } = softmaxRows(chainValues(shape, [{ data: xh, shape }, { data: sh, shape: sShape }], (p, q) => p * q), shape, axis);
      r.fused.forEach((g, i) => {
        expect(close(g, want[i] ?? NaN, bound[i] ?? 0), `[${shape.join(',')}] axis ${axis} element ${i}: got ${g}, want ${want[i]}`).toBe(true);
        expect(close(g, r.unfused[i] ?? NaN, 2 * (bound[i] ?? 0)), `fused ${g} vs unfused ${r.unfused[i]}`).toBe(true);
      });
      if (axis === -1 || axis === shape.length - 1) expectOneFused(device, r.labels, 'fused(mul)');
      // Along another axis the rows come back in x's axis order by one transpose, as unfused (which also
      // computed the chain and gathered it into rows first).
      else expectOneFused(device, r.labels.filter((l) => !l.startsWith('transpose|')), 'fused(mul)');
    }
  });
});

describe('where fusing along an axis would cost more, it splits', () => {
  gpuTest('a lazy broadcast operand (exp(s), one per column) is computed once on its own, not per element of every row', async ({ device }) => {
    const [rows, R] = [40, 24];
    const xh = randomF32(rows * R, 51, -1, 1);
    const sh = randomF32(R, 52, -1, 1);
    using x = device.array(xh, { shape: [rows, R] });
    using s = device.array(sh);
    const r = await onAndOff(device, () => {
      const e = exp(s);
      const m = mul(x, e);
      return { out: softmax(m), made: [e, m] };
    });
    const es = sh.map((v) => Math.exp(v)); // rounded to f32
    const { want, bound } = softmaxRows(chainValues([rows, R], [{ data: xh, shape: [rows, R] }, { data: es, shape: [R] }], (p, q) => p * q), [rows, R], -1);
    // exp(s) by the f32 kernel, within 3 ulp (6U relative) of Math.exp's: each m = x·exp(s) moves by at most
    // 6U·|m| ≤ 6U·e (|x| ≤ 1, s ≤ 1), which moves the element's exp and the row's sum each by that factor.
    r.fused.forEach((g, i) => {
      expect(close(g, want[i] ?? NaN, (bound[i] ?? 0) + 2 * 6 * U * Math.E * (want[i] ?? 0)), `element ${i}: ${g} vs ${want[i]}`).toBe(true);
    });
    expect(r.fused.map((g, i) => close(g, r.unfused[i] ?? NaN, 2 * (bound[i] ?? 0)))).toEqual(r.fused.map(() => true));
    if (fusing(device)) {
      expect(r.labels, r.labels.join(', ')).toHaveLength(2);
      expect(r.labels.some((l) => l.startsWith('elementwise|exp')) && r.labels.some((l) => l.startsWith('reduce-rows|softmax') && l.endsWith('|fused(mul)')), r.labels.join(', ')).toBe(true);
    }
  });

  gpuTest('a chain reading 7 arrays (past the row kernel\'s 6 bindings) is computed first, then reduced: right all the same', async ({ device }) => {
    const shape = [10, 12];
    const hs = Array.from({ length: 7 }, (_, k) => randomF32(120, 60 + k, -1, 1));
    const arrays = hs.map((h) => device.array(h, { shape }));
    try {
      const r = await onAndOff(device, () => {
        const made: DeviceArray[] = [];
        let acc = arrays[0] as DeviceArray;
        for (const a of arrays.slice(1)) made.push((acc = add(acc, a)));
        return { out: sum(acc, { axis: 1 }), made };
      });
      const v = chainValues(shape, hs.map((data) => ({ data, shape })), (...t) => t.reduce((p, q) => Math.fround(p + q)));
      expectRows('7-array chain', r.fused, rowsOf(v, shape, [1]), 'sum', 0, r.unfused);
      if (fusing(device)) {
        expect(r.labels, r.labels.join(', ')).toHaveLength(2);
        expect(r.labels.some((l) => l.startsWith('elementwise|fused(add,add,add,add,add,add)')) && r.labels.some((l) => l.startsWith('reduce-rows|0|f32') && !l.includes('fused')), r.labels.join(', ')).toBe(true);
      }
    } finally {
      for (const a of arrays) a.destroy();
    }
  });

  gpuTest('reduced axes with no single stride (axis (0, 2) of a 3-d chain) run unfused, right', async ({ device }) => {
    const shape = [3, 4, 5];
    const xh = randomF32(60, 81, -2, 2);
    const yh = randomF32(5, 82, -2, 2);
    using x = device.array(xh, { shape });
    using y = device.array(yh);
    const r = await onAndOff(device, () => {
      const m = sub(x, y);
      return { out: sum(m, { axis: [0, 2] }), made: [m] };
    });
    const v = chainValues(shape, [{ data: xh, shape }, { data: yh, shape: [5] }], (p, q) => p - q);
    expectRows('axis (0, 2)', r.fused, rowsOf(v, shape, [0, 2]), 'sum', 0, r.unfused);
    if (fusing(device)) expect(r.labels.some((l) => l.startsWith('elementwise|sub|')) && r.labels.some((l) => l.startsWith('reduce-rows|') && !l.includes('fused')), r.labels.join(', ')).toBe(true);
  });
});
