/**
 * Reductions on Dawn: the ReductionBuilder behind `device.reduction(spec)` (generated WGSL, multi-pass, any
 * n; along axes one invocation per row) and the built-in whole-array reductions made from it (sum, mean,
 * min, max, dot, norm).
 */
import { DeviceArray } from '../../../buffers/device-array.js';
import type { DType } from '../../../buffers/dtype.js';
import type { DeviceContext } from '../context.js';
import { ArgumentError, ShaderCompileError } from '../../../errors.js';
import { reductionWgsl, usesIndex, type ArgSpec, type ReductionParts } from '../../../kernels/codegen.js';
import { compileKernelSync, type Kernel } from '../kernel.js';
import { foldGroups } from '../geometry.js';
import { registerTunable, softwareProfile, tunedParams, type TuneParams } from '../tuning.js';
import { builderCache, moduleError } from '../builder-cache.js';
import { bindArgs, broadcastArgs, checkScalars, checkVariant, resolveArrays } from '../../../ops/signature.js';
import { axisCallOptions, axisPlan, type AxisOptions } from '../../../ops/axis-options.js';
import { checkElements, deviceOf, windowable } from '../../../ops/util.js';
import { chunkElements, pieces } from '../../../buffers/chunks.js';
import { parseReduction, type ReductionFn, type ReductionSpec } from '../../../ops/reduction-spec.js';
import type { DotCall, ReduceCall } from '../../../ops/reduce.js';
import { fusionOf } from '../fusion.js';

/**
 * Without a tuned winner, the largest input a GPU reduces with one workgroup of 256 (16 vec4s a lane): one
 * dispatch instead of a first pass and a pass over its partials. No adapter figure is at hand here (the
 * calibrated dispatch cost lives with placement, above the engines), so it is the default ceilings' ratio:
 * a second dispatch with its barrier costs a GPU ≥ 5 µs in a batch (placement's GPU default is 60 µs for a
 * whole round trip), one workgroup streams ≥ 10 GB/s, so one workgroup folds ≥ 5 µs · 10 GB/s / 4 B ≈ 12 500
 * f32 in the time the extra dispatch costs; 2^14 is the candidate geometry nearest above it (ITEMS 16).
 * `gpukit tune` replaces it with the adapter's measured winner per size class (it times whole reductions,
 * so a larger block winning at a small size is a measured choice of one dispatch).
 */
const GPU_ONE_GROUP = 256 * 16 * 4;

export const reductionTunable = registerTunable({
  op: 'reduce',
  sizes: [2 ** 12, 2 ** 16, 2 ** 20, 2 ** 24],
  candidates: (ctx) =>
    [8, 16, 64, 256]
      .flatMap((WG) => [4, 16, 64, 256, 1024, 2048].flatMap((ITEMS) => [0, 1].map((TREE) => ({ WG, ITEMS, TREE }))))
      .filter((p) => p.WG <= ctx.limits.maxComputeInvocationsPerWorkgroup),
  // Software adapter: one 8-lane row per workgroup, no barriers, long serial folds of vec4s (one workgroup
  // covers 32768 elements: up to there a reduction is one dispatch, see runReduction).
  // GPU: many short folds and a shared-memory tree per workgroup; up to GPU_ONE_GROUP elements, one
  // workgroup folding 16 vec4s a lane, which makes the reduction one dispatch.
  defaults: (ctx, n) => (softwareProfile(ctx) ? { WG: 8, ITEMS: 1024, TREE: 0 } : { WG: 256, ITEMS: n <= GPU_ONE_GROUP ? 16 : 4, TREE: 1 }),
});

/** The tuned geometry of a reduction (tuning's names). */
interface Geometry {
  readonly WG: number;
  readonly ITEMS: number;
  readonly TREE: number;
}

/** The geometry as the generated code's override constants. */
function overrides(c: Geometry): Record<string, number> {
  return { _WG: c.WG, _ITEMS: c.ITEMS, _TREE: c.TREE };
}

export class ReductionBuilder {
  readonly name: string;
  readonly args: readonly ArgSpec[];
  readonly parts: ReductionParts;
  readonly #vec4Fails = new Set<string>();
  /** Dtypes whose map/reduce also work on vec4 values (so the first pass keeps a vec4 accumulator). */
  readonly #vecAcc = new Set<string>();
  #noVecAcc = false;

  readonly #key: string | undefined;

  constructor(spec: ReductionSpec, prelude?: string, vecAccDTypes: readonly DType[] = [], key?: string, rawAllowed = false) {
    for (const d of vecAccDTypes) this.#vecAcc.add(d);
    this.#key = key;
    const parsed = parseReduction(spec, rawAllowed);
    this.name = parsed.name;
    this.args = parsed.args;
    // On vec4 values `i` would be a vec4<u32>: a map that uses it folds lane by lane.
    if (usesIndex(parsed.parts.map)) this.#noVecAcc = true;
    this.parts = { ...parsed.parts, ...(prelude !== undefined ? { prelude } : {}) };
  }

  /**
   * Checks the expressions up front (shader modules only: the variants that run are compiled when first
   * dispatched), so a bad one is a ShaderCompileError pointing into it, and learns which vec4 shape works.
   */
  async prepare(ctx: DeviceContext): Promise<void> {
    const dtypes: DType[] = this.args.some((a) => a.type === 'T') ? ['f32', 'i32', 'u32'] : ['f32'];
    let firstError: ShaderCompileError | undefined;
    for (const dtype of dtypes) {
      const g = reductionWgsl(this.name, this.args, this.parts, dtype, 1);
      const e = await moduleError(ctx, g.code, `reduction|${this.name}|${dtype}`, g.mapper);
      if (e !== undefined) {
        firstError ??= e;
        continue;
      }
      const va = reductionWgsl(this.name, this.args, this.parts, dtype, 4, true);
      if (!this.#noVecAcc && (await moduleError(ctx, va.code, `reduction|${this.name}|${dtype}|vec4acc`)) === undefined) {
        this.#vecAcc.add(dtype);
        return;
      }
      const v = reductionWgsl(this.name, this.args, this.parts, dtype, 4);
      if ((await moduleError(ctx, v.code, `reduction|${this.name}|${dtype}|vec4`)) !== undefined) this.#vec4Fails.add(dtype);
      return;
    }
    throw firstError ?? new ArgumentError(`reduction '${this.name}': the expressions do not compile`);
  }

  #constants(ctx: DeviceContext, n: number): Geometry {
    const p: TuneParams = tunedParams(ctx, reductionTunable, n);
    return { WG: p['WG'] ?? 64, ITEMS: p['ITEMS'] ?? 16, TREE: p['TREE'] ?? 0 };
  }

  #record(ctx: DeviceContext, code: string): void {
    if (this.#key !== undefined) builderCache(ctx).record(this.#key, code);
  }

  #kernel(ctx: DeviceContext, dtype: DType, width: 1 | 4, entryPoint: 'first' | 'rest', c: Geometry): Kernel {
    const vecAcc = width === 4 && entryPoint === 'first' && this.#vecAcc.has(dtype) && !this.#noVecAcc;
    const g = reductionWgsl(this.name, this.args, this.parts, dtype, width, vecAcc);
    this.#record(ctx, g.code);
    return compileKernelSync(ctx, g.code, { entryPoint: `_${entryPoint}`, label: `reduction|${this.name}|${dtype}|${entryPoint}${width === 4 ? (vecAcc ? '|vec4acc' : '|vec4') : ''}`, constants: overrides(c) });
  }

  call(input: readonly unknown[]): DeviceArray {
    const { input: args, axis } = axisCallOptions(this.name, input);
    const named = bindArgs(this.name, this.args, args);
    const arrays = this.args.filter((a) => a.array);
    const { dtype: dt, n, shape, given } = resolveArrays(this.name, this.args, named);
    // Here, not when the uniform is written: along axes an empty result writes none.
    checkScalars(this.name, this.args, named, dt);
    if (axis !== undefined) return this.#callAxis(named, dt, shape, given, axis);
    const ctx = deviceOf(this.name, ...given);
    if (this.#key !== undefined) builderCache(ctx).touch(this.#key, this);
    // Inputs of different shapes broadcast together (NumPy's rule); the reduction runs over that shape.
    broadcastArgs(this.name, this.args, named, [], shape);
    const R: DType = this.parts.type === 'T' ? dt : this.parts.type;
    const scalars: Record<string, number> = {};
    for (const a of this.args) if (!a.array) scalars[a.name] = named[a.name] as number;
    // Raw arrays bind whole on every pass over a chunk (the prelude reads them by index).
    const mapped = arrays.filter((a) => a.raw !== true);
    const raws = arrays.filter((a) => a.raw === true);
    return runReduction(this.name, ctx, n, R, this.#constants(ctx, n), (width, entry, c) => this.#kernel(ctx, dt, this.#vec4Fails.has(dt) ? 1 : width, entry, c), Object.fromEntries(mapped.map((a) => [a.name, named[a.name] as DeviceArray])), scalars, Object.fromEntries(raws.map((a) => [a.name, named[a.name] as DeviceArray])));
  }


  /** Along axes: the reduced axes moved last (views, gathered by the kernel), one invocation per row. */
  #callAxis(named: Record<string, DeviceArray | number>, dt: DType, shape: readonly number[], given: readonly DeviceArray[], opts: AxisOptions): DeviceArray {
    const ctx = deviceOf(this.name, ...given);
    if (this.#key !== undefined) builderCache(ctx).touch(this.#key, this);
    broadcastArgs(this.name, this.args, named, [], shape);
    const plan = axisPlan(this.name, shape, opts);
    const R: DType = this.parts.type === 'T' ? dt : this.parts.type;
    const out = new DeviceArray(ctx, R, plan.outShape);
    if (plan.rows === 0) {
      // Nothing to compute: the empty result still takes the failure of a failed input (issue 24 item 12).
      ctx.noWork(`reduction|${this.name}|empty`, given.flatMap((g) => g.storageBuffers), out.storageBuffers);
      return out;
    }
    const bound: Record<string, DeviceArray | number> = {};
    for (const a of this.args) {
      const v = named[a.name];
      if (v instanceof DeviceArray) bound[a.name] = v.transpose(plan.order); // scalars travel in params
    }
    const g = reductionWgsl(this.name, this.args, this.parts, dt, 1, false, true);
    this.#record(ctx, g.code);
    const kernel = compileKernelSync(ctx, g.code, { entryPoint: '_rows', label: `reduction|${this.name}|${dt}|rows`, constants: { _WG: 64, _ITEMS: 1, _TREE: 0 } });
    const scalars: Record<string, number> = {};
    for (const a of this.args) if (!a.array) scalars[a.name] = named[a.name] as number;
    try {
      kernel.run({ ...bound, _partials_out: out, params: { _n: plan.R, _span: plan.rows, _last: 1, _base: 0, _total: plan.R, _pbase: 0, ...scalars } }, { invocations: plan.rows });
    } catch (e) {
      out.destroy();
      throw e;
    }
    return out;
  }
}

/**
 * Enqueues the passes of a reduction over n elements and returns its 0-d result (shape []): a first pass over
 * the inputs, then passes over partials until one value is left (that pass applies `post`). A pass that runs
 * one workgroup is the last: an input within one workgroup's block (WG·ITEMS, ·4 with vec4 loads) is one
 * dispatch.
 */
function runReduction(
  op: string,
  ctx: DeviceContext,
  n: number,
  R: DType,
  c: Geometry,
  kernel: (width: 1 | 4, entry: 'first' | 'rest', c: Geometry) => Kernel,
  inputs: Record<string, DeviceArray>,
  scalars: Record<string, number>,
  whole: Record<string, DeviceArray> = {},
): DeviceArray {
  // The kernels index with u32 (`_base`, `_total`); checked before any per-chunk work, which for a huge
  // broadcast view (2^52 elements) would build millions of chunk descriptors first.
  checkElements(op, n);
  const out = new DeviceArray(ctx, R, []);
  // Partials live in pooled scratch arrays, released as soon as the passes are encoded (the pool reuses
  // them only for later work, which the queue orders after these passes).
  const scratch: DeviceArray[] = [];
  const temp = (len: number): DeviceArray => {
    const a = new DeviceArray(ctx, R, Math.max(1, len));
    scratch.push(a);
    return a;
  };
  try {
    const first = kernel(4, 'first', c);
    const width = first.label.includes('|vec4') ? 4 : 1;
    // A pass over `count` items runs ceil(count / ITEMS) active invocations (at least one, so an empty
    // input still yields post(identity)); each writes a partial, or each workgroup does with TREE.
    // Passes over partials fold at least 2 items each, so every pass shrinks the count.
    const restC = { ...c, ITEMS: Math.max(2, c.ITEMS) };
    // A pass of one workgroup combines its invocations' accumulators in workgroup memory whatever TREE says
    // (the kernel's `_last`), so it writes the result: a pass ends the reduction as soon as it fits in one
    // workgroup. For the first pass that is n ≤ WG·ITEMS (·4 with vec4 loads): the tuned geometry's own
    // block, so the cut-over between one dispatch and two moves with the adapter's tuning (`gpukit tune`
    // times whole reductions, so a winner with a larger block at a small size class is a measured choice
    // of one dispatch over a wider first pass). Below it the first pass ran one workgroup anyway: one
    // dispatch saves the pass over its partials and loses no parallelism.
    const one = ctx.onePassReductions;
    const plan = (count: number, items: number): { active: number; groups: number; outputs: number } => {
      const active = Math.max(1, Math.ceil(count / items));
      const groups = Math.ceil(active / c.WG);
      return { active, groups, outputs: c.TREE || (one && groups === 1) ? groups : active };
    };
    // The first pass covers the input in blocks of WG·ITEMS per workgroup; every invocation writes a partial
    // (each workgroup one with TREE, and a lone workgroup the result when the pass is the whole input's:
    // `whole`; a chunk's pass never is).
    const firstPlan = (len: number, whole: boolean): { active: number; groups: number; outputs: number } => {
      const groups1 = Math.max(1, Math.ceil((width === 4 ? Math.ceil(len / 4) : len) / (c.WG * c.ITEMS)));
      return { active: groups1 * c.WG, groups: groups1, outputs: c.TREE || (whole && one && groups1 === 1) ? groups1 : groups1 * c.WG };
    };
    const chunk = chunkElements(ctx.limits);
    let p: { active: number; groups: number; outputs: number };
    let dst: DeviceArray;
    if (n <= chunk) {
      p = firstPlan(n, true);
      dst = p.outputs === 1 ? out : temp(p.outputs);
      first.run({ ...inputs, ...whole, _partials_out: dst, params: { _n: n, _span: p.active, _last: p.outputs === 1 ? 1 : 0, _base: 0, _total: n, _pbase: 0, ...scalars } }, { workgroups: gridOf(ctx, p.groups) });
    } else {
      // Larger than one binding: a first pass per chunk (its inputs bound as aligned windows), each writing
      // its partials after the previous chunk's; the passes over partials then fold them all, as usual.
      const flat = windowable(op, inputs, ctx.limits.maxStorageBufferBindingSize, true);
      const parts = pieces(n, chunk);
      const plans = parts.map((q) => firstPlan(q.length, false));
      dst = temp(plans.reduce((a, q) => a + q.outputs, 0));
      let at = 0;
      parts.forEach((q, k) => {
        const pk = plans[k] ?? firstPlan(q.length, false);
        const bound: Record<string, DeviceArray> = {};
        try {
          for (const [name, a] of Object.entries(flat)) bound[name] = a.slice([q.start, q.start + q.length]); // a window when aligned, else a copy
          first.run({ ...bound, ...whole, _partials_out: dst, params: { _n: q.length, _span: pk.active, _last: 0, _base: q.start, _total: n, _pbase: at, ...scalars } }, { workgroups: gridOf(ctx, pk.groups) });
        } finally {
          for (const w of Object.values(bound)) w.destroy();
        }
        at += pk.outputs;
      });
      for (const a of Object.values(flat)) a.destroy();
      p = { active: 0, groups: 0, outputs: at };
    }
    let count = p.outputs;
    const rest = count > 1 ? kernel(1, 'rest', restC) : undefined;
    while (rest !== undefined && count > 1) {
      const src = dst;
      p = plan(count, restC.ITEMS);
      dst = p.outputs === 1 ? out : temp(p.outputs);
      rest.run({ _partials_in: src, _partials_out: dst, params: { _n: count, _span: p.active, _last: p.outputs === 1 ? 1 : 0, _base: 0, _total: count, _pbase: 0, ...scalars } }, { workgroups: gridOf(ctx, p.groups) });
      count = p.outputs;
    }
  } catch (e) {
    out.destroy();
    throw e;
  } finally {
    for (const s of scratch) s.destroy();
  }
  return out;
}

function gridOf(ctx: DeviceContext, groups: number): [number, number, number] {
  return foldGroups(groups, ctx.limits.maxComputeWorkgroupsPerDimension);
}

/**
 * Builds a reduction kernel (CuPy's ReductionKernel): `map` each element, fold with `reduce` from
 * `identity`, apply `post`. Works for any n in as many passes as needed (one dispatch while n fits one
 * workgroup's block: 32768 elements with the software adapter's defaults, 16384 with a GPU's, or what
 * `gpukit tune` chose) and returns a device scalar
 * (a 0-d DeviceArray, shape [], as NumPy's reductions return), so reductions chain without a round trip; `await s.item()` reads it.
 *
 * @example
 * ```ts
 * const dot = await device.reduction({ args: 'x: T[], y: T[]', map: 'x * y', reduce: 'a + b', identity: '0' });
 * const s = dot(x, y);
 * console.log(await s.item());
 * ```
 */
export async function buildReduction(ctx: DeviceContext, spec: ReductionSpec): Promise<ReductionFn> {
  if (typeof spec !== 'object' || (spec as unknown) === null) parseReduction(spec); // throws the typed error
  const key = `reduction|${JSON.stringify([spec.name ?? '', spec.args, spec.map ?? '', spec.reduce, spec.identity, spec.post ?? '', spec.type ?? ''])}`;
  const b = builderCache(ctx).use(key, () => new ReductionBuilder(spec, undefined, [], key));
  await b.prepare(ctx);
  return wrap(b);
}

function wrap(b: ReductionBuilder): ReductionFn {
  const fn = (...input: unknown[]) => b.call(input);
  const wgsl = (dtype: DType = 'f32', width: 1 | 4 = 1): string => {
    checkVariant(b.name, dtype, width);
    return reductionWgsl(b.name, b.args, b.parts, dtype, width).code;
  };
  return Object.assign(fn, { wgsl });
}

// IEEE NaN tests by bit pattern: `x != x` may be folded away by a fast-math compiler.
const NAN_PRELUDE = `fn _is_nan(v: R) -> bool {
  return (bitcast<u32>(f32(v)) & 0x7fffffffu) > 0x7f800000u;
}`;

const ready = new Map<string, ReductionBuilder>();
const ALL: readonly DType[] = ['f32', 'i32', 'u32', 'f16'];

/** @internal A built-in reduction (cached by `key`); `vecAcc` lists the dtypes whose expressions are known to work on vec4s. */
export function builtinReduction(key: string, spec: ReductionSpec, prelude?: string, vecAcc: readonly DType[] = ALL): ReductionBuilder {
  let b = ready.get(key);
  if (b === undefined) ready.set(key, (b = new ReductionBuilder(spec, prelude, vecAcc)));
  return b;
}


/**
 * A whole-array reduction of a float dtype as data: its spec (`x` the array it reads), the module-scope
 * prelude its expressions use, the scalars it takes after x, and the builder key. Fusion
 * (src/backends/dawn/fusion.ts) reuses it with a map that computes x's elements instead of reading them.
 */
export interface FloatReduction {
  readonly key: string;
  readonly spec: ReductionSpec;
  readonly prelude?: string;
  readonly scalars: readonly number[];
}

/** sum, mean, min, max or norm of a float array of n elements, as {@link FloatReduction}. */
export function floatReduction(op: 'sum' | 'mean' | 'min' | 'max' | 'norm', n: number): FloatReduction {
  switch (op) {
    case 'norm':
      return { key: 'norm', spec: { name: 'norm', args: 'x: T[]', map: 'x * x', reduce: 'a + b', identity: '0', post: 'sqrt(a)' }, scalars: [] };
    case 'sum':
      return { key: 'sum', spec: { name: 'sum', args: 'x: T[]', reduce: 'a + b', identity: '0' }, scalars: [] };
    case 'mean':
      return { key: 'mean', spec: { name: 'mean', args: 'x: T[], inv_n: f32', reduce: 'a + b', identity: '0', post: 'a * T(params.inv_n)' }, scalars: [1 / n] };
    case 'min':
    case 'max':
      // The identity is ±Inf, which WGSL refuses as a constant, so it arrives as a uniform value.
      return {
        key: `${op}|float`,
        spec: {
          name: op,
          args: 'x: T[], inf: f32',
          // NaN wins: IEEE min/max would drop it, but a reduction over data holding a NaN must say so.
          reduce: `select(${op}(a, b), select(b, a, _is_nan(a)), _is_nan(a) || _is_nan(b))`,
          identity: op === 'min' ? 'T(params.inf)' : '-T(params.inf)',
        },
        prelude: NAN_PRELUDE,
        scalars: [Infinity],
      };
  }
}

function minmax(op: 'min' | 'max', x: DeviceArray): DeviceArray {
  if (x.dtype === 'f32' || x.dtype === 'f16') {
    const r = floatReduction(op, x.length);
    return builtinReduction(r.key, r.spec, r.prelude, []).call([x, ...r.scalars]);
  }
  const identity = x.dtype === 'u32' ? (op === 'min' ? '0xffffffffu' : '0u') : op === 'min' ? '2147483647i' : '-2147483647i - 1i';
  return builtinReduction(`${op}|${x.dtype}`, { name: op, args: 'x: T[]', reduce: `${op}(a, b)`, identity }).call([x]);
}

/**
 * The reduction of a recorded chain (x lazy, f32): the chain composed into a function the reduction's map
 * calls, so `sum(mul(x, y))` is one kernel reading x and y, as dot is. Undefined when x is not a chain.
 */
function fusedReduce(ctx: DeviceContext, op: ReduceCall['op'], x: DeviceArray): DeviceArray | undefined {
  if (x.dtype !== 'f32' || x.length === 0) return undefined;
  const p = fusionOf(ctx).prologue(x);
  if (p === undefined) return undefined;
  try {
    const r = floatReduction(op, x.length);
    const extra = r.spec.args.split(',').slice(1).map((a) => a.trim());
    const args = [p.args, ...extra].join(', ');
    // A reduction with a map of its own (norm's x * x) applies it to the chain's element, computed once.
    const own = r.spec.map === undefined ? '' : `\nfn _reduce_map(x: f32) -> f32 {\nreturn ${r.spec.map};\n}`;
    const spec: ReductionSpec = { ...r.spec, name: `${op}(${p.name})`, args, map: r.spec.map === undefined ? p.map : `_reduce_map(${p.map})` };
    const prelude = `${r.prelude ?? ''}\n${p.prelude}${own}`;
    const key = `fused|${op}|${args}|${prelude}`;
    const b = builderCache(ctx).use(key, () => new ReductionBuilder(spec, prelude, [], key, true));
    return b.call([...p.values, ...r.scalars]);
  } finally {
    p.done();
  }
}

/** sum, mean, min, max or norm of all of x's elements, as a 0-d array (shape []). */
export function dawnReduce(ctx: DeviceContext, { op, x }: ReduceCall): DeviceArray {
  // A recorded chain under x runs as this reduction's map: one kernel, x never written.
  const fused = fusedReduce(ctx, op, x);
  if (fused !== undefined) return fused;
  switch (op) {
    case 'sum':
    case 'mean':
    case 'norm': {
      const r = floatReduction(op, x.length);
      return builtinReduction(r.key, r.spec).call([x, ...r.scalars]);
    }
    case 'min':
    case 'max':
      return minmax(op, x);
  }
}

/** Σ x·y, as a 0-d array. */
export function dawnDot(_ctx: DeviceContext, { x, y }: DotCall): DeviceArray {
  return builtinReduction('dot', { name: 'dot', args: 'x: T[], y: T[]', map: 'x * y', reduce: 'a + b', identity: '0' }).call([x, y]);
}
