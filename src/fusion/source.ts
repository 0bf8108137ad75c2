/**
 * `fusedSource(y)`: the kernel a lazy array's recorded chain compiles into (fusion: src/backends/dawn/fusion.ts
 * on Dawn, src/backends/host/fusion.ts on gpujs).
 */
import { checkArray } from '../ops/check-array.js';
import type { DeviceArray } from '../buffers/device-array.js';

/**
 * The generated source of the fused kernel that would compute `x`, while `x` is a recorded chain not computed
 * yet; null once it has been computed (or when it never was recorded: fusion off, an op that does not fuse).
 * On Dawn it is WGSL, the plain variant (a call may bind a broadcast operand in place: its rows/cols
 * variant); on the gpujs engine it is the JavaScript loop the chain runs as (each op's host body,
 * translated as the op alone translates it).
 *
 * @example
 * ```ts
 * const y = exp(mul(sub(x, 1), 0.5));
 * console.log(fusedSource(y)); // // elementwise 'fused(sub,mul,exp)' ... one kernel
 * ```
 */
export function fusedSource(x: DeviceArray): string | null {
  checkArray('fusedSource', 'x', x);
  return x.pending?.source() ?? null;
}
