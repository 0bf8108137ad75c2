import { expect, test } from 'vitest';
import { gridFor } from '../../src/backends/dawn/geometry.js';
import { ArgumentError, LimitError, ShapeError } from '../../src/errors.js';

test('invocations become a 1-D grid up to the per-dimension limit', () => {
  expect(gridFor({ invocations: 0 }, [64, 1, 1], 65535)).toEqual([0, 1, 1]);
  expect(gridFor({ invocations: 1 }, [64, 1, 1], 65535)).toEqual([1, 1, 1]);
  expect(gridFor({ invocations: 65 }, [64, 1, 1], 65535)).toEqual([2, 1, 1]);
  expect(gridFor({ invocations: 65535 * 64 }, [64, 1, 1], 65535)).toEqual([65535, 1, 1]);
});

test('past the limit the grid folds into two dimensions that cover every invocation', () => {
  const n = 2 ** 24;
  const [x, y, z] = gridFor({ invocations: n }, [256, 1, 1], 65535);
  expect(z).toBe(1);
  expect(y).toBe(2);
  expect(x * y * 256).toBeGreaterThanOrEqual(n);
  expect(x).toBeLessThanOrEqual(65535);
});

test('explicit workgroups are checked', () => {
  expect(gridFor({ workgroups: [3, 2] }, [8, 8, 1], 65535)).toEqual([3, 2, 1]);
  expect(() => gridFor({ workgroups: 70000 }, [1, 1, 1], 65535)).toThrow(LimitError);
  expect(() => gridFor({ workgroups: -1 }, [1, 1, 1], 65535)).toThrow(ShapeError);
  expect(() => gridFor({ invocations: 1.5 }, [1, 1, 1], 65535)).toThrow(ShapeError);
});

test('invocations in as many dimensions as the workgroup: ceil per dimension', () => {
  expect(gridFor({ invocations: [37, 21] }, [8, 8, 1], 65535)).toEqual([5, 3, 1]);
  expect(gridFor({ invocations: [6, 5, 7] }, [4, 4, 4], 65535)).toEqual([2, 2, 2]);
  expect(gridFor({ invocations: [0, 5] }, [8, 8, 1], 65535)).toEqual([0, 1, 1]);
  // [w] on a 1-D workgroup is the scalar form, folded past the limit like it.
  expect(gridFor({ invocations: [65] }, [64, 1, 1], 65535)).toEqual([2, 1, 1]);
  expect(gridFor({ invocations: [2 ** 24] }, [256, 1, 1], 65535)).toEqual(gridFor({ invocations: 2 ** 24 }, [256, 1, 1], 65535));
  // [w, h] on a 1-D workgroup: h rows of workgroups, no folding.
  expect(gridFor({ invocations: [100, 3] }, [64, 1, 1], 65535)).toEqual([2, 3, 1]);
  expect(() => gridFor({ invocations: [8 * 70000, 8] }, [8, 8, 1], 65535)).toThrow(LimitError);
});

test('a scalar invocations for a multi-dimensional workgroup is an ArgumentError', () => {
  expect(() => gridFor({ invocations: 64 }, [8, 8, 1], 65535)).toThrow(ArgumentError);
  expect(() => gridFor({ invocations: 64 }, [4, 4, 4], 65535)).toThrow(/\[w, h, d\]/);
});

test('a malformed dispatch is an ArgumentError', () => {
  for (const d of [null, undefined, 4, {}, { invocations: 4, workgroups: 1 }, { invocation: 4 }, { invocations: [] }, { invocations: [1, 2, 3, 4] }, { workgroups: '2' }]) {
    expect(() => gridFor(d as never, [64, 1, 1], 65535)).toThrow(ArgumentError);
  }
});

test('beyond a folded 2-D grid the LimitError names the real per-dimension limit and the rows needed', () => {
  const n = 2 ** 40;
  const err = (() => {
    try {
      gridFor({ invocations: n }, [64, 1, 1], 65535);
    } catch (e) {
      return e;
    }
    return undefined;
  })();
  expect(err).toBeInstanceOf(LimitError);
  const e = err as LimitError;
  expect(e.limit).toBe('maxComputeWorkgroupsPerDimension');
  expect(e.allowed).toBe(65535);
  expect(e.requested).toBe(Math.ceil(n / 64 / 65535));
  expect(e.message).not.toMatch(/4294836225/);
});
