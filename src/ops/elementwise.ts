import { fallback, onFallback, same } from './engine.js';
import { DeviceArray } from '../buffers/device-array.js';
import type { DType } from '../buffers/dtype.js';
import type { DeviceContext } from '../device/context.js';
import { ArgumentError, ShaderCompileError, UnsupportedOnEngineError } from '../errors.js';
import { elementwiseWgsl, outputsOf, parseArgs, type ArgSpec } from '../kernels/codegen.js';
import { compileKernel, compileKernelSync, type Kernel } from '../kernels/kernel.js';
import { registerTunable, softwareProfile, tunedParams, type TuneParams } from '../kernels/tuning.js';
import { bindArgs, resolveArrays } from './signature.js';
import { deviceOf } from './util.js';

/** What `device.elementwise()` (and `device.elementwise`) builds from: CuPy's ElementwiseKernel, in WGSL. */
export interface ElementwiseSpec {
  /** Typed arguments: `'x: T[], y: T[], a: f32'` — arrays with `[]`, `T` resolved from the arrays passed. */
  readonly args: string;
  /** WGSL statements; an array's name stands for its element at index `i` (`n` is the length). */
  readonly body: string;
  /** Names the kernel in errors and labels. @default 'elementwise' */
  readonly name?: string;
}

/** Arguments by name (or positionally, in signature order). Output arrays may be omitted: they are allocated. */
export type ElementwiseArgs = Readonly<Record<string, DeviceArray | number>>;

/** A built elementwise kernel: call it to enqueue; it returns its output array (or a record of them). */
export interface ElementwiseFn {
  (args: ElementwiseArgs): DeviceArray | Record<string, DeviceArray>;
  (...args: (DeviceArray | number)[]): DeviceArray | Record<string, DeviceArray>;
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

interface Variant {
  readonly kernel: Kernel;
  readonly width: 1 | 4;
}

class ElementwiseBuilder {
  readonly name: string;
  readonly args: readonly ArgSpec[];
  readonly body: string;
  readonly outputs: readonly string[];
  readonly #vec4Fails = new Set<string>();

  constructor(spec: ElementwiseSpec) {
    this.name = spec.name ?? 'elementwise';
    this.args = parseArgs(spec.args);
    this.body = spec.body;
    this.outputs = outputsOf(spec.body, this.args).outputs;
    if (this.outputs.length === 0) throw new ArgumentError(`elementwise '${this.name}': the body assigns no array argument, so it has no output`);
  }

  /** Compiles up front (async) so a bad body is a ShaderCompileError pointing into it. */
  async prepare(ctx: DeviceContext): Promise<void> {
    const dtypes: DType[] = this.args.some((a) => a.type === 'T') ? ['f32', 'i32', 'u32'] : ['f32'];
    let firstError: unknown;
    for (const dtype of dtypes) {
      const scalar = elementwiseWgsl(this.name, this.args, this.body, dtype, 1);
      try {
        await compileKernel(ctx, scalar.code, { label: `elementwise|${this.name}|${dtype}`, mapper: scalar.mapper, constants: this.#params(ctx, 0) });
      } catch (e) {
        firstError ??= e;
        if (e instanceof ShaderCompileError) continue;
        throw e;
      }
      await this.#tryVec4(ctx, dtype);
      return;
    }
    throw firstError;
  }

  async #tryVec4(ctx: DeviceContext, dtype: DType): Promise<void> {
    const vec = elementwiseWgsl(this.name, this.args, this.body, dtype, 4);
    try {
      await compileKernel(ctx, vec.code, { label: `elementwise|${this.name}|${dtype}|vec4`, constants: this.#params(ctx, 0) });
    } catch (e) {
      if (!(e instanceof ShaderCompileError)) throw e;
      this.#vec4Fails.add(dtype); // the body does not work on vectors (uses i, branches...): scalar only
    }
  }

  #params(ctx: DeviceContext, n: number): TuneParams {
    return tunedParams(ctx, elementwiseTunable, n);
  }

  #variant(ctx: DeviceContext, dtype: DType, width: 1 | 4, params: TuneParams): Variant {
    const g = elementwiseWgsl(this.name, this.args, this.body, dtype, width);
    const kernel = compileKernelSync(ctx, g.code, { label: `elementwise|${this.name}|${dtype}${width === 4 ? '|vec4' : ''}`, constants: params });
    return { kernel, width };
  }

  call(input: readonly unknown[]): DeviceArray | Record<string, DeviceArray> {
    const named = bindArgs(this.name, this.args, input, this.outputs);
    const arrays = this.args.filter((a) => a.array);
    const { dtype, n, given } = resolveArrays(this.name, this.args, named);
    const ctx = deviceOf(this.name, ...given);
    const outputs: Record<string, DeviceArray> = {};
    const fresh: DeviceArray[] = [];
    for (const o of this.outputs) {
      const v = named[o];
      if (v instanceof DeviceArray) outputs[o] = v;
      else {
        const spec = arrays.find((a) => a.name === o);
        const arr = new DeviceArray(ctx, spec?.type === 'T' || spec === undefined ? dtype : spec.type, n);
        fresh.push(arr);
        outputs[o] = arr;
        named[o] = arr;
      }
    }
    try {
      this.#dispatch(ctx, named, dtype, n);
    } catch (e) {
      for (const f of fresh) f.destroy();
      throw e;
    }
    return this.outputs.length === 1 ? (outputs[this.outputs[0] ?? ''] as DeviceArray) : outputs;
  }

  #dispatch(ctx: DeviceContext, named: Record<string, DeviceArray | number>, dtype: DType, n: number): void {
    if (n === 0) return;
    const params = this.#params(ctx, n);
    const WG = params['WG'] ?? 64;
    const ITEMS = params['ITEMS'] ?? 1;
    const scalars: Record<string, number> = {};
    for (const a of this.args) if (!a.array) scalars[a.name] = named[a.name] as number;
    const arrays: Record<string, DeviceArray> = {};
    for (const a of this.args) if (a.array) arrays[a.name] = named[a.name] as DeviceArray;
    const vecCount = this.#vec4Fails.has(dtype) ? 0 : Math.floor(n / 4);
    if (vecCount > 0) {
      const v = this.#variant(ctx, dtype, 4, params);
      v.kernel.run({ ...arrays, params: { n, start: 0, ...scalars } }, { invocations: Math.ceil(vecCount / (WG * ITEMS)) * WG });
    }
    const start = vecCount * 4;
    if (start < n) {
      const s = this.#variant(ctx, dtype, 1, params);
      s.kernel.run({ ...arrays, params: { n, start, ...scalars } }, { invocations: Math.ceil((n - start) / (WG * ITEMS)) * WG });
    }
  }
}

/**
 * Builds an elementwise kernel from an expression over named, typed arguments (CuPy's ElementwiseKernel).
 * Compiles before returning, so a body that does not compile throws a ShaderCompileError pointing into it.
 *
 * @example
 * ```ts
 * const axpy = await device.elementwise({ args: 'x: T[], y: T[], a: T', body: 'y = a * x + y' });
 * axpy({ x, y, a: 2 });           // enqueues; y is updated in place and returned
 * const z = (await device.elementwise({ args: 'x: T[], z: T[]', body: 'z = x * x' }))({ x }); // z allocated
 * ```
 */
export async function buildElementwise(ctx: DeviceContext, spec: ElementwiseSpec): Promise<ElementwiseFn> {
  const b = new ElementwiseBuilder(spec);
  await b.prepare(ctx);
  return wrap(b);
}

function wrap(b: ElementwiseBuilder): ElementwiseFn {
  const fn = (...input: unknown[]) => b.call(input);
  return Object.assign(fn, {
    args: b.args,
    outputs: b.outputs,
    wgsl: (dtype: DType = 'f32', width: 1 | 4 = 1) => elementwiseWgsl(b.name, b.args, b.body, dtype, width).code,
  });
}

const readyOps = new Map<string, ElementwiseBuilder>();

/** A built-in elementwise op (its body is known to compile, so it is built synchronously). */
function ready(name: string, args: string, body: string): ElementwiseBuilder {
  let b = readyOps.get(name);
  if (b === undefined) readyOps.set(name, (b = new ElementwiseBuilder({ name, args, body })));
  return b;
}

function one(r: DeviceArray | Record<string, DeviceArray>): DeviceArray {
  return r as DeviceArray;
}

/** `x + y`, elementwise, into a new array (or `out`). */
export function add<D extends DType>(x: DeviceArray<D>, y: DeviceArray<D>, out?: DeviceArray<D>): DeviceArray<D> {
  if (onFallback(x)) return same<D>(fallback('add').binary('add', x, y, out));
  return one(ready('add', 'x: T[], y: T[], out: T[]', 'out = x + y').call([{ x, y, ...(out ? { out } : {}) }])) as DeviceArray<D>;
}

/** `x - y`, elementwise. */
export function sub<D extends DType>(x: DeviceArray<D>, y: DeviceArray<D>, out?: DeviceArray<D>): DeviceArray<D> {
  if (onFallback(x)) return same<D>(fallback('sub').binary('sub', x, y, out));
  return one(ready('sub', 'x: T[], y: T[], out: T[]', 'out = x - y').call([{ x, y, ...(out ? { out } : {}) }])) as DeviceArray<D>;
}

/** `x * y`, elementwise. */
export function mul<D extends DType>(x: DeviceArray<D>, y: DeviceArray<D>, out?: DeviceArray<D>): DeviceArray<D> {
  if (onFallback(x)) return same<D>(fallback('mul').binary('mul', x, y, out));
  return one(ready('mul', 'x: T[], y: T[], out: T[]', 'out = x * y').call([{ x, y, ...(out ? { out } : {}) }])) as DeviceArray<D>;
}

/** `x * a` for a scalar a, elementwise. */
export function scale<D extends DType>(x: DeviceArray<D>, a: number, out?: DeviceArray<D>): DeviceArray<D> {
  if (onFallback(x)) return same<D>(fallback('scale').scale(x, a, out));
  return one(ready('scale', 'x: T[], out: T[], a: T', 'out = a * x').call([{ x, a, ...(out ? { out } : {}) }])) as DeviceArray<D>;
}

/** `y = a * x + y` in place (BLAS axpy); returns y. */
export function axpy<D extends DType>(a: number, x: DeviceArray<D>, y: DeviceArray<D>): DeviceArray<D> {
  if (onFallback(x)) return same<D>(fallback('axpy').axpy(a, x, y));
  return one(ready('axpy', 'x: T[], y: T[], a: T', 'y = a * x + y').call([{ x, y, a }])) as DeviceArray<D>;
}

const mapOps = new Map<string, ElementwiseBuilder>();

/**
 * Applies a WGSL expression of `x` (and `i`, `n`) to every element, into a new array.
 * The expression is compiled on first use (synchronously); prefer `device.elementwise()` to get compile
 * errors up front.
 *
 * @example
 * ```ts
 * const y = map(x, 'sqrt(abs(x)) + 1.0');
 * ```
 */
export function map<D extends DType>(x: DeviceArray<D>, expr: string, out?: DeviceArray<D>): DeviceArray<D> {
  if (onFallback(x)) throw new UnsupportedOnEngineError("map: WGSL expressions need the dawn engine; on gpujs write the function in JS with device.jsKernel((x) => ..., { output: n })");
  const key = expr;
  let b = mapOps.get(key);
  if (b === undefined) mapOps.set(key, (b = new ElementwiseBuilder({ name: `map(${expr})`, args: 'x: T[], out: T[]', body: `out = ${expr}` })));
  return one(b.call([{ x, ...(out ? { out } : {}) }])) as DeviceArray<D>;
}
