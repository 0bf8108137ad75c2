/**
 * Elementwise ops and builders read an input broadcast along leading dimensions only (a bias row over a
 * matrix: `(r, c) + (c,)`, `(a, b, c) * (1, b, c)`, a one-element array) in place, at j mod its size, with
 * the index kept incrementally across each invocation's items, on Dawn's vec4 and scalar variants. Checked
 * against NumPy at shapes that span many workgroups, with row sizes that are and are not multiples of 4,
 * smaller and larger than a workgroup; the general broadcast path ((n, 1) columns) runs alongside.
 */
import { describe, expect } from 'vitest';
import { add, mul, sub, type DeviceArray } from '../../src/index.js';
import { expectArrayEqual, gpuTest } from '../fixture.js';
import { npOut, numpy, randomF32, randomI32 } from './helpers.js';

const CASES: readonly { x: number[]; y: number[] }[] = [
  { x: [4096, 12], y: [12] }, // m % 4 == 0, m < any workgroup
  { x: [700, 1027], y: [1027] }, // m % 4 != 0: scalar variant; m > a workgroup's items
  { x: [33, 1024], y: [1, 1024] }, // leading 1
  { x: [5, 7, 3], y: [7, 3] }, // 3-D, m = 21
  { x: [3000, 3], y: [1] }, // one element (m = 1)
  { x: [9000], y: [1, 1, 9000] }, // leading 1s on the smaller side: the output is 3-D
];

describe('row broadcasts read in place', () => {
  gpuTest('add, sub and mul with a repeated operand on either side match NumPy', async ({ device }) => {
    const inputs: Record<string, Float32Array> = {};
    let code = '';
    CASES.forEach((c, k) => {
      inputs[`x${k}`] = randomF32(c.x.reduce((a, b) => a * b, 1), 70 + k);
      inputs[`y${k}`] = randomF32(c.y.reduce((a, b) => a * b, 1), 80 + k);
      code += `x = inp['x${k}'].reshape(${c.x.join(', ')},); y = inp['y${k}'].reshape(${c.y.join(', ')},)\n`;
      code += `out['a${k}'] = x + y; out['s${k}'] = y - x; out['m${k}'] = x * y\n`;
    });
    const r = numpy(code, inputs);
    for (const [k, c] of CASES.entries()) {
      using x = device.array(inputs[`x${k}`] ?? [], { shape: c.x });
      using y = device.array(inputs[`y${k}`] ?? [], { shape: c.y });
      using a = add(x, y);
      using s = sub(y, x);
      using m = mul(x, y);
      const shape = c.y.length > c.x.length ? c.y : c.x;
      expect(a.shape).toEqual(shape);
      expectArrayEqual(await a.toArray(), npOut(r, `a${k}`));
      expectArrayEqual(await s.toArray(), npOut(r, `s${k}`));
      expectArrayEqual(await m.toArray(), npOut(r, `m${k}`));
    }
  });

  gpuTest('a builder with two repeated inputs, a column broadcast and a full one, i32 exact', async ({ device }) => {
    const [R, C] = [613, 20];
    const xh = randomI32(R * C, 91);
    const rh = randomI32(C, 92);
    const sh = randomI32(1, 93);
    const ch = randomI32(R, 94);
    const k = await device.elementwise({ name: 'mix4', args: 'x: T[], r: T[], s: T[], c: T[], out: T[]', body: 'out = x * r + s - c' });
    using x = device.array(xh, { shape: [R, C] });
    using rr = device.array(rh);
    using s = device.array(sh);
    using c = device.array(ch, { shape: [R, 1] });
    using out = k({ x, r: rr, s, c }) as DeviceArray;
    const ref = Array.from(xh, (v, i) => (Math.imul(v, rh[i % C] ?? 0) + (sh[0] ?? 0) - (ch[Math.floor(i / C)] ?? 0)) | 0);
    expectArrayEqual(await out.toArray(), ref);
  });
});
