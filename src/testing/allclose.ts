import { AssertionError } from 'node:assert';
import { toleranceFor, type ExplicitTolerance, type ToleranceSpec } from './tolerance.js';

/** The element furthest outside its bound. */
export interface WorstElement {
  readonly index: number;
  readonly actual: number;
  readonly expected: number;
  /** |actual − expected| (NaN or Infinity when one side is NaN or infinite and the other is not). */
  readonly error: number;
  readonly bound: number;
}

/** What {@link allClose} found: `pass`, or the worst element, how many failed, and a message saying so. */
export type AllCloseResult =
  | { readonly pass: true; readonly message: string }
  | { readonly pass: false; readonly message: string; readonly worst: WorstElement | null; readonly failures: number };

// The shortest text that reads back as the same double: an f32 result shows every digit it has.
function fmt(v: number): string {
  return String(v);
}

function describe(spec: ToleranceSpec | ExplicitTolerance): string {
  if ('rtol' in spec) return `rtol ${spec.rtol}, atol ${spec.atol}`;
  return `${spec.op}, ${spec.dtype}${spec.n !== undefined ? `, n = ${spec.n}` : ''}`;
}

/**
 * Compares `actual` with `expected` element by element within the bound gpukit documents for `spec.op` in
 * `spec.dtype` (or an explicit `{ rtol, atol }`), without throwing: the framework-free core of
 * {@link expectAllClose} and the vitest matcher `toBeAllClose`. NaN matches NaN; infinities must match exactly.
 * @example
 * const r = allClose(await y.toArray(), reference, { dtype: 'f32', op: 'sum', n: x.length });
 * if (!r.pass) console.log(r.message);
 */
export function allClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  spec: ToleranceSpec | ExplicitTolerance,
): AllCloseResult {
  const what = describe(spec);
  if (actual.length !== expected.length) {
    return { pass: false, worst: null, failures: Math.abs(actual.length - expected.length), message: `allClose (${what}): length ${actual.length}, expected ${expected.length}` };
  }
  const { bound, formula } = toleranceFor(spec, expected);
  let worst: WorstElement | null = null;
  let worstRatio = -1;
  let failures = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i] ?? NaN;
    const e = expected[i] ?? NaN;
    if (a === e || (Number.isNaN(a) && Number.isNaN(e))) continue;
    const error = Math.abs(a - e);
    const b = bound(i, e);
    // A NaN error (one side NaN, or ∞ − ∞) never passes, nor does an infinity that differs from the other side
    // (an infinite |expected| makes the relative bound infinite too).
    if (error <= b && Number.isFinite(a) && Number.isFinite(e)) continue;
    failures++;
    // Worst = furthest outside its bound, relative to the bound (a zero bound or a NaN makes it infinitely far).
    const ratio = Number.isNaN(error) ? Infinity : b > 0 ? error / b : Infinity;
    if (worst === null || ratio > worstRatio || (ratio === worstRatio && error > worst.error)) {
      worst = { index: i, actual: a, expected: e, error, bound: b };
      worstRatio = ratio;
    }
  }
  if (worst === null) return { pass: true, message: `allClose (${what}): all ${actual.length} elements within ${formula}` };
  return {
    pass: false,
    worst,
    failures,
    message:
      `allClose (${what}): ${failures} of ${actual.length} elements outside the bound; worst at index ${worst.index}: ` +
      `got ${fmt(worst.actual)}, expected ${fmt(worst.expected)}, |error| ${fmt(worst.error)} > bound ${worst.bound.toExponential(3)} (${formula})`,
  };
}

/**
 * Asserts that `actual` matches `expected` within the tolerance gpukit documents for the op and dtype (float
 * sums' bounds grow with n; integers and exact ops compare exactly). Throws node's `AssertionError` naming the
 * worst element, its index and the bound, so it fails a test under vitest, node:test or any other runner.
 * @example
 * import { expectAllClose, sumCpu } from 'gpukit/testing';
 * expectAllClose(await sum(x).toArray(), [sumCpu(host)], { dtype: 'f32', op: 'sum', n: host.length });
 */
export function expectAllClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  spec: ToleranceSpec | ExplicitTolerance,
): void {
  const r = allClose(actual, expected, spec);
  if (!r.pass) throw new AssertionError({ message: r.message });
}

/**
 * Fails with both numbers and the bound unless |got − want| ≤ bound (NaN never passes).
 * @example expectWithin('sum', got, want, sumBound(absSum(x), x.length - 1, x.length))
 */
export function expectWithin(label: string, got: number, want: number, bound: number): void {
  if (!(Math.abs(got - want) <= bound)) {
    throw new AssertionError({ message: `${label}: got ${got}, reference ${want}, error ${Math.abs(got - want)} > allowed ${bound}` });
  }
}
