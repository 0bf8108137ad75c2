/**
 * What `device.reduction()` builds from, and its parse: pure argument logic, the same for both engines
 * (the Dawn builder in src/backends/dawn/ops/reduce.ts, the host one in src/backends/host/builders.ts).
 */
import type { DeviceArray } from '../buffers/device-array.js';
import type { DType } from '../buffers/dtype.js';
import { ArgumentError } from '../errors.js';
import { checkBrackets, parseArgs, REDUCTION_RESERVED, type ArgSpec, type ReductionParts } from '../kernels/codegen.js';
import { checkOptions } from '../args.js';
import type { AxisOptions } from './axis-options.js';

/** What `device.reduction()` builds from: CuPy's ReductionKernel, in WGSL. */
export interface ReductionSpec {
  /** Typed arguments, as for elementwise: `'x: T[], y: T[]'` (scalars allowed: `'x: T[], c: f32'`). */
  readonly args: string;
  /** Expression of the arguments (their elements at index `i`) giving the value to fold. @default the only array */
  readonly map?: string;
  /** Associative fold of `a` and `b`, e.g. `'a + b'` or `'max(a, b)'`. */
  readonly reduce: string;
  /** The fold's identity, e.g. `'0'` or `'-3.4e38'`. */
  readonly identity: string;
  /** Applied to the final value `a`, e.g. `'sqrt(a)'`; scalar arguments are `params.<name>` here. @default 'a' */
  readonly post?: string;
  /** Accumulator and result type. @default 'T' */
  readonly type?: DType | 'T';
  /** @default 'reduction' */
  readonly name?: string;
}

/** A built reduction: call it with its arguments (by name or in order); it returns a device scalar: a 0-d array (shape []), or the kept axes' shape along axes. */
export interface ReductionFn {
  /** A trailing `{ axis, keepdims }` reduces along those axes instead of over the whole (broadcast) input. */
  (args: Readonly<Record<string, DeviceArray | number>>, along?: AxisOptions): DeviceArray;
  (...args: (DeviceArray | number | AxisOptions)[]): DeviceArray;
  /** The generated WGSL for a dtype and vector width (for reading, and for tests of the code generator). */
  wgsl(dtype?: DType, width?: 1 | 4): string;
}

/**
 * A reduction spec checked and parsed, the same way for both engines: its name, arguments and the WGSL
 * expressions (`map` defaults to the only array; brackets are checked in each expression).
 */
/**
 * `rawAllowed`: gpukit's own reductions (fusion's prologues) may read a raw array (`b: raw f32[]`, bound
 * whole and read by index in the prelude, never at the mapped element); user reductions may not.
 */
export function parseReduction(spec: ReductionSpec, rawAllowed = false): { name: string; args: ArgSpec[]; parts: ReductionParts } {
  checkOptions('reduction', spec, { args: 'string', map: 'string', reduce: 'string', identity: 'string', post: 'string', type: ['T', 'f32', 'i32', 'u32', 'f16'], name: 'string' }, ['args', 'reduce', 'identity'], 'spec');
  const name = spec.name ?? 'reduction';
  const args = parseArgs(spec.args, REDUCTION_RESERVED, rawAllowed);
  const arrays = args.filter((a) => a.array && a.raw !== true);
  const map = spec.map ?? (arrays.length === 1 ? (arrays[0]?.name ?? '') : undefined);
  if (map === undefined) throw new ArgumentError(`reduction '${name}': with several arrays, say how to combine them in 'map'`);
  const exprs: [string, string | undefined][] = [['map', map], ['reduce', spec.reduce], ['identity', spec.identity], ['post', spec.post]];
  for (const [what, text] of exprs) {
    if (text === undefined) continue;
    if (typeof text !== 'string') throw new ArgumentError(`reduction '${name}': '${what}' must be a string of WGSL, got ${typeof text}`);
    checkBrackets(text, `the ${what} expression of reduction '${name}'`);
  }
  return { name, args, parts: { map, reduce: spec.reduce, identity: spec.identity, post: spec.post ?? 'a', type: spec.type ?? 'T' } };
}
