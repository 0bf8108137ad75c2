import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GpuDevice } from '../../src/index.js';
import { tunedParams } from '../../src/backends/dawn/tuning.js';
import { reductionTunable } from '../../src/ops/reduce.js';
import { scanParams } from '../../src/backends/dawn/ops/scan.js';
import { gpujsReductionDepth, reductionDepth, scanDepth } from '../tolerance.js';

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

// --- NumPy, the independent oracle ------------------------------------------------------------------------

/** Arrays that cross to NumPy and back (raw little-endian bytes in a temp folder). */
export type NpArray = Float32Array | Float64Array | Int32Array | Uint32Array;

const NP_DTYPE: Record<string, string> = { Float32Array: '<f4', Float64Array: '<f8', Int32Array: '<i4', Uint32Array: '<u4' };

const NP_PRELUDE = `
import json, os, sys
import numpy as np
d = sys.argv[1]
meta = json.load(open(os.path.join(d, 'in.json')))
inp = {k: np.fromfile(os.path.join(d, 'in_' + k + '.bin'), dtype=np.dtype(t)) for k, t in meta.items()}
out = {}
`;

const NP_EPILOGUE = `
res = {}
for k, v in out.items():
    a = np.ascontiguousarray(np.asarray(v))
    if a.dtype.kind == 'c':
        a = a.astype(np.complex128).view(np.float64)
    elif a.dtype.kind == 'b':
        a = a.astype(np.uint32)
    elif a.dtype.kind in 'iu' and a.dtype.itemsize == 8:
        a = a.astype(np.float64)
    elif a.dtype.kind == 'f' and a.dtype.itemsize not in (4, 8):
        a = a.astype(np.float64)
    a = a.astype(a.dtype.newbyteorder('<'), copy=False).reshape(-1)
    a.tofile(os.path.join(d, 'out_' + k + '.bin'))
    res[k] = a.dtype.str
json.dump(res, open(os.path.join(d, 'out.json'), 'w'))
`;

/**
 * Runs `code` in Debian's Python with NumPy (`/usr/bin/python3`, package python3-numpy): the inputs are
 * the dict `inp` (NumPy arrays of the same dtypes), and whatever the code puts in the dict `out` comes back
 * (complex as interleaved float64, bool as u32, int64 as float64). One process per call: batch the cases.
 * @example numpy('out["s"] = np.cumsum(inp["x"].astype(np.float64))', { x })
 */
export function numpy(code: string, inputs: Readonly<Record<string, NpArray>>): Record<string, NpArray> {
  const dir = mkdtempSync(join(tmpdir(), 'gpukit-np-'));
  try {
    const meta: Record<string, string> = {};
    for (const [k, a] of Object.entries(inputs)) {
      const t = NP_DTYPE[a.constructor.name];
      if (t === undefined) throw new Error(`numpy: unsupported input ${k} (${a.constructor.name})`);
      meta[k] = t;
      writeFileSync(join(dir, `in_${k}.bin`), new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    }
    writeFileSync(join(dir, 'in.json'), JSON.stringify(meta));
    try {
      execFileSync('/usr/bin/python3', ['-c', NP_PRELUDE + code + NP_EPILOGUE, dir], { stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 24 });
    } catch (e) {
      const err = e as { stderr?: Buffer; message: string };
      throw new Error(`numpy oracle failed (needs /usr/bin/python3 with python3-numpy): ${err.stderr?.toString() ?? err.message}`, { cause: e });
    }
    const outMeta = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) as Record<string, string>;
    const result: Record<string, NpArray> = {};
    for (const [k, t] of Object.entries(outMeta)) {
      const bytes = readFileSync(join(dir, `out_${k}.bin`));
      const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
      result[k] = t === '<f4' ? new Float32Array(buf) : t === '<i4' ? new Int32Array(buf) : t === '<u4' ? new Uint32Array(buf) : new Float64Array(buf);
    }
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One output of {@link numpy}, or a failure naming the missing key. */
export function npOut(r: Record<string, NpArray>, key: string): NpArray {
  const a = r[key];
  if (a === undefined) throw new Error(`numpy oracle returned no '${key}'`);
  return a;
}

// --- the summation depths of the engine under test (test/tolerance.ts derives the bounds) ----------------

/** Depth of the f32 sum of n terms on this device's engine, with the parameters it will use at n. */
export function sumDepth(device: GpuDevice, n: number): number {
  if (device.info.engine !== 'dawn') return gpujsReductionDepth(n);
  const p = tunedParams(device.ctx, reductionTunable, n);
  return reductionDepth(n, { WG: p['WG'] ?? 64, ITEMS: p['ITEMS'] ?? 16, TREE: p['TREE'] ?? 0 });
}

/** Depth of the f32 scan of n elements on this device's engine (gpujs: a float64 running sum rounded once). */
export function scanSumDepth(device: GpuDevice, n: number): number {
  if (device.info.engine !== 'dawn') return 2;
  return scanDepth(n, scanParams(device.ctx, n).BLOCK);
}

/** Float64 C = op(A)·op(B) and the magnitudes Σₚ|a·b|, written here (no code shared with src). */
export function matmulRef64(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number, transA = false, transB = false): { c: Float64Array; mag: Float64Array } {
  const c = new Float64Array(m * n);
  const mag = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      let t = 0;
      for (let p = 0; p < k; p++) {
        const av = a[transA ? p * m + i : i * k + p] ?? NaN;
        const bv = b[transB ? j * k + p : p * n + j] ?? NaN;
        s += av * bv;
        t += Math.abs(av * bv);
      }
      c[i * n + j] = s;
      mag[i * n + j] = t;
    }
  }
  return { c, mag };
}
