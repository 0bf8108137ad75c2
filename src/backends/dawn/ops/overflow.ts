/**
 * Integer overflow checks on Dawn (the rules: src/reference/overflow.ts). The op runs as before (its kernels
 * wrap modulo 2^32); beside it, generated reductions compute what recovers the exact result from 32-bit
 * words — for a sum its residues modulo three primes, for a product a saturated f32 magnitude and the sign,
 * for a running sum (cumsum) a flag of any step whose addition overflows (the first prefix outside the range
 * is such a step, and without one every prefix is in range). The batch carrying the op reads those words
 * back before its verdict (`DeviceContext.deferCheck`) and fails the op's output with an OverflowError, as an
 * out-of-range index fails `take`: readbacks of it, of its views and of arrays computed from it throw it.
 */
import { DeviceArray } from '../../../buffers/device-array.js';
import type { DeviceContext } from '../context.js';
import { builtinReduction, dawnReduce } from './reduce.js';
import type { ReduceCall } from '../../../ops/reduce.js';
import type { AxisOptions } from '../../../ops/axis-options.js';
import { OverflowError } from '../../../errors.js';
import { overflowOf, prodFromParts, runningSumMessage, sumFromResidues, SUM_PRIMES } from '../../../reference/overflow.js';

/** Reads `words` (plain u32-sized arrays, each `count` elements) after the batch's work and fails `victims` with `verdict`'s error. */
function checkLater(ctx: DeviceContext, op: string, words: readonly DeviceArray[], count: number, victims: readonly DeviceArray[], verdict: (w: Uint32Array[]) => Error | null): void {
  const buffers = words.map((w) => w.buffer);
  const bytes = count * 4;
  const size = Math.max(16, Math.ceil((bytes * words.length) / 16) * 16);
  ctx.deferCheck({
    victims: victims.flatMap((v) => v.storageBuffers),
    run: async () => {
      const staging = ctx.gpu.createBuffer({ label: `${op}|overflow-words`, size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      try {
        // Its own submission, after the batch's: the batch's verdict is being decided, nothing else may run.
        const enc = ctx.gpu.createCommandEncoder({ label: `${op}|overflow-words` });
        buffers.forEach((b, k) => {
          if (bytes > 0) enc.copyBufferToBuffer(b, 0, staging, k * bytes, bytes);
        });
        ctx.gpu.queue.submit([enc.finish()]);
        await staging.mapAsync(GPUMapMode.READ, 0, size);
        const all = new Uint32Array(staging.getMappedRange(0, size).slice(0));
        staging.unmap();
        return verdict(words.map((_, k) => all.subarray(k * count, (k + 1) * count)));
      } finally {
        staging.destroy();
        for (const w of words) if (!victims.includes(w)) w.destroy();
      }
    },
  });
}

type IntDType = 'i32' | 'u32';

function residueSpec(dtype: IntDType, p: number) {
  const map = dtype === 'i32' ? `u32((x % ${p}i + ${p}i) % ${p}i)` : `x % ${p}u`;
  return { name: `sum_mod_${p}`, args: 'x: T[]', map, reduce: `(a + b) % ${p}u`, identity: '0u', type: 'u32' as const };
}

/** The reduction of `spec` over x, whole or along `along`. */
function reduceOf(key: string, spec: Parameters<typeof builtinReduction>[1], x: DeviceArray, along: AxisOptions | undefined): DeviceArray {
  const b = builtinReduction(key, spec, undefined, []);
  return along === undefined ? b.call([x]) : b.call([x, along]);
}

/**
 * After an integer sum of x (whole, or along `along`) whose wrapped result is `out` (plain, rows values):
 * fails `out` with an OverflowError where a row's exact sum is outside the dtype's range.
 */
export function checkSumOverflow(ctx: DeviceContext, op: string, x: DeviceArray, out: DeviceArray, along?: AxisOptions): void {
  const dtype = x.dtype as IntDType;
  const residues = SUM_PRIMES.map((p) => reduceOf(`overflow|sum|${dtype}|${p}`, residueSpec(dtype, p), x, along));
  checkLater(ctx, op, [out, ...residues], out.length, [out], (w) => {
    const [W, ...R] = w;
    for (let row = 0; row < out.length; row++) {
      const exact = sumFromResidues(W?.[row] ?? 0, R.map((r) => r[row] ?? 0));
      const e = overflowOf(op, dtype, exact, out.length > 1 ? row : undefined);
      if (e !== null) return e;
    }
    return null;
  });
}

/** After an integer product of x whose wrapped result is `out`: fails `out` where a row's exact product is outside the range. */
export function checkProdOverflow(ctx: DeviceContext, op: string, x: DeviceArray, out: DeviceArray, along?: AxisOptions): void {
  const dtype = x.dtype as IntDType;
  // Magnitudes below 2^32 are exact integers in f32 only below 2^24: the product of the rounded magnitudes is
  // still within (1 ± 2^-24)^k of the exact one. Saturated at 1e18, so no partial product reaches Inf.
  const mag = reduceOf(`overflow|prodmag|${dtype}`, { name: 'prod_mag', args: 'x: T[]', map: dtype === 'i32' ? 'abs(f32(x))' : 'f32(x)', reduce: 'min(a * b, 1e18)', identity: '1.0', type: 'f32' }, x, along);
  const neg = dtype === 'i32' ? reduceOf('overflow|prodsign', { name: 'prod_sign', args: 'x: T[]', map: 'select(0u, 1u, x < 0i)', reduce: 'a ^ b', identity: '0u', type: 'u32' }, x, along) : null;
  checkLater(ctx, op, [out, mag, ...(neg === null ? [] : [neg])], out.length, [out], (w) => {
    const [W, M, S] = w;
    const f = new Float32Array((M ?? new Uint32Array(0)).buffer, M?.byteOffset ?? 0, out.length);
    for (let row = 0; row < out.length; row++) {
      const exact = prodFromParts(W?.[row] ?? 0, (S?.[row] ?? 0) === 1, f[row] ?? 0);
      const where = out.length > 1 ? ` (result ${row})` : '';
      if (exact === null) return new OverflowError(op, `${op}: the ${dtype} product${where} is past 2^34 in magnitude, outside ${dtype}'s range (WebGPU has no 64-bit integers; gpukit never wraps): pass { dtype: 'f32' } to multiply in f32`);
      const e = overflowOf(op, dtype, exact, out.length > 1 ? row : undefined);
      if (e !== null) return e;
    }
    return null;
  });
}

/**
 * After an integer running sum: `prev` and `next` are the same-shape views of (the result before each step,
 * the term added at it) for every step whose result is kept; fails `out` if any of those additions overflows.
 */
export function checkScanOverflow(ctx: DeviceContext, op: string, prev: DeviceArray, next: DeviceArray, out: DeviceArray): void {
  const dtype = prev.dtype as IntDType;
  if (prev.length === 0) return;
  const map = dtype === 'i32' ? 'select(0u, 1u, ((y ^ (y + x)) & (x ^ (y + x))) < 0i)' : 'select(0u, 1u, y + x < y)';
  const flag = builtinReduction(`overflow|scan|${dtype}`, { name: 'scan_overflow', args: 'y: T[], x: T[]', map, reduce: 'max(a, b)', identity: '0u', type: 'u32' }, undefined, []).call([prev, next]);
  checkLater(ctx, op, [flag], 1, [out], (w) => ((w[0]?.[0] ?? 0) === 0 ? null : new OverflowError(op, runningSumMessage(op, dtype))));
}

/** The whole-array reductions (src/ops/reduce.ts), an integer sum checked for overflow. */
export function dawnReduceChecked(ctx: DeviceContext, call: ReduceCall): DeviceArray {
  const out = dawnReduce(ctx, call);
  if (call.op === 'sum' && (call.x.dtype === 'i32' || call.x.dtype === 'u32') && call.x.length > 0) checkSumOverflow(ctx, 'sum', call.x, out);
  return out;
}

