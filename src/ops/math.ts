/**
 * The elementwise functions of the Python Array API standard (revision 2021.12), on both engines, with its
 * type promotion, JS-scalar operands and special cases: `abs acos acosh add asin asinh atan atan2 atanh
 * bitwiseAnd bitwiseLeftShift bitwiseInvert bitwiseOr bitwiseRightShift bitwiseXor ceil cos cosh divide
 * equal exp expm1 floor floorDivide greater greaterEqual isfinite isinf isnan less lessEqual log log1p log2
 * log10 logaddexp logicalAnd logicalNot logicalOr logicalXor multiply negative notEqual positive pow
 * remainder round sign sin sinh square sqrt subtract tan tanh trunc`, and gpukit's own `maximum minimum
 * rsqrt sigmoid relu clip where astype softmax logsumexp`. Every op's output may be given as `{ out }`
 * (the last argument); the names NumPy or older gpukit spell differently stay as aliases (`sub mul div
 * power neg eq ne lt le gt ge`), the same functions.
 *
 * - Dtypes: what numpy.array_api accepts for each function (floating-point functions take f32; arithmetic
 *   takes i32, u32, f32 — add, subtract, multiply also f16 on Dawn; bitwise and logical functions take
 *   integers and bool). Comparisons, `isnan isinf isfinite` and the logical functions return bool. Any
 *   other dtype is a DTypeError naming the function.
 * - Two arrays promote by the standard's table ({@link promoteTypes}): the same dtype stays, f16 with f32 is
 *   f32; bool with numbers, integers with floats, and i32 with u32 (int64 in the standard) are DTypeErrors.
 * - A JS number or boolean on either side of a binary function is the standard's Python scalar: it takes the
 *   array's dtype (a number with a float array; an integer in range with an integer array; a boolean with a
 *   bool array; anything else a DTypeError) and travels as a uniform, never as an array. Two scalars: an
 *   ArgumentError.
 * - Integer semantics are NumPy's: +, -, *, negative, abs, square and pow wrap at 32 bits; floorDivide floors
 *   and remainder takes the divisor's sign; division by zero gives 0 for both (NumPy 1.24's answer, with its
 *   RuntimeWarning); a shift by 32 or more (or, as NumPy's np.left_shift treats it, a negative count in an
 *   array) gives 0, or -1 for a negative i32 shifted right; a negative scalar count is an ArgumentError, as
 *   numpy.array_api raises. An integer pow with a negative exponent (NumPy raises, data-dependently) gives the
 *   truncated 1 / x^|y| (1 for x = 1, ±1 for x = -1, else 0); a negative scalar exponent is an ArgumentError.
 * - Each function is one declaration: its WGSL body per dtype, kept as data in its manifest. On Dawn a ready
 *   builder (src/backends/dawn/ops/math.ts) compiles it, on gpujs the same body translated to JavaScript
 *   (src/backends/host/ops/math.ts) runs, so both engines compute the same formula. Where WGSL leaves a
 *   result indeterminate (NaN, ±0, ±Inf arguments, out-of-domain inputs), the body spells out the
 *   standard's special case; NaN, infinity and the sign of zero are tested by their bits on Dawn (an
 *   implementation may assume floats are finite and fold `x != x`). Small arguments of sin, tan, asin,
 *   atan, asinh, atanh, sinh, tanh, log1p and expm1 use a short series (WGSL's builtins are only
 *   absolutely accurate near 0). test/ops/elementwise-special.test.ts checks every special case and the
 *   ULP bounds it states against numpy.array_api.
 */
import { DeviceArray } from '../buffers/device-array.js';
import { assertDType, isFloatDType, promoteTypes, scalarOperand, wgslOf, type DType } from '../buffers/dtype.js';
import { ArgumentError, DTypeError } from '../errors.js';
import { describeValue } from '../args.js';
import { checkReady } from './elementwise.js';
import { checkArrays, checkNumber, outOf, type BoundArgs, type ElementwiseCheck, type OutOptions } from './signature.js';
import { checkAxisOptions, reduceAxis, softmaxAxis, type AxisOptions, type SoftmaxOptions } from './axis.js';
import { ALL_DTYPES, defineOp, type Checked, type Op, type ToleranceClass } from './manifest.js';
import { dawnMath } from '../backends/dawn/ops/math.js';
import { hostMath } from '../backends/host/ops/math.js';

const FLOAT: readonly DType[] = ['f32'];
const NUMERIC: readonly DType[] = ['i32', 'u32', 'f32'];
/** add, subtract, multiply: f16 too (Dawn with shader-f16; gpujs computes in f32 only and refuses f16 arrays). */
const ARITH: readonly DType[] = ['i32', 'u32', 'f32', 'f16'];
const INTS: readonly DType[] = ['i32', 'u32'];
const INT_BOOL: readonly DType[] = ['bool', 'i32', 'u32'];
const BOOL: readonly DType[] = ['bool'];
const ALL: readonly DType[] = ['bool', 'i32', 'u32', 'f32'];

/**
 * NaN tests. WGSL lets an implementation assume floats are never NaN (lavapipe's LLVM folds `x != x` to
 * false), so on Dawn a NaN is recognised by its bits; the gpujs translation runs IEEE JavaScript, where
 * `x != x` is exact. Integer arrays have no NaN.
 */
const ISNAN = {
  dawn: (v: string) => `((bitcast<u32>(${v}) & 0x7fffffffu) > 0x7f800000u)`,
  host: (v: string) => `(${v} != ${v})`,
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

/** One engine's float tests, as a body template sees them: NaN, ±Inf, the sign bit, a zero with v's sign. */
interface Tests {
  readonly n: (v: string) => string;
  readonly inf: (v: string) => string;
  readonly neg: (v: string) => string;
  readonly zero: (v: string) => string;
}
const DAWN: Tests = { n: ISNAN.dawn, inf: ISINF.dawn, neg: SIGNBIT.dawn, zero: (v) => `bitcast<f32>(bitcast<u32>(${v}) & 0x80000000u)` };
// -1 / +Inf is -0 at run time (a literal -0.0 may be folded to 0).
const HOST: Tests = { n: ISNAN.host, inf: ISINF.host, neg: SIGNBIT.host, zero: (v) => `select(0.0, -1.0 / infv, ${SIGNBIT.host(v)})` };

/** The smallest normal f32, 2^-126: below it (subnormals) `log` is computed on x·2^23 (exact), then less 23·ln 2. */
const MIN_NORMAL = '1.17549435e-38';
/** ln(f32 max): above it e^x overflows to +Inf. */
const EXP_MAX = '88.72284';

/** One op's WGSL elementwise spec: the expression its manifest carries. */
export interface MathSpec {
  readonly args: string;
  readonly body: string;
  /** The body on the gpujs engine, where it differs (NaN tests). @default body */
  readonly hostBody?: string;
  /** Scalars the body takes besides the user's (NaN and +Inf, which WGSL cannot write as literals). */
  readonly consts?: Readonly<Record<string, number>>;
  /** Whether the body has a vec4 form on Dawn (plain arithmetic on the arrays). @default false */
  readonly vec4?: boolean;
}
type Spec = MathSpec;

/** A body for one compute dtype, before the signature is put around it. */
interface Body {
  readonly body: string;
  readonly hostBody?: string;
  readonly consts?: Readonly<Record<string, number>>;
  readonly vec4?: boolean;
}

const SPECIAL = { nanv: NaN, infv: Infinity } as const;

/** A float body from a template over each engine's tests (the constants nanv and infv available). */
function fl(template: (t: Tests) => string): Body {
  return { body: template(DAWN), hostBody: template(HOST), consts: SPECIAL };
}

/**
 * A float body whose last statement is `out = E`, made NaN-propagating: a NaN input gives NaN whatever E
 * does with it (Dawn may fold comparisons on NaN either way, so E alone cannot be trusted with one).
 */
function nanIn(inputs: readonly string[], template: (t: Tests) => string): Body {
  return fl((t) => {
    const body = template(t);
    const at = body.lastIndexOf('out = ');
    return `${body.slice(0, at)}let res = ${body.slice(at + 'out = '.length)};\nout = select(res, nanv, ${inputs.map((v) => t.n(v)).join(' || ')})`;
  });
}

/** A plain body (integers, bool: no NaN tests). */
function plain(body: string, vec4 = false): Body {
  return vec4 ? { body, vec4 } : { body };
}

/** `log(1 + v)` for v ≥ -1 (an identifier), a series below 0.1 in magnitude: WGSL's log is only absolutely accurate near 1. */
function log1pOf(v: string): string {
  return `select(log(1.0 + ${v}), ${v} * (1.0 - ${v} * (0.5 - ${v} * (0.33333334 - ${v} * (0.25 - ${v} * (0.2 - ${v} * (0.16666667 - ${v} * (0.14285715 - ${v} * 0.125))))))), abs(${v}) < 0.1)`;
}

/** log2 of x > 0 (subnormals scaled by 2^23 first: lavapipe's log2 answers log2(2^-126) for every subnormal). */
const LOG2 = `select(log2(x), log2(x * 8388608.0) - 23.0, x < ${MIN_NORMAL})`;

/**
 * arctan of v (an identifier) for finite v, by Cephes' atanf (range reduced to |v| ≤ tan(π/8), a degree-9
 * odd polynomial: ~2 ULP): lavapipe's `atan` is ~60 ULP off near 1 and its `asin` / `acos` thousands.
 */
function atanOf(v: string): string {
  return `let tnA = abs(${v});
let tnBig = tnA > 2.414213562373095;
let tnMid = !tnBig && tnA > 0.4142135623730950;
let tnZ = select(select(tnA, (tnA - 1.0) / (tnA + 1.0), tnMid), -1.0 / tnA, tnBig);
let tnY0 = select(select(0.0, 0.78539816339744831, tnMid), 1.5707963267948966, tnBig);
let tnZz = tnZ * tnZ;
let tnP = (((0.0805374449538 * tnZz - 0.138776856032) * tnZz + 0.199777106478) * tnZz - 0.333329491539) * tnZz * tnZ + tnZ;
let tnAt = select(tnY0 + tnP, -(tnY0 + tnP), ${v} < 0.0);`;
}

/**
 * sin, cos, tan of |x| ≥ 2^24 on Dawn (WGSL bounds its builtins on [-π, π] only; lavapipe answers ±1 at
 * 1e20): Payne–Hanek reduction. |x| = m·2^e (m of 24 bits, e ≥ 1), so |x|·2/π mod 4 needs only the 64 bits
 * of 2/π from bit e − 1 on, and only the low 64 bits of m times them (u32 arithmetic, 16-bit halves for the
 * one wide product): a quadrant and a 62-bit fraction f, then r = f·π/2 in [-π/4, π/4], where the builtins
 * are accurate. Sets `hq` (the quadrant) and `hr` (the reduced argument) for |x|; the gpujs engine computes
 * the builtins in f64 and needs none of this.
 */
const HUGE_TRIG = `var pio2 = array<u32, 7>(0u, 0xA2F9836Eu, 0x4E441529u, 0xFC2757D1u, 0xF534DDC0u, 0xDB629599u, 0x3C439041u);
let hb = bitcast<u32>(x) & 0x7fffffffu;
let he = clamp(i32(hb >> 23u) - 150, 1, 104);
let hm = (hb & 0x7fffffu) | 0x800000u;
let hj = u32(he + 30);
let hw = hj / 32u;
let hs = hj % 32u;
let w0 = pio2[hw];
let w1 = pio2[hw + 1u];
let w2 = pio2[hw + 2u];
let vhi = select((w0 << hs) | (w1 >> (32u - hs)), w0, hs == 0u);
let vlo = select((w1 << hs) | (w2 >> (32u - hs)), w1, hs == 0u);
let a0 = hm & 0xffffu;
let a1 = hm >> 16u;
let b0 = vlo & 0xffffu;
let b1 = vlo >> 16u;
let p00 = a0 * b0;
let p01 = a0 * b1;
let p10 = a1 * b0;
let pmid = (p00 >> 16u) + (p01 & 0xffffu) + (p10 & 0xffffu);
let plo = (p00 & 0xffffu) | (pmid << 16u);
let phi = a1 * b1 + (p01 >> 16u) + (p10 >> 16u) + (pmid >> 16u) + hm * vhi;
let hf0 = f32((phi << 2u) | (plo >> 30u)) * 2.3283064e-10 + f32(plo << 2u) * 5.421011e-20;
let hup = hf0 >= 0.5;
let hq = ((phi >> 30u) + select(0u, 1u, hup)) & 3u;
let hr = select(hf0, hf0 - 1.0, hup) * 1.5707964;
`;

/** A checked math op: the spec for the arrays' dtype, its builder name, the bound arguments, the output. */
export interface MathCall extends Checked {
  /** The builder's name: the op (its spec varies with the dtypes; the engines key their builders by the text). */
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

/** Checks the builder's part of a call (src/ops/elementwise.ts's checkReady) and returns the call record. */
function checkRun(op: string, spec: Spec, named: Record<string, DeviceArray | number | undefined>, first: DeviceArray): MathCall {
  const args: Record<string, DeviceArray | number | undefined> = { ...(spec.consts ?? {}), ...named };
  const c = checkReady(op, spec, args);
  return { backend: first.backend, name: op, spec, checked: c.checked, named: c.checked.named, shape: c.shape, dtype: c.dtype };
}

/** The dtypes an op takes, as its DTypeError lists them. */
function takes(op: string, dtypes: readonly DType[], got: DType): DTypeError {
  const hint = dtypes.every((d) => isFloatDType(d)) && got !== 'bool' ? ' (convert with astype(x, \'f32\') first)' : '';
  return new DTypeError(`${op}: takes ${dtypes.join(', ')} arrays, got ${got}${hint}`);
}

/** Each op's docs: NumPy's name, one line, the tolerance class. */
type Doc = readonly [numpy: string | null, summary: string, tolerance: ToleranceClass];

/** Every math op's manifest, in the order defined here. */
export const MATH_OPS: (Op<never[], MathCall, DeviceArray> & { readonly expression: unknown })[] = [];

/**
 * One manifest per op: its expression (the body per dtype) is data of the manifest, for a fusion step to
 * read. `name` is the public (standard) name, `alias` today's other name (which names the op in errors).
 */
function mathOp<A extends unknown[]>(name: string, alias: string | undefined, doc: Doc, expression: unknown, check: (...args: A) => MathCall, dtypes?: readonly DType[]): Op<A, MathCall, DeviceArray> {
  const [numpy, summary, tolerance] = doc;
  const m = { ...defineOp({ name, numpy, ...(alias !== undefined ? { aliases: [alias] } : {}), category: 'math', summary, tolerance, ...(dtypes !== undefined ? { dtypes } : {}), check, dawn: dawnMath, host: hostMath }), expression };
  MATH_OPS.push(m as unknown as (typeof MATH_OPS)[number]);
  return m;
}

/** A JS scalar operand (number or boolean) of a binary elementwise function, as opposed to an array (the standard's Python scalars). */
export type ScalarOperand = number | boolean;

function isScalar(v: unknown): v is ScalarOperand {
  return typeof v === 'number' || typeof v === 'boolean';
}

/** The declaration of a unary function: the dtypes it takes, whether it returns bool, its body per dtype. */
interface UnaryDef {
  readonly dtypes: readonly DType[];
  readonly bool?: boolean;
  readonly body: (d: DType) => Body;
}

/** A unary elementwise function: `f(x, { out })`. */
export interface UnaryMathOp {
  <D extends DType>(x: DeviceArray<D>, options?: OutOptions<D>): DeviceArray<D>;
  /** @deprecated The output as the second argument: pass `{ out }` (`exp(x, { out: x })`). */
  <D extends DType>(x: DeviceArray<D>, out?: DeviceArray<D>): DeviceArray<D>;
}

/** A unary predicate (`isnan`, `logicalNot`…): a bool array. */
export interface UnaryPredicate {
  (x: DeviceArray, options?: OutOptions<'bool'>): DeviceArray<'bool'>;
}

/** A bool result's output type: bool, or (deprecated) a given u32 mask, which receives the same 0/1 words. */
function boolOut(out: DeviceArray | undefined): string {
  return out?.dtype === 'u32' ? 'u32' : 'bool';
}

/** The spec of a unary function for x's dtype. */
function unarySpec(def: UnaryDef, d: DType, out: DeviceArray | undefined): Spec {
  const b = def.body(d);
  const consts = b.consts !== undefined ? ', nanv: T, infv: T' : '';
  const t = d === 'bool' ? 'bool' : 'T';
  return { args: `x: ${t}[], out: ${def.bool === true ? boolOut(out) : t}[]${consts}`, body: b.body, ...(b.hostBody !== undefined ? { hostBody: b.hostBody } : {}), ...(b.consts !== undefined ? { consts: b.consts } : {}), ...(b.vec4 === true ? { vec4: true } : {}) };
}

function unaryOp(name: string, alias: string | undefined, doc: Doc, def: UnaryDef): Op<[DeviceArray, OutOptions | DeviceArray | undefined], MathCall, DeviceArray> {
  const op = alias ?? name;
  // The spec per dtype and bool output type, made once (a loop of calls reuses it).
  const specs = new Map<string, Spec>();
  return mathOp(name, alias, doc, def, (x: DeviceArray, options: OutOptions | DeviceArray | undefined): MathCall => {
    const out = outOf(op, options);
    checkArrays(op, { x, out }, ['out']);
    if (!def.dtypes.includes(x.dtype)) throw takes(op, def.dtypes, x.dtype);
    const key = def.bool === true ? `${x.dtype}|${boolOut(out)}` : x.dtype;
    let spec = specs.get(key);
    if (spec === undefined) specs.set(key, (spec = unarySpec(def, x.dtype, out)));
    return checkRun(op, spec, { x, out }, x);
  });
}

function unary(name: string, alias: string | undefined, doc: Doc, def: UnaryDef): UnaryMathOp {
  const m = unaryOp(name, alias, doc, def);
  return <D extends DType>(x: DeviceArray<D>, options?: OutOptions<D> | DeviceArray<D>): DeviceArray<D> => m.call(x, options) as DeviceArray<D>;
}

function predicate(name: string, doc: Doc, def: UnaryDef): UnaryPredicate {
  const m = unaryOp(name, undefined, doc, { ...def, bool: true });
  return (x: DeviceArray, options?: OutOptions<'bool'>): DeviceArray<'bool'> => m.call(x, options) as DeviceArray<'bool'>;
}

/** The declaration of a binary function: the dtypes it takes (after promotion), whether it returns bool, its body per dtype. */
interface BinaryDef {
  readonly dtypes: readonly DType[];
  readonly bool?: boolean;
  readonly body: (d: DType) => Body;
  /** A check of a scalar operand's value beyond the dtype rules (a negative shift count). */
  readonly scalar?: (op: string, side: 'x' | 'y', v: number, d: DType) => void;
  /**
   * The body for an i32 array against a u32 array, where the function's answer needs no int64 (the
   * comparisons): `signed` names the i32 side. Absent: the pair is refused, as promotion would need int64.
   */
  readonly mixedInt?: (signed: 'x' | 'y') => Body;
}

/** A binary elementwise function: `f(x, y, { out })`, with broadcasting, promotion and JS scalars on either side. */
export interface BinaryMathOp {
  <D extends DType>(x: DeviceArray<D>, y: DeviceArray<D> | ScalarOperand, options?: OutOptions<D>): DeviceArray<D>;
  <D extends DType>(x: ScalarOperand, y: DeviceArray<D>, options?: OutOptions<D>): DeviceArray<D>;
  (x: DeviceArray | ScalarOperand, y: DeviceArray | ScalarOperand, options?: OutOptions): DeviceArray;
  /** @deprecated The output as the third argument: pass `{ out }` (`divide(x, y, { out: x })`). */
  <D extends DType>(x: DeviceArray<D>, y: DeviceArray<D>, out?: DeviceArray<D>): DeviceArray<D>;
}

/** A comparison or logical function of two operands: a bool array. */
export interface CompareOp {
  (x: DeviceArray | ScalarOperand, y: DeviceArray | ScalarOperand, options?: OutOptions<'bool'>): DeviceArray<'bool'>;
  /** @deprecated The output as the third argument: pass `{ out }` (`less(x, y, { out: mask })`). */
  (x: DeviceArray, y: DeviceArray, out?: DeviceArray<'bool'>): DeviceArray<'bool'>;
}

/**
 * The operands of a binary call resolved: the compute dtype (promoted, or the array's for a scalar), the
 * argument text for each side (`x: T[]`, a uniform `x: T`, or `x_in: f16[]` widened in the body) and the
 * values bound (a boolean scalar as 1 / 0).
 */
function operands(op: string, named: Readonly<Record<string, DeviceArray | ScalarOperand>>, check?: BinaryDef['scalar']): { dtype: DType; args: string[]; prelude: string; bound: Record<string, DeviceArray | number> } {
  return operandsOf(op, named, check);
}

/** An i32 array against a u32 array, for a function with a {@link BinaryDef.mixedInt} body: which side is signed. */
function mixedSides(named: Readonly<Record<string, DeviceArray | ScalarOperand>>): 'x' | 'y' | undefined {
  const x = named['x'];
  const y = named['y'];
  if (!(x instanceof DeviceArray) || !(y instanceof DeviceArray)) return undefined;
  if (x.dtype === 'i32' && y.dtype === 'u32') return 'x';
  if (x.dtype === 'u32' && y.dtype === 'i32') return 'y';
  return undefined;
}

function operandsOf(op: string, named: Readonly<Record<string, DeviceArray | ScalarOperand>>, check?: BinaryDef['scalar']): { dtype: DType; args: string[]; prelude: string; bound: Record<string, DeviceArray | number> } {
  const entries = Object.entries(named);
  const arrays = entries.filter(([, v]) => v instanceof DeviceArray) as [string, DeviceArray][];
  if (arrays.length === 0) throw new ArgumentError(`${op}: every operand is a scalar (${entries.map(([, v]) => describeValue(v)).join(', ')}); pass at least one DeviceArray`);
  for (const [k, v] of entries) if (!(v instanceof DeviceArray) && !isScalar(v)) checkArrays(op, { [k]: v });
  const dtype = arrays.map(([, a]) => a.dtype).reduce((a, b) => promoteTypes(op, a, b));
  const args: string[] = [];
  let prelude = '';
  const bound: Record<string, DeviceArray | number> = {};
  for (const [k, v] of entries) {
    // Bool operands are declared bool[] (the T placeholder is a number type).
    const t = dtype === 'bool' ? 'bool' : 'T';
    if (v instanceof DeviceArray) {
      if (v.dtype === dtype) {
        args.push(`${k}: ${t}[]`);
        bound[k] = v;
      } else {
        // Promoted (f16 to f32): read as its own dtype, widened exactly in the body.
        args.push(`${k}_in: ${v.dtype}[]`);
        prelude += `let ${k} = ${wgslOf(dtype)}(${k}_in);\n`;
        bound[`${k}_in`] = v;
      }
    } else {
      const s = scalarOperand(op, dtype, v);
      if (check !== undefined && typeof v === 'number') check(op, k as 'x' | 'y', s, dtype);
      args.push(`${k}: ${t}`);
      bound[k] = s;
    }
  }
  return { dtype, args, prelude, bound };
}

function binaryOp(name: string, alias: string | undefined, doc: Doc, def: BinaryDef): Op<[DeviceArray | ScalarOperand, DeviceArray | ScalarOperand, OutOptions | DeviceArray | undefined], MathCall, DeviceArray> {
  const op = alias ?? name;
  const specs = new Map<string, Spec>();
  return mathOp(name, alias, doc, def, (x: DeviceArray | ScalarOperand, y: DeviceArray | ScalarOperand, options: OutOptions | DeviceArray | undefined): MathCall => {
    const out = outOf(op, options);
    checkArrays(op, { out }, ['out']);
    const signed = def.mixedInt !== undefined ? mixedSides({ x, y }) : undefined;
    if (signed !== undefined && def.mixedInt !== undefined) {
      // i32 against u32 without int64: each read as its own dtype, compared by sign first.
      const b = def.mixedInt(signed);
      const spec: Spec = { args: `x: ${(x as DeviceArray).dtype}[], y: ${(y as DeviceArray).dtype}[], out: ${boolOut(out)}[]`, body: b.body };
      return checkRun(op, spec, { x: x as DeviceArray, y: y as DeviceArray, out }, x as DeviceArray);
    }
    const { dtype, args, prelude, bound } = operands(op, { x, y }, def.scalar);
    if (!def.dtypes.includes(dtype)) throw takes(op, def.dtypes, dtype);
    // The spec is a function of the compute dtype, each side's kind (an array of that dtype, a promoted
    // array, a scalar) and the bool output's type: made once per such pattern (a loop of calls reuses it).
    const key = `${dtype}|${kindOf(x, dtype)}|${kindOf(y, dtype)}|${def.bool === true ? boolOut(out) : ''}`;
    let spec = specs.get(key);
    if (spec === undefined) {
      const b = def.body(dtype);
      const consts = b.consts !== undefined ? ', nanv: T, infv: T' : '';
      const promoted = prelude !== '';
      spec = {
        args: `${args.join(', ')}, out: ${def.bool === true ? boolOut(out) : dtype === 'bool' ? 'bool' : 'T'}[]${consts}`,
        body: prelude + b.body,
        ...(b.hostBody !== undefined ? { hostBody: prelude + b.hostBody } : {}),
        ...(b.consts !== undefined ? { consts: b.consts } : {}),
        // vec4 only for array operands of one dtype (WGSL's bitwise operators take no vector-scalar mix).
        ...(b.vec4 === true && !promoted && args.every((a) => a.endsWith('[]')) ? { vec4: true } : {}),
      };
      specs.set(key, spec);
    }
    const first = x instanceof DeviceArray ? x : (y as DeviceArray);
    return checkRun(op, spec, { ...bound, out }, first);
  });
}

/** A binary operand's part in its op's spec: `a` an array of the compute dtype, its dtype when promoted, `s` a scalar. */
function kindOf(v: DeviceArray | ScalarOperand, dtype: DType): string {
  return v instanceof DeviceArray ? (v.dtype === dtype ? 'a' : v.dtype) : 's';
}

function binary(name: string, alias: string | undefined, doc: Doc, def: BinaryDef): BinaryMathOp {
  const m = binaryOp(name, alias, doc, def);
  return ((x: DeviceArray | ScalarOperand, y: DeviceArray | ScalarOperand, options?: OutOptions | DeviceArray): DeviceArray => m.call(x, y, options));
}

function compare(name: string, alias: string | undefined, doc: Doc, def: Omit<BinaryDef, 'bool'>): CompareOp {
  const m = binaryOp(name, alias, doc, { ...def, bool: true });
  return ((x: DeviceArray | ScalarOperand, y: DeviceArray | ScalarOperand, options?: OutOptions<'bool'> | DeviceArray<'bool'>): DeviceArray<'bool'> => m.call(x, y, options) as DeviceArray<'bool'>);
}

// ---- arithmetic ---------------------------------------------------------------------------------------------

/**
 * `x + y`, elementwise, with broadcasting, promotion and JS scalars (`add(x, 1)`); i32 / u32 wrap. `out` may
 * be x or y (in place).
 *
 * @example add(x, y, { out: x }) // x += y
 * @see https://numpy.org/doc/stable/reference/generated/numpy.add.html
 */
export const add = binary('add', undefined, ['numpy.add', '`x + y` with broadcasting, promotion and scalars (`out` may be x or y)', 'exact'], { dtypes: ARITH, body: () => plain('out = x + y', true) });
/**
 * `x - y` (the standard's `subtract`; also exported as `sub`).
 *
 * @example subtract(2, x) // 2 - x
 * @see https://numpy.org/doc/stable/reference/generated/numpy.subtract.html
 */
export const subtract = binary('subtract', 'sub', ['numpy.subtract', '`x - y` with broadcasting, promotion and scalars (`out` may be x or y)', 'exact'], { dtypes: ARITH, body: () => plain('out = x - y', true) });
/**
 * `x * y` (the standard's `multiply`; also exported as `mul`).
 *
 * @example multiply(x, 0.5)
 * @see https://numpy.org/doc/stable/reference/generated/numpy.multiply.html
 */
export const multiply = binary('multiply', 'mul', ['numpy.multiply', '`x * y` with broadcasting, promotion and scalars (`out` may be x or y)', 'exact'], { dtypes: ARITH, body: () => plain('out = x * y', true) });
/**
 * `x / y` (f32 only, as the standard: convert integers first). Also exported as `div`.
 *
 * @example divide(x, 2)
 * @see https://numpy.org/doc/stable/reference/generated/numpy.divide.html
 */
export const divide = binary('divide', 'div', ['numpy.divide', '`x / y` (f32)', 'ulp'], { dtypes: FLOAT, body: () => nanIn(['x', 'y'], () => 'out = x / y') });

/** Integer floor division and remainder with NumPy's answers (floor; the divisor's sign; 0 for a zero divisor). */
function intDivide(d: DType, what: 'q' | 'r'): Body {
  if (d === 'u32') return plain(what === 'q' ? 'out = select(x / select(y, 1u, y == 0u), 0u, y == 0u)' : 'out = select(x % select(y, 1u, y == 0u), 0u, y == 0u)');
  // WGSL's i32 division truncates (and gives x for -2^31 / -1, which is NumPy's wrapped answer too).
  return plain(`let q = x / select(y, T(1), y == T(0));
let r = x - q * y;
let fix = r != T(0) && ((r < T(0)) != (y < T(0)));
out = select(select(${what === 'q' ? 'q, q - T(1)' : 'r, r + y'}, fix), T(0), y == T(0))`);
}

/**
 * `r − q·ys` exactly, for an integral q within one of r/ys (so the answer is representable): Dekker's exact
 * product, the halves split by masking 12 mantissa bits (no overflow, unlike Veltkamp's split) — lavapipe's
 * `fma` is not fused. On gpujs `fma` is exact (the product is exact in f64 and the answer representable).
 */
const EXACT_REM = {
  dawn: `qh = bitcast<f32>(bitcast<u32>(q) & 0xfffff000u);
yh = bitcast<f32>(bitcast<u32>(ys) & 0xfffff000u);
p = q * ys;
e = ((qh * yh - p) + qh * (ys - yh) + (q - qh) * yh) + (q - qh) * (ys - yh);
r = (r - p) - e;`,
  host: 'r = fma(-q, ys, r);',
} as const;

/**
 * C's exact fmod(x, y) for the float floorDivide / remainder (WGSL's `%`, x − y·trunc(x/y) rounded, is off by
 * whole units of y once x/y is large): 14 rounds of r ← r − trunc(r/y)·y computed exactly ({@link EXACT_REM}),
 * each removing some 23 bits of the quotient (by y·2^100 or y·2^200 while r/y overflows), enough for any
 * pair of f32s (a quotient below 2^277);
 * then one step into fmod's range (the sign of x, |r| < |y|). x itself for an infinite y; NaN for an
 * infinite x or a zero y.
 */
function fmodOf(t: Tests): string {
  const rem = t === DAWN ? EXACT_REM.dawn : EXACT_REM.host;
  // While r/y overflows, y·2^100 (twice if need be) divides instead; where q·ys would round past f32 max,
  // the quotient is shrunk by two ulps first (the next round takes the rest).
  const round = `ys = y;
ys = select(ys, ys * 1.2676506e30, ${t.inf('r / ys')});
ys = select(ys, ys * 1.2676506e30, ${t.inf('r / ys')});
q = trunc(r / ys);
q = select(q, trunc((r / ys) * 0.99999988), ${t.inf('q * ys')});
${rem}`;
  return `var r = x;
var q = 0.0;
var ys = y;
${t === DAWN ? 'var qh = 0.0;\nvar yh = 0.0;\nvar p = 0.0;\nvar e = 0.0;\n' : ''}${Array.from({ length: 14 }, () => round).join('\n')}
let ay = abs(y);
let rs = select(r, r + select(ay, -ay, x < 0.0), r != 0.0 && ((r < 0.0) != (x < 0.0)));
let md = select(select(rs, ${t.zero('x')}, rs == 0.0), x, ${t.inf('y')} && !${t.inf('x')});`;
}

/**
 * `floor(x / y)` (the standard's `floor_divide`): floats by NumPy's divmod (so `-5 // inf` is -1 and `x // 0`
 * is ±Inf or NaN); integers floor, with 0 for a zero divisor (NumPy 1.24's answer, which warns).
 *
 * @example floorDivide(x, 2)
 * @see https://numpy.org/doc/stable/reference/generated/numpy.floor_divide.html
 */
export const floorDivide = binary('floorDivide', undefined, ['numpy.floor_divide', '`floor(x / y)`; integers: 0 for a zero divisor', 'ulp'], {
  dtypes: NUMERIC,
  body: (d) =>
    d === 'f32'
      ? nanIn(['x', 'y'], (t) => `${fmodOf(t)}
let dv0 = (x - md) / y;
let dv = select(dv0, dv0 - 1.0, md != 0.0 && ((y < 0.0) != (md < 0.0)));
let fd = floor(dv);
let fd2 = select(fd, fd + 1.0, dv - fd > 0.5);
let xy = x / y;
out = select(select(fd2, ${t.zero('xy')}, dv == 0.0), xy, y == 0.0)`)
      : intDivide(d, 'q'),
});

/**
 * `x mod y` with the divisor's sign (the standard's `remainder`, NumPy's `%`); integers: 0 for a zero divisor.
 *
 * @example remainder(x, 3)
 * @see https://numpy.org/doc/stable/reference/generated/numpy.remainder.html
 */
export const remainder = binary('remainder', undefined, ['numpy.remainder', '`x mod y` with the sign of y; integers: 0 for a zero divisor', 'ulp'], {
  dtypes: NUMERIC,
  body: (d) =>
    d === 'f32'
      ? nanIn(['x', 'y'], (t) => `${fmodOf(t)}
let rm = select(md, md + y, md != 0.0 && ((y < 0.0) != (md < 0.0)));
out = select(select(rm, ${t.zero('y')}, md == 0.0), nanv, y == 0.0)`)
      : intDivide(d, 'r'),
});

/** Integer x^y by squaring, wrapping at 32 bits as NumPy does; a negative i32 exponent gives the truncated 1 / x^|y|. */
function intPow(d: DType): Body {
  const steps = Array.from({ length: 32 }, () => 'r = select(r, r * b, (e & 1u) != 0u);\nb = b * b;\ne = e >> 1u;').join('\n');
  const negative = d === 'i32' ? `\nout = select(r, select(select(T(0), select(T(1), T(-1), (y & T(1)) != T(0)), x == T(-1)), T(1), x == T(1)), y < T(0))` : '\nout = r';
  return plain(`var r = T(1);\nvar b = x;\nvar e = u32(y);\n${steps}${negative}`);
}

/**
 * `x ** y` (the standard's `pow`, NumPy's `power`; also exported as `pow`). f32 with C99's / NumPy's
 * special cases: a negative base with an integer exponent keeps its sign (`(-2)**3 = -8`), with a fractional
 * one gives NaN; `x**±0` and `1**y` are 1 (even for NaN); `(-1)**±Inf` is 1; `(±0)**y` and `(±Inf)**y` are 0
 * or Inf with the base's sign for odd integer y; `x**±Inf` is 0, 1 or +Inf by |x|. WGSL's `pow` is
 * indeterminate for a negative, zero or infinite base and an infinite exponent, so the body computes only
 * `|x|**y` of finite numbers with it (as `exp2(y·log2|x|)` for a subnormal |x|, scaled by 2^23 first, or a
 * subnormal answer, scaled by 2^64) and spells out every special case. Integers: by squaring, wrapping at 32
 * bits (NumPy's answer); a negative exponent, where NumPy raises, gives the truncated 1 / x^|y| (a negative
 * scalar exponent is an ArgumentError).
 *
 * @example power(x, 2)
 * @see https://numpy.org/doc/stable/reference/generated/numpy.power.html
 */
export const power = binary('power', 'pow', ['numpy.power', '`x ** y` with NumPy\'s special cases; integers wrap', 'transcendental'], {
  dtypes: NUMERIC,
  scalar: (op, side, v, d) => {
    if (side === 'y' && (d === 'i32' || d === 'u32') && v < 0) throw new ArgumentError(`${op}: an integer power with the negative exponent ${v} (numpy.array_api raises: integers to negative integer powers are not allowed)`);
  },
  body: (d) =>
    d !== 'f32'
      ? intPow(d)
      : fl(
          (t) => `let ax = abs(x);
let xinf = ${t.inf('x')};
let yinf = ${t.inf('y')};
let integral = !yinf && floor(y) == y;
let odd = integral && floor(y * 0.5) * 2.0 != y;
let tiny = ax < ${MIN_NORMAL} && ax != 0.0;
let t = y * select(log2(ax), log2(ax * 8388608.0) - 23.0, tiny);
let fin = select(select(pow(ax, y), exp2(t), tiny), exp2(t + 64.0) * 5.421010862427522e-20, t < -126.0);
let edge = ax == 0.0 || xinf;
let magEdge = select(0.0, infv, (ax == 0.0) == (y < 0.0));
let magInf = select(select(0.0, infv, (ax < 1.0) == (y < 0.0)), 1.0, ax == 1.0);
let mag = select(select(select(fin, ax, y == 1.0), magInf, yinf), magEdge, edge);
let signed = select(mag, -mag, ${t.neg('x')} && odd);
let real = select(signed, nanv, x < 0.0 && !xinf && !yinf && !integral);
let one = select(real, 1.0, y == 0.0 || x == 1.0);
out = select(one, nanv, (${t.n('x')} && !(y == 0.0)) || (${t.n('y')} && !(x == 1.0)))`,
        ),
});

/**
 * The larger of x and y, elementwise; NaN if either is NaN (NumPy's `maximum`).
 *
 * @example maximum(x, 0)
 * @see https://numpy.org/doc/stable/reference/generated/numpy.maximum.html
 */
export const maximum = binary('maximum', undefined, ['numpy.maximum', 'the larger of x and y, NaN-propagating', 'exact'], {
  dtypes: NUMERIC,
  body: (d) => (d === 'f32' ? fl((t) => `out = select(select(max(x, y), y, ${t.n('y')}), x, ${t.n('x')})`) : plain('out = max(x, y)')),
});
/**
 * The smaller of x and y, elementwise; NaN if either is NaN (NumPy's `minimum`).
 *
 * @example minimum(x, 1)
 * @see https://numpy.org/doc/stable/reference/generated/numpy.minimum.html
 */
export const minimum = binary('minimum', undefined, ['numpy.minimum', 'the smaller of x and y, NaN-propagating', 'exact'], {
  dtypes: NUMERIC,
  body: (d) => (d === 'f32' ? fl((t) => `out = select(select(min(x, y), y, ${t.n('y')}), x, ${t.n('x')})`) : plain('out = min(x, y)')),
});

/**
 * `atan2(x, y)`: the angle of the point (y, x) — the standard's `atan2(x1, x2)`, x1 the ordinate — in
 * [−π, π], with C99's special cases for signed zeros and infinities (which WGSL leaves indeterminate).
 *
 * @example atan2(y, x)
 * @see https://numpy.org/doc/stable/reference/generated/numpy.arctan2.html
 */
export const atan2 = binary('atan2', undefined, ['numpy.arctan2', 'the angle of (x2, x1) in [−π, π], C99 special cases', 'transcendental'], {
  dtypes: FLOAT,
  body: () =>
    nanIn(['x', 'y'], (t) => `let s = select(1.0, -1.0, ${t.neg('x')});
let xz = x == 0.0;
let xi = ${t.inf('x')};
let yi = ${t.inf('y')};
let yn = ${t.neg('y')};
let v = x / y;
${atanOf('v')}
let r0 = select(select(tnAt, select(tnAt - 3.1415927, tnAt + 3.1415927, x > 0.0), y < 0.0), ${t.zero('x')}, tnAt == 0.0 && !(y < 0.0));
let r1 = select(r0, s * 1.5707964, (y == 0.0 && !xz) || ${t.inf('v')});
let r2 = select(r1, select(${t.zero('x')}, s * 3.1415927, yn), xz || (yi && !xi));
out = select(r2, select(s * 1.5707964, select(s * 0.7853982, s * 2.3561945, yn), yi), xi)`),
});

/**
 * `log(e^x + e^y)`, without overflow: max(x, y) + log1p(e^−|x−y|) (+Inf if either is +Inf; −Inf if both are −Inf).
 *
 * @example logaddexp(a, b)
 * @see https://numpy.org/doc/stable/reference/generated/numpy.logaddexp.html
 */
export const logaddexp = binary('logaddexp', undefined, ['numpy.logaddexp', '`log(e^x + e^y)` without overflow', 'transcendental'], {
  dtypes: FLOAT,
  body: () =>
    nanIn(['x', 'y'], (t) => `let m = max(x, y);
let d = -abs(x - y);
let e = select(exp(d), exp(d + 44.3614195558365) * 5.421010862427522e-20, d < -87.33654475055310);
out = select(m + ${log1pOf('e')}, m, ${t.inf('m')})`),
});

// ---- bitwise and logical ------------------------------------------------------------------------------------

/** A bitwise function of integers or bools (bools are 0/1 words, so `&`, `|`, `^` are the logical ones). */
function bitwise(name: string, sym: string, numpy: string): BinaryMathOp {
  return binary(name, undefined, [numpy, `\`x ${sym} y\` of integers or bools`, 'exact'], { dtypes: INT_BOOL, body: () => plain(`out = x ${sym} y`, true) });
}
/**
 * `x & y` of integers or bools.
 *
 * @example bitwiseAnd(x, 0xff)
 * @see https://numpy.org/doc/stable/reference/generated/numpy.bitwise_and.html
 */
export const bitwiseAnd = bitwise('bitwiseAnd', '&', 'numpy.bitwise_and');
/**
 * `x | y` of integers or bools.
 *
 * @example bitwiseOr(x, 1)
 * @see https://numpy.org/doc/stable/reference/generated/numpy.bitwise_or.html
 */
export const bitwiseOr = bitwise('bitwiseOr', '|', 'numpy.bitwise_or');
/**
 * `x ^ y` of integers or bools.
 *
 * @example bitwiseXor(x, y)
 * @see https://numpy.org/doc/stable/reference/generated/numpy.bitwise_xor.html
 */
export const bitwiseXor = bitwise('bitwiseXor', '^', 'numpy.bitwise_xor');

/** A negative scalar shift count is refused, as numpy.array_api raises for one. */
function shiftCount(op: string, side: 'x' | 'y', v: number): void {
  if (side === 'y' && v < 0) throw new ArgumentError(`${op}: the shift count ${v} is negative (numpy.array_api raises: shifts are defined for counts >= 0)`);
}

/**
 * `x << y` of integers; a count of 32 or more gives 0 (NumPy's answer; an array count that is negative is
 * treated as NumPy's np.left_shift treats it, as a huge count: 0).
 *
 * @example bitwiseLeftShift(x, 3)
 * @see https://numpy.org/doc/stable/reference/generated/numpy.left_shift.html
 */
export const bitwiseLeftShift = binary('bitwiseLeftShift', undefined, ['numpy.left_shift', '`x << y`; 0 for counts ≥ 32', 'exact'], {
  dtypes: INTS,
  scalar: shiftCount,
  body: () => plain('let s = u32(y);\nout = select(x << (s & 31u), T(0), s >= 32u)'),
});
/**
 * `x >> y` of integers (arithmetic for i32); a count of 32 or more gives 0, or -1 for a negative i32
 * (NumPy's answer; a negative array count is treated as a huge one, as NumPy's np.right_shift does).
 *
 * @example bitwiseRightShift(x, 1)
 * @see https://numpy.org/doc/stable/reference/generated/numpy.right_shift.html
 */
export const bitwiseRightShift = binary('bitwiseRightShift', undefined, ['numpy.right_shift', '`x >> y`; counts ≥ 32 give 0 (or -1 for a negative i32)', 'exact'], {
  dtypes: INTS,
  scalar: shiftCount,
  body: (d) => plain(`let s = u32(y);\nout = select(x >> (s & 31u), ${d === 'i32' ? 'select(T(0), T(-1), x < T(0))' : 'T(0)'}, s >= 32u)`),
});
/**
 * `~x` of integers; `!x` of bools.
 *
 * @example bitwiseInvert(mask)
 * @see https://numpy.org/doc/stable/reference/generated/numpy.invert.html
 */
export const bitwiseInvert = unary('bitwiseInvert', undefined, ['numpy.invert', '`~x` of integers, `!x` of bools', 'exact'], { dtypes: INT_BOOL, body: (d) => plain(d === 'bool' ? 'out = 1u - x' : 'out = ~x', true) });

/** A logical function of two bool arrays (or a bool array and a boolean). */
function logical(name: string, sym: string, numpy: string): CompareOp {
  return compare(name, undefined, [numpy, `\`x ${sym} y\` of bools`, 'exact'], { dtypes: BOOL, body: () => plain(`out = x ${sym} y`, true) });
}
/**
 * `x && y` of bools.
 *
 * @example logicalAnd(m, less(x, 1))
 * @see https://numpy.org/doc/stable/reference/generated/numpy.logical_and.html
 */
export const logicalAnd = logical('logicalAnd', '&', 'numpy.logical_and');
/**
 * `x || y` of bools.
 *
 * @example logicalOr(m, true)
 * @see https://numpy.org/doc/stable/reference/generated/numpy.logical_or.html
 */
export const logicalOr = logical('logicalOr', '|', 'numpy.logical_or');
/**
 * `x != y` of bools.
 *
 * @example logicalXor(a, b)
 * @see https://numpy.org/doc/stable/reference/generated/numpy.logical_xor.html
 */
export const logicalXor = logical('logicalXor', '^', 'numpy.logical_xor');
/**
 * `!x` of a bool array.
 *
 * @example logicalNot(isnan(x))
 * @see https://numpy.org/doc/stable/reference/generated/numpy.logical_not.html
 */
export const logicalNot = predicate('logicalNot', ['numpy.logical_not', '`!x` of bools', 'exact'], { dtypes: BOOL, body: () => plain('out = 1u - x', true) });

// ---- comparisons ---------------------------------------------------------------------------------------------

function comparison(name: string, alias: string, cmp: string, numpy: string, dtypes: readonly DType[]): CompareOp {
  // IEEE: every comparison with a NaN is false, except != (true) — spelled out, since Dawn may assume no NaN.
  // An i32 below 0 is below every u32; otherwise the two compare as u32s.
  const negativeSide: Readonly<Record<string, readonly [ifXNeg: boolean, ifYNeg: boolean]>> = { '==': [false, false], '!=': [true, true], '<': [true, false], '<=': [true, false], '>': [false, true], '>=': [false, true] };
  const [ifX, ifY] = negativeSide[cmp] ?? [false, false];
  return compare(name, alias, [numpy, `where x ${cmp} y (a bool array)`, 'exact'], {
    dtypes,
    mixedInt: (signed) => {
      const s = signed === 'x' ? 'x' : 'y';
      const whenNeg = signed === 'x' ? ifX : ifY;
      const as = signed === 'x' ? `u32(x) ${cmp} y` : `x ${cmp} u32(y)`;
      return plain(`out = select(select(0u, 1u, ${as}), ${whenNeg ? '1u' : '0u'}, ${s} < 0i)`);
    },
    body: (d) =>
      d === 'f32'
        ? fl((t) => (cmp === '!=' ? `out = select(0u, 1u, ${t.n('x')} || ${t.n('y')} || x != y)` : `out = select(0u, 1u, !${t.n('x')} && !${t.n('y')} && x ${cmp} y)`))
        : plain(`out = select(0u, 1u, x ${cmp} y)`),
  });
}

/**
 * Where x == y: a bool array (the standard's `equal`; also exported as `eq`).
 *
 * @example equal(x, 0)
 * @see https://numpy.org/doc/stable/reference/generated/numpy.equal.html
 */
export const equal = comparison('equal', 'eq', '==', 'numpy.equal', ALL);
/**
 * Where x != y (NaN != NaN): a bool array (also exported as `ne`).
 *
 * @example notEqual(x, y)
 * @see https://numpy.org/doc/stable/reference/generated/numpy.not_equal.html
 */
export const notEqual = comparison('notEqual', 'ne', '!=', 'numpy.not_equal', ALL);
/**
 * Where x < y: a bool array (also exported as `lt`).
 *
 * @example less(x, 0.5)
 * @see https://numpy.org/doc/stable/reference/generated/numpy.less.html
 */
export const less = comparison('less', 'lt', '<', 'numpy.less', NUMERIC);
/**
 * Where x <= y: a bool array (also exported as `le`).
 *
 * @example lessEqual(x, y)
 * @see https://numpy.org/doc/stable/reference/generated/numpy.less_equal.html
 */
export const lessEqual = comparison('lessEqual', 'le', '<=', 'numpy.less_equal', NUMERIC);
/**
 * Where x > y: a bool array (also exported as `gt`).
 *
 * @example greater(x, 0)
 * @see https://numpy.org/doc/stable/reference/generated/numpy.greater.html
 */
export const greater = comparison('greater', 'gt', '>', 'numpy.greater', NUMERIC);
/**
 * Where x >= y: a bool array (also exported as `ge`).
 *
 * @example greaterEqual(x, 1)
 * @see https://numpy.org/doc/stable/reference/generated/numpy.greater_equal.html
 */
export const greaterEqual = comparison('greaterEqual', 'ge', '>=', 'numpy.greater_equal', NUMERIC);

/**
 * Where x is NaN: a bool array (false for integers).
 *
 * @example isnan(x)
 * @see https://numpy.org/doc/stable/reference/generated/numpy.isnan.html
 */
export const isnan = predicate('isnan', ['numpy.isnan', 'where x is NaN (a bool array)', 'exact'], { dtypes: NUMERIC, body: (d) => (d === 'f32' ? fl((t) => `out = select(0u, 1u, ${t.n('x')})`) : plain('out = 0u')) });
/**
 * Where x is ±Inf: a bool array (false for integers).
 *
 * @example isinf(x)
 * @see https://numpy.org/doc/stable/reference/generated/numpy.isinf.html
 */
export const isinf = predicate('isinf', ['numpy.isinf', 'where x is ±Inf (a bool array)', 'exact'], { dtypes: NUMERIC, body: (d) => (d === 'f32' ? fl((t) => `out = select(0u, 1u, ${t.inf('x')})`) : plain('out = 0u')) });
/**
 * Where x is finite (not NaN nor ±Inf): a bool array (true for integers).
 *
 * @example isfinite(x)
 * @see https://numpy.org/doc/stable/reference/generated/numpy.isfinite.html
 */
export const isfinite = predicate('isfinite', ['numpy.isfinite', 'where x is finite (a bool array)', 'exact'], {
  dtypes: NUMERIC,
  body: (d) => (d === 'f32' ? fl((t) => `out = select(1u, 0u, ${t.n('x')} || ${t.inf('x')})`) : plain('out = 1u')),
});

// ---- unary arithmetic ----------------------------------------------------------------------------------------

/**
 * `-x` (i32 wraps: -(-2^31) is -2^31; u32 wraps as NumPy's: -3 is 2^32 − 3). Also exported as `neg`.
 *
 * @example negative(x)
 * @see https://numpy.org/doc/stable/reference/generated/numpy.negative.html
 */
export const negative = unary('negative', 'neg', ['numpy.negative', '`-x` (integers wrap)', 'exact'], { dtypes: NUMERIC, body: (d) => plain(d === 'u32' ? 'out = 0u - x' : 'out = -x', true) });
/**
 * `+x`: a copy.
 *
 * @example positive(x)
 * @see https://numpy.org/doc/stable/reference/generated/numpy.positive.html
 */
export const positive = unary('positive', undefined, ['numpy.positive', '`+x`, elementwise (a copy)', 'exact'], { dtypes: NUMERIC, body: () => plain('out = x', true) });
/**
 * `|x|` (u32: the value itself; i32: |-2^31| wraps to -2^31, as in NumPy).
 *
 * @example abs(x)
 * @see https://numpy.org/doc/stable/reference/generated/numpy.absolute.html
 */
export const abs = unary('abs', undefined, ['numpy.absolute', '`|x|` (i32 wraps at -2^31)', 'exact'], { dtypes: NUMERIC, body: (d) => (d === 'u32' ? plain('out = x', true) : d === 'i32' ? plain('out = abs(x)') : nanIn(['x'], () => 'out = abs(x)')) });
/**
 * `x * x` (integers wrap).
 *
 * @example square(x)
 * @see https://numpy.org/doc/stable/reference/generated/numpy.square.html
 */
export const square = unary('square', undefined, ['numpy.square', '`x * x` (integers wrap)', 'exact'], { dtypes: NUMERIC, body: () => plain('out = x * x', true) });
/**
 * −1, 0 or 1 by the sign of x (0 for ±0, as NumPy); NaN kept.
 *
 * @example sign(x)
 * @see https://numpy.org/doc/stable/reference/generated/numpy.sign.html
 */
export const sign = unary('sign', undefined, ['numpy.sign', '−1, 0 or 1 by the sign of x; NaN kept', 'exact'], {
  dtypes: NUMERIC,
  body: (d) =>
    d === 'f32'
      ? nanIn(['x'], () => 'out = select(select(-1.0, 1.0, x > 0.0), 0.0, x == 0.0)')
      : d === 'i32'
        ? plain('out = select(select(T(-1), T(1), x > T(0)), T(0), x == T(0))')
        : plain('out = select(0u, 1u, x > 0u)'),
});

/** A rounding function: WGSL's builtin on floats, with a zero result taking x's sign; integers unchanged. */
function rounding(name: string, numpy: string, summary: string): UnaryMathOp {
  return unary(name, undefined, [numpy, summary, 'exact'], {
    dtypes: NUMERIC,
    body: (d) => (d === 'f32' ? nanIn(['x'], (t) => `let r = ${name}(x);\nout = select(r, ${t.zero('x')}, r == 0.0)`) : plain('out = x', true)),
  });
}
/**
 * Round down (integers unchanged).
 *
 * @example floor(x)
 * @see https://numpy.org/doc/stable/reference/generated/numpy.floor.html
 */
export const floor = rounding('floor', 'numpy.floor', 'round down (integers unchanged)');
/**
 * Round up (integers unchanged; ceil(-0.5) is -0).
 *
 * @example ceil(x)
 * @see https://numpy.org/doc/stable/reference/generated/numpy.ceil.html
 */
export const ceil = rounding('ceil', 'numpy.ceil', 'round up (integers unchanged)');
/**
 * Round to nearest, halves to even (integers unchanged).
 *
 * @example round(x)
 * @see https://numpy.org/doc/stable/reference/generated/numpy.round.html
 */
export const round = rounding('round', 'numpy.round', 'round to nearest, halves to even');
/**
 * Round toward zero (integers unchanged).
 *
 * @example trunc(x)
 * @see https://numpy.org/doc/stable/reference/generated/numpy.trunc.html
 */
export const trunc = rounding('trunc', 'numpy.trunc', 'round toward zero (integers unchanged)');

// ---- floating-point functions --------------------------------------------------------------------------------

/** A float function of x (f32): its body, NaN-propagating. */
function floatFn(name: string, alias: string | undefined, doc: Doc, template: (t: Tests) => string): UnaryMathOp {
  return unary(name, alias, doc, { dtypes: FLOAT, body: () => nanIn(['x'], template) });
}

/** An odd function's series for |x| < 0.1 (its coefficients of x, x^3, x^5…), the builtin beyond. */
function oddSeries(coefficients: readonly string[]): string {
  const [first, ...rest] = coefficients;
  const inner = rest.reduceRight((acc, c) => `(${c}${acc === '' ? '' : ` + x2 * ${acc}`})`, '');
  return `x * (${first ?? '1.0'} + x2 * ${inner})`;
}

/**
 * `e^x`: +Inf past ln(f32 max); below ln 2^-126 the answer is subnormal, which lavapipe's `exp` flushes to 0
 * (its arithmetic keeps subnormals): there it is e^(x + 64 ln 2) · 2^-64, the scaling exact but for the
 * final rounding.
 *
 * @example exp(x)
 * @see https://numpy.org/doc/stable/reference/generated/numpy.exp.html
 */
export const exp = floatFn('exp', undefined, ['numpy.exp', '`e^x`, subnormal results kept', 'transcendental'], (t) => `let r = select(exp(x), exp(x + 44.3614195558365) * 5.421010862427522e-20, x < -87.33654475055310);
out = select(select(r, infv, x > ${EXP_MAX}), select(infv, 0.0, ${t.neg('x')}), ${t.inf('x')})`);
/**
 * `e^x − 1`, accurate near 0: a series for |x| < 0.1, `exp(x) − 1` beyond; +Inf past ln(f32 max).
 *
 * @example expm1(x)
 * @see https://numpy.org/doc/stable/reference/generated/numpy.expm1.html
 */
export const expm1 = floatFn(
  'expm1',
  undefined,
  ['numpy.expm1', '`e^x − 1`, accurate near 0', 'transcendental'],
  () => `let s = x * (1.0 + x * (0.5 + x * (0.16666667 + x * (0.041666668 + x * (0.008333334 + x * (0.0013888889 + x * (0.0001984127 + x * 0.0000248016)))))));
out = select(select(select(exp(x) - 1.0, s, abs(x) < 0.1), infv, x > ${EXP_MAX}), -1.0, x < -88.0)`,
);
/**
 * Natural log: -Inf at ±0, NaN below 0, +Inf at +Inf (WGSL leaves these indeterminate). A subnormal x is
 * scaled by 2^23 (exactly) first: lavapipe's `log` answers log(2^-126) for every subnormal.
 *
 * @example log(x)
 * @see https://numpy.org/doc/stable/reference/generated/numpy.log.html
 */
export const log = floatFn(
  'log',
  undefined,
  ['numpy.log', 'natural log; -Inf at ±0, NaN below 0', 'transcendental'],
  (t) => `let l = select(log(x), log(x * 8388608.0) - 15.942385152878742, x < ${MIN_NORMAL});
out = select(select(select(l, infv, ${t.inf('x')}), -infv, x == 0.0), nanv, x < 0.0)`,
);
/**
 * `log(1 + x)`, accurate near 0 (a series for |x| < 0.1); -Inf at -1, NaN below.
 *
 * @example log1p(x)
 * @see https://numpy.org/doc/stable/reference/generated/numpy.log1p.html
 */
export const log1p = floatFn('log1p', undefined, ['numpy.log1p', '`log(1 + x)`, accurate near 0', 'transcendental'], (t) => `out = select(select(select(${log1pOf('x')}, infv, ${t.inf('x')}), -infv, x == -1.0), nanv, x < -1.0)`);
/**
 * Base-2 log: -Inf at ±0, NaN below 0 (subnormals scaled first, as {@link log}).
 *
 * @example log2(x)
 * @see https://numpy.org/doc/stable/reference/generated/numpy.log2.html
 */
export const log2 = floatFn('log2', undefined, ['numpy.log2', 'base-2 log; -Inf at ±0, NaN below 0', 'transcendental'], (t) => `out = select(select(select(${LOG2}, infv, ${t.inf('x')}), -infv, x == 0.0), nanv, x < 0.0)`);
/**
 * Base-10 log: -Inf at ±0, NaN below 0.
 *
 * @example log10(x)
 * @see https://numpy.org/doc/stable/reference/generated/numpy.log10.html
 */
export const log10 = floatFn('log10', undefined, ['numpy.log10', 'base-10 log; -Inf at ±0, NaN below 0', 'transcendental'], (t) => `out = select(select(select(${LOG2} * 0.30102999566398120, infv, ${t.inf('x')}), -infv, x == 0.0), nanv, x < 0.0)`);
/**
 * `√x`; NaN below 0, -0 at -0.
 *
 * @example sqrt(x)
 * @see https://numpy.org/doc/stable/reference/generated/numpy.sqrt.html
 */
export const sqrt = floatFn('sqrt', undefined, ['numpy.sqrt', '`√x`; NaN below 0', 'ulp'], (t) => `out = select(select(select(sqrt(x), infv, ${t.inf('x')}), x, x == 0.0), nanv, x < 0.0)`);
/**
 * `1/√x`; ±Inf at ±0 (NumPy's `1 / np.sqrt(x)`), NaN below 0.
 *
 * @example rsqrt(x)
 */
export const rsqrt = floatFn('rsqrt', undefined, [null, '`1/√x`; ±Inf at ±0, NaN below 0', 'transcendental'], (t) => `out = select(select(select(inverseSqrt(x), select(infv, -infv, ${t.neg('x')}), x == 0.0), 0.0, ${t.inf('x')}), nanv, x < 0.0)`);

/**
 * `sin x` (a series below |x| < 0.1, keeping −0; NaN at ±Inf; Payne–Hanek reduction past 2^24 on Dawn).
 *
 * @example sin(x)
 * @see https://numpy.org/doc/stable/reference/generated/numpy.sin.html
 */
export const sin = floatFn('sin', undefined, ['numpy.sin', '`sin x`, elementwise', 'transcendental'], (t) => `${t === DAWN ? HUGE_TRIG : ''}let x2 = x * x;
let small = select(sin(x), ${oddSeries(['1.0', '-0.16666667', '0.008333334', '-0.0001984127'])}, abs(x) < 0.1);
${t === DAWN ? 'let hs0 = select(select(sin(hr), cos(hr), (hq & 1u) == 1u), -select(sin(hr), cos(hr), (hq & 1u) == 1u), hq >= 2u);\nlet big = select(hs0, -hs0, x < 0.0);\nlet v = select(small, big, abs(x) >= 16777216.0);' : 'let v = small;'}
out = select(v, nanv, ${t.inf('x')})`);
/**
 * `cos x` (NaN at ±Inf; Payne–Hanek reduction past 2^24 on Dawn).
 *
 * @example cos(x)
 * @see https://numpy.org/doc/stable/reference/generated/numpy.cos.html
 */
export const cos = floatFn('cos', undefined, ['numpy.cos', '`cos x`, elementwise', 'transcendental'], (t) => `${t === DAWN ? HUGE_TRIG : ''}${t === DAWN ? 'let hc0 = select(select(cos(hr), -sin(hr), (hq & 1u) == 1u), -select(cos(hr), -sin(hr), (hq & 1u) == 1u), hq >= 2u);\nlet v = select(cos(x), hc0, abs(x) >= 16777216.0);' : 'let v = cos(x);'}
out = select(v, nanv, ${t.inf('x')})`);
/**
 * `tan x` (a series below |x| < 0.1, keeping −0; NaN at ±Inf; Payne–Hanek reduction past 2^24 on Dawn).
 *
 * @example tan(x)
 * @see https://numpy.org/doc/stable/reference/generated/numpy.tan.html
 */
export const tan = floatFn('tan', undefined, ['numpy.tan', '`tan x`, elementwise', 'transcendental'], (t) => `${t === DAWN ? HUGE_TRIG : ''}let x2 = x * x;
let small = select(tan(x), ${oddSeries(['1.0', '0.33333334', '0.13333334', '0.053968254', '0.021869488'])}, abs(x) < 0.1);
${t === DAWN ? 'let ht0 = select(sin(hr) / cos(hr), -cos(hr) / sin(hr), (hq & 1u) == 1u);\nlet big = select(ht0, -ht0, x < 0.0);\nlet v = select(small, big, abs(x) >= 16777216.0);' : 'let v = small;'}
out = select(v, nanv, ${t.inf('x')})`);
/**
 * `arcsin x`: NaN outside [−1, 1]; a series below |x| < 0.1.
 *
 * @example asin(x)
 * @see https://numpy.org/doc/stable/reference/generated/numpy.arcsin.html
 */
export const asin = floatFn('asin', undefined, ['numpy.arcsin', '`arcsin x`; NaN outside [−1, 1]', 'transcendental'], () => `let c = sqrt((1.0 - x) * (1.0 + x));
let v = x / c;
${atanOf('v')}
out = select(select(select(tnAt, select(1.5707964, -1.5707964, x < 0.0), abs(x) == 1.0), x, abs(x) < 1e-4), nanv, abs(x) > 1.0)`);
/**
 * `arccos x`: NaN outside [−1, 1].
 *
 * @example acos(x)
 * @see https://numpy.org/doc/stable/reference/generated/numpy.arccos.html
 */
export const acos = floatFn('acos', undefined, ['numpy.arccos', '`arccos x`; NaN outside [−1, 1]', 'transcendental'], () => `let c = sqrt((1.0 - x) * (1.0 + x));
let v = c / abs(x);
${atanOf('v')}
let h = select(tnAt, 1.5707964, x == 0.0);
out = select(select(h, 3.1415927 - h, x < 0.0), nanv, abs(x) > 1.0)`);
/**
 * `arctan x` (±π/2 at ±Inf; a series below |x| < 0.1).
 *
 * @example atan(x)
 * @see https://numpy.org/doc/stable/reference/generated/numpy.arctan.html
 */
export const atan = floatFn('atan', undefined, ['numpy.arctan', '`arctan x`, elementwise', 'transcendental'], (t) => `${atanOf('x')}
out = select(select(tnAt, x, abs(x) < 1e-4), select(1.5707964, -1.5707964, x < 0.0), ${t.inf('x')})`);
/**
 * `sinh x` (a series below |x| < 0.1; e^(|x| − ln 2) past 80, so it overflows only where sinh does).
 *
 * @example sinh(x)
 * @see https://numpy.org/doc/stable/reference/generated/numpy.sinh.html
 */
export const sinh = floatFn('sinh', undefined, ['numpy.sinh', '`sinh x`, elementwise', 'transcendental'], (t) => `let x2 = x * x;
let big = exp(abs(x) - 0.6931472);
out = select(select(select(sinh(x), select(big, -big, x < 0.0), abs(x) > 80.0), ${oddSeries(['1.0', '0.16666667', '0.008333334', '0.0001984127'])}, abs(x) < 0.1), x, ${t.inf('x')})`);
/**
 * `cosh x` (e^(|x| − ln 2) past 80, so it overflows only where cosh does; +Inf at ±Inf).
 *
 * @example cosh(x)
 * @see https://numpy.org/doc/stable/reference/generated/numpy.cosh.html
 */
export const cosh = floatFn('cosh', undefined, ['numpy.cosh', '`cosh x`, elementwise', 'transcendental'], (t) => `out = select(select(cosh(x), exp(abs(x) - 0.6931472), abs(x) > 80.0), infv, ${t.inf('x')})`);
/**
 * `tanh x`: a series for |x| < 0.1 (WGSL's tanh is accurate only absolutely, ~1e-7, which would swamp small
 * results), ±1 beyond |x| > 20 (where sinh/cosh overflow), WGSL's tanh between.
 *
 * @example tanh(x)
 * @see https://numpy.org/doc/stable/reference/generated/numpy.tanh.html
 */
export const tanh = floatFn('tanh', undefined, ['numpy.tanh', '`tanh x`, accurate near 0', 'transcendental'], () => `let x2 = x * x;
let s = x * (1.0 - x2 * (0.33333334 - x2 * (0.13333334 - x2 * 0.05396825)));
out = select(select(tanh(x), select(1.0, -1.0, x < 0.0), abs(x) > 20.0), s, abs(x) < 0.1)`);
/**
 * `arsinh x` (odd; a series below |x| < 0.1; log(2|x|) past 1e18, where x² would overflow).
 *
 * @example asinh(x)
 * @see https://numpy.org/doc/stable/reference/generated/numpy.arcsinh.html
 */
export const asinh = floatFn('asinh', undefined, ['numpy.arcsinh', '`arsinh x`, elementwise', 'transcendental'], () => `let x2 = x * x;
let a = abs(x);
let m = select(log(a + sqrt(a * a + 1.0)), log(a) + 0.6931472, a > 1e18);
out = select(select(m, -m, x < 0.0), ${oddSeries(['1.0', '-0.16666667', '0.075', '-0.044642857', '0.030381944'])}, a < 0.1)`);
/**
 * `arcosh x`: NaN below 1, +0 at 1; log1p-accurate near 1; log(2x) past 1e18.
 *
 * @example acosh(x)
 * @see https://numpy.org/doc/stable/reference/generated/numpy.arccosh.html
 */
export const acosh = floatFn('acosh', undefined, ['numpy.arccosh', '`arcosh x`; NaN below 1', 'transcendental'], () => `let u = x - 1.0;
let v = u + sqrt(u * (x + 1.0));
out = select(select(${log1pOf('v')}, log(x) + 0.6931472, x > 1e18), nanv, x < 1.0)`);
/**
 * `artanh x`: ±Inf at ±1, NaN beyond; a series below |x| < 0.1.
 *
 * @example atanh(x)
 * @see https://numpy.org/doc/stable/reference/generated/numpy.arctanh.html
 */
export const atanh = floatFn('atanh', undefined, ['numpy.arctanh', '`artanh x`; ±Inf at ±1, NaN beyond', 'transcendental'], () => `let x2 = x * x;
let h = 0.5 * log((1.0 + x) / (1.0 - x));
out = select(select(select(h, ${oddSeries(['1.0', '0.33333334', '0.2', '0.14285715', '0.11111111'])}, abs(x) < 0.1), select(infv, -infv, x < 0.0), abs(x) == 1.0), nanv, abs(x) > 1.0)`);

/**
 * The logistic function `1 / (1 + e^−x)`.
 *
 * @example sigmoid(x)
 */
export const sigmoid = floatFn('sigmoid', undefined, [null, 'the logistic function `1 / (1 + e^−x)`', 'transcendental'], () => 'out = 1.0 / (1.0 + exp(-x))');
/**
 * `max(x, 0)`, NaN kept (f32, i32).
 *
 * @example relu(x)
 */
export const relu = unary('relu', undefined, [null, '`max(x, 0)`, NaN kept', 'exact'], { dtypes: ['f32', 'i32'], body: (d) => (d === 'f32' ? fl((t) => `out = select(max(x, 0.0), x, ${t.n('x')})`) : plain('out = max(x, T(0))')) });

// A NaN bound makes every element NaN (NumPy 2's clip, min(max(x, lo), hi) with NaN-propagating max/min):
// tested on the uniform by bits on Dawn, whose max/min may return the other operand.
const CLIP = (d: DType): Spec => {
  const args = 'x: T[], out: T[], lo: T, hi: T, nanv: T';
  if (d !== 'f32') return { args, body: 'out = min(max(x, lo), hi)', consts: { nanv: 0 } };
  const t = (e: Tests): string => `out = select(select(min(max(x, lo), hi), x, ${e.n('x')}), nanv, ${e.n('lo')} || ${e.n('hi')})`;
  return { args, body: t(DAWN), hostBody: t(HOST), consts: { nanv: NaN } };
};

/** `min(max(x, lo), hi)`, elementwise (NumPy's `clip`: `hi` wins when lo > hi; NaN kept; a NaN bound gives NaN). @example clip(x, 0, 1) */
export function clip<D extends DType>(x: DeviceArray<D>, lo: number, hi: number, options?: OutOptions<D>): DeviceArray<D>;
/** @deprecated The output as the fourth argument: pass `{ out }`. */
export function clip<D extends DType>(x: DeviceArray<D>, lo: number, hi: number, out?: DeviceArray<D>): DeviceArray<D>;
export function clip<D extends DType>(x: DeviceArray<D>, lo: number, hi: number, options?: OutOptions<D> | DeviceArray<D>): DeviceArray<D> {
  return CLIP_OP.call(x, lo, hi, options) as DeviceArray<D>;
}

const CLIP_OP = mathOp('clip', undefined, ['numpy.clip', '`min(max(x, lo), hi)`', 'exact'], CLIP, (x: DeviceArray, lo: number, hi: number, options: OutOptions | DeviceArray | undefined): MathCall => {
  const out = outOf('clip', options);
  checkArrays('clip', { x, out }, ['out']);
  checkNumber('clip', 'lo', lo);
  checkNumber('clip', 'hi', hi);
  if (!NUMERIC.includes(x.dtype)) throw takes('clip', NUMERIC, x.dtype);
  return checkRun('clip', CLIP(x.dtype), { x, out, lo, hi }, x);
}, NUMERIC);

/** The alias of {@link subtract} (the same function). */
export const sub = subtract;
/** The alias of {@link multiply} (the same function). */
export const mul = multiply;
/** The alias of {@link divide} (the same function). */
export const div = divide;
/** The alias of {@link power} (the same function; the standard's name). */
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

/**
 * `a` where `condition` is true, else `b` (the standard's `where`): all three broadcast together; a and b
 * promote as a binary function's operands (either may be a JS scalar). The condition is a bool array (a u32
 * mask, non-zero meaning true, is still taken: deprecated).
 *
 * @example where(less(x, 0), 0, x)
 * @see https://numpy.org/doc/stable/reference/generated/numpy.where.html
 */
export function where<D extends DType>(condition: DeviceArray<'bool'> | DeviceArray<'u32'>, a: DeviceArray<D> | ScalarOperand, b: DeviceArray<D> | ScalarOperand, options?: OutOptions<D>): DeviceArray<D>;
/** @deprecated The output as the fourth argument: pass `{ out }`. */
export function where<D extends DType>(condition: DeviceArray<'bool'> | DeviceArray<'u32'>, a: DeviceArray<D>, b: DeviceArray<D>, out?: DeviceArray<D>): DeviceArray<D>;
export function where<D extends DType>(condition: DeviceArray<'bool'> | DeviceArray<'u32'>, a: DeviceArray<D> | ScalarOperand, b: DeviceArray<D> | ScalarOperand, options?: OutOptions<D> | DeviceArray<D>): DeviceArray<D> {
  return WHERE_OP.call(condition, a, b, options) as DeviceArray<D>;
}

const WHERE_OP = mathOp('where', undefined, ['numpy.where', '`a` where the condition is true, else `b` (broadcast, promoted)', 'exact'], 'out = select(b, a, cond != 0u)', (cond: DeviceArray, a: DeviceArray | ScalarOperand, b: DeviceArray | ScalarOperand, options: OutOptions | DeviceArray | undefined): MathCall => {
  const out = outOf('where', options);
  checkArrays('where', { condition: cond, out }, ['out']);
  if (cond.dtype !== 'bool' && cond.dtype !== 'u32') throw new DTypeError(`where: the condition must be a bool array (as comparisons return), got ${cond.dtype}`);
  const { dtype, args, prelude, bound } = operands('where', { a, b });
  const spec: Spec = { args: `cond: ${cond.dtype}[], ${args.join(', ')}, out: ${dtype === 'bool' ? 'bool' : 'T'}[]`, body: `${prelude}out = select(b, a, cond != 0u)` };
  return checkRun('where', spec, { cond, ...bound, out }, cond);
}, ALL_DTYPES);

/**
 * A copy converted to `dtype`: float → integer truncates toward zero and clamps to the target's range
 * (f32 can hold at most 2^31 − 128 and 2^32 − 256 below the limits), NaN gives 0; i32 ↔ u32 keeps the
 * bits (as NumPy's astype wraps); integer → f32 rounds to nearest; to f16 rounds to nearest (±Inf past
 * 65504); to bool: non-zero (and NaN) is true; from bool: true is 1. Both engines compute exactly this (f16
 * needs shader-f16, so Dawn only).
 *
 * @example astype(less(x, 0), 'f32')
 */
export function astype<E extends DType>(x: DeviceArray, dtype: E): DeviceArray<E> {
  return ASTYPE.call(x, dtype) as DeviceArray<E>;
}

/** astype's spec from `from` to `to` (the expression of its manifest, per pair of dtypes). */
export function astypeSpec(from: DType, to: DType): Spec {
  const args = `x: ${from === 'bool' ? 'bool' : 'T'}[], out: ${to}[]`;
  // f16 → integer goes through f32 (exact: every f16 is an f32), so the same clamps and NaN test apply.
  const src = from === 'f16' ? 'f32(x)' : 'x';
  const float = from === 'f32' || from === 'f16';
  const clamped = to === 'i32' ? `i32(clamp(${src}, -2147483648.0, 2147483520.0))` : `u32(clamp(${src}, 0.0, 4294967040.0))`;
  const zero = to === 'i32' ? '0i' : '0u';
  if (to === from) return { args, body: 'out = x' };
  if (to === 'bool') {
    return float
      ? { args, body: `out = select(0u, 1u, ${src} != 0.0 || ${ISNAN.dawn(src)})`, hostBody: 'out = select(0u, 1u, x != 0.0 || x != x)' }
      : { args, body: `out = select(0u, 1u, x != ${wgslOf(from)}(0))` };
  }
  if (from === 'bool') return { args, body: to === 'u32' ? 'out = x' : `out = ${to}(x)` };
  if (float && (to === 'i32' || to === 'u32')) return { args, body: `out = select(${clamped}, ${zero}, ${ISNAN.dawn(src)})`, hostBody: `out = select(${clamped}, ${zero}, ${ISNAN.host('x')})` };
  return { args, body: `out = ${to}(x)` };
}

// The expression depends on the pair of dtypes: astypeSpec(from, to).
const ASTYPE = mathOp('astype', undefined, ['numpy.ndarray.astype', 'a copy converted to another dtype', 'exact'], astypeSpec, (x: DeviceArray, dtype: DType): MathCall => {
  checkArrays('astype', { x });
  const to = assertDType(dtype, 'astype');
  return { ...checkRun(`astype_${x.dtype}_${to}`, astypeSpec(x.dtype, to), { x }, x), to };
}, ALL_DTYPES);

/**
 * softmax along `options.axis` (default the last), numerically stable: exp(x − m) / Σ exp(x − m) with m the
 * row's maximum (0 where it is not finite, so a row of −Inf gives NaN, 0/0, as NumPy's formula does; a
 * row holding a NaN gives NaNs). One pass of the row kernel (src/ops/axis.ts); on Dawn with fusion on, x
 * recorded as an elementwise chain (`softmax(mul(x, s))`) is computed inside that one dispatch.
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
 * over a zero-length axis (log 0). On Dawn with fusion on, x recorded as an elementwise chain is computed
 * inside the row kernel's one dispatch (as for every reduction along axes).
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

