/**
 * The composed-chain cache (src/fusion/node.ts ChainCache): a loop recording the same chain each time
 * composes its text once, and the cached composition is exactly a fresh one. Over a varied set of chains
 * (a shared subexpression, the same array read twice, a lazy operand destroyed before it was computed, one
 * computed since it was recorded, a broadcast operand, the ops' constants, integer and bool types, a
 * reduction's prologue) and new scalars and arrays each time, the shared device (cache on, the default)
 * gives the same fusedSource as a device opened with GPUKIT_FUSE_CACHE=0 (each chain composed afresh) and
 * the same result bits as both that device and the ops run one by one (fusion off). Runs on both engines
 * (the host engine has no cache: there the check is that its answers still agree).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect } from 'vitest';
import { add, astype, divide, exp, floorDivide, fusedSource, less, maximum, mean, mul, openDevice, sqrt, square, sub, sum, where, type DeviceArray, type GpuDevice } from '../../src/index.js';
import { ENGINE, gpuTest, sharedDevice } from '../fixture.js';
import { randomF32, randomI32 } from '../ops/helpers.js';

/** One chain of the set: made from the step's arrays and scalar; the intermediates it made go in `made`. */
type Chain = (d: GpuDevice, step: number, made: DeviceArray[]) => DeviceArray;

const N = 1000;

function f32(d: GpuDevice, step: number, seed: number, shape: number[] = [N]): DeviceArray {
  const n = shape.reduce((p, q) => p * q, 1);
  const a = randomF32(n, seed * 31 + step, -3, 3);
  a[0] = NaN;
  a[1] = -0;
  a[2] = Infinity;
  return d.array(a, { shape });
}

const keep = (made: DeviceArray[], a: DeviceArray): DeviceArray => (made.push(a), a);

const CHAINS: Record<string, Chain> = {
  'a shared subexpression': (d, s, made) => {
    const x = keep(made, f32(d, s, 1));
    const a = keep(made, sub(x, 0.25 + s));
    return add(keep(made, mul(a, a)), keep(made, sub(a, 1.5 * s)));
  },
  'the same array twice, and an array once': (d, s, made) => {
    const x = keep(made, f32(d, s, 2));
    const y = keep(made, f32(d, s, 3));
    return mul(keep(made, add(x, x)), keep(made, sub(x, y)));
  },
  'a lazy operand destroyed before it was computed': (d, s, made) => {
    const x = keep(made, f32(d, s, 4));
    const t = sub(x, s + 0.5);
    const r = exp(keep(made, mul(t, 0.125)));
    t.destroy();
    return r;
  },
  'a lazy operand computed since it was recorded (a leaf now)': (d, s, made) => {
    const x = keep(made, f32(d, s, 5));
    const t = keep(made, mul(x, 2 + s));
    const r = sqrt(keep(made, add(t, 1)));
    expect(t.storage).toBeDefined(); // computed: the chain reads it as an array
    return r;
  },
  // The same calls, another structure at one step: the cache must tell them apart.
  'the same calls reading one array twice at one step only': (d, s, made) => {
    const x = keep(made, f32(d, s, 11));
    const y = s === 1 ? x : keep(made, f32(d, s, 12));
    return sub(keep(made, mul(x, 3)), keep(made, add(y, x)));
  },
  'the same calls with an operand computed at one step only': (d, s, made) => {
    const x = keep(made, f32(d, s, 13));
    const t = keep(made, sub(x, s));
    if (s === 1) expect(t.storage).toBeDefined(); // computed at this step only
    return mul(keep(made, add(t, 0.5)), t);
  },
  'the same calls with the lazy operand destroyed at one step only': (d, s, made) => {
    const x = keep(made, f32(d, s, 14));
    const t = sub(x, s);
    const r = mul(keep(made, add(t, 0.5)), 2);
    if (s === 1) t.destroy();
    else made.push(t);
    return r;
  },
  'a broadcast operand, computed and lazy': (d, s, made) => {
    const x = keep(made, f32(d, s, 6, [4, 250]));
    const row = keep(made, f32(d, s, 7, [250]));
    const lazyRow = keep(made, mul(row, s + 1));
    return add(keep(made, mul(x, row)), lazyRow);
  },
  'the ops constants (maximum propagates NaN) and a comparison': (d, s, made) => {
    const x = keep(made, f32(d, s, 8));
    const y = keep(made, f32(d, s, 9));
    return where(keep(made, less(x, y)) as DeviceArray<'bool'>, keep(made, maximum(x, s - 1)), keep(made, divide(y, s + 3)));
  },
  'integer ops and casts': (d, s, made) => {
    const i = keep(made, d.array(randomI32(N, 40 + s, 1000), { dtype: 'i32' }));
    const q = keep(made, floorDivide(i, 7 + s));
    return astype(keep(made, mul(keep(made, astype(q, 'f32')), 0.5)), 'f32');
  },
  'a reduction over a chain with a 0-d operand': (d, s, made) => {
    const x = keep(made, f32(d, s, 10));
    const clean = keep(made, where(keep(made, less(x, 4)) as DeviceArray<'bool'>, x, 0));
    const m = keep(made, mean(clean));
    return sum(keep(made, square(keep(made, sub(clean, m)))));
  },
};

/** The chain run on `d` at each step: its fusedSource before it runs, and its result's bits. */
async function runs(d: GpuDevice, chain: Chain, steps: number): Promise<{ source: (string | null)[]; bits: number[][] }> {
  const source: (string | null)[] = [];
  const bits: number[][] = [];
  for (let s = 0; s < steps; s++) {
    const made: DeviceArray[] = [];
    const r = chain(d, s, made);
    source.push(fusedSource(r));
    const h = await r.toArray();
    r.destroy();
    for (const m of made) m.destroy();
    const raw = h instanceof Float32Array ? new Uint32Array(h.buffer, h.byteOffset, h.length) : h;
    bits.push(Array.from(raw as ArrayLike<number>, Number));
  }
  return { source, bits };
}

describe('the composed-chain cache gives what a fresh composition gives', () => {
  let fresh: GpuDevice | undefined;
  beforeAll(async () => {
    const before = process.env['GPUKIT_FUSE_CACHE'];
    process.env['GPUKIT_FUSE_CACHE'] = '0';
    try {
      fresh = await openDevice({ engine: ENGINE });
    } finally {
      if (before === undefined) delete process.env['GPUKIT_FUSE_CACHE'];
      else process.env['GPUKIT_FUSE_CACHE'] = before;
    }
    fresh.backend.setFusion(true);
  });
  afterAll(async () => fresh?.close());
  // Fusion on for the comparison, also in the CI pass with GPUKIT_FUSE=0.
  beforeEach(async () => (await sharedDevice())?.backend.setFusion(true));
  afterEach(async () => (await sharedDevice())?.backend.setFusion(process.env['GPUKIT_FUSE'] !== '0'));

  for (const [what, chain] of Object.entries(CHAINS)) {
    gpuTest(`${what}: the same kernel and bits, cached and fresh, and the unfused bits`, async ({ device }) => {
      const other = fresh;
      if (other === undefined) throw new Error('no second device');
      // Three steps (new scalars and arrays each): the first composes, the next two hit the cache.
      const cached = await runs(device, chain, 3);
      const afresh = await runs(other, chain, 3);
      expect(cached.source).toEqual(afresh.source);
      expect(cached.bits).toEqual(afresh.bits);
      // Elementwise chains give the unfused bits; a fused reduction may sum in another order (its own tests' bounds).
      if (what.startsWith('a reduction')) return;
      device.backend.setFusion(false);
      const unfused = await runs(device, chain, 3);
      expect(cached.bits).toEqual(unfused.bits);
    });
  }

  gpuTest('chains of different structures alternating keep their own kernels', async ({ device }) => {
    const other = fresh;
    if (other === undefined) throw new Error('no second device');
    const order = ['a shared subexpression', 'the same array twice, and an array once', 'a shared subexpression', 'integer ops and casts', 'the same array twice, and an array once'];
    for (const what of order) {
      const chain = CHAINS[what];
      if (chain === undefined) throw new Error(what);
      const a = await runs(device, chain, 1);
      const b = await runs(other, chain, 1);
      expect(a).toEqual(b);
    }
  });
});
