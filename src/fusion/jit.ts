/**
 * `jit(fn)`: a function of arrays traced once per input signature (the arrays' device, dtypes and shapes),
 * then replayed. It is a thin layer over the automatic fusion (src/backends/dawn/fusion.ts): the trace is
 * an ordinary call of `fn`, whose recorded chain fusion composes into one kernel as always; what jit adds
 * is that later calls skip `fn`'s per-op work (each op's check and recording, some 4 µs of JS an op) and
 * run that kernel on the new arrays at once. That per-op work is what dominates a long chain of small ops.
 */
import { DeviceArray } from '../buffers/device-array.js';
import { ArgumentError } from '../errors.js';
import { checkArray } from '../ops/check-array.js';

/** Computes a lazy array (its memory is what any use of it needs first). */
function compute(a: DeviceArray): unknown {
  return a.storage;
}

/** A recorded chain that can run again on other arrays (Dawn's fusion provides it). */
interface Replayable {
  replay(inputs: readonly DeviceArray[]): ((inputs: readonly DeviceArray[]) => DeviceArray) | undefined;
}

function replayable(p: unknown): p is Replayable {
  return typeof p === 'object' && p !== null && typeof (p as Partial<Replayable>).replay === 'function';
}

/** What a signature's trace found: a kernel to replay, or `fn` itself to call each time. */
type Trace = ((inputs: readonly DeviceArray[]) => DeviceArray) | 'call';

/** The most signatures a jitted function keeps (older ones are traced again when they come back). */
const MAX_TRACES = 64;

/**
 * Traces `fn` once per signature (the arrays' device, dtypes and shapes, and which are the same array) and
 * replays the recorded chain on later calls with that signature: one fused dispatch, without running `fn`'s
 * ops one by one. The answer is the one `fn` gives (the same kernel, bit for bit). Like `jax.jit`, the
 * trace fixes everything that is not an argument array: JS numbers `fn` uses (read from a closure or
 * computed in it) are those of the first call of each signature, and `fn`'s control flow is the path that
 * call took; pass what varies as arrays.
 *
 * `fn` is simply called each time (no replay) when its result is not one recorded elementwise chain of its
 * arguments: fusion off (`fuse: false`, `GPUKIT_FUSE=0`) or the gpujs engine, a result that is not lazy
 * (a reduction, matmul, an argument), a chain that reads an array other than the arguments, or one past
 * the fused-kernel limits (cut into several kernels). The first call of a signature returns `fn`'s own
 * (lazy) result; a replay returns a computed array.
 *
 * @example
 * ```ts
 * const step = jit((x: DeviceArray, y: DeviceArray) => maximum(multiply(square(add(mul(sub(x, 0.5), 1.5), y)), y), 0));
 * const a = step(x, y); // traced: fn runs, its chain records as usual
 * const b = step(x2, y2); // replayed: one dispatch, no per-op work
 * ```
 * @see https://jax.readthedocs.io/en/latest/_autosummary/jax.jit.html
 */
export function jit<A extends DeviceArray[]>(fn: (...args: A) => DeviceArray): (...args: A) => DeviceArray {
  if (typeof fn !== 'function') throw new ArgumentError(`jit: fn must be a function of arrays, got ${typeof fn}`);
  const traces = new Map<string, Trace>();
  const devices = new WeakMap<object, number>();
  let nextDevice = 0;
  const deviceKey = (a: DeviceArray): number => {
    const home = a.backend as object;
    let k = devices.get(home);
    if (k === undefined) devices.set(home, (k = nextDevice++));
    return k;
  };
  return (...args: A): DeviceArray => {
    let key = '';
    for (let k = 0; k < args.length; k++) {
      const a: unknown = args[k];
      checkArray('jit', `argument ${String(k)}`, a);
      if (a.destroyed) throw new ArgumentError(`jit: argument ${String(k)} was destroyed`);
      // An argument passed twice is part of the signature: a trace of f(x, x) binds one array for both.
      const first = args.indexOf(a);
      key += first < k ? `=${String(first)};` : `${String(deviceKey(a))}:${a.dtype}:${a.shape.join('x')};`;
    }
    const trace = traces.get(key);
    if (typeof trace === 'function') return trace(args);
    if (trace === 'call') return fn(...args);
    // The trace: lazy arguments are computed first, so the chain reads them as arrays (not their recordings).
    for (const a of args) if (a.pending !== undefined) compute(a);
    const out = fn(...args);
    const p = out instanceof DeviceArray ? out.pending : undefined;
    const replay = replayable(p) ? p.replay(args) : undefined;
    if (traces.size >= MAX_TRACES) traces.delete(traces.keys().next().value as string);
    traces.set(key, replay ?? 'call');
    return out;
  };
}
