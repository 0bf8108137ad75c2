/**
 * Integer matmul and tensordot (i32, u32), on both engines, bit-exact against NumPy's `np.matmul` /
 * `np.tensordot` of int32 / uint32 arrays: NumPy keeps the dtype and wraps modulo 2^32 (two's complement
 * for int32), and so does gpukit — the inputs reach the dtypes' extremes, so most products and sums wrap.
 * Shapes cross the 16×16 tiles' edges, transposed views take the kernels' flags, k = 0 gives zeros and an
 * empty side an empty result; batches broadcast. Mixed dtypes are the standard's refusals (DTypeError).
 */
import { describe, expect } from 'vitest';
import { DTypeError, matmul, tensordot, type DeviceArray } from '../../src/index.js';
import { expectArrayEqual, gpuTest } from '../fixture.js';
import { npOut, numpy, randomU32 } from './helpers.js';

interface Case {
  readonly m: number;
  readonly k: number;
  readonly n: number;
  readonly ta: boolean;
  readonly tb: boolean;
}

const CASES: readonly Case[] = [
  { m: 1, k: 1, n: 1, ta: false, tb: false },
  { m: 2, k: 3, n: 2, ta: false, tb: false },
  { m: 16, k: 16, n: 16, ta: false, tb: false },
  { m: 17, k: 33, n: 19, ta: false, tb: false },
  { m: 33, k: 20, n: 18, ta: true, tb: false },
  { m: 18, k: 21, n: 34, ta: false, tb: true },
  { m: 9, k: 40, n: 7, ta: true, tb: true },
  { m: 40, k: 7, n: 1, ta: false, tb: false }, // a column result
  { m: 1, k: 9, n: 40, ta: false, tb: true }, // a row
  { m: 5, k: 0, n: 3, ta: false, tb: false }, // k = 0: zeros
  { m: 0, k: 4, n: 3, ta: false, tb: false }, // empty
];

/** Values biased to the dtype's extremes: min, max, 0, ±1, and full-range random bits. */
function extremes(n: number, seed: number, dtype: 'i32' | 'u32'): Int32Array | Uint32Array {
  const bits = randomU32(n, seed);
  const edge = dtype === 'i32' ? [2147483647, -2147483648, 0, 1, -1, 2147483646, 65536, -65536] : [4294967295, 0, 1, 2147483648, 4294967294, 65536, 65535];
  const out = dtype === 'i32' ? new Int32Array(n) : new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const b = bits[i] ?? 0;
    out[i] = b % 3 === 0 ? (edge[b % edge.length] ?? 0) : b % 3 === 1 ? b : (b % 2001) - 1000 * (dtype === 'i32' ? 1 : 0);
  }
  return out;
}

const PY = `
import json
cases = json.loads(CASES)
for i, c in enumerate(cases):
    a = inp['a%d' % i].reshape((c['k'], c['m']) if c['ta'] else (c['m'], c['k']))
    b = inp['b%d' % i].reshape((c['n'], c['k']) if c['tb'] else (c['k'], c['n']))
    r = np.matmul(a.T if c['ta'] else a, b.T if c['tb'] else b)
    assert r.dtype == a.dtype, r.dtype  # NumPy keeps int32 / uint32 and wraps
    out['c%d' % i] = r
x = inp['x'].reshape(2, 3, 4); y = inp['y'].reshape(4, 5)
out['batch'] = np.matmul(x, y)                       # (2, 3, 4) @ (4, 5): y broadcast over the batch
out['vec'] = np.matmul(inp['y'][:4], y)              # 1-d @ 2-d: a row, its axis dropped
out['td1'] = np.tensordot(x, y, axes=1)
out['td2'] = np.tensordot(x, inp['x'].reshape(3, 4, 2), axes=2)
out['tdl'] = np.tensordot(x, inp['x'].reshape(2, 3, 4), axes=([0, 2], [0, 2]))
`;

describe('integer matmul wraps modulo 2^32 exactly as NumPy\'s int32 / uint32 matmul', () => {
  for (const dtype of ['i32', 'u32'] as const) {
    gpuTest(`${dtype}: 2-D products (tile edges, transposed views, k = 0, empty), batches, 1-d operands and tensordot, bit-exact against NumPy`, async ({ device }) => {
      const inputs: Record<string, Int32Array | Uint32Array> = {};
      CASES.forEach((c, i) => {
        inputs[`a${i}`] = extremes(c.m * c.k, 100 + i, dtype);
        inputs[`b${i}`] = extremes(c.k * c.n, 200 + i, dtype);
      });
      inputs['x'] = extremes(24, 7, dtype);
      inputs['y'] = extremes(20, 8, dtype);
      const ref = numpy(`CASES = ${JSON.stringify(JSON.stringify(CASES))}\n${PY}`, inputs);
      const made: DeviceArray[] = [];
      const up = (key: string, shape: number[]): DeviceArray => {
        const d = device.array(inputs[key] as Int32Array, { dtype, shape });
        made.push(d);
        return d;
      };
      try {
        for (const [i, c] of CASES.entries()) {
          const a = up(`a${i}`, c.ta ? [c.k, c.m] : [c.m, c.k]);
          const b = up(`b${i}`, c.tb ? [c.n, c.k] : [c.k, c.n]);
          using r = matmul(c.ta ? a.T : a, c.tb ? b.T : b);
          const what = `${c.m}×${c.k} · ${c.k}×${c.n}${c.ta ? ', a transposed' : ''}${c.tb ? ', b transposed' : ''}`;
          expect([r.dtype, r.shape], what).toEqual([dtype, [c.m, c.n]]);
          expectArrayEqual(await r.toArray(), npOut(ref, `c${i}`));
        }
        const x = up('x', [2, 3, 4]);
        const y = up('y', [4, 5]);
        using batch = matmul(x, y);
        expect([batch.dtype, batch.shape]).toEqual([dtype, [2, 3, 5]]);
        expectArrayEqual(await batch.toArray(), npOut(ref, 'batch'));
        using y4 = y.reshape(-1).slice([0, 4]);
        using vec = matmul(y4, y);
        expect(vec.shape).toEqual([5]);
        expectArrayEqual(await vec.toArray(), npOut(ref, 'vec'));
        using td1 = tensordot(x, y, { axes: 1 });
        expect([td1.dtype, td1.shape]).toEqual([dtype, [2, 3, 5]]);
        expectArrayEqual(await td1.toArray(), npOut(ref, 'td1'));
        using z = x.reshape(3, 4, 2);
        using td2 = tensordot(x, z, { axes: 2 });
        expect(td2.shape).toEqual([2, 2]);
        expectArrayEqual(await td2.toArray(), npOut(ref, 'td2'));
        using tdl = tensordot(x, x, { axes: [[0, 2], [0, 2]] });
        expect(tdl.shape).toEqual([3, 3]);
        expectArrayEqual(await tdl.toArray(), npOut(ref, 'tdl'));
      } finally {
        for (const d of made) d.destroy();
      }
    });
  }

  gpuTest('the extremes by hand: 2147483647² + 1 wraps to 2, (−2^31)·(−1) to −2^31, (2^32 − 1)² to 1', async ({ device }) => {
    using a = device.array([[2147483647, 1]], { dtype: 'i32' });
    using w = matmul(a, a.T);
    expectArrayEqual(await w.toArray(), [2]); // (2^31 − 1)² = 2^62 − 2^32 + 1 ≡ 1 (mod 2^32), plus 1·1
    using m = device.array([[-2147483648]], { dtype: 'i32' });
    using n1 = device.array([[-1]], { dtype: 'i32' });
    using p = matmul(m, n1);
    expectArrayEqual(await p.toArray(), [-2147483648]);
    using u = device.array([[4294967295]], { dtype: 'u32' });
    using q = matmul(u, u);
    expect(q.dtype).toBe('u32');
    expectArrayEqual(await q.toArray(), [1]);
  });

  gpuTest('the standard\'s refusals: i32 with u32 (int64), an integer with f32, bool: DTypeErrors before any allocation', ({ device }) => {
    using i = device.array([[1, 2]], { dtype: 'i32' });
    using u = device.array([[1], [2]], { dtype: 'u32' });
    using f = device.array([[1], [2]]);
    using b = device.array([[true], [false]], { dtype: 'bool' });
    const before = device.memory.inUseBytes;
    expect(() => matmul(i, u)).toThrow(DTypeError);
    expect(() => matmul(i, u)).toThrow(/^matmul: cannot combine i32 and u32: .*int64/);
    expect(() => matmul(i, f)).toThrow(/^matmul: cannot combine i32 and f32/);
    expect(() => matmul(b, b.T as never)).toThrow(/^matmul: a has dtype bool/);
    expect(() => tensordot(i, u as never, { axes: 1 })).toThrow(DTypeError);
    expect(device.memory.inUseBytes).toBe(before);
  });
});
