/**
 * The conformance cases: drawn and evaluated on the reference by test/conformance/generate.py (one python3
 * process per run, cached by a hash of the generator, the spec text, the seed and the budget), then read and
 * validated here. The cache file is untrusted input: every field is checked for structure, dtype, shape and
 * byte length before a case reaches gpukit, and a malformed file is an error naming the path of the problem.
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');
const GENERATOR_FILES = ['generate.py', 'specials.py', 'spec/elementwise_functions.py', 'spec/statistical_functions.py'];

/** The dtypes a cache file may name: gpukit's, and the reference's 64-bit results. */
export const REF_DTYPES = ['bool', 'int32', 'uint32', 'float32', 'float16', 'int64', 'uint64', 'float64'] as const;
export type RefDType = (typeof REF_DTYPES)[number];
const ITEM_BYTES: Record<RefDType, number> = { bool: 1, int32: 4, uint32: 4, float32: 4, float16: 2, int64: 8, uint64: 8, float64: 8 };
/** Larger than any array the generator draws (96 elements, a few times over for broadcasts and creation). */
const MAX_ELEMENTS = 1 << 16;
const MAX_RANK = 8;

/** A host array of the reference, values as float64 numbers (exact for every dtype here but huge int64). */
export interface RefArray {
  readonly dtype: RefDType;
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

/** One argument: an input array, a list of them, a dtype name, or a plain value. */
export type Arg =
  | { readonly array: number }
  | { readonly arrays: readonly number[] }
  | { readonly dtype: RefDType }
  | { readonly scalar: number | boolean }
  | { readonly value: unknown };

/** What the reference gave: an array, a tuple of results, a scalar, or an exception (its type name). */
export type Expected =
  | { readonly kind: 'array'; readonly array: RefArray; readonly care?: RefArray; readonly overflow?: boolean }
  | { readonly kind: 'tuple'; readonly items: readonly Expected[] }
  | { readonly kind: 'scalar'; readonly value: number | boolean | string }
  | { readonly kind: 'error'; readonly error: string; readonly message: string }
  | { readonly kind: 'special'; readonly dtype: RefDType; readonly shape: readonly number[] };

/** How close a float result must be: ULP (ordinal distance in the result dtype) or an absolute floor; a sum's γ_n·Σ|x|. */
export type Tolerance =
  | { readonly kind: 'ulp'; readonly ulp: number; readonly atol: number; readonly ulps?: RefArray }
  | { readonly kind: 'sum'; readonly n: number; readonly mag: RefArray }
  | { readonly kind: 'sqrt_of_sum'; readonly n: number; readonly mag: RefArray };

/** A special case's check of one result element: strict equality (NaN is NaN, ±0 by sign), within 0.01, or a sign. */
/** A result element's check; an 'eq' may carry the alternative value a note of the standard permits (floor_divide's ±infinity cases). */
export type Check = readonly ['eq', number, number?] | readonly ['approx', number] | readonly ['sign', number];

export interface Case {
  /** The standard's name (snake_case), or `__getitem__` / `__getitem__[mask]` for indexing. */
  readonly fn: string;
  readonly kind: 'random' | 'special';
  readonly index: number;
  readonly args: readonly Arg[];
  readonly kwargs: Readonly<Record<string, unknown>>;
  readonly inputs: readonly RefArray[];
  readonly expected: Expected;
  readonly tol?: Tolerance;
  readonly special?: { readonly text: string; readonly checks: readonly Check[] };
}

export interface SpecReport {
  readonly source: string;
  readonly statements: number;
  readonly parsed: number;
  readonly unparsed: readonly { readonly fn: string; readonly text: string; readonly why: string }[];
  readonly undrawable: readonly (readonly [string, string])[];
}

export interface CaseFile {
  readonly seed: number;
  readonly budget: number;
  readonly numpy: string;
  readonly spec: SpecReport;
  readonly cases: readonly Case[];
}

class CacheError extends Error {
  constructor(path: string, what: string) {
    super(`conformance cache: ${path}: ${what}`);
  }
}

type J = unknown;
const isObj = (v: J): v is Record<string, J> => typeof v === 'object' && v !== null && !Array.isArray(v);

function obj(v: J, path: string, keys: readonly string[], optional: readonly string[] = []): Record<string, J> {
  if (!isObj(v)) throw new CacheError(path, 'expected an object');
  for (const k of Object.keys(v)) if (!keys.includes(k) && !optional.includes(k)) throw new CacheError(path, `unexpected key ${JSON.stringify(k)}`);
  for (const k of keys) if (!(k in v)) throw new CacheError(path, `missing key ${JSON.stringify(k)}`);
  return v;
}

function str(v: J, path: string, max = 2000): string {
  if (typeof v !== 'string' || v.length > max) throw new CacheError(path, `expected a string of at most ${max} characters`);
  return v;
}

function int(v: J, path: string, lo: number, hi: number): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < lo || v > hi) throw new CacheError(path, `expected an integer in [${lo}, ${hi}]`);
  return v;
}

/** A JSON number or the generator's {float: 'nan' | 'inf' | '-inf' | '-0'} for the values JSON lacks. */
function num(v: J, path: string): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (isObj(v) && Object.keys(v).length === 1 && typeof v['float'] === 'string') {
    const s = v['float'];
    if (s === 'nan') return NaN;
    if (s === 'inf') return Infinity;
    if (s === '-inf') return -Infinity;
    if (s === '-0') return -0;
  }
  throw new CacheError(path, 'expected a number');
}

function dtypeName(v: J, path: string): RefDType {
  if (typeof v !== 'string' || !(REF_DTYPES as readonly string[]).includes(v)) throw new CacheError(path, `unknown dtype ${JSON.stringify(v)}`);
  return v as RefDType;
}

function shapeOf(v: J, path: string): number[] {
  if (!Array.isArray(v) || v.length > MAX_RANK) throw new CacheError(path, `expected a shape (a list of at most ${MAX_RANK} lengths)`);
  const s = v.map((d, i) => int(d, `${path}[${i}]`, 0, MAX_ELEMENTS));
  if (s.reduce((a, b) => a * b, 1) > MAX_ELEMENTS) throw new CacheError(path, `more than ${MAX_ELEMENTS} elements`);
  return s;
}

/** float16 bits → value (exact). */
export function halfToNumber(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f === 0 ? s * Infinity : NaN;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

function refArray(v: J, path: string): RefArray {
  const o = obj(v, path, ['dtype', 'shape', 'b64']);
  const dtype = dtypeName(o['dtype'], `${path}.dtype`);
  const shape = shapeOf(o['shape'], `${path}.shape`);
  const b64 = str(o['b64'], `${path}.b64`, 4 * MAX_ELEMENTS * 8);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) throw new CacheError(`${path}.b64`, 'not base64');
  const bytes = Buffer.from(b64, 'base64');
  const n = shape.reduce((a, b) => a * b, 1);
  if (bytes.length !== n * ITEM_BYTES[dtype]) throw new CacheError(path, `${bytes.length} bytes for ${n} ${dtype} elements`);
  const buf = new ArrayBuffer(bytes.length);
  new Uint8Array(buf).set(bytes);
  const data = new Float64Array(n);
  const view = new DataView(buf);
  for (let i = 0; i < n; i++) {
    switch (dtype) {
      case 'bool': {
        const b = view.getUint8(i);
        if (b > 1) throw new CacheError(path, `bool element ${i} is ${b}`);
        data[i] = b;
        break;
      }
      case 'int32': data[i] = view.getInt32(4 * i, true); break;
      case 'uint32': data[i] = view.getUint32(4 * i, true); break;
      case 'float32': data[i] = view.getFloat32(4 * i, true); break;
      case 'float16': data[i] = halfToNumber(view.getUint16(2 * i, true)); break;
      case 'int64': data[i] = Number(view.getBigInt64(8 * i, true)); break;
      case 'uint64': data[i] = Number(view.getBigUint64(8 * i, true)); break;
      case 'float64': data[i] = view.getFloat64(8 * i, true); break;
    }
  }
  return { dtype, shape, data };
}

/** A plain JSON value (lists, numbers, strings, booleans, null, small objects of those), bounded in depth. */
function plain(v: J, path: string, depth = 0): unknown {
  if (depth > 6) throw new CacheError(path, 'nested too deeply');
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') return num(v, path);
  if (Array.isArray(v)) {
    if (v.length > 64) throw new CacheError(path, 'list too long');
    return v.map((x, i) => plain(x, `${path}[${i}]`, depth + 1));
  }
  if (isObj(v)) {
    if ('float' in v) return num(v, path);
    if (Object.keys(v).length === 1 && typeof v['dtype'] === 'string') return { dtype: dtypeName(v['dtype'], `${path}.dtype`) };
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (!/^[a-z_]{1,32}$/.test(k)) throw new CacheError(path, `unexpected key ${JSON.stringify(k)}`);
      out[k] = plain(x, `${path}.${k}`, depth + 1);
    }
    return out;
  }
  throw new CacheError(path, 'unexpected value');
}

function arg(v: J, path: string, nInputs: number): Arg {
  if (!isObj(v) || Object.keys(v).length !== 1) throw new CacheError(path, 'expected an argument object with one key');
  if ('array' in v) return { array: int(v['array'], `${path}.array`, 0, nInputs - 1) };
  if ('arrays' in v) {
    const a = v['arrays'];
    if (!Array.isArray(a) || a.length > 16) throw new CacheError(path, 'expected a list of input indices');
    return { arrays: a.map((x, i) => int(x, `${path}.arrays[${i}]`, 0, nInputs - 1)) };
  }
  if ('dtype' in v) return { dtype: dtypeName(v['dtype'], `${path}.dtype`) };
  if ('scalar' in v) {
    const s = v['scalar'];
    return { scalar: typeof s === 'boolean' ? s : num(s, `${path}.scalar`) };
  }
  if ('value' in v) return { value: plain(v['value'], `${path}.value`) };
  throw new CacheError(path, `unknown argument form ${JSON.stringify(Object.keys(v))}`);
}

function expectedOf(e: Record<string, J>, path: string, depth = 0): Expected {
  if (depth > 2) throw new CacheError(path, 'nested too deeply');
  if ('error' in e) return { kind: 'error', error: str(e['error'], `${path}.error`, 100), message: str(e['message'] ?? '', `${path}.message`, 400) };
  if ('array' in e) {
    const array = refArray(e['array'], `${path}.array`);
    if (!('care' in e)) return { kind: 'array', array };
    const care = refArray(e['care'], `${path}.care`);
    if (care.dtype !== 'bool' || care.data.length !== array.data.length) throw new CacheError(`${path}.care`, 'expected a bool mask of the result\'s size');
    if (!('overflow' in e)) return { kind: 'array', array, care };
    if (e['overflow'] !== true) throw new CacheError(`${path}.overflow`, 'expected true');
    return { kind: 'array', array, care, overflow: true };
  }
  if ('tuple' in e) {
    const t = e['tuple'];
    if (!Array.isArray(t) || t.length > 8) throw new CacheError(`${path}.tuple`, 'expected a list of at most 8 results');
    return { kind: 'tuple', items: t.map((x, i) => expectedOf(obj(x, `${path}.tuple[${i}]`, [], ['array', 'tuple', 'scalar']), `${path}.tuple[${i}]`, depth + 1)) };
  }
  if ('scalar' in e) {
    const s = e['scalar'];
    return { kind: 'scalar', value: typeof s === 'boolean' ? s : typeof s === 'string' ? str(s, `${path}.scalar`, 20) : num(s, `${path}.scalar`) };
  }
  throw new CacheError(path, 'expected an array, tuple, scalar or error');
}

function tolerance(v: J, path: string): Tolerance {
  if (!isObj(v)) throw new CacheError(path, 'expected an object');
  if ('ulp' in v) {
    const o = obj(v, path, ['ulp', 'atol'], ['ulps']);
    const base = { kind: 'ulp', ulp: int(o['ulp'], `${path}.ulp`, 0, 1 << 20), atol: num(o['atol'], `${path}.atol`) } as const;
    if (o['ulps'] === undefined) return base;
    const ulps = refArray(o['ulps'], `${path}.ulps`);
    if (ulps.dtype !== 'float64' || ulps.data.some((u) => !(u >= 0 && u <= 1 << 21))) throw new CacheError(`${path}.ulps`, 'expected float64 ULP counts in [0, 2^21]');
    return { ...base, ulps };
  }
  for (const kind of ['sum', 'sqrt_of_sum'] as const) {
    if (kind in v) {
      const o = obj(v, path, [kind, 'mag']);
      return { kind, n: int(o[kind], `${path}.${kind}`, 0, 4 * MAX_ELEMENTS), mag: refArray(o['mag'], `${path}.mag`) };
    }
  }
  throw new CacheError(path, 'unknown tolerance');
}

function caseOf(v: J, index: number): Case {
  const path = `cases[${index}]`;
  const o = obj(v, path, ['fn', 'kind', 'args', 'kwargs', 'expected'], ['tol', 'special']);
  const fn = str(o['fn'], `${path}.fn`, 40);
  if (!/^(?:[a-z][a-z0-9_]*|__getitem__(?:\[mask\])?)$/.test(fn)) throw new CacheError(`${path}.fn`, `not a function name: ${JSON.stringify(fn)}`);
  const kind = o['kind'];
  if (kind !== 'random' && kind !== 'special') throw new CacheError(`${path}.kind`, 'expected random or special');
  const e = obj(o['expected'], `${path}.expected`, ['inputs'], ['array', 'care', 'overflow', 'tuple', 'scalar', 'error', 'message', 'shape', 'dtype']);
  const rawInputs = e['inputs'];
  if (!Array.isArray(rawInputs) || rawInputs.length > 16) throw new CacheError(`${path}.expected.inputs`, 'expected a list of at most 16 arrays');
  const inputs = rawInputs.map((a, i) => refArray(a, `${path}.expected.inputs[${i}]`));
  const rawArgs = o['args'];
  if (!Array.isArray(rawArgs) || rawArgs.length > 8) throw new CacheError(`${path}.args`, 'expected a list of at most 8 arguments');
  const args = rawArgs.map((a, i) => arg(a, `${path}.args[${i}]`, inputs.length));
  const kw = plain(o['kwargs'], `${path}.kwargs`);
  if (!isObj(kw)) throw new CacheError(`${path}.kwargs`, 'expected an object');
  const base = { fn, index, args, kwargs: kw, inputs };
  if (kind === 'special') {
    const sp = obj(o['special'], `${path}.special`, ['text', 'checks']);
    const rawChecks = sp['checks'];
    if (!Array.isArray(rawChecks) || rawChecks.length > MAX_ELEMENTS) throw new CacheError(`${path}.special.checks`, 'expected a list');
    const checks = rawChecks.map((c, i): Check => {
      const p = `${path}.special.checks[${i}]`;
      if (Array.isArray(c) && c.length === 3 && c[0] === 'eq') return ['eq', num(c[1], `${p}[1]`), num(c[2], `${p}[2]`)];
      if (!Array.isArray(c) || c.length !== 2 || (c[0] !== 'eq' && c[0] !== 'approx' && c[0] !== 'sign')) throw new CacheError(p, 'expected [eq | approx | sign, value] or [eq, value, alternative]');
      return c[0] === 'eq' ? ['eq', num(c[1], `${p}[1]`)] : [c[0], num(c[1], `${p}[1]`)];
    });
    const shape = shapeOf(e['shape'], `${path}.expected.shape`);
    if (checks.length !== shape.reduce((a, b) => a * b, 1)) throw new CacheError(`${path}.special.checks`, 'one check per result element expected');
    return { ...base, kind, expected: { kind: 'special', dtype: dtypeName(e['dtype'], `${path}.expected.dtype`), shape }, special: { text: str(sp['text'], `${path}.special.text`), checks } };
  }
  const expected = expectedOf(e, `${path}.expected`);
  return { ...base, kind, expected, ...(o['tol'] !== undefined ? { tol: tolerance(o['tol'], `${path}.tol`) } : {}) };
}

/** Validates a parsed cache file; throws naming the first problem. */
export function parseCaseFile(json: unknown): CaseFile {
  const o = obj(json, '$', ['version', 'seed', 'budget', 'numpy', 'spec', 'cases']);
  if (o['version'] !== 1) throw new CacheError('$.version', 'expected 1');
  const spec = obj(o['spec'], '$.spec', ['source', 'statements', 'parsed', 'unparsed', 'undrawable']);
  const unparsed = spec['unparsed'];
  const undrawable = spec['undrawable'];
  if (!Array.isArray(unparsed) || !Array.isArray(undrawable)) throw new CacheError('$.spec', 'expected lists');
  const cases = o['cases'];
  if (!Array.isArray(cases) || cases.length > 200_000) throw new CacheError('$.cases', 'expected a list of cases');
  return {
    seed: int(o['seed'], '$.seed', 0, 2 ** 31),
    budget: int(o['budget'], '$.budget', 1, 100_000),
    numpy: str(o['numpy'], '$.numpy', 40),
    spec: {
      source: str(spec['source'], '$.spec.source'),
      statements: int(spec['statements'], '$.spec.statements', 0, 100_000),
      parsed: int(spec['parsed'], '$.spec.parsed', 0, 100_000),
      unparsed: unparsed.map((u, i) => {
        const p = `$.spec.unparsed[${i}]`;
        const x = obj(u, p, ['fn', 'text', 'why']);
        return { fn: str(x['fn'], `${p}.fn`), text: str(x['text'], `${p}.text`), why: str(x['why'], `${p}.why`) };
      }),
      undrawable: undrawable.map((u, i) => {
        if (!Array.isArray(u) || u.length !== 2) throw new CacheError(`$.spec.undrawable[${i}]`, 'expected [fn, text]');
        return [str(u[0], `$.spec.undrawable[${i}][0]`), str(u[1], `$.spec.undrawable[${i}][1]`)] as const;
      }),
    },
    cases: cases.map((c, i) => caseOf(c, i)),
  };
}

/** The default seed and budget (cases per function; GPUKIT_CONFORMANCE_BUDGET raises it). */
export function runParams(): { seed: number; budget: number } {
  const b = process.env['GPUKIT_CONFORMANCE_BUDGET'];
  const s = process.env['GPUKIT_CONFORMANCE_SEED'];
  const budget = b === undefined ? 24 : Number(b);
  const seed = s === undefined ? 2026 : Number(s);
  if (!Number.isSafeInteger(budget) || budget < 1 || budget > 10_000) throw new Error(`GPUKIT_CONFORMANCE_BUDGET must be an integer in [1, 10000], got ${b}`);
  if (!Number.isSafeInteger(seed) || seed < 0 || seed > 2 ** 31) throw new Error(`GPUKIT_CONFORMANCE_SEED must be an integer in [0, 2^31], got ${s}`);
  return { seed, budget };
}

/**
 * The cases for (seed, budget): read from .gpukit-cache/conformance/<hash>.json, or drawn and evaluated by one
 * python3 process (Debian's, with NumPy 1.24 and numpy.array_api) and cached under that name. The hash covers
 * the generator's source and the vendored spec text, so editing either draws anew.
 */
export function loadCases(seed: number, budget: number): CaseFile {
  const h = createHash('sha256');
  for (const f of GENERATOR_FILES) h.update(readFileSync(join(HERE, f)));
  h.update(`seed=${seed} budget=${budget}`);
  const dir = join(ROOT, '.gpukit-cache', 'conformance');
  const file = join(dir, `${h.digest('hex').slice(0, 24)}.json`);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    try {
      execFileSync('/usr/bin/python3', [join(HERE, 'generate.py'), String(seed), String(budget), tmp], { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 24, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
    } catch (e) {
      const err = e as { stderr?: Buffer; message: string };
      throw new Error(`conformance generator failed (needs /usr/bin/python3 with python3-numpy): ${err.stderr?.toString() ?? err.message}`, { cause: e });
    }
    renameSync(tmp, file); // atomic: a concurrent run reads a whole file or none
  }
  return parseCaseFile(JSON.parse(readFileSync(file, 'utf8')));
}
