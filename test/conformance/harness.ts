/**
 * Runs conformance cases on gpukit and compares each with the reference's answer.
 *
 * Calling: the standard's name in camelCase (`floor_divide` → `floorDivide`) looked up among gpukit's exports
 * (then among the device's methods, where gpukit's creation functions live), called as `f(...args, options)`
 * with the keyword arguments as an options object of camelCase keys. ADAPTERS holds the few calls whose JS form
 * differs from the Python one. A name gpukit does not export is "missing", never a crash.
 *
 * Verdicts: `pass`; `fail` (a wrong dtype, shape or value, an untyped exception, or a result where the
 * reference raised); `refused` (a typed GpukitError where the reference's result has a 64-bit dtype, which
 * WebGPU lacks); `missing`; `skipped` (float16 on a device without shader-f16).
 *
 * Integer overflow, which the standard leaves unspecified: an OverflowError passes where the exact result does
 * not fit the dtype gpukit answers in (a 64-bit reference result past 32 bits; an integer matmul / vecdot /
 * tensordot that numpy.array_api wrapped, marked `overflow` by the generator), and elements past the range are
 * not compared. Special cases: where the standard's sentence carries "(**note**: libraries may return X to
 * match Python behavior)" (floor_divide with ±infinity), X passes too (see specials.py).
 */
import type * as Gpukit from '../../src/index.js';
import type { DeviceArray, DType, GpuDevice } from '../../src/index.js';
import type { Case, Check, Expected, RefArray, RefDType, Tolerance } from './cases.js';

type Api = typeof Gpukit;
type AnyFn = (...a: unknown[]) => unknown;

export type Verdict = 'pass' | 'fail' | 'refused' | 'missing' | 'skipped';
export interface Outcome {
  readonly verdict: Verdict;
  /** Why it failed, was refused or skipped (one line). */
  readonly why?: string;
}

const TO_GPUKIT: Partial<Record<RefDType, string>> = { bool: 'bool', int32: 'i32', uint32: 'u32', float32: 'f32', float16: 'f16' };
const FROM_GPUKIT: Record<string, RefDType> = { bool: 'bool', i32: 'int32', u32: 'uint32', f32: 'float32', f16: 'float16' };
/** The reference's 64-bit results and the dtype gpukit gives instead (its default integer is int32, its float float32). */
const NARROW: Partial<Record<RefDType, RefDType>> = { int64: 'int32', uint64: 'uint32', float64: 'float32' };
const RANGE: Partial<Record<RefDType, readonly [number, number]>> = { int32: [-(2 ** 31), 2 ** 31 - 1], uint32: [0, 2 ** 32 - 1] };

/** snake_case → camelCase: the rule gpukit's names follow. */
export function camel(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

interface CallContext {
  readonly api: Api;
  readonly device: GpuDevice;
  /** The arguments with arrays uploaded and dtype names mapped. */
  readonly args: unknown[];
  /** The keyword arguments as an options object of camelCase keys (absent: no keywords). */
  readonly options: Record<string, unknown> | undefined;
  /** The function found under the standard's name (camelCase), if any. */
  readonly fn: AnyFn | undefined;
}

/** A call's outcome before comparison: a value, or "gpukit has no spelling for this". */
type Call = { readonly value: unknown } | { readonly missing: string };

function call(f: AnyFn | undefined, name: string, args: unknown[], options?: Record<string, unknown>): Call {
  if (f === undefined) return { missing: `${name} is not exported` };
  return { value: options === undefined ? f(...args) : f(...args, options) };
}

function methodOf(x: unknown, name: string): AnyFn | undefined {
  const m = (x as Record<string, unknown> | null)?.[name];
  return typeof m === 'function' ? (m as AnyFn).bind(x) : undefined;
}

function renamed(options: Record<string, unknown> | undefined, from: string, to: string): Record<string, unknown> | undefined {
  if (options === undefined || !(from in options)) return options;
  const { [from]: v, ...rest } = options;
  return { ...rest, [to]: v };
}

/**
 * The calls whose JS form differs from the standard's Python one, each with the reason.
 * - `var`: a reserved word in JS; gpukit's name is `variance`. `std`/`var`'s `correction` is NumPy's `ddof`.
 * - `__getitem__`: `x[key]` is the method `x.slice(...specs)`: an integer or `[start, stop, step]` per axis,
 *   `'...'` for an ellipsis, `'newaxis'` for None.
 * - `__getitem__[mask]`: `x[mask]` is the function `booleanIndex(x, mask)`.
 * - `result_type`, `can_cast`: dtypes are gpukit's names ('f32'), mapped both ways.
 * - `eye(n_rows, n_cols)`: gpukit's `device.eye(n, { m, k, dtype })`.
 * - `full`, `arange` with a Python float argument of integer value (3.0) and no dtype: a JS number has no
 *   int/float kind (gpukit infers i32 from integers), so the case itself carries `{ dtype: float32 }` for the
 *   JS call, the dtype the reference infers (generate.py `js_float_kw`); the reference call has no dtype.
 */
const ADAPTERS: Readonly<Record<string, (c: CallContext) => Call>> = {
  var: (c) => call(c.fn ?? (c.api as unknown as Record<string, AnyFn>)['variance'], 'var/variance', c.args, renamed(c.options, 'correction', 'ddof')),
  std: (c) => call(c.fn, 'std', c.args, renamed(c.options, 'correction', 'ddof')),
  eye: (c) => {
    const [n, m] = c.args;
    return call(methodOf(c.device, 'eye'), 'device.eye', [n], { ...(m !== undefined && m !== null ? { m } : {}), ...c.options });
  },
  __getitem__: (c) => {
    const [x, key] = c.args as [DeviceArray, readonly Record<string, unknown>[]];
    const specs = key.map((k) => ('int' in k ? k['int'] : 'slice' in k ? k['slice'] : 'ellipsis' in k ? '...' : 'newaxis'));
    return call(methodOf(x, 'slice'), 'x.slice', specs);
  },
  '__getitem__[mask]': (c) => {
    const [x, m] = c.args;
    const f = (c.api as unknown as Record<string, unknown>)['booleanIndex'];
    return call(typeof f === 'function' ? (f as AnyFn) : undefined, 'booleanIndex', [x, m]);
  },
  result_type: (c) => {
    const r = call(c.fn, 'resultType', c.args);
    return 'value' in r && typeof r.value === 'string' ? { value: FROM_GPUKIT[r.value] ?? r.value } : r;
  },
};

/** The export an adapter calls, where it is not the standard's name: absent, the function is missing. */
const ADAPTER_NEEDS: Readonly<Record<string, string>> = { '__getitem__[mask]': 'booleanIndex' };

/** gpukit's value for a reference array: the typed array of its dtype (bool as u32 0/1). */
function upload(device: GpuDevice, a: RefArray): DeviceArray {
  const dtype = TO_GPUKIT[a.dtype];
  if (dtype === undefined) throw new Error(`no gpukit dtype for input ${a.dtype}`);
  const data = a.dtype === 'int32' ? Int32Array.from(a.data) : a.dtype === 'uint32' || a.dtype === 'bool' ? Uint32Array.from(a.data) : Float32Array.from(a.data);
  return device.array(data, { dtype: dtype as DType, shape: a.shape });
}

function dtypeArg(d: RefDType): string {
  return TO_GPUKIT[d] ?? d;
}

function convertValue(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(convertValue);
  if (typeof v === 'object' && v !== null && 'dtype' in v) return dtypeArg((v as { dtype: RefDType }).dtype);
  return v;
}

function isDeviceArray(api: Api, v: unknown): v is DeviceArray {
  return v instanceof api.DeviceArray;
}

/** A gpukit result read back: arrays (with gpukit's dtype name), tuples, scalars. */
type Got = { kind: 'array'; dtype: string; shape: number[]; data: Float64Array } | { kind: 'tuple'; items: Got[] } | { kind: 'scalar'; value: unknown };

const TUPLE_FIELDS: Readonly<Record<string, readonly string[]>> = {
  unique_all: ['values', 'indices', 'inverseIndices', 'counts'],
  unique_counts: ['values', 'counts'],
  unique_inverse: ['values', 'inverseIndices'],
};

async function readBack(api: Api, fn: string, value: unknown, made: DeviceArray[]): Promise<Got> {
  // Some functions answer with a promise (nonzero, booleanIndex: their result's size is read back first).
  const v: unknown = value instanceof Promise ? await (value as Promise<unknown>) : value;
  if (isDeviceArray(api, v)) {
    made.push(v);
    const host = await v.toArray();
    return { kind: 'array', dtype: v.dtype, shape: [...v.shape], data: Float64Array.from(host as ArrayLike<number>) };
  }
  if (Array.isArray(v)) return { kind: 'tuple', items: await Promise.all(v.map((x) => readBack(api, fn, x, made))) };
  const fields = TUPLE_FIELDS[fn];
  if (fields !== undefined && typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    return { kind: 'tuple', items: await Promise.all(fields.map((f) => readBack(api, fn, o[f], made))) };
  }
  return { kind: 'scalar', value: v };
}

// --- comparison ------------------------------------------------------------------------------------------
const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

/** The ordinal of a float in its dtype (ULP steps from +0; ±0 both 0), so |ord(a) − ord(b)| counts ULPs. */
function ordinal(x: number, dtype: RefDType): number {
  if (dtype === 'float16') {
    // float16 has 10 fraction bits: count in steps of its spacing (exponent range folded as float32's).
    const a = Math.abs(x);
    if (a === Infinity) return Math.sign(x) * 31 * 1024;
    const e = a < 2 ** -14 ? -14 : Math.floor(Math.log2(a));
    const ord = a < 2 ** -14 ? a / 2 ** -24 : (e + 15) * 1024 + (a / 2 ** e - 1) * 1024;
    return Math.sign(x) * ord;
  }
  F32[0] = x;
  const b = U32[0] ?? 0;
  const mag = b & 0x7fffffff;
  return b >>> 31 ? -mag : mag;
}

function sameSpecial(a: number, e: number): boolean | undefined {
  if (Number.isNaN(e) || Number.isNaN(a)) return Number.isNaN(e) && Number.isNaN(a);
  return undefined;
}

function gamma(d: number, u: number): number {
  const t = d * u;
  return t >= 1 ? Infinity : t / (1 - t);
}

function elementClose(a: number, e: number, i: number, dtype: RefDType, tol: Tolerance | undefined): boolean {
  const s = sameSpecial(a, e);
  if (s !== undefined) return s;
  if (a === e) return true; // ±0 alike here: the special cases check signs of zero where the standard says
  if (tol === undefined) return false;
  const u = dtype === 'float16' ? 2 ** -11 : 2 ** -24;
  switch (tol.kind) {
    case 'ulp':
      if (!Number.isFinite(e) && !Number.isFinite(a)) return false;
      return Math.abs(ordinal(a, dtype) - ordinal(e, dtype)) <= (tol.ulps?.data[i] ?? tol.ulp) || Math.abs(a - e) <= tol.atol;
    case 'sum': {
      if (!Number.isFinite(e) || !Number.isFinite(a)) return false;
      // The blocked-sum bound (src/testing/tolerance.ts): γ_n·Σ|x| plus the reference's rounding to dtype.
      const mag = tol.mag.data[i] ?? NaN;
      return Math.abs(a - e) <= gamma(tol.n, u) * mag + u * Math.abs(e) + (dtype === 'float16' ? 2 ** -24 : 2 ** -149);
    }
    case 'sqrt_of_sum': {
      if (!Number.isFinite(e) || !Number.isFinite(a)) return false;
      // std = √var: |√a − √b| ≤ √|a − b|, with var within γ_n·mag.
      const mag = tol.mag.data[i] ?? NaN;
      return Math.abs(a - e) <= Math.sqrt(gamma(tol.n, u) * mag) + 2 * u * Math.abs(e);
    }
  }
}

function describe(x: number): string {
  return Object.is(x, -0) ? '-0' : String(x);
}

function compareArray(got: Got, exp: RefArray, care: RefArray | undefined, tol: Tolerance | undefined): string | undefined {
  if (got.kind !== 'array') return `expected an array, got ${got.kind === 'tuple' ? 'a tuple' : typeof got.value}`;
  const gotDtype = FROM_GPUKIT[got.dtype] ?? got.dtype;
  const narrow = NARROW[exp.dtype];
  const want = narrow ?? exp.dtype;
  if (gotDtype !== want) return `dtype ${got.dtype}, expected ${exp.dtype}${narrow !== undefined ? ` (as ${want})` : ''}`;
  if (got.shape.length !== exp.shape.length || got.shape.some((d, i) => d !== exp.shape[i])) return `shape [${got.shape.join(', ')}], expected [${exp.shape.join(', ')}]`;
  const range = RANGE[want];
  for (let i = 0; i < exp.data.length; i++) {
    if (care !== undefined && care.data[i] === 0) continue;
    const a = got.data[i] ?? NaN;
    const e = exp.data[i] ?? NaN;
    if (range !== undefined && narrow !== undefined && (e < range[0] || e > range[1])) return `element ${i}: ${describe(a)}, but the exact ${describe(e)} does not fit ${want} (expected a typed error)`;
    const isFloat = want === 'float32' || want === 'float16';
    // A float64 result (a creation function's default dtype in numpy.array_api) as gpukit's float32: rounded
    // once to float32, then within 2 ULP (gpukit computes it in float32).
    const t = exp.dtype === 'float64' && tol === undefined ? ({ kind: 'ulp', ulp: 2, atol: 0 } as const) : tol;
    if (want === 'bool' ? (a !== 0) !== (e !== 0) : isFloat ? !elementClose(a, exp.dtype === 'float64' ? Math.fround(e) : e, i, want, t) : a !== e) {
      return `element ${i}: ${describe(a)}, expected ${describe(e)}${tol?.kind === 'ulp' ? ` (within ${tol.ulp} ULP${tol.atol ? ` or ${tol.atol.toExponential(1)}` : ''})` : tol !== undefined ? ` (within the ${tol.kind} bound, n = ${tol.n})` : ''}`;
    }
  }
  return undefined;
}

/** Order of unique values: ascending, NaN last; the unique_* functions leave order to the implementation. */
function uniqueOrder(values: Float64Array): number[] {
  const idx = Array.from(values, (_v, i) => i);
  return idx.sort((i, j) => {
    const a = values[i] ?? NaN;
    const b = values[j] ?? NaN;
    if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) ? (Number.isNaN(b) ? i - j : 1) : -1;
    return a - b || i - j;
  });
}

function permuteTuple(fn: string, items: Got[]): Got[] {
  const first = items[0];
  if (first?.kind !== 'array' || first.shape.length !== 1) return items;
  const order = uniqueOrder(first.data);
  const rank = new Float64Array(order.length);
  order.forEach((p, r) => (rank[p] = r));
  const fields = TUPLE_FIELDS[fn] ?? [];
  return items.map((it, k) => {
    if (it.kind !== 'array') return it;
    // Every NaN is a value of its own, and which of them an element maps to follows the sort's order of the
    // NaNs, which the standard leaves open (NumPy's unique_inverse sorts with an unstable quicksort): an index
    // of a NaN value compares as "a NaN" (-1).
    if (fields[k] === 'inverseIndices') return { ...it, data: it.data.map((v) => (Number.isNaN(first.data[v] ?? 0) ? -1 : (rank[v] ?? NaN))) };
    if (it.shape.length !== 1 || it.data.length !== order.length) return it;
    return { ...it, data: Float64Array.from(order, (p) => it.data[p] ?? NaN) };
  });
}

function refAsGot(e: Expected): Got {
  if (e.kind === 'array') return { kind: 'array', dtype: e.array.dtype, shape: [...e.array.shape], data: e.array.data };
  if (e.kind === 'tuple') return { kind: 'tuple', items: e.items.map(refAsGot) };
  if (e.kind === 'scalar') return { kind: 'scalar', value: e.value };
  throw new Error('no value');
}

function compare(fn: string, got: Got, exp: Expected, tol: Tolerance | undefined): string | undefined {
  switch (exp.kind) {
    case 'array':
      return compareArray(got, exp.array, exp.care, tol);
    case 'scalar':
      if (got.kind !== 'scalar') return `expected the ${typeof exp.value} ${String(exp.value)}, got an array`;
      return got.value === exp.value || (typeof exp.value === 'number' && Number.isNaN(exp.value) && Number.isNaN(got.value)) ? undefined : `${String(got.value)}, expected ${String(exp.value)}`;
    case 'tuple': {
      if (got.kind !== 'tuple') return `expected a tuple of ${exp.items.length}, got ${got.kind}`;
      if (got.items.length !== exp.items.length) return `a tuple of ${got.items.length}, expected ${exp.items.length}`;
      const unique = fn.startsWith('unique_');
      const g = unique ? permuteTuple(fn, got.items) : got.items;
      const want = unique ? permuteTuple(fn, exp.items.map(refAsGot)) : undefined;
      for (let k = 0; k < exp.items.length; k++) {
        const item = exp.items[k] as Expected;
        const w = want?.[k];
        const e: Expected = w !== undefined && w.kind === 'array' && item.kind === 'array' ? { kind: 'array', array: { dtype: item.array.dtype, shape: w.shape, data: w.data } } : item;
        const why = compare(fn, g[k] as Got, e, undefined);
        if (why !== undefined) return `item ${k}: ${why}`;
      }
      return undefined;
    }
    default:
      return 'no comparison for this expectation';
  }
}

function checkSpecial(got: Got, dtype: RefDType, shape: readonly number[], checks: readonly Check[]): string | undefined {
  if (got.kind !== 'array') return 'expected an array';
  if ((FROM_GPUKIT[got.dtype] ?? got.dtype) !== dtype) return `dtype ${got.dtype}, expected ${dtype}`;
  if (got.shape.length !== shape.length || got.shape.some((d, i) => d !== shape[i])) return `shape [${got.shape.join(', ')}], expected [${shape.join(', ')}]`;
  for (let i = 0; i < checks.length; i++) {
    const [kind, v, alt] = checks[i] as Check;
    const a = got.data[i] ?? NaN;
    const strictEq = (w: number): boolean => (Number.isNaN(w) ? Number.isNaN(a) : w === 0 ? Object.is(a, w) : a === w);
    let ok: boolean;
    // An alternative: the value a note of the standard also permits (floor_divide: NaN or -1.0, as Python).
    if (kind === 'eq') ok = strictEq(v) || (alt !== undefined && strictEq(alt));
    else if (kind === 'approx') ok = Math.abs(a - v) <= 0.01;
    else ok = Number.isNaN(a) || Math.sign(1 / a) === v || Math.sign(a) === v;
    if (!ok) return `element ${i}: ${describe(a)}, expected ${kind === 'sign' ? (v > 0 ? 'a positive sign' : 'a negative sign') : `${kind === 'approx' ? '≈' : ''}${describe(v)}${alt !== undefined ? ` (or ${describe(alt)}, which the standard's note permits)` : ''}`}`;
  }
  return undefined;
}

function has64(e: Expected): boolean {
  if (e.kind === 'array') return NARROW[e.array.dtype] !== undefined;
  if (e.kind === 'tuple') return e.items.some(has64);
  return e.kind === 'scalar' && (e.value === 'int64' || e.value === 'uint64' || e.value === 'float64'); // result_type
}

/** A result that the reference gave with a 64-bit integer dtype but that does not fit 32 bits: gpukit must throw. */
function mustOverflow(e: Expected): boolean {
  if (e.kind === 'array') {
    const narrow = NARROW[e.array.dtype];
    const r = narrow === undefined ? undefined : RANGE[narrow];
    if (r === undefined) return false;
    return e.array.data.some((v, i) => (e.care === undefined || e.care.data[i] !== 0) && (v < r[0] || v > r[1]));
  }
  return e.kind === 'tuple' && e.items.some(mustOverflow);
}

function uses16(c: Case): boolean {
  return c.inputs.some((a) => a.dtype === 'float16') || (c.expected.kind === 'special' && c.expected.dtype === 'float16') || JSON.stringify(c.kwargs).includes('float16') || c.args.some((a) => 'dtype' in a && a.dtype === 'float16');
}

function oneLine(e: unknown): string {
  const s = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  const line = s.split('\n')[0] ?? s;
  return line.length > 160 ? `${line.slice(0, 157)}…` : line;
}

/** Runs one case on the device; frees everything it made. */
export async function runCase(api: Api, device: GpuDevice, c: Case): Promise<Outcome> {
  if (uses16(c) && !device.info.features.includes('shader-f16')) return { verdict: 'skipped', why: 'float16: the device has no shader-f16' };
  const name = camel(c.fn);
  const exported = (api as unknown as Record<string, unknown>)[name];
  const fn = typeof exported === 'function' ? (exported as AnyFn) : methodOf(device, name);
  const adapter = ADAPTERS[c.fn];
  if (adapter === undefined && fn === undefined) return { verdict: 'missing', why: `${name} is not exported` };
  const needs = ADAPTER_NEEDS[c.fn];
  if (needs !== undefined && typeof (api as unknown as Record<string, unknown>)[needs] !== 'function') return { verdict: 'missing', why: `${needs} is not exported` };
  const made: DeviceArray[] = [];
  try {
    let inputs: DeviceArray[];
    try {
      inputs = c.inputs.map((a) => {
        const d = upload(device, a);
        made.push(d);
        return d;
      });
    } catch (e) {
      return { verdict: 'fail', why: `cannot make the input: ${oneLine(e)}` };
    }
    const args = c.args.map((a): unknown => {
      if ('array' in a) return inputs[a.array];
      if ('arrays' in a) return a.arrays.map((i) => inputs[i]);
      if ('dtype' in a) return dtypeArg(a.dtype);
      if ('scalar' in a) return a.scalar;
      return convertValue(a.value);
    });
    const keys = Object.keys(c.kwargs);
    const options = keys.length === 0 ? undefined : Object.fromEntries(keys.map((k) => [camel(k), convertValue(c.kwargs[k])]));
    let got: Got;
    try {
      const r = adapter !== undefined ? adapter({ api, device, args, options, fn }) : call(fn, name, args, options);
      if ('missing' in r) return { verdict: 'missing', why: r.missing };
      got = await readBack(api, c.fn, r.value, made);
    } catch (e) {
      // An op's deferred error (an integer overflow, an out-of-range index) that a readback threw stays queued
      // for sync() (readbacks report only their own array's): take it here, so it is this case's answer and not
      // a stray error at the end of the test; any other error it reveals fails the case.
      const later = await device.sync().then(() => undefined, (x: unknown) => x);
      if (later !== undefined && later !== e && oneLine(later) !== oneLine(e)) return { verdict: 'fail', why: `threw ${oneLine(e)}, then sync() threw ${oneLine(later)}` };
      const typed = e instanceof api.GpukitError;
      if (c.expected.kind === 'error') return typed ? { verdict: 'pass' } : { verdict: 'fail', why: `the reference raised ${c.expected.error}; gpukit threw an untyped ${oneLine(e)}` };
      if (typed && (mustOverflow(c.expected))) return { verdict: 'pass' };
      // An integer result whose exact value leaves the dtype (the reference wrapped it; the standard leaves
      // integer overflow unspecified): gpukit's OverflowError is a conforming answer.
      if (e instanceof api.OverflowError && c.expected.kind === 'array' && c.expected.overflow === true) return { verdict: 'pass' };
      if (typed && has64(c.expected)) return { verdict: 'refused', why: `64-bit result: ${oneLine(e)}` };
      if (e instanceof api.DTypeError && uses16(c)) return { verdict: 'refused', why: `float16 (not in the standard): ${oneLine(e)}` };
      return { verdict: 'fail', why: `${typed ? 'threw' : 'untyped exception'} ${oneLine(e)}` };
    }
    if (c.expected.kind === 'error') return { verdict: 'fail', why: `the reference raised ${c.expected.error} (${c.expected.message.slice(0, 80)}); gpukit returned a result` };
    if (c.expected.kind === 'special') {
      const sp = c.special;
      const why = sp === undefined ? 'no checks' : checkSpecial(got, c.expected.dtype, c.expected.shape, sp.checks);
      return why === undefined ? { verdict: 'pass' } : { verdict: 'fail', why };
    }
    const why = compare(c.fn, got, c.expected, c.tol);
    return why === undefined ? { verdict: 'pass' } : { verdict: 'fail', why };
  } finally {
    for (const a of made) {
      try {
        a.destroy();
      } catch {
        // destroyed already (a view of an input, or the input itself returned)
      }
    }
  }
}
