/**
 * The elementwise ops scale, axpy and map (add, subtract, multiply: src/ops/math.ts), as manifests (argument check, NumPy's name,
 * tolerance, docs, and each op's WGSL expression — what a fusion step reads), and the types of the
 * elementwise builder behind `device.elementwise(spec)`. The engines' implementations:
 * src/backends/dawn/ops/elementwise.ts (the WGSL builder, src/kernels/codegen.ts) and
 * src/backends/host/ops/elementwise.ts (gpu.js kernels, CPU loops, the WGSL→JS translation).
 */
import { DeviceArray } from '../buffers/device-array.js';
import type { DType } from '../buffers/dtype.js';
import { ArgumentError } from '../errors.js';
import { outputsOf, parseArgs, usesInd, type ArgSpec } from '../kernels/codegen.js';
import { checkArrays, checkElementwiseCall, checkNumber, requireArray, type ElementwiseCheck } from './signature.js';
import { describeValue } from '../args.js';
import { outOf, viewOutput, type OutOptions } from './signature.js';
import { defineOp, NUMERIC_DTYPES, type Checked } from './manifest.js';
import { dawnAxpy, dawnMap, dawnScale } from '../backends/dawn/ops/elementwise.js';
import { hostAxpy, hostMapOp, hostScale } from '../backends/host/ops/elementwise.js';

// device.elementwise() (src/gpu-device.ts) builds with this on Dawn.
export { buildElementwise } from '../backends/dawn/ops/elementwise.js';

/** What `device.elementwise()` (and `device.elementwise`) builds from: CuPy's ElementwiseKernel, in WGSL. */
export interface ElementwiseSpec {
  /** Typed arguments: `'x: T[], y: T[], a: f32'` — arrays with `[]`, `T` resolved from the arrays passed. */
  readonly args: string;
  /**
   * WGSL statements; an array's name stands for its element at index `i` (`n` is the length). A raw array
   * (`b: raw T[]`) is indexed instead (`b[i % cols]`), and `_ind(d)` is the output's index along dimension d.
   */
  readonly body: string;
  /** Names the kernel in errors and labels. @default 'elementwise' */
  readonly name?: string;
}

/**
 * Arguments by name (or positionally, in signature order). Outputs the body only writes (`y = ...`) may be
 * omitted: they are allocated. An output the body also reads (`y += ...`) must be given. An output may be
 * the same array as an input (in place); two outputs may not be the same array.
 */
export type ElementwiseArgs = Readonly<Record<string, DeviceArray | number>>;

/** Options of one call of an elementwise kernel, passed after its arguments. */
export interface ElementwiseCallOptions {
  /**
   * The output's shape (a number: 1-D), CuPy's `size=`: required when every array argument given is raw
   * (nothing else says how many elements to compute); otherwise it must equal the broadcast shape.
   * @default the broadcast shape of the non-raw array arguments
   */
  readonly size?: number | readonly number[];
}

/**
 * A built elementwise kernel: call it to enqueue; it returns its output array (or a record of them).
 *
 * @example
 * ```ts
 * const gather = await device.elementwise({ args: 't: raw T[], idx: i32[], out: T[]', body: 'out = t[idx]' });
 * gather({ t, idx });                          // out has idx's shape
 * const rev = await device.elementwise({ args: 't: raw T[], out: T[]', body: 'out = t[n - 1u - i]' });
 * rev({ t }, { size: t.size });                // every array is raw: say the output's size
 * ```
 */
export interface ElementwiseFn {
  (args: ElementwiseArgs, options?: ElementwiseCallOptions): DeviceArray | Record<string, DeviceArray>;
  (...args: (DeviceArray | number | ElementwiseCallOptions)[]): DeviceArray | Record<string, DeviceArray>;
  readonly args: readonly ArgSpec[];
  readonly outputs: readonly string[];
  /** The generated WGSL for a dtype and vector width (for inspection). */
  wgsl(dtype?: DType, width?: 1 | 4): string;
}
/** An elementwise op's WGSL: its typed arguments and its body (an assignment to each output). */
export interface ElementwiseExpression {
  readonly args: string;
  readonly body: string;
}

interface Parsed {
  readonly args: readonly ArgSpec[];
  readonly outputs: readonly string[];
  readonly writeOnly: readonly string[];
  readonly ind: boolean;
}

/** Parsed specs by args text, then body text (no concatenated key to build and hash per call). */
const parsed = new Map<string, Map<string, Parsed>>();

function parse(e: ElementwiseExpression): Parsed {
  let byBody = parsed.get(e.args);
  if (byBody === undefined) parsed.set(e.args, (byBody = new Map<string, Parsed>()));
  let p = byBody.get(e.body);
  if (p === undefined) {
    const args = parseArgs(e.args);
    const o = outputsOf(e.body, args);
    byBody.set(e.body, (p = { args, outputs: o.outputs, writeOnly: o.writeOnly, ind: usesInd(e.body) }));
  }
  return p;
}

/**
 * The check of one call of a ready elementwise op, for both engines, before anything is allocated: what
 * the builder checks (the arguments by name, outputs writable, the `T` dtype, NumPy's broadcasting, the
 * scalars; src/ops/signature.ts), then that each given output is a plain array. Returns the output's
 * shape and dtype (the first output's) with the bound arguments.
 */
export function checkReady(name: string, e: ElementwiseExpression, named: Readonly<Record<string, DeviceArray | number | undefined>>, op = name): { checked: ElementwiseCheck; shape: number[]; dtype: DType } {
  const p = parse(e);
  const given: Record<string, DeviceArray | number> = {};
  for (const [k, v] of Object.entries(named)) if (v !== undefined) given[k] = v;
  const c = checkElementwiseCall(name, p, [given]);
  for (const o of p.outputs) {
    const v = c.named[o];
    if (v instanceof DeviceArray && !v.isPlain) throw viewOutput(op, v);
  }
  const out = p.args.find((a) => a.name === p.outputs[0]);
  return { checked: c, shape: c.shape, dtype: out === undefined || out.type === 'T' ? c.dtype : out.type };
}

/** A checked scale. */
export interface ScaleCall extends Checked {
  /** What the builder's check found (the arguments bound, the `T` dtype, the output's shape). */
  readonly checked: ElementwiseCheck;
  /** The op's WGSL, which the Dawn builder compiles. */
  readonly expression: ElementwiseExpression;
  readonly x: DeviceArray;
  readonly a: number;
  readonly out: DeviceArray | undefined;
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/** A checked axpy (y is the output). */
export interface AxpyCall extends Checked {
  /** What the builder's check found (the arguments bound, the `T` dtype, the output's shape). */
  readonly checked: ElementwiseCheck;
  /** The op's WGSL, which the Dawn builder compiles. */
  readonly expression: ElementwiseExpression;
  readonly a: number;
  readonly x: DeviceArray;
  readonly y: DeviceArray;
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/** A checked map. */
export interface MapCall extends Checked {
  readonly x: DeviceArray;
  readonly expr: string;
  readonly out: DeviceArray | undefined;
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/** The ready ops' WGSL (the Dawn builders compile exactly these; the host runs the same formulas). */
export const ELEMENTWISE_EXPRESSIONS = {
  scale: { args: 'x: T[], out: T[], a: T', body: 'out = a * x' },
  axpy: { args: 'x: T[], y: T[], a: T', body: 'y = a * x + y' },
} as const satisfies Readonly<Record<string, ElementwiseExpression>>;

export const SCALE = {
  ...defineOp({
    name: 'scale',
    numpy: null,
    category: 'elementwise',
    summary: '`a * x` for a scalar a (`out` may be x)',
    tolerance: 'exact',
    dtypes: NUMERIC_DTYPES,
    check: (x: DeviceArray, a: number, options: OutOptions | DeviceArray | undefined): ScaleCall => {
      const out = outOf('scale', options);
      checkArrays('scale', { x, out }, ['out']);
      checkNumber('scale', 'a', a);
      const c = checkReady('scale', ELEMENTWISE_EXPRESSIONS.scale, { x, a, out });
      return { backend: x.backend, expression: ELEMENTWISE_EXPRESSIONS.scale, checked: c.checked, x, a, out, shape: c.shape, dtype: c.dtype };
    },
    dawn: dawnScale,
    host: hostScale,
  }),
  expression: ELEMENTWISE_EXPRESSIONS.scale,
};

export const AXPY = {
  ...defineOp({
    name: 'axpy',
    numpy: null,
    category: 'elementwise',
    summary: '`y = a * x + y` in place (BLAS axpy)',
    tolerance: 'exact',
    dtypes: NUMERIC_DTYPES,
    check: (a: number, x: DeviceArray, y: DeviceArray): AxpyCall => {
      checkArrays('axpy', { x, y });
      checkNumber('axpy', 'a', a);
      // y is both input and output: left out, the builder would allocate it as a fresh output.
      requireArray('axpy', 'y', y);
      const c = checkReady('axpy', ELEMENTWISE_EXPRESSIONS.axpy, { x, y, a });
      return { backend: x.backend, expression: ELEMENTWISE_EXPRESSIONS.axpy, checked: c.checked, a, x, y, shape: c.shape, dtype: c.dtype };
    },
    dawn: dawnAxpy,
    host: hostAxpy,
  }),
  expression: ELEMENTWISE_EXPRESSIONS.axpy,
};

export const MAP = defineOp({
  name: 'map',
  numpy: null,
  category: 'elementwise',
  summary: 'a WGSL expression of `x` applied to every element',
  tolerance: 'exact',
  dtypes: NUMERIC_DTYPES,
  check: (x: DeviceArray, expr: string, options: OutOptions | DeviceArray | undefined): MapCall => {
    const out = outOf('map', options);
    checkArrays('map', { x, out }, ['out']);
    if (typeof expr !== 'string') throw new ArgumentError(`map: expr must be a WGSL expression (a string), got ${describeValue(expr)}`);
    const name = `map(${expr})`;
    const c = checkReady(name, { args: 'x: T[], out: T[]', body: 'out = x' }, { x, out });
    return { backend: x.backend, x, expr, out, shape: c.shape, dtype: c.dtype };
  },
  dawn: dawnMap,
  host: hostMapOp,
});

/** Casts an op result back to the caller's dtype parameter (the ops keep the input's dtype). */
function same<D extends DType>(a: DeviceArray): DeviceArray<D> {
  return a as DeviceArray<D>;
}

/** `x * a` for a scalar a, elementwise (`out` may be x: `scale(x, 2, { out: x })` scales in place). */
export function scale<D extends DType>(x: DeviceArray<D>, a: number, options?: OutOptions<D>): DeviceArray<D>;
/** @deprecated The output as the third argument: pass `{ out }`. */
export function scale<D extends DType>(x: DeviceArray<D>, a: number, out?: DeviceArray<D>): DeviceArray<D>;
export function scale<D extends DType>(x: DeviceArray<D>, a: number, options?: OutOptions<D> | DeviceArray<D>): DeviceArray<D> {
  return same<D>(SCALE.call(x, a, options));
}

/** `y = a * x + y` in place (BLAS axpy); returns y. y is required (it is read), and may be x: `y = (a + 1)·y`. */
export function axpy<D extends DType>(a: number, x: DeviceArray<D>, y: DeviceArray<D>): DeviceArray<D> {
  return same<D>(AXPY.call(a, x, y));
}

/**
 * Applies a WGSL expression of `x` (and `i`, `n`) to every element, into a new array (or `out`, which may
 * be x: in place). The expression is compiled on first use (synchronously), and the device keeps the most
 * recently used expressions compiled (see `setBuilderCacheSize`). A first use cannot report a compile
 * error at once: it surfaces at the next readback, pointing into the expression, and later calls throw it
 * immediately. Prefer `device.elementwise()` to get compile errors up front.
 *
 * @example
 * ```ts
 * const y = map(x, 'sqrt(abs(x)) + 1.0');
 * map(x, 'x * x', { out: x });             // in place
 * ```
 */
export function map<D extends DType>(x: DeviceArray<D>, expr: string, options?: OutOptions<D>): DeviceArray<D>;
/** @deprecated The output as the third argument: pass `{ out }`. */
export function map<D extends DType>(x: DeviceArray<D>, expr: string, out?: DeviceArray<D>): DeviceArray<D>;
export function map<D extends DType>(x: DeviceArray<D>, expr: string, options?: OutOptions<D> | DeviceArray<D>): DeviceArray<D> {
  return same<D>(MAP.call(x, expr, options));
}

