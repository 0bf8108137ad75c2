/** The float64 reference for scan (the tests compare both engines with it). */
import { ArgumentError } from '../errors.js';
import { checkHost } from '../ops/signature.js';

/**
 * CPU reference for the prefix sum (scan) op.
 *
 * Numerical choice for f32: the running sum is kept in float64 and each output is rounded to f32 once.
 * That is the exactly-rounded answer up to float64 error, i.e. what a GPU scan should be compared with
 * (the GPU sums in f32 in a different order — per block, then block offsets — so neither a serial f32
 * loop nor the GPU is "the" answer; tests compare the GPU with this reference within a tolerance that
 * grows with n). For i32 and u32 the sum wraps modulo 2^32, exactly as WGSL integer addition does, so
 * integer results must match exactly.
 *
 * @example
 * scanCpu(new Float32Array([1, 2, 3]), false); // Float32Array [1, 3, 6]
 * scanCpu(new Int32Array([1, 2, 3]), true);    // Int32Array [0, 1, 3]
 */
export function scanCpu<A extends Float32Array | Int32Array | Uint32Array>(x: A, exclusive: boolean): A {
  checkHost('scanCpu', 'x', x, [Float32Array, Int32Array, Uint32Array]);
  if (typeof exclusive !== 'boolean') throw new ArgumentError(`scanCpu: exclusive must be a boolean, got ${typeof exclusive}`);
  const n = x.length;
  const out = new (x.constructor as new (length: number) => A)(n);
  if (x instanceof Float32Array) {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const v = x[i] ?? 0;
      if (exclusive) {
        out[i] = s;
        s += v;
      } else {
        s += v;
        out[i] = s;
      }
    }
    return out;
  }
  // Integers: accumulate modulo 2^32; storing into the typed array applies the i32/u32 wrap.
  let s = 0;
  for (let i = 0; i < n; i++) {
    const v = x[i] ?? 0;
    if (exclusive) {
      out[i] = s;
      s = (s + v) | 0;
    } else {
      s = (s + v) | 0;
      out[i] = s;
    }
  }
  return out;
}
