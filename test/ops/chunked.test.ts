/**
 * Every op on data larger than one binding and one buffer, on a device with lowered limits (64 KiB
 * bindings, 256 KiB buffers: test/chunked-device.ts), at lengths that cross chunk and segment boundaries
 * at odd places, against float64 CPU references: exact where the op is exact in f32 (add, mul, compares,
 * where, casts, integer sums, min/max, arg*, integer scans, sort), within the documented bound otherwise.
 * On gpujs (no binding limit, host memory) the same calls simply run.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import * as gk from '../../src/index.js';
import type { GpuDevice } from '../../src/index.js';
import { chunkElements } from '../../src/buffers/chunks.js';
import { BINDING, openChunked } from '../chunked-device.js';
import { expectArrayEqual } from '../fixture.js';
import { matmulRef64, randomF32, randomI32 } from './helpers.js';
import { pinParams } from '../../src/backends/dawn/tuning.js';
import { sortPairsTunable } from '../../src/backends/dawn/ops/sort.js';
import { normalCpu, randomU32Cpu, uniformCpu } from '../../src/reference/random.js';

let device: GpuDevice;
/** Elements per chunk on the lowered device (16 Ki on lavapipe), and lengths crossing chunks / buffers. */
let CHUNK = 0;
let SIZES: number[] = [];

beforeAll(async () => {
  device = await openChunked();
  CHUNK = device.engine === 'dawn' ? chunkElements(device.limits) : Math.floor(BINDING / 4);
  // 3 chunks + 5 (one buffer, several bindings); a buffer (4 chunks) + 2 chunks + 5 (two buffers).
  SIZES = [3 * CHUNK + 5, 6 * CHUNK + 5];
});
afterAll(async () => {
  await device.close();
});
// Every test frees what it made: the device's bytes in use come back (a chunked op's windows and temporaries
// included).
let inUse = 0;
beforeEach(() => {
  inUse = device.memory.inUseBytes;
});
afterEach(async () => {
  await device.sync().catch(() => undefined); // a test's deliberately failed op may be reported here
  expect(device.memory.inUseBytes).toBe(inUse);
});

describe('elementwise ops, math and builders over several bindings and buffers', () => {
  test('add, mul, axpy in place, compares, where and astype: exact', async () => {
    for (const n of SIZES) {
      const xs = randomF32(n, 1, -100, 100);
      const ys = randomF32(n, 2, -100, 100);
      using x = device.array(xs);
      using y = device.array(ys);
      using s = gk.add(x, y);
      using p = gk.mul(x, y);
      using m = gk.lt(x, y);
      using w = gk.where(m, x, y);
      using c = gk.astype(x, 'i32');
      using z = device.array(ys);
      gk.axpy(2, x, z);
      const [rs, rp, rm, rw, rc, rz] = await Promise.all([s.toArray(), p.toArray(), m.toArray(), w.toArray(), c.toArray(), z.toArray()]);
      expectArrayEqual(rs, xs.map((v, i) => Math.fround(v + (ys[i] ?? 0))));
      expectArrayEqual(rp, xs.map((v, i) => Math.fround(v * (ys[i] ?? 0))));
      expectArrayEqual(rm, Uint32Array.from(xs, (v, i) => (v < (ys[i] ?? 0) ? 1 : 0)));
      expectArrayEqual(rw, xs.map((v, i) => Math.min(v, ys[i] ?? 0)));
      expectArrayEqual(rc, Int32Array.from(xs, (v) => Math.trunc(v)));
      // a·x + y may be fused (one rounding) or not (two): either is within 1 ulp of the float64 value.
      for (let i = 0; i < n; i++) {
        const want = 2 * (xs[i] ?? 0) + (ys[i] ?? 0);
        if (Math.abs((rz[i] ?? NaN) - want) > Math.abs(want) * 2 ** -23 + 2 ** -126) expect.fail(`axpy element ${i}: got ${rz[i]}, expected ${want}`);
      }
    }
  });

  test('exp and a row broadcast (a bias row over a matrix)', async () => {
    for (const n of SIZES) {
      const cols = 100;
      const rows = Math.floor(n / cols);
      const xs = randomF32(rows * cols, 3, -5, 5);
      const bs = randomF32(cols, 4, -1, 1);
      using x = device.array(xs, { shape: [rows, cols] });
      using b = device.array(bs);
      using e = gk.exp(x);
      using s = gk.add(x, b);
      const [re, rs] = await Promise.all([e.toArray(), s.toArray()]);
      for (let i = 0; i < xs.length; i++) {
        const v = xs[i] ?? 0;
        const want = Math.exp(v);
        if (Math.abs((re[i] ?? NaN) - want) > (3 + 2 * Math.abs(v)) * 2 ** -23 * want) expect.fail(`exp element ${i}: got ${re[i]}, expected ${want}`);
      }
      expectArrayEqual(rs, xs.map((v, i) => Math.fround(v + (bs[i % cols] ?? 0))));
    }
  });

  test('a column broadcast against a row (gathered chunk by chunk) and unaligned slices (read through copies)', async () => {
    const rows = 3 * 64 + 1;
    const cols = Math.ceil((SIZES[1] ?? 0) / rows); // the result spans two buffers
    const cs = randomF32(rows, 7, -10, 10);
    const rs = randomF32(cols, 8, -10, 10);
    using c = device.array(cs, { shape: [rows, 1] });
    using r = device.array(rs, { shape: [1, cols] });
    using o = gk.sub(c, r);
    expect(o.shape).toEqual([rows, cols]);
    expectArrayEqual(await o.toArray(), Float32Array.from({ length: rows * cols }, (_, e) => Math.fround((cs[Math.floor(e / cols)] ?? 0) - (rs[e % cols] ?? 0))));
    // Slices starting one element in: contiguous, but no binding may start there.
    const n = SIZES[0] ?? 0;
    const xs = randomF32(n + 1, 9, -1, 1);
    using x = device.array(xs);
    using tail = x.slice([1]);
    using twice = gk.add(tail, tail);
    using s = gk.sum(tail);
    using am = gk.argmax(tail);
    const want = Array.from(xs.subarray(1));
    expectArrayEqual(await twice.toArray(), Float32Array.from(want, (v) => Math.fround(2 * v)));
    const s64 = want.reduce((a, v) => a + v, 0);
    expect(Math.abs((await s.item()) - s64)).toBeLessThanOrEqual(sumBound(want));
    expect(await am.item()).toBe(want.indexOf(Math.max(...want)));
  });

  test('device.elementwise with i, n, a raw table and _ind; map', async () => {
    const n = SIZES[1] ?? 0;
    const cols = 64;
    const rows = Math.floor(n / cols);
    const xs = randomF32(rows * cols, 5, -10, 10);
    const ts = Float32Array.from([0.5, 1.5, 2.5, 3.5, 4.5]);
    const k = await device.elementwise({ args: 'x: T[], t: raw T[], y: T[], z: T[]', body: 'y = x + t[i % 5u] + f32(n - i); z = f32(_ind(0u) * 1000u + _ind(1u))' });
    using x = device.array(xs, { shape: [rows, cols] });
    using t = device.array(ts);
    const r = k({ x, t }) as Record<string, gk.DeviceArray>;
    using y = r['y'] as gk.DeviceArray;
    using z = r['z'] as gk.DeviceArray;
    using sq = gk.map(x, 'x * x');
    const total = rows * cols;
    const [ry, rz, rq] = await Promise.all([y.toArray(), z.toArray(), sq.toArray()]);
    expectArrayEqual(ry, xs.map((v, i) => Math.fround(Math.fround(v + (ts[i % 5] ?? 0)) + (total - i))));
    expectArrayEqual(rz, Float32Array.from(xs, (_, i) => Math.floor(i / cols) * 1000 + (i % cols)));
    expectArrayEqual(rq, xs.map((v) => Math.fround(v * v)));
  });
});

/** |Σ x − float64 Σ x| bound for an f32 sum of n values: pairwise-blocked, ~log2(n) roundings of Σ|x| (README). */
function sumBound(xs: ArrayLike<number>): number {
  let abs = 0;
  for (let i = 0; i < xs.length; i++) abs += Math.abs(xs[i] ?? 0);
  return (Math.ceil(Math.log2(Math.max(2, xs.length))) + 2) * 2 ** -23 * abs;
}

describe('reductions over several bindings and buffers', () => {
  test('sum, mean, min, max, dot, norm (f32 within the sum bound; min/max exact) and integer sums (exact)', async () => {
    for (const n of SIZES) {
      const xs = randomF32(n, 11, -10, 10);
      xs[n - 3] = 123.5; // the maximum, in the last chunk
      xs[CHUNK + 1] = -321.25; // the minimum, in the second
      const ys = randomF32(n, 12, -1, 1);
      const is = randomI32(n, 13, 1000);
      using x = device.array(xs);
      using y = device.array(ys);
      using xi = device.array(is);
      using s = gk.sum(x);
      using me = gk.mean(x);
      using mn = gk.min(x);
      using mx = gk.max(x);
      using d = gk.dot(x, y);
      using no = gk.norm(x);
      using si = gk.sum(xi);
      using mi = gk.max(xi);
      let s64 = 0;
      let d64 = 0;
      let q64 = 0;
      let i64 = 0;
      const prods = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const v = xs[i] ?? 0;
        s64 += v;
        prods[i] = v * (ys[i] ?? 0);
        d64 += prods[i] ?? 0;
        q64 += v * v;
        i64 += is[i] ?? 0;
      }
      const [rs, rme, rmn, rmx, rd, rno, rsi, rmi] = await Promise.all([s, me, mn, mx, d, no, si, mi].map((a) => a.item()));
      expect(Math.abs((rs ?? NaN) - s64)).toBeLessThanOrEqual(sumBound(xs));
      expect(Math.abs((rme ?? NaN) - s64 / n)).toBeLessThanOrEqual(sumBound(xs) / n + 2 ** -23 * Math.abs(s64 / n));
      expect(rmn).toBe(-321.25);
      expect(rmx).toBe(123.5);
      expect(Math.abs((rd ?? NaN) - d64)).toBeLessThanOrEqual(sumBound(prods) + 2 ** -23 * sumBound(prods));
      expect(Math.abs((rno ?? NaN) - Math.sqrt(q64))).toBeLessThanOrEqual(Math.sqrt(q64) * 2 ** -20);
      expect(rsi).toBe(i64);
      expect(rmi).toBe(Math.max(...is));
    }
  });

  test('device.reduction with i and n in the map', async () => {
    const n = SIZES[1] ?? 0;
    const r = await device.reduction({ args: 'x: u32[]', map: 'select(0u, x, i % 3u == 0u) + select(0u, 1u, i == n - 1u)', reduce: 'a + b', identity: '0u' });
    const xs = Uint32Array.from({ length: n }, (_, i) => (i * 7) % 13);
    using x = device.array(xs);
    using got = r(x);
    let want = 1;
    for (let i = 0; i < n; i += 3) want += xs[i] ?? 0;
    expect(await got.item()).toBe(want);
  });
});

describe('argmin and argmax over several bindings and buffers', () => {
  test('global indices of the first extreme, ties and NaN as the CPU reference (exact)', async () => {
    for (const n of SIZES) {
      const xs = randomF32(n, 21, -10, 10);
      xs[2 * CHUNK + 7] = -50; // a tie for the minimum: the first one wins
      xs[n - 2] = -50;
      xs[CHUNK - 1] = 60;
      const is = randomI32(n, 22, 1 << 20);
      is[n - 1] = 1 << 21;
      using x = device.array(xs);
      using xi = device.array(is);
      using a = gk.argmin(x);
      using b = gk.argmax(x);
      using c = gk.argmax(xi);
      expect(await a.item()).toBe(2 * CHUNK + 7);
      expect(await b.item()).toBe(CHUNK - 1);
      expect(await c.item()).toBe(n - 1);
      xs[3 * CHUNK + 2] = NaN;
      using y = device.array(xs);
      using d = gk.argmin(y);
      expect(await d.item()).toBe(3 * CHUNK + 2);
    }
  });
});

describe('scan over several bindings and buffers', () => {
  test('inclusive and exclusive: integers exact, f32 within the documented bound (src/ops/scan.ts)', async () => {
    for (const n of SIZES) {
      const is = randomI32(n, 31, 1000);
      const fs = randomF32(n, 32, -0.5, 1);
      using xi = device.array(is);
      using xf = device.array(fs);
      for (const exclusive of [false, true]) {
        using si = gk.scan(xi, { exclusive });
        using sf = gk.scan(xf, { exclusive });
        const [ri, rf] = await Promise.all([si.toArray(), sf.toArray()]);
        let acc = 0;
        let f64 = 0;
        let abs = 0;
        for (let i = 0; i < n; i++) {
          if (exclusive && ri[i] !== acc) expect.fail(`exclusive i32 scan element ${i}: got ${ri[i]}, expected ${acc}`);
          if (exclusive && Math.abs((rf[i] ?? NaN) - f64) > 2 ** -24 * (Math.sqrt(n) + 2) * abs) expect.fail(`exclusive f32 scan element ${i}: got ${rf[i]}, expected ${f64}`);
          acc = (acc + (is[i] ?? 0)) | 0;
          f64 += fs[i] ?? 0;
          abs += Math.abs(fs[i] ?? 0);
          if (!exclusive && ri[i] !== acc) expect.fail(`inclusive i32 scan element ${i}: got ${ri[i]}, expected ${acc}`);
          if (!exclusive && Math.abs((rf[i] ?? NaN) - f64) > 2 ** -24 * (Math.sqrt(n) + 2) * abs) expect.fail(`inclusive f32 scan element ${i}: got ${rf[i]}, expected ${f64}`);
        }
      }
    }
  });
});

describe('sort and sortPairs over several bindings and buffers', () => {
  test('f32 keys (with NaN, -0, ties) and i32 pairs: exact against a stable CPU sort', async () => {
    // sortPairs' software default has 2048 buckets (its kernels take ~15 s each to compile): 8-bit digits
    // exercise the same chunked passes.
    if (device.engine === 'dawn') pinParams(device.ctx, sortPairsTunable.op, { WG: 64, BLOCK: 4096, RADIX_BITS: 8 });
    for (const n of SIZES) {
      const fs = randomF32(n, 41, -1000, 1000).map((v) => Math.round(v * 4) / 4); // many ties
      fs[5] = NaN;
      fs[CHUNK + 3] = -0;
      fs[n - 1] = -Infinity;
      using x = device.array(fs);
      using s = gk.sort(x);
      const want = Float32Array.from(fs).sort((a, b) => (Number.isNaN(a) ? 1 : Number.isNaN(b) ? -1 : a - b)); // ±0 equal (NumPy's order)
      expectArrayEqual(await s.toArray(), want);

      const ks = randomI32(n, 42, 50); // heavy ties: stability shows in the values
      const vs = Uint32Array.from({ length: n }, (_, i) => i);
      using k = device.array(ks, 'i32');
      using v = device.array(vs, 'u32');
      const r = gk.sortPairs(k, v);
      using rk = r.keys;
      using rv = r.values;
      const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (ks[a] ?? 0) - (ks[b] ?? 0) || a - b);
      expectArrayEqual(await rk.toArray(), Int32Array.from(order, (i) => ks[i] ?? 0));
      expectArrayEqual(await rv.toArray(), Uint32Array.from(order));
    }
  });
});

describe('random over several bindings and buffers', () => {
  test('the Philox stream is the unchunked one bit for bit (u32, uniform), normal within 1e-6, at an odd offset', async () => {
    const n = SIZES[1] ?? 0;
    const opts = { seed: 1234, offset: 7 };
    using u = gk.random.u32(device, n, opts);
    using f = gk.random.uniform(device, n, opts);
    using z = gk.random.normal(device, n, opts);
    // The stream at offset 7 is the tail of the stream at offset 0 (a property of the op, on both engines:
    // gpujs runs the CPU reference itself, so the comparisons below check only Dawn's chunked kernel).
    using whole = gk.random.u32(device, n + 7, { seed: 1234 });
    const [ru, rf, rz, rw] = await Promise.all([u.toArray(), f.toArray(), z.toArray(), whole.toArray()]);
    expectArrayEqual(ru, rw.subarray(7));
    if (device.engine !== 'dawn') return;
    expectArrayEqual(ru, randomU32Cpu(n, 1234, 7));
    expectArrayEqual(rf, uniformCpu(n, 1234, 7));
    const zn = normalCpu(n, 1234, 7);
    for (let i = 0; i < n; i++) if (!(Math.abs((rz[i] ?? NaN) - (zn[i] ?? 0)) <= 1e-6)) expect.fail(`normal element ${i}: got ${rz[i]}, expected ${zn[i]}`);
  });
});

describe('matmul over several bindings and buffers', () => {
  test('a and the result split by rows (b whole), with and without transB: within the documented bound', async () => {
    const k = 33;
    const n = 20;
    const m = Math.ceil((SIZES[1] ?? 0) / k); // a spans two buffers; the result several bindings
    const as = randomF32(m * k, 51, -1, 1);
    const bs = randomF32(k * n, 52, -1, 1);
    using a = device.array(as, { shape: [m, k] });
    using b = device.array(bs, { shape: [k, n] });
    using bt = device.array(Float32Array.from({ length: k * n }, (_, t) => bs[(t % k) * n + Math.floor(t / k)] ?? 0), { shape: [n, k] });
    using c = gk.matmul(a, b);
    using ct = gk.matmul(a, bt.T);
    const { c: ref, mag } = matmulRef64(as, bs, m, k, n);
    const [rc, rct] = await Promise.all([c.toArray(), ct.toArray()]);
    for (const [name, got] of [['a·b', rc], ['a·(bᵀ)ᵀ', rct]] as const) {
      for (let i = 0; i < m * n; i++) {
        if (!(Math.abs((got[i] ?? NaN) - (ref[i] ?? 0)) <= 1e-4 * Math.sqrt(k) * (mag[i] ?? 0) + 1e-30)) expect.fail(`${name} element ${i}: got ${got[i]}, expected ${ref[i]}`);
      }
    }
  });

  test('b larger than one binding: tiles over k (a whole, or transposed), within the documented bound', async () => {
    const m = 3;
    const k = Math.floor(CHUNK / 3); // a fits one binding; b (k×7) does not
    const n = 7;
    const as = randomF32(m * k, 53, -1, 1);
    const bs = randomF32(k * n, 54, -1, 1);
    using a = device.array(as, { shape: [m, k] });
    using at = device.array(Float32Array.from({ length: m * k }, (_, t) => as[(t % m) * k + Math.floor(t / m)] ?? 0), { shape: [k, m] });
    using b = device.array(bs, { shape: [k, n] });
    using c = gk.matmul(a, b);
    using c2 = gk.matmul(at.T, b);
    const { c: ref, mag } = matmulRef64(as, bs, m, k, n);
    const [rc, rc2] = await Promise.all([c.toArray(), c2.toArray()]);
    for (const [name, got] of [['a·b', rc], ['(aᵀ)ᵀ·b', rc2]] as const) {
      for (let i = 0; i < m * n; i++) {
        if (!(Math.abs((got[i] ?? NaN) - (ref[i] ?? 0)) <= 1e-4 * Math.sqrt(k) * (mag[i] ?? 0))) expect.fail(`${name} element ${i}: got ${got[i]}, expected ${ref[i]}`);
      }
    }
  });

  test('a transposed b over one binding, or a large a with a large b, or a transposed large a: a LimitError saying why', () => {
    if (device.engine !== 'dawn') return; // host memory: nothing to split
    using a = device.zeros([4, CHUNK + 4]);
    using b = device.zeros([CHUNK + 4, 1]);
    expect(() => gk.matmul(a, b)).toThrow(gk.LimitError);
    expect(() => gk.matmul(a, b)).toThrow(/matmul: b .*along k only when b is not transposed and a fits one binding/);
    using small = device.zeros([2, CHUNK + 4]);
    using bt = device.zeros([3, CHUNK + 4]);
    expect(() => gk.matmul(small, bt.T)).toThrow(/matmul: b \(3×\d+, transposed\) is larger than one binding/);
    using t = device.zeros([4, CHUNK + 4]);
    using bb = device.zeros([4, 2]);
    expect(() => gk.matmul(t.T, bb)).toThrow(/matmul: a .*transposed/);
  });
});

describe('reductions, scans and softmax along the last axis over several bindings and buffers', () => {
  test('in blocks of whole rows: sum, max, argmax, var, softmax and scan against float64 references', async () => {
    const R = 37; // rows straddle chunk and buffer boundaries
    const rows = Math.ceil((SIZES[1] ?? 0) / R);
    const xs = randomF32(rows * R, 71, -3, 3);
    const is = randomI32(rows * R, 72, 100);
    using x = device.array(xs, { shape: [rows, R] });
    using xi = device.array(is, { shape: [rows, R] });
    using s = gk.sum(x, { axis: 1 });
    using mx = gk.max(x, { axis: -1 });
    using am = gk.argmax(x, { axis: 1 });
    using v = gk.variance(x, { axis: 1 });
    using sm = gk.softmax(x);
    using sc = gk.scan(xi, { axis: 1 });
    const [rs, rmx, ram, rv, rsm, rsc] = await Promise.all([s.toArray(), mx.toArray(), am.toArray(), v.toArray(), sm.toArray(), sc.toArray()]);
    for (let r = 0; r < rows; r++) {
      const row = Array.from(xs.subarray(r * R, (r + 1) * R));
      const sum = row.reduce((a, b) => a + b, 0);
      const abs = row.reduce((a, b) => a + Math.abs(b), 0);
      const mean = sum / R;
      const variance = row.reduce((a, b) => a + (b - mean) ** 2, 0) / R;
      const m = Math.max(...row);
      const e = row.map((t) => Math.exp(t - m));
      const es = e.reduce((a, b) => a + b, 0);
      if (!(Math.abs((rs[r] ?? NaN) - sum) <= R * 2 ** -23 * abs)) expect.fail(`sum row ${r}: got ${rs[r]}, expected ${sum}`);
      if (rmx[r] !== m) expect.fail(`max row ${r}: got ${rmx[r]}, expected ${m}`);
      if (ram[r] !== row.indexOf(m)) expect.fail(`argmax row ${r}: got ${ram[r]}, expected ${row.indexOf(m)}`);
      if (!(Math.abs((rv[r] ?? NaN) - variance) <= 1e-5 * (variance + 1))) expect.fail(`var row ${r}: got ${rv[r]}, expected ${variance}`);
      let acc = 0;
      for (let j = 0; j < R; j++) {
        const p = (e[j] ?? 0) / es;
        if (!(Math.abs((rsm[r * R + j] ?? NaN) - p) <= 1e-5 * p + 1e-7)) expect.fail(`softmax [${r}, ${j}]: got ${rsm[r * R + j]}, expected ${p}`);
        acc += is[r * R + j] ?? 0;
        if (rsc[r * R + j] !== acc) expect.fail(`scan [${r}, ${j}]: got ${rsc[r * R + j]}, expected ${acc}`);
      }
    }
  });
});

describe('take over several bindings and buffers', () => {
  test('flat and along axis 0 (rows of a table), indices and result split into blocks: exact', async () => {
    const n = SIZES[1] ?? 0;
    const table = randomF32(1000, 81, -5, 5);
    const ids = Int32Array.from(randomI32(n, 82, 1000), (v) => Math.abs(v) % 1000 - (v < 0 ? 1000 : 0)); // negatives count from the end
    using t = device.array(table);
    using i = device.array(ids, 'i32');
    using flat = gk.take(t, i);
    expectArrayEqual(await flat.toArray(), Float32Array.from(ids, (k) => table[k < 0 ? k + 1000 : k] ?? NaN));
    using rowsT = device.array(table, { shape: [250, 4] });
    const few = Int32Array.from(ids.subarray(0, Math.ceil(n / 3)), (k) => ((k % 250) + 250) % 250);
    using j = device.array(few, 'i32');
    using rows = gk.take(rowsT, j, 0);
    expect(rows.shape).toEqual([few.length, 4]);
    expectArrayEqual(await rows.toArray(), Float32Array.from({ length: few.length * 4 }, (_, e) => table[(few[Math.floor(e / 4)] ?? 0) * 4 + (e % 4)] ?? NaN));
    // An index out of range in the last block fails the whole result (every buffer of it), never a wrap.
    const bad = ids.slice();
    bad[n - 2] = 1000;
    using b = device.array(bad, 'i32');
    using failed = gk.take(t, b);
    await expect(failed.toArray()).rejects.toThrow(gk.ArgumentError);
  });
});

describe('scatterAdd and bincount over several bindings and buffers', () => {
  test('indices and values split into blocks, the target whole: integers exact, f32 within the sum bound', async () => {
    const n = SIZES[1] ?? 0;
    const ids = Int32Array.from(randomI32(n, 91, 1000), (v) => ((v % 97) + 97) % 97);
    const vi = randomI32(n, 92, 1000);
    const vf = randomF32(n, 93, -1, 1);
    using i = device.array(ids, 'i32');
    using ti = device.zeros(97, 'i32');
    using tf = device.zeros(97);
    using xi = device.array(vi, 'i32');
    using xf = device.array(vf);
    gk.scatterAdd(ti, i, xi);
    gk.scatterAdd(tf, i, xf);
    using counts = await gk.bincount(i, { minLength: 97 });
    const wi = new Int32Array(97);
    const wf = new Float64Array(97);
    const wa = new Float64Array(97);
    const wc = new Uint32Array(97);
    ids.forEach((k, j) => {
      wi[k] = ((wi[k] ?? 0) + (vi[j] ?? 0)) | 0;
      wf[k] = (wf[k] ?? 0) + (vf[j] ?? 0);
      wa[k] = (wa[k] ?? 0) + Math.abs(vf[j] ?? 0);
      wc[k] = (wc[k] ?? 0) + 1;
    });
    const [ri, rf, rc] = await Promise.all([ti.toArray(), tf.toArray(), counts.toArray()]);
    expectArrayEqual(ri, wi);
    expectArrayEqual(rc, wc);
    for (let k = 0; k < 97; k++) if (!(Math.abs((rf[k] ?? NaN) - (wf[k] ?? 0)) <= (wc[k] ?? 0) * 2 ** -23 * (wa[k] ?? 0))) expect.fail(`bin ${k}: got ${rf[k]}, expected ${wf[k]}`);
  });

  test('segmentSum and segmentMax of rows (values [m, 3]) by segment: exact for integers and max', async () => {
    const m = Math.ceil((SIZES[1] ?? 0) / 3);
    const ids = Int32Array.from(randomI32(m, 94, 1000), (v) => ((v % 13) + 13) % 13);
    const vs = randomI32(m * 3, 95, 1000);
    using i = device.array(ids, 'i32');
    using v = device.array(vs, { shape: [m, 3], dtype: 'i32' });
    using s = gk.segmentSum(v, i, 13);
    using mx = gk.segmentMax(v, i, 13);
    const ws = new Int32Array(13 * 3);
    const wm = new Int32Array(13 * 3).fill(-(2 ** 31));
    ids.forEach((k, r) => {
      for (let c = 0; c < 3; c++) {
        const x = vs[r * 3 + c] ?? 0;
        ws[k * 3 + c] = ((ws[k * 3 + c] ?? 0) + x) | 0;
        wm[k * 3 + c] = Math.max(wm[k * 3 + c] ?? 0, x);
      }
    });
    const [rs, rm] = await Promise.all([s.toArray(), mx.toArray()]);
    expectArrayEqual(rs, ws);
    expectArrayEqual(rm, wm);
  });
});

describe('fft over several bindings and buffers', () => {
  test('a batch of transforms split into blocks of whole transforms, against a float64 DFT', async () => {
    const n = 64;
    const batch = Math.ceil((SIZES[1] ?? 0) / (2 * n));
    const xs = randomF32(batch * 2 * n, 101, -1, 1);
    using x = device.array(xs);
    using f = gk.fft(x, { batch });
    using back = gk.ifft(f, { batch });
    const [rf, rb] = await Promise.all([f.toArray(), back.toArray()]);
    // Every 97th transform against a float64 DFT (max error / max|X| ≤ 4e-8·log2(n), documented), and the
    // round trip everywhere.
    for (let t = 0; t < batch; t += 97) {
      const re = new Float64Array(n);
      const im = new Float64Array(n);
      let peak = 0;
      for (let k = 0; k < n; k++) {
        for (let j = 0; j < n; j++) {
          const a = (-2 * Math.PI * j * k) / n;
          const xr = xs[(t * n + j) * 2] ?? 0;
          const xi = xs[(t * n + j) * 2 + 1] ?? 0;
          re[k] = (re[k] ?? 0) + xr * Math.cos(a) - xi * Math.sin(a);
          im[k] = (im[k] ?? 0) + xr * Math.sin(a) + xi * Math.cos(a);
        }
        peak = Math.max(peak, Math.hypot(re[k] ?? 0, im[k] ?? 0));
      }
      for (let k = 0; k < n; k++) {
        const er = Math.abs((rf[(t * n + k) * 2] ?? NaN) - (re[k] ?? 0));
        const ei = Math.abs((rf[(t * n + k) * 2 + 1] ?? NaN) - (im[k] ?? 0));
        if (!(Math.max(er, ei) <= 4e-8 * Math.log2(n) * peak)) expect.fail(`fft transform ${t} bin ${k}: error ${Math.max(er, ei)} (peak ${peak})`);
      }
    }
    for (let i = 0; i < xs.length; i++) if (!(Math.abs((rb[i] ?? NaN) - (xs[i] ?? 0)) <= 1e-5)) expect.fail(`ifft(fft(x)) element ${i}: got ${rb[i]}, expected ${xs[i]}`);
  });
});

describe('histogram over several bindings and buffers', () => {
  test('counts (and the outside counts) exact against the CPU reference', async () => {
    const n = SIZES[1] ?? 0;
    const xs = randomF32(n, 61, -1, 11);
    xs[7] = NaN;
    using x = device.array(xs);
    const h = gk.histogram(x, { bins: 10, lo: 0, hi: 10 });
    using counts = h.counts;
    using outside = h.outside;
    const want = new Uint32Array(10);
    const out = [0, 0, 0];
    for (const v of xs) {
      if (Number.isNaN(v)) out[2] = (out[2] ?? 0) + 1;
      else if (v < 0) out[0] = (out[0] ?? 0) + 1;
      else if (v > 10) out[1] = (out[1] ?? 0) + 1;
      else {
        const b = Math.min(9, Math.floor(v)); // bins of width 1; hi falls in the last bin
        want[b] = (want[b] ?? 0) + 1;
      }
    }
    expectArrayEqual(await counts.toArray(), want);
    expectArrayEqual(await outside.toArray(), Uint32Array.from(out));
  });
});

describe('ops that do not split their work yet', () => {
  test('take, scatterAdd, reductions and scans along an axis refuse an argument over one binding, naming the op', () => {
    if (device.engine !== 'dawn') return; // host memory: nothing to split
    using x = device.zeros(3 * CHUNK + 5);
    using idx4 = device.zeros(4, 'i32');
    using v4 = device.zeros(4);
    for (const [op, f] of [
      ['take', () => gk.take(x, idx4)],
      ['scatter', () => gk.scatterAdd(x, idx4, v4)],
    ] as const) {
      expect(f, op).toThrow(gk.LimitError);
      expect(f, op).toThrow(new RegExp(`^${op}.*exceeds the device limit maxStorageBufferBindingSize = ${BINDING}; this op does not split`));
    }
    // Whole-array prod/var (one row of every element) and a row longer than one binding.
    expect(() => gk.prod(x)).toThrow(/^prod: one row of \d+ elements is larger than one binding/);
    using wide = device.zeros([2, CHUNK + 4]);
    expect(() => gk.sum(wide, { axis: 1 })).toThrow(/^sum: one row of \d+ elements is larger than one binding/);
  });

  test('a reduction along axis 0 of an array over one binding: its rows are gathered window by window', async () => {
    if (device.engine !== 'dawn') return; // host memory: nothing to split
    const rows = CHUNK / 4 + 1;
    const host = Float32Array.from({ length: rows * 4 }, (_, i) => (i * 7) % 13); // sums exact in f32
    using m = device.array(host, 'f32', [rows, 4]);
    using s = gk.sum(m, { axis: 0 });
    const want = [0, 1, 2, 3].map((j) => {
      let t = 0;
      for (let r = 0; r < rows; r++) t += host[r * 4 + j] ?? NaN;
      return t;
    });
    expectArrayEqual(await s.toArray(), want);
  });
});
