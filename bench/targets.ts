/**
 * The speed targets of the kernel library, measured side by side in one run and printed as ratios.
 * Kernel-only figures are GPU timestamp sums from device.profile(); CPU figures are wall clock of plain
 * single-thread typed-array loops; contenders are interleaved and each figure is a median.
 *
 *   npx tsx bench/targets.ts [--reps 7] [--only broadcast | --only rows | --only spellings]
 *
 * `--only broadcast` runs just the broadcast-add and slice-readback rows (seconds, not minutes);
 * `--only rows` the row reductions over 4096×1024 and the tall-skinny matmul;
 * `--only spellings` the pairs of spellings that should cost the same (issue 26): matmul(X.T, r) vs
 * matmul(r, X), A.T.contiguous() vs transpose(A), a column broadcast vs a row broadcast.
 *
 * On a software adapter these are measurements of that adapter (a CPU emulating a GPU), not GPU hardware.
 */
import { cpus } from 'node:os';
import { describeWasm, loadWasmCpu } from '../src/cpu/wasm.js';
import { add, argmax, axpy, describeAdapter, map, matmul, max, openDevice, scan, softmax, sort, sum, transpose, DeviceArray, type GpuDevice } from '../src/index.js';
import { axpyLoop, scanLoop, sumLoop } from '../src/cpu/loops.js';

const reps = Number(process.argv[process.argv.indexOf('--reps') + 1] ?? 7) || 7;
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;

const warmed = new Set<string>();

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1] ?? NaN;
}

/** Kernel-only ms of `fn` (its dispatches' GPU time). */
/**
 * Kernel-only ms of `fn`. An op's result is returned by `fn`, not destroyed inside it: elementwise math is
 * recorded (fusion) and computed when first needed, and a result destroyed unread is never computed at all.
 * The profile computes what `fn` returns; it is destroyed after.
 */
async function kernelMs(device: GpuDevice, fn: () => unknown): Promise<number> {
  // llvmpipe compiles a pipeline at its first dispatch, and a fresh 64 MiB buffer runs slower for its
  // first few passes (page faults, the kernel's huge-page collapsing): warm up untimed first.
  if (!warmed.has(fn.toString())) {
    warmed.add(fn.toString());
    const made: unknown[] = [];
    for (let i = 0; i < 5; i++) made.push(fn());
    await device.sync();
    for (const m of made) if (m instanceof DeviceArray) m.destroy();
  }
  const p = await device.profile(() => fn());
  if (p.result instanceof DeviceArray) p.result.destroy();
  return p.phases.kernel.ms;
}

function wall(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

interface Row {
  readonly target: string;
  readonly gpu: string;
  readonly cpu: string;
  readonly ratio: number;
  readonly goal: number;
  readonly note?: string;
}

async function main(): Promise<void> {
  await using device = await openDevice();
  console.log(`adapter: ${describeAdapter(device.info)}`);
  console.log(`cpu: ${cpus()[0]?.model ?? 'unknown'} (${cpus().length} logical cores)`);
  if (device.info.isSoftware) console.log('(software adapter: these figures describe a CPU-emulated GPU, not GPU hardware)');
  const rows: Row[] = [];
  if (only === undefined || only === 'broadcast') rows.push(...(await broadcastRows(device, reps)));
  if (only === undefined || only === 'rows') rows.push(...(await rowRows(device, reps)));
  if (only === undefined || only === 'spellings') rows.push(...(await spellingRows(device, reps)));
  if (only === undefined) rows.push(...(await libraryRows(device, reps)));
  print(rows);
}

/**
 * Broadcast add (4096, 1024) + (1024,) against the same-size contiguous add (4096, 1024) + (4096, 1024),
 * interleaved rep by rep, kernel-only (every dispatch of the op, the broadcast gather included) and end to
 * end (upload of the inputs, op, download of the result); and a slice readback's download bytes.
 */
async function broadcastRows(device: GpuDevice, reps: number): Promise<Row[]> {
  const rows: Row[] = [];
  const [R, C] = [4096, 1024];
  const xh = Float32Array.from({ length: R * C }, (_, i) => (i % 1000) / 1000);
  const yh = Float32Array.from({ length: R * C }, (_, i) => (i % 777) / 777);
  const bh = Float32Array.from({ length: C }, (_, i) => i / C);
  using x = device.array(xh, { shape: [R, C] });
  using y = device.array(yh, { shape: [R, C] });
  using b = device.array(bh);
  const gc: number[] = [];
  const gb: number[] = [];
  const ec: number[] = [];
  const eb: number[] = [];
  const e2e = async (other: typeof y, host: Float32Array): Promise<number> => {
    const t0 = performance.now();
    x.write(xh);
    other.write(host);
    using out = add(x, other);
    await out.toArray();
    return performance.now() - t0;
  };
  for (let i = 0; i < 2; i++) {
    await e2e(y, yh);
    await e2e(b, bh);
  }
  for (let r = 0; r < reps; r++) {
    gc.push(await kernelMs(device, () => {
      return add(x, y);
    }));
    gb.push(await kernelMs(device, () => {
      return add(x, b);
    }));
    ec.push(await e2e(y, yh));
    eb.push(await e2e(b, bh));
  }
  const [kc, kb, wc, wb] = [median(gc), median(gb), median(ec), median(eb)];
  console.log(`broadcast add / contiguous add (4096×1024 f32): kernel-only ${(kb / kc).toFixed(2)}× (${kb.toFixed(2)} / ${kc.toFixed(2)} ms), end-to-end ${(wb / wc).toFixed(2)}× (${wb.toFixed(2)} / ${wc.toFixed(2)} ms); goal ≤ 1.20× kernel-only`);
  const note = 'the (1024,) row is read in place (j mod 1024), as is a column or any broadcast of a plain array whose non-1 axes are one run of the output\'s ((j / q) mod m); others are gathered first';
  rows.push({ target: 'add (4096,1024)+(1024,) vs +(4096,1024), kernel-only', gpu: `${kb.toFixed(2)} ms`, cpu: `cont ${kc.toFixed(2)} ms`, ratio: kc / kb, goal: 1 / 1.2, note });
  rows.push({ target: 'add (4096,1024)+(1024,) vs +(4096,1024), end-to-end', gpu: `${wb.toFixed(2)} ms`, cpu: `cont ${wc.toFixed(2)} ms`, ratio: wc / wb, goal: 1 / 1.2, note });

  // A slice readback moves O(k) bytes: k elements of one row, and a strided column of 4096.
  for (const [what, view] of [['x[7, 0:1000]', x.slice(7, [0, 1000])], ['x[:, 3]', x.slice(null, 3)]] as const) {
    const p = await device.profile(() => view.toArray());
    const bytes = p.phases.download.bytes ?? NaN;
    rows.push({ target: `readback of ${what} (k = ${view.size}) of 4 M elements`, gpu: `${bytes} B`, cpu: `4·k ${4 * view.size} B`, ratio: (4 * view.size) / bytes, goal: 1 });
  }
  return rows;
}

async function libraryRows(device: GpuDevice, reps: number): Promise<Row[]> {
  const rows: Row[] = [];
  const n24 = 1 << 24;

  // axpy f32 2^24
  {
    const xh = Float32Array.from({ length: n24 }, (_, i) => (i % 1000) / 1000);
    const yh = new Float32Array(n24).fill(1);
    using x = device.array(xh);
    using y = device.array(yh);
    const g: number[] = [];
    const c: number[] = [];
    for (let i = 0; i < 3; i++) axpyLoop(1.5, xh, yh); // warm the CPU side too
    for (let r = 0; r < reps; r++) {
      g.push(await kernelMs(device, () => axpy(1.5, x, y)));
      c.push(wall(() => {
        axpyLoop(1.5, xh, yh);
      }));
    }
    const gm = median(g);
    const cm = median(c);
    rows.push({ target: 'axpy f32 2^24, kernel-only', gpu: `${gm.toFixed(1)} ms`, cpu: `${cm.toFixed(1)} ms`, ratio: cm / gm, goal: 2 });
  }

  // sum f32 2^24
  {
    const xh = Float32Array.from({ length: n24 }, (_, i) => (i % 1000) / 1000);
    using x = device.array(xh);
    const g: number[] = [];
    const c: number[] = [];
    let sink = 0;
    for (let i = 0; i < 3; i++) sink += sumLoop(xh);
    for (let r = 0; r < reps; r++) {
      g.push(await kernelMs(device, () => {
        sum(x).destroy();
      }));
      c.push(wall(() => {
        sink += sumLoop(xh);
      }));
    }
    const gm = median(g);
    const cm = median(c);
    if (!Number.isFinite(sink)) throw new Error('unreachable: keeps the CPU loop from being optimised away');
    rows.push({ target: 'sum f32 2^24, kernel-only', gpu: `${gm.toFixed(1)} ms`, cpu: `${cm.toFixed(1)} ms`, ratio: cm / gm, goal: 2 });
  }

  // scan f32 2^24
  {
    const xh = Float32Array.from({ length: n24 }, (_, i) => (i % 7) - 3);
    const out = new Float32Array(n24);
    using x = device.array(xh);
    const g: number[] = [];
    const c: number[] = [];
    for (let i = 0; i < 3; i++) scanLoop(xh, out);
    for (let r = 0; r < reps; r++) {
      g.push(await kernelMs(device, () => {
        scan(x).destroy();
      }));
      c.push(wall(() => {
        scanLoop(xh, out);
      }));
    }
    const gm = median(g);
    const cm = median(c);
    rows.push({ target: 'scan f32 2^24, kernel-only', gpu: `${gm.toFixed(1)} ms`, cpu: `${cm.toFixed(1)} ms`, ratio: cm / gm, goal: 1 });
  }

  // sort u32 2^22
  {
    const n = 1 << 22;
    const kh = new Uint32Array(n);
    let s = 12345;
    for (let i = 0; i < n; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      kh[i] = s;
    }
    using k = device.array(kh);
    const g: number[] = [];
    const c: number[] = [];
    for (let r = 0; r < Math.min(reps, 5); r++) {
      g.push(await kernelMs(device, () => {
        sort(k).destroy();
      }));
      const copy = kh.slice();
      c.push(wall(() => copy.sort()));
    }
    const gm = median(g);
    const cm = median(c);
    rows.push({ target: 'sort u32 2^22, kernel-only vs Uint32Array.prototype.sort', gpu: `${gm.toFixed(1)} ms`, cpu: `${cm.toFixed(1)} ms`, ratio: cm / gm, goal: 1 });
  }

  // matmul 1024^3
  {
    const m = 1024;
    const ah = Float32Array.from({ length: m * m }, (_, i) => ((i * 7) % 13) / 13);
    using a = device.array(ah);
    using b = device.array(ah);
    const warmC = matmul(a, b, { m, k: m, n: m }); // compile and warm (kept until sync: a product destroyed unread is never computed)
    await device.sync();
    warmC.destroy();
    // Side by side with cpu-wasm (TF.js's wasm backend, XNNPACK), rep by rep in this process, where installed:
    // the distance between the GPU kernels on this adapter and the best CPU path a Node user can install.
    const w = await loadWasmCpu();
    const wasm = 'unavailable' in w ? undefined : w;
    if (wasm !== undefined) wasm.matmul(ah, ah, m, m, m); // warm
    const g: number[] = [];
    const c: number[] = [];
    for (let r = 0; r < Math.min(reps, 5); r++) {
      g.push(await kernelMs(device, () => matmul(a, b, { m, k: m, n: m })));
      if (wasm !== undefined) c.push(wall(() => wasm.matmul(ah, ah, m, m, m)));
    }
    const gm = median(g);
    const gflops = (2 * m * m * m) / (gm * 1e6);
    rows.push({ target: 'matmul f32 1024³ (GFLOP/s, goal 40)', gpu: `${gflops.toFixed(1)} GFLOP/s`, cpu: '—', ratio: gflops / 40, goal: 1 });
    if (wasm === undefined) {
      rows.push({ target: 'matmul f32 1024³, gpukit kernel-only vs cpu-wasm', gpu: `${gflops.toFixed(1)} GFLOP/s`, cpu: 'not installed', ratio: NaN, goal: 1, note: 'unavailable' in w ? w.unavailable : '' });
    } else {
      const cflops = (2 * m * m * m) / (median(c) * 1e6);
      rows.push({ target: 'matmul f32 1024³, gpukit kernel-only vs cpu-wasm (same run)', gpu: `${gflops.toFixed(1)} GFLOP/s`, cpu: `${cflops.toFixed(1)} GFLOP/s`, ratio: gflops / cflops, goal: 1, note: `cpu-wasm: ${describeWasm(wasm.label)}, end to end from JS arrays` });
    }
  }

  // chain of 100 small ops + one readback, vs the same dispatches on raw webgpu
  {
    const { gpukitMs, rawMs } = await chain(device, reps);
    rows.push({ target: '100 small ops (n=1024) + 1 readback vs raw webgpu', gpu: `${gpukitMs.toFixed(2)} ms`, cpu: `raw ${rawMs.toFixed(2)} ms`, ratio: rawMs / gpukitMs, goal: 1 / 1.3 });
  }
  return rows;
}

/**
 * Row reductions over a 4096×1024 f32 array (sum, max, argmax along axis 1; a row softmax) against a whole-
 * array sum of the same data, kernel-only, interleaved rep by rep (goal: within 1.5×); and the tall-skinny
 * matmul 4096×1024 · 1024×10 against a square 1024³ one, in GMAC/s (goal: within 2×).
 */
async function rowRows(device: GpuDevice, reps: number): Promise<Row[]> {
  const h = Float32Array.from({ length: 4096 * 1024 }, (_, i) => Math.sin(i * 0.001));
  using x = device.array(h, { shape: [4096, 1024] });
  const ops: [string, () => void][] = [
    ['sum', () => { sum(x).destroy(); }],
    ['sum axis 1', () => { sum(x, { axis: 1 }).destroy(); }],
    ['max axis 1', () => { max(x, { axis: 1 }).destroy(); }],
    ['argmax axis 1', () => { argmax(x, { axis: 1 }).destroy(); }],
    ['softmax axis 1', () => { softmax(x, { axis: 1 }).destroy(); }],
    // What writing rows × R costs at all: an elementwise map reading x and writing an array like it (softmax's floor).
    ['map x·2', () => { map(x, 'x * 2.0').destroy(); }],
  ];
  const times = new Map<string, number[]>(ops.map(([k]) => [k, []]));
  for (let r = 0; r < reps; r++) for (const [k, fn] of ops) times.get(k)?.push(await kernelMs(device, fn));
  const whole = median(times.get('sum') ?? []);
  const rows: Row[] = [];
  const floor = median(times.get('map x·2') ?? []);
  for (const [k] of ops.slice(1, -1)) {
    const t = median(times.get(k) ?? []);
    console.log(`${k} / whole sum (4096×1024 f32): kernel-only ${(t / whole).toFixed(2)}× (${t.toFixed(2)} / ${whole.toFixed(2)} ms); goal ≤ 1.50×`);
    const note = k.startsWith('softmax')
      ? `softmax writes 4096×1024 values: an elementwise map that only reads and writes them took ${(floor / whole).toFixed(2)}× the whole sum here (${floor.toFixed(2)} ms)`
      : 'vec4 loads along each row, a row per invocation on a software adapter (LANES lanes per row on a GPU)';
    rows.push({ target: `${k} vs whole sum, 4096×1024, kernel-only`, gpu: `${t.toFixed(2)} ms`, cpu: `sum ${whole.toFixed(2)} ms`, ratio: whole / t, goal: 1 / 1.5, note });
  }
  console.log(`map x·2 / whole sum (4096×1024 f32, reads and writes every element): kernel-only ${(floor / whole).toFixed(2)}× (${floor.toFixed(2)} / ${whole.toFixed(2)} ms)`);
  using a = device.array(new Float32Array(4096 * 1024).fill(0.5), { shape: [4096, 1024] });
  using b = device.array(new Float32Array(1024 * 10).fill(0.5), { shape: [1024, 10] });
  using s = device.array(new Float32Array(1024 * 1024).fill(0.5), { shape: [1024, 1024] });
  const ts: number[] = [];
  const tq: number[] = [];
  for (let r = 0; r < reps; r++) {
    ts.push(await kernelMs(device, () => matmul(a, b)));
    tq.push(await kernelMs(device, () => matmul(s, s)));
  }
  const skinny = (4096 * 1024 * 10) / median(ts) / 1e6;
  const square = 1024 ** 3 / median(tq) / 1e6;
  console.log(`tall-skinny 4096×1024·1024×10: ${skinny.toFixed(2)} GMAC/s vs square 1024³ ${square.toFixed(2)} GMAC/s (${(square / skinny).toFixed(2)}× below; goal ≤ 2×)`);
  rows.push({ target: 'matmul 4096×1024·1024×10 vs 1024³, GMAC/s', gpu: `${skinny.toFixed(2)} GMAC/s`, cpu: `${square.toFixed(2)} GMAC/s`, ratio: skinny / square, goal: 0.5 });
  return rows;
}

/** min–max of a list of figures, as `lo–hi`. */
function range(xs: readonly number[], digits = 2): string {
  return `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;
}

/**
 * Spellings that should cost the same (issue 26), each pair interleaved rep by rep, kernel-only (every
 * dispatch of the op, gathers included), which goes first alternating, median with the min–max range over the reps:
 * - `matmul(X.T, r)` vs `matmul(r, X)` (X 50,000×32 f32, r 50,000 long): the same 1.6 M multiply-adds;
 * - `A.T.contiguous()` vs `transpose(A)` (A 2048×2048 f32): the same values moved;
 * - `add(A, col)` (col [4096, 1]) vs `add(A, row)` (row [1024]) over A 4096×1024 f32.
 * Goal: each first spelling within 1.5× of the second.
 */
async function spellingRows(device: GpuDevice, reps: number): Promise<Row[]> {
  const rows: Row[] = [];
  const pair = async (what: string, first: string, second: string, f: () => unknown, g: () => unknown): Promise<void> => {
    const tf: number[] = [];
    const tg: number[] = [];
    for (let r = 0; r < reps; r++) {
      // Alternating which goes first, so neither always runs right after the other (caches, a busy host).
      if (r % 2 === 0) {
        tf.push(await kernelMs(device, f));
        tg.push(await kernelMs(device, g));
      } else {
        tg.push(await kernelMs(device, g));
        tf.push(await kernelMs(device, f));
      }
    }
    const [mf, mg] = [median(tf), median(tg)];
    console.log(`${what}: ${first} ${mf.toFixed(2)} ms (${range(tf)}) / ${second} ${mg.toFixed(2)} ms (${range(tg)}) = ${(mf / mg).toFixed(2)}×; goal ≤ 1.50×`);
    rows.push({ target: `${what}: ${first} vs ${second}`, gpu: `${mf.toFixed(2)} ms`, cpu: `${mg.toFixed(2)} ms`, ratio: mg / mf, goal: 1 / 1.5 });
  };
  {
    const [N, D] = [50_000, 32];
    using X = device.array(Float32Array.from({ length: N * D }, (_, i) => Math.sin(i * 0.37)), { shape: [N, D] });
    using r = device.array(Float32Array.from({ length: N }, (_, i) => Math.cos(i * 0.11)));
    using XT = X.T;
    await pair('matmul 50,000×32', 'X.T @ r', 'r @ X', () => matmul(XT, r), () => matmul(r, X));
  }
  {
    const S = 2048;
    using A = device.array(Float32Array.from({ length: S * S }, (_, i) => i % 1009), { shape: [S, S] });
    using AT = A.T;
    await pair('transpose 2048×2048', 'A.T.contiguous()', 'transpose(A)', () => { AT.contiguous().destroy(); }, () => { transpose(A).destroy(); });
  }
  {
    const [R, C] = [4096, 1024];
    using A = device.array(Float32Array.from({ length: R * C }, (_, i) => (i % 1000) / 1000), { shape: [R, C] });
    using col = device.array(Float32Array.from({ length: R }, (_, i) => i / R), { shape: [R, 1] });
    using row = device.array(Float32Array.from({ length: C }, (_, i) => i / C));
    await pair('broadcast add 4096×1024', '+ col [4096,1]', '+ row [1024]', () => add(A, col), () => add(A, row));
  }
  return rows;
}

function print(rows: readonly Row[]): void {
  console.log('');
  console.log('target'.padEnd(58), 'gpukit'.padStart(16), 'baseline'.padStart(14), 'ratio'.padStart(8), 'goal'.padStart(7), ' met');
  for (const r of rows) {
    console.log(r.target.padEnd(58), r.gpu.padStart(16), r.cpu.padStart(14), `${r.ratio.toFixed(2)}×`.padStart(8), `≥${r.goal.toFixed(2)}`.padStart(7), r.ratio >= r.goal ? ' yes' : ' no');
    if (r.note !== undefined && r.ratio < r.goal) console.log(`  (${r.note})`);
  }
  console.log('\nratio = baseline time / gpukit time (for matmul: GFLOP/s / 40; for the chain: raw time / gpukit time, goal ≥ 1/1.3;');
  console.log('for broadcast add: contiguous add time / broadcast add time, goal ≥ 1/1.2; for a readback: 4·k / bytes downloaded).');
}

const CHAIN_WGSL = `
override WG: u32 = 64;
struct Params { n: u32, a: f32 }
@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> y: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;
@compute @workgroup_size(WG) fn main(@builtin(global_invocation_id) g: vec3u) {
  if (g.x < params.n) { y[g.x] = params.a * x[g.x] + y[g.x]; }
}`;

/** 100 axpy dispatches on n = 1024 then one readback: gpukit's raw kernel API vs the same on raw webgpu. */
async function chain(device: GpuDevice, reps: number): Promise<{ gpukitMs: number; rawMs: number }> {
  const n = 1024;
  const ops = 100;
  const xh = Float32Array.from({ length: n }, (_, i) => i / n);
  const k = await device.kernel(CHAIN_WGSL);
  using x = device.array(xh);
  using y = device.zeros(n);
  const gpukitRun = async (): Promise<number> => {
    const t0 = performance.now();
    for (let i = 0; i < ops; i++) k.run({ x, y, params: { n, a: 0.5 } }, { invocations: n });
    await y.toArray();
    return performance.now() - t0;
  };
  // Raw webgpu: the same pipeline source, one encoder, a uniform buffer per dispatch written once, one
  // submit, one copy to a staging buffer and mapAsync — what a careful hand-written program does.
  const gpu = device.gpu;
  const module = gpu.createShaderModule({ code: CHAIN_WGSL });
  const pipeline = gpu.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
  const rx = gpu.createBuffer({ size: n * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
  const ry = gpu.createBuffer({ size: n * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
  const staging = gpu.createBuffer({ size: n * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const uniform = gpu.createBuffer({ size: 256 * ops, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  gpu.queue.writeBuffer(rx, 0, xh);
  const rawRun = async (): Promise<number> => {
    const t0 = performance.now();
    const params = new ArrayBuffer(256 * ops);
    const enc = gpu.createCommandEncoder();
    const pass = enc.beginComputePass();
    pass.setPipeline(pipeline);
    for (let i = 0; i < ops; i++) {
      new Uint32Array(params, 256 * i, 1)[0] = n;
      new Float32Array(params, 256 * i + 4, 1)[0] = 0.5;
      const bg = gpu.createBindGroup({
        layout: pipeline.getBindGroupLayout(0),
        entries: [
          { binding: 0, resource: { buffer: rx } },
          { binding: 1, resource: { buffer: ry } },
          { binding: 2, resource: { buffer: uniform, offset: 256 * i, size: 8 } },
        ],
      });
      pass.setBindGroup(0, bg);
      pass.dispatchWorkgroups(Math.ceil(n / 64));
    }
    pass.end();
    enc.copyBufferToBuffer(ry, 0, staging, 0, n * 4);
    gpu.queue.writeBuffer(uniform, 0, params);
    gpu.queue.submit([enc.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    new Float32Array(staging.getMappedRange().slice(0));
    staging.unmap();
    return performance.now() - t0;
  };
  for (let i = 0; i < 3; i++) {
    await gpukitRun();
    await rawRun();
  }
  const g: number[] = [];
  const r: number[] = [];
  for (let i = 0; i < reps * 3; i++) {
    g.push(await gpukitRun());
    r.push(await rawRun());
  }
  for (const b of [rx, ry, staging, uniform]) b.destroy();
  return { gpukitMs: median(g), rawMs: median(r) };
}

await main();
