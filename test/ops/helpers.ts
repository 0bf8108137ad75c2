/** Deterministic test data (an LCG), so failures reproduce. */
export function randomF32(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = lo + (hi - lo) * (s / 2 ** 32);
  }
  return out;
}

export function randomI32(n: number, seed: number, range = 1000): Int32Array {
  const out = new Int32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s % (2 * range)) - range;
  }
  return out;
}

export function randomU32(n: number, seed: number): Uint32Array {
  const out = new Uint32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s ^ (s >>> 13);
  }
  return out;
}

/** The sizes every op is tested at: 0, 1, workgroup size ± 1 (for 64), and odd sizes around powers of 4. */
export const EDGE_SIZES = [0, 1, 2, 3, 4, 5, 63, 64, 65, 255, 256, 257, 4095, 4097, 65_537];
