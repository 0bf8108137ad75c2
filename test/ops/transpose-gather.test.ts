/**
 * `contiguous()` / `copy()` of a transposed view (issue 26 item 4): a view whose last two axes are a
 * contiguous array's swapped (`a.T`, `x.transpose(0, 2, 1)`, the transpose of a row slice) is gathered on
 * Dawn by the tiled transpose kernel, a stack of matrices in one dispatch, instead of element by element.
 * Checked exactly against NumPy on both engines (f32, i32, u32 bit patterns) at shapes with 1 and odd
 * extents, empty ones, stacks, offsets that do and do not start a binding window, and permutations that
 * are not a last-two-axes swap (still the general gather); and on Dawn, that the transpose kernel ran and
 * the strided copy did not (which fails on the code before: every transposed view went through the strided copy).
 */
import { describe, expect } from 'vitest';
import { copy } from '../../src/index.js';
import { expectArrayEqual, gpuTest } from '../fixture.js';
import { npOut, numpy, randomF32, randomI32, randomU32 } from './helpers.js';

const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

/** Base shapes and the view taken of them (as NumPy code on `x`, and on the DeviceArray). */
const CASES: readonly { shape: number[]; np: string; view: (x: import('../../src/index.js').DeviceArray) => import('../../src/index.js').DeviceArray }[] = [
  { shape: [37, 53], np: 'x.T', view: (x) => x.T },
  { shape: [64, 128], np: 'x.T', view: (x) => x.T },
  { shape: [2, 2], np: 'x.T', view: (x) => x.T },
  { shape: [1, 9], np: 'x.T', view: (x) => x.T }, // a vector: contiguous already
  { shape: [9, 1], np: 'x.T', view: (x) => x.T },
  { shape: [0, 5], np: 'x.T', view: (x) => x.T },
  { shape: [5, 0], np: 'x.T', view: (x) => x.T },
  { shape: [3, 17, 11], np: 'x.transpose(0, 2, 1)', view: (x) => x.transpose(0, 2, 1) },
  { shape: [2, 3, 4, 5], np: 'x.transpose(0, 1, 3, 2)', view: (x) => x.transpose(0, 1, 3, 2) },
  { shape: [3, 17, 11], np: 'x.transpose(1, 0, 2)', view: (x) => x.transpose(1, 0, 2) }, // not a last-two swap
  { shape: [3, 17, 11], np: 'x.T', view: (x) => x.T }, // all axes reversed: general gather
  { shape: [40, 32], np: 'x[8:24].T', view: (x) => x.slice([8, 24]).T }, // offset 256 elements (1 KiB): a window
  { shape: [40, 30], np: 'x[1:7].T', view: (x) => x.slice([1, 7]).T }, // offset 30: no binding starts there
  { shape: [40, 30], np: 'x[:, 2:9].T', view: (x) => x.slice(null, [2, 9]).T }, // not contiguous: general gather
  { shape: [6, 7, 5], np: 'x[2:4].transpose(0, 2, 1)', view: (x) => x.slice([2, 4]).transpose(0, 2, 1) }, // offset 70
];

describe('transposed views gathered by the transpose kernel', () => {
  gpuTest('contiguous() and copy() match NumPy exactly for f32, i32 and u32', async ({ device }) => {
    const inputs: Record<string, Float32Array | Int32Array | Uint32Array> = {};
    let code = '';
    CASES.forEach((c, k) => {
      const n = size(c.shape);
      inputs[`f${k}`] = randomF32(n, 300 + k);
      inputs[`i${k}`] = randomI32(n, 400 + k);
      inputs[`u${k}`] = randomU32(n, 500 + k);
      for (const t of ['f', 'i', 'u']) code += `x = inp['${t}${k}'].reshape(${c.shape.join(', ')},); out['${t}${k}'] = np.ascontiguousarray(${c.np})\n`;
    });
    const r = numpy(code, inputs);
    for (const [k, c] of CASES.entries()) {
      for (const [t, dtype] of [['f', 'f32'], ['i', 'i32'], ['u', 'u32']] as const) {
        using x = device.array(inputs[`${t}${k}`] ?? [], { shape: c.shape, dtype });
        using v = c.view(x);
        using g = v.contiguous();
        using h = copy(v);
        const want = npOut(r, `${t}${k}`);
        expect(g.shape, c.np).toEqual(v.shape);
        expect(g.isPlain).toBe(true);
        expectArrayEqual(await g.toArray(), want);
        expectArrayEqual(await h.toArray(), want);
      }
    }
  });

  gpuTest('a transposed matrix and a stack of them run the transpose kernel, not the strided copy (Dawn)', async ({ device }) => {
    if (device.info.engine !== 'dawn') return;
    using a = device.array(randomF32(96 * 80, 31), { shape: [96, 80] });
    using s = device.array(randomI32(4 * 24 * 40, 32), { shape: [4, 24, 40], dtype: 'i32' });
    using at = a.T;
    using st = s.transpose(0, 2, 1);
    const p = await device.profile(async () => {
      using x = at.contiguous();
      using y = st.contiguous();
      await x.toArray();
      await y.toArray();
    });
    const labels = p.kernels.map((k) => k.label);
    expect(labels.filter((l) => /strided-copy/.test(l))).toEqual([]);
    expect(p.kernels.filter((k) => /transpose/.test(k.label)).reduce((t, k) => t + k.dispatches, 0)).toBe(2);
  });

  gpuTest('bits are moved, not values: NaN payloads, -0 and ±Inf of f32 come back bit for bit', async ({ device }) => {
    const bits = Uint32Array.from({ length: 6 * 5 }, (_, i) => [0x7fa00001, 0xffc12345, 0x80000000, 0x7f800000, 0xff800000, 0x3f800000 + i][i % 6] ?? 0);
    using x = device.array(new Float32Array(bits.buffer), { shape: [6, 5] });
    using t = x.T.contiguous();
    const got = new Uint32Array((await t.toArray()).buffer);
    expectArrayEqual(got, Uint32Array.from({ length: 30 }, (_, e) => bits[(e % 6) * 5 + Math.floor(e / 6)] ?? 0));
  });
});
