/**
 * A NumPy differential suite for broadcasting elementwise ops over views: random shape pairs (rank 0–4,
 * with 0- and 1-extent axes), each operand built as a view (a transpose and/or a strided slice of a larger
 * base), f32 and i32, for add, sub, mul, maximum, minimum and the comparisons. NumPy computes the same
 * expressions on the same data; + − × are correctly rounded in WGSL and JS, so results must match exactly,
 * and incompatible shapes must be a ShapeError exactly where NumPy raises.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { add, lt, maximum, minimum, mul, ShapeError, sub, type DeviceArray, type GpuDevice } from '../../src/index.js';
import { expectArrayEqual, gpuTest } from '../fixture.js';
import { npOut, numpy } from './helpers.js';

interface Operand {
  shape: number[];
  /** Build it as the transpose of a base of the reversed shape. */
  transposed: boolean;
  /** Build it as every second element along axis 0 of a base twice as long. */
  strided: boolean;
}

function operand(rnd: () => number, shape: number[]): Operand {
  return { shape, transposed: shape.length > 1 && rnd() < 0.5, strided: shape.length > 0 && rnd() < 0.5 };
}

/** The operand's values in C order (what NumPy sees) and a device view holding them. */
function build(device: GpuDevice, op: Operand, dtype: 'f32' | 'i32', seed: number, made: DeviceArray[]): { values: number[]; view: DeviceArray } {
  const size = op.shape.reduce((a, b) => a * b, 1);
  const values = Array.from({ length: size }, (_, i) => ((i * 7 + seed * 13) % 23) - 11 + (dtype === 'f32' ? 0.25 : 0));
  // Base layout: [strided ? 2·s0 : s0, ...] (reversed if transposed), holding `values` at the view's positions.
  let shape = [...op.shape];
  if (op.strided) shape = [2 * (shape[0] ?? 0), ...shape.slice(1)];
  const baseShape = op.transposed ? [...shape].reverse() : shape;
  const baseSize = baseShape.reduce((a, b) => a * b, 1);
  const base = new Array<number>(baseSize).fill(999);
  // Position of C-order element (idx) of the view in the base.
  const nd = op.shape.length;
  for (let f = 0; f < size; f++) {
    const idx: number[] = [];
    let rem = f;
    for (let d = nd - 1; d >= 0; d--) {
      idx[d] = rem % (op.shape[d] ?? 1);
      rem = Math.floor(rem / (op.shape[d] ?? 1));
    }
    if (op.strided) idx[0] = 2 * (idx[0] ?? 0);
    const bidx = op.transposed ? [...idx].reverse() : idx;
    const flat = bidx.reduce((acc, c, d) => acc * (baseShape[d] ?? 1) + c, 0);
    base[flat] = values[f] ?? 0;
  }
  const b = device.array(dtype === 'f32' ? Float32Array.from(base) : Int32Array.from(base), { shape: baseShape });
  made.push(b);
  let v: DeviceArray = op.transposed ? b.T : b;
  if (op.strided) v = v.slice([null, null, 2]);
  return { values, view: v };
}

gpuTest('broadcasting elementwise ops over views match NumPy exactly, and fail exactly where NumPy does', { timeout: 60_000 }, async ({ device }) => {
  const dims = fc.array(fc.constantFrom(0, 1, 2, 3), { maxLength: 4 });
  const pairs = fc.sample(fc.tuple(dims, dims, fc.integer({ min: 1, max: 1e9 })), { numRuns: 40, seed: 2026 });
  const cases = pairs.map(([a, b, seed]) => {
    let s = seed;
    const rnd = (): number => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    // Make about half the pairs broadcast-compatible by copying trailing axes (as 1 or the same extent).
    const bb = rnd() < 0.6 ? b.map((e, k) => (k >= b.length - a.length ? (rnd() < 0.5 ? 1 : (a[a.length - b.length + k] ?? e)) : e)) : b;
    const dtype: 'f32' | 'i32' = rnd() < 0.5 ? 'f32' : 'i32';
    return { a: operand(rnd, a), b: operand(rnd, bb), seed, dtype };
  });
  const made: DeviceArray[] = [];
  const built = cases.map((c) => ({ a: build(device, c.a, c.dtype, c.seed, made), b: build(device, c.b, c.dtype, c.seed + 1, made) }));
  const code = `
cases = json.loads(${JSON.stringify(JSON.stringify(cases.map((c, k) => ({ a: c.a.shape, b: c.b.shape, dtype: c.dtype, av: built[k]?.a.values, bv: built[k]?.b.values }))))})
res = []
for c in cases:
    t = np.float32 if c['dtype'] == 'f32' else np.int32
    a = np.array(c['av'], dtype=t).reshape(c['a']); b = np.array(c['bv'], dtype=t).reshape(c['b'])
    try:
        r = {'shape': list(np.broadcast_shapes(a.shape, b.shape))}
        for k, f in [('add', np.add), ('sub', np.subtract), ('mul', np.multiply), ('max', np.maximum), ('min', np.minimum)]:
            r[k] = f(a, b).astype(np.float64).ravel().tolist()
        r['lt'] = (a < b).astype(np.float64).ravel().tolist()
    except ValueError:
        r = None
    res.append(r)
out['meta'] = np.frombuffer(json.dumps(res).encode(), dtype=np.uint8).astype(np.uint32)
`;
  const want = JSON.parse(new TextDecoder().decode(Uint8Array.from(npOut(numpy(code, {}), 'meta')))) as (Record<string, number[]> | null)[];
  try {
    for (const [k, c] of cases.entries()) {
      const { a, b } = built[k] as (typeof built)[number];
      const w = want[k];
      const what = `case ${k}: ${JSON.stringify(c)}`;
      if (w === null || w === undefined) {
        expect(() => add(a.view, b.view), what).toThrow(ShapeError);
        continue;
      }
      for (const [name, op] of [['add', add], ['sub', sub], ['mul', mul], ['max', maximum], ['min', minimum], ['lt', lt]] as const) {
         
        using r = (op as (x: DeviceArray, y: DeviceArray) => DeviceArray)(a.view, b.view);
        expect(r.shape, `${what} ${name}`).toEqual(w['shape']);
        expectArrayEqual(await r.toArray(), w[name] ?? []);
      }
    }
  } finally {
    for (const m of made) m.destroy();
  }
});
