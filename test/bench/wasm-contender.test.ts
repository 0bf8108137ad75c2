// cpu-wasm (TF.js's wasm backend) against float64 loops written here; the loader offline and with its optional
// packages absent (simulated by an importer that fails as Node does for a missing package).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeWasm, loadWasmCpu, wasmInstalled, WASM_PACKAGES, type WasmCpu } from '../../src/cpu/wasm.js';

const EPS = 2 ** -23;

function rand(n: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    a[i] = (s >>> 8) / 16777216 - 0.5;
  }
  return a;
}

let w: WasmCpu;
const realFetch = globalThis.fetch;

beforeAll(async () => {
  // Offline: any fetch at load time fails the load (the .wasm must come from the package's dist/ on disk).
  globalThis.fetch = (() => Promise.reject(new Error('network used at run time')));
  const got = await loadWasmCpu();
  if ('unavailable' in got) throw new Error(got.unavailable);
  w = got;
});
afterAll(() => {
  globalThis.fetch = realFetch;
});

describe('cpu-wasm loads offline and labels itself', () => {
  it('is installed, SIMD on, one thread under Node, version named', () => {
    expect(wasmInstalled()).toBe(true);
    expect(w.label.version).toBe('4.22.0');
    expect(w.label.simd).toBe(true);
    expect(w.label.threads).toBe(1);
    expect(describeWasm(w.label)).toMatch(/XNNPACK.*4\.22\.0, SIMD on, 1 thread$/);
  });
});

describe('cpu-wasm ops against float64 loops', () => {
  it('matmul (incl. 1×1 and non-square): |C − C64| ≤ 2k·ε·Σ|a||b| per element', () => {
    for (const [m, k, n] of [[1, 1, 1], [3, 1, 5], [17, 33, 9], [64, 48, 32]] as const) {
      const a = rand(m * k, 3);
      const b = rand(k * n, 4);
      const c = w.matmul(a, b, m, k, n);
      expect(c.length).toBe(m * n);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let ref = 0;
          let mag = 0;
          for (let p = 0; p < k; p++) {
            ref += (a[i * k + p] as number) * (b[p * n + j] as number);
            mag += Math.abs((a[i * k + p] as number) * (b[p * n + j] as number));
          }
          expect(Math.abs((c[i * n + j] as number) - ref)).toBeLessThanOrEqual(2 * k * EPS * mag + 1e-30);
        }
      }
    }
  });

  it('sum and dot: |s − s64| ≤ n·ε·Σ|x| (f32 accumulation); NaN and Inf propagate', () => {
    for (const n of [1, 2, 1000, 2 ** 16 + 3]) {
      const x = rand(n, 5);
      const y = rand(n, 6);
      let s = 0, m = 0, d = 0, dm = 0;
      for (let i = 0; i < n; i++) {
        s += x[i] as number; m += Math.abs(x[i] as number);
        d += (x[i] as number) * (y[i] as number); dm += Math.abs((x[i] as number) * (y[i] as number));
      }
      expect(Math.abs(w.sum(x) - s)).toBeLessThanOrEqual(n * EPS * m);
      expect(Math.abs(w.dot(x, y) - d)).toBeLessThanOrEqual(n * EPS * dm * 2);
    }
    expect(w.sum(new Float32Array([1, NaN, 2]))).toBeNaN();
    expect(w.sum(new Float32Array([1, Infinity, 2]))).toBe(Infinity);
    expect(w.sum(new Float32Array([Infinity, -Infinity]))).toBeNaN();
  });

  it('axpy, add and broadcast add are exact to one f32 rounding per operation', () => {
    const [x, y] = [rand(4096, 7), rand(4096, 8)];
    const ax = w.axpy(2, x, y);
    const s = w.add(x, y, 4, 1024);
    const b = w.add(x, y.subarray(0, 1024), 4, 1024);
    for (let i = 0; i < 4096; i++) {
      expect(ax[i]).toBe(Math.fround(Math.fround(2 * (x[i] as number)) + (y[i] as number)));
      expect(s[i]).toBe(Math.fround((x[i] as number) + (y[i] as number)));
      expect(b[i]).toBe(Math.fround((x[i] as number) + (y[i % 1024] as number)));
    }
    // ±0, ±Inf, NaN: IEEE sums.
    const e = w.add(new Float32Array([0, -0, Infinity, NaN, -Infinity]), new Float32Array([-0, -0, -Infinity, 1, -Infinity]), 1, 5);
    expect([...e]).toEqual([0, -0, NaN, NaN, -Infinity]);
    expect(Object.is(e[1], -0)).toBe(true);
  });

  it('row softmax: |p − p64| ≤ 8ε·p64 + 1e-7; rows sum to 1 within 1e-5', () => {
    const rows = 8, cols = 1024;
    const x = rand(rows * cols, 9).map((v) => v * 20);
    const p = w.softmaxRows(x, rows, cols);
    for (let r = 0; r < rows; r++) {
      const o = r * cols;
      let m = -Infinity;
      for (let c = 0; c < cols; c++) m = Math.max(m, x[o + c] as number);
      let z = 0;
      for (let c = 0; c < cols; c++) z += Math.exp((x[o + c] as number) - m);
      let t = 0;
      for (let c = 0; c < cols; c++) {
        const ref = Math.exp((x[o + c] as number) - m) / z;
        expect(Math.abs((p[o + c] as number) - ref)).toBeLessThanOrEqual(8 * EPS * ref + 1e-7);
        t += p[o + c] as number;
      }
      expect(Math.abs(t - 1)).toBeLessThanOrEqual(1e-5);
    }
    expect([...w.softmaxRows(new Float32Array([5]), 1, 1)]).toEqual([1]);
  });

  it('cumsum: |c_i − c64_i| ≤ (i+1)·ε·Σ_{j≤i}|x_j|', () => {
    const x = rand(10000, 10);
    const c = w.cumsum(x);
    let s = 0, m = 0;
    for (let i = 0; i < x.length; i++) {
      s += x[i] as number; m += Math.abs(x[i] as number);
      expect(Math.abs((c[i] as number) - s)).toBeLessThanOrEqual((i + 1) * EPS * m + 1e-30);
    }
    expect([...w.cumsum(new Float32Array([3]))]).toEqual([3]);
  });

  it('sortU32: the whole u32 range, duplicates, empty and one key, as a numeric sort', () => {
    const edges = [0, 0xffffffff, 0x80000000, 0x7fffffff, 1, 0xfffffffe, 0x80000001, 0, 0xffffffff];
    const keys = new Uint32Array([...edges, ...Array.from({ length: 5000 }, (_, i) => Math.imul(i + 1, 2654435761) >>> 0)]);
    const ref = [...keys].sort((a, b) => a - b);
    expect([...w.sortU32(keys)]).toEqual(ref);
    expect([...w.sortU32(new Uint32Array(0))]).toEqual([]);
    expect([...w.sortU32(new Uint32Array([0xffffffff]))]).toEqual([0xffffffff]);
  });
});

describe('cpu-wasm absent (simulated)', () => {
  it('a missing package is a reason, not a throw, naming the packages and how to install them', async () => {
    const missing = (s: string): Promise<unknown> => {
      const e = new Error(`Cannot find package '${s}' imported from gpukit`) as Error & { code: string };
      e.code = 'ERR_MODULE_NOT_FOUND';
      return Promise.reject(e);
    };
    const got = await loadWasmCpu(missing);
    expect('unavailable' in got).toBe(true);
    if (!('unavailable' in got)) return;
    for (const p of WASM_PACKAGES) expect(got.unavailable).toContain(p);
    expect(got.unavailable).toMatch(/not installed \(npm install .*@4\.22\.0/);
  });
});
