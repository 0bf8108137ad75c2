/// <reference lib="esnext.disposable" preserve="true" />
// The WebGPU names the public types use, so the published .d.ts stand alone (see webgpu-globals.ts).
import './webgpu-globals.js';
import type { WgslLayout } from './kernels/reflect.js';
export { openDevice, GpuDevice, type OpenDeviceOptions, type EngineChoice, type GpujsMode, type JsKernelFn, type JsKernelOptions, type EmptyOptions, type ArrayOptions, type DTypeOptions, type DTypeOfData, type ArangeOptions, type LinspaceOptions, type EyeOptions } from './gpu-device.js';
export { DeviceArray, type ReadOptions, type ArrayFill } from './buffers/device-array.js';
export { fusedSource } from './fusion/source.js';
export { jit } from './fusion/jit.js';
export { broadcastShapes, MAX_RANK, newaxis, ellipsis, type SliceSpec, type Layout as ViewLayout } from './buffers/strided.js';
export type { DType, HostArrayOf, NestedArray } from './buffers/dtype.js';
export { resultType, canCast, promoteTypes } from './buffers/dtype.js';
export type { MemoryStats } from './backends/dawn/pool.js';
export { defaultStreamChunk, type FoldStreamOptions, type MapStreamOptions, type ReduceStreamOptions, type StreamCombine, type StreamFn, type StreamInputs, type StreamOptions, type Streamer, type StreamRoute, type StreamerMapOptions, type StreamerOptions, type StreamerReduceOptions } from './buffers/stream.js';
export type { DeviceInfo, EngineName, FeatureLevel, BackendName, WebgpuImplementation } from './device/info.js';
export { describeAdapter } from './device/info.js';
export { engineTraits, type EngineTraits } from './device/engines.js';
export { currentRuntime, type RuntimeInfo, type RuntimeName } from './device/runtime.js';
export type { DawnAdapterOptions, LimitCaps } from './backends/dawn/adapter.js';
export { Kernel, setKernelCacheSize, type KernelOptions, type KernelArgs } from './backends/dawn/kernel.js';
export type { Dispatch } from './backends/dawn/geometry.js';
export type { TuningProfile } from './backends/dawn/tuning.js';
export type { BindingInfo, EntryInfo, Scalar, WgslLayout } from './kernels/reflect.js';
/**
 * @deprecated Renamed {@link WgslLayout}: gpukit had two types named `Layout` (a view's is {@link ViewLayout}).
 * This alias goes in the next major version.
 */
export type Layout = WgslLayout;
export type { ArgSpec } from './kernels/codegen.js';
export type { UniformValue } from './backends/dawn/uniform.js';
export {
  GpukitError,
  DeviceUnavailableError,
  BufferUsageError,
  DeviceLostError,
  ShaderCompileError,
  ValidationError,
  DTypeError,
  ShapeError,
  LimitError,
  ArgumentError,
  IndexError,
  DestroyedError,
  UnsupportedOnEngineError,
  OutOfMemoryError,
  ProfileConflictError,
  ReentrantCallError,
  TimeoutError,
  OverflowError,
  type ShaderDiagnostic,
} from './errors.js';
export { scale, axpy, map, type ElementwiseSpec, type ElementwiseFn, type ElementwiseArgs, type ElementwiseCallOptions } from './ops/elementwise.js';
export { setBuilderCacheSize, builderCacheSize } from './backends/dawn/builder-cache.js';
export { sum, mean, min, max, dot, norm, prod, any, all, variance, std, type ReductionSpec, type ReductionFn } from './ops/reduce.js';
export { type AxisOptions, type SoftmaxOptions } from './ops/axis.js';
export { copy } from './ops/copy.js';
export { nonzero, booleanIndex } from './ops/mask.js';
export { vecdot, tensordot, outer, trace, diagonal, linalg, type Linalg, type TensordotOptions } from './ops/linalg.js';
export {
  concat,
  stack,
  reshape,
  expandDims,
  squeeze,
  flip,
  roll,
  permuteDims,
  broadcastTo,
  broadcastArrays,
  pad,
  matrixTranspose,
  tril,
  triu,
  meshgrid,
  zerosLike,
  onesLike,
  fullLike,
  emptyLike,
  type PadOptions,
} from './ops/manipulation.js';
export { type OutOptions } from './ops/signature.js';
export { random, type RandomOptions, type RandomDevice, type DeviceRandom } from './ops/random.js';
// The CPU references the ops are tested against (sumCpu, matmulCpu, â¦) have one home: 'gpukit/testing'.
export { histogram, type Histogram } from './ops/histogram.js';
export { take, scatterAdd, bincount, segmentSum, segmentMax, type BincountOptions, type IndexAxisOptions, type SegmentOptions } from './ops/indexing.js';
export { fft, ifft, type FftOptions } from './ops/fft.js';
export { scan, cumsum, cumulativeSum, type ScanOptions, type CumsumOptions, type CumulativeSumOptions } from './ops/scan.js';
export { sort, argsort, sortPairs, searchsorted, topk, type SortOptions, type SearchsortedOptions, type TopkOptions } from './ops/sort.js';
export { uniqueValues, uniqueCounts, uniqueInverse, uniqueAll, type UniqueAllResult, type UniqueCountsResult, type UniqueInverseResult } from './ops/unique.js';
export type { Profile, PhaseTiming, KernelTiming, TimingMethod } from './timing/profiler.js';
export { matmul, type MatmulShape, type MatmulOptions, type MatmulDType } from './ops/matmul.js';
export { transpose, type TransposeOptions } from './ops/transpose.js';
export { argmin, argmax } from './ops/arg.js';
export {
  add,
  subtract,
  sub,
  multiply,
  mul,
  divide,
  div,
  power,
  pow,
  floorDivide,
  remainder,
  maximum,
  minimum,
  atan2,
  logaddexp,
  bitwiseAnd,
  bitwiseOr,
  bitwiseXor,
  bitwiseLeftShift,
  bitwiseRightShift,
  bitwiseInvert,
  logicalAnd,
  logicalOr,
  logicalXor,
  logicalNot,
  equal,
  eq,
  notEqual,
  ne,
  less,
  lt,
  lessEqual,
  le,
  greater,
  gt,
  greaterEqual,
  ge,
  isnan,
  isinf,
  isfinite,
  negative,
  neg,
  positive,
  abs,
  square,
  sign,
  floor,
  ceil,
  round,
  trunc,
  exp,
  expm1,
  log,
  log1p,
  log2,
  log10,
  sqrt,
  rsqrt,
  sin,
  cos,
  tan,
  asin,
  acos,
  atan,
  sinh,
  cosh,
  tanh,
  asinh,
  acosh,
  atanh,
  sigmoid,
  relu,
  clip,
  where,
  astype,
  softmax,
  logsumexp,
  type UnaryMathOp,
  type UnaryPredicate,
  type BinaryMathOp,
  type ScalarOperand,
  type CompareOp,
} from './ops/math.js';
export { openPlaced, placeOn, Placed, type HostArray, type NdHost, type HostInput, type SameForm, type PlacementMode, type PlacementOptions, type PlacementRecord } from './placement/placed.js';
export { PlacementModel, sizeOf, PLACED_OPS, DEFAULT_CEILINGS, type PlacedOp, type ForcedSide, type Decision, type Prediction, type ModelSource, type CallSize, type GivenLines, type PlacementModelOptions } from './placement/model.js';
export type { PlacementLine, PlacementContender, PlacementCeilings, PlacementFile } from './bench/placement-file.js';
