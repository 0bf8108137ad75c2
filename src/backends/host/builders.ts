/**
 * The kernel builders on the gpujs engine: `device.elementwise()`, `device.reduction()` and `map()` take the
 * same WGSL bodies as on Dawn; src/backends/host/wgsl-js.ts translates them to JavaScript, which runs on the CPU
 * on the device's ordered queue.
 *
 * Why the CPU and not gpu.js: the translated function is exact for every dtype (i32/u32 wrap, integer
 * division as WGSL defines it; gpu.js computes in f32 only), and V8 compiles it to a tight loop that beats
 * gpu.js's webasm mode on these memory-bound bodies (see the README's engine passage for the measurement).
 *
 * Reductions fold like the gpujs engine's ready sums: blocks of 64 mapped elements, each folded from
 * `identity` in index order (`acc = reduce(acc, map(i))`), then blocks of 64 partials, until one value is
 * left, to which `post` applies. So a float reduction's error bound is the one the README gives the gpujs
 * sums (depth 64 per pass).
 */
import { DeviceArray } from '../../buffers/device-array.js';
import type { DType } from '../../buffers/dtype.js';
import type { HostContext } from './context.js';
import { ArgumentError, ShaderCompileError, UnsupportedOnEngineError } from '../../errors.js';
import { checkOptions, describeValue } from '../../args.js';
import { checkBrackets, checkRaw, elementwiseWgsl, normalizeText, outputsOf, parseArgs, reductionWgsl, usesInd, type ArgSpec, type ReductionParts } from '../../kernels/codegen.js';
import type { ElementwiseFn, ElementwiseSpec } from '../../ops/elementwise.js';
import { hostBlocksOf } from './backend.js';
import type { ReductionFn, ReductionSpec } from '../../ops/reduction-spec.js';
import { bindArgs, broadcastArgs, checkArrays, checkElementwiseCall, checkScalars, checkVariant, resolveArrays, separateOverlaps, type BoundArgs } from '../../ops/signature.js';
import { viewOutput } from '../../ops/signature.js';
import { parseReduction } from '../../ops/reduction-spec.js';
import { hostOf } from './host-of.js';
import { axisCallOptions, axisPlan } from '../../ops/axis-options.js';

/** Replaces views among the array inputs by plain gathered copies (enqueued); returns the copies to destroy. */
function plainInputs(args: readonly { readonly name: string; readonly array: boolean }[], named: BoundArgs): DeviceArray[] {
  const temps: DeviceArray[] = [];
  for (const a of args) {
    const v = named[a.name];
    if (!a.array || !(v instanceof DeviceArray) || v.isPlain) continue;
    const c = v.contiguous();
    temps.push(c);
    (named as Record<string, unknown>)[a.name] = c;
  }
  return temps;
}
import { compileJs, translateExpression, translateStatements, type Binding, type JsKernel, type Scalar, type TextSource } from './wgsl-js.js';

type HostData = Float32Array | Int32Array | Uint32Array;

function typeOf(t: DType | 'T', dtype: DType, what: string): Scalar {
  const d = t === 'T' ? dtype : t;
  if (d === 'f16') throw new UnsupportedOnEngineError(`${what}: f16 has no gpujs form (the gpujs engine computes in f32 only); declare it f32`);
  return d === 'bool' ? 'u32' : d; // a bool array holds a u32 (0 or 1) per element, as on Dawn
}

/** JS names: `v_<name>` for values the text sees, `a_<name>` for arrays (a raw one is read as such), `s_<name>` for scalars. */
function bindings(args: readonly ArgSpec[], dtype: DType, what: string, outputs: readonly string[]): { names: Map<string, Binding>; params: Map<string, Binding> } {
  const names = new Map<string, Binding>();
  const params = new Map<string, Binding>();
  for (const a of args) {
    const type = typeOf(a.type, dtype, what);
    if (a.raw === true) names.set(a.name, { type, mutable: false, js: `a_${a.name}`, raw: true });
    else if (a.array) names.set(a.name, { type, mutable: outputs.includes(a.name), js: `v_${a.name}` });
    else {
      names.set(a.name, { type, mutable: false, js: `s_${a.name}` });
      params.set(a.name, { type, mutable: false, js: `s_${a.name}` });
    }
  }
  names.set('i', { type: 'u32', mutable: false, js: 'i' });
  names.set('n', { type: 'u32', mutable: false, js: 'n' });
  return { names, params };
}

/** Loads the scalars as their types hold them (an f32 is rounded, as the uniform Dawn writes rounds it). */
function scalarPrologue(args: readonly ArgSpec[], dtype: DType): string {
  return args
    .filter((a) => !a.array)
    .map((a) => `const s_${a.name} = ${(a.type === 'T' ? dtype : a.type) === 'f32' ? `Math.fround(S[${JSON.stringify(a.name)}])` : `S[${JSON.stringify(a.name)}]`};`)
    .join('\n');
}

/** Arrays and scalars of a bound call, by argument name, as the translated function takes them. */
function dataOf(args: readonly ArgSpec[], named: BoundArgs): { A: Record<string, HostData>; S: Record<string, number> } {
  const A: Record<string, HostData> = {};
  const S: Record<string, number> = {};
  for (const a of args) {
    const v = named[a.name];
    if (v instanceof DeviceArray) A[a.name] = v.data;
    else if (typeof v === 'number') S[a.name] = v;
  }
  return { A, S };
}

/** Translations per dtype: a function, or the error the text gave for that dtype. */
class PerDType<F> {
  readonly #cache = new Map<DType, F | Error>();
  constructor(readonly make: (dtype: DType) => F) {}

  get(dtype: DType): F {
    let f = this.#cache.get(dtype);
    if (f === undefined) {
      try {
        f = this.make(dtype);
      } catch (e) {
        if (!(e instanceof ShaderCompileError)) throw e;
        f = e;
      }
      this.#cache.set(dtype, f);
    }
    if (f instanceof Error) throw f;
    return f;
  }

  /**
   * Like Dawn's `prepare()`: the text must translate for one of the dtypes it may run with. Constructs
   * outside the subset are refused at once (they are outside it whatever the dtype).
   */
  prepare(args: readonly ArgSpec[]): void {
    const dtypes: DType[] = args.some((a) => a.type === 'T') ? ['f32', 'i32', 'u32'] : ['f32'];
    let first: Error | undefined;
    for (const d of dtypes) {
      try {
        this.get(d);
        return;
      } catch (e) {
        if (!(e instanceof ShaderCompileError)) throw e;
        first ??= e;
      }
    }
    if (first !== undefined) throw first;
  }
}

type ElementwiseJs = JsKernel<undefined>;

/** The elementwise builder on gpujs (`body` as on Dawn, or a `map` expression assigned to `out`). */
class HostElementwise {
  readonly name: string;
  readonly args: readonly ArgSpec[];
  readonly body: string;
  readonly outputs: readonly string[];
  readonly writeOnly: readonly string[];
  readonly #fns: PerDType<ElementwiseJs>;
  /** Whether the body calls `_ind(d)` (the call then passes the output's shape). */
  readonly #ind: boolean;

  /** Fusion's reductions: the loop folds the (one) output's element instead of storing it. */
  readonly #fold: HostFold | undefined;

  constructor(spec: ElementwiseSpec, expression?: { readonly text: string; readonly where: string }, fold?: HostFold) {
    this.#fold = fold;
    checkOptions('elementwise', spec, { args: 'string', body: 'string', name: 'string' }, ['args', 'body'], 'spec');
    this.name = spec.name ?? 'elementwise';
    this.args = parseArgs(spec.args);
    this.body = normalizeText(spec.body);
    checkBrackets(expression?.text ?? this.body, expression?.where ?? `elementwise '${this.name}'`);
    checkRaw(this.body, this.args, `elementwise|${this.name}`, `the body of elementwise '${this.name}'`);
    this.#ind = usesInd(expression?.text ?? this.body);
    const o = outputsOf(this.body, this.args);
    this.outputs = o.outputs;
    this.writeOnly = o.writeOnly;
    if (this.outputs.length === 0) throw new ArgumentError(`elementwise '${this.name}': the body assigns no array argument, so it has no output`);
    this.#fns = new PerDType((dtype) => this.#translate(dtype, expression));
  }

  prepare(): this {
    this.#fns.prepare(this.args);
    return this;
  }

  #translate(dtype: DType, expression: { readonly text: string; readonly where: string } | undefined): ElementwiseJs {
    return compileJs<undefined>(this.#code(dtype, expression));
  }

  /** The JavaScript the body translates to for `dtype` (the loop {@link compileJs} compiles). */
  source(dtype: DType): string {
    return this.#code(dtype, undefined);
  }

  #code(dtype: DType, expression: { readonly text: string; readonly where: string } | undefined): string {
    const label = `elementwise|${this.name}|${dtype}`;
    const { names, params } = bindings(this.args, dtype, `elementwise '${this.name}'`, this.outputs);
    const aliases = { T: typeOf('T', dtype, `elementwise '${this.name}'`) };
    let code: string;
    if (expression !== undefined) {
      const out = this.outputs[0] ?? '';
      const to = names.get(out)?.type ?? 'f32';
      code = `v_${out} = ${translateExpression({ source: { text: normalizeText(expression.text), where: expression.where, label }, names, params, aliases, ind: true }, to)};`;
    } else {
      const source: TextSource = { text: this.body, where: `the body of elementwise '${this.name}'`, label };
      code = translateStatements({ source, names, params, aliases, ind: true });
    }
    const arrays = this.args.filter((a) => a.array);
    const loads = arrays.filter((a) => a.raw !== true).map((a) => (this.writeOnly.includes(a.name) ? `let v_${a.name} = 0;` : `${this.outputs.includes(a.name) ? 'let' : 'const'} v_${a.name} = a_${a.name}[i];`));
    const lines = [
      ...arrays.filter((a) => this.#fold === undefined || !this.outputs.includes(a.name)).map((a) => `const a_${a.name} = A[${JSON.stringify(a.name)}];`),
      scalarPrologue(this.args, dtype),
      // _ind(i, d): the output's index along d in C order; past the rank (or past 8, as on Dawn) it is 0.
      ...(this.#ind
        ? [
            'const _nd = S["_nd"]; const _sh = []; for (let d = 0; d < _nd; d++) _sh.push(S["_d" + String(d)]);',
            'const _st = _sh.map(() => 1); for (let d = _nd - 2; d >= 0; d--) _st[d] = _st[d + 1] * _sh[d + 1];',
            'const _ind = (i, d) => (d < _nd ? Math.floor(i / _st[d]) % _sh[d] : 0);',
          ]
        : []),
    ];
    if (this.#fold !== undefined) return [...lines, ...foldLoop(this.#fold, [...loads, code].join('\n'), `v_${this.outputs[0] ?? ''}`)].join('\n');
    return [
      ...lines,
      'for (let i = 0; i < n; i++) {',
      // All loads first, then the body, then the stores: an output that is also an input (in place) reads
      // its old value, as each Dawn invocation does. A write-only output starts at zero, as Dawn's `var`.
      ...loads,
      code,
      ...this.outputs.map((o) => `a_${o}[i] = v_${o};`),
      '}',
    ].join('\n');
  }

  /**
   * Runs the body over `n` elements of `shape` with `dtype` as its `T`, arguments already checked (fusion's
   * composed chains): arrays broadcast to `shape` and made plain as an op's call does, the output new.
   */
  run(host: HostContext, named: Readonly<Record<string, DeviceArray | number>>, dtype: DType, n: number, shape: readonly number[]): DeviceArray {
    const args: Record<string, DeviceArray | number> = { ...named };
    const temps: DeviceArray[] = [];
    try {
      temps.push(...broadcastArgs(this.name, this.args, args, this.outputs, shape));
      temps.push(...plainInputs(this.args, args));
      return this.#enqueue(host, this.#fns.get(dtype), args, dtype, n, shape) as DeviceArray;
    } finally {
      for (const t of temps) t.destroy();
    }
  }

  /** {@link run} for a fold ({@link hostFusedFoldBuilder}): no output array; `done` gets the folded value. */
  runFold(host: HostContext, named: Readonly<Record<string, DeviceArray | number>>, dtype: DType, n: number, shape: readonly number[], done: (v: number) => void): void {
    const args: Record<string, DeviceArray | number> = { ...named };
    const temps: DeviceArray[] = [];
    try {
      temps.push(...broadcastArgs(this.name, this.args, args, this.outputs, shape));
      temps.push(...plainInputs(this.args, args));
      const fn = this.#fns.get(dtype) as unknown as JsKernel<number>;
      const { A, S } = dataOf(this.args, args);
      host.enqueue(() => {
        done(fn(A, S, n));
      });
    } finally {
      for (const t of temps) t.destroy();
    }
  }

  /**
   * Checks the arguments and enqueues the work. `track`: run it as one op of the host queue (a failed task
   * marks the outputs failed); `map` is tracked by the engine's dispatch already.
   */
  call(all: readonly unknown[], track = true): DeviceArray | Record<string, DeviceArray> {
    const { named, dtype, n, shape, given } = checkElementwiseCall(this.name, { args: this.args, outputs: this.outputs, writeOnly: this.writeOnly, ind: this.#ind }, all);
    const host = hostOf(this.name, ...given);
    this.#checkOutputs(named);
    for (const o of this.outputs) {
      const v = named[o];
      if (v instanceof DeviceArray) v.assertWritable(this.name, `output '${o}'`);
      if (v instanceof DeviceArray && !v.isPlain) throw viewOutput(this.name, v);
    }
    // Inputs that are other views of an output's memory are copied first (NumPy's overlap rule, as on Dawn).
    const copies = separateOverlaps(`elementwise '${this.name}'`, this.args, named, this.outputs);
    let temps: DeviceArray[] = copies;
    try {
      broadcastArgs(this.name, this.args, named, this.outputs, shape);
      temps = [...copies, ...plainInputs(this.args, named)];
    } catch (e) {
      for (const t of temps) t.destroy();
      throw e;
    }
    try {
      const fn = this.#fns.get(dtype);
      const run = (): DeviceArray | Record<string, DeviceArray> => this.#enqueue(host, fn, named, dtype, n, shape);
      return track ? host.op(`elementwise|${this.name}`, hostBlocksOf(given), run, (r) => hostBlocksOf(r)) : run();
    } finally {
      for (const t of temps) t.destroy();
    }
  }

  #enqueue(host: HostContext, fn: ElementwiseJs, named: BoundArgs, dtype: DType, n: number, shape: readonly number[]): DeviceArray | Record<string, DeviceArray> {
    const outputs: Record<string, DeviceArray> = {};
    for (const o of this.outputs) {
      const v = named[o];
      if (v instanceof DeviceArray) outputs[o] = v;
      else {
        const spec = this.args.find((a) => a.name === o);
        const arr = new DeviceArray(host, spec?.type === 'T' || spec === undefined ? dtype : spec.type, shape);
        outputs[o] = arr;
        named[o] = arr;
      }
    }
    const { A, S } = dataOf(this.args, named);
    if (this.#ind) {
      S['_nd'] = shape.length;
      shape.forEach((e, d) => (S[`_d${String(d)}`] = e));
    }
    if (n > 0) {
      host.enqueue(() => {
        fn(A, S, n);
      });
    }
    return this.outputs.length === 1 ? (outputs[this.outputs[0] ?? ''] as DeviceArray) : outputs;
  }

  /** Two outputs on one array are refused, as on Dawn (an input may share an output's array: in place). */
  #checkOutputs(named: BoundArgs): void {
    const given = this.outputs.filter((o) => named[o] instanceof DeviceArray);
    given.forEach((p, k) => {
      for (const q of given.slice(0, k)) {
        if (named[p] === named[q]) throw new ArgumentError(`elementwise '${this.name}': '${q}' and '${p}' are the same array and the body writes both; give each output its own array`);
      }
    });
  }

  wgsl(dtype: DType = 'f32', width: 1 | 4 = 1): string {
    checkVariant(this.name, dtype, width);
    return elementwiseWgsl(this.name, this.args, this.body, dtype, width).code;
  }
}

/**
 * `device.elementwise()` on the gpujs engine: the same spec, translated to JavaScript (src/backends/host/wgsl-js.ts).
 * Throws before returning what Dawn's builder would (an ArgumentError for the signature, a ShaderCompileError
 * pointing into the body) and, for a body outside the translated subset, UnsupportedOnEngineError.
 *
 * @example
 * ```ts
 * const axpy = buildHostElementwise({ args: 'x: T[], y: T[], a: T', body: 'y = a * x + y' });
 * ```
 */
export function buildHostElementwise(spec: ElementwiseSpec): ElementwiseFn {
  const b = new HostElementwise(spec).prepare();
  const fn = (...input: unknown[]) => b.call(input);
  return Object.assign(fn, { args: b.args, outputs: b.outputs, wgsl: (dtype?: DType, width?: 1 | 4) => b.wgsl(dtype, width) });
}

const readyBuilders = new Map<string, HostElementwise>();

/**
 * One of gpukit's ready elementwise ops on the host engine (the math ops of src/ops/math.ts), from its WGSL
 * spec: translated to JavaScript once per spec, and called untracked — the host backend already runs the
 * op as one unit of its queue.
 */
export function hostReady(spec: ElementwiseSpec): (named: BoundArgs) => DeviceArray {
  const key = `${spec.name ?? ''}|${spec.args}|${spec.body}`;
  let b = readyBuilders.get(key);
  if (b === undefined) readyBuilders.set(key, (b = new HostElementwise(spec).prepare()));
  const builder = b;
  return (named) => builder.call([named], false) as DeviceArray;
}

/**
 * @internal A fused elementwise chain on the host engine (src/backends/host/fusion.ts): its composed body
 * translated to one JavaScript loop. The caller caches it per device, by the composed text (structure).
 */
export function hostFusedBuilder(name: string, args: string, body: string): { run: HostElementwise['run']; source: (dtype: DType) => string } {
  const b = new HostElementwise({ name, args, body });
  return { run: (host, named, dtype, n, shape) => b.run(host, named, dtype, n, shape), source: (dtype) => b.source(dtype) };
}

/** What a fused reduction's loop folds: the chain's elements summed, their squares summed, their min or max. */
export type HostFold = 'sum' | 'sumsq' | 'min' | 'max';

/**
 * The loop of a fused reduction: `element` (the chain's body, leaving the element in `v`) per index, folded
 * as the host engine's unfused reduction folds the stored elements (src/backends/host/ops/reduce.ts):
 * sums in blocks of {@link FOLD} in index order, each from 0 with every addition (and square) rounded to
 * f32 as gpu.js's f32 kernels round them, the blocks' f32 partials folded the same way until one is left
 * (0 for no elements); min and max in index order, NaN at the first NaN (minCpu/maxCpu). Returns the
 * folded value (the caller applies mean's or norm's step, as unfused).
 */
function foldLoop(fold: HostFold, element: string, v: string): string[] {
  if (fold === 'min' || fold === 'max') {
    return [
      `let _m = ${fold === 'min' ? 'Infinity' : '-Infinity'};`,
      'for (let i = 0; i < n; i++) {',
      element,
      `if (${v} !== ${v}) return NaN;`,
      `if (${v} ${fold === 'min' ? '<' : '>'} _m) _m = ${v};`,
      '}',
      'return _m;',
    ];
  }
  const add = fold === 'sum' ? `Math.fround(_acc + ${v})` : `Math.fround(_acc + Math.fround(${v} * ${v}))`;
  return [
    `let _p = new Float32Array(Math.ceil(n / ${FOLD}));`,
    `for (let _s = 0, _b = 0; _s < n; _s += ${FOLD}, _b++) {`,
    `let _acc = 0; const _e = Math.min(n, _s + ${FOLD});`,
    'for (let i = _s; i < _e; i++) {',
    element,
    `_acc = ${add};`,
    '}',
    '_p[_b] = _acc;',
    '}',
    `while (_p.length > 1) { const _q = new Float32Array(Math.ceil(_p.length / ${FOLD})); for (let _b = 0; _b < _q.length; _b++) { let _acc = 0; const _e = Math.min(_p.length, _b * ${FOLD} + ${FOLD}); for (let k = _b * ${FOLD}; k < _e; k++) _acc = Math.fround(_acc + _p[k]); _q[_b] = _acc; } _p = _q; }`,
    'return _p.length === 0 ? 0 : _p[0];',
  ];
}

/**
 * @internal A whole-array reduction of a fused chain on the host engine (src/backends/host/fusion.ts): the
 * composed body translated to ONE JavaScript loop that computes each element (rounded per op, as the
 * fused elementwise loop) and folds it ({@link foldLoop}); nothing is stored. `run` broadcasts and
 * gathers the operands as an op's call does, then enqueues the loop and hands its value to `done` (on the
 * queue). The caller caches it per device, by the composed text and the fold.
 */
export function hostFusedFoldBuilder(name: string, args: string, body: string, fold: HostFold): { run: (host: HostContext, named: Readonly<Record<string, DeviceArray | number>>, dtype: DType, n: number, shape: readonly number[], done: (v: number) => void) => void; source: (dtype: DType) => string } {
  const b = new HostElementwise({ name, args, body }, undefined, fold);
  return {
    run: (host, named, dtype, n, shape, done) => {
      b.runFold(host, named, dtype, n, shape, done);
    },
    source: (dtype) => b.source(dtype),
  };
}

const mapBuilders = new Map<string, HostElementwise>();
const MAP_CACHE = 64;

/**
 * `map(x, expr, out)` on the gpujs engine: the expression is translated once (kept for the 64 most recent
 * expressions) and run per element.
 *
 * @example
 * ```ts
 * hostMap(x, 'sqrt(abs(x)) + 1.0', undefined);
 * ```
 */
export function hostMap(x: DeviceArray, expr: string, out: DeviceArray | undefined): DeviceArray {
  checkArrays('map', { x, out }, ['out']);
  if (typeof expr !== 'string') throw new ArgumentError(`map: expr must be a WGSL expression (a string), got ${describeValue(expr)}`);
  let b = mapBuilders.get(expr);
  if (b === undefined) {
    const text = normalizeText(expr);
    b = new HostElementwise({ name: `map(${expr})`, args: 'x: T[], out: T[]', body: `out = (\n${text}\n)` }, { text, where: 'the expression of map' });
    if (mapBuilders.size >= MAP_CACHE) mapBuilders.delete(mapBuilders.keys().next().value ?? '');
  } else mapBuilders.delete(expr);
  mapBuilders.set(expr, b);
  return b.call([{ x, ...(out ? { out } : {}) }], false) as DeviceArray;
}

// --- reductions -----------------------------------------------------------------------------------------

/** Elements (then partials) folded per block: the gpujs sums' 64, so the same error bound holds. */
const FOLD = 64;

type ReductionJs = JsKernel<number>;

class HostReduction {
  readonly name: string;
  readonly args: readonly ArgSpec[];
  readonly parts: ReductionParts;
  readonly #fns: PerDType<ReductionJs>;

  constructor(spec: ReductionSpec) {
    ({ name: this.name, args: this.args, parts: this.parts } = parseReduction(spec));
    this.#fns = new PerDType((dtype) => this.#translate(dtype));
    this.#fns.prepare(this.args);
  }

  #translate(dtype: DType): ReductionJs {
    const what = `reduction '${this.name}'`;
    const R = typeOf(this.parts.type, dtype, what);
    const label = `reduction|${this.name}|${dtype}`;
    const aliases = { T: typeOf('T', dtype, what), R };
    const { names, params } = bindings(this.args, dtype, what, []);
    const src = (text: string, part: string): TextSource => ({ text: normalizeText(text), where: `the ${part} expression of ${what}`, label });
    const operand = (js: string): Binding => ({ type: R, mutable: false, js });
    // Each expression sees what Dawn's generated function for it sees: map the arguments, `i` and `n`;
    // reduce `a` and `b`; post `a`; all of them `params.<scalar>`.
    const map = translateExpression({ source: src(this.parts.map, 'map'), names, params, aliases }, R);
    const reduce = translateExpression({ source: src(this.parts.reduce, 'reduce'), names: new Map([['a', operand('a')], ['b', operand('b')]]), params, aliases }, R);
    const identity = translateExpression({ source: src(this.parts.identity, 'identity'), names: new Map(), params, aliases }, R);
    const post = translateExpression({ source: src(this.parts.post, 'post'), names: new Map([['a', operand('a')]]), params, aliases }, R);
    const arrays = this.args.filter((a) => a.array);
    const lines = [
      ...arrays.map((a) => `const a_${a.name} = A[${JSON.stringify(a.name)}];`),
      scalarPrologue(this.args, dtype),
      `const _identity = ${identity};`,
      `const _reduce = (a, b) => ${reduce};`,
      `const _map = (i) => { ${arrays.map((a) => `const v_${a.name} = a_${a.name}[i];`).join(' ')} return ${map}; };`,
      'let _parts = [];',
      `for (let s = 0; s < n; s += ${FOLD}) { let acc = _identity; const e = Math.min(n, s + ${FOLD}); for (let i = s; i < e; i++) acc = _reduce(acc, _map(i)); _parts.push(acc); }`,
      'if (_parts.length === 0) _parts.push(_identity);',
      `while (_parts.length > 1) { const next = []; for (let s = 0; s < _parts.length; s += ${FOLD}) { let acc = _identity; const e = Math.min(_parts.length, s + ${FOLD}); for (let k = s; k < e; k++) acc = _reduce(acc, _parts[k]); next.push(acc); } _parts = next; }`,
      'const a = _parts[0];',
      `return ${post};`,
    ];
    return compileJs<number>(lines.join('\n'));
  }

  call(input: readonly unknown[]): DeviceArray {
    const { input: args, axis } = axisCallOptions(this.name, input);
    const named = bindArgs(this.name, this.args, args);
    const { dtype, n, shape, given } = resolveArrays(this.name, this.args, named);
    checkScalars(this.name, this.args, named, dtype);
    const host = hostOf(this.name, ...given);
    const fn = this.#fns.get(dtype);
    const R: DType = this.parts.type === 'T' ? dtype : this.parts.type;
    broadcastArgs(this.name, this.args, named, [], shape);
    const plan = axis !== undefined ? axisPlan(this.name, shape, axis) : undefined;
    if (plan !== undefined) {
      // Along axes: the reduced axes moved last (gathered below), then the same fold over each row.
      for (const a of this.args) {
        const v = named[a.name];
        if (v instanceof DeviceArray) (named as Record<string, unknown>)[a.name] = v.transpose(plan.order);
      }
    }
    const temps = plainInputs(this.args, named);
    try {
      if (plan !== undefined) return this.#runRows(host, fn, named, R, plan, given);
      return this.#run(host, fn, named, R, n, given);
    } finally {
      for (const t of temps) t.destroy(); // after the task that reads them is queued: freed once it has run
    }
  }

  #runRows(host: HostContext, fn: ReductionJs, named: BoundArgs, R: DType, plan: { rows: number; R: number; outShape: number[] }, given: readonly DeviceArray[]): DeviceArray {
    const { A, S } = dataOf(this.args, named);
    const run = (): DeviceArray => {
      const out = new DeviceArray(host, R, plan.outShape);
      const O = out.data;
      const len = plan.R;
      host.enqueue(() => {
        for (let row = 0; row < plan.rows; row++) {
          const part: Record<string, HostData> = {};
          for (const [k, v] of Object.entries(A)) part[k] = v.subarray(row * len, (row + 1) * len);
          O[row] = fn(part, S, len);
        }
      });
      return out;
    };
    return host.op(`reduction|${this.name}`, hostBlocksOf(given), run, (r) => hostBlocksOf(r));
  }

  #run(host: HostContext, fn: ReductionJs, named: BoundArgs, R: DType, n: number, given: readonly DeviceArray[]): DeviceArray {
    const { A, S } = dataOf(this.args, named);
    const run = (): DeviceArray => {
      const out = new DeviceArray(host, R, []);
      const O = out.data;
      host.enqueue(() => {
        O[0] = fn(A, S, n);
      });
      return out;
    };
    return host.op(`reduction|${this.name}`, hostBlocksOf(given), run, (r) => hostBlocksOf(r));
  }
}

/**
 * `device.reduction()` on the gpujs engine: map, reduce, identity and post translated to JavaScript.
 *
 * @example
 * ```ts
 * const dot = buildHostReduction({ args: 'x: T[], y: T[]', map: 'x * y', reduce: 'a + b', identity: '0' });
 * ```
 */
export function buildHostReduction(spec: ReductionSpec): ReductionFn {
  const b = new HostReduction(spec);
  const fn = (...input: unknown[]) => b.call(input);
  const wgsl = (dtype: DType = 'f32', width: 1 | 4 = 1): string => {
    checkVariant(b.name, dtype, width);
    return reductionWgsl(b.name, b.args, b.parts, dtype, width).code;
  };
  return Object.assign(fn, { wgsl });
}
