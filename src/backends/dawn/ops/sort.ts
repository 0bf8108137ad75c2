/** sort and sortPairs on Dawn: an LSD radix sort (kernels/sort-*.wgsl), chunked past one binding. */
import { DeviceArray } from '../../../buffers/device-array.js';
import type { DeviceContext } from '../context.js';
import { LimitError, ArgumentError } from '../../../errors.js';
import { chunkElements, pieces, type Piece } from '../../../buffers/chunks.js';
import { builtin, compileKernelSync, type Kernel } from '../kernel.js';
import { composeKernel } from '../../../kernels/compose.js';
import { registerTunable, softwareProfile, tunedParams, type Tunable } from '../tuning.js';
import { encodeScan, scanParams } from './scan.js';

const SORT_WGS = [8, 16, 64];
const SORT_BLOCKS = [2048, 4096, 8192, 16384, 32768];
const SORT_RADIX_BITS = [4, 8, 10, 11];
// The counting kernels keep one private counter array per invocation; on a GPU that lives in scratch
// memory, so smaller blocks (more invocations) and fewer buckets are the sensible starting point there.
const GPU_SORT = { WG: 64, BLOCK: 1024, RADIX_BITS: 4 };

function sortCandidates(ctx: DeviceContext): { WG: number; BLOCK: number; RADIX_BITS: number }[] {
  const cands = SORT_WGS.flatMap((WG) => SORT_BLOCKS.flatMap((BLOCK) => SORT_RADIX_BITS.map((RADIX_BITS) => ({ WG, BLOCK, RADIX_BITS }))));
  if (!softwareProfile(ctx)) cands.push(GPU_SORT);
  return cands.filter((p) => p.WG <= ctx.limits.maxComputeInvocationsPerWorkgroup);
}

/** Keys-only radix sort. Lavapipe winner (scratch/sort/FINDINGS.md): 8-bit digits, 4 passes. */
export const sortTunable = registerTunable({
  op: 'sort',
  sizes: [2 ** 12, 2 ** 16, 2 ** 20, 2 ** 22],
  candidates: sortCandidates,
  defaults: (ctx) => (softwareProfile(ctx) ? { WG: 64, BLOCK: 4096, RADIX_BITS: 8 } : GPU_SORT),
});

/**
 * Key-value radix sort. Lavapipe winner: 11-bit digits, 3 passes — one pass fewer saves a whole read and
 * scatter of the values, which outweighs the cache misses of 2048 buckets.
 */
export const sortPairsTunable = registerTunable({
  op: 'sortPairs',
  sizes: [2 ** 12, 2 ** 16, 2 ** 20, 2 ** 22],
  candidates: sortCandidates,
  defaults: (ctx) => (softwareProfile(ctx) ? { WG: 16, BLOCK: 16384, RADIX_BITS: 11 } : GPU_SORT),
});

/** KIND override of sort-map-keys.wgsl. */
const KIND = { u32: 0, i32: 1, f32: 2 } as const;
type KeyDType = keyof typeof KIND;

/** The key map of `keys`: f32 with `zeroEqual` is KIND 3 (−0 sorts as +0: NumPy's order, stable among zeros). */
function kindOf(keys: DeviceArray, zeroEqual: boolean): number {
  const k = KIND[keys.dtype as KeyDType];
  return zeroEqual && k === KIND.f32 ? 3 : k;
}

/**
 * A u32 array over the same buffer (the keys' bit patterns): the sort kernels bind keys as vec4<u32>
 * whatever their dtype. It does not own the buffer and must never be destroyed.
 */
function bitsOf(a: DeviceArray): DeviceArray<'u32'> {
  return isU32(a) ? a : a.viewAs('u32');
}

function isU32(a: DeviceArray): a is DeviceArray<'u32'> {
  return a.dtype === 'u32';
}

function radixParams(op: string, ctx: DeviceContext, t: Tunable, n: number): { WG: number; BLOCK: number; RADIX_BITS: number } {
  const p = tunedParams(ctx, t, n);
  const WG = p['WG'] ?? 64;
  const BLOCK = p['BLOCK'] ?? 4096;
  const RADIX_BITS = p['RADIX_BITS'] ?? 8;
  if (!Number.isInteger(BLOCK) || BLOCK < 4 || BLOCK % 4 !== 0) throw new ArgumentError(`${op}: BLOCK must be a positive multiple of 4, got ${String(BLOCK)}`);
  if (!Number.isInteger(RADIX_BITS) || RADIX_BITS < 1 || RADIX_BITS > 11) throw new ArgumentError(`${op}: RADIX_BITS must be an integer in [1, 11], got ${String(RADIX_BITS)}`);
  if (!Number.isInteger(WG) || WG < 1) throw new ArgumentError(`${op}: WG must be a positive integer, got ${String(WG)}`);
  return { WG, BLOCK, RADIX_BITS };
}

/**
 * sort-histogram / sort-scatter(-pairs) with their private per-invocation digit array sized for this
 * RADIX_BITS rather than the file's 2048 ceiling (WGSL sizes a private array with a const-expression, never
 * an override, hence a module parameter). A 2048-entry array costs lavapipe's LLVM ~15 s per kernel to compile
 * (a whole sort ~30 s on first use, 256 entries ~1 s) and a GPU 8 KiB of scratch per invocation.
 */
function radixKernel(ctx: DeviceContext, file: string, constants: { WG: number; BLOCK: number; RADIX_BITS: number }, windowed = false): Kernel {
  const c = windowed ? { ...constants, WINDOWED: 1 } : constants;
  return compileKernelSync(ctx, radixKernelSource(file, constants.RADIX_BITS), { label: `${file}|radix${2 ** constants.RADIX_BITS}${windowed ? '|windowed' : ''}`, constants: c });
}

/** @internal The source of a radix-sort kernel with its private digit array sized for `radixBits`. */
export function radixKernelSource(file: string, radixBits: number): string {
  return composeKernel(file, { MAX_RADIX: `${2 ** radixBits}u` });
}

/**
 * Encodes an LSD radix sort of `keys` (n ≥ 1) into `outK` (u32 bit patterns), and of `values` into `outV`
 * when given. Temporaries go to `scratch`. Pass sequence and buffer rules: scratch/sort/FINDINGS.md.
 */
function encodeSort(
  op: string,
  ctx: DeviceContext,
  keys: DeviceArray,
  outK: DeviceArray<'u32'>,
  pairs: { values: DeviceArray<'u32'>; outV: DeviceArray<'u32'> } | undefined,
  t: Tunable,
  scratch: DeviceArray[],
  zeroEqual = false,
): void {
  const n = keys.length;
  const { WG, BLOCK, RADIX_BITS } = radixParams(op, ctx, t, n);
  const temp = (len: number): DeviceArray<'u32'> => {
    const a = new DeviceArray(ctx, 'u32', len);
    scratch.push(a);
    return a;
  };
  const radix = 2 ** RADIX_BITS;
  const nb = Math.ceil(n / BLOCK);
  const digits = Math.ceil(32 / RADIX_BITS);
  const constants = { WG, BLOCK, RADIX_BITS };
  const histogram = radixKernel(ctx, 'sort-histogram', constants);
  const scatter = radixKernel(ctx, pairs === undefined ? 'sort-scatter' : 'sort-scatter-pairs', constants);
  const hist = temp(radix * nb);
  const offsets = temp(radix * nb);
  const tmpK = temp(n);
  const tmpV = pairs === undefined ? undefined : temp(n);
  const scanP = scanParams(ctx, radix * nb);

  const kind = kindOf(keys, zeroEqual);
  const mapped = kind !== KIND.u32;
  const map = mapped ? builtin(ctx, 'sort-map-keys', { constants: { WG, ITEMS: BLOCK, KIND: kind } }) : undefined;
  const mapInvocations = Math.ceil(n / BLOCK);
  // Ping-pong worked back from where the last digit pass must write: u32 keys straight into outK; mapped
  // keys into tmpK, from which the inverse map writes outK. Pass 0 reads the input (or the mapped copy),
  // so the caller's arrays are never written.
  const kFinal = mapped ? tmpK : outK;
  const kOther = mapped ? outK : tmpK;
  let kSrc: DeviceArray<'u32'>;
  if (map !== undefined) {
    const firstDst = (digits - 1) % 2 === 0 ? kFinal : kOther;
    kSrc = firstDst === tmpK ? outK : tmpK;
    map.run({ keys_in: bitsOf(keys), keys_out: kSrc, params: { n, inverse: 0 } }, { invocations: mapInvocations });
  } else {
    kSrc = bitsOf(keys);
  }
  let vSrc = pairs?.values;
  for (let p = 0; p < digits; p++) {
    const last = (digits - 1 - p) % 2 === 0;
    const kDst = last ? kFinal : kOther;
    const params = { n, shift: p * RADIX_BITS, block0: 0, nb_all: nb, out0: 0, out_len: n };
    histogram.run({ keys: kSrc, hist, params: { n, shift: p * RADIX_BITS, block0: 0, nb_all: nb } }, { invocations: nb });
    encodeScan(ctx, hist, offsets, true, scanP, scratch);
    if (pairs === undefined || vSrc === undefined || tmpV === undefined) {
      scatter.run({ keys_in: kSrc, offsets, keys_out: kDst, params }, { invocations: nb });
    } else {
      const vDst = last ? pairs.outV : tmpV;
      scatter.run({ keys_in: kSrc, offsets, keys_out: kDst, vals_in: vSrc, vals_out: vDst, params }, { invocations: nb });
      vSrc = vDst;
    }
    kSrc = kDst;
  }
  map?.run({ keys_in: tmpK, keys_out: outK, params: { n, inverse: 1 } }, { invocations: mapInvocations });
}

/**
 * The radix sort of data larger than one binding: the same passes over chunks of whole blocks, bound as
 * aligned windows. Histograms are written per chunk into the one table (at the chunk's first block); the
 * table's scan is the usual one (chunked itself if it must be); each scatter runs once per (input chunk,
 * output window) pair and writes only the keys whose destination falls in that window — C² dispatches a
 * pass for C chunks, each reading one input chunk. Correct first; a merge-based sort would read less.
 */
function encodeChunkedSort(
  op: string,
  ctx: DeviceContext,
  keys: DeviceArray,
  outK: DeviceArray<'u32'>,
  pairs: { values: DeviceArray<'u32'>; outV: DeviceArray<'u32'> } | undefined,
  t: Tunable,
  scratch: DeviceArray[],
  zeroEqual = false,
): void {
  const n = keys.length;
  const { WG, BLOCK, RADIX_BITS } = radixParams(op, ctx, t, chunkElements(ctx.limits));
  const alignWords = Math.max(1, ctx.limits.minStorageBufferOffsetAlignment / 4);
  const step = lcm(BLOCK, alignWords);
  const chunk = Math.floor(chunkElements(ctx.limits) / step) * step;
  if (chunk === 0) {
    throw new LimitError('maxStorageBufferBindingSize', step * 4, ctx.limits.maxStorageBufferBindingSize, `${op}: one chunk of whole sort blocks (${BLOCK} keys) at aligned offsets`);
  }
  const temp = (len: number): DeviceArray<'u32'> => {
    const a = new DeviceArray(ctx, 'u32', len);
    scratch.push(a);
    return a;
  };
  const views: DeviceArray[] = [];
  // Chunk q of an array as u32 bits: a window (temporaries are aligned), or for the caller's keys possibly
  // a slice read through a copy. n-d keys are flattened first (sort orders all elements).
  const win = (a: DeviceArray, q: Piece): DeviceArray<'u32'> => {
    const flat = a.ndim === 1 ? a : a.reshape(-1);
    if (flat !== a) views.push(flat);
    const s = flat.slice([q.start, q.start + q.length]);
    views.push(s);
    const w = bitsOf(s);
    if (w !== s) views.push(w);
    return w;
  };
  try {
    const radix = 2 ** RADIX_BITS;
    const nb = Math.ceil(n / BLOCK);
    const digits = Math.ceil(32 / RADIX_BITS);
    const constants = { WG, BLOCK, RADIX_BITS };
    const histogram = radixKernel(ctx, 'sort-histogram', constants);
    const scatter = radixKernel(ctx, pairs === undefined ? 'sort-scatter' : 'sort-scatter-pairs', constants, true);
    const hist = temp(radix * nb);
    const offsets = temp(radix * nb);
    const tmpK = temp(n);
    const tmpV = pairs === undefined ? undefined : temp(n);
    const scanP = scanParams(ctx, Math.min(radix * nb, chunkElements(ctx.limits)));
    const parts = pieces(n, chunk);
    const kind = kindOf(keys, zeroEqual);
    const mapped = kind !== KIND.u32;
    const map = mapped ? builtin(ctx, 'sort-map-keys', { constants: { WG, ITEMS: BLOCK, KIND: kind } }) : undefined;
    const kFinal = mapped ? tmpK : outK;
    const kOther = mapped ? outK : tmpK;
    let kSrc: DeviceArray;
    if (map !== undefined) {
      const firstDst = (digits - 1) % 2 === 0 ? kFinal : kOther;
      kSrc = firstDst === tmpK ? outK : tmpK;
      for (const q of parts) map.run({ keys_in: win(keys, q), keys_out: win(kSrc, q), params: { n: q.length, inverse: 0 } }, { invocations: Math.ceil(q.length / BLOCK) });
    } else {
      kSrc = keys;
    }
    let vSrc: DeviceArray<'u32'> | undefined = pairs?.values;
    for (let p = 0; p < digits; p++) {
      const last = (digits - 1 - p) % 2 === 0;
      const kDst = last ? kFinal : kOther;
      const vDst = pairs === undefined ? undefined : last ? pairs.outV : tmpV;
      const shift = p * RADIX_BITS;
      for (const q of parts) {
        histogram.run({ keys: win(kSrc, q), hist, params: { n: q.length, shift, block0: q.start / BLOCK, nb_all: nb } }, { invocations: Math.ceil(q.length / BLOCK) });
      }
      encodeScan(ctx, hist, offsets, true, scanP, scratch);
      for (const q of parts) {
        const params = (o: Piece) => ({ n: q.length, shift, block0: q.start / BLOCK, nb_all: nb, out0: o.start, out_len: o.length });
        for (const o of parts) {
          if (vSrc === undefined || vDst === undefined) {
            scatter.run({ keys_in: win(kSrc, q), offsets, keys_out: win(kDst, o), params: params(o) }, { invocations: Math.ceil(q.length / BLOCK) });
          } else {
            scatter.run({ keys_in: win(kSrc, q), offsets, keys_out: win(kDst, o), vals_in: win(vSrc, q), vals_out: win(vDst, o), params: params(o) }, { invocations: Math.ceil(q.length / BLOCK) });
          }
        }
      }
      if (vDst !== undefined) vSrc = vDst;
      kSrc = kDst;
    }
    if (map !== undefined) {
      for (const q of parts) map.run({ keys_in: win(tmpK, q), keys_out: win(outK, q), params: { n: q.length, inverse: 1 } }, { invocations: Math.ceil(q.length / BLOCK) });
    }
  } finally {
    for (const v of views) v.destroy();
  }
}

function lcm(a: number, b: number): number {
  const gcd = (x: number, y: number): number => (y === 0 ? x : gcd(y, x % y));
  return (a / gcd(a, b)) * b;
}

/** Stable ascending sort of all the keys, flattened (u32 bit patterns out, read as the keys' dtype; −0 before +0). */
export function flatSort(ctx: DeviceContext, keys: DeviceArray): DeviceArray {
  ctx.assertUsable();
  const n = keys.length;
  const outK = new DeviceArray(ctx, 'u32', n);
  const scratch: DeviceArray[] = [];
  try {
    if (n > chunkElements(ctx.limits)) encodeChunkedSort('sort', ctx, keys, outK, undefined, sortTunable, scratch);
    else if (n > 0) encodeSort('sort', ctx, keys, outK, undefined, sortTunable, scratch);
    else ctx.noWork('sort|empty', keys.storageBuffers, outK.storageBuffers); // a failed input still fails the result
  } catch (e) {
    outK.destroy();
    throw e;
  } finally {
    for (const t of scratch) t.destroy();
  }
  return outK.reinterpret(keys.dtype);
}

/** Stable sort of (key, value) pairs by key (`zeroEqual`: −0 and +0 compare equal, as NumPy's). */
export function flatSortPairs(ctx: DeviceContext, keys: DeviceArray, values: DeviceArray<'u32'>, zeroEqual = false): { keys: DeviceArray; values: DeviceArray<'u32'> } {
  ctx.assertUsable();
  const n = keys.length;
  const outK = new DeviceArray(ctx, 'u32', n);
  const outV = new DeviceArray(ctx, 'u32', n);
  const scratch: DeviceArray[] = [];
  try {
    if (n > chunkElements(ctx.limits)) encodeChunkedSort('sortPairs', ctx, keys, outK, { values, outV }, sortPairsTunable, scratch, zeroEqual);
    else if (n > 0) encodeSort('sortPairs', ctx, keys, outK, { values, outV }, sortPairsTunable, scratch, zeroEqual);
    else ctx.noWork('sortPairs|empty', [...keys.storageBuffers, ...values.storageBuffers], [...outK.storageBuffers, ...outV.storageBuffers]);
  } catch (e) {
    outK.destroy();
    outV.destroy();
    throw e;
  } finally {
    for (const t of scratch) t.destroy();
  }
  return { keys: outK.reinterpret(keys.dtype), values: outV };
}
