/**
 * Fusion on the host (gpujs) engine: the math ops (src/ops/math.ts) record their call as a lazy array
 * instead of running (the graph and its composition are engine-neutral: src/fusion/node.ts,
 * src/fusion/record.ts); the first use of a lazy array's memory (an op reading it, a readback, a copy, a
 * view) composes the chain under it from each op's host body, exactly as its manifest declares it, and runs
 * it as ONE JavaScript loop (src/backends/host/builders.ts translates the composed body as it translates
 * each op's own). `sync()` and the end of the current tick compute the chains nothing else consumes.
 *
 * Semantics, as on Dawn (docs/notes/fusion.md):
 * - Errors belong to the call: the manifest's check runs there, and recording refuses what running would
 *   (a destroyed operand, another device's array).
 * - Bit-identical to unfused: each op's body is the text its unfused loop runs, in a block of its own; the
 *   translation rounds every f32 operation (`Math.fround`) and wraps every i32/u32 one, so a value kept in a
 *   local equals the one the unfused op stores and the next op loads (a bool is held as its u32 0/1, as
 *   bool arrays hold it). JavaScript never reassociates or contracts float operations, so no opaque
 *   selects are needed (Dawn's barriers).
 * - Writes after recording: host memory is reached only through an array's host block (`data`,
 *   `storageBlock`), which an op takes at its call, before it enqueues the work that writes it. Taking the
 *   block of memory a recorded chain reads computes that chain first ({@link HostFusion.touch}), so it
 *   sees the values it was recorded against. This is conservative: an op that only reads that memory
 *   computes the chain too (correct, one fused loop fewer).
 * - Destroying a computed operand computes the chains that read it first (its memory then goes back to
 *   the pool as usual); destroying a lazy operand keeps its recording in the dependents' nodes.
 */
import { DeviceArray } from '../../buffers/device-array.js';
import type { DType } from '../../buffers/dtype.js';
import type { Storage } from '../../buffers/storage.js';
import { composeChain, nodeOf, readsAny, type ComposedChain, type FuseNode } from '../../fusion/node.js';
import { compute, EndOfTick, liveEntries, ownView, recordable, Recording, recordNode, rootsOf, type FuseLimits, type LiveEntry } from '../../fusion/record.js';
import type { MathCall } from '../../ops/math.js';
import type { HostContext } from './context.js';
import { hostBlocksOf } from './backend.js';
import { hostFusedBuilder, hostFusedFoldBuilder, hostReady, type HostFold } from './builders.js';
import { hostOf } from './host-of.js';

/**
 * What bounds one fused loop: the body's estimated size (V8 optimizes a function up to a size; past it the
 * loop would run unoptimized) and its ops. JS has no binding or parameter limits; the scalar and array
 * counts are bounded only to keep the function small.
 */
const HOST_LIMITS: FuseLimits = { ops: 256, cost: 40_000, scalars: 1024, inputs: 64 };

/** Compiled fused loops kept per device (by the chain's composed text: its structure, not its values). */
const MAX_LOOPS = 64;

/** The host body of an op (its NaN tests differ from Dawn's): what its unfused loop runs. */
const hostBody = (s: FuseNode['spec']): string => s.hostBody ?? s.body;

/** A bool is held as its u32 0/1 in the loop, as the host engine's bool arrays hold it. */
const varType = (d: DType): string => (d === 'bool' ? 'u32' : d);

type Loop = ReturnType<typeof hostFusedBuilder>;
type FoldLoop = ReturnType<typeof hostFusedFoldBuilder>;

/** One host device's recorded chains. */
export class HostFusion {
  readonly #host: HostContext;
  /** Lazy arrays not computed yet (weakly: one nobody holds is never computed). */
  readonly #live = new Set<LiveEntry>();
  /** Nodes a computed chain held as intermediates: sync() and the end of the tick leave them lazy. */
  readonly #absorbed = new WeakSet<FuseNode>();
  /** Host blocks that recorded chains read (a superset: cleared when no chain is live). */
  readonly #reads = new Set<ArrayBuffer>();
  /** Fusion's views of the computed arrays recorded chains read (see {@link #own}). */
  readonly #views = new WeakMap<DeviceArray, DeviceArray>();
  /** Compiled loops (elementwise, and folds for reductions) by composed text, most recently used last. */
  readonly #loops = new Map<string, Loop | FoldLoop>();
  #busy = 0;
  #compiled = 0;
  readonly #tick = new EndOfTick(() => this.#host.closed, () => {
    this.flushRoots();
  });

  constructor(host: HostContext) {
    this.#host = host;
  }

  /** Records a math op's checked call as a lazy array, or returns undefined when it runs at once. */
  record(call: MathCall): DeviceArray | undefined {
    if (!this.#host.fuse || !recordable(call)) return undefined;
    // What running it now would refuse at once (a destroyed operand, another device's), refused at the call.
    hostOf(call.name, ...call.checked.given);
    const node = recordNode(call, (v) => this.#own(v), HOST_LIMITS, hostBody);
    if (node === undefined) return undefined;
    for (const l of node.binds) if (nodeOf(l) === undefined) this.#reads.add(l.storage.block as ArrayBuffer);
    const out = this.#lazy(node);
    this.#live.add({ ref: new WeakRef(out), node });
    this.#tick.schedule();
    return out;
  }

  /** Fusion's own view of a computed operand (one per array), so destroying the caller's view leaves it. */
  #own(v: DeviceArray): DeviceArray {
    return ownView(this.#views, this.#host, v);
  }

  #lazy(node: FuseNode): DeviceArray {
    return DeviceArray.lazy(this.#host, node.outType, node.shape, new Recording(this, node));
  }

  #compose(node: FuseNode): ComposedChain {
    return composeChain(node, (n) => this.#lazy(n), undefined, hostBody, undefined, { barriers: false, varType });
  }

  /** The compiled loop of a composed chain (cached per device by its text, which holds no values). */
  #loop(c: ComposedChain): Loop {
    return this.#cached(`${c.args}\n${c.body}`, () => hostFusedBuilder(c.name, c.args, c.body));
  }

  /** The compiled fold of a composed chain under a reduction (cached with the loops, by text and fold). */
  #foldLoop(c: ComposedChain, fold: HostFold): FoldLoop {
    return this.#cached(`fold|${fold}\n${c.args}\n${c.body}`, () => hostFusedFoldBuilder(c.name, c.args, c.body, fold));
  }

  #cached<L extends Loop | FoldLoop>(key: string, make: () => L): L {
    let l = this.#loops.get(key) as L | undefined;
    if (l === undefined) {
      l = make();
      this.#compiled++;
      if (this.#loops.size >= MAX_LOOPS) this.#loops.delete(this.#loops.keys().next().value ?? '');
    } else this.#loops.delete(key);
    this.#loops.set(key, l);
    return l;
  }

  /**
   * A whole-array reduction (`op`, folding as `fold`) of the recorded f32 chain under `x`, as ONE loop that
   * computes each element of the chain and folds it (no array of the chain's elements is written); x stays
   * lazy (computed only if something else uses it). Runs inside the reduction's op (which it names
   * `reduction|<op>(fused(...))|f32` for the profile); `done` gets the folded value on the queue. False
   * when x is not a recorded f32 chain or fusion is off (the caller reduces x unfused).
   */
  reduce(x: DeviceArray, op: string, fold: HostFold, done: (v: number) => void): boolean {
    const node = nodeOf(x);
    if (node === undefined || !this.#host.fuse || node.outType !== 'f32' || node.opaque === true) return false;
    this.#busy++;
    try {
      const c = this.#compose(node);
      try {
        // The chain's nodes are this reduction's now: sync() and the end of the tick leave them lazy.
        for (const n of c.nodes) this.#absorbed.add(n);
        const loop = this.#foldLoop(c, fold);
        this.#host.rename(`reduction|${op}(${c.name})|f32`, () => hostBlocksOf(c.leaves));
        loop.run(this.#host, c.named, c.dtype, c.size, c.shape, done);
        return true;
      } finally {
        for (const t of c.temps) t.destroy();
      }
    } finally {
      this.#busy--;
    }
  }

  get loopsCompiled(): number {
    return this.#compiled;
  }

  /** Live recorded chains (pruned of the computed and the collected). */
  #entries(): { a: DeviceArray; node: FuseNode }[] {
    const out = liveEntries(this.#live);
    if (this.#live.size === 0) this.#reads.clear();
    return out;
  }

  /** Computes `node` (a lazy array's first use of its memory): one loop for the chain under it. */
  materializeNode(node: FuseNode): DeviceArray {
    this.#busy++;
    try {
      for (const e of this.#live) if (e.node === node) this.#live.delete(e);
      const c = this.#compose(node);
      try {
        for (const n of c.nodes) if (n !== node) this.#absorbed.add(n);
        const call = node.single as MathCall;
        const host = this.#host;
        // One op whose operands all stand: exactly its unfused run.
        if (c.ops.length === 1 && c.temps.length === 0 && call.checked.given.every((a) => !a.destroyed)) {
          const { name, spec, named } = call;
          const r = host.op(name, () => hostBlocksOf(named), () => hostReady({ name, args: spec.args, body: hostBody(spec) })(call.checked.named), (r) => hostBlocksOf(r));
          if (this.#live.size > 0) this.#reads.add(r.storage.block as ArrayBuffer);
          return r;
        }
        const loop = this.#loop(c);
        const r = host.op(`elementwise|${c.name}|${c.dtype}`, () => hostBlocksOf(c.leaves), () => loop.run(host, c.named, c.dtype, c.size, c.shape), (r) => hostBlocksOf(r));
        // Recorded chains may read this result as an array now (it was their lazy operand): a write to it
        // must compute them first.
        if (this.#live.size > 0) this.#reads.add(r.storage.block as ArrayBuffer);
        return r;
      } finally {
        for (const t of c.temps) t.destroy();
      }
    } finally {
      this.#busy--;
    }
  }

  /** The JavaScript `node`'s loop would run (fusedSource). */
  sourceOf(node: FuseNode): string {
    const c = this.#compose(node);
    try {
      return `// elementwise '${c.name}' on the host engine: one loop\n${this.#loop(c).source(c.dtype)}`;
    } finally {
      for (const t of c.temps) t.destroy();
    }
  }

  /**
   * Before an array's host block is taken (by an op, a write, a readback): computes the recorded chains
   * that read that memory, so a write after them cannot change what they were recorded against.
   */
  touch(block: ArrayBuffer): void {
    if (this.#busy > 0 || !this.#reads.has(block)) return;
    this.#computeReaders(block);
  }

  /** Before an owner's memory goes back to the pool: the chains that read it are computed first. */
  retiring(storage: Storage): void {
    const block = storage.block;
    if (block === null || !this.#reads.has(block)) return;
    this.#computeReaders(block);
  }

  #computeReaders(block: ArrayBuffer): void {
    const seen = new Map<FuseNode, boolean>();
    const reads = (l: DeviceArray): boolean => nodeOf(l) === undefined && !l.destroyed && l.storage.block === block;
    for (const e of this.#entries()) if (e.a.pending !== undefined && readsAny(e.node, reads, seen)) compute(e.a);
  }

  /** Computes the recorded chains nothing else recorded consumes (the results; their operands join them). */
  flushRoots(): void {
    if (this.#live.size === 0) return;
    for (const a of rootsOf(this.#entries(), this.#absorbed)) if (a.pending !== undefined) compute(a);
    this.#entries();
  }

}


/** The device's fusion state (made on first use, kept on the device's context). */
export function hostFusionOf(host: HostContext): HostFusion {
  let f = host.fusion as HostFusion | null;
  if (f === null) host.fusion = f = new HostFusion(host);
  return f;
}
