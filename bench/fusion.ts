/**
 * Fusion's figures, side by side in one run (issue 28): kernel-only times from device.profile() (GPU
 * timestamps), wall clock where a readback is part of the figure; contenders interleaved rep by rep, medians.
 *
 *   npx tsx bench/fusion.ts [--reps 7] [--warm 30]
 *
 * 1. A six-op elementwise chain on 2^22 f32, fused (one kernel) vs unfused (`openDevice({ fuse: false })`,
 *    six kernels) vs a hand-written single WGSL kernel of the same expression (`device.kernel`).
 * 2. `sum(mul(x, y))` vs `dot(x, y)` on 2^22 f32.
 * 3. 100 chained small ops (n = 1024: 50 × mul, add) + one readback vs one raw dispatch of the same expression
 *    (a loop of 50 v = v · 0.999 + 0.001) + readback, wall clock: op by op (recorded, fused into one kernel)
 *    and through `jit` (the trace replayed: one dispatch, no per-op work). Measured after `--warm` rounds
 *    (default 30: V8 has compiled the ops' JS by then; the first rounds run it interpreted, several times
 *    slower).
 * 4. Matmul epilogues: relu(add(matmul(x, w), b)) at 512×512×512 and 4096×16×1024 (b a row-broadcast
 *    bias), kernel-only: fused (one dispatch: the product's kernel applies add and relu at its store), with
 *    the product's array held (the kernel stores the plain product too: `+product`) and destroyed before
 *    the chain runs (it does not), vs unfused (fusion off: matmul, add, relu) and vs round two's fusion
 *    (GPUKIT_FUSE_EPILOGUE=0: the matmul, then one fused add + relu); and examples/10-mlp.ts's forward
 *    pass, its dispatches counted by device.profile() with fusion on and off.
 *
 * 5. The host (gpujs) engine: the same six-op chain at 2^20 and 2^22 f32, fused (one JavaScript loop) vs
 *    unfused (six loops), on two gpujs devices (`openDevice({ engine: 'gpujs' })`, and with `fuse: false`):
 *    the queue's task time (profile()'s kernel phase: wall clock of the loops) and the whole call's wall
 *    clock (recording and per-op JS included), medians of interleaved reps, with the load average; and a
 *    hand-written JS loop of the same expression (Math.fround per op) beside the fused loop. And
 *    sum(mul(x, y)) at 2^22 f32: fused (one loop computing x·y and folding it) vs unfused (the mul's loop,
 *    then the fold), with dot(x, y) beside them.
 *
 * 6. `mean(square(sub(x, mean(x))))` (the variance chain) at 5000 and 2^20 f32: dispatches (device.profile()),
 *    kernel-only time and wall clock with a readback, with whole-array reductions in one dispatch where the
 *    input fits one workgroup (the default) vs the old first pass + pass over partials
 *    (GPUKIT_REDUCE_ONE_PASS=0), interleaved rep by rep; the load average printed beside them.
 *
 * 7. Reductions along an axis over a chain: sum(mul(x, y), { axis: -1 }) and softmax(mul(x, s)) (s a row
 *    broadcast) on 2048×2048 f32, kernel-only: fused (one row-kernel dispatch computing x·y as it loads)
 *    vs unfused (fusion off: the mul, then the row kernel), with the load average before and after.
 *
 *   npx tsx bench/fusion.ts --only epilogue     runs row 4 alone.
 *   npx tsx bench/fusion.ts --only host         runs row 5 alone (no Dawn device opened).
 *   npx tsx bench/fusion.ts --only variance     runs row 6 alone.
 *   npx tsx bench/fusion.ts --only axis         runs row 7 alone.
 *   npx tsx bench/fusion.ts --only small        runs row 3 alone.
 *
 * On a software adapter these are measurements of that adapter (a CPU emulating a GPU), not GPU hardware.
 */
import { readFileSync } from 'node:fs';
import { add, argmax, describeAdapter, dot, jit, matmul, maximum, mean, mul, multiply, openDevice, relu, softmax, square, sub, sum, variance, type DeviceArray, type GpuDevice } from '../src/index.js';

const reps = Number(process.argv[process.argv.indexOf('--reps') + 1] ?? 7) || 7;
const warm = process.argv.includes('--warm') ? Number(process.argv[process.argv.indexOf('--warm') + 1]) : 30;

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1] ?? NaN;
}

/** Kernel-only ms of `fn` (the GPU time of its dispatches), after untimed warm-up runs. */
async function kernelMs(device: GpuDevice, fn: () => Promise<void>): Promise<number> {
  const p = await device.profile(fn);
  return p.phases.kernel.ms;
}

/** The chain: ((x − 0.5) · 1.5 + y)² · y, then max with 0: six ops, two inputs, two passes of reading each unfused. */
function chain(x: DeviceArray, y: DeviceArray): DeviceArray {
  const kept: DeviceArray[] = [];
  const k = (a: DeviceArray): DeviceArray => (kept.push(a), a);
  const r = maximum(k(multiply(k(square(k(add(k(mul(k(sub(x, 0.5)), 1.5)), y)))), y)), 0);
  for (const a of kept) a.destroy();
  return r;
}

/** The same expression as one hand-written kernel (maximum's NaN propagation included, as the op's body has it). */
const CHAIN_WGSL = `
override WG: u32 = 64;
struct Params { n: u32 }
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> y: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;
@compute @workgroup_size(WG) fn main(@builtin(global_invocation_id) g: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = g.x + g.y * nwg.x * WG;
  if (i >= params.n) { return; }
  let w = y[i];
  let t = (x[i] - 0.5) * 1.5 + w;
  let v = t * t * w;
  out[i] = select(max(v, 0.0), v, (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u);
}`;

/** The same kernel in the geometry gpukit's elementwise builder runs on a software adapter (8 invocations a workgroup, 256 elements each). */
const CHAIN_WGSL_TUNED = `
override WG: u32 = 8;
const ITEMS = 256u;
struct Params { n: u32 }
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> y: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> params: Params;
@compute @workgroup_size(WG) fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32, @builtin(num_workgroups) nwg: vec3u) {
  let base = (wid.x + wid.y * nwg.x) * WG * ITEMS + lid;
  for (var k = 0u; k < ITEMS; k++) {
    let i = base + k * WG;
    if (i >= params.n) { return; }
    let w = y[i];
    let t = (x[i] - 0.5) * 1.5 + w;
    let v = t * t * w;
    out[i] = select(max(v, 0.0), v, (bitcast<u32>(v) & 0x7fffffffu) > 0x7f800000u);
  }
}`;

interface Row {
  readonly what: string;
  readonly figures: string;
  readonly ratio: string;
  readonly goal: string;
}

async function chainRows(fused: GpuDevice, unfused: GpuDevice): Promise<Row[]> {
  const n = 2 ** 22;
  const xh = Float32Array.from({ length: n }, (_, i) => Math.sin(i));
  const yh = Float32Array.from({ length: n }, (_, i) => Math.cos(i));
  using x = fused.array(xh);
  using y = fused.array(yh);
  using ux = unfused.array(xh);
  using uy = unfused.array(yh);
  const k = await fused.kernel(CHAIN_WGSL);
  const tuned = await fused.kernel(CHAIN_WGSL_TUNED);
  using out = fused.empty(n);
  const runFused = async (): Promise<void> => {
    const r = chain(x, y);
    await fused.sync();
    r.destroy();
  };
  const runUnfused = async (): Promise<void> => {
    const r = chain(ux, uy);
    await unfused.sync();
    r.destroy();
  };
  const runHand = async (): Promise<void> => {
    k.run({ x, y, out, params: { n } }, { invocations: n });
    await fused.sync();
  };
  const runTuned = async (): Promise<void> => {
    tuned.run({ x, y, out, params: { n } }, { invocations: Math.ceil(n / 256) });
    await fused.sync();
  };
  for (let i = 0; i < 3; i++) {
    await runFused();
    await runUnfused();
    await runHand();
    await runTuned();
  }
  const f: number[] = [];
  const u: number[] = [];
  const h: number[] = [];
  const t: number[] = [];
  for (let r = 0; r < reps; r++) {
    f.push(await kernelMs(fused, runFused));
    u.push(await kernelMs(unfused, runUnfused));
    h.push(await kernelMs(fused, runHand));
    t.push(await kernelMs(fused, runTuned));
  }
  const fm = median(f);
  const um = median(u);
  const hm = median(h);
  const tm = median(t);
  return [
    { what: 'six-op chain, 2^22 f32, kernel-only: fused vs unfused', figures: `fused ${fm.toFixed(2)} ms, unfused ${um.toFixed(2)} ms`, ratio: `${(um / fm).toFixed(2)}×`, goal: '≥ 3×' },
    { what: 'six-op chain, 2^22 f32, kernel-only: fused vs hand-written WGSL (1 element/invocation, WG 64)', figures: `fused ${fm.toFixed(2)} ms, hand-written ${hm.toFixed(2)} ms`, ratio: `${(hm / fm).toFixed(2)}×`, goal: '≥ 0.9×' },
    { what: 'six-op chain, 2^22 f32, kernel-only: fused vs hand-written WGSL (the builder\'s geometry: WG 8 × 256)', figures: `fused ${fm.toFixed(2)} ms, hand-written ${tm.toFixed(2)} ms`, ratio: `${(tm / fm).toFixed(2)}×`, goal: '≥ 0.9×' },
  ];
}

async function dotRow(device: GpuDevice): Promise<Row> {
  const n = 2 ** 22;
  using x = device.array(Float32Array.from({ length: n }, (_, i) => Math.sin(i)));
  using y = device.array(Float32Array.from({ length: n }, (_, i) => Math.cos(i)));
  const viaSum = async (): Promise<void> => {
    const p = mul(x, y);
    const s = sum(p);
    await device.sync();
    s.destroy();
    p.destroy();
  };
  const viaDot = async (): Promise<void> => {
    const s = dot(x, y);
    await device.sync();
    s.destroy();
  };
  for (let i = 0; i < 3; i++) {
    await viaSum();
    await viaDot();
  }
  const a: number[] = [];
  const b: number[] = [];
  for (let r = 0; r < reps; r++) {
    a.push(await kernelMs(device, viaSum));
    b.push(await kernelMs(device, viaDot));
  }
  const sm = median(a);
  const dm = median(b);
  return { what: 'sum(mul(x, y)) vs dot(x, y), 2^22 f32, kernel-only', figures: `sum(mul) ${sm.toFixed(2)} ms, dot ${dm.toFixed(2)} ms`, ratio: `${(dm / sm).toFixed(2)}×`, goal: '≥ 0.9×' };
}

const SMALL_WGSL = `
override WG: u32 = 64;
struct Params { n: u32 }
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;
@compute @workgroup_size(WG) fn main(@builtin(global_invocation_id) g: vec3u) {
  if (g.x >= params.n) { return; }
  var v = x[g.x];
  for (var k = 0u; k < 50u; k++) { v = v * 0.999 + 0.001; }
  out[g.x] = v;
}`;

/** The 100 ops: 50 × (mul, add), intermediates destroyed (the caller keeps the result). */
function hundred(x: DeviceArray): DeviceArray {
  let v: DeviceArray = x;
  const kept: DeviceArray[] = [];
  for (let i = 0; i < 50; i++) {
    const m = mul(v, 0.999);
    v = add(m, 0.001);
    kept.push(m, v);
  }
  kept.pop();
  for (const a of kept) a.destroy();
  return v;
}

async function smallRows(device: GpuDevice): Promise<Row[]> {
  const n = 1024;
  using x = device.array(Float32Array.from({ length: n }, (_, i) => i / n));
  const k = await device.kernel(SMALL_WGSL);
  using out = device.empty(n);
  const jitted = jit(hundred);
  const timed = (fn: (x: DeviceArray) => DeviceArray) => async (): Promise<number> => {
    const t0 = performance.now();
    const v = fn(x);
    await v.toArray();
    const ms = performance.now() - t0;
    v.destroy();
    return ms;
  };
  const ops = timed(hundred);
  const viaJit = timed(jitted);
  const raw = async (): Promise<number> => {
    const t0 = performance.now();
    k.run({ x, out, params: { n } }, { invocations: n });
    await out.toArray();
    return performance.now() - t0;
  };
  for (let i = 0; i < warm; i++) {
    await ops();
    await viaJit();
    await raw();
  }
  const a: number[] = [];
  const j: number[] = [];
  const b: number[] = [];
  for (let r = 0; r < Math.max(reps, 15); r++) {
    a.push(await ops());
    j.push(await viaJit());
    b.push(await raw());
  }
  const om = median(a);
  const jm = median(j);
  const rm = median(b);
  return [
    { what: `100 chained small ops (n = 1024) + 1 readback vs 1 raw dispatch + readback, wall clock (after ${String(warm)} warm-up rounds)`, figures: `ops ${om.toFixed(2)} ms, raw ${rm.toFixed(2)} ms`, ratio: `${(om / rm).toFixed(2)}× the raw time`, goal: '≤ 1.1×' },
    { what: 'the same 100 ops through jit (replayed) + 1 readback vs 1 raw dispatch + readback, wall clock', figures: `jit ${jm.toFixed(2)} ms, raw ${rm.toFixed(2)} ms`, ratio: `${(jm / rm).toFixed(2)}× the raw time`, goal: '≤ 1.1×' },
  ];
}

/**
 * relu(add(matmul(x, w), b)) at one shape, kernel-only, the contenders interleaved rep by rep: the epilogue
 * kernel storing the plain product too (z held while its chain runs: `+product`), the epilogue kernel alone
 * (z destroyed before its chain runs), unfused (matmul, add, relu) and round two's fusion (the matmul, then
 * one fused add + relu).
 */
async function epilogueShape(fused: GpuDevice, unfused: GpuDevice, plain: GpuDevice, m: number, k: number, n: number): Promise<Row[]> {
  const rand = (len: number, seed: number): Float32Array => Float32Array.from({ length: len }, (_, i) => Math.sin(i * 12.9898 + seed) * 0.5);
  const [xh, wh, bh] = [rand(m * k, 1), rand(k * n, 2), rand(n, 3)];
  const on = { x: fused.array(xh, { shape: [m, k] }), w: fused.array(wh, { shape: [k, n] }), b: fused.array(bh) };
  const off = { x: unfused.array(xh, { shape: [m, k] }), w: unfused.array(wh, { shape: [k, n] }), b: unfused.array(bh) };
  const two = { x: plain.array(xh, { shape: [m, k] }), w: plain.array(wh, { shape: [k, n] }), b: plain.array(bh) };
  // held: z and a live until the chain ran (as `using` in a scope would have them); else destroyed first.
  const layer = (d: GpuDevice, t: typeof on, held: boolean) => async (): Promise<void> => {
    const z = matmul(t.x, t.w);
    const a = add(z, t.b);
    const y = relu(a);
    if (!held) {
      z.destroy();
      a.destroy();
    }
    await d.sync();
    for (const v of [y, a, z]) v.destroy();
  };
  const runs = [layer(fused, on, true), layer(fused, on, false), layer(unfused, off, true), layer(plain, two, true)] as const;
  const devices = [fused, fused, unfused, plain] as const;
  for (let i = 0; i < 3; i++) for (const f of runs) await f();
  const ms: number[][] = runs.map(() => []);
  const dispatches: number[] = runs.map(() => 0);
  const labels: string[][] = runs.map(() => []);
  for (let r = 0; r < reps; r++) {
    for (let j = 0; j < runs.length; j++) {
      const p = await (devices[j] as GpuDevice).profile(runs[j] as () => Promise<void>);
      ms[j]?.push(p.phases.kernel.ms);
      dispatches[j] = count(p);
      labels[j] = p.kernels.map((q) => q.label);
    }
  }
  for (const t of [on, off, two]) for (const v of Object.values(t)) v.destroy();
  const [pm, em, um, tm] = ms.map(median) as [number, number, number, number];
  const [pd, ed, ud, td] = dispatches;
  const shape = `${m}×${k}×${n} f32`;
  console.log(`  ${shape}: ${labels.map((l) => l.join(' + ')).join(' | ')}`);
  return [
    { what: `relu(add(matmul(x, w), b)), ${shape}, kernel-only: epilogue storing the product too vs epilogue alone`, figures: `+product ${pm.toFixed(2)} ms (${pd}), alone ${em.toFixed(2)} ms (${ed})`, ratio: `${(em / pm).toFixed(2)}×`, goal: '—' },
    { what: `relu(add(matmul(x, w), b)), ${shape}, kernel-only: epilogue (+product) vs unfused`, figures: `epilogue ${pm.toFixed(2)} ms (${pd} dispatch), unfused ${um.toFixed(2)} ms (${ud})`, ratio: `${(um / pm).toFixed(2)}×`, goal: '≥ 1×' },
    { what: `relu(add(matmul(x, w), b)), ${shape}, kernel-only: epilogue alone vs unfused`, figures: `epilogue ${em.toFixed(2)} ms (${ed} dispatch), unfused ${um.toFixed(2)} ms (${ud})`, ratio: `${(um / em).toFixed(2)}×`, goal: '≥ 1×' },
    { what: `relu(add(matmul(x, w), b)), ${shape}, kernel-only: epilogue (+product) vs matmul + fused(add,relu)`, figures: `epilogue ${pm.toFixed(2)} ms (${pd} dispatch), round two ${tm.toFixed(2)} ms (${td})`, ratio: `${(tm / pm).toFixed(2)}×`, goal: '≥ 1×' },
  ];
}

const count = (p: Awaited<ReturnType<GpuDevice['profile']>>): number => p.kernels.reduce((s, x) => s + x.dispatches, 0);

async function epilogueRows(fused: GpuDevice, unfused: GpuDevice): Promise<Row[]> {
  // Fusion on, products not recorded (read when the device opens).
  const saved = process.env['GPUKIT_FUSE_EPILOGUE'];
  process.env['GPUKIT_FUSE_EPILOGUE'] = '0';
  await using plain = await openDevice({ engine: 'dawn' });
  if (saved === undefined) delete process.env['GPUKIT_FUSE_EPILOGUE'];
  else process.env['GPUKIT_FUSE_EPILOGUE'] = saved;
  const rand = (len: number, seed: number): Float32Array => Float32Array.from({ length: len }, (_, i) => Math.sin(i * 12.9898 + seed) * 0.5);
  // 512³: the product dominates; 4096×16×1024: a large output against a small k (the store's share is large).
  const rows = [...(await epilogueShape(fused, unfused, plain, 512, 512, 512)), ...(await epilogueShape(fused, unfused, plain, 4096, 16, 1024))];
  // examples/10-mlp.ts's forward pass.
  const [N, D, H, C] = [4096, 512, 64, 10];
  const mlp = async (d: GpuDevice): Promise<{ dispatches: number; ms: number }> => {
    using X = d.array(rand(N * D, 1), { shape: [N, D] });
    using W1 = d.array(rand(D * H, 2), { shape: [D, H] });
    using W2 = d.array(rand(H * C, 4), { shape: [H, C] });
    using b1 = d.array(rand(H, 3));
    using b2 = d.array(rand(C, 5));
    const pass = async (): Promise<void> => {
      using z1 = matmul(X, W1);
      using a1 = add(z1, b1);
      using h = relu(a1);
      using z2 = matmul(h, W2);
      using logits = add(z2, b2);
      using probs = softmax(logits, { axis: 1 });
      using label = argmax(probs, { axis: 1 });
      await Promise.all([probs.toArray(), label.toArray()]);
    };
    await pass();
    const ms: number[] = [];
    let dispatches = 0;
    for (let r = 0; r < reps; r++) {
      const p = await d.profile(pass);
      ms.push(p.phases.kernel.ms);
      dispatches = count(p);
    }
    return { dispatches, ms: median(ms) };
  };
  const mf = await mlp(fused);
  const mu = await mlp(unfused);
  const m2 = await mlp(plain);
  return [
    ...rows,
    { what: 'examples/10-mlp.ts forward pass: dispatches, fused vs unfused', figures: `fused ${mf.dispatches}, unfused ${mu.dispatches}, round two ${m2.dispatches}`, ratio: `${(mu.dispatches / mf.dispatches).toFixed(2)}×`, goal: '≥ 2×' },
    { what: 'examples/10-mlp.ts forward pass, kernel-only: fused vs unfused (vs round two\'s fusion)', figures: `fused ${mf.ms.toFixed(2)} ms, unfused ${mu.ms.toFixed(2)} ms (round two ${m2.ms.toFixed(2)} ms)`, ratio: `${(mu.ms / mf.ms).toFixed(2)}× (${(m2.ms / mf.ms).toFixed(2)}×)`, goal: '—' },
  ];
}

async function varianceRows(fused: GpuDevice): Promise<Row[]> {
  // The same device build with the passes over partials kept (read when the device opens).
  const saved = process.env['GPUKIT_REDUCE_ONE_PASS'];
  process.env['GPUKIT_REDUCE_ONE_PASS'] = '0';
  await using old = await openDevice({ engine: 'dawn' });
  if (saved === undefined) delete process.env['GPUKIT_REDUCE_ONE_PASS'];
  else process.env['GPUKIT_REDUCE_ONE_PASS'] = saved;
  const rows: Row[] = [];
  for (const n of [5000, 2 ** 20]) {
    const xh = Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 3 + 4);
    using a = fused.array(xh);
    using b = old.array(xh);
    const pass = (d: GpuDevice, x: DeviceArray) => async (): Promise<number> => {
      using m = mean(x);
      using dv = sub(x, m);
      using q = square(dv);
      using v = mean(q);
      return await v.item();
    };
    const run = async (d: GpuDevice, x: DeviceArray): Promise<{ ms: number; wall: number; dispatches: number }> => {
      await d.sync();
      const t0 = performance.now();
      await pass(d, x)();
      const wall = performance.now() - t0;
      const p = await d.profile(pass(d, x));
      return { ms: p.phases.kernel.ms, wall, dispatches: p.kernels.reduce((s, k) => s + k.dispatches, 0) };
    };
    for (let i = 0; i < Math.max(3, warm / 3); i++) {
      await run(fused, a);
      await run(old, b);
    }
    const fk: number[] = [];
    const ok: number[] = [];
    const fw: number[] = [];
    const ow: number[] = [];
    let fd = 0;
    let od = 0;
    for (let r = 0; r < Math.max(reps, 15); r++) {
      const f = await run(fused, a);
      const o = await run(old, b);
      fk.push(f.ms);
      ok.push(o.ms);
      fw.push(f.wall);
      ow.push(o.wall);
      fd = f.dispatches;
      od = o.dispatches;
    }
    // variance(x) itself (src/ops/axis.ts: the row kernel over one row of n), for reference.
    const vk: number[] = [];
    let vd = 0;
    for (let r = 0; r < Math.max(reps, 15); r++) {
      const p = await fused.profile(async () => {
        using v = variance(a);
        return await v.item();
      });
      vk.push(p.phases.kernel.ms);
      vd = p.kernels.reduce((s, k) => s + k.dispatches, 0);
    }
    const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    rows.push(
      { what: `mean(square(sub(x, mean(x)))), n = ${String(n)}: dispatches, one-pass reductions vs first + rest passes`, figures: `one-pass ${String(fd)}, old ${String(od)}`, ratio: `${(od / fd).toFixed(2)}×`, goal: `2 (load ${load})` },
      { what: `the same, kernel-only (GPU timestamps)`, figures: `one-pass ${median(fk).toFixed(3)} ms, old ${median(ok).toFixed(3)} ms`, ratio: `${(median(ok) / median(fk)).toFixed(2)}×`, goal: '—' },
      { what: `the same, wall clock with the readback`, figures: `one-pass ${median(fw).toFixed(3)} ms, old ${median(ow).toFixed(3)} ms`, ratio: `${(median(ow) / median(fw)).toFixed(2)}×`, goal: '—' },
      { what: `variance(x), n = ${String(n)} (the row kernel, one row), kernel-only`, figures: `${median(vk).toFixed(3)} ms, ${String(vd)} dispatch`, ratio: `${(median(vk) / median(fk)).toFixed(2)}× the chain`, goal: '—' },
    );
  }
  return rows;
}

/** Row 5: the six-op chain on the host engine, fused (one loop) vs unfused (six), at 2^20 and 2^22 f32. */
async function hostRows(): Promise<Row[]> {
  await using fused = await openDevice({ engine: 'gpujs' });
  await using unfused = await openDevice({ engine: 'gpujs', fuse: false });
  const rows: Row[] = [];
  for (const log2 of [20, 22]) {
    const n = 2 ** log2;
    const xh = Float32Array.from({ length: n }, (_, i) => Math.sin(i));
    const yh = Float32Array.from({ length: n }, (_, i) => Math.cos(i));
    using x = fused.array(xh);
    using y = fused.array(yh);
    using ux = unfused.array(xh);
    using uy = unfused.array(yh);
    const run = (device: GpuDevice, a: DeviceArray, b: DeviceArray) => async (): Promise<void> => {
      const r = chain(a, b);
      await device.sync();
      r.destroy();
    };
    const runFused = run(fused, x, y);
    const runUnfused = run(unfused, ux, uy);
    for (let i = 0; i < 3; i++) {
      await runFused();
      await runUnfused();
    }
    const out = new Float32Array(n);
    const runHand = (): number => {
      const t0 = performance.now();
      handChain(xh, yh, out);
      return performance.now() - t0;
    };
    for (let i = 0; i < 3; i++) runHand();
    const f: number[] = [];
    const u: number[] = [];
    const h: number[] = [];
    const fw: number[] = [];
    const uw: number[] = [];
    const load0 = loadAverage();
    for (let r = 0; r < reps; r++) {
      const pf = await fused.profile(runFused);
      const pu = await unfused.profile(runUnfused);
      h.push(runHand());
      f.push(pf.phases.kernel.ms);
      u.push(pu.phases.kernel.ms);
      fw.push(pf.phases.wall.ms);
      uw.push(pu.phases.wall.ms);
    }
    const load = `load ${load0} → ${loadAverage()}`;
    const [fm, um, hm, fwm, uwm] = [median(f), median(u), median(h), median(fw), median(uw)];
    rows.push(
      { what: `host engine: six-op chain, 2^${log2} f32, loop time: fused vs a hand-written JS loop`, figures: `fused ${fm.toFixed(2)} ms, hand-written ${hm.toFixed(2)} ms`, ratio: `${(hm / fm).toFixed(2)}×`, goal: `— (${load})` },
    );
    rows.push(
      { what: `host engine: six-op chain, 2^${log2} f32, loop time: fused (1 loop) vs unfused (6)`, figures: `fused ${fm.toFixed(2)} ms, unfused ${um.toFixed(2)} ms`, ratio: `${(um / fm).toFixed(2)}×`, goal: `— (${load})` },
      { what: `host engine: six-op chain, 2^${log2} f32, wall clock of the call: fused vs unfused`, figures: `fused ${fwm.toFixed(2)} ms, unfused ${uwm.toFixed(2)} ms`, ratio: `${(uwm / fwm).toFixed(2)}×`, goal: `— (${load})` },
    );
  }
  rows.push(...(await hostReduceRows(fused, unfused)));
  return rows;
}

/**
 * Row 5, reductions: sum(mul(x, y)) at 2^22 f32 on the host engine, fused (one loop computing x·y and
 * folding it, mul left lazy) vs unfused (the mul's loop into a temporary, then the gpu.js fold), and
 * dot(x, y) (one gpu.js fold) beside them: the queue's task time and the wall clock with the readback,
 * medians of interleaved reps, with the load average.
 */
async function hostReduceRows(fused: GpuDevice, unfused: GpuDevice): Promise<Row[]> {
  const n = 2 ** 22;
  const xh = Float32Array.from({ length: n }, (_, i) => Math.sin(i));
  const yh = Float32Array.from({ length: n }, (_, i) => Math.cos(i));
  using x = fused.array(xh);
  using y = fused.array(yh);
  using ux = unfused.array(xh);
  using uy = unfused.array(yh);
  const run = (a: DeviceArray, b: DeviceArray) => async (): Promise<number> => {
    using m = mul(a, b);
    using s = sum(m);
    return await s.item();
  };
  const runFused = run(x, y);
  const runUnfused = run(ux, uy);
  const runDot = async (): Promise<number> => {
    using s = dot(ux, uy);
    return await s.item();
  };
  for (let i = 0; i < 3; i++) {
    await runFused();
    await runUnfused();
    await runDot();
  }
  const check = await fused.profile(runFused);
  const labels = check.kernels.map((k) => k.label).join(', ');
  const f: number[] = [];
  const u: number[] = [];
  const d: number[] = [];
  const fw: number[] = [];
  const uw: number[] = [];
  const dw: number[] = [];
  const load0 = loadAverage();
  for (let r = 0; r < reps; r++) {
    const pf = await fused.profile(runFused);
    const pu = await unfused.profile(runUnfused);
    const pd = await unfused.profile(runDot);
    f.push(pf.phases.kernel.ms);
    u.push(pu.phases.kernel.ms);
    d.push(pd.phases.kernel.ms);
    fw.push(pf.phases.wall.ms);
    uw.push(pu.phases.wall.ms);
    dw.push(pd.phases.wall.ms);
  }
  const load = `load ${load0} → ${loadAverage()}`;
  const [fm, um, dm, fwm, uwm, dwm] = [median(f), median(u), median(d), median(fw), median(uw), median(dw)];
  return [
    { what: `host engine: sum(mul(x, y)), 2^22 f32, task time: fused (1 loop: ${labels}) vs unfused (mul, then the fold)`, figures: `fused ${fm.toFixed(2)} ms, unfused ${um.toFixed(2)} ms`, ratio: `${(um / fm).toFixed(2)}×`, goal: `— (${load})` },
    { what: 'host engine: sum(mul(x, y)), 2^22 f32, wall clock with the readback: fused vs unfused', figures: `fused ${fwm.toFixed(2)} ms, unfused ${uwm.toFixed(2)} ms`, ratio: `${(uwm / fwm).toFixed(2)}×`, goal: `— (${load})` },
    { what: 'host engine: sum(mul(x, y)) fused vs dot(x, y) (gpu.js fold), 2^22 f32, task time / wall clock', figures: `fused ${fm.toFixed(2)} / ${fwm.toFixed(2)} ms, dot ${dm.toFixed(2)} / ${dwm.toFixed(2)} ms`, ratio: `${(dm / fm).toFixed(2)}× / ${(dwm / fwm).toFixed(2)}×`, goal: `— (${load})` },
  ];
}

/**
 * The chain as one hand-written JavaScript loop: each op rounded to f32 as the ops round it, maximum's NaN
 * propagation included.
 */
function handChain(x: Float32Array, y: Float32Array, out: Float32Array): void {
  const f = Math.fround;
  for (let i = 0; i < out.length; i++) {
    const w = y[i] ?? 0;
    const t = f(f(f((x[i] ?? 0) - 0.5) * 1.5) + w);
    const v = f(f(t * t) * w);
    out[i] = v !== v ? v : Math.max(v, 0);
  }
}

/** The 1-minute load average (the machine is shared: figures mean something only next to it). */
function loadAverage(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ')[0] ?? '?';
  } catch {
    return '?';
  }
}

function printRows(rows: readonly Row[]): void {
  const w = Math.max(...rows.map((r) => r.what.length));
  for (const r of rows) console.log(`${r.what.padEnd(w)}  ${r.figures.padEnd(42)}  ${r.ratio.padEnd(20)} goal ${r.goal}`);
  console.log(`load average at the end: ${loadAverage()}`);
}

async function axisRows(fused: GpuDevice, unfused: GpuDevice): Promise<Row[]> {
  const [rows, R] = [2048, 2048];
  const rand = (len: number, seed: number): Float32Array => Float32Array.from({ length: len }, (_, i) => Math.sin(i * 12.9898 + seed) * 2);
  const [xh, yh, sh] = [rand(rows * R, 1), rand(rows * R, 2), rand(R, 3)];
  const on = { x: fused.array(xh, { shape: [rows, R] }), y: fused.array(yh, { shape: [rows, R] }), s: fused.array(sh) };
  const off = { x: unfused.array(xh, { shape: [rows, R] }), y: unfused.array(yh, { shape: [rows, R] }), s: unfused.array(sh) };
  const count = (p: Awaited<ReturnType<GpuDevice['profile']>>): number => p.kernels.reduce((a, k) => a + k.dispatches, 0);
  const sumOf = (d: GpuDevice, t: typeof on) => async (): Promise<void> => {
    const m = mul(t.x, t.y);
    const r = sum(m, { axis: -1 });
    await d.sync();
    r.destroy();
    m.destroy();
  };
  const softmaxOf = (d: GpuDevice, t: typeof on) => async (): Promise<void> => {
    const m = mul(t.x, t.s);
    const r = softmax(m);
    await d.sync();
    r.destroy();
    m.destroy();
  };
  const side = async (f: () => Promise<void>, u: () => Promise<void>): Promise<{ fm: number; um: number; fd: number; ud: number; load: string }> => {
    for (let i = 0; i < 2; i++) {
      await f();
      await u();
    }
    const before = loadAverage();
    const fs: number[] = [];
    const us: number[] = [];
    let fd = 0;
    let ud = 0;
    for (let r = 0; r < reps; r++) {
      const p = await fused.profile(f);
      const q = await unfused.profile(u);
      fs.push(p.phases.kernel.ms);
      us.push(q.phases.kernel.ms);
      fd = count(p);
      ud = count(q);
    }
    return { fm: median(fs), um: median(us), fd, ud, load: `${before} → ${loadAverage()}` };
  };
  const a = await side(sumOf(fused, on), sumOf(unfused, off));
  const b = await side(softmaxOf(fused, on), softmaxOf(unfused, off));
  for (const t of [on, off]) for (const v of Object.values(t)) v.destroy();
  return [
    { what: `sum(mul(x, y), axis -1), ${rows}×${R} f32, kernel-only: fused vs unfused`, figures: `fused ${a.fm.toFixed(2)} ms (${a.fd} dispatch), unfused ${a.um.toFixed(2)} ms (${a.ud}); load ${a.load}`, ratio: `${(a.um / a.fm).toFixed(2)}×`, goal: '≥ 1×' },
    { what: `softmax(mul(x, s)), ${rows}×${R} f32 (s a row), kernel-only: fused vs unfused`, figures: `fused ${b.fm.toFixed(2)} ms (${b.fd} dispatch), unfused ${b.um.toFixed(2)} ms (${b.ud}); load ${b.load}`, ratio: `${(b.um / b.fm).toFixed(2)}×`, goal: '≥ 1×' },
  ];
}

async function main(): Promise<void> {
  const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
  if (only === 'host') {
    console.log(`host engine (gpujs), ${String(reps)} reps, interleaved; load average before: ${loadAverage()}`);
    printRows(await hostRows());
    return;
  }
  await using fused = await openDevice({ engine: 'dawn' });
  await using unfused = await openDevice({ engine: 'dawn', fuse: false });
  console.log(`adapter: ${describeAdapter(fused.info)}; load average ${loadAverage()}`);
  if (fused.info.isSoftware) console.log('(software adapter: these figures describe a CPU-emulated GPU, not GPU hardware)');
  const rows =
    only === 'epilogue'
      ? await epilogueRows(fused, unfused)
      : only === 'variance'
        ? await varianceRows(fused)
        : only === 'axis'
          ? await axisRows(fused, unfused)
          : only === 'small'
            ? await smallRows(fused)
            : [...(await chainRows(fused, unfused)), await dotRow(fused), ...(await smallRows(fused)), ...(await epilogueRows(fused, unfused)), ...(await hostRows()), ...(await varianceRows(fused)), ...(await axisRows(fused, unfused))];
  printRows(rows);
}

await main();
