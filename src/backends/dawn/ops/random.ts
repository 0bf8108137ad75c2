/** random on Dawn: kernels/random-philox.wgsl, chunk by chunk past one binding (the same bits as one dispatch). */
import { DeviceArray } from '../../../buffers/device-array.js';
import { builtin } from '../kernel.js';
import { chunkElements, pieces } from '../../../buffers/chunks.js';
import type { DeviceContext } from '../context.js';
import { registerTunable, softwareProfile, tunedParams } from '../tuning.js';
import { groupsFor } from '../../../ops/util.js';
import type { RandomCall } from '../../../ops/random.js';

export const randomTunable = registerTunable({
  op: 'random',
  sizes: [2 ** 16, 2 ** 20, 2 ** 24],
  candidates: (ctx) => [32, 64, 128, 256].flatMap((WG) => [1, 4, 16, 64].map((ITEMS) => ({ WG, ITEMS }))).filter((p) => p.WG <= ctx.limits.maxComputeInvocationsPerWorkgroup),
  defaults: (ctx) => (softwareProfile(ctx) ? { WG: 64, ITEMS: 16 } : { WG: 256, ITEMS: 1 }),
});

const DIST = { u32: 0, uniform: 1, normal: 2 } as const;

/** The call's stream: raw u32 words, or (uniform, normal) their f32 bits. */
export function dawnRandom(ctx: DeviceContext, call: RandomCall): DeviceArray {
  ctx.assertUsable();
  const out = generate(ctx, call);
  // Generated flat; an n-d shape takes the same memory (element i in C order is stream element offset + i).
  if (call.dist === 'u32' && call.shape.length === 1) return out;
  return out.reinterpret(call.dist === 'u32' ? 'u32' : 'f32', call.shape);
}

function generate(ctx: DeviceContext, { n, dist, key: [seedLo, seedHi], offset }: RandomCall): DeviceArray<'u32'> {
  const out = new DeviceArray(ctx, 'u32', n);
  if (n === 0) return out;
  const p = tunedParams(ctx, randomTunable, n);
  const WG = p['WG'] ?? 64;
  const ITEMS = p['ITEMS'] ?? 16;
  const k = builtin(ctx, 'random-philox', { constants: { WG, ITEMS } });
  // Element i is word offset + i of the stream wherever it is generated, so an output larger than one
  // binding is filled chunk by chunk (aligned windows, the chunk's start added to the offset): the same
  // bits as one dispatch.
  const parts = pieces(n, chunkElements(ctx.limits));
  try {
    for (const q of parts) {
      const at = offset + q.start;
      using w = parts.length === 1 ? undefined : out.window(q.start, q.length);
      k.run(
        { out: w ?? out, params: { n: q.length, seed_lo: seedLo, seed_hi: seedHi, offset_lo: at % 2 ** 32, offset_hi: Math.floor(at / 2 ** 32), dist: DIST[dist], _pad0: 0, _pad1: 0 } },
        { invocations: groupsFor(Math.ceil((q.length + (at % 4)) / 4), WG * ITEMS) * WG },
      );
    }
  } catch (e) {
    out.destroy();
    throw e;
  }
  return out;
}
