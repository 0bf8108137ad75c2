/**
 * src/fusion/row-layout.ts without a GPU: for every row and position k of a reduction's rows × R walk, the
 * offset the layout gives each array (rowBase(row) + k·kStride) is the element a float64-free brute-force
 * walk over the chain's multi-index finds (NumPy's broadcasting: an extent-1 or absent axis reads index 0);
 * reduced axes with no single stride, and too many kept groups, give undefined.
 */
import { describe, expect, it } from 'vitest';
import { MAX_ROW_DIMS, rowLayout } from '../../src/fusion/row-layout.js';

/** The element of a C-order array of shape `leaf` that the chain's multi-index `coord` reads (broadcast right-aligned). */
function elementOf(coord: readonly number[], leaf: readonly number[]): number {
  const lead = coord.length - leaf.length;
  let idx = 0;
  for (let d = 0; d < leaf.length; d++) {
    const e = leaf[d] ?? 1;
    idx = idx * e + (e === 1 ? 0 : (coord[d + lead] ?? 0));
  }
  return idx;
}

/** Brute force: each (row, k) of the walk (kept axes in order make the row, the reduced ones k) against the layout. */
function check(shape: number[], axes: number[], leaves: number[][]): void {
  const nd = shape.length;
  const red = axes.map((a) => (a + nd) % nd).sort((a, b) => a - b);
  const kept = shape.map((_, d) => d).filter((d) => !red.includes(d));
  const order = [...kept, ...red];
  const l = rowLayout(shape, order, kept.length, leaves);
  expect(l, `${JSON.stringify(shape)} axes ${JSON.stringify(axes)}`).toBeDefined();
  if (l === undefined) return;
  const count = (dims: number[]): number => dims.reduce((a, d) => a * (shape[d] ?? 1), 1);
  const coords = (dims: number[], i: number, into: number[]): void => {
    for (let j = dims.length - 1; j >= 0; j--) {
      const d = dims[j] ?? 0;
      const e = shape[d] ?? 1;
      into[d] = i % e;
      i = Math.floor(i / e);
    }
  };
  for (let row = 0; row < count(kept); row++) {
    // The kernel's decomposition of row over the kept groups (outermost first, kext.w innermost).
    let q = row;
    const c = [0, 0, 0, 0];
    for (let g = 3; g > 0; g--) {
      c[g] = q % (l.kext[g] ?? 1);
      q = Math.floor(q / (l.kext[g] ?? 1));
    }
    c[0] = q;
    for (let k = 0; k < count(red); k++) {
      const coord = new Array<number>(nd).fill(0);
      coords(kept, row, coord);
      coords(red, k, coord);
      leaves.forEach((leaf, i) => {
        const s = l.leaves[i];
        const base = c.reduce((a, v, g) => a + v * (s?.row[g] ?? 0), 0);
        expect(base + k * (s?.k ?? 0), `leaf ${JSON.stringify(leaf)} row ${row} k ${k}`).toBe(elementOf(coord, leaf));
      });
    }
  }
}

describe('rowLayout', () => {
  it('finds each array\'s element along the last axis, axis 0, a middle axis, merged trailing axes, size-1 axes', () => {
    check([3, 4], [-1], [[3, 4], [4], [3, 1], [1], []]);
    check([3, 4], [0], [[3, 4], [4], [3, 1]]);
    check([2, 3, 5], [1], [[2, 3, 5], [3, 1], [5], [2, 1, 1]]);
    check([2, 3, 5], [1, 2], [[2, 3, 5], [2, 1, 1], [3, 5], [1]]);
    check([2, 1, 3, 1, 4], [2], [[2, 1, 3, 1, 4], [3, 1, 4], [1, 1, 1, 1, 4]]);
    check([5, 1], [1], [[5, 1]]);
    check([2, 2, 2, 2, 2, 2], [5], [[2, 2, 2, 2, 2, 2]]); // five kept axes merge into one group
  });

  it('refuses reduced axes with no single stride, and kept axes past the groups a vec4 holds', () => {
    expect(rowLayout([3, 4, 5], [1, 0, 2], 1, [[3, 4, 5]])).toBeUndefined();
    // Trailing axes that merge for x but not for a row [5] broadcast along the first of them.
    expect(rowLayout([2, 3, 5], [0, 1, 2], 1, [[2, 3, 5], [5]])).toBeUndefined();
    // Broadcast arrays that differ along each kept axis stop every merge: five groups.
    const shape = [2, 2, 2, 2, 2, 3];
    const leaves = [shape, [2, 1, 2, 1, 2, 3], [1, 2, 1, 2, 1, 3]];
    expect(MAX_ROW_DIMS).toBe(4);
    expect(rowLayout(shape, [0, 1, 2, 3, 4, 5], 5, leaves)).toBeUndefined();
  });
});
