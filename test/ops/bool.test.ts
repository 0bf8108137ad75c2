/**
 * The bool dtype on both engines: creation (booleans; 0/1 only with the explicit dtype), readback as a
 * Uint8Array of 0/1, comparisons and predicates returning bool, where with a bool condition (broadcasting all
 * three, promoting a and b), astype to and from bool against NumPy, and a DTypeError naming the op from every
 * op that cannot take bool (never a bool array holding other words).
 */
import { describe, expect } from 'vitest';
import * as gk from '../../src/index.js';
import { ArgumentError, DTypeError, type DeviceArray } from '../../src/index.js';
import { expectArrayEqual, gpuTest } from '../fixture.js';
import { numpy, npOut } from './helpers.js';

describe('bool arrays (both engines)', () => {
  gpuTest('creation and readback: booleans, 0/1 with the dtype named, Uint8Array back; anything else refused', async ({ device }) => {
    using a = device.array([true, false, true]);
    expect(a.dtype).toBe('bool');
    const back = await a.toArray();
    expect(back).toBeInstanceOf(Uint8Array);
    expect(Array.from(back)).toEqual([1, 0, 1]);
    using b = device.array([0, 1, 1], { dtype: 'bool' });
    expect(Array.from(await b.toArray())).toEqual([0, 1, 1]);
    using c = device.array(Uint8Array.from([1, 0]) as never, { dtype: 'bool' });
    expect(Array.from(await c.toArray())).toEqual([1, 0]);
    const out = new Uint8Array(3);
    await a.toArray(out);
    expect(Array.from(out)).toEqual([1, 0, 1]);
    await expect(a.toArray(new Uint32Array(3) as never)).rejects.toThrow(DTypeError);
    using f = device.full([2, 2], true);
    expect(f.dtype).toBe('bool');
    expect(Array.from(await f.toArray())).toEqual([1, 1, 1, 1]);
    expect(() => device.array([2], { dtype: 'bool' })).toThrow(DTypeError);
    expect(() => device.array([0.5], { dtype: 'bool' })).toThrow(DTypeError);
    expect(() => device.array([true, 1] as never)).toThrow(DTypeError);
    expect(() => device.array([true] as never, { dtype: 'f32' })).toThrow(DTypeError);
    expect(() => device.full([2], true as never, { dtype: 'i32' })).toThrow(DTypeError);
  });

  gpuTest('comparisons, predicates and logical functions return bool; where takes it, broadcasting and promoting', async ({ device }) => {
    const xh = Float32Array.from([1, NaN, -2, 0, Infinity, 3]);
    using x = device.array(xh, { shape: [2, 3] });
    const ref = numpy(
      `
x = inp['x'].reshape(2, 3)
m = x > 0
out['gt'] = m; out['nan'] = np.isnan(x); out['fin'] = np.isfinite(x); out['not'] = ~m
out['and'] = m & np.isfinite(x); out['xor'] = m ^ np.array([True, False, True])
out['where'] = np.where(m, x, np.float32(-1)); out['wrow'] = np.where(np.array([True, False, True]), x, np.float32(0))
out['tof'] = m.astype(np.float32); out['toi'] = m.astype(np.int32); out['fromf'] = x.astype(bool)
`,
      { x: xh },
    );
    using m = gk.greater(x, 0);
    expect(m.dtype).toBe('bool');
    const u32 = async (a: DeviceArray): Promise<Uint32Array> => Uint32Array.from(await a.toArray());
    expectArrayEqual(await u32(m), npOut(ref, 'gt'));
    using n = gk.isnan(x);
    expectArrayEqual(await u32(n), npOut(ref, 'nan'));
    using fin = gk.isfinite(x);
    expectArrayEqual(await u32(fin), npOut(ref, 'fin'));
    using not = gk.logicalNot(m);
    expectArrayEqual(await u32(not), npOut(ref, 'not'));
    using and = gk.logicalAnd(m, fin);
    expectArrayEqual(await u32(and), npOut(ref, 'and'));
    using row = device.array([true, false, true]);
    using xor = gk.logicalXor(m, row);
    expectArrayEqual(await u32(xor), npOut(ref, 'xor'));
    using or = gk.logicalOr(m, true);
    expect(Array.from(await or.toArray())).toEqual([1, 1, 1, 1, 1, 1]);
    using w = gk.where(m, x, -1);
    expectArrayEqual(await w.toArray(), npOut(ref, 'where'));
    using wr = gk.where(row, x, 0);
    expectArrayEqual(await wr.toArray(), npOut(ref, 'wrow'));
    using tf = gk.astype(m, 'f32');
    expectArrayEqual(await tf.toArray(), npOut(ref, 'tof'));
    using ti = gk.astype(m, 'i32');
    expectArrayEqual(await ti.toArray(), npOut(ref, 'toi'));
    using fb = gk.astype(x, 'bool');
    expectArrayEqual(await u32(fb), npOut(ref, 'fromf'));
    // The deprecated u32 condition still works; a float condition, or a and b of no common dtype, do not.
    using mu = gk.astype(m, 'u32');
    using wu = gk.where(mu, x, -1);
    expectArrayEqual(await wu.toArray(), npOut(ref, 'where'));
    using i = device.array(Int32Array.from([1, 2, 3]));
    expect(() => gk.where(x as never, x, x)).toThrow(DTypeError);
    expect(() => gk.where(m, x, i)).toThrow(/where: cannot combine f32 and i32/);
    expect(() => gk.where(m, 1, 2)).toThrow(ArgumentError);
  });

  gpuTest('ops that cannot take bool raise a DTypeError naming the op (never a bool array holding other words)', async ({ device }) => {
    using b = device.array([true, false, true, true]);
    using b2 = device.array([true, false, true, false, true, true], { dtype: 'bool', shape: [2, 3] });
    using idx = device.array(Int32Array.from([0, 1, 2, 1]));
    const refused: [string, () => unknown][] = [
      ['sum', () => gk.sum(b)],
      ['min', () => gk.min(b)],
      ['max', () => gk.max(b)],
      ['dot', () => gk.dot(b, b)],
      ['prod', () => gk.prod(b2, { axis: 0 })],
      ['scan', () => gk.scan(b)],
      ['sort', () => gk.sort(b)],
      ['scale', () => gk.scale(b, 2)],
      ['axpy', () => gk.axpy(2, b, b)],
      ['map', () => gk.map(b, 'x + 1u')],
      ['add', () => gk.add(b, b)],
      ['negative', () => gk.negative(b)],
      ['exp', () => gk.exp(b)],
      ['less', () => gk.less(b, b)],
      ['clip', () => gk.clip(b, 0, 1)],
      ['argmax', () => gk.argmax(b)],
    ];
    for (const [name, f] of refused) {
      expect(f, name).toThrow(DTypeError);
      expect(f, name).toThrow(new RegExp(`^(${name}|neg|lt|map\\(.*\\)):`));
    }
    // Still 0/1 after all the refusals (nothing wrote into b).
    expect(Array.from(await b.toArray())).toEqual([1, 0, 1, 1]);
    // What moves bits works: copies, views, equality, bitwise functions.
    using t = b2.transpose().contiguous();
    expect(Array.from(await t.toArray())).toEqual([1, 0, 0, 1, 1, 1]);
    using e = gk.equal(b, true);
    expect(Array.from(await e.toArray())).toEqual([1, 0, 1, 1]);
    using inv = gk.bitwiseInvert(b);
    expect(Array.from(await inv.toArray())).toEqual([0, 1, 0, 0]);
    using picked = gk.take(b, idx); // take moves words: bool stays bool
    expect(picked.dtype).toBe('bool');
    expect(Array.from(await picked.toArray())).toEqual([1, 0, 1, 0]);
  });
});
