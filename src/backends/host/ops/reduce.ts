/**
 * Whole-array reductions on the host engine: f32 sum, mean, norm and dot by passes of gpu.js kernels (each
 * thread folds 64 elements, passes repeat until one value is left); min, max and every i32/u32 variant on
 * the CPU (integer sums exact, or an OverflowError; min/max NaN-propagating).
 */
import { DeviceArray } from '../../../buffers/device-array.js';
import type { HostContext } from '../context.js';
import { hostOf } from '../host-of.js';
import { hostFusionOf } from '../fusion.js';
import { runKernel } from '../gpujs.js';
import { checkKernelSizes, result, sized } from '../kernel-sizes.js';
import { maxCpu, minCpu } from '../../../reference/reduce.js';
import { exactIntSum, overflowOf } from '../../../reference/overflow.js';
import type { DotCall, ReduceCall } from '../../../ops/reduce.js';

/** Elements each gpu.js thread folds per pass: 64 serial f32 additions keep a sum inside sumTolerance. */
const FOLD = 64;
const FOLD_SRC = {
  sum: `function (x, n) { let s = 0; for (let j = 0; j < ${FOLD}; j++) { const i = this.thread.x * ${FOLD} + j; if (i < n) { s += x[i]; } } return s; }`,
  sumsq: `function (x, n) { let s = 0; for (let j = 0; j < ${FOLD}; j++) { const i = this.thread.x * ${FOLD} + j; if (i < n) { s += x[i] * x[i]; } } return s; }`,
  dot: `function (x, y, n) { let s = 0; for (let j = 0; j < ${FOLD}; j++) { const i = this.thread.x * ${FOLD} + j; if (i < n) { s += x[i] * y[i]; } } return s; }`,
} as const;

/** f32 sum of map(x[, y]) by passes of gpu.js kernels. */
async function foldF32(host: HostContext, first: 'sum' | 'sumsq' | 'dot', X: Float32Array, Y: Float32Array | undefined): Promise<number> {
  const n = X.length;
  if (n === 0) return 0;
  let parts = await runKernel(host, `fold|${first}`, FOLD_SRC[first], FOLD, {}, [Math.ceil(n / FOLD)], Y === undefined ? [X, n] : [X, Y, n]);
  while (parts.length > 1) parts = await runKernel(host, 'fold|sum', FOLD_SRC.sum, FOLD, {}, [Math.ceil(parts.length / FOLD)], [parts, parts.length]);
  return parts[0] ?? 0;
}

function intSum(X: Int32Array | Uint32Array, Y?: Int32Array | Uint32Array): number {
  let s = 0;
  for (let i = 0; i < X.length; i++) s = (s + (Y === undefined ? (X[i] ?? 0) : Math.imul(X[i] ?? 0, Y[i] ?? 0))) | 0;
  return s;
}

const INT_IDENTITY = { min: { i32: 2147483647, u32: 0xffffffff }, max: { i32: -2147483648, u32: 0 } } as const;

/** sum, mean, min, max or norm of all of x's elements (checked by src/ops/reduce.ts), as a 0-d array (shape []). */
export function hostReduce(_host: HostContext, { op, x }: ReduceCall): DeviceArray {
  const host = hostOf(op, x);
  const fused = fusedReduce(host, op, x);
  if (fused !== undefined) return fused;
  if (x.dtype === 'f32' && op !== 'min' && op !== 'max') checkKernelSizes(op, host, [sized('x', x), result(Math.ceil(x.length / FOLD), 'the partial sums')], 1);
  const out = new DeviceArray(host, x.dtype, []);
  const X = x.data;
  const O = out.data;
  const n = x.length;
  if (op === 'min' || op === 'max') {
    host.enqueue(() => {
      if (X instanceof Float32Array) O[0] = op === 'min' ? minCpu(X) : maxCpu(X);
      else O[0] = n === 0 ? INT_IDENTITY[op][x.dtype === 'u32' ? 'u32' : 'i32'] : op === 'min' ? minCpu(X) : maxCpu(X);
    });
    return out;
  }
  if (!(X instanceof Float32Array)) {
    const dtype = x.dtype as 'i32' | 'u32';
    host.enqueue(() => {
      // Exact, or the op fails: never a wrap.
      const e = overflowOf('sum', dtype, exactIntSum(X));
      if (e !== null) throw e;
      O[0] = intSum(X);
    });
    return out;
  }
  host.enqueue(async () => {
    O[0] = finish(op, await foldF32(host, op === 'norm' ? 'sumsq' : 'sum', X, undefined), n);
  });
  return out;
}

/** The f32 result from the fold of n elements: mean's and norm's last step. */
function finish(op: ReduceCall['op'], s: number, n: number): number {
  return op === 'norm' ? Math.sqrt(s) : op === 'mean' ? (n === 0 ? NaN : s * Math.fround(1 / n)) : s;
}

/**
 * The reduction of a recorded f32 chain under x (fusion, src/backends/host/fusion.ts): ONE loop computes
 * each element of the chain and folds it as {@link foldF32} (sums, norm) or minCpu/maxCpu (min, max) fold
 * the stored elements, so the result is the unfused one bit for bit; x stays lazy. Undefined when x is
 * not a recorded f32 chain or fusion is off.
 */
function fusedReduce(host: HostContext, op: ReduceCall['op'], x: DeviceArray): DeviceArray | undefined {
  if (x.dtype !== 'f32' || x.pending === undefined || host.fusion === null) return undefined;
  const out = new DeviceArray(host, 'f32', []);
  const O = out.data;
  const n = x.length;
  const fold = op === 'min' || op === 'max' ? op : op === 'norm' ? 'sumsq' : 'sum';
  if (hostFusionOf(host).reduce(x, op, fold, (s) => (O[0] = finish(op, s, n)))) return out;
  out.destroy();
  return undefined;
}

/** Σ x·y (checked by src/ops/reduce.ts), as a 0-d array (shape []). */
export function hostDot(_host: HostContext, { x, y }: DotCall): DeviceArray {
  const host = hostOf('dot', x, y);
  if (x.dtype === 'f32') checkKernelSizes('dot', host, [sized('x', x), sized('y', y), result(Math.ceil(x.length / FOLD), 'the partial sums')], 1);
  const out = new DeviceArray(host, x.dtype, []);
  const X = x.data;
  const Y = y.data;
  const O = out.data;
  if (X instanceof Float32Array) host.enqueue(async () => {
    O[0] = await foldF32(host, 'dot', X, Y as Float32Array);
  });
  else host.enqueue(() => {
    O[0] = intSum(X, Y as Int32Array);
  });
  return out;
}
