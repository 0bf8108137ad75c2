/**
 * Elementwise math with NumPy's broadcasting, on both engines: the binary ops `divide power maximum minimum`,
 * the unary `negative abs exp log log1p expm1 sqrt rsqrt sin cos tanh sigmoid relu floor ceil round sign clip`,
 * the comparisons `equal notEqual less lessEqual greater greaterEqual` (a u32 mask of 0/1), `where(mask, a, b)`
 * and `astype(x, dtype)`. Every op's output may be given as `{ out }` (the last argument); the names NumPy
 * spells differently keep today's short ones as aliases (`div`, `pow`, `neg`, `eq ne lt le gt ge`), the
 * same functions, which also name the op in error messages.
 *
 * Each op is one WGSL elementwise body, kept here as data in its manifest: on Dawn a ready builder
 * (src/backends/dawn/ops/math.ts), on gpujs the same body translated to JavaScript (src/backends/host/ops/math.ts),
 * so both engines compute the same formula.
 * Where WGSL leaves a result indeterminate (sqrt or log of a negative, inverseSqrt of 0, pow of a negative
 * base, max/min of NaN), the body spells out NumPy's answer (NaN, ±Inf, NaN-propagating max/min) instead.
 * Accuracy is WGSL's per builtin (e.g. exp within 3 + 2·|x| ULP, sin/cos within 2^-11 absolute on
 * [-π, π]); the tests assert those bounds against NumPy's float64.
 */
import type { DeviceArray } from '../buffers/device-array.js';
import { assertDType, type DType } from '../buffers/dtype.js';
import { ArgumentError, DTypeError } from '../errors.js';
import { checkReady } from './elementwise.js';
import { checkArrays, checkNumber, outOf, type BoundArgs, type ElementwiseCheck, type OutOptions } from './signature.js';
import { checkAxisOptions, reduceAxis, softmaxAxis, type AxisOptions, type SoftmaxOptions } from './axis.js';
import { defineOp, type Checked, type Op, type ToleranceClass } from './manifest.js';
import { dawnMath } from '../backends/dawn/ops/math.js';
import { hostMath } from '../backends/host/ops/math.js';

// f32, i32 and u32 so far (f16 arrays: astype(x, 'f32') first).
const FLOAT: readonly DType[] = ['f32'];
const SIGNED: readonly DType[] = ['f32', 'i32'];
const ANY: readonly DType[] = ['f32', 'i32', 'u32'];

/**
 * NaN tests. WGSL lets an implementation assume floats are never NaN (lavapipe's LLVM folds `x != x` to
 * false), so on Dawn a NaN is recognised by its bits; the gpujs translation runs IEEE JavaScript, where
 * `x != x` is exact. Integer arrays have no NaN.
 */
const ISNAN = {
  dawn: (v: string) => `((bitcast<u32>(${v}) & 0x7fffffffu) > 0x7f800000u)`,
  host: (v: string) => `(${v} != ${v})`,
  int: () => 'false',
} as const;

/**
 * Infinity and sign-bit tests, for the same reason: an implementation may assume floats are finite (and so
 * fold `x == inf`), and `x < 0.0` cannot tell -0 from +0. By bits on Dawn; IEEE JavaScript on gpujs.
 */
const ISINF = {
  dawn: (v: string) => `((bitcast<u32>(${v}) & 0x7fffffffu) == 0x7f800000u)`,
  host: (v: string) => `(abs(${v}) == infv)`,
} as const;
const SIGNBIT = {
  dawn: (v: string) => `((bitcast<u32>(${v}) >> 31u) == 1u)`,
  host: (v: string) => `(${v} < 0.0 || 1.0 / ${v} < 0.0)`,
} as const;

/** The smallest normal f32, 2^-126: below it (subnormals) `log` is computed on x·2^23 (exact), then less 23·ln 2. */
const MIN_NORMAL = '1.17549435e-38';

/** One op's WGSL elementwise spec: the expression its manifest carries. */
export interface MathSpec {
  readonly args: string;
  readonly body: string;
  /** The body on the gpujs engine, where it differs (NaN tests). @default body */
  readonly hostBody?: string;
  readonly dtypes: readonly DType[];
  /** Scalars the body takes besides the user's (NaN and +Inf, which WGSL cannot write as literals). */
  readonly consts?: Readonly<Record<string, number>>;
}
type Spec = MathSpec;

const SPECIAL = { nanv: NaN, infv: Infinity } as const;
const UNARY_ARGS = 'x: T[], out: T[], nanv: T, infv: T';

/** A checked math op: the spec for the arrays' dtype, its builder name, the bound arguments, the output. */
export interface MathCall extends Checked {
  /** The builder's name: the op, `<op>_int` for an integer variant, `astype_<from>_<to>`. */
  readonly name: string;
  readonly spec: MathSpec;
  /** What the builder's check found: the arguments bound by name (the spec's constants too), dtype, shape. */
  readonly checked: ElementwiseCheck;
  /** The same arguments by name, at the top of the record: the host queue tracks the arrays found here. */
  readonly named: BoundArgs;
  /** astype's target (engines refuse what they cannot compute: f16). */
  readonly to?: DType;
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/**
 * Checks one op's call (the dtype the op accepts, then what the builder checks: src/ops/elementwise.ts's
 * checkReady) and returns the call record: the spec for the arrays' dtype and the bound arguments.
 */
function checkRun(op: string, spec: Spec | ((dtype: DType) => Spec), named: Record<string, DeviceArray | number | undefined>, first: DeviceArray): MathCall {
  if (typeof spec === 'function') {
    const d = (first as DeviceArray | undefined)?.dtype;
    return checkRun(d === 'f32' ? op : `${op}_int`, spec(d ?? 'f32'), named, first);
  }
  if (!spec.dtypes.includes(first.dtype)) {
    throw new DTypeError(`${op}: takes ${spec.dtypes.join(', ')} arrays, got ${first.dtype}${spec.dtypes === FLOAT ? ' (convert with astype(x, \'f32\') first)' : ''}`);
  }
  const args: Record<string, DeviceArray | number | undefined> = { ...(spec.consts ?? {}), ...named };
  const c = checkReady(op, spec, args);
  return { backend: first.backend, name: op, spec, checked: c.checked, named: c.checked.named, shape: c.shape, dtype: c.dtype };
}

/** What the docs say of each op: NumPy's name, one line, the tolerance class. */
const DOCS: Readonly<Record<string, readonly [numpy: string | null, summary: string, tolerance: ToleranceClass]>> = {
  div: ['numpy.divide', '`x / y` (f32)', 'ulp'],
  pow: ['numpy.power', '`x ** y` with NumPy\'s special cases (f32)', 'transcendental'],
  maximum: ['numpy.maximum', 'the larger of x and y, NaN-propagating', 'exact'],
  minimum: ['numpy.minimum', 'the smaller of x and y, NaN-propagating', 'exact'],
  neg: ['numpy.negative', '`-x`, elementwise (i32 wraps)', 'exact'],
  abs: ['numpy.absolute', '`|x|`, elementwise (i32 wraps at -2^31)', 'exact'],
  exp: ['numpy.exp', '`e^x`, subnormal results kept', 'transcendental'],
  log: ['numpy.log', 'natural log; -Inf at ±0, NaN below 0', 'transcendental'],
  log1p: ['numpy.log1p', '`log(1 + x)`, accurate near 0', 'transcendental'],
  expm1: ['numpy.expm1', '`e^x − 1`, accurate near 0', 'transcendental'],
  sqrt: ['numpy.sqrt', '`√x`; NaN below 0', 'ulp'],
  rsqrt: [null, '`1/√x`; ±Inf at ±0, NaN below 0', 'transcendental'],
  sin: ['numpy.sin', '`sin x`, elementwise', 'transcendental'],
  cos: ['numpy.cos', '`cos x`, elementwise', 'transcendental'],
  tanh: ['numpy.tanh', '`tanh x`, accurate near 0', 'transcendental'],
  sigmoid: [null, 'the logistic function `1 / (1 + e^−x)`', 'transcendental'],
  relu: [null, '`max(x, 0)`, NaN kept', 'exact'],
  floor: ['numpy.floor', 'round down, elementwise', 'exact'],
  ceil: ['numpy.ceil', 'round up, elementwise', 'exact'],
  round: ['numpy.round', 'round to nearest, halves to even', 'exact'],
  sign: ['numpy.sign', '−1, 0 or 1 by the sign of x; NaN kept', 'exact'],
  clip: ['numpy.clip', '`min(max(x, lo), hi)`', 'exact'],
  eq: ['numpy.equal', '1 where x == y (a u32 mask)', 'exact'],
  ne: ['numpy.not_equal', '1 where x != y (a u32 mask)', 'exact'],
  lt: ['numpy.less', '1 where x < y (a u32 mask)', 'exact'],
  le: ['numpy.less_equal', '1 where x <= y (a u32 mask)', 'exact'],
  gt: ['numpy.greater', '1 where x > y (a u32 mask)', 'exact'],
  ge: ['numpy.greater_equal', '1 where x >= y (a u32 mask)', 'exact'],
  where: ['numpy.where', '`a` where mask is non-zero, else `b`', 'exact'],
  astype: ['numpy.ndarray.astype', 'a copy converted to another dtype', 'exact'],
};

/**
 * The public name of the ops NumPy names differently (NumPy's, in camelCase): today's short name stays the
 * manifest's alias, exported as the same function, and names the op in its error messages and kernels.
 */
const NUMPY_NAMES: Readonly<Record<string, string>> = {
  div: 'divide',
  pow: 'power',
  neg: 'negative',
  eq: 'equal',
  ne: 'notEqual',
  lt: 'less',
  le: 'lessEqual',
  gt: 'greater',
  ge: 'greaterEqual',
};

/** A unary math op: `op(x, { out })`. */
export interface UnaryMathOp {
  <D extends DType>(x: DeviceArray<D>, options?: OutOptions<D>): DeviceArray<D>;
  /** @deprecated The output as the second argument: pass `{ out }` (`exp(x, { out: x })`). */
  <D extends DType>(x: DeviceArray<D>, out?: DeviceArray<D>): DeviceArray<D>;
}

/** A binary math op: `op(x, y, { out })`, with NumPy's broadcasting. */
export interface BinaryMathOp {
  <D extends DType>(x: DeviceArray<D>, y: DeviceArray<D>, options?: OutOptions<D>): DeviceArray<D>;
  /** @deprecated The output as the third argument: pass `{ out }` (`divide(x, y, { out: x })`). */
  <D extends DType>(x: DeviceArray<D>, y: DeviceArray<D>, out?: DeviceArray<D>): DeviceArray<D>;
}

/** A comparison: `op(x, y, { out })`, a u32 mask of 0/1. */
export interface CompareOp {
  <D extends DType>(x: DeviceArray<D>, y: DeviceArray<D>, options?: OutOptions<'u32'>): DeviceArray<'u32'>;
  /** @deprecated The output as the third argument: pass `{ out }` (`less(x, y, { out: mask })`). */
  <D extends DType>(x: DeviceArray<D>, y: DeviceArray<D>, out?: DeviceArray<'u32'>): DeviceArray<'u32'>;
}

/**
 * One manifest per op of the table: its expression (the spec, or the spec per dtype) is data of the
 * manifest, for a fusion step to read.
 */
function mathOp<A extends unknown[]>(op: string, expression: Spec | ((dtype: DType) => Spec) | undefined, check: (...args: A) => MathCall) {
  const [numpy, summary, tolerance] = DOCS[op] ?? [null, op, 'exact'];
  const name = NUMPY_NAMES[op] ?? op;
  const aliases = name === op ? {} : { aliases: [op] };
  const m = { ...defineOp({ name, numpy, ...aliases, category: 'math', summary, tolerance, check, dawn: dawnMath, host: hostMath }), expression };
  MATH_OPS.push(m as unknown as (typeof MATH_OPS)[number]);
  return m;
}

/** Every math op's manifest, in the order defined here. */
export const MATH_OPS: (Op<never[], MathCall, DeviceArray> & { readonly expression: Spec | ((dtype: DType) => Spec) | undefined })[] = [];

/** A spec whose body tests for NaN: the float and integer variants, each engine's NaN test. */
function nanAware(args: string, template: (isnan: (v: string) => string) => string, dtypes: readonly DType[], consts?: Readonly<Record<string, number>>): (dtype: DType) => Spec {
  const float: Spec = { args, body: template(ISNAN.dawn), hostBody: template(ISNAN.host), dtypes, ...(consts ? { consts } : {}) };
  // Integer arrays have no NaN or Inf: their variant takes the same scalars as 0 (never read).
  const intConsts = consts === undefined ? undefined : Object.fromEntries(Object.keys(consts).map((k) => [k, 0]));
  const int: Spec = { args, body: template(ISNAN.int), dtypes, ...(intConsts ? { consts: intConsts } : {}) };
  return (dtype) => (dtype === 'f32' ? float : int);
}

/**
 * A body whose last statement is `out = E`, made NaN-propagating: a NaN input gives NaN whatever E does
 * with it (Dawn may fold comparisons on NaN either way, so E alone cannot be trusted with one).
 */
function propagateNaN(body: string, inputs: readonly string[]): (isnan: (v: string) => string) => string {
  const at = body.lastIndexOf('out = ');
  const head = body.slice(0, at);
  const expr = body.slice(at + 'out = '.length);
  return (n) => `${head}let res = ${expr};\nout = select(res, nanv, ${inputs.map((v) => n(v)).join(' || ')})`;
}

function unary(op: string, body: string | ((dtype: DType) => Spec), dtypes: readonly DType[]): UnaryMathOp {
  const spec: Spec | ((dtype: DType) => Spec) = typeof body === 'string' ? nanAware(UNARY_ARGS, propagateNaN(body, ['x']), dtypes, SPECIAL) : body;
  const m = mathOp(op, spec, (x: DeviceArray, options: OutOptions | DeviceArray | undefined): MathCall => {
    const out = outOf(op, options);
    checkArrays(op, { x, out }, ['out']);
    return checkRun(op, spec, { x, out }, x);
  });
  return <D extends DType>(x: DeviceArray<D>, options?: OutOptions<D> | DeviceArray<D>): DeviceArray<D> => m.call(x, options) as DeviceArray<D>;
}

const BINARY_ARGS = 'x: T[], y: T[], out: T[], nanv: T, infv: T';

function binary(op: string, body: string | ((dtype: DType) => Spec), dtypes: readonly DType[]): BinaryMathOp {
  const spec: Spec | ((dtype: DType) => Spec) = typeof body === 'string' ? nanAware(BINARY_ARGS, propagateNaN(body, ['x', 'y']), dtypes, SPECIAL) : body;
  const m = mathOp(op, spec, (x: DeviceArray, y: DeviceArray, options: OutOptions | DeviceArray | undefined): MathCall => {
    const out = outOf(op, options);
    checkArrays(op, { x, y, out }, ['out']);
    return checkRun(op, spec, { x, y, out }, x);
  });
  return <D extends DType>(x: DeviceArray<D>, y: DeviceArray<D>, options?: OutOptions<D> | DeviceArray<D>): DeviceArray<D> => m.call(x, y, options) as DeviceArray<D>;
}

function compare(op: string, cmp: string): CompareOp {
  // IEEE: every comparison with a NaN is false, except != (true) — spelled out, since Dawn may assume no NaN.
  const spec = nanAware(
    'x: T[], y: T[], out: u32[]',
    (n) => (cmp === '!=' ? `out = select(0u, 1u, ${n('x')} || ${n('y')} || x != y)` : `out = select(0u, 1u, !${n('x')} && !${n('y')} && x ${cmp} y)`),
    ANY,
  );
  const m = mathOp(op, spec, (x: DeviceArray, y: DeviceArray, options: OutOptions | DeviceArray | undefined): MathCall => {
    const out = outOf(op, options);
    checkArrays(op, { x, y, out }, ['out']);
    return checkRun(op, spec, { x, y, out }, x);
  });
  return <D extends DType>(x: DeviceArray<D>, y: DeviceArray<D>, options?: OutOptions<'u32'> | DeviceArray<'u32'>): DeviceArray<'u32'> => m.call(x, y, options) as DeviceArray<'u32'>;
}

/** `x / y` (NumPy's `divide`; f32; integer arrays: convert first — WGSL's integer division truncates, NumPy's `/` does not). Also exported as `div`. */
export const divide = binary('div', 'out = x / y', FLOAT);

/**
 * `x ** y` with NumPy's (C99's) answers: a negative base with an integer exponent keeps its sign
 * (`(-2)**3 = -8`), with a fractional one gives NaN; `x**±0` and `1**y` are 1 (even for NaN); `(-1)**±Inf`
 * is 1; `(±0)**y` and `(±Inf)**y` are 0 or Inf with the base's sign for odd integer y; `x**±Inf` is 0, 1 or
 * +Inf by |x|. WGSL's `pow` is indeterminate for a negative, zero or infinite base and an infinite exponent,
 * so the body computes only `|x|**y` of finite numbers with it (as `exp2(y·log2|x|)` for a subnormal |x|,
 * scaled by 2^23 first as in {@link log}, or a subnormal answer, scaled as in {@link exp}) and spells out every
 * special case. NumPy's `power`; also exported as `pow`.
 */
export const power = binary(
  'pow',
  () => {
    const body = (n: (v: string) => string, inf: (v: string) => string, neg: (v: string) => string): string => `let ax = abs(x);
let xinf = ${inf('x')};
let yinf = ${inf('y')};
let integral = !yinf && floor(y) == y;
let odd = integral && floor(y * 0.5) * 2.0 != y;
let tiny = ax < ${MIN_NORMAL} && ax != 0.0;
let t = y * select(log2(ax), log2(ax * 8388608.0) - 23.0, tiny);
let fin = select(select(pow(ax, y), exp2(t), tiny), exp2(t + 64.0) * 5.421010862427522e-20, t < -126.0);
let edge = ax == 0.0 || xinf;
let magEdge = select(0.0, infv, (ax == 0.0) == (y < 0.0));
let magInf = select(select(0.0, infv, (ax < 1.0) == (y < 0.0)), 1.0, ax == 1.0);
let mag = select(select(fin, magInf, yinf), magEdge, edge);
let signed = select(mag, -mag, ${neg('x')} && odd);
let real = select(signed, nanv, x < 0.0 && !xinf && !yinf && !integral);
let one = select(real, 1.0, y == 0.0 || x == 1.0);
out = select(one, nanv, (${n('x')} && !(y == 0.0)) || (${n('y')} && !(x == 1.0)))`;
    return { args: BINARY_ARGS, body: body(ISNAN.dawn, ISINF.dawn, SIGNBIT.dawn), hostBody: body(ISNAN.host, ISINF.host, SIGNBIT.host), dtypes: FLOAT, consts: SPECIAL };
  },
  FLOAT,
);

/** The larger of x and y, elementwise; NaN if either is NaN (NumPy's `maximum`). */
export const maximum = binary('maximum', nanAware(BINARY_ARGS, (n) => `out = select(select(max(x, y), y, ${n('y')}), x, ${n('x')})`, ANY, SPECIAL), ANY);

/** The smaller of x and y, elementwise; NaN if either is NaN (NumPy's `minimum`). */
export const minimum = binary('minimum', nanAware(BINARY_ARGS, (n) => `out = select(select(min(x, y), y, ${n('y')}), x, ${n('x')})`, ANY, SPECIAL), ANY);

/** `-x` (NumPy's `negative`; f32, i32; i32 wraps: -(-2^31) is -2^31). Also exported as `neg`. */
export const negative = unary('neg', 'out = -x', SIGNED);
/** `|x|` (u32: the value itself; i32: |-2^31| wraps to -2^31, as in WGSL and NumPy). */
export const abs = unary('abs', 'out = abs(x)', ANY);
/**
 * `e^x`. Below ln 2^-126 the answer is subnormal, which lavapipe's `exp` flushes to 0 (its arithmetic keeps
 * subnormals): there it is e^(x + 64 ln 2) · 2^-64, the scaling exact but for the final rounding.
 */
export const exp = unary('exp', 'out = select(exp(x), exp(x + 44.3614195558365) * 5.421010862427522e-20, x < -87.33654475055310)', FLOAT);
/**
 * Natural log: -Inf at ±0, NaN below 0 (NumPy's answers; WGSL leaves them indeterminate). A subnormal x is
 * scaled by 2^23 (exactly) first: lavapipe's `log` answers log(2^-126) for every subnormal.
 */
export const log = unary('log', `let l = select(log(x), log(x * 8388608.0) - 15.942385152878742, x < ${MIN_NORMAL});
out = select(select(l, -infv, x == 0.0), nanv, x < 0.0)`, FLOAT);
/**
 * `log(1 + x)`, accurate near 0: a Taylor series for |x| < 0.1 (WGSL's `log` is only 2^-21-accurate,
 * absolutely, near 1, which would swamp small results), `log(1 + x)` beyond.
 */
export const log1p = unary(
  'log1p',
  `let s = x * (1.0 - x * (0.5 - x * (0.33333334 - x * (0.25 - x * (0.2 - x * (0.16666667 - x * (0.14285715 - x * 0.125)))))));
out = select(select(select(log(1.0 + x), s, abs(x) < 0.1), -infv, x == -1.0), nanv, x < -1.0)`,
  FLOAT,
);
/** `e^x − 1`, accurate near 0: a Taylor series for |x| < 0.1, `exp(x) − 1` beyond. */
export const expm1 = unary(
  'expm1',
  `let s = x * (1.0 + x * (0.5 + x * (0.16666667 + x * (0.041666668 + x * (0.008333334 + x * (0.0013888889 + x * (0.0001984127 + x * 0.0000248016)))))));
out = select(exp(x) - 1.0, s, abs(x) < 0.1)`,
  FLOAT,
);
/** `√x`; NaN below 0. */
export const sqrt = unary('sqrt', 'out = select(sqrt(x), nanv, x < 0.0)', FLOAT);
/** `1/√x`; ±Inf at ±0 (NumPy's `1 / np.sqrt(x)`), NaN below 0. */
export const rsqrt = unary(
  'rsqrt',
  () => {
    const body = (n: (v: string) => string, neg: (v: string) => string): string =>
      `out = select(select(select(inverseSqrt(x), select(infv, -infv, ${neg('x')}), x == 0.0), nanv, x < 0.0), nanv, ${n('x')})`;
    return { args: UNARY_ARGS, body: body(ISNAN.dawn, SIGNBIT.dawn), hostBody: body(ISNAN.host, SIGNBIT.host), dtypes: FLOAT, consts: SPECIAL };
  },
  FLOAT,
);
/** `sin x`. */
export const sin = unary('sin', 'out = sin(x)', FLOAT);
/** `cos x`. */
export const cos = unary('cos', 'out = cos(x)', FLOAT);
/**
 * `tanh x`: a Taylor series for |x| < 0.1 (WGSL's tanh is accurate only absolutely, ~1e-7, which would
 * swamp small results), ±1 beyond |x| > 20 (where sinh/cosh overflow), WGSL's tanh between.
 */
export const tanh = unary(
  'tanh',
  `let x2 = x * x;
let s = x * (1.0 - x2 * (0.33333334 - x2 * (0.13333334 - x2 * 0.05396825)));
out = select(select(tanh(x), sign(x), abs(x) > 20.0), s, abs(x) < 0.1)`,
  FLOAT,
);
/** The logistic function `1 / (1 + e^−x)`. */
export const sigmoid = unary('sigmoid', 'out = 1.0 / (1.0 + exp(-x))', FLOAT);
/** `max(x, 0)`, NaN kept (f32, f16, i32). */
export const relu = unary('relu', nanAware(UNARY_ARGS, (n) => `out = select(max(x, T(0)), x, ${n('x')})`, SIGNED, SPECIAL), SIGNED);
/** Round down. */
export const floor = unary('floor', 'out = floor(x)', FLOAT);
/** Round up. */
export const ceil = unary('ceil', 'out = ceil(x)', FLOAT);
/** Round to nearest, halves to even (NumPy's `round`, WGSL's `round`). */
export const round = unary('round', 'out = round(x)', FLOAT);
/** −1, 0 or 1 by the sign of x; NaN kept (f32, f16, i32). */
export const sign = unary('sign', nanAware(UNARY_ARGS, (n) => `out = select(sign(x), x, ${n('x')})`, SIGNED, SPECIAL), SIGNED);

// A NaN bound makes every element NaN (NumPy 2's clip, min(max(x, lo), hi) with NaN-propagating max/min):
// tested on the uniform by bits on Dawn, whose max/min may return the other operand.
const CLIP = nanAware('x: T[], out: T[], lo: T, hi: T, nanv: T', (n) => `out = select(select(min(max(x, lo), hi), x, ${n('x')}), nanv, ${n('lo')} || ${n('hi')})`, ANY, { nanv: NaN });

/** `min(max(x, lo), hi)`, elementwise (NumPy's `clip`: `hi` wins when lo > hi; NaN kept; a NaN bound gives NaN). */
export function clip<D extends DType>(x: DeviceArray<D>, lo: number, hi: number, options?: OutOptions<D>): DeviceArray<D>;
/** @deprecated The output as the fourth argument: pass `{ out }`. */
export function clip<D extends DType>(x: DeviceArray<D>, lo: number, hi: number, out?: DeviceArray<D>): DeviceArray<D>;
export function clip<D extends DType>(x: DeviceArray<D>, lo: number, hi: number, options?: OutOptions<D> | DeviceArray<D>): DeviceArray<D> {
  return CLIP_OP.call(x, lo, hi, options) as DeviceArray<D>;
}

const CLIP_OP = mathOp('clip', CLIP, (x: DeviceArray, lo: number, hi: number, options: OutOptions | DeviceArray | undefined): MathCall => {
  const out = outOf('clip', options);
  checkArrays('clip', { x, out }, ['out']);
  checkNumber('clip', 'lo', lo);
  checkNumber('clip', 'hi', hi);
  return checkRun('clip', CLIP, { x, out, lo, hi }, x);
});

/** 1 where x == y, else 0 (a u32 mask) (NumPy's `equal`; also exported as `eq`). */
export const equal = compare('eq', '==');
/** 1 where x != y (NaN != NaN) (NumPy's `not_equal`; also exported as `ne`). */
export const notEqual = compare('ne', '!=');
/** 1 where x < y (NumPy's `less`; also exported as `lt`). */
export const less = compare('lt', '<');
/** 1 where x <= y (NumPy's `less_equal`; also exported as `le`). */
export const lessEqual = compare('le', '<=');
/** 1 where x > y (NumPy's `greater`; also exported as `gt`). */
export const greater = compare('gt', '>');
/** 1 where x >= y (NumPy's `greater_equal`; also exported as `ge`). */
export const greaterEqual = compare('ge', '>=');

/** The alias of {@link divide} (the same function). */
export const div = divide;
/** The alias of {@link power} (the same function). */
export const pow = power;
/** The alias of {@link negative} (the same function). */
export const neg = negative;
/** The alias of {@link equal} (the same function). */
export const eq = equal;
/** The alias of {@link notEqual} (the same function). */
export const ne = notEqual;
/** The alias of {@link less} (the same function). */
export const lt = less;
/** The alias of {@link lessEqual} (the same function). */
export const le = lessEqual;
/** The alias of {@link greater} (the same function). */
export const gt = greater;
/** The alias of {@link greaterEqual} (the same function). */
export const ge = greaterEqual;

const WHERE: Spec = { args: 'mask: u32[], a: T[], b: T[], out: T[]', body: 'out = select(b, a, mask != 0u)', dtypes: ANY };

/** `a` where mask is non-zero, else `b` (all three broadcast together; the mask is u32, as comparisons give). */
export function where<D extends DType>(mask: DeviceArray<'u32'>, a: DeviceArray<D>, b: DeviceArray<D>, options?: OutOptions<D>): DeviceArray<D>;
/** @deprecated The output as the fourth argument: pass `{ out }`. */
export function where<D extends DType>(mask: DeviceArray<'u32'>, a: DeviceArray<D>, b: DeviceArray<D>, out?: DeviceArray<D>): DeviceArray<D>;
export function where<D extends DType>(mask: DeviceArray<'u32'>, a: DeviceArray<D>, b: DeviceArray<D>, options?: OutOptions<D> | DeviceArray<D>): DeviceArray<D> {
  return WHERE_OP.call(mask, a, b, options) as DeviceArray<D>;
}

const WHERE_OP = mathOp('where', WHERE, (mask: DeviceArray<'u32'>, a: DeviceArray, b: DeviceArray, options: OutOptions | DeviceArray | undefined): MathCall => {
  const out = outOf('where', options);
  checkArrays('where', { mask, a, b, out }, ['out']);
  if ((mask.dtype as DType) !== 'u32') throw new DTypeError(`where: the mask must be u32 (as comparisons return), got ${mask.dtype}`);
  return checkRun('where', WHERE, { mask, a, b, out }, a);
});

/**
 * A copy converted to `dtype`: float → integer truncates toward zero and clamps to the target's range
 * (f32 can hold at most 2^31 − 128 and 2^32 − 256 below the limits), NaN gives 0; i32 ↔ u32 keeps the
 * bits (as NumPy's astype wraps); integer → f32 rounds to nearest; to f16 rounds to nearest (±Inf past
 * 65504). Both engines compute exactly this (f16 needs shader-f16, so Dawn only).
 */
export function astype<E extends DType>(x: DeviceArray, dtype: E): DeviceArray<E> {
  return ASTYPE.call(x, dtype) as DeviceArray<E>;
}

/** astype's spec from `from` to `to` (the expression of its manifest, per pair of dtypes). */
export function astypeSpec(from: DType, to: DType): Spec {
  const args = `x: T[], out: ${to}[]`;
  // f16 → integer goes through f32 (exact: every f16 is an f32), so the same clamps and NaN test apply.
  const src = from === 'f16' ? 'f32(x)' : 'x';
  const float = from === 'f32' || from === 'f16';
  const clamped = to === 'i32' ? `i32(clamp(${src}, -2147483648.0, 2147483520.0))` : `u32(clamp(${src}, 0.0, 4294967040.0))`;
  const zero = to === 'i32' ? '0i' : '0u';
  const all: readonly DType[] = [...ANY, 'f16'];
  return to === from
    ? { args, body: 'out = x', dtypes: all }
    : float && (to === 'i32' || to === 'u32')
      ? { args, body: `out = select(${clamped}, ${zero}, ${ISNAN.dawn(src)})`, hostBody: `out = select(${clamped}, ${zero}, ${ISNAN.host('x')})`, dtypes: all }
      : { args, body: `out = ${to}(x)`, dtypes: all };
}

// The expression depends on the pair of dtypes: astypeSpec(from, to).
const ASTYPE = mathOp('astype', undefined, (x: DeviceArray, dtype: DType): MathCall => {
  checkArrays('astype', { x });
  const to = assertDType(dtype);
  return { ...checkRun(`astype_${x.dtype}_${to}`, astypeSpec(x.dtype, to), { x }, x), to };
});

/**
 * softmax along `options.axis` (default the last), numerically stable: exp(x − m) / Σ exp(x − m) with m the
 * row's maximum (0 where it is not finite, so a row of −Inf gives NaN, 0/0, as NumPy's formula does; a
 * row holding a NaN gives NaNs). One pass of the row kernel (src/ops/axis.ts).
 */
export function softmax(x: DeviceArray, options?: SoftmaxOptions): DeviceArray<'f32'>;
/** @deprecated The axis as the second argument: pass `{ axis }` (`softmax(x, { axis: 0 })`). */
export function softmax(x: DeviceArray, axis?: number): DeviceArray<'f32'>;
export function softmax(x: DeviceArray, options?: SoftmaxOptions | number): DeviceArray<'f32'> {
  return softmaxAxis(x, options) as DeviceArray<'f32'>;
}

/**
 * log Σ exp(x) along `axis` (an axis, a list of axes; absent or null: all axes, as SciPy's default
 * `axis=None`, giving a 0-d array), stable: m + log Σ exp(x − m), m the finite row maximum (else 0); −Inf
 * over a zero-length axis (log 0).
 *
 * @see https://docs.scipy.org/doc/scipy/reference/generated/scipy.special.logsumexp.html
 *
 * @example logsumexp(x, { axis: 1, keepdims: true })
 */
export function logsumexp(x: DeviceArray, options?: Pick<AxisOptions, 'axis' | 'keepdims'>): DeviceArray<'f32'>;
/** @deprecated The axis and keepdims as positional arguments: pass `{ axis, keepdims }`. */
export function logsumexp(x: DeviceArray, axis?: number | readonly number[] | null | Pick<AxisOptions, 'axis' | 'keepdims'>, keepdims?: boolean): DeviceArray<'f32'>;
export function logsumexp(x: DeviceArray, axis?: number | readonly number[] | null | Pick<AxisOptions, 'axis' | 'keepdims'>, keepdims = false): DeviceArray<'f32'> {
  checkArrays('logsumexp', { x });
  if (x.dtype !== 'f32') throw new DTypeError(`logsumexp: takes f32 arrays, got ${x.dtype}`);
  const given: unknown = axis;
  let opts: AxisOptions;
  if (typeof given === 'object' && given !== null && !Array.isArray(given)) {
    const kd: unknown = keepdims; // plain JS may pass anything
    if (kd !== false) throw new ArgumentError('logsumexp: with an options object, pass keepdims inside it');
    const o = checkAxisOptions('logsumexp', given);
    opts = { ...(o.axis !== undefined ? { axis: o.axis } : {}), ...(o.keepdims === true ? { keepdims: true } : {}) };
  } else opts = checkAxisOptions('logsumexp', { axis: given, keepdims });
  return reduceAxis('logsumexp', x, opts) as DeviceArray<'f32'>;
}

