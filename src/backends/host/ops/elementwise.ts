/**
 * add, sub, mul, scale, axpy and map on the host engine: gpu.js kernels for f32 (a CPU loop wrapping modulo
 * 2^32 like WGSL for i32/u32); `map` translates its WGSL expression to JavaScript (src/backends/host/builders.ts).
 * The manifests and checks: src/ops/elementwise.ts.
 */
import { DeviceArray } from '../../../buffers/device-array.js';
import type { HostContext } from '../context.js';
import { ArgumentError, DTypeError, ShapeError } from '../../../errors.js';
import { hostOf } from '../host-of.js';
import { checkScalar, requireArray, sameShape } from '../../../ops/signature.js';
import { runKernel } from '../gpujs.js';
import { checkKernelSizes, enqueueInto, result, sized } from '../kernel-sizes.js';
import { hostMap } from '../builders.js';
import type { AxpyCall, MapCall, ScaleCall } from '../../../ops/elementwise.js';

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

/**
 * The call's arrays broadcast to its output shape, as plain arrays (NumPy's broadcasting; the gpu.js kernels
 * read plain host memory). `temps` collects the copies made, for the caller to destroy once enqueued.
 */
function broadcastTo(a: DeviceArray, shape: readonly number[], temps: DeviceArray[]): DeviceArray {
  if (sameShape(a.shape, shape)) return a;
  const c = a.broadcastTo(shape).contiguous();
  temps.push(c);
  return c;
}

/** `a * x` on the host engine. */
export function hostScale(_host: HostContext, { x, a, out }: ScaleCall): DeviceArray {
  return scale(x, a, out);
}

/** `y = a * x + y` in place on the host engine. */
export function hostAxpy(_host: HostContext, { a, x, y, shape }: AxpyCall): DeviceArray {
  const temps: DeviceArray[] = [];
  try {
    return axpy(a, broadcastTo(x, shape, temps), y);
  } finally {
    for (const t of temps) t.destroy();
  }
}

/** `map(x, expr, out)` on the host engine: the expression translated to JavaScript. */
export function hostMapOp(_host: HostContext, { x, expr, out }: MapCall): DeviceArray {
  return hostMap(x, expr, out);
}
