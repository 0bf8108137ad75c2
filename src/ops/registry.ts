/**
 * Every public op's manifest, in the order the reference lists them. The docs' op table
 * (docs/reference/ops.md, `npm run op-table`) is generated from this list, and test/arch/manifests.test.ts
 * fails when it, the public exports and the docs disagree. (Internal manifests — the along-axes forms of
 * ops whose public manifest is the whole-array one, the row-to-row helper — are not listed.)
 */
import type { Op } from './manifest.js';
import type { DType } from '../buffers/dtype.js';
import { ARGMAX, ARGMIN } from './arg.js';
import { axisOp, SOFTMAX } from './axis.js';
import { AXPY, MAP, SCALE } from './elementwise.js';
import { FFT, IFFT } from './fft.js';
import { HISTOGRAM } from './histogram.js';
import { COPY } from './copy.js';
import { DIAGONAL, OUTER, TENSORDOT, TRACE, VECDOT } from './linalg.js';
import { BOOLEAN_INDEX, NONZERO } from './mask.js';
import { BROADCAST_ARRAYS, BROADCAST_TO, CONCAT, EMPTY_LIKE, EXPAND_DIMS, FLIP, FULL_LIKE, MATRIX_TRANSPOSE, MESHGRID, ONES_LIKE, PAD, PERMUTE_DIMS, RESHAPE, ROLL, SQUEEZE, STACK, TRIL, TRIU, ZEROS_LIKE } from './manipulation.js';
import { BINCOUNT, SCATTER_ADD, SEGMENT_MAX, SEGMENT_SUM, TAKE } from './indexing.js';
import { MATH_OPS } from './math.js';
import { MATMUL } from './matmul.js';
import { RANDOM_NORMAL, RANDOM_U32, RANDOM_UNIFORM } from './random.js';
import { DOT, MAX, MEAN, MIN, NORM, SUM } from './reduce.js';
import { SCAN } from './scan.js';
import { ARGSORT, SEARCHSORTED, SORT, SORT_PAIRS, TOPK } from './sort.js';
import { TRANSPOSE } from './transpose.js';
import { UNIQUE_ALL, UNIQUE_COUNTS, UNIQUE_INVERSE, UNIQUE_VALUES } from './unique.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a list of ops of every signature
export type AnyOp = Op<any[], object, unknown>;

/** `o` with its declared dtypes: its own, or its expression's (the unary and binary math functions). */
function declared(o: AnyOp): AnyOp {
  if (o.dtypes !== undefined) return o;
  const e: unknown = (o as { expression?: unknown }).expression;
  const own = typeof e === 'object' && e !== null && 'dtypes' in e ? (e as { dtypes: readonly DType[] }).dtypes : undefined;
  return own === undefined ? o : { ...o, dtypes: own };
}

export const OPS: readonly AnyOp[] = ([
  COPY,
  ZEROS_LIKE,
  ONES_LIKE,
  FULL_LIKE,
  EMPTY_LIKE,
  TRIL,
  TRIU,
  MESHGRID,
  CONCAT,
  STACK,
  RESHAPE,
  EXPAND_DIMS,
  SQUEEZE,
  FLIP,
  ROLL,
  PERMUTE_DIMS,
  BROADCAST_TO,
  BROADCAST_ARRAYS,
  PAD,
  ...MATH_OPS,
  SCALE,
  AXPY,
  MAP,
  SOFTMAX,
  SUM,
  MEAN,
  MIN,
  MAX,
  NORM,
  DOT,
  ARGMIN,
  ARGMAX,
  axisOp('prod'),
  axisOp('any'),
  axisOp('all'),
  axisOp('var'),
  axisOp('std'),
  axisOp('logsumexp'),
  SCAN,
  SORT,
  ARGSORT,
  SORT_PAIRS,
  SEARCHSORTED,
  TOPK,
  UNIQUE_VALUES,
  UNIQUE_COUNTS,
  UNIQUE_INVERSE,
  UNIQUE_ALL,
  TAKE,
  NONZERO,
  BOOLEAN_INDEX,
  SCATTER_ADD,
  BINCOUNT,
  SEGMENT_SUM,
  SEGMENT_MAX,
  HISTOGRAM,
  MATMUL,
  TRANSPOSE,
  MATRIX_TRANSPOSE,
  VECDOT,
  TENSORDOT,
  OUTER,
  TRACE,
  DIAGONAL,
  FFT,
  IFFT,
  RANDOM_UNIFORM,
  RANDOM_NORMAL,
  RANDOM_U32,
] as unknown as readonly AnyOp[]).map(declared);
