/**
 * `cpu-wasm`: TensorFlow.js's wasm backend (XNNPACK, SIMD) as a `gpukit bench` CPU contender, for every bench
 * op it has (src/cpu/wasm.ts). Optional: without its packages the bench runs without it and the report says
 * so (`BenchReport.cpuWasm`). Timed by the harness's wall clock from the op's JS typed arrays to a JS typed
 * array (copies into and out of the wasm heap included), as cpu-1t is timed from typed array to typed array.
 */
import { addGrid } from './ops.js';
import { registerContender, type BenchOp, type Contender, type CpuLabel } from './contender.js';
import { loadWasmCpu, type WasmCpu, type WasmUnavailable } from '../cpu/wasm.js';

/** Results land here, so the engine cannot drop the work as unused. */
export let wasmSink: unknown;

type Prepare = (w: WasmCpu, n: number, x: readonly (Float32Array | Uint32Array)[]) => () => unknown;

const side = (n: number): number => Math.max(1, Math.round(Math.sqrt(n)));
const f = (a: Float32Array | Uint32Array | undefined): Float32Array => a as Float32Array;

/** Per bench op: what `cpu-wasm` calls, and how the method line names it. */
export const WASM_OPS: Readonly<Record<string, { readonly call: string; readonly prepare: Prepare }>> = {
  axpy: { call: 'tf.add(tf.mul(2, x), y) (no fused axpy in TF.js; a new array, y unchanged)', prepare: (w, _n, [x, y]) => () => w.axpy(2, f(x), f(y)) },
  sum: { call: 'tf.sum(x)', prepare: (w, _n, [x]) => () => w.sum(f(x)) },
  dot: { call: 'tf.sum(tf.mul(x, y)) (tf.dot of two vectors is a 1×n·n×1 matMul, 5× slower here)', prepare: (w, _n, [x, y]) => () => w.dot(f(x), f(y)) },
  add: { call: 'tf.add(x, y), (rows, 1024) + (rows, 1024)', prepare: (w, n, [x, y]) => () => w.add(f(x), f(y), addGrid(n).rows, addGrid(n).cols) },
  'add-bcast': { call: 'tf.add(x, b), (rows, 1024) + (1024,)', prepare: (w, n, [x, b]) => () => w.add(f(x), f(b), addGrid(n).rows, addGrid(n).cols) },
  'softmax-rows': { call: 'tf.softmax(x) over rows of 1024', prepare: (w, n, [x]) => () => w.softmaxRows(f(x), addGrid(n).rows, addGrid(n).cols) },
  chain: { call: 'tf.maximum(tf.mul(tf.square(tf.add(tf.mul(tf.sub(x, 0.5), 1.5), y)), y), 0) (op by op: six passes, TF.js fuses nothing)', prepare: (w, _n, [x, y]) => () => w.chain(f(x), f(y)) },
  scan: { call: 'tf.cumsum(x)', prepare: (w, _n, [x]) => () => w.cumsum(f(x)) },
  sort: { call: 'tf.topk(keys as order-reversed int32, k = n, sorted) (TF.js has no sort and no uint32; the two key maps included)', prepare: (w, _n, [k]) => () => w.sortU32(k as Uint32Array) },
  matmul: { call: 'tf.matMul(A, B)', prepare: (w, n, [a, b]) => () => w.matmul(f(a), f(b), side(n), side(n), side(n)) },
};

/** The contender's label, from the library's own report of itself. */
export function wasmLabel(w: WasmCpu): CpuLabel {
  return { ...w.label };
}

function contender(op: BenchOp, w: WasmCpu): Contender | undefined {
  const spec = WASM_OPS[op.name];
  if (spec === undefined) return undefined;
  let body: () => unknown = () => undefined;
  return {
    name: 'cpu-wasm',
    role: 'cpu-wasm',
    method: `wall clock of one call of ${spec.call} on ${w.label.library} ${w.label.version} from the JS typed-array inputs to a JS typed array (tf.tensor copies into the wasm heap, dataSync copies out: both included)`,
    label: wasmLabel(w),
    sync: true,
    setup(n) {
      body = spec.prepare(w, n, op.hostInputs(n));
    },
    run() {
      wasmSink = body();
    },
    teardown() {
      body = () => undefined;
    },
  };
}

let registered: WasmCpu | WasmUnavailable | undefined;

/**
 * Loads the wasm path and adds `cpu-wasm` to every bench op it runs; returns what was loaded (a
 * {@link WasmUnavailable} says why nothing was added). Idempotent per process.
 *
 * @example
 * ```ts
 * const w = await registerWasmContenders();
 * if ('unavailable' in w) console.error(w.unavailable);
 * ```
 */
export async function registerWasmContenders(load: () => Promise<WasmCpu | WasmUnavailable> = () => loadWasmCpu()): Promise<WasmCpu | WasmUnavailable> {
  if (registered !== undefined) return registered;
  const w = await load();
  registered = w;
  if ('unavailable' in w) return w;
  registerContender('*', (_env, op) => contender(op, w));
  return w;
}
