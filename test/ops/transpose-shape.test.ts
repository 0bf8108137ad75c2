/**
 * transpose of a 2-D array is the transpose of its own shape (np.transpose): rows and cols that contradict
 * the shape would reinterpret the data, so they are a ShapeError (issue 26, item 4); a 1-D array read as
 * `{ rows, cols }` (or the flat form) keeps working, as do rows and cols equal to the shape.
 */
import { expect } from 'vitest';
import { ShapeError, transpose } from '../../src/index.js';
import { expectArrayEqual, gpuTest } from '../fixture.js';

gpuTest('transpose(a, 3, 2) of a (2, 3) array is a ShapeError; its own shape, and a flat array read as a matrix, still work', async ({ device }) => {
  using a = device.array([1, 2, 3, 4, 5, 6], { shape: [2, 3] });
  expect(() => transpose(a, 3, 2)).toThrow(ShapeError);
  expect(() => transpose(a, { rows: 3, cols: 2 })).toThrow(/shape \[2, 3\] but rows×cols = 3×2/);
  expect(() => transpose(a, { rows: 1 })).toThrow(ShapeError); // cols worked out as 6: still not a's shape
  using same = transpose(a, 2, 3); // the shape itself: np.transpose(a)
  expect(same.shape).toEqual([3, 2]);
  expectArrayEqual(await same.toArray(), [1, 4, 2, 5, 3, 6]);
  using flat = device.array([1, 2, 3, 4, 5, 6]);
  using t = transpose(flat, { rows: 3, cols: 2 }); // a 1-D array has no matrix shape of its own
  expect(t.shape).toEqual([2, 3]);
  expectArrayEqual(await t.toArray(), [1, 3, 5, 2, 4, 6]);
  using one = device.array([7], { shape: [1, 1] });
  using t1 = transpose(one);
  expectArrayEqual(await t1.toArray(), [7]);
});
