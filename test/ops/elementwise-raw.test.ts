/**
 * Raw arguments of `device.elementwise()` (CuPy's `raw`): an array declared `b: raw T[]` is not broadcast and
 * the body indexes it (`b[i % cols]`); `_ind(d)` is the output's index along dimension d; `{ size }` gives
 * the output's shape when every array argument is raw. The same calls on both engines, against references
 * written here (exact f32 rounding) and NumPy; errors are typed and point into the body.
 */
import { describe, expect } from 'vitest';
import { ArgumentError, ShapeError, ShaderCompileError, type DeviceArray } from '../../src/index.js';
import { expectArrayEqual, gpuTest } from '../fixture.js';
import { npOut, numpy, randomF32, randomI32 } from './helpers.js';

const f = Math.fround;

/** The first diagnostic of the ShaderCompileError that `fn` rejects with (fails the test if another error comes). */
async function diagnostic(fn: () => Promise<unknown>): Promise<{ line: number; column: number; message: string }> {
  try {
    await fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ShaderCompileError);
    const d = (e as ShaderCompileError).diagnostics[0];
    if (d === undefined) return expect.fail('no diagnostic');
    return d;
  }
  return expect.fail('did not throw');
}

describe('raw arguments of device.elementwise()', () => {
  for (const [rows, cols] of [[1, 1], [3, 5], [65, 17], [7, 1024]] as const) {
    gpuTest(`bias add out = x + b[i % cols] at (${rows}, ${cols}), b a strided view`, async ({ device }) => {
      const xh = randomF32(rows * cols, 31 + cols);
      const bigh = randomF32(2 * cols, 32 + cols);
      const k = await device.elementwise({ name: 'bias', args: 'x: T[], b: raw T[], out: T[], cols: u32', body: 'out = x + b[i % cols]' });
      using x = device.array(xh, { shape: [rows, cols] });
      using big = device.array(bigh);
      const b = big.slice([1, null, 2]); // every other element from 1: read at its logical index
      using out = k({ x, b, cols }) as DeviceArray;
      expect(out.shape).toEqual([rows, cols]);
      expectArrayEqual(await out.toArray(), Array.from(xh, (v, i) => f(v + (bigh[1 + 2 * (i % cols)] ?? NaN))));
    });
  }

  gpuTest('gather out = t[u32(idx)] follows NumPy t[idx]; out takes idx\'s shape', async ({ device }) => {
    const th = randomF32(300, 41);
    const ih = randomI32(6 * 35, 42, 150).map((v) => v + 150);
    const k = await device.elementwise({ name: 'gather', args: 't: raw T[], idx: i32[], out: T[]', body: 'out = t[u32(idx)]' });
    using t = device.array(th);
    using idx = device.array(ih, { shape: [6, 35] });
    using out = k({ t, idx }) as DeviceArray;
    expect(out.shape).toEqual([6, 35]);
    expectArrayEqual(await out.toArray(), npOut(numpy('out["g"] = inp["t"][inp["idx"]]', { t: th, idx: ih }), 'g'));
  });

  gpuTest('the n-d index _ind(d): a raw transpose with { size } (all arrays raw) matches NumPy t.T', async ({ device }) => {
    const [rows, cols] = [37, 70];
    const th = randomF32(rows * cols, 51);
    const k = await device.elementwise({ name: 'rawT', args: 't: raw T[], out: T[], cols: u32', body: 'out = t[_ind(1) * cols + _ind(0)]' });
    using t = device.array(th, { shape: [rows, cols] });
    using out = k({ t, cols }, { size: [cols, rows] }) as DeviceArray;
    expect(out.shape).toEqual([cols, rows]);
    expectArrayEqual(await out.toArray(), npOut(numpy('out["t"] = inp["t"].reshape(37, 70).T', { t: th }), 't'));
    // Positional arguments take the options last too; a number is a 1-D size.
    const rev = await device.elementwise({ name: 'rev', args: 't: raw T[], out: T[]', body: 'out = t[n - 1u - i]' });
    using r = rev(t, { size: 5 }) as DeviceArray;
    expectArrayEqual(await r.toArray(), Array.from({ length: 5 }, (_, i) => th[4 - i] ?? NaN));
  });

  gpuTest('_ind(d) over a broadcast (4, 3, 5) output; dimensions past the rank read 0', async ({ device }) => {
    const shape = [4, 3, 5];
    const xh = randomF32(3 * 5, 61);
    const k = await device.elementwise({
      name: 'ind',
      args: 'x: T[], z: T[], out: T[], w: u32[]',
      body: 'out = f32(_ind(0)) * 100.0 + f32(_ind(1)) * 10.0 + f32(_ind(2)) + x + z;\nw = _ind(3) + _ind(7) + _ind(9) + i',
    });
    using x = device.array(xh, { shape: [3, 5] });
    using z = device.full([4, 1, 1], 0, { dtype: 'f32' });
    const r = k({ x, z }) as Record<string, DeviceArray>;
    using out = r['out'] as DeviceArray;
    using w = r['w'] as DeviceArray;
    expect(out.shape).toEqual(shape);
    const ref: number[] = [];
    for (let a = 0; a < 4; a++) for (let b = 0; b < 3; b++) for (let c = 0; c < 5; c++) ref.push(f(a * 100 + b * 10 + c + (xh[b * 5 + c] ?? NaN)));
    expectArrayEqual(await out.toArray(), ref);
    expectArrayEqual(await w.toArray(), Array.from({ length: 60 }, (_, i) => i));
  });

  gpuTest('an index out of range reads 0 (a bounds check of gpukit\'s on every adapter, as on gpujs), never another array', async ({ device }) => {
    const th = new Float32Array([10, 20, 30]);
    const k = await device.elementwise({ name: 'oob', args: 't: raw T[], x: T[], out: T[], neg: T[]', body: 'out = t[i + 2u] + x;\nneg = t[i32(i) - 1]' });
    using t = device.array(th);
    using x = device.array(new Float32Array(6));
    using after = device.full([64], 7, { dtype: 'f32' });
    const r = k({ t, x }) as Record<string, DeviceArray>;
    using out = r['out'] as DeviceArray;
    using neg = r['neg'] as DeviceArray;
    expect(after.size).toBe(64);
    // Another array sits right after t in memory on gpujs (and often in Dawn's pool): its 7s must not show.
    expectArrayEqual(await out.toArray(), [30, 0, 0, 0, 0, 0]);
    expectArrayEqual(await neg.toArray(), [0, 10, 20, 30, 0, 0]);
  });

  gpuTest('errors: raw without an index, a raw output, raw scalars, a missing or wrong size, aliasing, empty raw', async ({ device }) => {
    const bare = await diagnostic(() => device.elementwise({ name: 'bare', args: 'x: T[], b: raw T[], out: T[]', body: 'let k = 1u;\nout = x +  b' }));
    expect([bare.line, bare.column]).toEqual([2, 12]);
    expect(bare.message).toMatch(/raw argument 'b' is used without an index/);
    const written = await diagnostic(() => device.elementwise({ name: 'w', args: 'x: T[], b: raw T[]', body: 'b[i] = x' }));
    expect([written.line, written.column]).toEqual([1, 1]);
    expect(written.message).toMatch(/raw argument 'b' is assigned.*read-only/);
    await expect(device.elementwise({ args: 'x: T[], a: raw f32, out: T[]', body: 'out = x * a' })).rejects.toThrow(/raw applies to arrays only/);
    await expect(device.reduction({ args: 'x: raw T[]', map: 'x[i]', reduce: 'a + b', identity: '0' })).rejects.toThrow(ArgumentError);
    // Compile errors inside a raw index point at the user's column, though gpukit rewrote the read.
    const typo = await diagnostic(() => device.elementwise({ name: 'typo', args: 'x: T[], b: raw T[], out: T[], cols: u32', body: 'out = x + b[i % colz]' }));
    expect([typo.line, typo.column]).toEqual([1, 17]);
    expect(typo.message).toMatch(/colz/);
    // A float index is refused, as WGSL's [] refuses it.
    await expect(device.elementwise({ args: 'x: f32[], b: raw f32[], out: f32[]', body: 'out = b[x]' })).rejects.toThrow(ShaderCompileError);
    // Indexing a non-raw argument is a compile error on both engines.
    await expect(device.elementwise({ args: 'x: T[], out: T[]', body: 'out = x[0]' })).rejects.toThrow(ShaderCompileError);

    const k = await device.elementwise({ name: 'g', args: 't: raw T[], out: T[]', body: 'out = t[i]' });
    using t = device.array(new Float32Array([1, 2, 3]));
    expect(() => k({ t })).toThrow(/every array argument given is raw \(t\).*size/);
    expect(() => k({ t })).toThrow(ArgumentError);
    expect(() => k({ t }, { size: -1 })).toThrow(ShapeError);
    using given = device.array(new Float32Array(4));
    expect(() => k({ t, out: given }, { size: 5 })).toThrow(ShapeError); // size must agree with the output
    using o = k({ t, out: given }) as DeviceArray; // a given output says the shape
    expectArrayEqual(await o.toArray(), [1, 2, 3, 0]); // t[3] is out of range: 0
    const inplace = await device.elementwise({ name: 'ip', args: 't: raw T[], out: T[]', body: 'out = t[0] + out' });
    expect(() => inplace({ t: given, out: given })).toThrow(/raw argument 't' is the same array as output 'out'/);
    using empty = device.array(new Float32Array(0));
    expect(() => k({ t: empty }, { size: 2 })).toThrow(/raw argument 't' is empty/);
    using none = k({ t: empty }, { size: 0 }) as DeviceArray;
    expect(none.size).toBe(0);
  });
});
