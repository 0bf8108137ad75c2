/**
 * Reductions over every axis subset, on both engines, against NumPy: sum, mean, var, std (ddof 0 and 1),
 * min, max, argmin, argmax, prod and logsumexp of arrays whose values vary along every axis (with ties),
 * shapes from an edge table (extents 0 and 1, a zero-size axis among others) and from fast-check. Axis
 * lists come unsorted and with negative axes; the empty list reduces nothing (NumPy's axis=()). Result
 * shapes must be NumPy's; where NumPy raises (min/max/arg* over a zero-size axis) a ShapeError.
 *
 * Data are multiples of 1/4 in [−3, 3], so every sum is exact in f32 whatever the order: sum, min, max,
 * arg*, prod (factors ±1, ±2, 0: exact powers of two) must be exact; mean, var, std and logsumexp are held
 * to bounds derived below from a float64 loop over the same data.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { argmax, argmin, logsumexp, max, mean, min, prod, ShapeError, std, sum, variance, type DeviceArray } from '../../src/index.js';
import { gpuTest } from '../fixture.js';
import { npOut, numpy } from './helpers.js';

const U = 2 ** -24;

/** Shapes at the edges: extents 0 and 1, a zero-size axis between others, a 4-D array. */
const TABLE: number[][] = [[7], [0], [1, 1], [2, 0, 3], [3, 1, 4], [2, 3, 2, 2]];

/** Every subset of the axes, given unsorted and partly negative (the reduction must not care). */
function subsets(ndim: number): number[][] {
  const out: number[][] = [];
  for (let mask = 0; mask < 1 << ndim; mask++) {
    let ax = Array.from({ length: ndim }, (_, d) => d).filter((d) => (mask >> d) & 1);
    if (mask % 2 === 1) ax = ax.reverse();
    if (mask % 3 === 0 && ax.length > 0) ax[0] = (ax[0] ?? 0) - ndim;
    out.push(ax);
  }
  return out;
}

function lcg(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

const OPS = ['sum', 'mean', 'var', 'std', 'min', 'max', 'argmin', 'argmax', 'prod', 'logsumexp'] as const;
type Op = (typeof OPS)[number];

const PY = `
import warnings
warnings.simplefilter('ignore')
cases = json.loads(CASES)
meta = []
def lse(x, a):
    with np.errstate(all='ignore'):
        m = np.max(x, axis=a, keepdims=True, initial=-np.inf)
        m = np.where(np.isfinite(m), m, 0)
        return np.log(np.sum(np.exp(x - m), axis=a)) + np.squeeze(m, axis=a)
def arg(f, x, a):
    a = sorted(d % x.ndim for d in a)
    kept = [d for d in range(x.ndim) if d not in a]
    R = int(np.prod([x.shape[d] for d in a]))
    return f(np.transpose(x, kept + a).reshape([x.shape[d] for d in kept] + [R]), axis=-1)
for ci, c in enumerate(cases):
    x = inp['x%d' % ci].astype(np.float64).reshape(c['shape'])
    p = inp['p%d' % ci].reshape(c['shape'])  # float32: its products are NumPy's float32 products
    ddof = c['ddof']
    fs = {
        'sum': lambda a: x.sum(axis=a), 'mean': lambda a: x.mean(axis=a),
        'var': lambda a: x.var(axis=a, ddof=ddof), 'std': lambda a: x.std(axis=a, ddof=ddof),
        'min': lambda a: x.min(axis=a), 'max': lambda a: x.max(axis=a),
        'argmin': lambda a: arg(np.argmin, x, a), 'argmax': lambda a: arg(np.argmax, x, a),
        'prod': lambda a: p.prod(axis=a), 'logsumexp': lambda a: lse(x, a),
    }
    m = {}
    for op in OPS:
        vals, shapes = [], []
        for ax in c['subsets']:
            try:
                r = np.asarray(fs[op](tuple(ax)), dtype=np.float64)
                vals.append(r.ravel()); shapes.append(list(r.shape))
            except ValueError:
                shapes.append(None)
        out['%s%d' % (op, ci)] = np.concatenate(vals) if vals else np.zeros(0)
        m[op] = shapes
    meta.append(m)
out['meta'] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8).astype(np.uint32)
`;

interface Case {
  readonly shape: number[];
  readonly subsets: number[][];
  readonly ddof: number;
  readonly x: Float32Array;
  readonly p: Float32Array;
}

function makeCase(shape: number[], k: number): Case {
  const n = shape.reduce((a, b) => a * b, 1);
  const r = lcg(1000 + k);
  // Multiples of 1/4 in [−3, 3] (ties likely), and factors ±1, ±2 (rare) and 0 for prod.
  const x = Float32Array.from({ length: n }, () => Math.floor(r() * 25) / 4 - 3);
  const p = Float32Array.from({ length: n }, () => [1, -1, 1, -1, 1, -1, 2, -2, 0][Math.floor(r() * 9)] ?? 1);
  return { shape, subsets: subsets(shape.length), ddof: k % 2, x, p };
}

/** The float64 loop behind the var/std/logsumexp bounds: one row's values along the (sorted) reduced axes. */
function rowsOf(x: Float32Array, shape: readonly number[], axes: readonly number[]): number[][] {
  const nd = shape.length;
  const red = [...new Set(axes.map((a) => (a + nd) % nd))].sort((a, b) => a - b);
  const kept = shape.map((_, d) => d).filter((d) => !red.includes(d));
  const strides = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
  const count = (dims: number[]): number => dims.reduce((a, d) => a * (shape[d] ?? 1), 1);
  const index = (dims: number[], i: number): number => {
    let off = 0;
    for (let j = dims.length - 1; j >= 0; j--) {
      const d = dims[j] ?? 0;
      const e = shape[d] ?? 1;
      off += (i % e) * (strides[d] ?? 0);
      i = Math.floor(i / e);
    }
    return off;
  };
  return Array.from({ length: count(kept) }, (_, r) => Array.from({ length: count(red) }, (_, j) => x[index(kept, r) + index(red, j)] ?? NaN));
}

/** Bounds (absolute, per output element) for the ops that round; 0 where the op must be exact. */
function bounds(op: Op, row: number[], ddof: number): number {
  const R = row.length;
  const depth = 64 + Math.ceil(R / 64); // the README's bound on roundings per term of a row's f32 sum
  const s = row.reduce((a, b) => a + b, 0);
  const m = s / R;
  if (op === 'mean') return 5 * U * Math.abs(m); // exact sum, one division (WGSL: 2.5 ulp)
  if (op === 'logsumexp') {
    const mx = Math.max(...row);
    const v = Math.log(row.reduce((a, b) => a + Math.exp(b - mx), 0)) + mx;
    // exp within 3 + 2|x − m| ulp (≤ 15 here), the sum's depth on positive terms, log (2^-21 absolute
    // near 1, else 3 ulp), then the shift added back: a rounding of the result.
    return (30 + depth) * U + 2 ** -21 + 8 * U * (Math.abs(v) + Math.log(Math.max(R, 1)));
  }
  if (op !== 'var' && op !== 'std') return 0;
  // Two passes: m̂ = fl(s / R) within 5U|m|; each deviation d̂ = fl(x − m̂) off by e ≤ Δm + U(|d| + Δm);
  // its square and the sum's depth add (depth + 1)U of Σ(|d| + e)²; then the division (5U).
  const dm = 5 * U * Math.abs(m);
  let eSs = 0;
  let ss = 0;
  let big = 0;
  for (const v of row) {
    const d = v - m;
    const e = dm + U * (Math.abs(d) + dm);
    ss += d * d;
    eSs += e * (2 * Math.abs(d) + e);
    big += (Math.abs(d) + e) ** 2;
  }
  eSs += (depth + 1) * U * big;
  const dof = R - ddof;
  const eVar = eSs / dof + 5 * U * (ss + eSs) / dof;
  if (op === 'var') return eVar;
  const vr = ss / dof;
  // |√a − √b| ≤ min(√|a − b|, |a − b| / √b), then sqrt's own rounding (WGSL: about 5 ulp).
  return Math.min(Math.sqrt(eVar), vr > 0 ? eVar / Math.sqrt(vr) : Infinity) + 10 * U * Math.sqrt(vr + eVar);
}

function run(op: Op, x: DeviceArray, p: DeviceArray, axis: number[], ddof: number): DeviceArray {
  switch (op) {
    case 'sum':
      return sum(x, { axis });
    case 'mean':
      return mean(x, { axis });
    case 'var':
      return variance(x, { axis, ddof });
    case 'std':
      return std(x, { axis, ddof });
    case 'min':
      return min(x, { axis });
    case 'max':
      return max(x, { axis });
    case 'argmin':
      return argmin(x, { axis });
    case 'argmax':
      return argmax(x, { axis });
    case 'prod':
      return prod(p, { axis });
    case 'logsumexp':
      return logsumexp(x, axis);
  }
}

gpuTest('every reduction over every axis subset of varying data matches NumPy (exact, or within the derived bound)', { timeout: 60_000 }, async ({ device }) => {
  const random = fc.sample(fc.array(fc.oneof(fc.constantFrom(0, 1, 1), fc.integer({ min: 2, max: 5 })), { minLength: 1, maxLength: 3 }), { numRuns: 3, seed: 2026_12_07 });
  const cases = [...TABLE, ...random].map((shape, k) => makeCase(shape, k));
  const inputs = Object.fromEntries(cases.flatMap((c, k) => [[`x${k}`, c.x], [`p${k}`, c.p]]));
  const ref = numpy(`OPS = ${JSON.stringify(OPS)}\nCASES = ${JSON.stringify(JSON.stringify(cases.map((c) => ({ shape: c.shape, subsets: c.subsets, ddof: c.ddof }))))}\n${PY}`, inputs);
  const meta = JSON.parse(new TextDecoder().decode(Uint8Array.from(npOut(ref, 'meta')))) as Record<Op, (number[] | null)[]>[];
  for (const [k, c] of cases.entries()) {
    using x = device.array(c.x, { shape: c.shape });
    using p = device.array(c.p, { shape: c.shape });
    // Every result of the case enqueued first, then read back together (one wait, not one per result).
    const made: { op: Op; s: number; axis: number[]; r: DeviceArray }[] = [];
    try {
      for (const op of OPS) {
        const shapes = meta[k]?.[op] ?? [];
        for (const [s, axis] of c.subsets.entries()) {
          if (shapes[s] === null || shapes[s] === undefined) {
            expect(() => run(op, x, p, axis, c.ddof), `${op} of [${c.shape.join(', ')}] over axes [${axis.join(', ')}]: NumPy raises`).toThrow(ShapeError);
          } else made.push({ op, s, axis, r: run(op, x, p, axis, c.ddof) });
        }
      }
      const values = await Promise.all(made.map((m) => m.r.toArray()));
      const at: Partial<Record<Op, number>> = {};
      for (const [j, { op, s, axis, r }] of made.entries()) {
        const what = `${op} of [${c.shape.join(', ')}] over axes [${axis.join(', ')}]${op === 'var' || op === 'std' ? ` (ddof ${c.ddof})` : ''}`;
        expect(r.shape, what).toEqual(meta[k]?.[op][s]);
        const want = npOut(ref, `${op}${k}`);
        const got = values[j] ?? [];
        const base = at[op] ?? 0;
        const rows = op === 'var' || op === 'std' || op === 'mean' || op === 'logsumexp' ? rowsOf(c.x, c.shape, axis) : [];
        for (let i = 0; i < got.length; i++) {
          const g = got[i] ?? NaN;
          const w = want[base + i] ?? NaN;
          const e = rows.length > 0 && Number.isFinite(w) ? bounds(op, rows[i] ?? [], c.ddof) : 0;
          if (e === 0 ? !Object.is(g, w) && !(g === w) : !(Math.abs(g - w) <= e)) expect.fail(`${what}[${i}]: got ${g}, NumPy ${w} (bound ${e})`);
        }
        at[op] = base + got.length;
      }
      for (const op of OPS) expect(at[op] ?? 0, `${op} of case ${k}: every NumPy value checked`).toBe(npOut(ref, `${op}${k}`).length);
    } finally {
      for (const m of made) m.r.destroy();
    }
  }
});
