/**
 * One manifest per op: everything gpukit knows about an op in one declaration — its public name and NumPy's
 * name, the argument check (run once, before anything is allocated, for both engines), the implementation on
 * each engine, the float64 reference the tests compare with beside NumPy, its tolerance class and where the
 * docs list it. The public function is `manifest.call`; the docs' op table and a test are generated from the
 * list of manifests (`src/ops/registry.ts`).
 */
import type { Backend } from '../backends/backend.js';
import type { DeviceContext } from '../backends/dawn/context.js';
import type { HostContext } from '../backends/host/context.js';
import type { DType } from '../buffers/dtype.js';

/** Where the reference docs list an op. */
export type DocCategory = 'creation' | 'manipulation' | 'elementwise' | 'math' | 'reduction' | 'statistics' | 'linalg' | 'indexing' | 'sorting' | 'scan' | 'random' | 'fft' | 'histogram' | 'builders';

/**
 * How close an op's f32 result must be to the float64 reference (src/testing/tolerance.ts states each bound):
 * `exact` bit for bit; `ulp` a few units in the last place; `sum` the blocked-sum bound n·u·Σ|x|;
 * `dot` the same bound over products; `transcendental` the WGSL accuracy of the built-in; `statistical`
 * a distribution test (random).
 */
export type ToleranceClass = 'exact' | 'ulp' | 'sum' | 'dot' | 'transcendental' | 'statistical';

/**
 * Whether an op works along axes: `one` takes one axis (`{ axis: 1 }`), `several` one or a list of them (or
 * null: all); absent, it has no axis option.
 */
export type AxisSupport = 'one' | 'several';

/** Every dtype, in the order the docs list them. */
export const ALL_DTYPES: readonly DType[] = ['bool', 'f16', 'f32', 'i32', 'u32'];
/** The numeric dtypes (every one but bool). */
export const NUMERIC_DTYPES: readonly DType[] = ['f32', 'f16', 'i32', 'u32'];
/** The floating-point dtypes. */
export const FLOAT_DTYPES: readonly DType[] = ['f32', 'f16'];

/** What every checked call carries: the backend that runs it. */
export interface Checked {
  readonly backend: Backend;
}

export interface OpManifest<A extends unknown[], C extends object, R> {
  /** The public name (`gpukit.<name>`). */
  readonly name: string;
  /** NumPy's name for the same op (`numpy.argmax`), or null where NumPy has none. */
  readonly numpy: string | null;
  /** Other public names of the same op (kept for compatibility, documented as aliases). */
  readonly aliases?: readonly string[];
  readonly category: DocCategory;
  /** One line for the docs' op table. */
  readonly summary: string;
  readonly tolerance: ToleranceClass;
  /**
   * The dtypes its data argument(s) may have (`x`; the values of `where`, the keys of a sort, the indices of
   * `bincount`); any other is a DTypeError. f16 needs a device with `shader-f16` (a Dawn adapter that has it).
   * Empty for an op that takes no array (the random generators). test/arch/manifests.test.ts holds every
   * registered op to it. Optional in the type only until every manifest's file declares it (the registry adds
   * it for the others).
   */
  readonly dtypes?: readonly DType[];
  /** Its axis option, if any (see {@link AxisSupport}). */
  readonly axis?: AxisSupport;
  /**
   * Validates the arguments (typed errors naming the op) and returns the call each engine runs: the
   * checked inputs, the options normalised, the output shape and dtype, and the backend. Runs before
   * anything is allocated.
   */
  readonly check: (...args: A) => C & Checked;
  /** The Dawn implementation (src/backends/dawn/ops/). */
  readonly dawn: (ctx: DeviceContext, call: C) => R;
  /** The host implementation: gpu.js kernels or CPU loops (src/backends/host/ops/). */
  readonly host: (ctx: HostContext, call: C) => R;
  /**
   * True for an op whose implementation returns views of its inputs or composes other ops and the backend's
   * storage primitives (`assign`, `gather`): those do their own queueing, so a backend runs it as it is
   * (the host backend neither gathers the call's views into plain arrays nor wraps it as one queued op).
   */
  readonly composite?: boolean;
  /** The float64 reference the tests use beside NumPy, where one exists. */
  readonly reference?: (...args: never[]) => unknown;
}

/** An op: its manifest and `call`, which the public function (with its docs) forwards to. */
export interface Op<A extends unknown[], C extends object, R> extends OpManifest<A, C, R> {
  /** Checks the arguments, then lets the backend of the call run this engine's implementation. */
  call(...args: A): R;
}

/** Declares an op. */
export function defineOp<A extends unknown[], C extends object, R>(m: OpManifest<A, C, R>): Op<A, C, R> {
  const run = m as unknown as OpManifest<never[], C, R>;
  return {
    ...m,
    call: (...args: A): R => {
      const c = m.check(...args);
      return c.backend.run(run, c);
    },
  };
}
