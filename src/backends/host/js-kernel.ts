/**
 * `device.jsKernel(fn, { output })`: a user's JavaScript kernel run by gpu.js on the gpujs engine, with its
 * loops capped and its arrays checked against what gpu.js can hold. (The ready ops of the host engine live in
 * src/backends/host/ops/, one file per op family.)
 */
import { DeviceArray, checkShape } from '../../buffers/device-array.js';
import type { HostContext } from './context.js';
import { ArgumentError, GpukitError, ShapeError } from '../../errors.js';
import { runKernel } from './gpujs.js';
import { checkKernelSizes, enqueueInto, result, sized } from './kernel-sizes.js';
import { cappedLoops } from './loops.js';
import { hostOf } from './host-of.js';

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
