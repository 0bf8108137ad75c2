/**
 * Fusion on Dawn: the math ops (src/ops/math.ts) record their call as a lazy array instead of dispatching
 * (src/fusion/node.ts holds the graph and composes it); the first use of a lazy array's memory (a kernel
 * binding it, a readback, a copy, a view of it) compiles the chain under it into one elementwise kernel and
 * runs it. Writes to memory a recorded chain reads (any dispatch, copy or clear that writes it, a host
 * write, destroying its owner) compute the chains that read it first, so they see the values they were
 * recorded against; `sync()` and the end of the current tick compute the chains nothing else consumes.
 * See docs/notes/fusion.md.
 */
import { DeviceArray } from '../../buffers/device-array.js';
import { Storage } from '../../buffers/storage.js';
import { wgslOf } from '../../buffers/dtype.js';
import { argsOf, ChainCache, composeChain, nodeOf, readsAny, type ChainText, type FuseNode } from '../../fusion/node.js';
import { compute, EndOfTick, liveEntries, ownView, recordable, Recording, recordNode, rootsOf, type FuseLimits, type LiveEntry } from '../../fusion/record.js';
import { rowLayout } from '../../fusion/row-layout.js';
import type { UniformValue } from './uniform.js';
import type { ArgSpec } from '../../kernels/codegen.js';
import type { MathCall } from '../../ops/math.js';
import { deviceOf } from '../../ops/util.js';
import type { DeviceContext, FusionHooks } from './context.js';
import { fusedElementwise, readyElementwise } from './ops/elementwise.js';

/**
 * The largest fused kernel body, in estimated WGSL characters (`opCost` per op, src/fusion/record.ts): a longer chain is cut
 * (its operands computed first). A chain of a hundred scalar-operand ops is ~15 000: one kernel; lavapipe
 * compiles a 40 000-character body in well under a second.
 */
export const MAX_FUSED_COST = 40_000;
/** The largest body run per lane in a vec4 kernel (it is inlined four times); a larger one runs scalar code. */
export const MAX_LANES_COST = 12_000;
/** The most ops one fused kernel holds, whatever their size (a bound on the kernel's live values). */
export const MAX_FUSED_OPS = 256;
/**
 * The most JS-scalar operands one fused kernel takes: each is a parameter of the builder's body function,
 * and WGSL allows 255 (the arrays, the shared constants, the index and the length take the rest).
 */
export const MAX_FUSED_SCALARS = 224;
/** The most arrays one fused kernel reads (WebGPU guarantees 8 storage bindings: these and the output). */
export const MAX_FUSED_INPUTS = 7;

const DAWN_LIMITS: FuseLimits = { ops: MAX_FUSED_OPS, cost: MAX_FUSED_COST, scalars: MAX_FUSED_SCALARS, inputs: MAX_FUSED_INPUTS };

/**
 * A product fusion may record (src/backends/dawn/ops/matmul.ts): its operands and shape, and its ways to
 * run. Handed over as functions, so fusion does not import the matmul kernels (they import fusion).
 */
export interface RecordedProduct {
  readonly a: DeviceArray;
  readonly b: DeviceArray;
  readonly m: number;
  readonly n: number;
  /**
   * The product alone, exactly as unfused (with these operands: fusion's views or keepers of them). Its
   * kernel was compiled at the call (a compile failure is the call's error, as unfused).
   */
  run(a: DeviceArray, b: DeviceArray): DeviceArray;
  /**
   * The product's kernel with an elementwise chain applied to each element at its store, compiled now (a
   * compile failure throws here, before anything is allocated or enqueued), and a function running it: one
   * dispatch, returning the chain's result and, with `epilogue.product`, the plain product too.
   */
  withEpilogue(epilogue: MatmulEpilogue): (a: DeviceArray, b: DeviceArray) => { out: DeviceArray; product: DeviceArray | undefined };
  /** The WGSL it runs (with the epilogue when given). */
  source(epilogue?: MatmulEpilogue): string;
}

/**
 * An elementwise chain as a product's epilogue: `wgsl` declares its bindings (from 4 on; from 5 with
 * `product`) and `fn fused_epilogue(facc: f32, frow: u32, fcol: u32) -> f32`, which the kernel's store
 * calls; `args` binds them by name (arrays, and the uniform `fepi` of the chain's scalars). `name`:
 * `epilogue(add,relu)`, or `epilogue(add,relu)+product` when the kernel also stores the plain product.
 */
export interface MatmulEpilogue {
  readonly name: string;
  /**
   * Whether the kernel also stores the plain product (binding 4, `prod`: the `PRODUCT` flag of the
   * kernels), for a product array still held, so that reading it later computes nothing again.
   */
  readonly product: boolean;
  readonly wgsl: string;
  readonly args: Readonly<Record<string, DeviceArray | Record<string, number>>>;
}

/**
 * The most arrays an epilogue binds besides the product's a, b and out (bindings 4..8: WebGPU guarantees 8
 * storage bindings); one fewer when the kernel also stores the plain product (`prod`, binding 4).
 */
export const MAX_EPILOGUE_INPUTS = 5;

/**
 * The most arrays a fused row kernel reads (kernels/reduce-rows.wgsl FUSED: bindings from 4 on, beside
 * `out` and softmax's `y`, within the 8 storage bindings WebGPU guarantees).
 */
export const MAX_ROW_INPUTS = 6;

/**
 * A recorded chain as the row kernel's x (kernels/reduce-rows.wgsl composed with FUSED): `wgsl` declares
 * its bindings (from 4 on), its uniform `frp`, `fn fused_row(row: u32, base: u32)`,
 * `fn fused_x(e: u32) -> f32` and `fn fused_x4(e: u32) -> vec4<f32>`; `args` binds them by name. `name`: `fused(mul)`. `done()` frees what the
 * composition made (after the kernel is enqueued).
 */
export interface RowPrologue {
  readonly name: string;
  readonly wgsl: string;
  readonly args: Readonly<Record<string, DeviceArray | UniformValue>>;
  done(): void;
}

/**
 * Whether the graph under `node` reads any of `written` now (a destroyed operand reads its keeper's memory).
 * `seen` is shared by the checks of one pass, so chains sharing a graph are walked once.
 */
function readsBuffer(node: FuseNode, written: ReadonlySet<GPUBuffer>, keepers: WeakMap<DeviceArray, DeviceArray>, seen = new Map<FuseNode, boolean>()): boolean {
  return readsAny(node, (l) => {
    const a = keepers.get(l) ?? l;
    return nodeOf(a) === undefined && !a.destroyed && a.storageBuffers.some((b) => written.has(b));
  }, seen);
}

/** One device's recorded chains. */
export class DawnFusion implements FusionHooks {
  readonly #ctx: DeviceContext;
  /** Lazy arrays not computed yet (weakly: one nobody holds is never computed). */
  readonly #live = new Set<LiveEntry>();
  /** Nodes a computed chain held as intermediates: sync() and the end of the tick leave them lazy. */
  readonly #absorbed = new WeakSet<FuseNode>();
  #busy = 0;
  /** Destroyed arrays that recorded chains still read, by the view of the memory fusion kept for them. */
  readonly #keepers = new WeakMap<DeviceArray, DeviceArray>();
  /** Fusion's views of the computed arrays recorded chains read (see {@link #own}). */
  readonly #views = new WeakMap<DeviceArray, DeviceArray>();
  /** Memory taken over from destroyed owners (see {@link keep}), freed once no recorded chain reads it. */
  readonly #kept = new Set<Storage>();
  readonly #tick = new EndOfTick(() => this.#ctx.closed, () => {
    this.flushRoots();
  });
  /** Products an epilogue kernel also stored, until their lazy array takes the memory (at once). */
  readonly #stored = new Map<FuseNode, DeviceArray>();
  /** Epilogue kernels that failed to compile (their chains ran after the plain product): logged once each. */
  readonly #failed = new Set<string>();

  /**
   * Chain texts by structure (a loop recording the same chain composes it once); GPUKIT_FUSE_CACHE=0 (read
   * when the device opens) composes each chain afresh, which tests compare against.
   */
  readonly #chains: ChainCache | undefined = process.env['GPUKIT_FUSE_CACHE'] === '0' ? undefined : new ChainCache();
  /** Each cached text's builders (scalar, lanes): no builder-cache lookup by the whole text per dispatch. */
  readonly #builders = new WeakMap<ChainText, [ReturnType<typeof fusedElementwise> | undefined, ReturnType<typeof fusedElementwise> | undefined]>();
  /** Each cached builder's prepared dispatches, by output shape (null: that call needed the general path). */
  readonly #runners = new WeakMap<ReturnType<typeof fusedElementwise>, Map<string, Runner | null>>();

  constructor(ctx: DeviceContext) {
    this.#ctx = ctx;
  }

  /**
   * Runs a composed chain. A chain composed before (its text cached) runs through a dispatch prepared once
   * per output shape (ElementwiseBuilder.planned: kernels, constants and sizes kept; the arrays bound and
   * the uniform packed from this call's values), as jit's replay does; anything the prepared dispatch does
   * not cover (a broadcast leaf, a changed tuning) goes through the builder's general path, as before.
   */
  #run(c: ReturnType<typeof composeChain>): DeviceArray {
    const b = this.#builder(c);
    const checked = { named: c.named, dtype: c.dtype, n: c.size, shape: [...c.shape], given: [...c.leaves] };
    if (this.#chains !== undefined) {
      let byShape = this.#runners.get(b);
      if (byShape === undefined) this.#runners.set(b, (byShape = new Map<string, Runner | null>()));
      const key = c.shape.join(',');
      let runner = byShape.get(key);
      if (runner === undefined) {
        runner = b.planned(checked) ?? null;
        if (byShape.size >= 16) byShape.clear();
        byShape.set(key, runner);
      }
      const r = runner?.(c.named);
      if (r !== undefined) return r;
    }
    return b.run(checked);
  }

  /** The elementwise builder of a composed chain. */
  #builder(c: ReturnType<typeof composeChain>): ReturnType<typeof fusedElementwise> {
    const lanes = lanesFit(c);
    if (this.#chains === undefined) return fusedElementwise(this.#ctx, c.name, c.args, c.body, lanes);
    let both = this.#builders.get(c.text);
    if (both === undefined) this.#builders.set(c.text, (both = [undefined, undefined]));
    const k = lanes ? 1 : 0;
    return (both[k] ??= fusedElementwise(this.#ctx, c.name, c.args, c.body, lanes));
  }

  /**
   * Records a math op's checked call as a lazy array, or returns undefined when it runs at once: fusion
   * off, an `out` given, an empty result, f16 (widened in the body; left unfused).
   */
  record(call: MathCall): DeviceArray | undefined {
    const ctx = this.#ctx;
    if (!ctx.fuse || !recordable(call)) return undefined;
    const { checked } = call;
    // What running it now would refuse at once (a destroyed operand, another device's), refused at the call.
    deviceOf(call.name, ...checked.given);
    // A computed operand is held through a view of fusion's own: destroying the caller's view (a
    // temporary the op read) must not take the memory from under the recording.
    const node = recordNode(call, (v) => this.#own(v), DAWN_LIMITS, (s) => s.body);
    if (node === undefined) return undefined;
    const out = this.#lazy(node);
    this.#live.add({ ref: new WeakRef(out), node });
    this.#tick.schedule();
    return out;
  }

  /**
   * Records a product (matmul) as a lazy array: computed at its first use like a chain, or, when a recorded
   * chain reading it is computed first, run with that chain as its epilogue (one dispatch). Its operands
   * are computed now and held like a chain's.
   */
  recordMatmul<D extends 'f32'>(p: RecordedProduct): DeviceArray<D> {
    const a = this.#own(p.a);
    const b = this.#own(p.b);
    const size = p.m * p.n;
    const node: FuseNode = {
      op: 'matmul',
      spec: { args: '', body: '' },
      dtype: 'f32',
      outType: 'f32',
      shape: [p.m, p.n],
      size,
      inputs: [
        { name: 'a', value: a, type: 'f32' },
        { name: 'b', value: b, type: 'f32' },
      ],
      usesT: false,
      ops: 1,
      cost: 0,
      scalars: 0,
      binds: new Set([a, b]),
      single: p,
      opaque: true,
    };
    const out = DeviceArray.lazy<D>(this.#ctx, 'f32' as D, node.shape, new Recording(this, node));
    this.#live.add({ ref: new WeakRef(out), node });
    this.#tick.schedule();
    return out;
  }

  /** A recorded product's operands as a kernel binds them now (a destroyed operand: fusion's keeper). */
  #productOperands(node: FuseNode): [DeviceArray, DeviceArray] {
    const [a, b] = node.inputs.map((i) => {
      const v = i.value as DeviceArray;
      return this.#keepers.get(v) ?? v;
    });
    return [a as DeviceArray, b as DeviceArray];
  }

  /**
   * The chain `c` (composed from `root`) as the epilogue of the one pending product it reads at its own
   * size: undefined unless the result is f32 of the product's shape and every other array it reads is of
   * that shape or a row broadcast along it (or one element), of a 32-bit number type, plain, and few enough
   * to bind. The body is composed as for a fused kernel (the same opaque selects), so each element gets
   * the same f32 operations as the product stored, then the chain.
   */
  #epilogueOf(root: FuseNode, c: ReturnType<typeof composeChain>): { product: FuseNode; leaf: DeviceArray; epilogue: MatmulEpilogue } | undefined {
    // The kernel's T is f32 (an op whose body names T joined only a chain of its own T); the body reads
    // no n-d index or raw array (the elementwise builder's helpers): its element, its operands, i and n.
    if (root.outType !== 'f32' || c.dtype !== 'f32' || c.body.includes('_ind(') || c.body.includes('_raw_')) return undefined;
    let mm: DeviceArray | undefined;
    for (const l of c.leaves) {
      if (nodeOf(l)?.opaque !== true || l.size !== c.size) continue;
      if (mm !== undefined) return undefined;
      mm = l;
    }
    const product = mm === undefined ? undefined : nodeOf(mm);
    // A product another recorded chain reads is computed once, on its own, rather than once per chain.
    if (mm === undefined || product === undefined || this.#readElsewhere(product, new Set(c.nodes))) return undefined;
    // The product's own array not destroyed (the chain reads that array, not a temporary revived from its
    // recording) may be read later: the kernel stores it too, so it is computed once at most. JS cannot
    // tell an array nobody holds any more from one held (the chain's recording holds its operands), so
    // only `destroy()` (or the end of a `using` scope) before the chain runs skips that store.
    const keep = !c.temps.includes(mm);
    const p = product.single as RecordedProduct;
    const { m, n } = p;
    if (c.shape.length !== 2 || c.shape[0] !== m || c.shape[1] !== n) return undefined;
    const strip = (s: readonly number[]): string => {
      let i = 0;
      while (i < s.length && s[i] === 1) i++;
      return s.slice(i).join(',');
    };
    const full = strip([m, n]);
    const decls: string[] = [];
    const lets: string[] = [];
    const fields: string[] = [];
    const uniform: Record<string, number> = {};
    const args: Record<string, DeviceArray | Record<string, number>> = {};
    const first = keep ? 5 : 4;
    let binding = first;
    for (const a of argsOf(c.args)) {
      if (a.name === 'fres') continue;
      const v = c.named[a.name];
      if (v instanceof DeviceArray) {
        if (v === mm) {
          lets.push(`let ${a.name} = facc;`);
          continue;
        }
        const t = v.dtype;
        if ((t !== 'f32' && t !== 'i32' && t !== 'u32') || !v.isPlain) return undefined;
        const shape = strip(v.shape);
        const index = v.size === 1 ? '0u' : shape === full ? 'frow * params.n + fcol' : shape === String(n) ? 'fcol' : undefined;
        if (index === undefined || binding - first >= MAX_EPILOGUE_INPUTS - (keep ? 1 : 0)) return undefined;
        decls.push(`@group(0) @binding(${binding++}) var<storage, read> fep_${a.name}: array<${t}>;`);
        lets.push(`let ${a.name} = fep_${a.name}[${index}];`);
        args[`fep_${a.name}`] = v;
      } else if (typeof v !== 'number' || !scalarField(a, v, c.dtype, 'fepi', { fields, lets, uniform })) return undefined;
    }
    padFields(fields, uniform, 'fpad');
    args['fepi'] = uniform;
    const wgsl = [
      '// the epilogue: an elementwise chain on each element of the product, composed by gpukit fusion',
      ...decls,
      'struct FusedEpilogue {',
      ...fields,
      '}',
      `@group(0) @binding(${binding}) var<uniform> fepi: FusedEpilogue;`,
      'fn fused_epilogue(facc: f32, frow: u32, fcol: u32) -> f32 {',
      'let i = frow * params.n + fcol;',
      'let n = params.m * params.n;',
      ...lets,
      'var fres: f32;',
      `${c.body};`,
      'return fres;',
      '}',
    ].join('\n');
    return { product, leaf: mm, epilogue: { name: `epilogue(${c.ops.join(',')})${keep ? '+product' : ''}`, product: keep, wgsl, args } };
  }

  /**
   * Whether a recorded chain other than the nodes `own` (one being computed) reads the pending `product`:
   * the live recordings' graphs, followed through lazy operands and those destroyed before they were computed.
   */
  #readElsewhere(product: FuseNode, own: ReadonlySet<FuseNode>): boolean {
    const seen = new Set<FuseNode>();
    const reaches = (n: FuseNode): boolean => {
      if (seen.has(n)) return false;
      seen.add(n);
      for (const i of n.inputs) {
        const inner = i.node;
        const v = i.value;
        if (inner === undefined || !(v instanceof DeviceArray) || (nodeOf(v) !== inner && !v.destroyed)) continue;
        if (inner === product) return true;
        if (inner.opaque !== true && reaches(inner)) return true;
      }
      return false;
    };
    return this.#entries().some((e) => e.node !== product && !own.has(e.node) && reaches(e.node));
  }

  /** Fusion's own view of a computed operand (one per array, so a chain binds an array used twice once). */
  #own(v: DeviceArray): DeviceArray {
    return ownView(this.#views, this.#ctx, v);
  }

  /** A lazy array computing `node`. */
  #lazy(node: FuseNode): DeviceArray {
    return DeviceArray.lazy(this.#ctx, node.outType, node.shape, new Recording(this, node));
  }

  /** Computes `node` (a lazy array's first use of its memory). */
  materializeNode(node: FuseNode): DeviceArray {
    return this.#materialize(node);
  }

  /**
   * `jit`'s replay of the chain under `node` (src/fusion/jit.ts): when every array it reads is one of
   * `inputs` (computed arrays the trace was called with), a function that runs the same fused kernel on
   * new inputs of the same shapes and dtypes, with the trace's scalars; undefined otherwise (the chain
   * reads another array, or was cut into kernels).
   */
  replayOf(node: FuseNode, inputs: readonly DeviceArray[]): ((inputs: readonly DeviceArray[]) => DeviceArray) | undefined {
    if (node.opaque === true) return undefined;
    const c = this.#compose(node);
    for (const t of c.temps) t.destroy();
    if (c.temps.length > 0) return undefined;
    const slots: [name: string, input: number][] = [];
    for (const [name, v] of Object.entries(c.named)) {
      if (!(v instanceof DeviceArray)) continue;
      const k = inputs.findIndex((a) => a === v || this.#views.get(a) === v);
      if (k < 0) return undefined;
      slots.push([name, k]);
    }
    const builder = this.#builder(c);
    const { dtype, size } = c;
    const shape = [...c.shape];
    // Built once: the kernels, the uniform of the trace's scalars packed; a replay binds and dispatches.
    const planned = builder.plan({ named: c.named, dtype, n: size, shape, given: [...c.leaves] });
    if (planned !== undefined) {
      return (now) => {
        const arrays: Record<string, DeviceArray> = {};
        for (const [name, k] of slots) arrays[name] = now[k] as DeviceArray;
        return planned(arrays);
      };
    }
    const scalars: Record<string, number> = {};
    for (const [name, v] of Object.entries(c.named)) if (typeof v === 'number') scalars[name] = v;
    return (now) => {
      const named: Record<string, DeviceArray | number> = { ...scalars };
      for (const [name, k] of slots) named[name] = now[k] as DeviceArray;
      return builder.run({ named, dtype, n: size, shape, given: slots.map(([, k]) => now[k] as DeviceArray) });
    };
  }

  /** The WGSL `node` would run (fusedSource). */
  sourceOf(node: FuseNode): string {
    return this.#source(node);
  }

  #compose(node: FuseNode, whole?: (a: DeviceArray) => boolean): ReturnType<typeof composeChain> {
    return composeChain(node, (n) => this.#lazy(n), (a) => this.#keepers.get(a) ?? a, undefined, whole, this.#chains === undefined ? {} : { cache: this.#chains });
  }

  /** Live recorded chains (pruned of the computed and the collected). */
  #entries(): { a: DeviceArray; node: FuseNode }[] {
    return liveEntries(this.#live);
  }

  keep(storage: Storage): boolean {
    if (this.#live.size === 0) return false;
    const written = new Set(storage.buffers);
    const seen = new Map<FuseNode, boolean>();
    const readers = this.#entries().filter((e) => readsBuffer(e.node, written, this.#keepers, seen));
    if (readers.length === 0) return false;
    // The buffers move to a storage of fusion's own: the owner's (and its views') die as destroy says.
    const mine = new Storage(storage.buffers, storage.block, storage.segmentElements);
    const all = new Map<FuseNode, boolean>();
    for (const e of readers) {
      readsAny(e.node, (l) => {
        if (!l.destroyed && nodeOf(l) === undefined && l.storage === storage && !this.#keepers.has(l)) this.#keepers.set(l, new DeviceArray(this.#ctx, l.dtype, l.shape, mine, 'zero', l.layout));
        return false;
      }, all);
    }
    this.#kept.add(mine);
    return true;
  }

  /** Frees kept memory no recorded chain reads any more. */
  #release(): void {
    if (this.#kept.size === 0) return;
    const entries = this.#entries();
    for (const st of [...this.#kept]) {
      const written = new Set(st.buffers);
      const seen = new Map<FuseNode, boolean>();
      if (entries.some((e) => readsBuffer(e.node, written, this.#keepers, seen))) continue;
      this.#kept.delete(st);
      st.released = true;
      this.#ctx.backend.release(st);
    }
  }

  /** Runs the chain under `node` (one op alone: exactly its unfused kernel). */
  #materialize(node: FuseNode): DeviceArray {
    this.#busy++;
    try {
      for (const e of this.#live) if (e.node === node) this.#live.delete(e);
      if (node.opaque === true) {
        const stored = this.#stored.get(node);
        if (stored !== undefined) {
          this.#stored.delete(node);
          return stored;
        }
        return (node.single as RecordedProduct).run(...this.#productOperands(node));
      }
      const c = this.#compose(node);
      try {
        for (const n of c.nodes) if (n !== node) this.#absorbed.add(n);
        // A chain on a pending product: the product's kernel applies it at its store, and stores the plain
        // product too while its array is held (see #epilogueOf), so the product is computed once.
        const e = this.#ctx.epilogues ? this.#epilogueOf(node, c) : undefined;
        const run = e === undefined ? undefined : this.#epilogueKernel(e.product.single as RecordedProduct, e.epilogue);
        if (e !== undefined && run !== undefined) {
          this.#absorbed.add(e.product);
          const r = run(...this.#productOperands(e.product));
          if (r.product !== undefined) {
            // The product's lazy array takes the stored product now (its materialize finds it).
            this.#stored.set(e.product, r.product);
            try {
              compute(e.leaf);
            } catch (err) {
              r.out.destroy();
              throw err;
            } finally {
              this.#stored.get(e.product)?.destroy();
              this.#stored.delete(e.product);
            }
          }
          return r.out;
        }
        // No epilogue (or its kernel did not compile): the chain reads the product as an array, computed
        // first, on its own, by the kernel its call compiled.
        const call = node.single as MathCall;
        // One op whose operands all stand: exactly its unfused kernel (vec4 where the op has it).
        if (c.ops.length === 1 && c.temps.length === 0 && call.checked.given.every((a) => !a.destroyed)) {
          return readyElementwise(call.name, call.spec.args, call.spec.body, call.spec.vec4 !== true)(call.checked);
        }
        return this.#run(c);
      } finally {
        for (const t of c.temps) t.destroy();
      }
    } finally {
      this.#busy--;
      if (this.#busy === 0) this.#release();
    }
  }

  /**
   * The epilogue's kernel, compiled; undefined when it does not compile (a device limit, a driver's
   * refusal): the chain then runs after the plain product, which its call compiled. Logged once per kernel.
   */
  #epilogueKernel(p: RecordedProduct, e: MatmulEpilogue): ReturnType<RecordedProduct['withEpilogue']> | undefined {
    try {
      return p.withEpilogue(e);
    } catch (err) {
      const what = `${e.name}: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`;
      if (!this.#failed.has(what)) {
        this.#failed.add(what);
        process.stderr.write(`gpukit: a matmul ${what.split(/\s+/).join(' ')}; the product and its chain run as separate kernels\n`);
      }
      return undefined;
    }
  }

  #source(node: FuseNode): string {
    if (node.opaque === true) return (node.single as RecordedProduct).source();
    const c = this.#compose(node);
    const e = this.#ctx.epilogues ? this.#epilogueOf(node, c) : undefined;
    try {
      if (e !== undefined) return (e.product.single as RecordedProduct).source(e.epilogue);
    } finally {
      for (const t of c.temps) t.destroy();
    }
    return this.#builder(c).wgsl(c.dtype);
  }

  /**
   * A recorded f32 chain under `x` as a reduction's prologue: a module-scope function of the chain's
   * leaves and scalars (`prelude`), the map expression calling it, the reduction's array and scalar
   * arguments with their values in order. x stays lazy (computed only if it is used elsewhere). `done()`
   * frees what the composition made. Undefined when x is not a chain (or fusion is off).
   */
  prologue(x: DeviceArray): { name: string; prelude: string; map: string; args: string; values: (DeviceArray | number)[]; done: () => void } | undefined {
    const node = this.#prologueNode(x);
    if (node === undefined) return undefined;
    // A one-element plain operand (a 0-d mean: `sub(x, mean(x))`) binds whole and is read at element 0,
    // instead of being broadcast into a copy the size of x first.
    const whole = (a: DeviceArray): boolean => a.size === 1 && node.size > 1 && a.isPlain && (a.dtype === 'f32' || a.dtype === 'i32' || a.dtype === 'u32');
    const c = this.#compose(node, whole);
    for (const n of c.nodes) this.#absorbed.add(n);
    const args = argsOf(c.args).filter((a) => a.name !== 'fres');
    // Raw arrays are module-scope bindings the function reads itself: no parameters.
    const passed = args.filter((a) => a.raw !== true);
    const params = passed.map((a) => `${a.name}: ${wgslOf(a.type === 'T' ? c.dtype : a.type)}`).join(', ');
    return {
      name: c.name,
      prelude: `fn _fused_map(${params}) -> f32 {\nvar fres: f32;\n${c.body};\nreturn fres;\n}`,
      map: `_fused_map(${passed.map((a) => (a.array ? a.name : `params.${a.name}`)).join(', ')})`,
      args: args.map((a) => `${a.name}: ${a.raw === true ? 'raw ' : ''}${a.type}${a.array ? '[]' : ''}`).join(', '),
      values: args.map((a) => c.named[a.name] ?? 0),
      done: () => {
        for (const t of c.temps) t.destroy();
      },
    };
  }

  /** The recorded f32 chain under `x` a reduction may absorb (undefined: x is computed, a product, or fusion is off). */
  #prologueNode(x: DeviceArray): FuseNode | undefined {
    const node = nodeOf(x);
    if (node === undefined || !this.#ctx.fuse || node.outType !== 'f32' || node.opaque === true) return undefined;
    return node;
  }

  /**
   * A recorded f32 chain under `x` as the row kernel's x, for a reduction (or softmax) along the axes
   * `order.slice(kept)` (src/ops/axis.ts's plan): the chain composed as for a fused kernel (the same
   * opaque selects), each element computed where the row kernel loads it (src/fusion/row-layout.ts finds
   * each array's element from the row and the position along it). x stays lazy, as under a whole-array
   * reduction. Undefined (the caller computes x and runs unfused) when the chain reads a pending product
   * at its own size (the product's epilogue takes the chain: one dispatch either way, and the skinny
   * product's needs no transpose), more than {@link MAX_ROW_INPUTS} arrays, an array that is not plain
   * 32-bit numbers within one binding, or when the reduced axes have no single stride (axis (0, 2) of a
   * 3-d chain). Lazy operands that would be broadcast are computed on their own (composeChain), not per
   * element of every row.
   */
  rowPrologue(x: DeviceArray, order: readonly number[], kept: number): RowPrologue | undefined {
    const node = this.#prologueNode(x);
    if (node === undefined) return undefined;
    const c = this.#compose(node);
    const r = this.#rowKernelOf(c, order, kept);
    if (r === undefined) {
      for (const t of c.temps) t.destroy();
      return undefined;
    }
    for (const n of c.nodes) this.#absorbed.add(n);
    return {
      ...r,
      done: () => {
        for (const t of c.temps) t.destroy();
      },
    };
  }

  #rowKernelOf(c: ReturnType<typeof composeChain>, order: readonly number[], kept: number): Omit<RowPrologue, 'done'> | undefined {
    // The kernel's T is f32; the body reads its element and operands only (no n-d index, no raw arrays).
    if (c.dtype !== 'f32' || c.body.includes('_ind(') || c.body.includes('_raw_') || c.leaves.length > MAX_ROW_INPUTS) return undefined;
    const binding = this.#ctx.limits.maxStorageBufferBindingSize;
    for (const l of c.leaves) {
      if ((l.dtype !== 'f32' && l.dtype !== 'i32' && l.dtype !== 'u32') || !l.isPlain || l.length * 4 > binding) return undefined;
      if (nodeOf(l)?.opaque === true && l.size === c.size) return undefined;
    }
    const layout = rowLayout(c.shape, order, kept, c.leaves.map((l) => l.shape));
    if (layout === undefined) return undefined;
    const R = order.slice(kept).reduce((p, d) => p * (c.shape[d] ?? 1), 1);
    const leafAt = new Map(c.leaves.map((l, k) => [l, k]));
    const decls: string[] = [];
    const rowLines: string[] = [];
    const params: string[] = [];
    const lets: string[] = [];
    /** Each array's element at `frk` (scalar) and its four elements from a multiple of 4 (vec4). */
    const one: string[] = [];
    const four: string[] = [];
    const vecFields: string[] = ['kext: vec4<u32>,'];
    const fields: string[] = [];
    const uniform: Record<string, UniformValue> = { kext: layout.kext };
    const args: Record<string, DeviceArray | UniformValue> = {};
    for (const a of argsOf(c.args)) {
      if (a.name === 'fres') continue;
      const v = c.named[a.name];
      if (v instanceof DeviceArray) {
        const k = leafAt.get(v) ?? -1;
        const leaf = layout.leaves[k];
        if (leaf === undefined) return undefined;
        // Contiguous along the rows, each row starting at a multiple of 4: bound as vec4s, a vec4 load for
        // four elements (what the unfused kernel reads). Constant along the row: one load for four.
        const vec = R % 4 === 0 && leaf.k === 1 && leaf.row.every((st) => st % 4 === 0);
        const t = v.dtype;
        const x = `frx_${a.name}`;
        const b = `frb_${a.name}`;
        decls.push(`@group(0) @binding(${4 + k}) var<storage, read> ${x}: array<${vec ? `vec4<${t}>` : t}>;`, `var<private> ${b}: u32;`);
        vecFields.push(`row_${a.name}: vec4<u32>,`);
        uniform[`row_${a.name}`] = leaf.row;
        rowLines.push(`${b} = dot(frc, frp.row_${a.name});`);
        params.push(`${a.name}: ${t}`);
        if (vec) {
          one.push(`${x}[(${b} + frk) >> 2u][(${b} + frk) & 3u]`);
          four.push(`${x}[(${b} + frk) >> 2u]`);
        } else if (leaf.k === 0) {
          one.push(`${x}[${b}]`);
          four.push(`vec4<${t}>(${x}[${b}])`);
        } else {
          fields.push(`k_${a.name}: u32,`);
          uniform[`k_${a.name}`] = leaf.k;
          const at = (j: number): string => `${x}[${b} + (frk + ${j}u) * frp.k_${a.name}]`;
          one.push(at(0));
          four.push(`vec4<${t}>(${at(0)}, ${at(1)}, ${at(2)}, ${at(3)})`);
        }
        args[x] = v;
      } else if (typeof v !== 'number' || !scalarField(a, v, c.dtype, 'frp', { fields, lets, uniform })) return undefined;
    }
    padFields(fields, uniform, 'frpad');
    args['frp'] = uniform;
    const wgsl = [
      '// x: an elementwise chain computed per element, composed by gpukit fusion (src/backends/dawn/fusion.ts rowPrologue)',
      ...decls,
      'struct FusedRows {',
      ...vecFields,
      ...fields,
      '}',
      `@group(0) @binding(${4 + c.leaves.length}) var<uniform> frp: FusedRows;`,
      'var<private> fr_base: u32;',
      '// The row\'s base in each array: its kept coordinates (outermost first) against the array\'s strides.',
      'fn fused_row(row: u32, base: u32) {',
      'var q = row;',
      'var frc = vec4<u32>(0u);',
      'frc.w = q % frp.kext.w; q = q / frp.kext.w;',
      'frc.z = q % frp.kext.z; q = q / frp.kext.z;',
      'frc.y = q % frp.kext.y; q = q / frp.kext.y;',
      'frc.x = q;',
      'fr_base = base;',
      ...rowLines,
      '}',
      '// The chain on one element, given its arrays\' elements.',
      `fn fused_at(${params.join(', ')}) -> f32 {`,
      ...lets,
      'var fres: f32;',
      `${c.body};`,
      'return fres;',
      '}',
      'fn fused_x(e: u32) -> f32 {',
      'let frk = e - fr_base;',
      `return fused_at(${one.join(', ')});`,
      '}',
      '// Four elements from e (a multiple of 4 into the row): each array\'s four at once, the chain per lane.',
      'fn fused_x4(e: u32) -> vec4<f32> {',
      'let frk = e - fr_base;',
      ...four.map((f, k) => `let frv${k} = ${f};`),
      `return vec4<f32>(${['x', 'y', 'z', 'w'].map((l) => `fused_at(${four.map((_, k) => `frv${k}.${l}`).join(', ')})`).join(', ')});`,
      '}',
    ].join('\n');
    return { name: c.name, wgsl, args };
  }

  /** Before GPU work or a host write changes `buffers`: computes the recorded chains that read them. */
  beforeWrite(buffers: readonly GPUBuffer[]): void {
    if (this.#live.size === 0 || this.#busy > 0 || buffers.length === 0) return;
    const written = new Set(buffers);
    const seen = new Map<FuseNode, boolean>();
    for (const e of this.#entries()) if (e.a.pending !== undefined && readsBuffer(e.node, written, this.#keepers, seen)) compute(e.a);
  }

  /** Computes the recorded chains nothing else recorded consumes (the results; their operands join them). */
  flushRoots(): void {
    this.#release();
    if (this.#live.size === 0) return;
    const roots = rootsOf(this.#entries(), this.#absorbed);
    for (const a of roots) if (a.pending !== undefined) compute(a);
  }

}

/**
 * A chain's JS-number operand as a field of the kernel's uniform `u` (a matmul epilogue's, a fused row
 * kernel's): its declaration, the `let` the op's body reads, and its value. False for an operand the
 * uniform cannot hold (an array argument, or a type other than f32, i32, u32).
 */
function scalarField(a: ArgSpec, v: number, dtype: string, u: string, out: { fields: string[]; lets: string[]; uniform: Record<string, number | UniformValue> }): boolean {
  const t = a.type === 'T' ? dtype : a.type;
  if (a.array || (t !== 'f32' && t !== 'i32' && t !== 'u32')) return false;
  out.fields.push(`${a.name}: ${t},`);
  out.lets.push(`let ${a.name} = ${u}.${a.name};`);
  out.uniform[a.name] = v;
  return true;
}

/** Pads a uniform struct's 4-byte fields to a multiple of 16 bytes. */
function padFields(fields: string[], uniform: Record<string, number | UniformValue>, prefix: string): void {
  for (let k = 0; fields.length % 4 !== 0; k++) {
    fields.push(`${prefix}${k}: u32,`);
    uniform[`${prefix}${k}`] = 0;
  }
}

/**
 * Whether a composed chain runs vec4 loads and stores with its body per lane: every array it reads and
 * writes of a 32-bit number type (bool arrays hold a u32 per element, read as bool: no vec4 of them).
 */
function lanesFit(c: ReturnType<typeof composeChain>): boolean {
  const ok = (d: string): boolean => d === 'f32' || d === 'i32' || d === 'u32';
  const root = c.nodes[c.nodes.length - 1];
  // The body is inlined four times: long chains (a compile of their own) stay scalar.
  return root !== undefined && root.cost <= MAX_LANES_COST && ok(root.outType) && c.leaves.every((l) => ok(l.dtype));
}

/** A fused chain's prepared dispatch (see DawnFusion's #run): undefined where the call needs the general path. */
type Runner = (named: Readonly<Record<string, DeviceArray | number>>) => DeviceArray | undefined;

/** The device's fusion state (made on first use). */
export function fusionOf(ctx: DeviceContext): DawnFusion {
  let f = ctx.fusion as DawnFusion | null;
  if (f === null) ctx.fusion = f = new DawnFusion(ctx);
  return f;
}
