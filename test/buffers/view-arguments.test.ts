/**
 * View and shape methods given what plain JS can pass: what NumPy accepts works the same (the transpose
 * axes as separate arguments, `squeeze(null)`), what NumPy refuses is a typed error naming the method and
 * the argument — never a raw TypeError, never an ignored element (a slice spec of four numbers, a
 * repeated squeeze axis).
 */
import { expect } from 'vitest';
import { ArgumentError, ShapeError, type DeviceArray } from '../../src/index.js';
import { expectArrayEqual, gpuTest } from '../fixture.js';
import { npOut, numpy } from '../ops/helpers.js';

const H = Float32Array.from({ length: 24 }, (_, i) => i * 1.5 - 7);

gpuTest('transpose takes its axes as one array or as separate arguments, as NumPy\'s method does', async ({ device }) => {
  const ref = numpy(
    `x = inp['x'].reshape(2, 3, 4)
out['a'] = x.transpose(1, 0, 2).ravel(); out['b'] = x.transpose((2, 0, 1)).ravel(); out['c'] = x.transpose().ravel(); out['d'] = x.transpose(-1, 0, 1).ravel()`,
    { x: H },
  );
  using x = device.array(H, { shape: [2, 3, 4] });
  for (const [key, view] of [
    ['a', () => x.transpose(1, 0, 2)],
    ['b', () => x.transpose([2, 0, 1])],
    ['c', () => x.transpose()],
    ['c', () => x.transpose(null)],
    ['d', () => x.transpose(-1, 0, 1)],
  ] as const) {
    using v = view();
    expectArrayEqual(await v.toArray(), npOut(ref, key));
  }
});

gpuTest('malformed view arguments are typed errors naming the method and the argument', ({ device }) => {
  using x = device.array(H, { shape: [2, 3, 4] });
  using one = device.array([5], { shape: [1, 1] });
  const loose = x as unknown as Record<string, (...a: unknown[]) => DeviceArray>;
  const call = (m: string, ...a: unknown[]) => (): DeviceArray => (loose[m] as (...b: unknown[]) => DeviceArray).apply(x, a);
  for (const [what, run, type, pattern] of [
    ['transpose(5)', call('transpose', 5), ArgumentError, /^transpose: axes \[5\] must list each of the 3 axes once/],
    ['transpose(1, 0)', call('transpose', 1, 0), ArgumentError, /^transpose: axes \[1, 0\] must list each of the 3 axes once/],
    ['transpose(0, 0, 1)', call('transpose', 0, 0, 1), ArgumentError, /^transpose: axes \[0, 0, 1\] repeat an axis/],
    ['transpose("a")', call('transpose', 'a'), ArgumentError, /^transpose: axes must be integers.*the string "a"/],
    ['transpose([0, 1.5, 2])', call('transpose', [0, 1.5, 2]), ArgumentError, /^transpose: axes must be integers.*number 1.5/],
    ['reshape(2n, -1)', call('reshape', 2n, -1), ShapeError, /^reshape: a dimension must be a non-negative integer or -1, got the bigint 2n/],
    ['reshape([6, "2"])', call('reshape', [6, '2']), ShapeError, /^reshape: a dimension .*the string "2"/],
    ['reshape(-2, -12)', call('reshape', -2, -12), ShapeError, /^reshape: a dimension .*number -2/],
    ['reshape()', call('reshape'), ShapeError, /^reshape: pass the new shape/],
    ['slice([0, 1, 1, 99])', call('slice', [0, 1, 1, 99]), ArgumentError, /^slice: axis 0: a slice spec is \[start, stop, step\], got 4 elements/],
    ['slice("a")', call('slice', 'a'), ArgumentError, /^slice: axis 0: .*the string "a"/],
    ['slice(null, [0, 2, 0])', call('slice', null, [0, 2, 0]), ArgumentError, /^slice: a slice step must be a non-zero integer/],
    ['squeeze("a")', () => (one as unknown as { squeeze: (a: unknown) => DeviceArray }).squeeze('a'), ArgumentError, /^squeeze: axis must be an integer.*the string "a"/],
    ['squeeze([0, 0])', () => one.squeeze([0, 0]), ArgumentError, /^squeeze: axis \[0, 0\] repeats an axis/],
    ['squeeze([0, -2])', () => one.squeeze([0, -2]), ArgumentError, /^squeeze: axis \[0, -2\] repeats an axis/],
    ['expandDims("a")', call('expandDims', 'a'), ArgumentError, /^expandDims: an axis must be an integer, got the string "a"/],
    ['expandDims(1.5)', call('expandDims', 1.5), ArgumentError, /^expandDims: an axis must be an integer/],
    ['broadcastTo(null)', call('broadcastTo', null), ShapeError, /^broadcastTo: shape must be an array/],
    ['broadcastTo({})', call('broadcastTo', {}), ShapeError, /^broadcastTo: shape must be an array.*an object/],
    ['broadcastTo([2, 3, "4"])', call('broadcastTo', [2, 3, '4']), ShapeError, /^broadcastTo: a dimension must be a non-negative integer, got the string "4"/],
    ['set(5, [1])', call('set', 5, [1]), ArgumentError, /^set: specs must be an array of slice specs.*number 5/],
    ['set(null, data)', call('set', null, H), ArgumentError, /^set: specs must be an array.*null/],
    ['set([0], null)', call('set', [0], null), ArgumentError, /^set: data must be a typed array or an array of numbers, got null/],
  ] as const) {
    expect(run, what).toThrow(type);
    expect(run, what).toThrow(pattern);
  }
  // NumPy refuses the same: four-element slices do not exist, and squeeze's repeated axis is a ValueError.
  const np = numpy(
    `r = []
try:
    slice(0, 1, 1, 99); r.append(0)
except TypeError:
    r.append(1)
try:
    np.zeros((1, 1)).squeeze((0, 0)); r.append(0)
except ValueError:
    r.append(1)
out['r'] = np.array(r, dtype=np.uint32)`,
    {},
  );
  expect(Array.from(npOut(np, 'r'))).toEqual([1, 1]);
});

gpuTest('squeeze(null) drops every extent-1 axis, as squeeze() and NumPy\'s axis=None', async ({ device }) => {
  using x = device.array([1, 2, 3], { shape: [1, 3, 1] });
  using a = x.squeeze(null);
  using b = x.squeeze();
  expect(a.shape).toEqual([3]);
  expect(b.shape).toEqual([3]);
  expectArrayEqual(await a.toArray(), [1, 2, 3]);
});
