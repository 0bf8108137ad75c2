/**
 * The index rules of take and the scatters (src/ops/indexing.ts), shared by both engines: how an index
 * resolves (a negative one from the end where NumPy wraps) and the error for the out-of-range ones.
 */
import { ArgumentError } from '../errors.js';

/** x seen as [outer, n, inner] around the indexed axis; m indices. */
export interface Geometry {
  readonly outer: number;
  readonly n: number;
  readonly m: number;
  readonly inner: number;
}

/** The error for the out-of-range indices an op met, or null (count, largest index ≥ n, largest |negative|). */
export function rangeError(op: string, what: string, n: number, wrap: boolean, count: number, largest: number, negative: number): ArgumentError | null {
  if (count === 0) return null;
  const vals = [largest >= n && (largest > 0 || negative === 0) ? `largest ${largest}` : '', negative > 0 ? `most negative -${negative}` : ''].filter((s) => s !== '');
  const valid = n === 0 ? 'none' : `0..${n - 1}${wrap ? ` or -${n}..-1` : ''}`;
  return new ArgumentError(`${op}: ${count} ind${count === 1 ? 'ex is' : 'ices are'} out of range for ${what} of extent ${n} (${vals.join(', ')}); valid indices: ${valid}`);
}

/** Each index resolved (negative from the end when `wrap`), or an ArgumentError for any bad one. */
export function resolveIndices(op: string, what: string, I: ArrayLike<number>, n: number, wrap: boolean): Int32Array {
  const ks = new Int32Array(I.length);
  let count = 0;
  let largest = 0;
  let negative = 0;
  for (let j = 0; j < I.length; j++) {
    const v = I[j] ?? 0;
    const k = v < 0 && wrap ? v + n : v;
    if (k < 0 || k >= n) {
      count++;
      if (v >= 0) largest = Math.max(largest, v);
      else negative = Math.max(negative, -v);
    } else ks[j] = k;
  }
  const e = rangeError(op, what, n, wrap, count, largest, negative);
  if (e !== null) throw e;
  return ks;
}
