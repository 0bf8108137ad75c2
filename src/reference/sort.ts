/** The float64 references of sort and sortPairs: stable ascending CPU sorts of u32, i32 and f32 keys. */
import { checkHost } from '../ops/signature.js';
import { ShapeError } from '../errors.js';

const KEY_ARRAYS = [Float32Array, Int32Array, Uint32Array];

/**
 * CPU references for the radix sort op: stable ascending sorts of u32, i32 and f32 keys.
 *
 * Order: NumPy's (`kind='stable'`): numeric ascending; for f32, -Inf < ... < +Inf < NaN (every NaN last,
 * NaNs keeping their input order), -0 and +0 equal (so they keep their input order too). Stability: equal
 * keys keep their input order (visible in `sortPairsCpu`'s values, and for f32 in which zero's sign and
 * which NaN payload lands where). Keys are copied bit for bit.
 *
 * @example
 * sortCpu(new Float32Array([2, NaN, -1, 0, -0])); // Float32Array [-1, 0, -0, 2, NaN]
 * sortPairsCpu(new Uint32Array([3, 1, 3]), new Uint32Array([0, 1, 2]));
 * // { keys: Uint32Array [1, 3, 3], values: Uint32Array [1, 0, 2] }
 */
export function sortCpu<K extends Float32Array | Int32Array | Uint32Array>(keys: K): K {
  checkHost('sortCpu', 'keys', keys, KEY_ARRAYS);
  const order = stableOrder(keys);
  const out = new (keys.constructor as new (length: number) => K)(keys.length);
  const src = new Uint32Array(keys.buffer, keys.byteOffset, keys.length);
  const dst = new Uint32Array(out.buffer, out.byteOffset, out.length);
  for (let i = 0; i < order.length; i++) {
    dst[i] = src[order[i] ?? 0] ?? 0;
  }
  return out;
}

/**
 * Stable sort of (key, value) pairs by key; values are u32 payloads that follow their keys.
 *
 * @example
 * sortPairsCpu(new Int32Array([5, -2]), new Uint32Array([10, 20])); // keys [-2, 5], values [20, 10]
 */
export function sortPairsCpu<K extends Float32Array | Int32Array | Uint32Array>(
  keys: K,
  values: Uint32Array,
): { keys: K; values: Uint32Array } {
  checkHost('sortPairsCpu', 'keys', keys, KEY_ARRAYS);
  checkHost('sortPairsCpu', 'values', values, [Uint32Array]);
  if (values.length !== keys.length) {
    throw new ShapeError(`sortPairsCpu: expected ${String(keys.length)} values (one per key), got ${String(values.length)}`);
  }
  const order = stableOrder(keys);
  const outKeys = new (keys.constructor as new (length: number) => K)(keys.length);
  const outValues = new Uint32Array(keys.length);
  const src = new Uint32Array(keys.buffer, keys.byteOffset, keys.length);
  const dst = new Uint32Array(outKeys.buffer, outKeys.byteOffset, outKeys.length);
  for (let i = 0; i < order.length; i++) {
    const j = order[i] ?? 0;
    dst[i] = src[j] ?? 0;
    outValues[i] = values[j] ?? 0;
  }
  return { keys: outKeys, values: outValues };
}

/**
 * The order-preserving u32 image of a key, the same map as kernels/sort-map-keys.wgsl (KIND 3 for f32):
 * comparing these as unsigned integers gives the order documented above (NaN -> 0xFFFFFFFF, after +Inf;
 * -0 as +0).
 */
function orderKeys(keys: Float32Array | Int32Array | Uint32Array): Uint32Array {
  const bits = new Uint32Array(keys.buffer, keys.byteOffset, keys.length);
  const out = new Uint32Array(keys.length);
  if (keys instanceof Uint32Array) {
    out.set(keys);
  } else if (keys instanceof Int32Array) {
    for (let i = 0; i < bits.length; i++) out[i] = ((bits[i] ?? 0) ^ 0x80000000) >>> 0;
  } else {
    for (let i = 0; i < bits.length; i++) {
      const u = bits[i] === 0x80000000 ? 0 : (bits[i] ?? 0);
      if ((u & 0x7fffffff) >>> 0 > 0x7f800000) out[i] = 0xffffffff;
      else out[i] = (u >>> 31 === 1 ? ~u : u | 0x80000000) >>> 0;
    }
  }
  return out;
}

/** Indices of `keys` in stable ascending order (ties broken by index). */
function stableOrder(keys: Float32Array | Int32Array | Uint32Array): Uint32Array {
  const u = orderKeys(keys);
  const order = new Uint32Array(keys.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  // Array.prototype.sort is stable (ES2019); a typed array's sort with a comparator is too, but sort the
  // index array through a plain comparator on the mapped keys, with the index as the final tie-break.
  order.sort((a, b) => {
    const ka = u[a] ?? 0;
    const kb = u[b] ?? 0;
    return ka < kb ? -1 : ka > kb ? 1 : a - b;
  });
  return order;
}
