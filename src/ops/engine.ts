/**
 * Where an op runs when its arrays are not on Dawn. Every op in src/ops checks its first array's engine on
 * its first line and, for `gpujs`, hands the call to the implementation registered here. src/backends/host/
 * registers it when a gpujs device opens, so src/ops never imports gpu.js (nor src/backends/host).
 */
import type { DeviceArray } from '../buffers/device-array.js';
import type { DType } from '../buffers/dtype.js';
import type { HostContext } from '../backends/host/context.js';
import type { EngineName } from '../device/info.js';
import { ArgumentError, UnsupportedOnEngineError } from '../errors.js';
import type { ElementwiseFn, ElementwiseSpec } from './elementwise.js';
import type { FftOptions } from './fft.js';
import type { MatmulShape } from './matmul.js';
import type { ScanOptions } from './scan.js';

/** The op interface the gpujs engine implements (src/backends/host/ops.ts). */
export interface FallbackOps {
  binary(op: 'add' | 'sub' | 'mul', x: DeviceArray, y: DeviceArray, out: DeviceArray | undefined): DeviceArray;
  scale(x: DeviceArray, a: number, out: DeviceArray | undefined): DeviceArray;
  axpy(a: number, x: DeviceArray, y: DeviceArray): DeviceArray;
  reduce(op: 'sum' | 'mean' | 'min' | 'max' | 'norm', x: DeviceArray): DeviceArray;
  dot(x: DeviceArray, y: DeviceArray): DeviceArray;
  scan(x: DeviceArray, opts: ScanOptions): DeviceArray;
  matmul(a: DeviceArray, b: DeviceArray, opts: MatmulShape): DeviceArray<'f32'>;
  transpose(a: DeviceArray, rows: number, cols: number): DeviceArray;
  fft(x: DeviceArray, opts: FftOptions, inverse: boolean): DeviceArray<'f32'>;
  /** `map(x, expr, out)`: the WGSL expression translated to JavaScript (src/backends/host/builders.ts). */
  map(x: DeviceArray, expr: string, out: DeviceArray | undefined): DeviceArray;
  /** A ready elementwise op from its WGSL spec (translated to JavaScript once; see src/backends/host/builders.ts). */
  elementwise(spec: ElementwiseSpec): ElementwiseFn;
}

/** Argument positions the fallback ops write (their outputs): views there are refused, as on Dawn. */
const OUTPUTS: Readonly<Record<string, readonly number[]>> = { binary: [3], scale: [2], axpy: [2] };

/** The error for a view given as an op's output (both engines: outputs must be plain arrays). */
export function viewOutput(op: string, a: DeviceArray): ArgumentError {
  return new ArgumentError(`${op}: the output ${a.toString()} is a view (offset ${a.offset}, strides [${a.strides.join(', ')}]); outputs must be plain arrays: write into a fresh array, then copy it in with view.write(...)`);
}

let registered: FallbackOps | undefined;
let tracked: FallbackOps | undefined;

/** @internal Called by src/backends/host/ when a gpujs device opens. */
export function registerFallbackOps(ops: FallbackOps): void {
  registered = ops;
  tracked = undefined;
}

function isArray(v: unknown): v is DeviceArray {
  return typeof v === 'object' && v !== null && (v as { engine?: unknown }).engine === 'gpujs' && typeof (v as { destroyed?: unknown }).destroyed === 'boolean';
}

/** The host memory blocks of the gpujs arrays in `v`: an array, or arrays inside a list or a plain record. */
export function hostBlocksOf(v: unknown, depth = 0): ArrayBuffer[] {
  if (isArray(v)) return v.destroyed ? [] : [v.storageBlock];
  if (depth > 1 || typeof v !== 'object' || v === null) return [];
  const items: unknown[] = Array.isArray(v) ? v : Object.values(v);
  return items.flatMap((x) => hostBlocksOf(x, depth + 1));
}

/**
 * Runs a gpujs op as one unit on its device's queue ({@link HostContext.op}): if one of its tasks fails,
 * or it read an array a failed op left undefined, the arrays it returns are marked failed with that error.
 */
export function trackedOp<A extends unknown[], R>(label: string, fn: (...args: A) => R, outputs: readonly number[] = [], device?: HostContext): (...args: A) => R {
  return (...args: A): R => {
    const first = args.find(isArray);
    // `device`: an op that may take no array (a jsKernel of scalars) is still one op of its device's queue.
    const host = first?.host ?? device ?? null;
    if (host === null) return fn(...args);
    for (const k of outputs) {
      const o = args[k];
      if (isArray(o) && !o.destroyed) {
        o.assertWritable(label, 'the output');
        if (!o.isPlain) throw viewOutput(label, o);
      }
    }
    // Views (offsets, strides, broadcasts) are gathered into plain arrays first, on the same queue: the
    // gpujs implementations read plain host memory. The op's inputs are still the views' own memory, so a
    // view of a failed array fails the op.
    const temps: DeviceArray[] = [];
    const plainArgs = args.map((a) => {
      if (!isArray(a) || a.destroyed || a.isPlain) return a;
      const c = a.contiguous();
      temps.push(c);
      return c;
    }) as A;
    try {
      return host.op(label, hostBlocksOf(args), () => fn(...plainArgs), (r) => hostBlocksOf(r));
    } finally {
      for (const t of temps) t.destroy();
    }
  };
}

/** True when `a` is an array of a non-Dawn engine (checked at run time: JS callers can pass anything). */
export function onFallback(a: unknown): boolean {
  return typeof a === 'object' && a !== null && (a as { engine?: EngineName }).engine === 'gpujs';
}

/** The gpujs implementation of the ops (registered once a gpujs device exists). */
export function fallback(op: string): FallbackOps {
  if (registered === undefined) throw new UnsupportedOnEngineError(`${op}: no gpujs device has been opened`);
  if (tracked === undefined) {
    const ops = registered as unknown as Record<string, (...args: unknown[]) => unknown>;
    tracked = Object.fromEntries(Object.entries(ops).map(([name, f]) => [name, trackedOp(name, f.bind(ops), OUTPUTS[name] ?? [])])) as unknown as FallbackOps;
  }
  return tracked;
}

/** Casts an op result back to the caller's dtype parameter (the fallback keeps the input's dtype). */
export function same<D extends DType>(a: DeviceArray): DeviceArray<D> {
  return a as DeviceArray<D>;
}
