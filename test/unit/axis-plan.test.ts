/**
 * Axis normalisation and the layout of a reduction along axes (src/ops/axis.ts: checkAxisOptions,
 * reducedAxes, axisPlan, axisCallOptions), without a device: negative, repeated, out-of-range and
 * non-integer axes, the empty list, rank 0, keepdims, and the rows × R split worked out by hand.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ArgumentError, ShapeError } from '../../src/errors.js';
import type { DeviceArray } from '../../src/buffers/device-array.js';
import { axisCallOptions, axisPlan, checkAxisOptions, reducedAxes, refuseEmpty } from '../../src/ops/axis.js';
import { throwsExactly } from './thrown.js';

/** `fn` throws an ArgumentError with exactly `message`. */
function refuses(fn: () => unknown, message: string): void {
  throwsExactly(fn, ArgumentError, message);
}

describe('reducedAxes', () => {
  test('undefined is every axis; a number or a list is normalised, sorted and distinct', () => {
    expect(reducedAxes('sum', 3, undefined)).toEqual([0, 1, 2]);
    expect(reducedAxes('sum', 0, undefined)).toEqual([]);
    expect(reducedAxes('sum', 3, -1)).toEqual([2]);
    expect(reducedAxes('sum', 3, -3)).toEqual([0]);
    expect(reducedAxes('sum', 3, [2, 0])).toEqual([0, 2]);
    expect(reducedAxes('sum', 3, [-1, 0, 1])).toEqual([0, 1, 2]);
    expect(reducedAxes('sum', 12, [11, 10, 2])).toEqual([2, 10, 11]); // numeric sort, not text
    expect(reducedAxes('sum', 3, [])).toEqual([]);
  });

  test('an axis out of range, fractional, or named twice (also as −1 and n − 1) is an ArgumentError', () => {
    refuses(() => reducedAxes('sum', 3, 3), 'sum: axis 3 is out of range for an array of 3 dimensions');
    refuses(() => reducedAxes('max', 3, -4), 'max: axis -4 is out of range for an array of 3 dimensions');
    refuses(() => reducedAxes('sum', 1, 1), 'sum: axis 1 is out of range for an array of 1 dimension');
    refuses(() => reducedAxes('sum', 0, 0), 'sum: axis 0 is out of range for an array of 0 dimensions');
    refuses(() => reducedAxes('sum', 3, 0.5), 'sum: an axis must be an integer, got number 0.5');
    refuses(() => reducedAxes('sum', 3, NaN), 'sum: an axis must be an integer, got number NaN');
    refuses(() => reducedAxes('mean', 3, [1, 1]), 'mean: axis [1, 1] repeats an axis');
    refuses(() => reducedAxes('mean', 3, [-1, 2]), 'mean: axis [-1, 2] repeats an axis');
  });

  test('property: the result is the sorted set of (a mod ndim) for in-range axes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }).chain((n) => fc.tuple(fc.constant(n), fc.uniqueArray(fc.integer({ min: 0, max: n - 1 }), { maxLength: n }), fc.array(fc.boolean(), { minLength: n, maxLength: n }))), ([n, axes, neg]) => {
        const given = axes.map((a, k) => (neg[k] === true ? a - n : a));
        const got = reducedAxes('sum', n, given);
        return JSON.stringify(got) === JSON.stringify([...axes].sort((a, b) => a - b));
      }),
    );
  });
});

describe('axisPlan', () => {
  test('kept axes first, reduced axes last; rows and R are their products; keepdims keeps extent-1 axes', () => {
    expect(axisPlan('sum', [4, 5, 6], { axis: 1 })).toEqual({ order: [0, 2, 1], rows: 24, R: 5, outShape: [4, 6] });
    expect(axisPlan('sum', [4, 5, 6], { axis: [0, 2], keepdims: true })).toEqual({ order: [1, 0, 2], rows: 5, R: 24, outShape: [1, 5, 1] });
    expect(axisPlan('sum', [4, 5, 6], { axis: [2, 0], keepdims: false })).toEqual({ order: [1, 0, 2], rows: 5, R: 24, outShape: [5] });
    expect(axisPlan('sum', [4, 5, 6], {})).toEqual({ order: [0, 1, 2], rows: 1, R: 120, outShape: [] });
    expect(axisPlan('sum', [4, 5, 6], { keepdims: true })).toEqual({ order: [0, 1, 2], rows: 1, R: 120, outShape: [1, 1, 1] });
    expect(axisPlan('sum', [4, 5, 6], { axis: [] })).toEqual({ order: [0, 1, 2], rows: 120, R: 1, outShape: [4, 5, 6] });
  });

  test('empty extents: rows or R is 0', () => {
    expect(axisPlan('sum', [3, 0], { axis: 1 })).toEqual({ order: [0, 1], rows: 3, R: 0, outShape: [3] });
    expect(axisPlan('sum', [0, 3], { axis: 1 })).toEqual({ order: [0, 1], rows: 0, R: 3, outShape: [0] });
    expect(axisPlan('sum', [], {})).toEqual({ order: [], rows: 1, R: 1, outShape: [] });
  });
});

describe('checkAxisOptions and axisCallOptions', () => {
  test('checkAxisOptions takes axis (null: all), keepdims, and ddof where its caller allows one (var and std)', () => {
    expect(() => { checkAxisOptions('sum', undefined); }).not.toThrow();
    expect(() => { checkAxisOptions('sum', { axis: [0, 1], keepdims: false }); }).not.toThrow();
    expect(checkAxisOptions('var', { axis: 0, ddof: 1 }, true)).toStrictEqual({ axis: 0, ddof: 1 });
    expect(checkAxisOptions('std', { ddof: 0 }, true)).toStrictEqual({ ddof: 0 });
    expect(checkAxisOptions('sum', { axis: null, keepdims: true })).toStrictEqual({ keepdims: true });
    expect(checkAxisOptions('sum', { keepdims: false })).toStrictEqual({});
    refuses(() => { checkAxisOptions('sum', { axsi: 1 }); }, 'sum: unknown option axsi; it takes axis, keepdims');
    refuses(() => { checkAxisOptions('mean', { axis: 1, ddof: 1 }); }, 'mean: unknown option ddof; it takes axis, keepdims');
    refuses(() => { checkAxisOptions('var', { axis: 1, ddof: '1' }, true); }, 'var: ddof must be a non-negative integer, got the string "1"');
    refuses(() => { checkAxisOptions('var', { ddof: -1 }, true); }, 'var: ddof must be a non-negative integer, got number -1');
    refuses(() => { checkAxisOptions('sum', { keepdims: 'yes' }); }, 'sum: keepdims must be a boolean, got the string "yes"');
    refuses(() => { checkAxisOptions('sum', { axis: '1' }); }, 'sum: axis must be an integer, a list of integers or null, got the string "1"');
    refuses(() => { checkAxisOptions('sum', { axis: [1, null] }); }, 'sum: axis must be an integer, a list of integers or null, got null in the list');
    refuses(() => { checkAxisOptions('sum', null); }, 'sum: options must be an object ({ axis, keepdims }), got null');
    refuses(() => { checkAxisOptions('var', [1], true); }, 'var: options must be an object ({ axis, keepdims, ddof, correction }), got an array of length 1');
    refuses(() => { checkAxisOptions('sum', 1); }, 'sum: options must be an object ({ axis, keepdims }), got number 1');
    refuses(() => { checkAxisOptions('sum', { a: 1, b: 2 }); }, 'sum: unknown options a, b; it takes axis, keepdims');
    refuses(() => { checkAxisOptions('sum', { axis: 1.5 }); }, 'sum: axis must be an integer, a list of integers or null, got number 1.5');
    refuses(() => { checkAxisOptions('sum', { axis: [0, 1.5] }); }, 'sum: axis must be an integer, a list of integers or null, got number 1.5 in the list');
    refuses(() => { checkAxisOptions('std', { ddof: 0.5 }, true); }, 'std: ddof must be a non-negative integer, got number 0.5');
    expect(checkAxisOptions('sum', { axis: [1, 0], keepdims: true })).toStrictEqual({ axis: [1, 0], keepdims: true });
    expect(checkAxisOptions('sum', {})).toStrictEqual({});
  });

  test('axisCallOptions splits a trailing { axis, keepdims } off the arguments', () => {
    const x = [1, 2];
    expect(axisCallOptions('r', [x, { axis: 1 }])).toEqual({ input: [x], axis: { axis: 1 } });
    expect(axisCallOptions('r', [x, { axis: [0, 1], keepdims: true }])).toEqual({ input: [x], axis: { axis: [0, 1], keepdims: true } });
    expect(axisCallOptions('r', [x, { keepdims: true }])).toStrictEqual({ input: [x], axis: { keepdims: true } });
    // several arguments: only the trailing options object is split off
    const y = [3];
    expect(axisCallOptions('r', [x, y, { axis: 0 }])).toStrictEqual({ input: [x, y], axis: { axis: 0 } });
    expect(axisCallOptions('r', [x, y, { keepdims: false }])).toStrictEqual({ input: [x, y] });
    // keepdims false and no axis: the options object is dropped, the reduction is the whole one
    expect(axisCallOptions('r', [x, { keepdims: false }])).toEqual({ input: [x] });
    expect(axisCallOptions('r', [x, { axis: undefined }])).toEqual({ input: [x] });
    // not options: a lone argument, a trailing number or null, an object without axis/keepdims
    expect(axisCallOptions('r', [{ axis: 1 }])).toEqual({ input: [{ axis: 1 }] });
    expect(axisCallOptions('r', [x, 3])).toEqual({ input: [x, 3] });
    expect(axisCallOptions('r', [x, null])).toEqual({ input: [x, null] });
    expect(axisCallOptions('r', [x, { other: 1 }])).toEqual({ input: [x, { other: 1 }] });
    refuses(() => axisCallOptions('r', [x, { axis: 1, ddof: 1 }]), 'r: unknown call option ddof; the options object (after the arguments) takes axis and keepdims');
    refuses(() => axisCallOptions('r', [x, { axis: 1, a: 1, b: 2 }]), 'r: unknown call option a, b; the options object (after the arguments) takes axis and keepdims');
    refuses(() => axisCallOptions('r', [x, { axis: '1' }]), 'r: axis must be an integer, a list of integers or null, got the string "1"');
    refuses(() => axisCallOptions('r', [x, { axis: 1, keepdims: 1 }]), 'r: keepdims must be a boolean, got number 1');
  });
});

describe('refuseEmpty', () => {
  test('min/max/argmin/argmax of no elements: a ShapeError naming the op, the shape and the missing identity', () => {
    const arr = (shape: number[]): DeviceArray => ({ shape, length: shape.reduce((a, b) => a * b, 1) }) as unknown as DeviceArray;
    for (const [op, what] of [['max', 'maximum'], ['argmax', 'maximum'], ['min', 'minimum'], ['argmin', 'minimum']] as const) {
      const e = (() => { try { refuseEmpty(op, arr([2, 0])); } catch (err) { return err; } return undefined; })();
      expect(e).toBeInstanceOf(ShapeError);
      expect((e as Error).message).toBe(`${op}: zero-size array [2, 0] has no ${what} (no identity)`);
      expect(() => { refuseEmpty(op, arr([1])); }).not.toThrow();
      expect(() => { refuseEmpty(op, arr([])); }).not.toThrow(); // a 0-d array holds one element
    }
  });
});

