/**
 * One small call per op (src/ops/registry.ts), with its data argument(s) of a given dtype: what
 * test/arch/manifests.test.ts feeds each op to hold its declared `dtypes` to its behaviour. Arrays are tiny
 * (2 × 2, or 4 elements where the op wants 1-d), so a refused dtype throws at the call, before any work.
 */
import { logsumexp, type DeviceArray, type DType, type GpuDevice } from '../../src/index.js';

/** Makes an array of `dtype` (2 × 2 unless `shape` is given). */
export type Make = (dtype: DType, shape?: readonly number[]) => DeviceArray;

/** The manifest's `call` arguments for data of dtype `d`. */
export type Sample = (d: DType, make: Make, device: GpuDevice) => unknown[];

const x1 = (d: DType, make: Make): unknown[] => [make(d), []];
const xOpts = (opts: object = {}) => (d: DType, make: Make): unknown[] => [make(d), opts, []];
const binary = (d: DType, make: Make): unknown[] => [make(d), make(d), undefined];
const unary = (d: DType, make: Make): unknown[] => [make(d), undefined];
const axisOp = (op: string) => (d: DType, make: Make): unknown[] => [op, make(d), {}];

/** Ops that are not the unary / binary elementwise default, by manifest name. */
export const SAMPLES: Record<string, Sample> = {
  copy: x1,
  zerosLike: xOpts(),
  onesLike: xOpts(),
  emptyLike: xOpts(),
  fullLike: (d, make) => [make(d), 1, {}, []],
  tril: xOpts(),
  triu: xOpts(),
  meshgrid: (d, make) => [[make(d, [2]), make(d, [3])]],
  concat: (d, make) => [[make(d), make(d)], {}, []],
  stack: (d, make) => [[make(d), make(d)], {}, []],
  reshape: (d, make) => [make(d), [4], {}, []],
  expandDims: xOpts({ axis: 0 }),
  squeeze: (d, make) => [make(d, [1, 2]), { axis: 0 }, []],
  flip: xOpts(),
  roll: (d, make) => [make(d), 1, {}, []],
  permuteDims: (d, make) => [make(d), [1, 0], []],
  broadcastTo: (d, make) => [make(d), [3, 2, 2], []],
  broadcastArrays: (d, make) => [[make(d), make(d, [2])]],
  pad: (d, make) => [make(d), 1, {}, []],
  clip: (d, make) => [make(d), 0, 1, undefined],
  where: (d, make) => [make('bool'), make(d), make(d), undefined],
  astype: (d, make) => [make(d), 'f32'],
  scale: (d, make) => [make(d), 2, undefined],
  axpy: (d, make) => [2, make(d), make(d)],
  map: (d, make) => [make(d), 'x', undefined],
  softmax: (d, make) => [make(d), {}],
  sum: (d, make) => [make(d)],
  mean: (d, make) => [make(d)],
  min: (d, make) => [make(d)],
  max: (d, make) => [make(d)],
  norm: (d, make) => [make(d)],
  dot: (d, make) => [make(d, [4]), make(d, [4])],
  argmin: (d, make) => [make(d), false],
  argmax: (d, make) => [make(d), false],
  prod: axisOp('prod'),
  any: axisOp('any'),
  all: axisOp('all'),
  variance: axisOp('var'),
  std: axisOp('std'),
  scan: (d, make) => ['scan', make(d, [4]), {}, []],
  sort: xOpts(),
  argsort: xOpts(),
  sortPairs: (d, make) => [make(d, [4]), make('u32', [4]), {}, []],
  searchsorted: (d, make) => [make(d, [4]), make(d, [2]), {}, []],
  topk: (d, make) => [make(d, [4]), 2, {}, []],
  uniqueValues: x1,
  uniqueCounts: x1,
  uniqueInverse: x1,
  uniqueAll: x1,
  take: (d, make) => [make(d), make('i32', [1]), { axis: 0 }],
  nonzero: x1,
  booleanIndex: (d, make) => [make(d), make('bool'), []],
  scatterAdd: (d, make) => [make(d, [4]), make('i32', [2]), make(d, [2]), {}],
  bincount: (d, make) => [make(d, [4]), {}, 4],
  segmentSum: (d, make) => [make(d, [4]), make('i32', [4]), { numSegments: 2 }],
  segmentMax: (d, make) => [make(d, [4]), make('i32', [4]), { numSegments: 2 }],
  histogram: (d, make) => [make(d, [4]), { bins: 2, lo: 0, hi: 1 }, []],
  matmul: (d, make) => [make(d), make(d), { m: 2, k: 2, n: 2, transA: false, transB: false }],
  transpose: (d, make) => [make(d), undefined, undefined, []],
  matrixTranspose: x1,
  vecdot: (d, make) => [make(d), make(d), {}, []],
  tensordot: (d, make) => [make(d), make(d), {}, []],
  outer: (d, make) => [make(d, [2]), make(d, [2]), []],
  trace: xOpts(),
  diagonal: xOpts(),
  fft: (d, make) => [make(d, [4]), {}, []],
  ifft: (d, make) => [make(d, [4]), {}, []],
};

/** The sample call of the op named `name` (`arity`: its check's declared parameters, for the elementwise default). */
export function sampleOf(name: string, arity: number): Sample {
  return SAMPLES[name] ?? (arity >= 3 ? binary : unary);
}

/**
 * Ops whose public function still checks more than the manifest (so the manifest's `call` is not the op's
 * behaviour): the call to make instead. logsumexp's f32-only check sits in src/ops/math.ts's logsumexp().
 */
export const VIA_PUBLIC: Record<string, (d: DType, make: Make) => () => unknown> = {
  logsumexp: (d, make) => {
    const x = make(d);
    return () => logsumexp(x);
  },
};
