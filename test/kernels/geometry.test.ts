import { expect, test } from 'vitest';
import { gridFor } from '../../src/kernels/geometry.js';
import { LimitError, ShapeError } from '../../src/errors.js';

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
