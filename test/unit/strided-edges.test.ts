/**
 * View/stride arithmetic (src/buffers/strided.ts) at its edges, without a device: slice bounds past both ends
 * with negative steps against CPython's slice.indices algorithm (written out here), the span and writability
 * of broadcast and reversed views, reshapes that can and cannot keep the data in place, and the exact
 * messages of the errors.
 */
import { describe, expect, test } from 'vitest';
import { ArgumentError, ShapeError } from '../../src/errors.js';
import {
  broadcastLayout, broadcastShapes, cStrides, isCContiguous, isWritable, permuteLayout, reshapeLayout, sliceBounds, sliceLayout, span, storageIndices, type Layout,
} from '../../src/buffers/strided.js';
import { throwsExactly } from './thrown.js';

/** CPython's PySlice_AdjustIndices: start, and the slice length, of [start:stop:step] over n elements. */
function pyIndices(start: number | null, stop: number | null, step: number, n: number): { start: number; count: number } {
  const [lower, upper] = step > 0 ? [0, n] : [-1, n - 1];
  const adjust = (v: number | null, dflt: number): number => {
    if (v === null) return dflt;
    if (v < 0) return Math.max(v + n, lower);
    return Math.min(v, upper);
  };
  const s = adjust(start, step < 0 ? upper : lower);
  const e = adjust(stop, step < 0 ? lower : upper);
  const count = step < 0 ? (e < s ? Math.floor((s - e - 1) / -step) + 1 : 0) : s < e ? Math.floor((e - s - 1) / step) + 1 : 0;
  return { start: s, count };
}


const layout = (shape: number[], strides: number[], offset = 0): Layout => ({ shape, strides, offset });

describe('sliceBounds and sliceLayout: bounds past the ends, negative steps, empty results', () => {
  test('every start/stop in an edge table (null, past both ends, ±n, ±1, 0) and steps ±1..±3 match CPython', () => {
    const wrong: string[] = [];
    for (const n of [0, 1, 2, 3, 5]) {
      const bounds = [null, -n - 5, -n - 1, -n, -n + 1, -1, 0, 1, n - 1, n, n + 1, n + 5];
      for (const step of [-3, -2, -1, 1, 2, 3]) {
        for (const a of bounds) {
          for (const b of bounds) {
            const want = pyIndices(a, b, step, n);
            const got = sliceBounds('slice', [a, b, step], n);
            if (got.count !== want.count || got.step !== step || (want.count > 0 && got.start !== want.start)) {
              wrong.push(`n ${n} [${a}:${b}:${step}]: got start ${got.start} count ${got.count}, CPython ${want.start} ${want.count}`);
            }
          }
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  test('defaults: no step is 1; a reversed whole axis starts at n − 1; missing bounds are null', () => {
    expect(sliceBounds('s', [], 4)).toEqual({ start: 0, step: 1, count: 4 });
    expect(sliceBounds('s', [null, null, -1], 4)).toEqual({ start: 3, step: -1, count: 4 });
    expect(sliceBounds('s', [null, null, -2], 5)).toEqual({ start: 4, step: -2, count: 3 });
    expect(sliceBounds('s', [1], 5)).toEqual({ start: 1, step: 1, count: 4 });
    expect(sliceBounds('s', [10, -10, -1], 3)).toEqual({ start: 2, step: -1, count: 3 });
    expect(sliceBounds('s', [-10, 10, 1], 3)).toEqual({ start: 0, step: 1, count: 3 });
  });

  test('a step of 0 or a fractional bound is an ArgumentError', () => {
    throwsExactly(() => sliceBounds('slice', [0, 2, 0], 3), ArgumentError, 'slice: a slice step must be a non-zero integer, got 0');
    throwsExactly(() => sliceBounds('slice', [0, 2, 1.5], 3), ArgumentError, 'slice: a slice step must be a non-zero integer, got 1.5');
    throwsExactly(() => sliceBounds('slice', [0.5, 2], 3), ArgumentError, 'slice: slice bounds must be integers or null, got 0.5');
    throwsExactly(() => sliceBounds('slice', [0, NaN], 3), ArgumentError, 'slice: slice bounds must be integers or null, got NaN');
  });

  test('sliceLayout: offsets and strides of reversed, stepped, indexed and empty slices', () => {
    const base = layout([4, 5], [5, 1], 2);
    // x[::-1, 1:4:2]: rows from 3 down, columns 1 and 3
    expect(sliceLayout('s', base, [[null, null, -1], [1, 4, 2]])).toEqual({ shape: [4, 2], strides: [-5, 2], offset: 2 + 15 + 1 });
    // x[-1] then a reversed column range past the start: x[-1, 2::-1] = columns 2, 1, 0
    expect(sliceLayout('s', base, [-1, [2, -10, -1]])).toEqual({ shape: [3], strides: [-1], offset: 2 + 15 + 2 });
    // an empty slice keeps the offset where it was (no start past the data)
    expect(sliceLayout('s', base, [[3, 1], null])).toEqual({ shape: [0, 5], strides: [5, 1], offset: 2 });
    expect(sliceLayout('s', base, [[0, 4, -1]])).toEqual({ shape: [0, 5], strides: [-5, 1], offset: 2 });
    // missing trailing specs are whole axes
    expect(sliceLayout('s', base, [1])).toEqual({ shape: [5], strides: [1], offset: 7 });
    expect(sliceLayout('s', base, [])).toEqual({ shape: [4, 5], strides: [5, 1], offset: 2 });
    // index 0 and −n address the first element
    expect(sliceLayout('s', base, [-4, 0]).offset).toBe(2);
    expect(sliceLayout('s', base, [0, -5]).offset).toBe(2);
  });

  test('sliceLayout refuses too many specs, an index out of range, and a spec of the wrong kind', () => {
    const base = layout([4, 5], [5, 1]);
    throwsExactly(() => sliceLayout('slice', base, [0, 0, 0]), ArgumentError, 'slice: 3 slice specs for an array of 2 dimensions');
    throwsExactly(() => sliceLayout('slice', base, [4]), ArgumentError, 'slice: index 4 is out of range for axis 0 of extent 4');
    throwsExactly(() => sliceLayout('slice', base, [0, -6]), ArgumentError, 'slice: index -6 is out of range for axis 1 of extent 5');
    throwsExactly(() => sliceLayout('slice', base, [1.5]), ArgumentError, 'slice: axis 0: an index must be an integer, got 1.5');
    throwsExactly(() => sliceLayout('slice', base, ['1' as unknown as number]), ArgumentError, "slice: axis 0: an index entry is an integer, null, [start, stop, step], '...' or 'newaxis', got the string \"1\"");
  });
});

describe('layout predicates', () => {
  test('cStrides: row-major, extent-0 axes count as 1', () => {
    expect(cStrides([2, 3, 4])).toEqual([12, 4, 1]);
    expect(cStrides([2, 0, 4])).toEqual([4, 4, 1]);
    expect(cStrides([])).toEqual([]);
    expect(cStrides([7])).toEqual([1]);
  });

  test('isCContiguous ignores extent-1 axes; one element or none is contiguous whatever its strides', () => {
    expect(isCContiguous(layout([2, 3], [3, 1]))).toBe(true);
    expect(isCContiguous(layout([2, 1, 3], [3, 99, 1]))).toBe(true);
    expect(isCContiguous(layout([2, 3], [1, 2]))).toBe(false);
    expect(isCContiguous(layout([3], [-1], 2))).toBe(false);
    expect(isCContiguous(layout([3, 2], [2, 0]))).toBe(false);
    expect(isCContiguous(layout([1, 1], [7, 9]))).toBe(true);
    expect(isCContiguous(layout([0, 3], [5, 7]))).toBe(true);
    expect(isCContiguous(layout([2, 2], [3, 1]))).toBe(false);
  });

  test('isWritable: no stride-0 axis of extent > 1', () => {
    expect(isWritable(layout([3, 4], [0, 1]))).toBe(false);
    expect(isWritable(layout([1, 4], [0, 1]))).toBe(true);
    expect(isWritable(layout([0, 4], [0, 1]))).toBe(true);
    expect(isWritable(layout([3, 4], [4, -1]))).toBe(true);
    expect(isWritable(layout([2, 2], [1, 0]))).toBe(false);
    expect(isWritable(layout([], []))).toBe(true);
  });

  test('span: lowest and highest element touched, with negative and zero strides; empty is [offset, offset − 1]', () => {
    expect(span(layout([2, 3], [3, 1], 4))).toEqual({ lo: 4, hi: 9 });
    expect(span(layout([2, 3], [-3, 1], 4))).toEqual({ lo: 1, hi: 6 });
    expect(span(layout([4], [-2], 10))).toEqual({ lo: 4, hi: 10 });
    expect(span(layout([5, 2], [0, 3], 1))).toEqual({ lo: 1, hi: 4 });
    expect(span(layout([0, 3], [3, 1], 6))).toEqual({ lo: 6, hi: 5 });
    expect(span(layout([], [], 3))).toEqual({ lo: 3, hi: 3 });
  });

  test('storageIndices walks the view in C order, reversed and broadcast axes included', () => {
    expect(Array.from(storageIndices(layout([2, 3], [-3, 1], 3)))).toEqual([3, 4, 5, 0, 1, 2]);
    expect(Array.from(storageIndices(layout([2, 2], [0, 2], 1)))).toEqual([1, 3, 1, 3]);
    expect(Array.from(storageIndices(layout([3], [-2], 6)))).toEqual([6, 4, 2]);
    expect(Array.from(storageIndices(layout([], [], 5)))).toEqual([5]);
    expect(Array.from(storageIndices(layout([2, 0], [1, 1], 5)))).toEqual([]);
  });
});

describe('broadcast, permute, reshape', () => {
  test('broadcastShapes and broadcastLayout name what cannot be broadcast', () => {
    expect(broadcastShapes('add', [3, 1], [4])).toEqual([3, 4]);
    expect(broadcastShapes('add', [1, 0], [5, 1])).toEqual([5, 0]);
    expect(broadcastShapes('add')).toEqual([]);
    throwsExactly(() => broadcastShapes('add', [2, 3], [4, 3]), ShapeError, 'add: shapes [2, 3] and [4, 3] cannot be broadcast together (axis -2: 2 vs 4)');
    expect(broadcastLayout('b', layout([3, 1], [1, 1], 2), [2, 3, 4])).toEqual({ shape: [2, 3, 4], strides: [0, 1, 0], offset: 2 });
    throwsExactly(() => broadcastLayout('b', layout([2, 3], [3, 1]), [3]), ShapeError, 'b: cannot broadcast [2, 3] to fewer dimensions [3]');
    throwsExactly(() => broadcastLayout('b', layout([2, 3], [3, 1]), [2, 4]), ShapeError, 'b: cannot broadcast [2, 3] to [2, 4] (axis 1: 3 vs 4)');
    expect(broadcastLayout('b', layout([2, 3], [3, 1]), [2, 3])).toEqual({ shape: [2, 3], strides: [3, 1], offset: 0 });
  });

  test('permuteLayout: negative axes allowed; a wrong count or a repeat is an ArgumentError', () => {
    expect(permuteLayout('t', layout([2, 3, 4], [12, 4, 1], 1), [2, 0, 1])).toEqual({ shape: [4, 2, 3], strides: [1, 12, 4], offset: 1 });
    expect(permuteLayout('t', layout([2, 3], [3, 1]), [-1, -2])).toEqual({ shape: [3, 2], strides: [1, 3], offset: 0 });
    throwsExactly(() => permuteLayout('t', layout([2, 3], [3, 1]), [0]), ArgumentError, 't: axes [0] must list each of the 2 axes once');
    throwsExactly(() => permuteLayout('t', layout([2, 3], [3, 1]), [1, -1]), ArgumentError, 't: axes [1, -1] repeat an axis');
  });

  test('reshapeLayout keeps the data in place where runs of axes are contiguous, else undefined', () => {
    // a transposed (3, 4) viewed as (4, 3): its axes are not one run
    const t = layout([4, 3], [1, 4]);
    expect(reshapeLayout(t, [12])).toBeUndefined();
    expect(reshapeLayout(t, [2, 2, 3])).toEqual({ shape: [2, 2, 3], strides: [2, 1, 4], offset: 0 });
    expect(reshapeLayout(t, [4, 1, 3])).toEqual({ shape: [4, 1, 3], strides: [1, 0, 4], offset: 0 });
    expect(reshapeLayout(t, [3, 4])).toBeUndefined();
    // every other column of a (2, 8): (2, 4) with strides (8, 2), elements 2 apart throughout: one run of stride 2
    const s = layout([2, 4], [8, 2], 1);
    expect(reshapeLayout(s, [8])).toEqual({ shape: [8], strides: [2], offset: 1 });
    // every other column of a (2, 10)'s first 8: rows 10 apart, not one run
    expect(reshapeLayout(layout([2, 4], [10, 2], 1), [8])).toBeUndefined();
    expect(reshapeLayout(layout([2, 4], [10, 2], 1), [2, 2, 2])).toEqual({ shape: [2, 2, 2], strides: [10, 4, 2], offset: 1 });
    expect(reshapeLayout(s, [2, 2, 2])).toEqual({ shape: [2, 2, 2], strides: [8, 4, 2], offset: 1 });
    expect(reshapeLayout(s, [1, 2, 4, 1])).toEqual({ shape: [1, 2, 4, 1], strides: [0, 8, 2, 0], offset: 1 });
    // a reversed axis merges with a neighbour only when their strides chain: (2, 3) rows reversed
    const r = layout([2, 3], [-3, 1], 3);
    expect(reshapeLayout(r, [6])).toBeUndefined();
    expect(reshapeLayout(r, [2, 3, 1])).toEqual({ shape: [2, 3, 1], strides: [-3, 1, 0], offset: 3 });
    // contiguous or empty: C strides
    expect(reshapeLayout(layout([2, 3], [3, 1], 5), [3, 2])).toEqual({ shape: [3, 2], strides: [2, 1], offset: 5 });
    expect(reshapeLayout(layout([0, 3], [1, 9]), [3, 0])).toEqual({ shape: [3, 0], strides: [1, 1], offset: 0 });
    // a size mismatch finds no grouping
    expect(reshapeLayout(s, [3, 3])).toBeUndefined();
    expect(reshapeLayout(s, [2, 4, 2])).toBeUndefined();
    // a (2, 3, 4) with its middle axis sliced by 2 (shape (2, 2, 4), strides (12, 8, 1)): the last two axes merge
    const m = layout([2, 2, 4], [12, 8, 1]);
    expect(reshapeLayout(m, [2, 8])).toBeUndefined();
    expect(reshapeLayout(m, [4, 4])).toBeUndefined();
    const c = layout([3, 2, 4], [16, 4, 1]);
    expect(reshapeLayout(c, [3, 8])).toEqual({ shape: [3, 8], strides: [16, 1], offset: 0 });
    expect(reshapeLayout(c, [24])).toBeUndefined();
  });
});
