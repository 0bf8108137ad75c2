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
import type { HostContext } from './context.js';
import { ArgumentError, GpukitError, ShapeError } from '../../errors.js';
import type { GpuDevice } from '../../gpu-device.js';
import { registerFallbackOps, type FallbackOps } from '../../ops/engine.js';
import { hostOf } from './host-of.js';
import { histogramCpu, histogramScale, type Histogram } from '../../ops/histogram.js';
import { normalCpu, randomStream, randomU32Cpu, uniformCpu, type RandomOptions } from '../../ops/random.js';
import { sortCpu, sortPairsCpu } from '../../ops/sort.js';
import { requireDType, sameLength } from '../../ops/util.js';
import { runKernel } from './gpujs.js';
import { checkKernelSizes, enqueueInto, result, sized } from './kernel-sizes.js';
import { cappedLoops } from './loops.js';

type Keys = Float32Array | Int32Array | Uint32Array;


// --- sort -----------------------------------------------------------------------------------------

/** sortCpu keeps NaN payloads; the ops return every NaN as the quiet NaN 0x7FFFFFFF, as on Dawn. */
function canonicalNaN(keys: Keys): Keys {
  if (!(keys instanceof Float32Array)) return keys;
  const bits = new Uint32Array(keys.buffer, keys.byteOffset, keys.length);
  for (let i = 0; i < keys.length; i++) if (Number.isNaN(keys[i])) bits[i] = 0x7fffffff;
  return keys;
}

function sort(keys: DeviceArray): DeviceArray {
  const host = hostOf('sort', keys);
  requireDType('sort', 'keys', keys, ['u32', 'i32', 'f32']);
  const out = new DeviceArray(host, keys.dtype, keys.length);
  const K = keys.data;
  const O = out.data;
  if (keys.length > 0) host.enqueue(() => {
    new Uint32Array(O.buffer, O.byteOffset, O.length).set(bitsOf(canonicalNaN(sortCpu(K))));
  });
  return out;
}

function bitsOf(a: Keys): Uint32Array {
  return new Uint32Array(a.buffer, a.byteOffset, a.length);
}

function sortPairs(keys: DeviceArray, values: DeviceArray<'u32'>): { keys: DeviceArray; values: DeviceArray<'u32'> } {
  const host = hostOf('sortPairs', keys, values);
  requireDType('sortPairs', 'keys', keys, ['u32', 'i32', 'f32']);
  requireDType('sortPairs', 'values', values, ['u32']);
  sameLength('sortPairs', keys, 'keys', values, 'values');
  const outK = new DeviceArray(host, keys.dtype, keys.length);
  const outV = new DeviceArray(host, 'u32', keys.length);
  const K = keys.data;
  const V = values.data;
  const OK = outK.data;
  const OV = outV.data;
  if (keys.length > 0) {
    host.enqueue(() => {
      const r = sortPairsCpu(K, V);
      new Uint32Array(OK.buffer, OK.byteOffset, OK.length).set(bitsOf(canonicalNaN(r.keys)));
      OV.set(r.values);
    });
  }
  return { keys: outK, values: outV };
}

// --- random, histogram ---------------------------------------------------------------------------------

function random(device: unknown, dist: 'uniform' | 'normal' | 'u32', n: number, opts: RandomOptions): DeviceArray {
  const host = (device as GpuDevice).host;
  if (host === null) throw new ArgumentError('random: not a gpujs device');
  const { offset } = randomStream(n, opts);
  const seed = opts.seed ?? 0;
  checkShape(n);
  const out = new DeviceArray(host, dist === 'u32' ? 'u32' : 'f32', n);
  const O = out.data;
  if (n > 0) host.enqueue(() => {
    O.set(dist === 'u32' ? randomU32Cpu(n, seed, offset) : dist === 'uniform' ? uniformCpu(n, seed, offset) : normalCpu(n, seed, offset));
  });
  return out;
}

function histogram(x: DeviceArray, opts: { readonly bins: number; readonly lo: number; readonly hi: number }): Histogram {
  const host = hostOf('histogram', x);
  requireDType('histogram', 'x', x, ['f32']);
  const { bins, lo, hi } = opts;
  histogramScale(bins, lo, hi); // checks the arguments now, not on the queue
  const counts = new DeviceArray(host, 'u32', bins);
  const outside = new DeviceArray(host, 'u32', 3);
  const X = x.data as Float32Array;
  const C = counts.data;
  const S = outside.data;
  host.enqueue(() => {
    const r = histogramCpu(X, bins, lo, hi);
    C.set(r.counts);
    S.set([r.below, r.above, r.nan]);
  });
  return { counts, outside };
}

/** The gpujs implementation of every ready op. */
export const gpujsOps: FallbackOps = {
  sort,
  sortPairs,
  random,
  histogram,
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
