/**
 * The row kernel (kernels/reduce-rows.wgsl) at the edges of its forms and geometries, against float64 loops
 * written here: rows whose length is a multiple of 4 (vec4 loads) and not (the scalar form, with elements
 * past the last whole chunk), a single column, rows shorter than the lanes sharing them, a last workgroup
 * with fewer rows than it holds, ties and NaNs falling in different lanes, and a grid of more than 65,535
 * workgroups (folded 2-D). Each geometry is pinned, so both profiles' shapes run on any adapter.
 */
import { expect } from 'vitest';
import { all, any, argmax, argmin, logsumexp, max, mean, min, norm, prod, softmax, std, sum, variance, type DeviceArray, type GpuDevice } from '../../src/index.js';
import { pinParams, tunedParams, type TuneParams } from '../../src/backends/dawn/tuning.js';
import { rowsTunable } from '../../src/ops/axis.js';
import { dawnTest, expectArrayEqual, gpuTest } from '../fixture.js';
import { randomF32 } from './helpers.js';
import { rowMeanBound, rowNormBound, rowSumDepth, rowVarBound, softmaxBounds, sqrtBound, sumBound, type RowEngine } from '../tolerance.js';

/** Geometries: a row per invocation (software), a few lanes per row, a whole (8- or 256-wide) workgroup per row. */
const GEOMETRIES: TuneParams[] = [
  { WG: 64, LANES: 1 },
  { WG: 64, LANES: 4 },
  { WG: 8, LANES: 8 },
  { WG: 256, LANES: 64 },
];

/** Shapes [rows, R]: one column, R < 4, R not a multiple of 4 (short and long), multiples of 4, rows not filling a workgroup. */
const SHAPES: [number, number][] = [
  [5, 1],
  [9, 3],
  [33, 7],
  [6, 8],
  [70, 130],
  [3, 1027],
  [4, 1024],
];

async function pinned<R>(device: GpuDevice, p: TuneParams, body: () => Promise<R>): Promise<R> {
  pinParams(device.ctx, rowsTunable.op, p);
  try {
    return await body();
  } finally {
    pinParams(device.ctx, rowsTunable.op, undefined);
  }
}

/** Row-by-row float64 references of every op (NumPy's semantics: NaN propagates, arg* the first NaN or first best). */
function reference(h: Float32Array, rows: number, R: number): Record<string, Float64Array> {
  const out: Record<string, Float64Array> = {};
  const put = (k: string, row: number, v: number): void => {
    (out[k] ??= new Float64Array(k === 'softmax' ? rows * R : rows))[row] = v;
  };
  for (let i = 0; i < rows; i++) {
    const xs = Array.from(h.subarray(i * R, (i + 1) * R));
    const nan = xs.some(Number.isNaN);
    const s = xs.reduce((a, b) => a + b, 0);
    const m = s / R;
    put('sum', i, s);
    put('abs', i, xs.reduce((a, b) => a + Math.abs(b), 0));
    put('prod', i, xs.reduce((a, b) => a * b, 1));
    put('mean', i, m);
    put('var', i, xs.reduce((a, b) => a + (b - m) ** 2, 0) / R);
    put('norm', i, Math.sqrt(xs.reduce((a, b) => a + b * b, 0)));
    put('min', i, nan ? NaN : Math.min(...xs));
    put('max', i, nan ? NaN : Math.max(...xs));
    const firstNaN = xs.findIndex(Number.isNaN);
    put('argmin', i, firstNaN >= 0 ? firstNaN : xs.indexOf(Math.min(...xs)));
    put('argmax', i, firstNaN >= 0 ? firstNaN : xs.indexOf(Math.max(...xs)));
    put('any', i, xs.some((v) => v !== 0) ? 1 : 0); // NaN !== 0: non-zero, as NumPy
    put('all', i, xs.every((v) => v !== 0) ? 1 : 0);
    const fin = Math.max(...xs.filter((v) => !Number.isNaN(v)));
    const shift = Number.isFinite(fin) ? fin : 0;
    const e = xs.map((v) => Math.exp(v - shift));
    const es = e.reduce((a, b) => a + b, 0);
    put('lse', i, nan ? NaN : Math.log(es) + shift);
    for (let j = 0; j < R; j++) put('softmax', i * R + j, nan ? NaN : (e[j] ?? 0) / es);
  }
  return out;
}

/** |got − want| ≤ bound(i) elementwise (NaN where want is NaN). */
function within(got: ArrayLike<number>, want: ArrayLike<number>, bound: (i: number) => number, what: string): void {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const g = got[i] ?? NaN;
    const w = want[i] ?? NaN;
    if (Number.isNaN(w) ? !Number.isNaN(g) : !(Math.abs(g - w) <= bound(i))) expect.fail(`${what}[${i}]: got ${g}, expected ${w} (bound ${bound(i)})`);
  }
}

/** softmaxBounds of every row of h (rows × R), shifted as the kernel shifts (the finite row maximum, else 0), by flat index. */
function rowsBounds(h: Float32Array, rows: number, R: number, engine: RowEngine): (i: number) => number {
  const b = new Float64Array(rows * R);
  for (let i = 0; i < rows; i++) {
    const xs = h.subarray(i * R, (i + 1) * R);
    const m = Math.max(...Array.from(xs).filter((v) => !Number.isNaN(v)));
    b.set(softmaxBounds(xs, Number.isFinite(m) ? m : 0, engine), i * R);
  }
  return (k) => b[k] ?? NaN;
}

/**
 * Rows of data in [-2, 2] with, in some rows, ties of the row's extremes placed in different lanes, a NaN
 * (in a chunk and in the tail), zeros (any/all), and all-equal rows.
 */
function rowData(rows: number, R: number, seed: number): Float32Array {
  const h = randomF32(rows * R, seed, -2, 2);
  for (let i = 0; i < rows; i++) {
    const row = h.subarray(i * R, (i + 1) * R);
    switch (i % 6) {
      case 1: // ties: the extremes repeated further along (other chunks, other lanes, the tail)
        for (let j = 0; j < R; j += Math.max(1, Math.floor(R / 5))) row[j] = 3;
        for (let j = 1; j < R; j += Math.max(1, Math.floor(R / 3))) row[j] = -3;
        row[R - 1] = 3;
        break;
      case 2:
        row[Math.floor((R * 2) / 3)] = NaN;
        row[R - 1] = NaN;
        break;
      case 3:
        row.fill(0);
        row[R - 1] = 0.5;
        break;
      case 4:
        row.fill(1.25);
        break;
      default:
        break;
    }
  }
  return h;
}

for (const [gi, geometry] of GEOMETRIES.entries()) {
  dawnTest(`every op along the rows matches float64 loops (vec4 and scalar forms, one column, short rows, ties and NaNs across lanes) with WG ${geometry['WG']} LANES ${geometry['LANES']}`, async ({ device }) => {
    // A compatibility-mode device may allow fewer invocations per workgroup: the same lanes per row, fewer rows.
    const p: TuneParams = { ...geometry, WG: Math.min(geometry['WG'] ?? 64, device.ctx.limits.maxComputeInvocationsPerWorkgroup) };
    for (const [si, [rows, R]] of SHAPES.entries()) {
      const h = rowData(rows, R, 100 * gi + si);
      const ref = reference(h, rows, R);
      await pinned(device, p, async () => {
        using x = device.array(h, { shape: [rows, R] });
        const what = (op: string): string => `${op} of [${rows}, ${R}] with WG ${p['WG']} LANES ${p['LANES']}`;
        const get = async (op: string, r: DeviceArray): Promise<Float32Array | Uint32Array | Int32Array> => {
          try {
            return (await r.toArray()) as Float32Array | Uint32Array | Int32Array; // never bool here
          } finally {
            r.destroy();
          }
        };
        // The bounds of test/tolerance.ts for this geometry's summation depth (rowSumDepth).
        const eng: RowEngine = { lanes: p['LANES'] ?? 1 };
        const abs = (i: number): number => ref['abs']?.[i] ?? NaN;
        const vb = (i: number): number => rowVarBound(ref['var']?.[i] ?? NaN, abs(i), R, 0, eng);
        within(await get('sum', sum(x, { axis: 1 })), ref['sum'] ?? [], (i) => sumBound(abs(i), rowSumDepth(R, eng), R), what('sum'));
        within(await get('mean', mean(x, { axis: -1 })), ref['mean'] ?? [], (i) => rowMeanBound(abs(i), R, eng), what('mean'));
        within(await get('var', variance(x, { axis: 1 })), ref['var'] ?? [], vb, what('var'));
        within(await get('std', std(x, { axis: 1 })), Float64Array.from(ref['var'] ?? [], Math.sqrt), (i) => sqrtBound(ref['var']?.[i] ?? NaN, vb(i), eng), what('std'));
        within(await get('norm', norm(x, { axis: 1 })), ref['norm'] ?? [], (i) => rowNormBound(ref['norm']?.[i] ?? NaN, R, eng), what('norm'));
        within(await get('logsumexp', logsumexp(x, 1)), ref['lse'] ?? [], (i) => 1e-6 * (1 + Math.abs(ref['lse']?.[i] ?? 0)), what('logsumexp'));
        within(await get('softmax', softmax(x, 1)), ref['softmax'] ?? [], rowsBounds(h, rows, R, eng), what('softmax'));
        // min/max exact (NaN where the row holds one), arg* the first extreme or first NaN.
        expectArrayEqual(await get('min', min(x, { axis: 1 })), ref['min'] ?? []);
        expectArrayEqual(await get('max', max(x, { axis: 1 })), ref['max'] ?? []);
        expectArrayEqual(await get('argmin', argmin(x, { axis: 1 })), ref['argmin'] ?? []);
        expectArrayEqual(await get('argmax', argmax(x, { axis: 1 })), ref['argmax'] ?? []);
        expectArrayEqual(await get('any', any(x, { axis: 1 })), ref['any'] ?? []);
        expectArrayEqual(await get('all', all(x, { axis: 1 })), ref['all'] ?? []);
        // Integers: i32 sums and products exact (inside the range: past it is an OverflowError,
        // test/ops/int-overflow.test.ts), u32 max.
        const ih = Int32Array.from({ length: rows * R }, (_, k) => ((k * 2654435761) | 0) >> (k % 3 === 0 ? 11 : 24));
        const ph = Int32Array.from({ length: rows * R }, (_, k) => (k % 97 === 0 ? 2 : ([1, -1, 1, 1, 1, -1, 1][k % 7] ?? 1)));
        using xi = device.array(ih, { shape: [rows, R] });
        using xp = device.array(ph, { shape: [rows, R] });
        using xu = device.array(Uint32Array.from(ih, (v) => v >>> 0), { shape: [rows, R] });
        const rowsOf = (a: Int32Array, f: (row: number[]) => number): number[] => Array.from({ length: rows }, (_, i) => f(Array.from(a.subarray(i * R, (i + 1) * R))));
        expectArrayEqual(await get('sum i32', sum(xi, { axis: 1 })), rowsOf(ih, (r) => r.reduce((a, b) => a + b, 0)));
        expectArrayEqual(await get('prod i32', prod(xp, { axis: 1 })), rowsOf(ph, (r) => r.reduce((a, b) => a * b, 1)));
        expectArrayEqual(await get('max u32', max(xu, { axis: 1 })), rowsOf(ih, (r) => Math.max(...r.map((v) => v >>> 0))));
        expectArrayEqual(await get('argmin u32', argmin(xu, { axis: 1 })), rowsOf(ih, (r) => { const u = r.map((v) => v >>> 0); return u.indexOf(Math.min(...u)); }));
      });
    }
  });
}

dawnTest('more than 65,535 workgroups: one row per workgroup over 70,001 rows (vec4 and scalar forms), folded into a 2-D grid', async ({ device }) => {
  const rows = 70_001;
  for (const R of [4, 3]) {
    const h = randomF32(rows * R, 7 + R, -1, 1);
    h[(rows - 1) * R] = 5; // the last row's maximum first
    await pinned(device, { WG: 8, LANES: 8 }, async () => {
      using x = device.array(h, { shape: [rows, R] });
      using s = sum(x, { axis: 1 });
      using a = argmax(x, { axis: 1 });
      using sm = softmax(x, -1);
      const got = await s.toArray();
      const at = await a.toArray();
      const smh = await sm.toArray();
      const eng: RowEngine = { lanes: 8 };
      for (let i = 0; i < rows; i++) {
        const row = Array.from(h.subarray(i * R, (i + 1) * R));
        const want = row.reduce((p, q) => p + q, 0);
        const sb = sumBound(row.reduce((p, q) => p + Math.abs(q), 0), rowSumDepth(R, eng), R);
        if (!(Math.abs((got[i] ?? NaN) - want) <= sb)) expect.fail(`sum row ${i}: got ${got[i]}, expected ${want} (bound ${sb})`);
        if (at[i] !== row.indexOf(Math.max(...row))) expect.fail(`argmax row ${i}: got ${at[i]}, expected ${row.indexOf(Math.max(...row))}`);
        const m = Math.max(...row);
        const es = row.reduce((p, q) => p + Math.exp(q - m), 0);
        const smb = softmaxBounds(row, m, eng);
        for (let j = 0; j < R; j++) if (!(Math.abs((smh[i * R + j] ?? NaN) - Math.exp((row[j] ?? 0) - m) / es) <= (smb[j] ?? NaN))) expect.fail(`softmax [${i}, ${j}]: got ${smh[i * R + j]} (bound ${smb[j]})`);
      }
      expect(at[rows - 1]).toBe(0);
    });
  }
});

/**
 * Rows that exercise softmax's online statistics (a running maximum, the sum of exps rescaled as it grows,
 * lanes merged by the same rule) and its register-held path: −Inf, +Inf and NaN elements, a row all −Inf,
 * magnitudes whose plain exp overflows f32, and ramps whose maximum grows in every block (each earlier sum
 * rescaled, down to 0). Against float64 loops with the kernel's semantics: shift by the finite row maximum
 * (else 0), so a +Inf element gives NaN there and 0 elsewhere, a row all −Inf NaNs (logsumexp −Inf).
 */
function specialRows(rows: number, R: number, seed: number): Float32Array {
  const h = randomF32(rows * R, seed, -3, 3);
  for (let i = 0; i < rows; i++) {
    const row = h.subarray(i * R, (i + 1) * R);
    switch (i % 10) {
      case 0: // −Inf here and there (and first)
        for (let j = 0; j < R; j += 3) row[j] = -Infinity;
        break;
      case 1: // one +Inf late in the row
        row[R - 1 - Math.floor(R / 3)] = Infinity;
        break;
      case 2: // +Inf and −Inf
        row[0] = -Infinity;
        row[R - 1] = Infinity;
        break;
      case 3: // a NaN beside an infinity
        row[Math.floor(R / 2)] = NaN;
        row[0] = Infinity;
        break;
      case 4:
        row.fill(-Infinity);
        break;
      case 5: // exp overflows f32 without the shift
        for (let j = 0; j < R; j++) row[j] = 1e4 + ((j * 37) % 50);
        break;
      case 6: // large negative
        for (let j = 0; j < R; j++) row[j] = -1e4 - ((j * 13) % 70);
        break;
      case 7: // increasing ramp: a new maximum in every block
        for (let j = 0; j < R; j++) row[j] = 0.75 * j;
        break;
      case 8: // decreasing ramp, the finite f32 extremes
        for (let j = 0; j < R; j++) row[j] = -0.5 * j;
        row[R - 1] = -3e38;
        if (R > 1) row[1] = 3e38;
        break;
      default:
        break;
    }
  }
  return h;
}

function softmaxReference(h: Float32Array, rows: number, R: number): { sm: Float64Array; lse: Float64Array } {
  const sm = new Float64Array(rows * R);
  const lse = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const xs = Array.from(h.subarray(i * R, (i + 1) * R));
    const nan = xs.some(Number.isNaN);
    const m = Math.max(...xs);
    const shift = Number.isFinite(m) ? m : 0;
    const e = xs.map((v) => Math.exp(v - shift));
    const t = e.reduce((a, b) => a + b, 0);
    lse[i] = nan ? NaN : Math.log(t) + shift;
    for (let j = 0; j < R; j++) sm[i * R + j] = nan ? NaN : (e[j] ?? 0) / t;
  }
  return { sm, lse };
}

/** logsumexp within 1e-6 relative (+1e-6) of float64; ±Inf exactly, NaN where the row holds one. */
function lseWithin(got: ArrayLike<number>, want: ArrayLike<number>, what: string): void {
  expect(got.length, what).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    const w = want[i] ?? NaN;
    const g = got[i] ?? NaN;
    const ok = Number.isNaN(w) ? Number.isNaN(g) : Number.isFinite(w) ? Math.abs(g - w) <= 1e-6 * (1 + Math.abs(w)) : g === w;
    if (!ok) expect.fail(`${what} row ${i}: got ${g}, expected ${w}`);
  }
}

for (const geometry of GEOMETRIES) {
  dawnTest(`softmax and logsumexp of rows with ±Inf, NaN, all −Inf, overflowing magnitudes and growing maxima match float64 with WG ${geometry['WG']} LANES ${geometry['LANES']}`, async ({ device }) => {
    const p: TuneParams = { ...geometry, WG: Math.min(geometry['WG'] ?? 64, device.ctx.limits.maxComputeInvocationsPerWorkgroup) };
    // One column, R < 4, R not a multiple of 4, several register blocks per lane (LANES 1: 75 chunks), R % 4 = 2 over 257 chunks.
    for (const [k, R] of [1, 3, 7, 40, 301, 1030].entries()) {
      const rows = 21;
      const h = specialRows(rows, R, 900 + k);
      const ref = softmaxReference(h, rows, R);
      await pinned(device, p, async () => {
        using x = device.array(h, { shape: [rows, R] });
        using sm = softmax(x, -1);
        using lse = logsumexp(x, 1);
        const what = `[${rows}, ${R}] with WG ${p['WG']} LANES ${p['LANES']}`;
        within(await sm.toArray(), ref.sm, rowsBounds(h, rows, R, { lanes: p['LANES'] ?? 1 }), `softmax of ${what}`);
        lseWithin(await lse.toArray(), ref.lse, `logsumexp of ${what}`);
      });
    }
  });
}

gpuTest('softmax and logsumexp of the same special rows on either engine (the tuned geometry; gpujs: the host loops)', async ({ device }) => {
  for (const [k, R] of [7, 301].entries()) {
    const rows = 10;
    const h = specialRows(rows, R, 950 + k);
    const ref = softmaxReference(h, rows, R);
    using x = device.array(h, { shape: [rows, R] });
    using sm = softmax(x, 1);
    using lse = logsumexp(x, -1);
    const eng: RowEngine = device.info.engine === 'gpujs' ? 'gpujs' : { lanes: tunedParams(device.ctx, rowsTunable, R)['LANES'] ?? 1 };
    within(await sm.toArray(), ref.sm, rowsBounds(h, rows, R, eng), `softmax of [${rows}, ${R}]`);
    lseWithin(await lse.toArray(), ref.lse, `logsumexp of [${rows}, ${R}]`);
  }
});
