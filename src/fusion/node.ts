/**
 * Fusion's expression graph, engine-neutral: a recorded elementwise op is a {@link FuseNode} (the op's own
 * WGSL spec from its manifest, its operands, its result's dtype and shape); a lazy array
 * (`DeviceArray.lazy`, src/buffers/device-array.ts) holds one until its elements are needed. The composer
 * ({@link composeChain}) turns the graph under an array into one elementwise kernel: each op's body, exactly
 * as its manifest declares it, inside a block of its own that binds the op's argument names to the values
 * computed before it. One op stays described in one place; fusion only composes. The engines run the
 * result with their elementwise builders (src/backends/dawn/fusion.ts). See docs/notes/fusion.md.
 */
import { DeviceArray } from '../buffers/device-array.js';
import { wgslOf, type DType } from '../buffers/dtype.js';
import { parseArgs, type ArgSpec } from '../kernels/codegen.js';

/** An op's elementwise WGSL as its manifest declares it (src/ops/math.ts `MathSpec`). */
export interface FusedOpSpec {
  readonly args: string;
  readonly body: string;
  /** The body on the host engine, where it differs (NaN tests). @default body */
  readonly hostBody?: string;
  /** Constants the body takes as scalars (nanv, infv): shared by every op of a chain. */
  readonly consts?: Readonly<Record<string, number>>;
  readonly vec4?: boolean;
}

/** One operand of a recorded op: an array (lazy or computed) or a scalar, under the op's argument name. */
export interface FuseInput {
  readonly name: string;
  readonly value: DeviceArray | number;
  /** The WGSL type the op declares it with, `T` resolved to the op's dtype. */
  readonly type: DType;
  /**
   * The operand's own recording when it was lazy at the call: kept here, so destroying the operand before
   * it is computed (`using` intermediates) leaves this op's chain intact.
   */
  readonly node?: FuseNode;
}

/** A recorded elementwise op. */
export interface FuseNode {
  /** The op's name (`sub`, `exp`...): fused kernels are labelled by the ops they hold. */
  readonly op: string;
  readonly spec: FusedOpSpec;
  /** The op's `T`. */
  readonly dtype: DType;
  /** The result's dtype and shape. */
  readonly outType: DType;
  readonly shape: readonly number[];
  readonly size: number;
  readonly inputs: readonly FuseInput[];
  /** Whether the body mentions `T` (it can then only join a kernel whose `T` is its own). */
  readonly usesT: boolean;
  /** Ops in the graph under this one that a kernel would hold with it (shared ones counted once per use). */
  readonly ops: number;
  /**
   * The size of that kernel's body, estimated (the ops' body text plus each op's block): what bounds a
   * fused kernel, rather than a count of ops (a hundred `x * s` are cheap; a few Payne–Hanek reductions not).
   */
  readonly cost: number;
  /** The JS-scalar operands that kernel takes (each a parameter of its body function). */
  readonly scalars: number;
  /**
   * The arrays a kernel computing this node would bind: computed operands, and lazy ones that do not join
   * (they are computed first). Bounded by the binding limit, so recording is O(1) per op whatever the
   * chain's length; the whole graph's reads are found by walking `inputs` ({@link readsAny}).
   */
  readonly binds: ReadonlySet<DeviceArray>;
  /** The unfused call, to run a chain of one op exactly as the op alone runs. */
  readonly single: unknown;
  /**
   * A recorded product (matmul), not an elementwise op: it never joins a kernel as a body, only as a leaf
   * (a chain on it may become its kernel's epilogue). `single` then holds the engine's product.
   */
  readonly opaque?: boolean;
}

const parsed = new Map<string, readonly ArgSpec[]>();

/** An op's arguments, parsed once per text. */
export function argsOf(args: string): readonly ArgSpec[] {
  let p = parsed.get(args);
  if (p === undefined) parsed.set(args, (p = parseArgs(args)));
  return p;
}

const tNamed = new Map<string, boolean>();

/** Whether `T` appears in the body as a name (a cast `T(0)`); once per body text. */
export function mentionsT(body: string): boolean {
  let t = tNamed.get(body);
  if (t === undefined) {
    t = /(?<![A-Za-z0-9_.])T(?![A-Za-z0-9_])/.test(body);
    if (tNamed.size < 4096) tNamed.set(body, t);
  }
  return t;
}

/**
 * Whether the graph under `node` reads memory that `reads(a)` names, for `a` each computed array it binds
 * (lazy operands are followed through their recordings: one computed later is read as itself, one
 * destroyed is recomputed from its own operands). `seen` memoizes across calls, so one pass over many
 * recorded chains sharing a graph visits each node once.
 */
export function readsAny(node: FuseNode, reads: (a: DeviceArray) => boolean, seen: Map<FuseNode, boolean>): boolean {
  const known = seen.get(node);
  if (known !== undefined) return known;
  seen.set(node, false); // a DAG: no cycles, but a shared node is visited once
  let r = false;
  for (const input of node.inputs) {
    const v = input.value;
    if (!(v instanceof DeviceArray)) continue;
    // A lazy operand's recording is what a kernel computes from (also once the operand was destroyed);
    // one computed since binds as itself.
    const inner = input.node;
    const follow = inner !== undefined && (nodeOf(v) === inner || v.destroyed) ? inner : undefined;
    if (reads(v) || (follow !== undefined && readsAny(follow, reads, seen))) {
      r = true;
      break;
    }
  }
  seen.set(node, r);
  return r;
}

/** The lazy array's node, when `a` is lazy and not computed yet. */
export function nodeOf(a: DeviceArray): FuseNode | undefined {
  return a.pending?.node as FuseNode | undefined;
}

/** The text of a composed chain: what depends on its structure only, never on its values (shared by every composition of that structure). */
export interface ChainText {
  /** `fused(sub,mul,exp)`: the ops it holds, in evaluation order. */
  readonly name: string;
  readonly ops: readonly string[];
  readonly args: string;
  readonly body: string;
}

/** A chain composed into one elementwise kernel: its signature, body, bound arguments and label. */
export interface ComposedChain extends ChainText {
  /** The text, one object per structure while a {@link ChainCache} holds it (an engine hangs its builder on it). */
  readonly text: ChainText;
  /** The nodes it holds (the root last). */
  readonly nodes: readonly FuseNode[];
  /** The arguments by name (arrays: the chain's leaves; scalars: the ops' operands and constants). */
  readonly named: Record<string, DeviceArray | number>;
  readonly leaves: readonly DeviceArray[];
  /** Arrays made for the kernel (operands destroyed before they were computed, that could not join): destroy after it runs. */
  readonly temps: readonly DeviceArray[];
  /** The kernel's `T`: the last op's. */
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly size: number;
}

/**
 * Which of an op's body texts to compose, chosen by the backend that runs the kernel: Dawn takes the WGSL
 * body (the default); a host translation would pass `(s) => s.hostBody ?? s.body`.
 */
export type BodyOf = (spec: FuseNode['spec']) => string;

/**
 * Composed chain texts by structure, so a loop recording the same chain each time composes its text once.
 * The key is the composer's walk written as small integers (see {@link composeChain}): everything the text
 * is made of, and nothing else. One per engine's fusion state (its body and type choices are fixed), bounded.
 */
export class ChainCache {
  readonly #byHash = new Map<number, { tokens: readonly number[]; text: ChainText }[]>();
  #size = 0;
  readonly #capacity: number;

  constructor(capacity = 256) {
    this.#capacity = capacity;
  }

  /** @internal The text composed before for exactly these tokens. */
  get(hash: number, tokens: readonly number[]): ChainText | undefined {
    const list = this.#byHash.get(hash);
    if (list === undefined) return undefined;
    outer: for (const e of list) {
      const t = e.tokens;
      if (t.length !== tokens.length) continue;
      for (let i = 0; i < t.length; i++) if (t[i] !== tokens[i]) continue outer;
      return e.text;
    }
    return undefined;
  }

  /** @internal */
  set(hash: number, tokens: readonly number[], text: ChainText): void {
    if (this.#size >= this.#capacity) {
      this.#byHash.clear();
      this.#size = 0;
    }
    let list = this.#byHash.get(hash);
    if (list === undefined) this.#byHash.set(hash, (list = []));
    list.push({ tokens, text });
    this.#size++;
  }
}

/** How an engine wants a chain composed (the defaults are Dawn's). */
export interface ComposeOptions {
  /**
   * Whether each array operand passes the opaque select (see {@link composeChain}). A JavaScript engine
   * never reassociates or contracts float operations, so the host engine composes without it.
   * @default true
   */
  readonly barriers?: boolean;
  /**
   * The declared type of an intermediate of `dtype` (the host engine holds a bool as a u32 0/1, as its
   * bool arrays do, so the next op sees the same value it would load unfused).
   * @default wgslOf
   */
  readonly varType?: (dtype: DType) => string;
  /** Texts composed before, reused when the structure is the same (the engine's own: its bodyOf and varType fixed). */
  readonly cache?: ChainCache;
}

/** Small integer ids of the strings a chain's text is made of (op and argument names, types): a bounded set. */
const stringIds = new Map<string, number>();
const stringList: string[] = [];
function sid(s: string): number {
  let k = stringIds.get(s);
  if (k === undefined) {
    k = stringList.length;
    stringList.push(s);
    stringIds.set(s, k);
  }
  return k;
}
function str(k: number): string {
  return stringList[k] ?? '';
}
/** Ids of op specs, by identity (the math ops make one per pattern, src/ops/math.ts). */
const specIds = new WeakMap<FusedOpSpec, number>();
let specCount = 0;
function specId(spec: FusedOpSpec): number {
  let k = specIds.get(spec);
  if (k === undefined) specIds.set(spec, (k = specCount++));
  return k;
}

const FIN: string[] = [];
const FSC: string[] = [];
function indexed(list: string[], prefix: string, k: number): string {
  let s = list[k];
  if (s === undefined) list[k] = s = `${prefix}${k}`;
  return s;
}

// The walk's tokens (see composeChain).
const T_NODE = 1;
const T_LEAF = 2;
const T_CONST = 3;
const T_SCALAR = 4;
const T_END = 5;

/**
 * The graph under `root` as one kernel. `whole(a)` picks leaves bound as raw arrays and read at element 0
 * (a one-element operand broadcast over a reduction's input, which reductions cannot broadcast in place). An operand that is itself lazy joins the kernel when it has the
 * root's element count (broadcast ones would be recomputed per use: they are computed on their own) and its
 * body does not need another `T`; otherwise it is a leaf, bound as an array (computed when the kernel binds
 * it). Each op's body sits in a block of its own: `let x = <operand>;` for each argument, `var out`, the
 * body verbatim, then the block's result is kept in a `fv<k>`. The same f32 operations in the same order as
 * the ops one by one, so the results are bit-identical.
 *
 * In two steps: a walk of the graph gathers the values (leaves, scalars) and writes what the text depends
 * on as small integers (each operand as it is resolved: a node's index, a leaf's index and type, a scalar's
 * name and type; each op when its operands are done: its spec, name and types); the text is then written
 * from those tokens alone, or taken from `options.cache` when the same tokens were composed before.
 */
export function composeChain(root: FuseNode, revive: (node: FuseNode) => DeviceArray, kept: (a: DeviceArray) => DeviceArray = (a) => a, bodyOf: BodyOf = (s) => s.body, whole: (a: DeviceArray) => boolean = () => false, options: ComposeOptions = {}): ComposedChain {
  const T = root.dtype;
  const barred = options.barriers ?? true;
  const leafIndex = new Map<DeviceArray, number>();
  const leaves: DeviceArray[] = [];
  const wholes: number[] = [];
  const index = new Map<FuseNode, number>();
  const nodes: FuseNode[] = [];
  const named: Record<string, DeviceArray | number> = {};
  const tokens: number[] = [sid(T), barred ? 1 : 0];
  let scalars = 0;
  if (barred) named['fbar'] = 0xffffffff;
  const temps: DeviceArray[] = [];
  const fits = (n: FuseNode): boolean => n.opaque !== true && n.size === root.size && (!n.usesT || n.dtype === T);
  /** The operand's node when it joins this kernel; else the array to bind (made anew when it was destroyed lazy). */
  const operand = (input: FuseInput, a: DeviceArray): FuseNode | DeviceArray => {
    const n = input.node;
    if (n === undefined) return kept(a);
    const lazy = nodeOf(a) === n;
    // Destroyed before it was computed: its recording still stands for this op's operand.
    const dropped = !lazy && a.destroyed;
    if ((lazy || dropped) && fits(n)) return n;
    if (!dropped) return kept(a);
    const t = revive(n);
    temps.push(t);
    return t;
  };
  const visit = (node: FuseNode): number => {
    const known = index.get(node);
    if (known !== undefined) return known;
    const consts = node.spec.consts;
    for (const input of node.inputs) {
      const v = input.value;
      if (v instanceof DeviceArray) {
        const o = operand(input, v);
        if (!(o instanceof DeviceArray)) {
          const k = visit(o);
          tokens.push(T_NODE, k, sid(input.name), sid(v.dtype));
          continue;
        }
        let j = leafIndex.get(o);
        if (j === undefined) {
          j = leaves.length;
          leaves.push(o);
          leafIndex.set(o, j);
          named[indexed(FIN, 'fin', j)] = o;
          // A one-element array read whole (a 0-d mean under a reduction): its element 0, by index.
          wholes.push(whole(o) ? 1 : 0);
        }
        tokens.push(T_LEAF, j, sid(input.name), sid(v.dtype), wholes[j] ?? 0, sid(o.dtype));
        continue;
      }
      if (consts?.[input.name] !== undefined) {
        const k = `fk_${input.name}_${input.type}`;
        if (named[k] === undefined) named[k] = v;
        tokens.push(T_CONST, sid(input.name), sid(input.type));
        continue;
      }
      named[indexed(FSC, 'fsc', scalars++)] = v;
      tokens.push(T_SCALAR, sid(input.name), sid(input.type));
    }
    const k = nodes.length;
    nodes.push(node);
    index.set(node, k);
    tokens.push(T_END, specId(node.spec), sid(node.op), sid(node.outType), sid(node.dtype), node.inputs.length);
    return k;
  };
  visit(root);
  let hash = 0x811c9dc5;
  for (const t of tokens) hash = Math.imul(hash ^ t, 16777619);
  const cache = options.cache;
  let text = cache?.get(hash, tokens);
  if (text === undefined) {
    text = writeChain(tokens, nodes, bodyOf, options.varType ?? wgslOf);
    cache?.set(hash, tokens, text);
  }
  return { text, name: text.name, ops: text.ops, args: text.args, body: text.body, nodes, named, leaves, temps, dtype: T, shape: root.shape, size: root.size };
}

/**
 * The text of a chain from its walk's tokens (see {@link composeChain}); `nodes[k]` is only read for what
 * its tokens name (its spec, by id).
 */
function writeChain(tokens: readonly number[], nodes: readonly FuseNode[], bodyOf: BodyOf, varType: (dtype: DType) => string): ChainText {
  const barred = tokens[1] === 1;
  const arrayArgs: string[] = [];
  const scalarArgs: string[] = [];
  const lines: string[] = [];
  const ops: string[] = [];
  const leafRefs: string[] = [];
  const constNames = new Set<string>();
  /** Resolved operands not yet taken by their op: the reference, its argument name, its array dtype ('' for a scalar). */
  const pending: { ref: string; name: string; array: string }[] = [];
  let scalars = 0;
  let barriers = 0;
  let count = 0;
  let rootType = '';
  for (let p = 2; p < tokens.length; ) {
    const kind = tokens[p++];
    const at = (): number => tokens[p++] ?? 0;
    if (kind === T_NODE) {
      const k = at();
      const name = str(at());
      pending.push({ ref: `fv${k}`, name, array: str(at()) });
    } else if (kind === T_LEAF) {
      const j = at();
      const name = str(at());
      const array = str(at());
      const one = at() === 1;
      const dtype = str(at());
      let leaf = leafRefs[j];
      if (leaf === undefined) {
        const fin = `fin${j}`;
        leaf = leafRefs[j] = one ? `${fin}[0]` : fin;
        arrayArgs.push(one ? `${fin}: raw ${dtype}[]` : `${fin}: ${dtype}[]`);
      }
      pending.push({ ref: leaf, name, array });
    } else if (kind === T_CONST) {
      const name = str(at());
      const type = str(at());
      const k = `fk_${name}_${type}`;
      if (!constNames.has(k)) {
        constNames.add(k);
        scalarArgs.push(`${k}: ${type}`);
      }
      pending.push({ ref: k, name, array: '' });
    } else if (kind === T_SCALAR) {
      const name = str(at());
      const type = str(at());
      const s = `fsc${scalars++}`;
      scalarArgs.push(`${s}: ${type}`);
      pending.push({ ref: s, name, array: '' });
    } else {
      const spec = at();
      const op = str(at());
      const outType = str(at()) as DType;
      at(); // the op's T: its operands' types carry it
      const n = at();
      const node = nodes[count];
      if (node === undefined || specIds.get(node.spec) !== spec) throw new Error('gpukit internal: a fused chain written from a walk that does not match its nodes');
      const out = `fv${count++}`;
      const t = varType(outType);
      lines.push(`var ${out}: ${t};`, '{');
      for (const input of pending.splice(pending.length - n, n)) {
        // Each array operand passes an opaque select (fbar is never any operand's id): the compiler cannot
        // prove two operands equal or see the op that made one, so it folds nothing across ops (a - a to 0,
        // (a + b) - a to b, a * b + c to an fma) that the ops one by one would not: the same bits as unfused.
        if (barred && input.array !== '') lines.push(`let ${input.name} = bitcast<${wgslOf(input.array as DType)}>(select(bitcast<u32>(${input.ref}), fbar, fbar == ${barriers++}u));`);
        else lines.push(`let ${input.name} = ${input.ref};`);
      }
      lines.push(`var out: ${t};`, bodyOf(node.spec), ';', `${out} = out;`, '}');
      ops.push(op);
      rootType = outType;
    }
  }
  lines.push(`fres = fv${count - 1}`);
  return {
    name: `fused(${ops.join(',')})`,
    ops,
    args: [...arrayArgs, `fres: ${rootType}[]`, ...(barred ? ['fbar: u32'] : []), ...scalarArgs].join(', '),
    body: lines.join('\n'),
  };
}
