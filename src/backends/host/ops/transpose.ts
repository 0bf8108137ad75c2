/** transpose on the host engine: a gpu.js kernel for f32, a CPU loop for i32/u32 (values moved, never converted). */
import { DeviceArray } from '../../../buffers/device-array.js';
import type { HostContext } from '../context.js';
import type { TransposeCall } from '../../../ops/transpose.js';
import { hostOf } from '../host-of.js';
import { runKernel } from '../gpujs.js';
import { checkKernelSizes, enqueueInto, result, sized } from '../kernel-sizes.js';

const TRANSPOSE_SRC = 'function (a, cols) { return a[this.thread.x * cols + this.thread.y]; }';

export function hostTranspose(_: HostContext, { a, rows, cols }: TransposeCall): DeviceArray {
  const host = hostOf('transpose', a);
  if (a.dtype === 'f32' && rows > 1 && cols > 1) checkKernelSizes('transpose', host, [sized('a', a), result(a.length)], 1);
  const out = new DeviceArray(host, a.dtype, [cols, rows]);
  if (rows * cols === 0) return out;
  const A = a.data;
  const O = out.data;
  if (rows === 1 || cols === 1) host.enqueue(() => {
    O.set(A);
  });
  else if (A instanceof Float32Array) {
    enqueueInto(host, O, () => runKernel(host, 'transpose', TRANSPOSE_SRC, 0, { argumentTypes: { a: 'Array', cols: 'Integer' } }, [rows, cols], [A, cols]));
  } else {
    host.enqueue(() => {
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) O[c * rows + r] = A[r * cols + c] ?? 0;
    });
  }
  return out;
}
