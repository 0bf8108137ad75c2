/**
 * The conformance failures accepted for now, each naming the function, which cases, and why: the list the lead
 * burns down. test/conformance/conformance.test.ts fails on a failure no entry matches, and prints the entries
 * that match nothing any more (stale: delete them). An entry matches on the failure's reason (the harness's
 * one-line "why"), so a case that starts failing differently is not hidden by it.
 *
 * Drawn up on 2026-12-07 against main a19b7aa, before the issue-26 helpers' branches (h-elem, h-red, h-manip)
 * landed; most entries name the helper whose work removes them.
 */
import type { Failure } from './report.js';

export interface KnownFailure {
  /** The standard's function name. */
  readonly fn: string;
  /** Which engines (absent: both). */
  readonly engines?: readonly ('dawn' | 'gpujs')[];
  /** Which cases, in words. */
  readonly cases: string;
  /** Why they fail, and who or what fixes them. */
  readonly why: string;
  /** Whether a failure is one of these cases. */
  readonly match: (f: Failure) => boolean;
}

function each(fns: readonly string[], cases: string, why: string, match: (f: Failure) => boolean, engines?: readonly ('dawn' | 'gpujs')[]): KnownFailure[] {
  return fns.map((fn) => ({ fn, cases, why, match, ...(engines !== undefined ? { engines } : {}) }));
}

const re = (r: RegExp) => (f: Failure): boolean => r.test(f.why);

const BOOL_INPUT = re(/^cannot make the input: ArgumentError: array: option 'dtype' must be one of .*got the string "bool"$/);
// The functions gpukit exports today whose cases draw bool inputs (a function added later brings its own).
const ALL_FNS = ['__getitem__', 'all', 'any', 'astype', 'equal', 'not_equal', 'take', 'where'];
const COMPARISONS = ['equal', 'not_equal', 'less', 'less_equal', 'greater', 'greater_equal'];
const SCALAR_OPS = ['add', 'subtract', 'multiply', 'divide', 'pow', ...COMPARISONS];
const WHOLE_ARRAY = ['sum', 'mean', 'min', 'max'];

export const KNOWN_FAILURES: readonly KnownFailure[] = [
  ...each(ALL_FNS, 'inputs of dtype bool', 'gpukit has no bool dtype yet (h-elem adds one, stored as u32 0/1)', BOOL_INPUT),
  ...each([...COMPARISONS, 'all', 'any'], 'every case', 'the result is a u32 mask where the standard has bool (h-elem: bool dtype)', re(/^dtype u32, expected bool$/)),
  ...each(['zeros', 'astype', 'eye'], 'dtype="bool"', 'no bool dtype yet (h-elem)', re(/unknown dtype "bool"/)),
  ...each(['full'], 'a Python bool fill value', 'full takes numbers only; with a bool dtype (h-elem) a JS boolean should be accepted', re(/full: value must be a number, got boolean/)),
  ...each(SCALAR_OPS, 'a JS number operand (array-api-tests\' array_and_py_scalar)', 'scalar operands not accepted yet (h-elem adds them)', re(/y must be a DeviceArray, got number/)),
  ...each(COMPARISONS, 'int32 with uint32', 'no type promotion across dtypes yet (h-elem: the standard\'s table, int32 ⊕ uint32 → a documented refusal or promotion)', re(/x is [iu]32 but y is [iu]32 \(both are T\)/)),
  ...each(['ceil', 'floor', 'round'], 'integer inputs', 'the rounding functions refuse int32/uint32; the standard returns them unchanged (h-elem)', re(/_int: takes f32 arrays, got [iu]32/)),
  ...each(['pow'], 'integer inputs', 'pow is float-only; the standard has integer powers (h-elem)', re(/pow_int: takes f32 arrays, got [iu]32/)),
  ...each(['negative', 'sign'], 'uint32 inputs', 'negative/sign refuse u32; the standard defines them modulo 2^32 (negative) and as 0/1 (sign) (h-elem)', re(/_int: takes f32, i32 arrays, got u32/)),
  ...each(['tensordot'], 'integer inputs', 'tensordot runs through matmul, which is f32-only (h-manip: linalg)', re(/tensordot: x1 and x2 are [iu]32; tensordot runs through matmul/)),
  ...each(['matmul'], 'integer inputs', 'matmul is f32-only; the standard has integer matmul (h-manip: linalg)', re(/matmul: a has dtype [iu]32; expected f32/)),
  ...each(WHOLE_ARRAY, 'whole-array reductions (axis=None) and keepdims=True with axis=None', 'whole-array reductions return shape [1]; the standard has a 0-d array, or all axes kept as 1 with keepdims (h-red)', re(/^shape \[1\], expected \[\]$|^shape \[\], expected \[1(, 1)*\]$/)),
  ...each(['sum', 'prod'], 'integer results past 2^31 / 2^32', 'integer sums and products wrap modulo 2^32 where NumPy promotes to 64 bits (issue 26 item 7; h-red makes them a typed overflow error)', re(/does not fit u?int32 \(expected a typed error\)$/)),
  ...each(['argmax', 'argmin'], 'every case', 'the index is u32; the standard\'s default index dtype is a signed integer, int32 for gpukit (h-red)', re(/^dtype u32, expected int64 \(as int32\)$/)),
  ...each(['sort'], 'every case with options or an n-d array', 'sort takes no options (axis, descending, stable) and flattens n-d arrays (issue 26 item 5; h-red)', re(/^threw ArgumentError: sort: takes one argument|^shape \[\d+\], expected \[\d+(, \d+)+\]$/)),
  ...each(['std', 'var'], 'special case "N - correction ≤ 0 → NaN"', 'var/std divide by N − ddof = 0 and give Infinity; the standard says NaN (h-red)', re(/^element 0: Infinity, expected NaN$/)),
  ...each(['sum'], 'float16 input', 'sum of f16 stays f16; the standard returns the default float dtype (float32 for gpukit) (h-red)', re(/^dtype f16, expected float64 \(as float32\)$/), ['dawn']),
  ...each(['arange', 'full'], 'integer arguments with no dtype', 'the result is f32 where the standard infers the default integer dtype (int32 for gpukit) from integer arguments (creation functions: the lead)', re(/^dtype f32, expected int64 \(as int32\)$/)),
  ...each(['sin', 'cos', 'tan'], '|x| ≥ 2^24 on Dawn (lavapipe)', 'the WGSL builtins lose all accuracy for huge arguments (WGSL bounds sin/cos only on [−π, π], tan inherits them); a Cody–Waite / Payne–Hanek range reduction in the kernel fixes it (h-elem)', (f) => /^element \d+: /.test(f.why) && f.x !== undefined && Math.abs(f.x) >= 2 ** 24, ['dawn']),
  ...each(['__getitem__'], 'an ellipsis or None (new axis) in the key', 'x.slice() takes neither \'...\' nor \'newaxis\' yet (h-manip adds both)', re(/^threw ArgumentError: slice: /)),
];
