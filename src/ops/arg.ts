import { fallback, onFallback } from './engine.js';
import { checkAxisOptions, reduceAxis, refuseEmpty, type AxisOptions } from './axis.js';
import { DeviceArray } from '../buffers/device-array.js';
import type { DeviceContext } from '../backends/dawn/context.js';
import { ArgumentError } from '../errors.js';
import { compileKernelSync, type Kernel } from '../backends/dawn/kernel.js';
import { builtinKernel } from '../kernels/load.js';
import { foldGroups } from '../backends/dawn/geometry.js';
import { registerTunable, softwareProfile, tunedParams } from '../backends/dawn/tuning.js';
import { deviceOf, requireDType, windowable } from './util.js';
import { chunkElements, pieces } from '../buffers/chunks.js';
import { checkArray } from './signature.js';
import { describeValue } from '../args.js';

export const argTunable = registerTunable({
  op: 'argreduce',
  sizes: [2 ** 12, 2 ** 20, 2 ** 24],
  candidates: (ctx) => [8, 16, 64, 256].flatMap((WG) => [16, 256, 1024, 2048].map((ITEMS) => ({ WG, ITEMS }))).filter((p) => p.WG <= ctx.limits.maxComputeInvocationsPerWorkgroup),
  defaults: (ctx) => (softwareProfile(ctx) ? { WG: 8, ITEMS: 1024 } : { WG: 256, ITEMS: 4 }),
});

/** Partials at or below this count are folded by one invocation. */
const FINISH_MAX = 2048;

const BEGIN = '// ===== BEGIN OP';
const END = '// ===== END OP =====';

/** The OP block of reduce-arg.wgsl for one op and dtype (the file's own block is f32 argmin). */
function opBlock(op: 'argmin' | 'argmax', dtype: 'f32' | 'i32' | 'u32'): string | undefined {
  if (dtype === 'f32') return op === 'argmin' ? undefined : 'argmax-f32';
  const identity = {
    argmin: { i32: 'T(2147483647)', u32: 'T(0xffffffffu)' },
    argmax: { i32: 'T(-2147483647 - 1)', u32: 'T(0u)' },
  }[op][dtype];
  const cmp = op === 'argmin' ? '<' : '>';
  return [
    `${BEGIN} (generated for ${op} ${dtype}) =====`,
    `fn identity() -> T { return ${identity}; }`,
    'fn map(q: u32) -> vec4<T> { return x[q]; }',
    `fn better(a: vec4<T>, ai: vec4u, b: vec4<T>, bi: vec4u) -> vec4<bool> { return (a ${cmp} b) | ((a == b) & (ai < bi)); }`,
    END,
  ].join('\n');
}

const sources = new Map<string, string>();

function source(op: 'argmin' | 'argmax', dtype: 'f32' | 'i32' | 'u32'): string {
  const key = `${op}|${dtype}`;
  let s = sources.get(key);
  if (s !== undefined) return s;
  const file = builtinKernel('reduce-arg');
  const block = opBlock(op, dtype);
  if (block === undefined) s = file;
  else if (block === 'argmax-f32') {
    // argmax over floats: -Inf identity and the opposite comparison; the NaN rule stays.
    s = file.replace('let bits = 0x7f800000u;', 'let bits = 0xff800000u;').replace('(!an & !bn & (a < b))', '(!an & !bn & (a > b))');
  } else {
    const a = file.indexOf(BEGIN);
    const b = file.indexOf(END) + END.length;
    s = file.slice(0, a) + block + file.slice(b);
  }
  sources.set(key, s);
  return s;
}

function kernel(ctx: DeviceContext, op: 'argmin' | 'argmax', dtype: 'f32' | 'i32' | 'u32', entryPoint: string, c: { WG: number; ITEMS: number }): Kernel {
  return compileKernelSync(ctx, source(op, dtype), { dtype, entryPoint, label: `reduce-arg|${op}|${dtype}|${entryPoint}`, constants: entryPoint === 'finish' ? {} : c });
}

function gridOf(ctx: DeviceContext, groups: number): [number, number, number] {
  return foldGroups(groups, ctx.limits.maxComputeWorkgroupsPerDimension);
}

function argReduce(op: 'argmin' | 'argmax', x: DeviceArray): DeviceArray<'u32'> {
  const ctx = deviceOf(op, x);
  requireDType(op, 'x', x, ['f32', 'i32', 'u32']);
  const dtype = x.dtype as 'f32' | 'i32' | 'u32';
  if (x.length >= 0xffffffff) throw new ArgumentError(`${op}: indices are u32, so x must have fewer than 2^32 - 1 elements`);
  const p = tunedParams(ctx, argTunable, x.length);
  const chunked = x.length > chunkElements(ctx.limits);
  // Chunked: at least 256 items an invocation, so all chunks' partials (32-byte Pairs) fit one binding.
  const c = { WG: p['WG'] ?? 8, ITEMS: Math.max(chunked ? 256 : 2, p['ITEMS'] ?? 1024) };
  const pairs = (count: number): DeviceArray => new DeviceArray(ctx, 'u32', Math.max(1, count) * 8); // Pair = 32 bytes
  const scratch: DeviceArray[] = [];
  const index = new DeviceArray(ctx, 'u32', 1);
  try {
    const per = c.WG * c.ITEMS;
    const groupsOf = (len: number): number => Math.max(1, Math.ceil(Math.ceil(len / 4) / per));
    // Larger than one binding: the first pass runs per chunk (x bound as aligned windows; indices offset by
    // the chunk's start), each chunk's partials after the previous chunk's; the passes after fold them all.
    const parts = pieces(x.length, chunkElements(ctx.limits));
    let count = parts.reduce((a, q) => a + groupsOf(q.length) * c.WG, 0);
    let src = pairs(count);
    scratch.push(src);
    const main = kernel(ctx, op, dtype, 'main', c);
    if (parts.length === 1) main.run({ x, partials: src, params: { n: x.length, base: 0, pbase: 0 } }, { workgroups: gridOf(ctx, groupsOf(x.length)) });
    else {
      const flat = windowable(op, { x }, ctx.limits.maxStorageBufferBindingSize, true)['x'] as DeviceArray;
      try {
        let at = 0;
        for (const q of parts) {
          using w = flat.slice([q.start, q.start + q.length]); // a window when aligned, else read through a copy
          main.run({ x: w, partials: src, params: { n: q.length, base: q.start, pbase: at } }, { workgroups: gridOf(ctx, groupsOf(q.length)) });
          at += groupsOf(q.length) * c.WG;
        }
      } finally {
        flat.destroy();
      }
    }
    while (count > FINISH_MAX) {
      const g = Math.ceil(count / per);
      const dst = pairs(g * c.WG);
      scratch.push(dst);
      kernel(ctx, op, dtype, 'combine', c).run({ partials: src, out: dst, params: { n: count, base: 0, pbase: 0 } }, { workgroups: gridOf(ctx, g) });
      src = dst;
      count = g * c.WG;
    }
    const last = pairs(1);
    scratch.push(last);
    kernel(ctx, op, dtype, 'finish', c).run({ partials: src, out: last, params: { n: count, base: 0, pbase: 0 } }, { workgroups: [1] });
    // The answer's index sits in the Pair's second vec4, lane x: byte 16.
    ctx.copy(last.buffer, 16, index.buffer, 0, 4);
  } catch (e) {
    index.destroy();
    throw e;
  } finally {
    for (const s of scratch) s.destroy();
  }
  return index;
}

/**
 * Index of the first smallest element (of the flattened array), as a u32 device scalar. If x holds a NaN,
 * the index of the first NaN; an empty array is a ShapeError (as NumPy raises). With `{ axis }`: indices
 * along the reduced axes; `keepdims` keeps extent-1 axes.
 *
 * @example
 * ```ts
 * const i = await argmin(device.array(new Float32Array([3, 1, 2, 1]))).item(); // 1
 * ```
 */
export function argmin(x: DeviceArray, opts?: AxisOptions): DeviceArray<'u32'> {
  return argAlong('argmin', x, opts);
}

/** Index of the first largest element (first NaN if any; an empty array is a ShapeError), as a u32 device scalar. */
export function argmax(x: DeviceArray, opts?: AxisOptions): DeviceArray<'u32'> {
  return argAlong('argmax', x, opts);
}

function argAlong(op: 'argmin' | 'argmax', x: DeviceArray, opts: AxisOptions | undefined): DeviceArray<'u32'> {
  checkArray(op, 'x', x);
  const o = checkAxisOptions(op, opts);
  // Along axes: indices along the reduced axes (C order over them), as NumPy's argmin with one axis.
  if (o.axis !== undefined) return reduceAxis(op, x, o) as DeviceArray<'u32'>;
  refuseEmpty(op, x);
  const r = onFallback(x) ? fallback(op).arg(op, x) : argReduce(op, x);
  return o.keepdims === true ? r.reinterpret('u32', x.shape.map(() => 1)) : r;
}

/** CPU reference for argmin/argmax with the same NaN and tie rules. */
export function argCpu(op: 'argmin' | 'argmax', x: ArrayLike<number>): number {
  if ((op as unknown) !== 'argmin' && (op as unknown) !== 'argmax') throw new ArgumentError(`argCpu: op must be 'argmin' or 'argmax', got ${describeValue(op)}`);
  const list: unknown = x;
  if (!ArrayBuffer.isView(list) && !Array.isArray(list)) throw new ArgumentError(`argCpu: x must be a typed array or an array of numbers, got ${describeValue(list)}`);
  let best = -1;
  for (let i = 0; i < x.length; i++) {
    const v = x[i] ?? 0;
    if (Number.isNaN(v)) return i;
    if (best < 0) best = i;
    else {
      const b = x[best] ?? 0;
      if (op === 'argmin' ? v < b : v > b) best = i;
    }
  }
  return best < 0 ? 0xffffffff : best;
}
