/** matmul on the host engine: one gpu.js kernel (f32, float sums in k order); i32 / u32 on the CPU, wrapping as NumPy's. */
import { DeviceArray } from '../../../buffers/device-array.js';
import type { HostContext } from '../context.js';
import type { MatmulCall } from '../../../ops/matmul.js';
import { hostOf } from '../host-of.js';
import { loopCap, runKernel } from '../gpujs.js';
import { checkKernelSizes, enqueueInto, result, sized } from '../kernel-sizes.js';

const MATMUL_SRC =
  'function (a, b, k, aRow, aCol, bRow, bCol) { let s = 0; for (let p = 0; p < k; p++) { s += a[this.thread.y * aRow + p * aCol] * b[p * bRow + this.thread.x * bCol]; } return s; }';

/**
 * An integer product (i32 or u32) on the CPU: products and sums wrapping modulo 2^32 (Math.imul, `| 0`),
 * NumPy's int32 / uint32 matmul bit for bit (gpu.js computes in floats, exact only below 2^24).
 */
function hostMatmulInt(host: HostContext, dtype: 'i32' | 'u32', a: DeviceArray, b: DeviceArray, m: number, k: number, n: number, transA: boolean, transB: boolean): DeviceArray<'i32' | 'u32'> {
  const out = new DeviceArray(host, dtype, [m, n]);
  const O = out.data;
  const A = a.data;
  const B = b.data;
  const [aRow, aCol, bRow, bCol] = [transA ? 1 : k, transA ? m : 1, transB ? 1 : n, transB ? k : 1];
  host.enqueue(() => {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s = (s + Math.imul(A[i * aRow + p * aCol] ?? 0, B[p * bRow + j * bCol] ?? 0)) | 0;
        O[i * n + j] = s; // an Int32Array / Uint32Array store takes the value modulo 2^32
      }
    }
  });
  return out;
}

export function hostMatmul(_: HostContext, { a, b, m, k, n, transA, transB, dtype }: MatmulCall): DeviceArray<'f32' | 'i32' | 'u32'> {
  const host = hostOf('matmul', a, b);
  if (dtype !== 'f32') return hostMatmulInt(host, dtype, a, b, m, k, n, transA, transB);
  if (m * n > 0 && k > 0) checkKernelSizes('matmul', host, [sized('a', a), sized('b', b), result(m * n)], 5);
  const out = new DeviceArray(host, 'f32', [m, n]);
  const O = out.data;
  if (m * n === 0) return out;
  if (k === 0) {
    host.enqueue(() => {
    O.fill(0);
  });
    return out;
  }
  const A = a.data as Float32Array;
  const B = b.data as Float32Array;
  const [aRow, aCol, bRow, bCol] = [transA ? 1 : k, transA ? m : 1, transB ? 1 : n, transB ? k : 1];
  // A column result (n = 1) is the same memory as its transpose, the row Cᵀ = op(B)ᵀ·op(A)ᵀ: computed so,
  // with the m outputs along the kernel's x, as r @ X is (X.T @ r costs what r @ X does; issue 26).
  const [L, R, dims, strides] = n === 1 && m > 1 ? [B, A, [m, 1], [0, bRow, aCol, aRow]] : [A, B, [n, m], [aRow, aCol, bRow, bCol]];
  // The loop over k has a bound gpu.js cannot see, so it stops at loopMaxIterations: the cap must cover k.
  enqueueInto(host, O, () => runKernel(host, 'matmul', MATMUL_SRC, loopCap(k), { argumentTypes: { a: 'Array', b: 'Array', k: 'Integer', aRow: 'Integer', aCol: 'Integer', bRow: 'Integer', bCol: 'Integer' } }, dims, [L, R, k, ...strides]));
  return out;
}
