/**
 * A whole-array reduction of a recorded f32 chain on the host (gpujs) engine runs as ONE loop that computes
 * each element of the chain and folds it (src/backends/host/fusion.ts `reduce`): the result is the unfused
 * host reduction's bit for bit (the same f32 elements, Math.fround per op, folded in the same order with
 * the same f32 roundings: blocks of 64, then the partials' passes), the operand stays lazy, and profile()
 * shows one entry, `reduction|sum(fused(mul))|f32`; the loop is cached by the chain's structure, and an
 * operand a failed op left undefined fails the result (its error, never a silent value). On Dawn the same file runs: there the fused
 * reduction's order differs from the unfused one (docs/notes/fusion.md, "Fused reductions"), so the
 * comparisons with unfused bits name the engine; the float64 checks hold on both, within the summation
 * bound test/tolerance.ts derives (sumBound over the engine's depth, sumDepth in test/ops/helpers.ts).
 */
import { afterEach, describe, expect } from 'vitest';
import { add, astype, max, mean, min, mul, norm, openDevice, OverflowError, sub, sum, type DeviceArray, type GpuDevice } from '../../src/index.js';
import { expectArrayEqual, gpuTest, sharedDevice } from '../fixture.js';
import { sumDepth } from '../ops/helpers.js';
import { absSum, gamma, sumBound, U32, U64 } from '../tolerance.js';

afterEach(async () => {
  const d = await sharedDevice();
  d?.backend.setFusion(process.env['GPUKIT_FUSE'] !== '0');
});

const F32_MAX = 3.4028234663852886e38;
const f = Math.fround;
type Op = 'sum' | 'mean' | 'norm' | 'min' | 'max';
const OPS = { sum, mean, norm, min, max } as const;

/** n f32 values from a seed, spread over [-8, 8) with some small ones. */
function values(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    a[i] = ((s / 2 ** 32) * 16 - 8) * (i % 3 === 0 ? 1e-3 : 1);
  }
  return a;
}

/** The raw bits of an f32 (NaN as one pattern: payloads are not the reduction's concern). */
function bitsOf(v: number): number {
  return Number.isNaN(v) ? 0x7fc00000 : new Uint32Array(new Float32Array([v]).buffer)[0] ?? 0;
}

/** `op` of `chain()` with fusion on (the chain recorded) and off, on the same device: both results. */
async function onAndOff(device: GpuDevice, op: Op, chain: () => DeviceArray): Promise<{ fused: number; unfused: number; lazy: boolean }> {
  const run = async (on: boolean): Promise<{ v: number; lazy: boolean }> => {
    device.backend.setFusion(on);
    using c = chain();
    using r = OPS[op](c);
    const lazy = c.pending !== undefined;
    return { v: await r.item(), lazy };
  };
  const a = await run(true);
  const b = await run(false);
  return { fused: a.v, unfused: b.v, lazy: a.lazy };
}

/** The float64 answer over the chain's f32 elements `t`, and the bound the engine's f32 result is within. */
function reference(device: GpuDevice, op: Op, t: ArrayLike<number>): { want: number; bound: number } {
  const n = t.length;
  if (op === 'min' || op === 'max') {
    let m = op === 'min' ? Infinity : -Infinity;
    for (let i = 0; i < n; i++) {
      const v = t[i] ?? 0;
      if (Number.isNaN(v)) return { want: NaN, bound: 0 };
      m = op === 'min' ? Math.min(m, v) : Math.max(m, v);
    }
    return { want: m, bound: 0 };
  }
  const terms = op === 'norm' ? Array.from(t, (v) => v * v) : Array.from(t);
  let s = 0;
  for (const v of terms) s += v;
  const abs = absSum(terms);
  // The sum's bound (norm: one more rounding per term, its square); mean: the product by fl(1/n) and its
  // rounding (2 more); norm: √ halves the relative error, plus its rounding.
  const depth = sumDepth(device, n) + (op === 'norm' ? 1 : 0);
  const b = sumBound(abs, depth, n);
  if (op === 'sum') return { want: s, bound: b };
  if (op === 'mean') return { want: n === 0 ? NaN : s / n, bound: n === 0 ? 0 : b / n + gamma(3, U32) * (abs / n) };
  return { want: Math.sqrt(s), bound: Math.sqrt(s) * ((s === 0 ? 0 : b / s) / 2 + gamma(2, U32) + gamma(n, U64)) };
}

function expectNear(got: number, r: { want: number; bound: number }, what: string): void {
  if (Number.isNaN(r.want) || !Number.isFinite(r.want)) {
    expect(Object.is(got, r.want) || (Number.isNaN(got) && Number.isNaN(r.want)), `${what}: got ${got}, want ${r.want}`).toBe(true);
    return;
  }
  expect(Math.abs(got - r.want), `${what}: got ${got}, want ${r.want} ± ${r.bound}`).toBeLessThanOrEqual(r.bound);
}

const SIZES = [0, 1, 5, 1024, 100_003];

describe('a reduction of a recorded chain on the host engine is one loop', () => {
  gpuTest('sum, mean, norm, min, max of (x + 1.5)·y − 0.1: fused = unfused bit for bit (gpujs), float64 within the bound, sizes 0…100003', async ({ device }) => {
    for (const n of SIZES) {
      const xh = values(n, 3 + n);
      const yh = values(n, 7 + n);
      using x = device.array(xh);
      using y = device.array(yh);
      // The chain's f32 elements: each op rounded, the JS scalar 0.1 taken as its f32.
      const t = Array.from(xh, (v, i) => f(f(f(v + 1.5) * (yh[i] ?? 0)) - f(0.1)));
      for (const op of ['sum', 'mean', 'norm', 'min', 'max'] as const) {
        if (n === 0 && (op === 'min' || op === 'max')) continue; // refused at the call (an empty array)
        const made: DeviceArray[] = [];
        const r = await onAndOff(device, op, () => {
          const a = add(x, 1.5);
          const m = mul(a, y);
          made.push(a, m);
          return sub(m, 0.1);
        });
        for (const a of made) a.destroy();
        // (An empty chain is not recorded: it runs at its call, on both engines.)
        if (n > 0) expect(r.lazy, `the operand stays lazy (${op} at ${n})`).toBe(true);
        if (device.info.engine === 'gpujs') expect(bitsOf(r.fused), `${op} at ${n}: fused ${r.fused} vs unfused ${r.unfused}`).toBe(bitsOf(r.unfused));
        const ref = reference(device, op, t);
        expectNear(r.fused, ref, `${op} at ${n}, fused`);
        expectNear(r.unfused, ref, `${op} at ${n}, unfused`);
      }
    }
  });

  gpuTest('NaN, ±Inf, ±0 and f32-max overflow in the chain: as unfused (gpujs bit for bit) and as float math says', async ({ device }) => {
    const cases: { x: number[]; k: number }[] = [
      { x: [1, NaN, 2], k: 1 },
      { x: [Infinity, 1, 2], k: 1 },
      { x: [Infinity, -Infinity], k: 1 },
      { x: [-0, -0, -0], k: 1 },
      { x: [0, -0], k: -1 },
      { x: [F32_MAX, F32_MAX], k: 1 }, // the f32 sum overflows to Inf
      { x: [F32_MAX, 1, -3], k: 2 }, // the element overflows: 2·max = Inf
      { x: [1e20, -1e20, 3], k: 1 }, // norm: the squares overflow
    ];
    for (const c of cases) {
      const xh = new Float32Array(c.x);
      using x = device.array(xh);
      const t = Array.from(xh, (v) => f(f(v * c.k) + 0));
      for (const op of ['sum', 'mean', 'norm', 'min', 'max'] as const) {
        const made: DeviceArray[] = [];
        const r = await onAndOff(device, op, () => {
          const m = mul(x, c.k);
          made.push(m);
          return add(m, 0);
        });
        for (const a of made) a.destroy();
        if (device.info.engine === 'gpujs') expect(bitsOf(r.fused), `${op} of [${c.x.join(', ')}]·${c.k}: fused ${r.fused} vs unfused ${r.unfused}`).toBe(bitsOf(r.unfused));
        // f32 sums in any order: an Inf or NaN term or an overflowing partial decides the answer.
        const ref = reference(device, op, t);
        const f32sum = (ts: number[]): number => ts.reduce((a, b) => f(a + b), 0);
        const want = op === 'sum' || op === 'mean' ? f32sum(t) : op === 'norm' ? f(Math.sqrt(f32sum(t.map((v) => f(v * v))))) : ref.want;
        if (!Number.isFinite(want)) expectNear(r.fused, { want, bound: 0 }, `${op} of [${c.x.join(', ')}]·${c.k}`);
        else expectNear(r.fused, ref, `${op} of [${c.x.join(', ')}]·${c.k}`);
        if (op === 'sum' && c.x.every((v) => Object.is(v, -0))) expect(Object.is(r.fused, 0), 'Σ(−0) from the identity +0').toBe(true);
      }
    }
  });

  gpuTest('broadcast operands and JS scalars inside the chain: as unfused (gpujs bit for bit), float64 within the bound', async ({ device }) => {
    const rows = 37;
    const cols = 29;
    const xh = values(rows * cols, 11);
    const rowh = values(cols, 12);
    const colh = values(rows, 13);
    using x = device.array(xh, { shape: [rows, cols] });
    using row = device.array(rowh);
    using col = device.array(colh, { shape: [rows, 1] });
    using q = device.array(new Float32Array([0.25]), { shape: [] });
    const t: number[] = [];
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t.push(f(f(f(f((xh[i * cols + j] ?? 0) * (rowh[j] ?? 0)) + (colh[i] ?? 0)) - 0.25) * f(1 / 3)));
    for (const op of ['sum', 'mean', 'norm', 'min', 'max'] as const) {
      const made: DeviceArray[] = [];
      const r = await onAndOff(device, op, () => {
        const a = mul(x, row);
        const b = add(a, col);
        const c = sub(b, q);
        made.push(a, b, c);
        return mul(c, 1 / 3);
      });
      for (const a of made) a.destroy();
      expect(r.lazy, `the operand stays lazy (${op})`).toBe(true);
      if (device.info.engine === 'gpujs') expect(bitsOf(r.fused), `${op}: fused ${r.fused} vs unfused ${r.unfused}`).toBe(bitsOf(r.unfused));
      expectNear(r.fused, reference(device, op, t), `${op}, fused`);
    }
  });

  gpuTest('the operand stays lazy and reads back right; profile() shows one reduction|sum(fused(mul))|f32 entry', async ({ device }) => {
    device.backend.setFusion(true);
    const n = 4099;
    const xh = values(n, 21);
    const yh = values(n, 22);
    using x = device.array(xh);
    using y = device.array(yh);
    await device.sync();
    const p = await device.profile(async () => {
      using m = mul(x, y);
      using s = sum(m);
      const v = await s.item();
      expect(m.pending, 'still lazy after the reduction and its readback').toBeDefined();
      return v;
    });
    const labels = p.kernels.map((k) => k.label);
    if (device.info.engine === 'gpujs') {
      expect(labels).toEqual(['reduction|sum(fused(mul))|f32']);
      expect(p.kernels[0]?.dispatches).toBe(1);
    } else expect(labels.every((l) => l.startsWith('reduction|sum(fused(mul))|f32')), labels.join(', ')).toBe(true);
    const t = Array.from(xh, (v, i) => f(v * (yh[i] ?? 0)));
    expectNear(p.result, reference(device, 'sum', t), 'sum(mul(x, y))');
    // The lazy operand, asked for later, is the chain's elements.
    using m2 = mul(x, y);
    using s2 = max(m2);
    expect(await s2.item()).toBe(Math.max(...t));
    expectArrayEqual(await m2.toArray(), t);
  });

  gpuTest('cached by structure: new scalars and new arrays of the same chain compile nothing more (gpujs)', async ({ device }) => {
    device.backend.setFusion(true);
    const compiled = (): number => device.backend.hostContext?.fusion?.loopsCompiled ?? 0;
    const xh = values(300, 31);
    let before = -1;
    for (const k of [1.5, -2, 0.125, 7]) {
      using x = device.array(xh);
      using m = mul(x, k);
      using c = add(m, k);
      using s = sum(c);
      let want = 0;
      const terms = Array.from(xh, (v) => f(f(v * f(k)) + f(k)));
      for (const v of terms) want += v;
      expectNear(await s.item(), { want, bound: sumBound(absSum(terms), sumDepth(device, terms.length), terms.length) }, `sum at k = ${k}`);
      if (before < 0) before = compiled();
      else if (device.info.engine === 'gpujs') expect(compiled(), `loops compiled by k = ${k}`).toBe(before);
    }
  });

  gpuTest('an operand a failed op left undefined fails the fused reduction with that error at the readback', async ({ device }) => {
    device.backend.setFusion(true);
    using xi = device.array(new Int32Array([2147483647, 1]));
    using bad = sum(xi); // an OverflowError, never a wrap
    using b = astype(bad, 'f32');
    using y = device.array(new Float32Array([1, 2, 3]));
    using m = mul(y, b);
    using s = sum(m);
    await expect(s.item()).rejects.toThrow(OverflowError);
    await device.sync().catch(() => undefined);
  });

  gpuTest('writes and destroys after the reduction was called: it reduces the values recorded', async ({ device }) => {
    device.backend.setFusion(true);
    const xh = new Float32Array([1, 2, 3, 4.5]);
    const x = device.array(xh);
    const m = mul(x, 2);
    const s = sum(m);
    x.write(new Float32Array([100, 100, 100, 100]));
    const m2 = mul(x, 3);
    const s2 = max(m2);
    x.destroy();
    try {
      expect(await s.item()).toBe(21);
      expect(await s2.item()).toBe(300);
      expectArrayEqual(await m.toArray(), [2, 4, 6, 9]);
    } finally {
      for (const a of [m, s, m2, s2]) a.destroy();
    }
  });

  gpuTest('fusion off (setFusion(false), openDevice({ fuse: false })): the chain runs at its call and the reduction is unfused', async ({ device }) => {
    const off = await openDevice({ engine: device.info.engine, fuse: false });
    try {
      for (const d of [device, off]) {
        d.backend.setFusion(false);
        using x = d.array(new Float32Array([1, 2, 3]));
        await d.sync();
        const p = await d.profile(async () => {
          using m = mul(x, 2);
          expect(m.pending).toBeUndefined();
          using s = sum(m);
          return await s.item();
        });
        expect(p.result).toBe(12);
        expect(p.kernels.every((k) => !k.label.includes('fused')), p.kernels.map((k) => k.label).join(', ')).toBe(true);
      }
    } finally {
      await off.close();
    }
  });
});
