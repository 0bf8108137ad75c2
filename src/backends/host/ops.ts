/**
 * The ops on the gpujs engine. Each takes the same arguments, checks them with the same messages, and
 * returns at once (work goes on the device's ordered queue) like its Dawn twin in src/ops.
 *
 * Where each op runs:
 * - gpu.js kernels (f32): add, sub, mul, scale, axpy; sum, mean, dot, norm (multi-pass: each thread folds
 *   64 elements, passes repeat until one value is left); matmul; transpose.
 * - The CPU, in the host process (gpu.js computes in f32 only, so integer arithmetic past 2^24 and bit
 *   patterns cannot go through it; sort and the bit-exact maths have no gpu.js form): every i32/u32 variant
 *   of the above (wrapping modulo 2^32 like WGSL), min and max (NaN-propagating), argmin and argmax, scan, sort, sortPairs,
 *   random (the same Philox4x32-10 stream, bit-identical), histogram and fft/ifft — through the CPU
 *   references in src/ops.
 * - The builders (`device.elementwise()`, `device.reduction()`, `map()`): their WGSL translated to JavaScript
 *   (src/backends/host/wgsl-js.ts), run on the CPU (src/backends/host/builders.ts).
 */
import { DeviceArray, checkShape } from '../../buffers/device-array.js';
import type { HostArray } from '../../buffers/dtype.js';
import type { HostContext } from './context.js';
import { ArgumentError, DTypeError, GpukitError, LimitError, ShapeError } from '../../errors.js';
import { registerFallbackOps, type FallbackOps } from '../../ops/engine.js';
import { buildHostElementwise } from './builders.js';
import { hostOf } from './host-of.js';
import { fftCpu, fftLayout, type FftOptions } from '../../ops/fft.js';
import { checkMatmul, type MatmulShape } from '../../ops/matmul.js';
import { maxCpu, minCpu } from '../../ops/reduce.js';
import { scanCpu, type ScanOptions } from '../../ops/scan.js';
import { checkScalar, requireArray } from '../../ops/signature.js';
import { requireDType, sameDType, sameLength } from '../../ops/util.js';
import { backendOf, loopCap, runKernel } from './gpujs.js';
import { cappedLoops } from './loops.js';
import { hostMap } from './builders.js';

const BINARY_SRC = {
  add: 'function (x, y) { return x[this.thread.x] + y[this.thread.x]; }',
  sub: 'function (x, y) { return x[this.thread.x] - y[this.thread.x]; }',
  mul: 'function (x, y) { return x[this.thread.x] * y[this.thread.x]; }',
} as const;

const BINARY_INT: Record<'add' | 'sub' | 'mul', (a: number, b: number) => number> = {
  add: (a, b) => a + b,
  sub: (a, b) => a - b,
  mul: (a, b) => Math.imul(a, b),
};

/**
 * Checks (x, y, out) of an elementwise op in the order the Dawn builder does (src/ops/signature.ts: each
 * array's kind, then dtypes and lengths, then the scalar `a` against x's dtype, then devices), so a call
 * with several problems fails with the same error on both engines. Returns the device.
 */
function checkElementwise(op: string, x: DeviceArray, y: DeviceArray | undefined, out: DeviceArray | undefined, a?: { value: unknown }): HostContext {
  const named: [string, DeviceArray | undefined][] = [['y', y], ['out', out]];
  for (const [name, v] of named) if (v !== undefined) requireArray(op, name, v);
  if (a !== undefined && typeof a.value !== 'number') throw new ArgumentError(`${op}: 'a' is a scalar argument; pass a number`);
  for (const [name, v] of named) {
    if (v === undefined) continue;
    if (v.dtype !== x.dtype) throw new DTypeError(`${op}: x is ${x.dtype} but ${name} is ${v.dtype} (both are T)`);
    if (v.length !== x.length) throw new ShapeError(`${op}: ${name} has length ${v.length} but x has length ${x.length}`);
  }
  if (a !== undefined) checkScalar(op, 'a', x.dtype, a.value);
  const host = hostOf(op, x, ...named.flatMap(([, v]) => (v !== undefined ? [v] : [])));
  return host;
}

/**
 * Refuses, up front, what a gpu.js kernel cannot hold, so it fails when the op is called (a LimitError
 * naming the limit, as Dawn's ops do) instead of when the queue runs:
 * - webgpu mode binds each array a kernel takes, and its output, as one storage buffer;
 * - webasm mode lays all of them (16-byte aligned, 16 bytes per scalar) into one WebAssembly memory.
 * `arrays` lists [what, bytes] of every array argument and the output; `scalars` counts number arguments.
 */
function checkKernelSizes(op: string, host: HostContext, arrays: readonly (readonly [string, number])[], scalars: number): void {
  const { binding: perArray, memory } = backendOf(host);
  if (perArray !== null) {
    for (const [what, bytes] of arrays) {
      if (bytes > perArray.bytes) throw new LimitError(perArray.limit, bytes, perArray.bytes, `${op}: ${what} (${bytes} bytes), one storage buffer in gpu.js's webgpu mode`);
    }
  }
  if (memory !== null) {
    const total = arrays.reduce((t, [, bytes]) => t + Math.ceil(bytes / 16) * 16, 16 * scalars);
    if (total > memory.bytes) throw new LimitError(memory.limit, total, memory.bytes, `${op}: ${arrays.map(([what]) => what).join(', ')} (${total} bytes in all), in one WebAssembly memory in gpu.js's webasm mode`);
  }
}

/** [what, bytes] of an array for {@link checkKernelSizes}. */
function sized(name: string, a: DeviceArray): readonly [string, number] {
  return [`'${name}' (${a.length} ${a.dtype})`, a.length * 4];
}

/** [what, bytes] of a kernel's f32 output of `n` cells. */
function result(n: number, what = 'the result'): readonly [string, number] {
  return [`${what} (${n} f32)`, n * 4];
}

/** Stores `r` (the f32 result of a gpu.js kernel, or a CPU loop's) into `dst` on the queue. */
function enqueueInto(host: HostContext, dst: HostArray, compute: () => HostArray | Promise<HostArray>): void {
  host.enqueue(() => {
    const r = compute();
    if (r instanceof Promise) {
      return r.then((v) => {
        dst.set(v.subarray(0, dst.length));
      });
    }
    dst.set(r.subarray(0, dst.length));
  });
}

function binary(op: 'add' | 'sub' | 'mul', x: DeviceArray, y: DeviceArray, out: DeviceArray | undefined): DeviceArray {
  if ((y as unknown) === undefined) throw new ArgumentError(`${op}: missing argument 'y' (T[])`);
  const host = checkElementwise(op, x, y, out);
  if (x.dtype === 'f32') checkKernelSizes(op, host, [sized('x', x), sized('y', y), result(x.length)], 0);
  const res = out ?? new DeviceArray(host, x.dtype, x.shape);
  const n = x.length;
  if (n === 0) return res;
  const X = x.data;
  const Y = y.data;
  const O = res.data;
  if (x.dtype === 'f32') {
    enqueueInto(host, O, () => runKernel(host, op, BINARY_SRC[op], 0, {}, [n], [X, Y]));
  } else {
    const f = BINARY_INT[op];
    host.enqueue(() => {
      for (let i = 0; i < n; i++) O[i] = f(X[i] ?? 0, Y[i] ?? 0);
    });
  }
  return res;
}

function scale(x: DeviceArray, a: number, out: DeviceArray | undefined): DeviceArray {
  if ((a as unknown) === undefined) throw new ArgumentError("scale: missing argument 'a' (T)");
  const host = checkElementwise('scale', x, undefined, out, { value: a });
  if (x.dtype === 'f32') checkKernelSizes('scale', host, [sized('x', x), result(x.length)], 1);
  const res = out ?? new DeviceArray(host, x.dtype, x.shape);
  const n = x.length;
  if (n === 0) return res;
  const X = x.data;
  const O = res.data;
  if (x.dtype === 'f32') {
    enqueueInto(host, O, () => runKernel(host, 'scale', 'function (x, a) { return a * x[this.thread.x]; }', 0, { argumentTypes: { x: 'Array', a: 'Float' } }, [n], [X, Math.fround(a)]));
  } else {
    // checkScalar made `a` an integer of x's dtype: Math.imul wraps like WGSL's i32/u32 multiply.
    const ai = a;
    host.enqueue(() => {
      for (let i = 0; i < n; i++) O[i] = Math.imul(ai, X[i] ?? 0);
    });
  }
  return res;
}

function axpy(a: number, x: DeviceArray, y: DeviceArray): DeviceArray {
  requireArray('axpy', 'y', y);
  if ((a as unknown) === undefined) throw new ArgumentError("axpy: missing argument 'a' (T)");
  const host = checkElementwise('axpy', x, y, undefined, { value: a });
  if (x.dtype === 'f32') checkKernelSizes('axpy', host, [sized('x', x), sized('y', y), result(x.length)], 1);
  const n = x.length;
  if (n === 0) return y;
  const X = x.data;
  const Y = y.data;
  if (x.dtype === 'f32') {
    enqueueInto(host, Y, () => runKernel(host, 'axpy', 'function (a, x, y) { return a * x[this.thread.x] + y[this.thread.x]; }', 0, { argumentTypes: { a: 'Float', x: 'Array', y: 'Array' } }, [n], [Math.fround(a), X, Y]));
  } else {
    const ai = a;
    host.enqueue(() => {
      for (let i = 0; i < n; i++) Y[i] = Math.imul(ai, X[i] ?? 0) + (Y[i] ?? 0);
    });
  }
  return y;
}

// --- reductions ---------------------------------------------------------------------------------------

/** Elements each gpu.js thread folds per pass: 64 serial f32 additions keep a sum inside sumTolerance. */
const FOLD = 64;
const FOLD_SRC = {
  sum: `function (x, n) { let s = 0; for (let j = 0; j < ${FOLD}; j++) { const i = this.thread.x * ${FOLD} + j; if (i < n) { s += x[i]; } } return s; }`,
  sumsq: `function (x, n) { let s = 0; for (let j = 0; j < ${FOLD}; j++) { const i = this.thread.x * ${FOLD} + j; if (i < n) { s += x[i] * x[i]; } } return s; }`,
  dot: `function (x, y, n) { let s = 0; for (let j = 0; j < ${FOLD}; j++) { const i = this.thread.x * ${FOLD} + j; if (i < n) { s += x[i] * y[i]; } } return s; }`,
} as const;

/** f32 sum of map(x[, y]) by passes of gpu.js kernels. */
async function foldF32(host: HostContext, first: 'sum' | 'sumsq' | 'dot', X: Float32Array, Y: Float32Array | undefined): Promise<number> {
  const n = X.length;
  if (n === 0) return 0;
  let parts = await runKernel(host, `fold|${first}`, FOLD_SRC[first], FOLD, {}, [Math.ceil(n / FOLD)], Y === undefined ? [X, n] : [X, Y, n]);
  while (parts.length > 1) parts = await runKernel(host, 'fold|sum', FOLD_SRC.sum, FOLD, {}, [Math.ceil(parts.length / FOLD)], [parts, parts.length]);
  return parts[0] ?? 0;
}

function intSum(X: Int32Array | Uint32Array, Y?: Int32Array | Uint32Array): number {
  let s = 0;
  for (let i = 0; i < X.length; i++) s = (s + (Y === undefined ? (X[i] ?? 0) : Math.imul(X[i] ?? 0, Y[i] ?? 0))) | 0;
  return s;
}

const INT_IDENTITY = { min: { i32: 2147483647, u32: 0xffffffff }, max: { i32: -2147483648, u32: 0 } } as const;

function reduce(op: 'sum' | 'mean' | 'min' | 'max' | 'norm', x: DeviceArray): DeviceArray {
  // Dawn checks mean's and norm's dtype before the device (src/ops/reduce.ts).
  if (op === 'mean' || op === 'norm') requireDType(op, 'x', x, ['f32', 'f16']);
  const host = hostOf(op, x);
  if (x.dtype === 'f32' && op !== 'min' && op !== 'max') checkKernelSizes(op, host, [sized('x', x), result(Math.ceil(x.length / FOLD), 'the partial sums')], 1);
  const out = new DeviceArray(host, x.dtype, 1);
  const X = x.data;
  const O = out.data;
  const n = x.length;
  if (op === 'min' || op === 'max') {
    host.enqueue(() => {
      if (X instanceof Float32Array) O[0] = op === 'min' ? minCpu(X) : maxCpu(X);
      else O[0] = n === 0 ? INT_IDENTITY[op][x.dtype === 'u32' ? 'u32' : 'i32'] : op === 'min' ? minCpu(X) : maxCpu(X);
    });
    return out;
  }
  if (!(X instanceof Float32Array)) {
    host.enqueue(() => {
      O[0] = intSum(X);
    });
    return out;
  }
  host.enqueue(async () => {
    const s = await foldF32(host, op === 'norm' ? 'sumsq' : 'sum', X, undefined);
    O[0] = op === 'norm' ? Math.sqrt(s) : op === 'mean' ? (n === 0 ? NaN : s * Math.fround(1 / n)) : s;
  });
  return out;
}

function dot(x: DeviceArray, y: DeviceArray): DeviceArray {
  requireArray('dot', 'y', y);
  sameDType('dot', x, 'x', y, 'y');
  sameLength('dot', x, 'x', y, 'y');
  const host = hostOf('dot', x, y);
  if (x.dtype === 'f32') checkKernelSizes('dot', host, [sized('x', x), sized('y', y), result(Math.ceil(x.length / FOLD), 'the partial sums')], 1);
  const out = new DeviceArray(host, x.dtype, 1);
  const X = x.data;
  const Y = y.data;
  const O = out.data;
  if (X instanceof Float32Array) host.enqueue(async () => {
    O[0] = await foldF32(host, 'dot', X, Y as Float32Array);
  });
  else host.enqueue(() => {
    O[0] = intSum(X, Y as Int32Array);
  });
  return out;
}

// --- scan -----------------------------------------------------------------------------------------

function scan(x: DeviceArray, opts: ScanOptions): DeviceArray {
  const host = hostOf('scan', x);
  requireDType('scan', 'x', x, ['f32', 'i32', 'u32']);
  const out = new DeviceArray(host, x.dtype, x.length);
  const X = x.data;
  const O = out.data;
  const exclusive = opts.exclusive ?? false;
  if (x.length > 0) host.enqueue(() => {
    O.set(scanCpu(X, exclusive));
  });
  return out;
}

// --- matmul, transpose ------------------------------------------------------------------------------------

function checkDim(op: string, name: string, v: number): void {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new ShapeError(`${op}: ${name} must be a non-negative integer, got ${String(v)}`);
}

const MATMUL_SRC =
  'function (a, b, k, aRow, aCol, bRow, bCol) { let s = 0; for (let p = 0; p < k; p++) { s += a[this.thread.y * aRow + p * aCol] * b[p * bRow + this.thread.x * bCol]; } return s; }';

function matmul(a: DeviceArray, b: DeviceArray, opts: MatmulShape): DeviceArray<'f32'> {
  const host = hostOf('matmul', a, b);
  const { m, k, n, transA, transB } = checkMatmul(a, b, opts);
  if (m * n > 0 && k > 0) checkKernelSizes('matmul', host, [sized('a', a), sized('b', b), result(m * n)], 5);
  const out = new DeviceArray(host, 'f32', [m, n]);
  const O = out.data;
  if (m * n === 0) return out;
  if (k === 0) {
    host.enqueue(() => {
    O.fill(0);
  });
    return out;
  }
  const A = a.data as Float32Array;
  const B = b.data as Float32Array;
  const strides = [transA ? 1 : k, transA ? m : 1, transB ? 1 : n, transB ? k : 1];
  // The loop over k has a bound gpu.js cannot see, so it stops at loopMaxIterations: the cap must cover k.
  enqueueInto(host, O, () => runKernel(host, 'matmul', MATMUL_SRC, loopCap(k), { argumentTypes: { a: 'Array', b: 'Array', k: 'Integer', aRow: 'Integer', aCol: 'Integer', bRow: 'Integer', bCol: 'Integer' } }, [n, m], [A, B, k, ...strides]));
  return out;
}

const TRANSPOSE_SRC = 'function (a, cols) { return a[this.thread.x * cols + this.thread.y]; }';

function transpose(a: DeviceArray, rows: number, cols: number): DeviceArray {
  const host = hostOf('transpose', a);
  requireDType('transpose', 'a', a, ['f32', 'i32', 'u32']);
  checkDim('transpose', 'rows', rows);
  checkDim('transpose', 'cols', cols);
  if (rows * cols !== a.length) throw new ShapeError(`transpose: a must hold rows·cols = ${rows}·${cols} = ${rows * cols} elements, but has ${a.length}`);
  if (a.dtype === 'f32' && rows > 1 && cols > 1) checkKernelSizes('transpose', host, [sized('a', a), result(a.length)], 1);
  const out = new DeviceArray(host, a.dtype, [cols, rows]);
  if (rows * cols === 0) return out;
  const A = a.data;
  const O = out.data;
  if (rows === 1 || cols === 1) host.enqueue(() => {
    O.set(A);
  });
  else if (A instanceof Float32Array) {
    enqueueInto(host, O, () => runKernel(host, 'transpose', TRANSPOSE_SRC, 0, { argumentTypes: { a: 'Array', cols: 'Integer' } }, [rows, cols], [A, cols]));
  } else {
    host.enqueue(() => {
      for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) O[c * rows + r] = A[r * cols + c] ?? 0;
    });
  }
  return out;
}

// --- fft ---------------------------------------------------------------------------------

function fft(x: DeviceArray, opts: FftOptions, inverse: boolean): DeviceArray<'f32'> {
  const op = inverse ? 'ifft' : 'fft';
  const host = hostOf(op, x);
  const { n, batch } = fftLayout(op, x, opts);
  const out = new DeviceArray(host, 'f32', x.length);
  const X = x.data as Float32Array;
  const O = out.data;
  if (x.length === 0) return out;
  host.enqueue(() => {
    O.set(n <= 1 ? X : fftCpu(X, n, batch, inverse));
  });
  return out;
}

/** The gpujs implementation of every ready op. */
export const gpujsOps: FallbackOps = {
  binary,
  scale,
  axpy,
  reduce,
  dot,
  scan,
  matmul,
  transpose,
  fft,
  map: hostMap,
  elementwise: buildHostElementwise,
};

/** Makes the ops in src/ops dispatch gpujs arrays here. */
export function registerGpujsOps(): void {
  registerFallbackOps(gpujsOps);
}

/** Options of `device.jsKernel()`. */
export interface JsKernelOptions {
  /** Output size: `n`, `[x]`, `[x, y]` or `[x, y, z]` threads (gpu.js order: x fastest). */
  readonly output: number | readonly number[];
  /**
   * The most iterations any loop of the kernel makes. gpu.js stops every loop whose bound it cannot see —
   * a `while`, a `do … while`, a `for` whose test reads an argument or a computed variable — after this
   * many iterations, **without an error** (the rest of the loop is skipped, in every gpu.js mode). So
   * jsKernel refuses, with an ArgumentError naming the loop, a kernel that has such a loop unless this is
   * given; a loop that runs longer than the number given is still cut short silently. `for` loops of
   * the plain form `for (let i = 0; i < 4096; i++)` (number literals for the start and the bound) run to
   * their end and need no cap. An integer in [1, 2^31 - 1]; `settings.loopMaxIterations` is read as the same.
   * @default none: required when the kernel has a loop without a literal bound
   */
  readonly loopMaxIterations?: number;
  /** Passed to gpu.js's createKernel (e.g. `constants`, `argumentTypes`). */
  readonly settings?: Readonly<Record<string, unknown>>;
}

/** A JS kernel on the gpujs engine: call it with arrays and numbers; it returns a new f32 array. */
export type JsKernelFn = (...args: (DeviceArray | number)[]) => DeviceArray<'f32'>;

let jsKernels = 0;

/** A `return` of nothing, null or undefined. */
const EMPTY_RETURN = /\breturn\s*(?:null\b|undefined\b|void\s+0\b|;|\})/;

/** gpu.js translates a function from its source, and only `function (…) { … }` expressions. */
const FUNCTION_SOURCE = /^function\s*[\w$]*\s*\(/;

/** The loop cap a jsKernel runs with: the one the options state, or (no loops gpu.js caps) gpu.js's default. */
function jsLoopCap(source: string, opts: JsKernelOptions): number {
  const inSettings = opts.settings?.['loopMaxIterations'];
  const show = (v: unknown): string => (typeof v === 'number' ? String(v) : typeof v);
  const given = opts.loopMaxIterations ?? inSettings;
  if (opts.loopMaxIterations !== undefined && inSettings !== undefined && inSettings !== opts.loopMaxIterations) {
    throw new ArgumentError(`jsKernel: loopMaxIterations is ${show(opts.loopMaxIterations)} but settings.loopMaxIterations is ${show(inSettings)}; give one`);
  }
  if (given !== undefined) {
    if (typeof given !== 'number' || !Number.isInteger(given) || given < 1 || given > 0x7fffffff) {
      throw new ArgumentError(`jsKernel: loopMaxIterations must be an integer in [1, 2^31 - 1], got ${show(given)}`);
    }
    return given;
  }
  const capped = cappedLoops(source);
  if (capped.length === 0) return 1000;
  const where = [...new Map(capped.map((l) => [l.line, `line ${l.line} (\`${l.text}\`)`])).values()].join(', ');
  throw new ArgumentError(
    `jsKernel: the kernel has a loop whose bound gpu.js cannot see, at ${where}; gpu.js stops such loops after loopMaxIterations iterations (1000 by default) without an error. ` +
      'Pass { loopMaxIterations: N } with N at least the most iterations any loop makes, or write the loop as for (let i = 0; i < <number>; i++).',
  );
}

/**
 * Builds a gpu.js kernel from a JS function (`this.thread.x/y/z` index the output) that runs on the device's
 * gpu.js mode. Arrays are passed as their host data (integer arrays as they are; gpu.js reads them as f32).
 * The result is an f32 array of shape `[z, y, x]` (row-major; x fastest).
 *
 * Throws ArgumentError, before anything runs, for what gpu.js would fail on later or get silently wrong:
 * an arrow function, a method or a string instead of a `function` expression; options without `output`;
 * a loop without a literal bound and no `loopMaxIterations` (see {@link JsKernelOptions.loopMaxIterations}).
 */
export function jsKernel(host: HostContext, fn: (...args: never[]) => unknown, opts: JsKernelOptions): JsKernelFn {
  if (typeof fn !== 'function') throw new ArgumentError(`jsKernel: expected a function (\`function (a, b) { return ...; }\`), got ${typeof fn}`);
  const source = Function.prototype.toString.call(fn);
  if (!FUNCTION_SOURCE.test(source) || source.includes('[native code]')) {
    throw new ArgumentError(
      `jsKernel: gpu.js translates a \`function (…) { … }\` expression from its source; got ${source.startsWith('class') ? 'a class' : /^(async\s+)?(\(|[\w$]+\s*=>)/.test(source) ? 'an arrow function (it has no `this.thread`)' : source.startsWith('function') ? 'a bound or native function' : 'a method, async or generator function'}`,
    );
  }
  // gpu.js stores a bare `return;` or `return null` as 0 in webasm mode (and refuses it in webgpu mode):
  // refused here, on every mode, before anything runs. (Other non-numbers fail the call's output.)
  const empty = EMPTY_RETURN.exec(source);
  if (empty !== null) throw new ArgumentError(`jsKernel: the kernel has \`${empty[0].replace(/\s+/g, ' ').trim()}\`; it must return one number per thread (gpu.js would store 0)`);
  if (typeof opts !== 'object' || (opts as unknown) === null) throw new ArgumentError('jsKernel: options { output } are required');
  const output = opts.output as unknown;
  if (output === undefined) throw new ArgumentError('jsKernel: options.output is required: the number of threads, n or [x, y?, z?]');
  if (typeof output !== 'number' && !Array.isArray(output)) throw new ArgumentError(`jsKernel: options.output must be a number or an array of 1 to 3 numbers, got ${typeof output}`);
  const dims = typeof output === 'number' ? [output] : [...(output as number[])];
  if (dims.length < 1 || dims.length > 3) throw new ShapeError(`jsKernel: output must have 1 to 3 dimensions, got [${dims.join(', ')}]`);
  const shape = [...checkShape(dims, 'output size').shape].reverse();
  const loopMax = jsLoopCap(source, opts);
  const settings = { ...opts.settings };
  delete settings['loopMaxIterations'];
  const key = `js|${jsKernels++}`;
  return (...args) => {
    const arrays = args.filter((a): a is DeviceArray => a instanceof DeviceArray);
    if (arrays.length > 0) hostOf('jsKernel', ...arrays);
    host.assertUsable();
    const total = shape.reduce((a, b) => a * b, 1);
    checkKernelSizes('jsKernel', host, [...arrays.map((a, i) => sized(`array argument ${i + 1}`, a)), result(total)], args.length - arrays.length);
    const out = new DeviceArray<'f32'>(host, 'f32', shape);
    if (out.length === 0) return out;
    const values = args.map((a) => (a instanceof DeviceArray ? a.data : a));
    enqueueInto(host, out.data, () =>
      // gpu.js refuses what it cannot store as an f32 (a string, an array, null): that fails this output
      // (reading it throws), never zeros.
      runKernel(host, key, fn, loopMax, settings, dims, values).catch((e: unknown) => {
        if (e instanceof GpukitError) throw e;
        throw new ArgumentError(`jsKernel: gpu.js cannot build or run the kernel (it must return one number per thread): ${e instanceof Error ? e.message.split('\n')[0] ?? '' : String(e)}`, { cause: e });
      }),
    );
    return out;
  };
}
