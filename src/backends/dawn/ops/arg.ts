/** argmin/argmax on Dawn: a multi-pass (value, index) reduction over kernels/reduce-arg.wgsl. */
import { DeviceArray } from '../../../buffers/device-array.js';
import type { DeviceContext } from '../context.js';
import { compileKernelSync, type Kernel } from '../kernel.js';
import { composeKernel } from '../../../kernels/compose.js';
import { foldGroups } from '../geometry.js';
import { registerTunable, softwareProfile, tunedParams } from '../tuning.js';
import { windowable } from '../../../ops/util.js';
import { chunkElements, pieces } from '../../../buffers/chunks.js';
import type { ArgCall } from '../../../ops/arg.js';

export const argTunable = registerTunable({
  op: 'argreduce',
  sizes: [2 ** 12, 2 ** 20, 2 ** 24],
  candidates: (ctx) => [8, 16, 64, 256].flatMap((WG) => [16, 256, 1024, 2048].map((ITEMS) => ({ WG, ITEMS }))).filter((p) => p.WG <= ctx.limits.maxComputeInvocationsPerWorkgroup),
  defaults: (ctx) => (softwareProfile(ctx) ? { WG: 8, ITEMS: 1024 } : { WG: 256, ITEMS: 4 }),
});

/** Partials at or below this count are folded by one invocation. */
const FINISH_MAX = 2048;

/** The bits of the identity (the value that loses to every other) of argmin/argmax over each dtype. */
const IDENTITY = {
  argmin: { f32: '0x7f800000u', i32: '0x7fffffffu', u32: '0xffffffffu' },
  argmax: { f32: '0xff800000u', i32: '0x80000000u', u32: '0u' },
} as const;

/** kernels/reduce-arg.wgsl for one op and dtype: parameters of its order block, no text edits. */
function source(op: 'argmin' | 'argmax', dtype: 'f32' | 'i32' | 'u32'): string {
  return composeKernel('reduce-arg', { T: dtype, ARGMAX: op === 'argmax', INTEGER: dtype !== 'f32', IDENTITY: IDENTITY[op][dtype] });
}

function kernel(ctx: DeviceContext, op: 'argmin' | 'argmax', dtype: 'f32' | 'i32' | 'u32', entryPoint: string, c: { WG: number; ITEMS: number }): Kernel {
  return compileKernelSync(ctx, source(op, dtype), { entryPoint, label: `reduce-arg|${op}|${dtype}|${entryPoint}`, constants: entryPoint === 'finish' ? {} : c });
}

function gridOf(ctx: DeviceContext, groups: number): [number, number, number] {
  return foldGroups(groups, ctx.limits.maxComputeWorkgroupsPerDimension);
}

/** The index of the first smallest (argmin) or largest (argmax) element of x, as a u32 scalar. */
export function argReduce(ctx: DeviceContext, { op, x }: ArgCall): DeviceArray<'u32'> {
  const dtype = x.dtype as 'f32' | 'i32' | 'u32';
  const p = tunedParams(ctx, argTunable, x.length);
  const chunked = x.length > chunkElements(ctx.limits);
  // Chunked: at least 256 items an invocation, so all chunks' partials (32-byte Pairs) fit one binding.
  const c = { WG: p['WG'] ?? 8, ITEMS: Math.max(chunked ? 256 : 2, p['ITEMS'] ?? 1024) };
  const pairs = (count: number): DeviceArray => new DeviceArray(ctx, 'u32', Math.max(1, count) * 8); // Pair = 32 bytes
  const scratch: DeviceArray[] = [];
  const index = new DeviceArray(ctx, 'u32', []);
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

