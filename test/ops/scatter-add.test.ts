/**
 * scatterAdd (np.add.at) against NumPy on the fixture's engine: repeated and negative indices along every
 * axis and flattened, integers exact (wrapping), f32 within the per-bin sum bound against float64, all
 * indices on one slot, a one-hot, empty inputs, and out-of-range indices failing the op.
 */
import { expect } from 'vitest';
import { ArgumentError, scatterAdd } from '../../src/index.js';
import { expectArrayEqual, gpuTest } from '../fixture.js';
import { gamma } from '../tolerance.js';
import { npOut, numpy, randomF32, randomI32 } from './helpers.js';

/** |got − ref| ≤ γ(terms + 1)·mag per element: each bin's f32 sum, in any order, of its terms and start value. */
function expectWithinBinBound(got: ArrayLike<number>, ref: ArrayLike<number>, mag: ArrayLike<number>, terms: ArrayLike<number>, what: string): void {
  expect(got.length, what).toBe(ref.length);
  for (let e = 0; e < got.length; e++) {
    const bound = gamma((terms[e] ?? 0) + 1) * (mag[e] ?? 0);
    const err = Math.abs((got[e] ?? 0) - (ref[e] ?? 0));
    if (!(err <= bound)) expect.fail(`${what}: element ${e}: got ${got[e]}, float64 ${ref[e]}, error ${err} > bound ${bound}`);
  }
}

gpuTest('scatterAdd matches np.add.at along each axis and flattened: f32 within the per-bin bound, i32/u32 exact', async ({ device }) => {
  const t0 = randomF32(20, 3, -10, 10); // target (4, 5)
  const idx = new Int32Array([1, -1, 1, 0, 3, 1, -4, 2]); // repeats and negatives
  const v0 = randomF32(40, 9, -10, 10); // (8, 5) along axis 0, (4, 8) along axis 1
  const vFlat = randomF32(8, 21, -10, 10);
  const code = `
t = inp['t'].reshape(4, 5).astype(np.float64); i = inp['i']; v = inp['v'].astype(np.float64); vf = inp['vf'].astype(np.float64)
def run(t, key, sel_v, ax):
    r = t.copy(); m = np.abs(t).copy(); c = np.zeros(t.shape)
    sel = (slice(None),) * ax + (i,)
    np.add.at(r, sel, sel_v); np.add.at(m, sel, np.abs(sel_v)); np.add.at(c, sel, 1)
    out[key] = r.ravel(); out[key + 'm'] = m.ravel(); out[key + 'c'] = c.ravel()
run(t, 'a0', v.reshape(8, 5), 0)
run(t, 'a1', v[:32].reshape(4, 8), 1)
run(t.ravel(), 'f', vf, 0)
ti = inp['t'].reshape(4, 5).round().astype(np.int32); vi = inp['v'].round().astype(np.int32) * np.int32(300000000)
r = ti.copy(); np.add.at(r, (slice(None), i), vi[:32].reshape(4, 8)); out['i1'] = r.ravel()
tu = np.abs(ti).astype(np.uint32); vu = (np.abs(vi).astype(np.uint32) * np.uint32(3))
r = tu.copy(); np.add.at(r, i, vu.reshape(8, 5)); out['u0'] = r.ravel()
`;
  const ref = numpy(code, { t: t0, i: idx, v: v0, vf: vFlat });
  using i = device.array(idx);
  for (const [key, ax, shape] of [['a0', 0, [8, 5]], ['a1', 1, [4, 8]], ['a1', -1, [4, 8]]] as const) {
    using t = device.array(t0, { shape: [4, 5] });
    using v = device.array(v0.slice(0, shape[0] * shape[1]), { shape: [...shape] });
    expect(scatterAdd(t, i, v, ax)).toBe(t);
    expectWithinBinBound(await t.toArray(), npOut(ref, key), npOut(ref, `${key}m`), npOut(ref, `${key}c`), `f32 axis ${ax}`);
  }
  {
    using t = device.array(t0, { shape: [4, 5] });
    using v = device.array(vFlat);
    scatterAdd(t, i, v);
    expectWithinBinBound(await t.toArray(), npOut(ref, 'f'), npOut(ref, 'fm'), npOut(ref, 'fc'), 'f32 flattened');
  }
  // Integers: exact, wrapping modulo 2^32 as NumPy's int32/uint32 (values chosen to overflow).
  const ti = Int32Array.from(t0, Math.round);
  const vi = Int32Array.from(v0, (x) => Math.imul(Math.round(x), 300000000));
  {
    using t = device.array(ti, { shape: [4, 5] });
    using v = device.array(vi.slice(0, 32), { shape: [4, 8] });
    scatterAdd(t, i, v, 1);
    expectArrayEqual(await t.toArray(), npOut(ref, 'i1'));
  }
  {
    using t = device.array(Uint32Array.from(ti, Math.abs), { shape: [4, 5] });
    using v = device.array(Uint32Array.from(vi, (x) => Math.imul(Math.abs(x), 3) >>> 0), { shape: [8, 5] });
    scatterAdd(t, i, v, 0);
    expectArrayEqual(await t.toArray(), npOut(ref, 'u0'));
  }
});

gpuTest('scatterAdd with every index on one slot terminates and sums (f32 within the bound, i32 exact)', async ({ device }) => {
  const n = 4097;
  const vals = randomF32(n, 77, 0, 1);
  const ints = randomI32(n, 78, 1 << 20);
  const ref = numpy(`out['f'] = np.array([inp['v'].astype(np.float64).sum()]); out['m'] = np.array([np.abs(inp['v'].astype(np.float64)).sum()]); out['i'] = np.array([inp['w'].sum(dtype=np.int64) % 2**32], dtype=np.uint64).astype(np.uint32).view(np.int32)`, { v: vals, w: ints });
  using idx = device.array(new Uint32Array(n).fill(2));
  using t = device.array(new Float32Array(3));
  using v = device.array(vals);
  const t0 = performance.now();
  scatterAdd(t, idx, v);
  const got = await t.toArray();
  expect(performance.now() - t0).toBeLessThan(10_000); // a CAS loop under full contention still finishes
  expect([got[0], got[1]]).toEqual([0, 0]);
  expectWithinBinBound([got[2] ?? NaN], npOut(ref, 'f'), npOut(ref, 'm'), [n], 'all on one slot');
  using ti = device.array(new Int32Array(3));
  using vi = device.array(ints);
  scatterAdd(ti, idx, vi);
  expectArrayEqual(await ti.toArray(), [0, 0, npOut(ref, 'i')[0] ?? NaN]);
});

gpuTest('a one-hot is one scatterAdd of ones (broadcast) at row·k + label: matches np.eye(k)[labels]', async ({ device }) => {
  const k = 5;
  const rows = 33;
  const labels = Int32Array.from({ length: rows }, (_, j) => (j * 3 + 1) % k);
  const ref = numpy(`out['h'] = np.eye(${k}, dtype=np.uint32)[inp['l']].ravel()`, { l: labels });
  using hot = device.array(new Uint32Array(rows * k), { shape: [rows, k] });
  using at = device.array(Int32Array.from(labels, (l, r) => r * k + l));
  using one = device.array(new Uint32Array([1]));
  scatterAdd(hot, at, one);
  expectArrayEqual(await hot.toArray(), npOut(ref, 'h'));
});

gpuTest('scatterAdd of empty indices leaves the target; out-of-range indices fail it with an ArgumentError', async ({ device }) => {
  const start = new Float32Array([1, 2, 3, 4, 5, 6]);
  using t = device.array(start, { shape: [2, 3] });
  using none = device.array(new Int32Array(0));
  using nothing = device.array(new Float32Array(0), { shape: [2, 0] });
  scatterAdd(t, none, nothing, 1);
  expectArrayEqual(await t.toArray(), start);
  using bad = device.array(new Int32Array([0, 3, -4]));
  using v = device.array(new Float32Array(6), { shape: [2, 3] });
  scatterAdd(t, bad, v, 1);
  await expect(t.toArray()).rejects.toThrow(ArgumentError);
  await expect(t.toArray()).rejects.toThrow(/scatterAdd: 2 indices are out of range for axis 1 of extent 3 \(largest 3, most negative -4\)/);
  await expect(device.sync()).rejects.toThrow(ArgumentError);
  // A view is refused as the target (it is written in place), and dtypes must agree.
  using tv = t.T;
  using good = device.array(new Int32Array([0]));
  using three = device.array(new Float32Array(3));
  expect(() => scatterAdd(tv, good, three, 0)).toThrow(ArgumentError);
  using vi = device.array(new Int32Array(3), { shape: [1, 3] });
  expect(() => scatterAdd(t, good, vi, 0)).toThrow(/values are i32 but target is f32/);
});
