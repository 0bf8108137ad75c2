/**
 * The WebAssembly CPU path (`cpu-wasm`): TensorFlow.js's wasm backend (XNNPACK kernels, WebAssembly SIMD),
 * the strongest CPU path a Node user can `npm install` that was measured here (issue 31: 20 GFLOP/s on
 * matmul 1024 against 0.6 for the plain JS loop; onnxruntime-web 1.30's wasm, measured in the same process,
 * was no faster). It is an optional dependency (`@tensorflow/tfjs-core` and `@tensorflow/tfjs-backend-wasm`):
 * gpukit never requires it, and {@link loadWasmCpu} says why when it is absent.
 *
 * Every op goes from JS typed arrays to a JS typed array, as a user's call would: `tf.tensor` (a copy into
 * the wasm heap), the op, `dataSync()` (a copy out). Threads: TF.js turns its threaded build off under Node
 * (`WASM_HAS_MULTITHREAD_SUPPORT` is false when `IS_NODE`, tfjs issue 3830), so it runs on one thread.
 * The .wasm binary is read from the package's own dist/ folder: nothing is fetched at run time.
 */

import { createRequire } from 'node:module';

/** What the library is, as every report states it. */
export interface WasmCpuLabel {
  readonly library: string;
  readonly version: string;
  readonly simd: boolean;
  readonly threads: number;
  /** Why the thread count is what it is, and anything else a reader must know. */
  readonly note: string;
}

/** The ops the wasm path runs, on host arrays (inputs are not changed). */
export interface WasmCpu {
  readonly label: WasmCpuLabel;
  /** C (m×n) = A (m×k) · B (k×n), row-major. */
  matmul(a: Float32Array, b: Float32Array, m: number, k: number, n: number): Float32Array;
  /** Σ x (f32 accumulation inside the library). */
  sum(x: Float32Array): number;
  /** Σ x·y as `tf.sum(tf.mul(x, y))` (tf.dot on two vectors is a 1×n·n×1 matMul, 5× slower here). */
  dot(x: Float32Array, y: Float32Array): number;
  /** a·x + y into a new array (`tf.add(tf.mul(a, x), y)`: TF.js has no fused axpy). */
  axpy(a: number, x: Float32Array, y: Float32Array): Float32Array;
  /** x (rows×cols) + y: y (rows×cols), or y (cols) broadcast over the rows. */
  add(x: Float32Array, y: Float32Array, rows: number, cols: number): Float32Array;
  /** Softmax of each row of x (rows×cols). */
  softmaxRows(x: Float32Array, rows: number, cols: number): Float32Array;
  /** Inclusive prefix sum. */
  cumsum(x: Float32Array): Float32Array;
  /** The bench's six-op chain, op by op: max(((x − 0.5) · 1.5 + y)² · y, 0) (TF.js runs each op as its own pass). */
  chain(x: Float32Array, y: Float32Array): Float32Array;
  /** Ascending sort of u32 keys: `tf.topk` (k = n, sorted) of the keys mapped to order-reversed int32. */
  sortU32(keys: Uint32Array): Uint32Array;
}

/** Why the wasm path is not there. */
export interface WasmUnavailable {
  readonly unavailable: string;
}

/** The packages the wasm path needs (optional dependencies of gpukit). */
export const WASM_PACKAGES = ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm'] as const;

/** How the loader imports a package (tests inject one that fails, to simulate the package being absent). */
export type Importer = (specifier: string) => Promise<unknown>;

// The slices of TF.js's API used here, typed locally: the packages are optional, so their types may be absent.
interface Tensor {
  dataSync(): Float32Array | Int32Array;
  dispose(): void;
}
interface TopK {
  readonly values: Tensor;
  readonly indices: Tensor;
}
interface Tf {
  readonly version_core: string;
  setBackend(name: string): Promise<boolean>;
  ready(): Promise<void>;
  getBackend(): string;
  env(): { getAsync(flag: string): Promise<unknown> };
  tidy<T extends Tensor>(f: () => T): T;
  tensor1d(v: Float32Array | Int32Array, dtype?: string): Tensor;
  tensor2d(v: Float32Array, shape: [number, number]): Tensor;
  matMul(a: Tensor, b: Tensor): Tensor;
  sum(x: Tensor): Tensor;
  mul(a: Tensor | number, b: Tensor | number): Tensor;
  add(a: Tensor, b: Tensor): Tensor;
  sub(a: Tensor, b: number): Tensor;
  square(x: Tensor): Tensor;
  maximum(a: Tensor, b: number): Tensor;
  softmax(x: Tensor): Tensor;
  cumsum(x: Tensor): Tensor;
  topk(x: Tensor, k: number, sorted: boolean): TopK;
}
interface TfWasm {
  readonly version_wasm: string;
  getThreadsCount(): number;
}

/** Runs `f` in a tidy scope and copies its result tensor out (never returns a typed array from tidy: TF.js walks it element by element). */
function out(tf: Tf, f: () => Tensor): Float32Array | Int32Array {
  const t = tf.tidy(f);
  try {
    return t.dataSync();
  } finally {
    t.dispose();
  }
}

const f32 = (a: Float32Array | Int32Array): Float32Array => (a instanceof Float32Array ? a : new Float32Array(a));

function make(tf: Tf, wasm: TfWasm, simd: boolean): WasmCpu {
  const threads = wasm.getThreadsCount();
  return {
    label: {
      library: 'TensorFlow.js wasm backend (@tensorflow/tfjs-backend-wasm, XNNPACK)',
      version: wasm.version_wasm,
      simd,
      threads,
      note: `tfjs-core ${tf.version_core}; ${threads === 1 ? 'one thread: TF.js disables its threaded wasm build under Node (tfjs issue 3830)' : `${String(threads)} threads`}; inputs copied into the wasm heap and the result copied out on every call`,
    },
    matmul: (a, b, m, k, n) => f32(out(tf, () => tf.matMul(tf.tensor2d(a, [m, k]), tf.tensor2d(b, [k, n])))),
    sum: (x) => out(tf, () => tf.sum(tf.tensor1d(x)))[0] ?? 0,
    dot: (x, y) => out(tf, () => tf.sum(tf.mul(tf.tensor1d(x), tf.tensor1d(y))))[0] ?? 0,
    axpy: (a, x, y) => f32(out(tf, () => tf.add(tf.mul(a, tf.tensor1d(x)), tf.tensor1d(y)))),
    add: (x, y, rows, cols) =>
      f32(out(tf, () => tf.add(tf.tensor2d(x, [rows, cols]), y.length === x.length ? tf.tensor2d(y, [rows, cols]) : tf.tensor1d(y)))),
    softmaxRows: (x, rows, cols) => f32(out(tf, () => tf.softmax(tf.tensor2d(x, [rows, cols])))),
    cumsum: (x) => f32(out(tf, () => tf.cumsum(tf.tensor1d(x)))),
    chain: (x, y) =>
      f32(
        out(tf, () => {
          const ty = tf.tensor1d(y);
          return tf.maximum(tf.mul(tf.square(tf.add(tf.mul(tf.sub(tf.tensor1d(x), 0.5), 1.5), ty)), ty), 0);
        }),
      ),
    sortU32: (keys) => {
      const n = keys.length;
      // k ^ 0x7fffffff as int32 reverses unsigned order: topk's descending order is then ascending keys.
      const t = new Int32Array(n);
      for (let i = 0; i < n; i++) t[i] = ((keys[i] as number) ^ 0x7fffffff) | 0;
      const v = n === 0 ? t : out(tf, () => tf.topk(tf.tensor1d(t, 'int32'), n, true).values);
      const r = new Uint32Array(n);
      for (let i = 0; i < n; i++) r[i] = ((v[i] as number) ^ 0x7fffffff) >>> 0;
      return r;
    },
  };
}

/**
 * Whether the wasm path's packages resolve from gpukit (without loading them): placement offers `cpu-wasm`
 * only then, and loads it on first use.
 *
 * @example
 * ```ts
 * if (!wasmInstalled()) console.log('npm install @tensorflow/tfjs-core @tensorflow/tfjs-backend-wasm for cpu-wasm');
 * ```
 */
export function wasmInstalled(): boolean {
  try {
    const require = createRequire(import.meta.url);
    for (const p of WASM_PACKAGES) require.resolve(p);
    return true;
  } catch {
    return false;
  }
}

const defaultImporter: Importer = (s) => import(s);
let loaded: Promise<WasmCpu | WasmUnavailable> | undefined;

/**
 * Loads the wasm path once per process (TF.js's engine is process-wide): imports the packages, selects the
 * wasm backend. Never throws: when a package is absent or the backend does not start, the result says why.
 * With an `importer` (tests) it loads afresh and caches nothing.
 *
 * @example
 * ```ts
 * const w = await loadWasmCpu();
 * if ('unavailable' in w) console.log(w.unavailable);
 * else console.log(w.sum(new Float32Array([1, 2, 3])), w.label.version); // 6 '4.22.0'
 * ```
 */
export function loadWasmCpu(importer?: Importer): Promise<WasmCpu | WasmUnavailable> {
  if (importer !== undefined) return load(importer);
  loaded ??= load(defaultImporter);
  return loaded;
}

async function load(importer: Importer): Promise<WasmCpu | WasmUnavailable> {
  let tf: Tf;
  let wasm: TfWasm;
  try {
    tf = (await importer(WASM_PACKAGES[0])) as Tf;
    wasm = (await importer(WASM_PACKAGES[1])) as TfWasm;
  } catch (e) {
    return { unavailable: `cpu-wasm not measured: the optional packages ${WASM_PACKAGES.join(' and ')} are not installed (npm install ${WASM_PACKAGES.map((p) => `${p}@4.22.0`).join(' ')}); ${e instanceof Error ? e.message.split('\n')[0] ?? '' : String(e)}` };
  }
  try {
    if (!(await tf.setBackend('wasm'))) return { unavailable: 'cpu-wasm not measured: TF.js could not start its wasm backend' };
    await tf.ready();
    const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true;
    return make(tf, wasm, simd);
  } catch (e) {
    return { unavailable: `cpu-wasm not measured: TF.js's wasm backend failed to start (${e instanceof Error ? e.message : String(e)})` };
  }
}

/** The label of a CPU contender in one line: library, version, SIMD, threads. */
export function describeWasm(l: WasmCpuLabel): string {
  return `${l.library} ${l.version}, SIMD ${l.simd ? 'on' : 'off'}, ${String(l.threads)} thread${l.threads === 1 ? '' : 's'}`;
}
