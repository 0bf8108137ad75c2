/**
 * An op with nothing to compute still fails where a computed one would (issue 24, item 12): an empty
 * result computed from a failed array (an empty view of it, an empty selection) throws that array's error
 * on readback — never `[]` in its place — and so does an empty `map()` whose expression does not compile.
 * On Dawn, before, these ops returned before recording anything, so the failure did not reach their result.
 */
import { describe, expect } from 'vitest';
import { add, ArgumentError, astype, clip, cumsum, exp, fft, GpukitError, matmul, sort, sortPairs, logsumexp, map, max, scale, scatterAdd, segmentSum, softmax, sum, take, where, type DeviceArray, type GpuDevice } from '../../src/index.js';
import { expectArrayEqual, gpuTest } from '../fixture.js';

/** A [2, 2] f32 array whose op failed with an ArgumentError: an out-of-range take (Dawn), a jsKernel returning a string (gpujs). */
function failedArray(device: GpuDevice): DeviceArray {
  if (device.info.engine === 'dawn') {
    using x = device.array(new Float32Array([1, 2, 3, 4]), 'f32', [2, 2]);
    using i = device.array(new Int32Array([0, 9]));
    return take(x, i, 0);
  }
  const k = device.jsKernel(function () {
    return 'not a number';
  }, { output: [2, 2] });
  return k();
}

/** Each op gives an empty result from the failed array f ([2, 2]). */
type Zeros = (shape: number[], dtype: 'u32' | 'i32') => DeviceArray;
const EMPTY_FROM: Record<string, (f: DeviceArray, zeros: Zeros) => DeviceArray> = {
  'add(f[0:0], f[0:0])': (f) => add(f.slice([0, 0]), f.slice([0, 0])),
  'scale(f[:, 0:0], 2)': (f) => scale(f.slice(null, [0, 0]), 2),
  "map(f[0:0], 'x + 1.0')": (f) => map(f.slice([0, 0]), 'x + 1.0'),
  'exp(f[0:0])': (f) => exp(f.slice([0, 0])),
  'clip(f[0:0], 0, 1)': (f) => clip(f.slice([0, 0]), 0, 1),
  "astype(f[0:0], 'i32')": (f) => astype(f.slice([0, 0]), 'i32'),
  'where(mask[0:0], f[0:0], f[0:0])': (f, z) => where(z([0, 2], 'u32') as DeviceArray<'u32'>, f.slice([0, 0]), f.slice([0, 0])),
  'take(f, [], axis 0)': (f, z) => take(f, z([0], 'i32'), 0),
  'sum(f[:, 0:0], axis 1) (an empty axis: [0, 0])': (f) => sum(f.slice(null, [0, 0]), { axis: 1 }),
  'max(f[:, 0:0], axis 0) (an empty result)': (f) => max(f.slice(null, [0, 0]), { axis: 0 }),
  'logsumexp(f[:, 0:0], 1)': (f) => logsumexp(f.slice(null, [0, 0]), 1),
  'softmax(f[:, 0:0], 1)': (f) => softmax(f.slice(null, [0, 0]), 1),
  'segmentSum(f[0:0], [], 3)': (f, z) => segmentSum(f.slice([0, 0]), z([0], 'u32'), 3),
  'cumsum(f[0:0])': (f) => cumsum(f.slice([0, 0])),
  'sort(f[0:0])': (f) => sort(f.slice([0, 0])),
  'sortPairs(f[0:0], []).keys': (f, z) => {
    const r = sortPairs(f.slice([0, 0]), z([0, 2], 'u32') as DeviceArray<'u32'>); // values of the keys' shape
    r.values.destroy();
    return r.keys;
  },
  'matmul(f[0:0], f) (a [0, 2] result)': (f) => matmul(f.slice([0, 0]), f),
  'matmul(f[:, 0:0], f[0:0]) (k = 0: zeros)': (f) => matmul(f.slice(null, [0, 0]), f.slice([0, 0])),
  'fft(f[0:0]) (a complex [0, 2] result)': (f) => fft(f.slice([0, 0])),
};

describe('an empty result computed from a failed array throws its error', () => {
  for (const [name, op] of Object.entries(EMPTY_FROM)) {
    gpuTest(name, async ({ device }) => {
      const kept: DeviceArray[] = [];
      const zeros: Zeros = (shape, dtype) => {
        const a = device.zeros(shape, dtype);
        kept.push(a);
        return a;
      };
      using f = failedArray(device);
      expect(f.shape).toEqual([2, 2]);
      let r: DeviceArray | undefined;
      try {
        r = op(f, zeros);
      } catch (e) {
        // gpujs may refuse at the call what Dawn finds at the verdict: typed either way.
        expect(e).toBeInstanceOf(ArgumentError);
        await device.sync().catch(() => undefined);
        for (const a of kept) a.destroy();
        return;
      }
      try {
        await expect(r.toArray()).rejects.toThrow(ArgumentError);
      } finally {
        r.destroy();
      }
      await expect(device.sync()).rejects.toThrow(GpukitError); // reported once
      // The same op from a valid array is fine: empty (or the empty axis's values).
      using ok = device.array(new Float32Array([1, 2, 3, 4]), 'f32', [2, 2]);
      using v = op(ok, zeros);
      const got = await v.toArray();
      if (name.startsWith('sum(')) expectArrayEqual(got, [0, 0]);
      else if (name.startsWith('segmentSum')) expectArrayEqual(got, [0, 0, 0, 0, 0, 0]); // [3, 2]
      else if (name.startsWith('logsumexp')) expectArrayEqual(got, [-Infinity, -Infinity]);
      else if (name.includes('k = 0')) expectArrayEqual(got, [0, 0, 0, 0]); // [2, 0] · [0, 2]: a sum of nothing
      else expect(got.length).toBe(0);
      for (const a of kept) a.destroy();
    });
  }

  gpuTest('scatterAdd of nothing into a target from failed values: the target fails', async ({ device }) => {
    using f = failedArray(device);
    using t = device.zeros([0]);
    using i = device.zeros([0], 'i32');
    try {
      scatterAdd(t, i, f.slice([0, 0]).reshape(0));
    } catch (e) {
      expect(e).toBeInstanceOf(ArgumentError);
      await device.sync().catch(() => undefined);
      return;
    }
    await expect(t.toArray()).rejects.toThrow(ArgumentError);
    await expect(device.sync()).rejects.toThrow(GpukitError);
  });
});

gpuTest('map over an empty array with an expression that does not compile is an error, not []', async ({ device }) => {
  for (const expr of ['no_such_fn(x)', 'x + 1u', 'x +* 2.0']) {
    using x = device.zeros([0]);
    let r: DeviceArray | undefined;
    try {
      r = map(x, expr);
    } catch (e) {
      expect(e, expr).toBeInstanceOf(GpukitError); // thrown at the call (gpujs translates it there)
      continue;
    }
    try {
      await expect(r.toArray(), expr).rejects.toThrow(GpukitError);
    } finally {
      r.destroy();
    }
    await expect(device.sync(), expr).rejects.toThrow(GpukitError);
  }
  // A valid expression over nothing is still nothing.
  using x = device.zeros([0]);
  using r = map(x, 'x * 2.0 + 1.0');
  expect((await r.toArray()).length).toBe(0);
});
