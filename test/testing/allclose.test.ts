import { describe, expect, test } from 'vitest';
import { ArgumentError } from '../../src/errors.js';
import { allClose, expectAllClose, gamma, toleranceFor, U32 } from '../../src/testing/index.js';
import '../../src/testing/vitest.js';

// The bounds are checked against numbers worked out here by hand from the README's formulas, not against
// the implementation's own helpers.
describe('gpukit/testing allClose', () => {
  test('an f32 sum of n terms may be off by γ_{n-1}·|expected| (+ the float64 reference), and no more', () => {
    const n = 1001;
    const want = 500500;
    const g = (1000 * 2 ** -24) / (1 - 1000 * 2 ** -24) + (1001 * 2 ** -53) / (1 - 1001 * 2 ** -53);
    const inside = want + g * want * 0.99;
    const outside = want + g * want * 1.01;
    expect(allClose([inside], [want], { dtype: 'f32', op: 'sum', n }).pass).toBe(true);
    const r = allClose([outside], [want], { dtype: 'f32', op: 'sum', n });
    expect(r.pass).toBe(false);
    expect(r.message).toContain('worst at index 0');
    expect(r.message).toContain(`bound ${(g * want).toExponential(3)}`);
  });

  test('the message names the worst element (furthest outside its bound), its index and the bound', () => {
    const expected = [1, 2, 3, 4];
    // Elements 1 and 3 are equally far outside their bounds (2e-3 on 4·γ₁, 1e-3 on 2·γ₁): the bigger error wins.
    const actual = [1, 2 + 1e-3, 3, 4 + 2e-3];
    const r = allClose(actual, expected, { dtype: 'f32', op: 'add' });
    expect(r.pass).toBe(false);
    if (r.pass) return;
    expect(r.failures).toBe(2);
    expect(r.worst?.index).toBe(3);
    expect(r.message).toMatch(/2 of 4 elements outside the bound; worst at index 3: got 4\.002\d*, expected 4, \|error\| 0\.00\d+ > bound 2\.384e-7/);
    const r2 = allClose([1, 2.5, 3], [1, 2, 3.001], { dtype: 'f32', op: 'add' });
    expect(r2.pass ? -1 : r2.worst?.index).toBe(1);
  });

  test('integers and exact ops compare exactly; NaN matches NaN; Infinity only Infinity', () => {
    expect(allClose([3, 4], [3, 4], { dtype: 'i32', op: 'sum', n: 2 }).pass).toBe(true);
    expect(allClose([3, 5], [3, 4], { dtype: 'u32', op: 'sum', n: 2 }).pass).toBe(false);
    expect(allClose([1 + U32], [1], { dtype: 'f32', op: 'sort' }).pass).toBe(false);
    expect(allClose([NaN, Infinity], [NaN, Infinity], { dtype: 'f32', op: 'add' }).pass).toBe(true);
    expect(allClose([1], [NaN], { dtype: 'f32', op: 'add' }).pass).toBe(false);
    expect(allClose([Infinity], [-Infinity], { dtype: 'f32', op: 'mul' }).pass).toBe(false);
    expect(allClose([1, 2], [1], { dtype: 'f32', op: 'add' }).message).toContain('length 2, expected 1');
  });

  test('f16 uses u = 2⁻¹¹; magnitude replaces |expected| for cancelling sums', () => {
    const u16 = 2 ** -11;
    expect(toleranceFor({ dtype: 'f16', op: 'add' }).bound(0, 1)).toBeCloseTo(u16 / (1 - u16) + 2 ** -53, 15);
    // 2048 roundings of u = 2⁻¹¹ bound nothing: refused, not passed.
    expect(() => toleranceFor({ dtype: 'f16', op: 'sum', n: 2049 })).toThrow(/no finite error bound/);
    // Σx = 0 with Σ|x| = 2e6: the bound scales with the magnitude, not with |0|.
    const spec = { dtype: 'f32', op: 'sum', n: 3, magnitude: 2e6 } as const;
    expect(allClose([0.1], [0], spec).pass).toBe(true);
    expect(allClose([0.1], [0], { dtype: 'f32', op: 'sum', n: 3 }).pass).toBe(false);
    expect(gamma(2) / (2 * 2 ** -24)).toBeCloseTo(1, 6);
  });

  test('bad specs are ArgumentErrors, thrown before any comparison', () => {
    expect(() => allClose([1], [1], { dtype: 'f32', op: 'sum' })).toThrow(ArgumentError);
    expect(() => allClose([1], [1], { dtype: 'f32', op: 'map' })).toThrow(/roundings/);
    expect(() => allClose([1], [1], { dtype: 'f64' as 'f32', op: 'add' })).toThrow(ArgumentError);
    expect(() => allClose([1], [1], { dtype: 'f32', op: 'nope' as 'add' })).toThrow(/unknown op nope/);
  });

  test('expectAllClose throws an AssertionError with the message; toBeAllClose fails with it', () => {
    expect(() => { expectAllClose([1.5], [1], { dtype: 'f32', op: 'mul' }); }).toThrow(/worst at index 0: got 1\.5, expected 1/);
    expect(() => { expectAllClose([1], [1], { dtype: 'f32', op: 'mul' }); }).not.toThrow();
    expect([1, 2]).toBeAllClose([1, 2], { dtype: 'f32', op: 'add' });
    expect([1, 3]).not.toBeAllClose([1, 2], { dtype: 'f32', op: 'add' });
    expect(() => expect([1, 3]).toBeAllClose([1, 2], { dtype: 'i32', op: 'add' })).toThrow(/worst at index 1: got 3, expected 2, \|error\| 1 > bound 0\.000e\+0 \(exact\)/);
  });
});
