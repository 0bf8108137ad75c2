import { fallback, onFallback, same } from './engine.js';
import { DeviceArray } from '../buffers/device-array.js';
import type { DType } from '../buffers/dtype.js';
import type { DeviceContext } from '../backends/dawn/context.js';
import { ValidationError, ArgumentError, ShaderCompileError, ShapeError } from '../errors.js';
import { chunkElements, pieces } from '../buffers/chunks.js';
import { broadcastShapes } from '../buffers/strided.js';
import { checkBrackets, checkRaw, elementwiseWgsl, MAX_IND_DIMS, normalizeText, outputsOf, parseArgs, usesInd, usesIndex, type ArgSpec, type ElementwiseOptions, type Generated } from '../kernels/codegen.js';
import type { SourceMapper } from '../backends/dawn/compile.js';
import { compileKernelSync, type Kernel } from '../backends/dawn/kernel.js';
import { gatherRange } from '../backends/dawn/strided-copy.js';
import { reflectCompute } from '../kernels/reflect.js';
import { registerTunable, softwareProfile, tunedParams } from '../backends/dawn/tuning.js';
import { builderCache, moduleError } from './builder-cache.js';
import { broadcastArgs, sameShape, checkArrays, checkElementwiseCall, checkNumber, checkVariant, requireArray, separateOverlaps } from './signature.js';
import { checkOptions, describeValue } from '../args.js';
import { deviceOf, windowable } from './util.js';

/** What `device.elementwise()` (and `device.elementwise`) builds from: CuPy's ElementwiseKernel, in WGSL. */
export interface ElementwiseSpec {
  /** Typed arguments: `'x: T[], y: T[], a: f32'` — arrays with `[]`, `T` resolved from the arrays passed. */
  readonly args: string;
  /**
   * WGSL statements; an array's name stands for its element at index `i` (`n` is the length). A raw array
   * (`b: raw T[]`) is indexed instead (`b[i % cols]`), and `_ind(d)` is the output's index along dimension d.
   */
  readonly body: string;
  /** Names the kernel in errors and labels. @default 'elementwise' */
  readonly name?: string;
}

/**
 * Arguments by name (or positionally, in signature order). Outputs the body only writes (`y = ...`) may be
 * omitted: they are allocated. An output the body also reads (`y += ...`) must be given. An output may be
 * the same array as an input (in place); two outputs may not be the same array.
 */
export type ElementwiseArgs = Readonly<Record<string, DeviceArray | number>>;

/** Options of one call of an elementwise kernel, passed after its arguments. */
export interface ElementwiseCallOptions {
  /**
   * The output's shape (a number: 1-D), CuPy's `size=`: required when every array argument given is raw
   * (nothing else says how many elements to compute); otherwise it must equal the broadcast shape.
   * @default the broadcast shape of the non-raw array arguments
   */
  readonly size?: number | readonly number[];
}

/**
 * A built elementwise kernel: call it to enqueue; it returns its output array (or a record of them).
 *
 * @example
 * ```ts
 * const gather = await device.elementwise({ args: 't: raw T[], idx: i32[], out: T[]', body: 'out = t[idx]' });
 * gather({ t, idx });                          // out has idx's shape
 * const rev = await device.elementwise({ args: 't: raw T[], out: T[]', body: 'out = t[n - 1u - i]' });
 * rev({ t }, { size: t.size });                // every array is raw: say the output's size
 * ```
 */
export interface ElementwiseFn {
  (args: ElementwiseArgs, options?: ElementwiseCallOptions): DeviceArray | Record<string, DeviceArray>;
  (...args: (DeviceArray | number | ElementwiseCallOptions)[]): DeviceArray | Record<string, DeviceArray>;
  readonly args: readonly ArgSpec[];
  readonly outputs: readonly string[];
  /** The generated WGSL for a dtype and vector width (for inspection). */
  wgsl(dtype?: DType, width?: 1 | 4): string;
}

export const elementwiseTunable = registerTunable({
  op: 'elementwise',
  sizes: [2 ** 12, 2 ** 16, 2 ** 20, 2 ** 24],
  candidates: (ctx) =>
    [8, 16, 64, 256].flatMap((WG) => [1, 4, 16, 64, 256, 1024].map((ITEMS) => ({ WG, ITEMS }))).filter((p) => p.WG <= ctx.limits.maxComputeInvocationsPerWorkgroup),
  // llvmpipe runs a workgroup of 8 as one AVX2 row and pays per invocation and per memory instruction:
  // few invocations each walking hundreds of vec4s. A GPU wants many invocations with one item each.
  defaults: (ctx) => (softwareProfile(ctx) ? { WG: 8, ITEMS: 256 } : { WG: 256, ITEMS: 1 }),
});

/** How a builder was made: `prepared` ones compiled up front and know which dtypes run as vec4. */
interface BuilderOptions {
  /** Key in the device's builder cache (absent for the ready ops, which are few and fixed). */
  readonly key?: string;
  /** Where the user's text sits in the body (for `map`, whose body wraps the expression). */
  readonly source?: ElementwiseOptions['source'];
  /**
   * True for the ready ops, whose bodies are known to compile for every dtype, also as vec4. Other
   * builders check each dtype before trusting it: `prepare()` checks the first that compiles, and a call
   * with a dtype not checked yet (every first call of `map`) runs scalars and checks in the background.
   */
  readonly trusted: boolean;
  /** Run scalar code only (bodies with casts, `&&` or scalar `select` arms, which have no vec4 form). */
  readonly scalar?: boolean;
}

class ElementwiseBuilder {
  readonly name: string;
  readonly args: readonly ArgSpec[];
  readonly body: string;
  readonly outputs: readonly string[];
  /** Outputs the body never reads: a caller may omit them. */
  readonly writeOnly: readonly string[];
  readonly #opts: BuilderOptions;
  /**
   * Bodies that use the index `i`, `_ind(d)` or a raw array run as scalars: on the vec4 variant `i` would be
   * a vec4<u32>, and a raw array is indexed one element at a time.
   */
  readonly #scalarOnly: boolean;
  /** Whether the body calls `_ind(d)` (the uniform then carries the output's shape and strides). */
  readonly #ind: boolean;
  /** Per dtype: whether the vec4 variant compiles (absent: not known yet). */
  readonly #vec4 = new Map<DType, boolean>();
  readonly #proving = new Set<DType>();
  /** Dtypes whose scalar variant is known to compile. */
  readonly #known = new Set<DType>();
  /** Per dtype: the compile error of a `map` body found in the background (later calls throw it at once). */
  readonly #broken = new Map<DType, ShaderCompileError>();
  /** Generated variants that parse, by label (a handful: dtype × width × in-place pattern). */
  readonly #variants = new Map<string, { code: string; label: string }>();

  constructor(spec: ElementwiseSpec, opts: BuilderOptions = { trusted: true }) {
    this.name = spec.name ?? 'elementwise';
    this.args = parseArgs(spec.args);
    this.body = normalizeText(spec.body);
    this.#opts = opts;
    const src = opts.source;
    checkBrackets(src?.text ?? this.body, src?.where ?? `elementwise '${this.name}'`);
    checkRaw(this.body, this.args, `elementwise|${this.name}`, `the body of elementwise '${this.name}'`);
    const o = outputsOf(this.body, this.args);
    this.outputs = o.outputs;
    this.writeOnly = o.writeOnly;
    if (this.outputs.length === 0) throw new ArgumentError(`elementwise '${this.name}': the body assigns no array argument, so it has no output`);
    this.#ind = usesInd(src?.text ?? this.body);
    this.#scalarOnly = opts.scalar === true || usesIndex(src?.text ?? this.body) || this.#ind || this.args.some((a) => a.raw === true);
  }

  generate(dtype: DType, width: 1 | 4, alias: Readonly<Record<string, string>> = {}, rows: readonly string[] = []): Generated {
    return elementwiseWgsl(this.name, this.args, this.body, dtype, width, { alias, rows, ...(this.#opts.source !== undefined ? { source: this.#opts.source } : {}) });
  }

  #record(ctx: DeviceContext, code: string): void {
    if (this.#opts.key !== undefined) builderCache(ctx).record(this.#opts.key, code);
  }

  /** Checks the body up front (async) so a bad one is a ShaderCompileError pointing into it. */
  async prepare(ctx: DeviceContext): Promise<void> {
    const dtypes: DType[] = this.args.some((a) => a.type === 'T') ? ['f32', 'i32', 'u32'] : ['f32'];
    for (const dtype of dtypes) {
      if (!(await this.#compiles(ctx, dtype, 1))) continue;
      if (!this.#scalarOnly) this.#vec4.set(dtype, await this.#compiles(ctx, dtype, 4));
      return;
    }
    throw this.#broken.get(dtypes[0] ?? 'f32') ?? new ArgumentError(`elementwise '${this.name}': the body does not compile`);
  }

  /** Whether a variant compiles (a shader module check); a scalar one's error is kept for later calls. */
  async #compiles(ctx: DeviceContext, dtype: DType, width: 1 | 4): Promise<boolean> {
    const g = this.generate(dtype, width);
    const e = await moduleError(ctx, g.code, this.#label(dtype, width), g.mapper);
    if (width === 1) {
      if (e === undefined) this.#known.add(dtype);
      else this.#broken.set(dtype, e);
    }
    return e === undefined;
  }

  #label(dtype: DType, width: 1 | 4, alias: Readonly<Record<string, string>> = {}, rows: readonly string[] = []): string {
    const shared = Object.entries(alias).map(([a, b]) => `${a}=${b}`);
    return `elementwise|${this.name}|${dtype}${width === 4 ? '|vec4' : ''}${shared.length > 0 ? `|inplace(${shared.join(',')})` : ''}${rows.length > 0 ? `|rows(${rows.join(',')})` : ''}`;
  }

  #useVec4(dtype: DType): boolean {
    if (this.#scalarOnly) return false;
    return this.#vec4.get(dtype) ?? this.#opts.trusted;
  }

  /**
   * For a dtype not checked yet (every first call of `map`, which compiles on first use; a builder's
   * dtype that `prepare()` did not try): learns in the background whether the vec4 variant compiles, and
   * if it does not, whether the scalar one does, with the compiler's diagnostics. A body that does not
   * compile is reported at the next readback, pointing into the user's text, and refused at once by later
   * calls. (The scalar variant is only checked when the vec4 one fails: when it compiles, so does this.)
   */
  #checkInBackground(ctx: DeviceContext, dtype: DType): void {
    if (this.#opts.trusted || this.#proving.has(dtype) || (this.#known.has(dtype) && (this.#scalarOnly || this.#vec4.has(dtype)))) return;
    this.#proving.add(dtype);
    const vec = this.#scalarOnly ? Promise.resolve(false) : this.#compiles(ctx, dtype, 4);
    const scalar = vec.then((ok) => ok || this.#compiles(ctx, dtype, 1)).catch(() => true);
    void vec.then((ok) => this.#vec4.set(dtype, ok)).catch(() => this.#vec4.set(dtype, false));
    // If the synchronous compile failed, a dispatch of this dtype fails its batch; the replay then names
    // this error (pointing into the user's text) instead of Dawn's message about the generated code.
    ctx.explainCompileErrors(
      `elementwise|${this.name}|${dtype}`,
      scalar.then((ok) => (ok ? null : (this.#broken.get(dtype) ?? new ValidationError(`${this.name}: does not compile`)))),
    );
  }

  /**
   * The WGSL of a variant, parsed once: a syntax error (which wgsl_reflect finds before Dawn would) is
   * thrown here, at the call, pointing into the user's text.
   */
  #checked(dtype: DType, width: 1 | 4, alias: Readonly<Record<string, string>>, rows: readonly string[]): { code: string; label: string } {
    const label = this.#label(dtype, width, alias, rows);
    let v = this.#variants.get(label);
    if (v === undefined) {
      const g = this.generate(dtype, width, alias, rows);
      try {
        reflectCompute(g.code);
      } catch (e) {
        throw reflectionError(label, e, g.mapper);
      }
      this.#variants.set(label, (v = { code: g.code, label }));
    }
    return v;
  }

  /** Compiles a checked variant synchronously (cached per device). */
  #kernel(ctx: DeviceContext, v: { code: string; label: string }, c: Readonly<Record<string, number>>): Kernel {
    this.#record(ctx, v.code);
    return compileKernelSync(ctx, v.code, { label: v.label, constants: c });
  }

  call(all: readonly unknown[]): DeviceArray | Record<string, DeviceArray> {
    const { named, dtype, n, shape, given } = checkElementwiseCall(this.name, { args: this.args, outputs: this.outputs, writeOnly: this.writeOnly, ind: this.#ind }, all);
    const arrays = this.args.filter((a) => a.array);
    const ctx = deviceOf(this.name, ...given);
    // Inputs that are other views of an output's memory are copied first (NumPy's overlap rule).
    const copies = separateOverlaps(`elementwise '${this.name}'`, this.args, named, this.outputs);
    try {
      return this.#call(ctx, named, dtype, n, shape, arrays);
    } finally {
      for (const c of copies) c.destroy();
    }
  }

  #call(ctx: DeviceContext, named: Record<string, DeviceArray | number>, dtype: DType, n: number, shape: number[], arrays: readonly ArgSpec[]): DeviceArray | Record<string, DeviceArray> {
    // NumPy's broadcasting: an input broadcast along leading dimensions only (a bias row) is read in place
    // at j mod its size; other inputs of another shape become broadcast views (gathered); outputs must match.
    const rows = this.#rowBroadcasts(named, shape);
    broadcastArgs(this.name, this.args.filter((a) => rows[a.name] === undefined), named, this.outputs, shape);
    const alias = this.#aliases(named);
    if (this.#opts.key !== undefined) builderCache(ctx).touch(this.#opts.key, this);
    const broken = this.#broken.get(dtype);
    if (broken !== undefined) throw broken;
    const outputs: Record<string, DeviceArray> = {};
    const fresh: DeviceArray[] = [];
    for (const o of this.outputs) {
      const v = named[o];
      if (v instanceof DeviceArray) outputs[o] = v;
      else {
        const spec = arrays.find((a) => a.name === o);
        const arr = new DeviceArray(ctx, spec?.type === 'T' || spec === undefined ? dtype : spec.type, shape);
        fresh.push(arr);
        outputs[o] = arr;
        named[o] = arr;
      }
    }
    try {
      this.#dispatch(ctx, named, dtype, n, alias, shape, rows);
    } catch (e) {
      for (const f of fresh) f.destroy();
      throw e;
    }
    return this.outputs.length === 1 ? (outputs[this.outputs[0] ?? ''] as DeviceArray) : outputs;
  }

  /**
   * Arrays passed twice. An input that is also an output (in place) reads from the output's binding: one
   * buffer bound read-only and read-write in one dispatch is invalid in WebGPU. Elementwise, each element
   * is read and written by the same invocation, so in place is safe. Two outputs on one array are refused.
   */
  #aliases(named: Record<string, DeviceArray | number>): Record<string, string> {
    const alias: Record<string, string> = {};
    const arrays = this.args.filter((a) => a.array && named[a.name] instanceof DeviceArray).map((a) => a.name);
    arrays.forEach((p, k) => {
      for (const q of arrays.slice(0, k)) {
        if (named[p] !== named[q]) continue;
        const po = this.outputs.includes(p);
        const qo = this.outputs.includes(q);
        if (po && qo) throw new ArgumentError(`elementwise '${this.name}': '${q}' and '${p}' are the same array and the body writes both; give each output its own array`);
        if (po) alias[q] = p;
        else if (qo) alias[p] = q;
      }
    });
    return alias;
  }

  /**
   * Inputs whose broadcast repeats them whole along leading dimensions (their shape, leading 1s aside, is the
   * output's trailing dimensions) and that are plain: by name, their size m (the output's element j is
   * their element j mod m). Outputs, raw arrays and views are left to the general path.
   */
  #rowBroadcasts(named: Record<string, DeviceArray | number>, shape: readonly number[]): Record<string, number> {
    const rows: Record<string, number> = {};
    for (const a of this.args) {
      const v = named[a.name];
      if (!a.array || a.raw === true || this.outputs.includes(a.name) || !(v instanceof DeviceArray) || !v.isPlain || v.size === 0) continue;
      if (sameShape(v.shape, shape)) continue;
      let lead = 0;
      while (lead < v.shape.length && v.shape[lead] === 1) lead++;
      const trail = v.shape.slice(lead);
      if (trail.length <= shape.length && sameShape(trail, shape.slice(shape.length - trail.length))) rows[a.name] = v.size;
    }
    return rows;
  }

  /**
   * An empty result fails where a computed one would (issue 24 item 12): it is failed by an input a failed
   * op wrote, and by a body that does not compile — checked before the batch's verdict when this dtype has
   * not compiled yet, as a first dispatch would be. Before, such a result read back as [] without its error.
   */
  #nothingToCompute(ctx: DeviceContext, named: Record<string, DeviceArray | number>, dtype: DType): void {
    const reads: GPUBuffer[] = [];
    const writes: GPUBuffer[] = [];
    for (const a of this.args) {
      const v = named[a.name];
      if (v instanceof DeviceArray) (this.outputs.includes(a.name) ? writes : reads).push(...v.storageBuffers);
    }
    reads.push(...writes); // nothing is written: an output that had failed stays failed
    ctx.noWork(`elementwise|${this.name}|${dtype}|empty`, reads, writes);
    if (this.#opts.trusted || this.#known.has(dtype)) return;
    ctx.deferCheck({
      victims: writes,
      run: async () => ((await this.#compiles(ctx, dtype, 1)) ? null : (this.#broken.get(dtype) ?? new ValidationError(`elementwise '${this.name}': the body does not compile`))),
    });
  }

  #dispatch(
    ctx: DeviceContext,
    named: Record<string, DeviceArray | number>,
    dtype: DType,
    n: number,
    alias: Readonly<Record<string, string>>,
    shape: readonly number[],
    rows: Readonly<Record<string, number>>,
  ): void {
    if (n === 0) {
      this.#nothingToCompute(ctx, named, dtype);
      return;
    }
    const c = constants(ctx, n);
    const WG = c['_WG'] ?? 64;
    const ITEMS = c['_ITEMS'] ?? 1;
    const scalars: Record<string, number | number[][]> = {};
    for (const a of this.args) if (!a.array) scalars[a.name] = named[a.name] as number;
    if (this.#ind) Object.assign(scalars, indUniform(shape));
    for (const a of this.args) if (a.raw === true) scalars[`_len_${a.name}`] = (named[a.name] as DeviceArray).size;
    const arrays: Record<string, DeviceArray> = {};
    for (const a of this.args) if (a.array && alias[a.name] === undefined) arrays[a.name] = named[a.name] as DeviceArray;
    const rowNames = Object.keys(rows);
    // vec4 loads of a repeated input stay whole vec4s of it only when its size is a multiple of 4.
    const rowsVec4 = rowNames.every((r) => (rows[r] ?? 1) % 4 === 0);
    const vecCount = this.#useVec4(dtype) && rowsVec4 ? Math.floor(n / 4) : 0;
    const start = vecCount * 4;
    const vec = vecCount > 0 ? this.#checked(dtype, 4, alias, rowNames) : undefined;
    const tail = start < n ? this.#checked(dtype, 1, alias, rowNames) : undefined;
    const moduli = (width: number): Record<string, number> =>
      Object.fromEntries(rowNames.flatMap((r) => {
        const m = (rows[r] ?? width) / width;
        return [[`_m_${r}`, m], [`_s_${r}`, WG % m]];
      }));
    this.#checkInBackground(ctx, dtype);
    const chunk = chunkElements(ctx.limits);
    if (n <= chunk && !Object.entries(arrays).some(([k, a]) => a.size > chunk && rows[k] === undefined)) {
      if (vec !== undefined) {
        this.#kernel(ctx, vec, c).run({ ...arrays, params: { _n: n, _start: 0, _base: 0, _total: n, ...scalars, ...moduli(4) } }, { invocations: Math.ceil(vecCount / (WG * ITEMS)) * WG });
      }
      if (tail !== undefined) {
        this.#kernel(ctx, tail, c).run({ ...arrays, params: { _n: n, _start: start, _base: 0, _total: n, ...scalars, ...moduli(1) } }, { invocations: Math.ceil((n - start) / (WG * ITEMS)) * WG });
      }
      return;
    }
    // Larger than one binding: chunk by chunk, each array of the output's size bound as its window of the
    // chunk (aligned: chunks start at multiples of chunkElements); raw arrays and repeated rows bind whole.
    const windowed = Object.keys(arrays).filter((k) => rows[k] === undefined && !this.args.some((a) => a.name === k && a.raw === true));
    // Inputs that are strided views (broadcasts along other axes, transposes) of arrays that fit one binding
    // are gathered chunk by chunk; contiguous arrays are bound as windows.
    const strided = windowed.filter((k) => !(arrays[k] as DeviceArray).isContiguous && !this.outputs.includes(k));
    const flat = windowable(`elementwise '${this.name}'`, Object.fromEntries(windowed.filter((k) => !strided.includes(k)).map((k) => [k, arrays[k] as DeviceArray])), ctx.limits.maxStorageBufferBindingSize);
    for (const k of strided) flat[k] = arrays[k] as DeviceArray;
    try {
      this.#chunks(ctx, n, chunk, arrays, flat, dtype, alias, rowNames, rowsVec4, c, scalars, moduli);
    } finally {
      for (const [k, f] of Object.entries(flat)) if (!strided.includes(k)) f.destroy();
    }
  }

  #chunks(
    ctx: DeviceContext,
    n: number,
    chunk: number,
    arrays: Readonly<Record<string, DeviceArray>>,
    flat: Readonly<Record<string, DeviceArray>>,
    dtype: DType,
    alias: Readonly<Record<string, string>>,
    rowNames: readonly string[],
    rowsVec4: boolean,
    c: Readonly<Record<string, number>>,
    scalars: Readonly<Record<string, number | number[][]>>,
    moduli: (width: number) => Record<string, number>,
  ): void {
    const WG = c['_WG'] ?? 64;
    const ITEMS = c['_ITEMS'] ?? 1;
    for (const p of pieces(n, chunk)) {
      const bound: Record<string, DeviceArray> = { ...arrays };
      const windows: DeviceArray[] = [];
      try {
        for (const [k, f] of Object.entries(flat)) {
          const w = f.isContiguous ? f.slice([p.start, p.start + p.length]) : gatherRange(f, p.start, p.length);
          windows.push(w);
          bound[k] = w;
        }
        const vc = this.#useVec4(dtype) && rowsVec4 ? Math.floor(p.length / 4) : 0;
        const from = vc * 4;
        const base = { _base: p.start, _total: n };
        if (vc > 0) {
          this.#kernel(ctx, this.#checked(dtype, 4, alias, rowNames), c).run({ ...bound, params: { _n: p.length, _start: 0, ...base, ...scalars, ...moduli(4) } }, { invocations: Math.ceil(vc / (WG * ITEMS)) * WG });
        }
        if (from < p.length) {
          this.#kernel(ctx, this.#checked(dtype, 1, alias, rowNames), c).run({ ...bound, params: { _n: p.length, _start: from, ...base, ...scalars, ...moduli(1) } }, { invocations: Math.ceil((p.length - from) / (WG * ITEMS)) * WG });
        }
      } finally {
        for (const w of windows) w.destroy();
      }
    }
  }
}

/**
 * The output's shape and C-order strides for `_ind(d)`, as `array<vec4<u32>, 2>` values; dimensions past
 * the rank have extent 1 (so their index is 0).
 */
function indUniform(shape: readonly number[]): { _shape: number[][]; _strides: number[][] } {
  const sh = Array.from({ length: MAX_IND_DIMS }, (_, d) => shape[d] ?? 1);
  const st = new Array<number>(MAX_IND_DIMS).fill(1);
  for (let d = shape.length - 2; d >= 0; d--) st[d] = (st[d + 1] ?? 1) * (shape[d + 1] ?? 1);
  const vec4s = (v: number[]): number[][] => [v.slice(0, 4), v.slice(4, 8)];
  return { _shape: vec4s(sh), _strides: vec4s(st) };
}

/** The tuned workgroup size and items per invocation, as the generated code's override names. */
function constants(ctx: DeviceContext, n: number): Record<string, number> {
  const p = tunedParams(ctx, elementwiseTunable, n);
  return { _WG: p['WG'] ?? 64, _ITEMS: p['ITEMS'] ?? 1 };
}

/** wgsl_reflect's parse errors say `Line: N` of the generated code; map it into the user's text. */
function reflectionError(label: string, e: unknown, mapper: SourceMapper): ShaderCompileError {
  const message = e instanceof Error ? e.message : String(e);
  const line = Number(/Line: (\d+)/.exec(message)?.[1] ?? NaN);
  const at = Number.isFinite(line) ? mapper(line, 1) : undefined;
  if (at === undefined) return new ShaderCompileError(label, [], `\nreflection failed: ${message}`);
  const text = message.replace(/\.?\s*Line: \d+\s*$/, '');
  return new ShaderCompileError(label, [{ severity: 'error', line: at.line, column: at.column, message: `${text}${at.where !== undefined ? ` (in ${at.where})` : ''}`, sourceLine: at.sourceLine }]);
}

/**
 * Builds an elementwise kernel from an expression over named, typed arguments (CuPy's ElementwiseKernel).
 * Compiles before returning, so a body that does not compile throws a ShaderCompileError pointing into it.
 * The device keeps the most recently used builders compiled (see `setBuilderCacheSize`).
 *
 * @example
 * ```ts
 * const axpy = await device.elementwise({ args: 'x: T[], y: T[], a: T', body: 'y = a * x + y' });
 * axpy({ x, y, a: 2 });           // enqueues; y is updated in place and returned
 * const z = (await device.elementwise({ args: 'x: T[], z: T[]', body: 'z = x * x' }))({ x }); // z allocated
 * ```
 */
export async function buildElementwise(ctx: DeviceContext, spec: ElementwiseSpec): Promise<ElementwiseFn> {
  checkOptions('elementwise', spec, { args: 'string', body: 'string', name: 'string' }, ['args', 'body'], 'spec');
  const key = `elementwise|${JSON.stringify([spec.name ?? '', spec.args, spec.body])}`;
  const b = builderCache(ctx).use(key, () => new ElementwiseBuilder(spec, { key, trusted: false }));
  await b.prepare(ctx);
  return wrap(b);
}

function wrap(b: ElementwiseBuilder): ElementwiseFn {
  const fn = (...input: unknown[]) => b.call(input);
  return Object.assign(fn, {
    args: b.args,
    outputs: b.outputs,
    wgsl: (dtype: DType = 'f32', width: 1 | 4 = 1) => {
      checkVariant(b.name, dtype, width);
      return b.generate(dtype, width).code;
    },
  });
}

const readyOps = new Map<string, ElementwiseBuilder>();

/** A built-in elementwise op (its body is known to compile, so it is built synchronously). */
function ready(name: string, args: string, body: string, scalar = false): ElementwiseBuilder {
  let b = readyOps.get(name);
  if (b === undefined) readyOps.set(name, (b = new ElementwiseBuilder({ name, args, body }, { trusted: true, scalar })));
  return b;
}

/**
 * NumPy's broadcasting for the ready ops on the gpujs engine (the Dawn builder does the same in `call`):
 * x and y as views at their common shape; a given output must have exactly that shape.
 */
function broadcastPair<D extends DType>(op: string, x: DeviceArray<D>, y: DeviceArray<D>, out: DeviceArray<D> | undefined): { x: DeviceArray<D>; y: DeviceArray<D> } {
  if (!(x instanceof DeviceArray) || !(y instanceof DeviceArray)) return { x, y }; // the engine's own checks name the argument
  const shape = broadcastShapes(op, x.shape, y.shape);
  if (out instanceof DeviceArray && !sameShape(out.shape, shape)) {
    throw new ShapeError(`${op}: output '${out === y ? 'y' : 'out'}' has shape [${out.shape.join(', ')}] but the arguments broadcast to [${shape.join(', ')}]`);
  }
  return { x: sameShape(x.shape, shape) ? x : x.broadcastTo(shape), y: sameShape(y.shape, shape) ? y : y.broadcastTo(shape) };
}

/**
 * @internal One of gpukit's ready elementwise ops on Dawn, from its WGSL spec (compiled synchronously on
 * first use, cached for the process): src/ops/math.ts defines its ops this way.
 */
export function readyElementwise(name: string, args: string, body: string, scalar = false): (named: Readonly<Record<string, DeviceArray | number>>) => DeviceArray {
  const b = ready(name, args, body, scalar);
  return (named) => one(b.call([named]));
}

function one(r: DeviceArray | Record<string, DeviceArray>): DeviceArray {
  return r as DeviceArray;
}

/** `x + y`, elementwise, into a new array (or `out`, which may be x or y: in place). */
export function add<D extends DType>(x: DeviceArray<D>, y: DeviceArray<D>, out?: DeviceArray<D>): DeviceArray<D> {
  checkArrays('add', { x, y, out }, ['out']);
  if (onFallback(x)) {
    const b = broadcastPair('add', x, y, out);
    return same<D>(fallback('add').binary('add', b.x, b.y, out));
  }
  return one(ready('add', 'x: T[], y: T[], out: T[]', 'out = x + y').call([{ x, y, ...(out ? { out } : {}) }])) as DeviceArray<D>;
}

/** `x - y`, elementwise (`out` may be x or y). */
export function sub<D extends DType>(x: DeviceArray<D>, y: DeviceArray<D>, out?: DeviceArray<D>): DeviceArray<D> {
  checkArrays('sub', { x, y, out }, ['out']);
  if (onFallback(x)) {
    const b = broadcastPair('sub', x, y, out);
    return same<D>(fallback('sub').binary('sub', b.x, b.y, out));
  }
  return one(ready('sub', 'x: T[], y: T[], out: T[]', 'out = x - y').call([{ x, y, ...(out ? { out } : {}) }])) as DeviceArray<D>;
}

/** `x * y`, elementwise (`out` may be x or y). */
export function mul<D extends DType>(x: DeviceArray<D>, y: DeviceArray<D>, out?: DeviceArray<D>): DeviceArray<D> {
  checkArrays('mul', { x, y, out }, ['out']);
  if (onFallback(x)) {
    const b = broadcastPair('mul', x, y, out);
    return same<D>(fallback('mul').binary('mul', b.x, b.y, out));
  }
  return one(ready('mul', 'x: T[], y: T[], out: T[]', 'out = x * y').call([{ x, y, ...(out ? { out } : {}) }])) as DeviceArray<D>;
}

/** `x * a` for a scalar a, elementwise (`out` may be x: `scale(x, 2, x)` scales in place). */
export function scale<D extends DType>(x: DeviceArray<D>, a: number, out?: DeviceArray<D>): DeviceArray<D> {
  checkArrays('scale', { x, out }, ['out']);
  checkNumber('scale', 'a', a);
  if (onFallback(x)) {
    if (out !== undefined && !sameShape(out.shape, x.shape)) throw new ShapeError(`scale: output 'out' has shape [${out.shape.join(', ')}] but the arguments broadcast to [${x.shape.join(', ')}]`);
    return same<D>(fallback('scale').scale(x, a, out));
  }
  return one(ready('scale', 'x: T[], out: T[], a: T', 'out = a * x').call([{ x, a, ...(out ? { out } : {}) }])) as DeviceArray<D>;
}

/** `y = a * x + y` in place (BLAS axpy); returns y. y is required (it is read), and may be x: `y = (a + 1)·y`. */
export function axpy<D extends DType>(a: number, x: DeviceArray<D>, y: DeviceArray<D>): DeviceArray<D> {
  checkArrays('axpy', { x, y });
  checkNumber('axpy', 'a', a);
  if (onFallback(x)) {
    requireArray('axpy', 'y', y);
    const b = broadcastPair('axpy', x, y, y);
    return same<D>(fallback('axpy').axpy(a, b.x, y));
  }
  // y is both input and output: left out, the builder would allocate it as a fresh output.
  requireArray('axpy', 'y', y);
  return one(ready('axpy', 'x: T[], y: T[], a: T', 'y = a * x + y').call([{ x, y, a }])) as DeviceArray<D>;
}

/**
 * Applies a WGSL expression of `x` (and `i`, `n`) to every element, into a new array (or `out`, which may
 * be x: in place). The expression is compiled on first use (synchronously), and the device keeps the most
 * recently used expressions compiled (see `setBuilderCacheSize`). A first use cannot report a compile
 * error at once: it surfaces at the next readback, pointing into the expression, and later calls throw it
 * immediately. Prefer `device.elementwise()` to get compile errors up front.
 *
 * @example
 * ```ts
 * const y = map(x, 'sqrt(abs(x)) + 1.0');
 * ```
 */
export function map<D extends DType>(x: DeviceArray<D>, expr: string, out?: DeviceArray<D>): DeviceArray<D> {
  checkArrays('map', { x, out }, ['out']);
  if (typeof expr !== 'string') throw new ArgumentError(`map: expr must be a WGSL expression (a string), got ${describeValue(expr)}`);
  // gpujs: the expression is translated to JavaScript (src/backends/host/wgsl-js.ts); outside the subset it
  // translates, UnsupportedOnEngineError names the construct.
  if (onFallback(x)) return same<D>(fallback('map').map(x, expr, out));
  const ctx = deviceOf('map', x);
  const key = `map|${expr}`;
  const text = normalizeText(expr);
  const b = builderCache(ctx).use(
    key,
    // The expression sits on lines of its own, so a trailing `// comment` ends before the ')'.
    () => new ElementwiseBuilder({ name: `map(${expr})`, args: 'x: T[], out: T[]', body: `out = (\n${text}\n)` }, { key, trusted: false, source: { line: 2, text, where: 'the expression of map' } }),
  );
  return one(b.call([{ x, ...(out ? { out } : {}) }])) as DeviceArray<D>;
}
