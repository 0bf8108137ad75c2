/**
 * The ops gpu.js runs as kernels, the only ones with gpujs bench contenders (src/bench/gpujs.ts); the gpujs
 * engine runs the others on the host CPU. Kept apart from gpujs.ts, which loads gpukit's API, so the report
 * analysis can name them without an import cycle.
 */
export const GPUJS_KERNEL_OPS = ['axpy', 'sum', 'dot', 'matmul'] as const;

export type GpujsKernelOp = (typeof GPUJS_KERNEL_OPS)[number];
