/**
 * Column and n-d broadcasts (issue 26 item 4): an input whose dimensions other than 1 are one run of the
 * output's (`(r, 1)` over `(r, c)`, `(1, b, 1)` over `(a, b, c)`, `(a, 1, 1)` over `(a, b, c)`) is read in
 * place on Dawn at (j / q) mod m, the index kept incrementally, on the vec4 variant (q a multiple of 4) and
 * the scalar one; other broadcasts (two runs, views) are still gathered. Checked against NumPy on both
 * engines, with shapes with 0, 1 and odd extents, q smaller and larger than a workgroup's step, the column
 * on either side, an `out` array, and non-contiguous operands; a column or row larger than one binding
 * (lowered limits: left to the chunked gather, as it must be bound whole otherwise); and on Dawn, that the
 * column is no longer gathered (no strided-copy dispatch: that fails on the code before, which gathered it
 * to full size).
 */
import { describe, expect } from 'vitest';
import { add, mul, sub } from '../../src/index.js';
import { expectArrayEqual, gpuTest } from '../fixture.js';
import { openChunked } from '../chunked-device.js';
import { npOut, numpy, randomF32, randomI32 } from './helpers.js';

const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

const CASES: readonly { x: number[]; y: number[] }[] = [
  { x: [513, 64], y: [513, 1] }, // q = 64: vec4 variant
  { x: [700, 1027], y: [700, 1] }, // q odd: scalar variant
  { x: [9, 3], y: [9, 1] }, // q = 3 < a workgroup's step
  { x: [2, 3], y: [2, 1] }, // m < (WG / q)
  { x: [3, 5000], y: [3, 1] }, // q larger than a workgroup's items
  { x: [5, 6, 7], y: [1, 6, 1] }, // a run in the middle
  { x: [4, 6, 8], y: [6, 1] }, // the same, leading 1 implied (q = 8: vec4)
  { x: [7, 3, 5], y: [7, 1, 1] }, // leading run, q = 15
  { x: [1, 1], y: [1, 5] }, // a row the other way round (the output is the y side's shape)
  { x: [4, 5], y: [4, 1] },
  { x: [3, 0], y: [3, 1] }, // empty output
  { x: [0, 4], y: [0, 1] }, // empty output, empty column
  { x: [1, 9], y: [1, 1] }, // one element
  { x: [5, 1, 7], y: [5, 6, 1] }, // both sides broadcast: x a row-ish run, y a leading run (q = 7)
  { x: [5, 6, 7], y: [5, 1, 7] }, // two runs: gathered
];

describe('column and n-d broadcasts read in place', () => {
  gpuTest('add, sub and mul with a column operand on either side match NumPy (f32 and i32, exact)', async ({ device }) => {
    const inputs: Record<string, Float32Array | Int32Array> = {};
    let code = '';
    CASES.forEach((c, k) => {
      inputs[`x${k}`] = randomF32(size(c.x), 170 + k);
      inputs[`y${k}`] = randomF32(size(c.y), 180 + k);
      inputs[`p${k}`] = randomI32(size(c.x), 270 + k);
      inputs[`q${k}`] = randomI32(size(c.y), 280 + k);
      code += `x = inp['x${k}'].reshape(${c.x.join(', ')},); y = inp['y${k}'].reshape(${c.y.join(', ')},)\n`;
      code += `p = inp['p${k}'].reshape(${c.x.join(', ')},); q = inp['q${k}'].reshape(${c.y.join(', ')},)\n`;
      code += `out['a${k}'] = x + y; out['s${k}'] = y - x; out['m${k}'] = x * y; out['i${k}'] = (q - p).astype(np.int32)\n`;
    });
    const r = numpy(code, inputs);
    for (const [k, c] of CASES.entries()) {
      using x = device.array(inputs[`x${k}`] ?? [], { shape: c.x });
      using y = device.array(inputs[`y${k}`] ?? [], { shape: c.y });
      using p = device.array(inputs[`p${k}`] ?? new Int32Array(), { shape: c.x, dtype: 'i32' });
      using q = device.array(inputs[`q${k}`] ?? new Int32Array(), { shape: c.y, dtype: 'i32' });
      using a = add(x, y);
      using s = sub(y, x);
      using m = mul(x, y);
      using i = sub(q, p);
      // NumPy's rule, the shorter shape padded with leading 1s: an extent 1 takes the other side's.
      const shape = c.x.map((e, d) => (e === 1 ? (c.y[d - (c.x.length - c.y.length)] ?? 1) : e));
      expect(a.shape, JSON.stringify(c)).toEqual(c.y.length > c.x.length ? c.y : shape);
      expectArrayEqual(await a.toArray(), npOut(r, `a${k}`));
      expectArrayEqual(await s.toArray(), npOut(r, `s${k}`));
      expectArrayEqual(await m.toArray(), npOut(r, `m${k}`));
      expectArrayEqual(await i.toArray(), npOut(r, `i${k}`));
    }
  });

  gpuTest('into an out array, and with non-contiguous operands (a transposed matrix, a strided column view)', async ({ device }) => {
    const [R, C] = [37, 44];
    const ah = randomF32(R * C, 11);
    const bh = randomF32(C * R, 12);
    const ch = randomF32(R * 3, 13);
    const r = numpy(
      `a = inp['a'].reshape(${R}, ${C}); b = inp['b'].reshape(${C}, ${R}); c = inp['c'].reshape(${R}, 3)
out['o'] = a + c[:, 1:2]; out['t'] = b.T * c[:, 2:3]; out['u'] = c[::-1, 0:1] - a[:, ::2]; out['w'] = b.T + a[:, 0:1]`,
      { a: ah, b: bh, c: ch },
    );
    using a = device.array(ah, { shape: [R, C] });
    using b = device.array(bh, { shape: [C, R] });
    using c = device.array(ch, { shape: [R, 3] });
    using c1 = c.slice(null, [1, 2]); // a [R, 1] view with row stride 3
    using c2 = c.slice(null, [2, 3]);
    using o = device.zeros([R, C]);
    expect(add(a, c1, o)).toBe(o);
    expectArrayEqual(await o.toArray(), npOut(r, 'o'));
    using t = mul(b.T, c2);
    expectArrayEqual(await t.toArray(), npOut(r, 't'));
    using u = sub(c.slice([null, null, -1], [0, 1]), a.slice(null, [null, null, 2]));
    expectArrayEqual(await u.toArray(), npOut(r, 'u'));
    // In place: o += col (a plain column read in place while o is read and written).
    using colp = c1.contiguous();
    expect(add(o, colp, o)).toBe(o);
    const twice = Float32Array.from(npOut(r, 'o'), (v, e) => Math.fround(v + (ch[Math.floor(e / C) * 3 + 1] ?? NaN)));
    expectArrayEqual(await o.toArray(), twice);
    using a0 = a.slice(null, [0, 1]).contiguous(); // a plain [R, 1] column against a transposed view
    using w = add(b.T, a0);
    expectArrayEqual(await w.toArray(), npOut(r, 'w'));
  });

  gpuTest('a column or a row larger than one binding (64 KiB bindings): exact, chunk by chunk', async () => {
    await using d = await openChunked();
    const M = 3 * 16_384 + 5; // 3 chunks of f32 and 5
    const ch = randomF32(M, 61, -10, 10);
    const rh = randomF32(2, 62, -10, 10);
    for (const [cs, rs] of [[[M, 1], [1, 2]], [[1, M], [2, 1]], [[M], [2, 1]]] as const) {
      using c = d.array(ch, { shape: [...cs] });
      using r = d.array(rh, { shape: [...rs] });
      using o = sub(c, r);
      const column = cs[1] === 1;
      expect(o.shape).toEqual(column ? [M, 2] : [2, M]);
      const want = Float32Array.from({ length: 2 * M }, (_, e) => (column ? Math.fround((ch[e >> 1] ?? NaN) - (rh[e & 1] ?? NaN)) : Math.fround((ch[e % M] ?? NaN) - (rh[Math.floor(e / M)] ?? NaN))));
      expectArrayEqual(await o.toArray(), want);
    }
  });

  gpuTest('a plain column is read in place: no strided-copy gather of it (Dawn)', async ({ device }) => {
    if (device.info.engine !== 'dawn') return;
    const [R, C] = [256, 128];
    using x = device.array(randomF32(R * C, 21), { shape: [R, C] });
    using col = device.array(randomF32(R, 22), { shape: [R, 1] });
    using mid = device.array(randomF32(8, 23), { shape: [8, 1] });
    using x3 = device.array(randomF32(4 * 8 * 16, 24), { shape: [4, 8, 16] });
    const p = await device.profile(async () => {
      using a = add(x, col);
      using b = mul(x3, mid);
      await a.toArray();
      await b.toArray();
    });
    expect(p.kernels.map((k) => k.label).filter((l) => /strided-copy/.test(l))).toEqual([]);
  });
});
