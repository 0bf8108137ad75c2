/**
 * Recording a checked math call as a {@link FuseNode}, engine-neutral: both engines' fusion
 * (src/backends/dawn/fusion.ts, src/backends/host/fusion.ts) build their nodes here, with their own limits
 * and their own hold on computed operands. See docs/notes/fusion.md.
 */
import { DeviceArray, type ArrayHome, type PendingSource } from '../buffers/device-array.js';
import type { Storage } from '../buffers/storage.js';
import type { MathCall } from '../ops/math.js';
import { argsOf, mentionsT, nodeOf, type BodyOf, type FuseInput, type FuseNode } from './node.js';

/** What bounds one fused kernel (an engine's own figures). */
export interface FuseLimits {
  /** The most ops, whatever their size. */
  readonly ops: number;
  /** The largest body, in estimated characters ({@link opCost} per op). */
  readonly cost: number;
  /** The most JS-scalar operands. */
  readonly scalars: number;
  /** The most arrays it reads. */
  readonly inputs: number;
}

/** One op's share of a fused body: its text and its block (the operand bindings, `var out`, the result). */
export function opCost(body: string, operands: number): number {
  return body.length + 48 + 72 * operands;
}

/** Computes a lazy array now (its memory is what any use of it needs first). */
export function compute(a: DeviceArray): Storage {
  return a.storage;
}

/**
 * Whether a call is one fusion records at all: no `out` given, a non-empty result, no f16 (widened in the
 * body; left unfused).
 */
export function recordable(call: MathCall): boolean {
  const { spec, checked } = call;
  return checked.named['out'] === undefined && checked.n > 0 && checked.dtype !== 'f16' && !spec.args.includes('f16');
}

/**
 * The node recording `call`. `own(v)` is the engine's hold on a computed operand (a view of its own, so a
 * caller destroying its view leaves the recording's memory alone). Lazy operands that would be recomputed
 * per element of a broadcast, or would take the kernel past `limits`, are computed first and read as
 * arrays. Undefined when an argument is missing (the call then runs as it would unfused).
 */
export function recordNode(call: MathCall, own: (a: DeviceArray) => DeviceArray, limits: FuseLimits, bodyOf: BodyOf): FuseNode | undefined {
  const r = operands(call, own, limits, bodyOf, true);
  if (r === undefined) return undefined;
  const { spec, checked } = call;
  return {
    op: call.name,
    spec,
    dtype: checked.dtype,
    outType: call.dtype,
    shape: call.shape,
    size: checked.n,
    inputs: r.inputs,
    usesT: mentionsT(bodyOf(spec)),
    ops: r.ops,
    cost: r.cost,
    scalars: r.scalars,
    binds: r.binds,
    single: call,
  };
}

function operands(call: MathCall, own: (a: DeviceArray) => DeviceArray, limits: FuseLimits, bodyOf: BodyOf, cut: boolean): { inputs: FuseInput[]; ops: number; cost: number; scalars: number; binds: Set<DeviceArray> } | undefined {
  const { spec, checked } = call;
  const args = argsOf(spec.args);
  const inputs: FuseInput[] = [];
  let ops = 1;
  let arrays = 0;
  let scalars = 0;
  const binds = new Set<DeviceArray>();
  for (const a of args) {
    if (a.name === 'out') continue;
    const v = checked.named[a.name];
    if (v === undefined) return undefined;
    const type = a.type === 'T' ? checked.dtype : a.type;
    const inner = v instanceof DeviceArray ? nodeOf(v) : undefined;
    const value = v instanceof DeviceArray && inner === undefined ? own(v) : v;
    inputs.push({ name: a.name, value, type, ...(inner !== undefined ? { node: inner } : {}) });
    if (value instanceof DeviceArray) arrays++;
    else if (spec.consts?.[a.name] === undefined) scalars++;
  }
  let cost = opCost(bodyOf(spec), arrays);
  for (const i of inputs) {
    const v = i.value;
    if (!(v instanceof DeviceArray)) continue;
    const inner = i.node;
    if (inner === undefined) {
      binds.add(v);
      continue;
    }
    const joins = inner.opaque !== true && inner.size === checked.n && (!inner.usesT || inner.dtype === checked.dtype);
    if (joins) {
      ops += inner.ops;
      cost += inner.cost;
      scalars += inner.scalars;
      for (const l of inner.binds) binds.add(l);
    } else binds.add(v);
  }
  if (!cut) return { inputs, ops, cost, scalars, binds };
  let again = false;
  for (const i of inputs) {
    const v = i.value;
    if (!(v instanceof DeviceArray) || i.node === undefined) continue;
    if (v.size !== checked.n || ops > limits.ops || cost > limits.cost || scalars > limits.scalars || binds.size > limits.inputs) {
      compute(v);
      again = true;
    }
  }
  return again ? operands(call, own, limits, bodyOf, false) : { inputs, ops, cost, scalars, binds };
}

/**
 * The recorded arrays nothing else recorded consumes ("roots"), which `sync()` and the end of the tick
 * compute: every recording under a live one that it would compute with it (lazy operands, and the
 * recordings of operands destroyed before they were computed) is consumed; nodes a computed chain held
 * as intermediates (`absorbed`) stay lazy.
 */
export function rootsOf(live: readonly { readonly a: DeviceArray; readonly node: FuseNode }[], absorbed: WeakSet<FuseNode>): DeviceArray[] {
  const consumed = new Set<FuseNode>();
  for (const e of live) {
    if (absorbed.has(e.node)) continue;
    const stack: FuseNode[] = [e.node];
    for (let n = stack.pop(); n !== undefined; n = stack.pop()) {
      for (const i of n.inputs) {
        const v = i.value;
        if (i.node === undefined || consumed.has(i.node) || !(v instanceof DeviceArray) || (nodeOf(v) !== i.node && !v.destroyed)) continue;
        consumed.add(i.node);
        stack.push(i.node);
      }
    }
  }
  return live.filter((e) => !consumed.has(e.node) && !absorbed.has(e.node)).map((e) => e.a);
}

/** What a lazy array's recording asks of its engine's fusion. */
export interface RecordingEngine {
  /** Computes the node's array (its kernel or loop, with whatever it absorbs). */
  materializeNode(node: FuseNode): DeviceArray;
  /** The generated source {@link materializeNode} would run. */
  sourceOf(node: FuseNode): string;
  /** A replay of the node's kernel over new arrays of the same signature (`jit`), where the engine has one. */
  replayOf?(node: FuseNode, inputs: readonly DeviceArray[]): ((inputs: readonly DeviceArray[]) => DeviceArray) | undefined;
}

/** A lazy array's recording (a class, not closures: one allocation per recorded op), for either engine. */
export class Recording implements PendingSource {
  readonly #engine: RecordingEngine;
  readonly node: FuseNode;

  constructor(engine: RecordingEngine, node: FuseNode) {
    this.#engine = engine;
    this.node = node;
  }

  materialize(): DeviceArray {
    return this.#engine.materializeNode(this.node);
  }

  source(): string {
    return this.#engine.sourceOf(this.node);
  }

  replay(inputs: readonly DeviceArray[]): ((inputs: readonly DeviceArray[]) => DeviceArray) | undefined {
    return this.#engine.replayOf?.(this.node, inputs);
  }
}

/**
 * The end of the current tick for one device's fusion: the first recording schedules one `setImmediate`
 * that computes the chains nothing consumed (`flush`), unless the device closed first. A chain that cannot
 * run there throws again where its result is used (its array stays lazy).
 */
export class EndOfTick {
  readonly #closed: () => boolean;
  readonly #flush: () => void;
  #tick: NodeJS.Immediate | null = null;

  constructor(closed: () => boolean, flush: () => void) {
    this.#closed = closed;
    this.#flush = flush;
  }

  schedule(): void {
    if (this.#tick !== null) return;
    this.#tick = setImmediate(() => {
      this.#tick = null;
      if (this.#closed()) return;
      try {
        this.#flush();
      } catch {
        // Thrown again where the result is used.
      }
    });
    this.#tick.unref();
  }
}

/** A recording that may still be computed: a weak reference to its lazy array, and its node. */
export interface LiveEntry {
  readonly ref: WeakRef<DeviceArray>;
  readonly node: FuseNode;
}

/**
 * The live recordings' arrays and nodes, dropping the entries whose array was computed, destroyed or
 * collected since.
 */
export function liveEntries(live: Set<LiveEntry>): { a: DeviceArray; node: FuseNode }[] {
  const out: { a: DeviceArray; node: FuseNode }[] = [];
  for (const e of live) {
    const a = e.ref.deref();
    if (a?.pending === undefined) live.delete(e);
    else out.push({ a, node: e.node });
  }
  return out;
}

/**
 * Fusion's own view of a computed operand (one per array, kept in `views`): a chain binds an array used
 * twice once, and destroying the caller's view leaves the recording's.
 */
export function ownView(views: WeakMap<DeviceArray, DeviceArray>, home: ArrayHome, v: DeviceArray): DeviceArray {
  let p = views.get(v);
  if (p === undefined || p.destroyed) {
    p = new DeviceArray(home, v.dtype, v.shape, v.storage, 'zero', v.layout);
    views.set(v, p);
  }
  return p;
}
