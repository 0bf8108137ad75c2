/**
 * The chain bench op (issue 28: "`gpukit bench` has a `chain` op, fused vs unfused vs CPU"): its CPU loop, its
 * cpu-wasm call and its GPU expression, fused and unfused, compute max(((x − 0.5) · 1.5 + y)² · y, 0) within
 * the f32 bound of a float64 loop written here, on edge inputs; its unfused contenders really run one kernel per
 * op and its fused ones one kernel (profile labels); the report carries the fused and unfused lines against
 * the CPU and where fusion moves the crossover; and `gpukit bench chain --quick` runs through the CLI entry.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { buildReport, type OpReport } from '../../src/bench/analyze.js';
import { checkReport, compareReports } from '../../src/bench/compare.js';
import { isMeasured, type BenchEnv, type BenchOp } from '../../src/bench/contender.js';
import { benchChain, benchOp, benchOps, withFusion } from '../../src/bench/ops.js';
import { fusionLines, formatHtml, formatJson, formatTable } from '../../src/bench/report.js';
import { DEFAULT_SETTINGS, sizesFor, type Cell } from '../../src/bench/runner.js';
import { DEFAULT_SIZES, parseSizes, QUICK_SIZES } from '../../src/bench/run.js';
import { summarize } from '../../src/bench/stats.js';
import { chainLoop } from '../../src/cpu/loops.js';
import type { CpuPool } from '../../src/cpu/pool.js';
import { loadWasmCpu, wasmInstalled } from '../../src/cpu/wasm.js';
import type { GpuDevice } from '../../src/index.js';
import { gpuTest } from '../fixture.js';
import { syntheticCalibration, syntheticInfo, syntheticReport } from './synthetic-report.js';

const run = promisify(execFile);

const U = 2 ** -24; // f32 unit roundoff
const F32_MAX = 3.4028234663852886e38;
const TINY = 2 ** -126; // smallest normal f32: what flushing a subnormal may lose, per operation

/** (x, y) pairs reaching the edges: NaN, ±Inf, ±0, f32 extremes, subnormals, cancellation in the add. */
const EDGES: readonly [number, number][] = [
  [NaN, 1], [1, NaN], [Infinity, 1], [-Infinity, 1], [-Infinity, -1], [Infinity, 0], [0, Infinity], [0, -Infinity],
  [0.5, -0], [-0, 0], [0, -0], [F32_MAX, 1], [F32_MAX, -1], [-F32_MAX, 1], [1.401298464324817e-45, 1.401298464324817e-45],
  [TINY, -TINY], [-1e10, 1e-10], [1e19, 1e-30], [2, 0.5], [1, -0.75], [0.7, -0.3], [-0.25, 0.125], [0.49999997, 1e-7],
];

/** The float64 chain and the bound of an f32 evaluation op by op (each op rounded once, subnormals maybe flushed). */
function reference(x: number, y: number): { want: number; bound: number } {
  const A = x - 0.5;
  const B = 1.5 * A;
  const C = B + y;
  const D = C * C;
  const E = D * y;
  const want = Number.isNaN(E) ? NaN : Math.max(E, 0);
  if (!Number.isFinite(want)) return { want, bound: 0 };
  // A result past f32's range is +Inf in f32 (a negative one is 0 after the max, whatever overflowed on the way).
  if (want > F32_MAX * (1 + 8 * U)) return { want: Infinity, bound: 0 };
  // First-order forward errors with each rounding (|δ| ≤ u) and each flush (≤ TINY) counted.
  const eb = 2.01 * U * Math.abs(B) + 2.5 * TINY;
  const ec = eb + U * (Math.abs(C) + eb) + TINY;
  const ed = (2 * Math.abs(C) + ec) * ec + U * (Math.abs(C) + ec) ** 2 + TINY;
  const ee = Math.abs(y) * ed + U * (D + ed) * Math.abs(y) + TINY;
  return { want, bound: ee * 1.001 };
}

function expectChain(what: string, x: ArrayLike<number>, y: ArrayLike<number>, got: ArrayLike<number>): void {
  expect(got.length, what).toBe(x.length);
  for (let i = 0; i < x.length; i++) {
    const { want, bound } = reference(x[i] ?? NaN, y[i] ?? NaN);
    const g = got[i] ?? NaN;
    const ok = Number.isNaN(want) ? Number.isNaN(g) : !Number.isFinite(want) ? g === want : Math.abs(g - want) <= bound;
    if (!ok) expect.fail(`${what}: element ${String(i)} (x ${String(x[i])}, y ${String(y[i])}): got ${String(g)}, expected ${String(want)} ± ${String(bound)}`);
  }
}

const edgeX = Float32Array.from(EDGES, ([x]) => x);
const edgeY = Float32Array.from(EDGES, ([, y]) => y);

function chainOp(): BenchOp {
  const op = benchOp('chain');
  if (op === undefined) throw new Error('no chain op');
  return op;
}

/** The kernel labels of one profiled run of the GPU chain on the device, with fusion on or off, and its values. */
async function gpuChain(device: GpuDevice, fuse: boolean, xh: Float32Array, yh: Float32Array): Promise<{ labels: string[]; values: Float32Array }> {
  using x = device.array(xh);
  using y = device.array(yh);
  const p = await device.profile(() => withFusion(device, fuse, () => benchChain(x, y)));
  using r = p.result;
  return { labels: p.kernels.map((k) => k.label), values: (await r.toArray()) as Float32Array };
}

describe('the chain bench op', () => {
  it('is listed, its CPU loop computes the chain within the f32 bound on edge inputs', () => {
    expect(benchOps().map((o) => o.name)).toContain('chain');
    const out = new Float32Array(edgeX.length);
    chainLoop(edgeX, edgeY, out);
    expectChain('cpu-1t', edgeX, edgeY, out);
    // The loop over a range leaves the rest alone.
    const part = new Float32Array(edgeX.length).fill(7);
    chainLoop(edgeX, edgeY, part, 2, 5);
    expect([part[0], part[1], part[5]]).toEqual([7, 7, 7]);
    expectChain('cpu-1t [2, 5)', edgeX.subarray(2, 5), edgeY.subarray(2, 5), part.subarray(2, 5));
  });

  it('runs at 2^10, 2^14, 2^18 and 2^22 in the default and --quick sweeps, at explicit sizes as given', () => {
    const op = chainOp();
    const want = [2 ** 10, 2 ** 14, 2 ** 18, 2 ** 22];
    expect(sizesFor(op, parseSizes(DEFAULT_SIZES), false)).toEqual(want);
    expect(sizesFor(op, parseSizes(QUICK_SIZES), false)).toEqual(want);
    expect(sizesFor(op, parseSizes('2^11..2^15'), false)).toEqual([2 ** 11, 2 ** 15]);
    expect(sizesFor(op, parseSizes('2^10..2^24'), true)).toHaveLength(15);
    // Past the cap only: the smallest size.
    expect(sizesFor(op, [2 ** 23, 2 ** 24], false)).toEqual([2 ** 23]);
    // The other ops keep every default size up to their cap, as before.
    expect(sizesFor(benchOp('sum') as BenchOp, parseSizes(DEFAULT_SIZES), false)).toEqual(parseSizes(DEFAULT_SIZES));
  });

  it.runIf(wasmInstalled())('cpu-wasm (TF.js, op by op) computes the chain within the f32 bound on edge inputs', async () => {
    const w = await loadWasmCpu();
    if ('unavailable' in w) return expect.fail(w.unavailable);
    expectChain('cpu-wasm', edgeX, edgeY, w.chain(edgeX, edgeY));
    expect(w.chain(new Float32Array(0), new Float32Array(0))).toHaveLength(0);
  });

  gpuTest('fused and unfused, the GPU computes the chain within the f32 bound, on edge inputs and the bench\'s own', async ({ device }) => {
    const dawn = device.info.engine === 'dawn';
    const before = device.backend.fusion;
    for (const fuse of [true, false]) {
      const { labels, values } = await gpuChain(device, fuse, edgeX, edgeY);
      expectChain(`gpu, fusion ${fuse ? 'on' : 'off'}`, edgeX, edgeY, values);
      if (!dawn) continue; // kernel labels are checked on Dawn, the engine of the gpu-* contenders
      // 23 elements: a vec4 kernel and its scalar tail per chain (fused: one chain; unfused: one per op).
      const ops = labels.map((l) => l.split('|')[1]);
      if (fuse) {
        expect(new Set(ops)).toEqual(new Set(['fused(sub,mul,add,square,mul,maximum)']));
        expect(labels.length).toBeLessThanOrEqual(2);
      } else {
        expect(new Set(ops)).toEqual(new Set(['sub', 'mul', 'add', 'square', 'maximum']));
        expect(ops.filter((o) => o === 'mul')).toHaveLength(2 * ops.filter((o) => o === 'sub').length); // mul and multiply
      }
    }
    // The device's own setting is back after each run.
    expect(device.backend.fusion).toBe(before);
    // op.once: the fused GPU path on the bench's own inputs (1 element; 4099: past a multiple of 4, so a vec4
    // kernel's scalar tail runs too).
    const op = chainOp();
    if (op.once === undefined) return expect.fail('chain has no once()');
    for (const n of [1, 7, 4099]) {
      const [x, y] = op.hostInputs(n);
      if (x === undefined || y === undefined) return expect.fail('two inputs');
      expect([x.length, y.length]).toEqual([n, n]);
      expectChain(`once at ${String(n)}`, x, y, await op.once(device, n));
    }
    op.release();
  });

  gpuTest('its contenders: gpu-kernel and gpu-e2e run one fused kernel, the -unfused pair one kernel per op', async ({ device }) => {
    const op = chainOp();
    const env: BenchEnv = { device, pool: { size: 1 } as unknown as CpuPool };
    const contenders = op.contenders(env);
    expect(contenders.map((c) => `${c.name}:${c.role}`)).toEqual(['cpu-1t:cpu-1t', 'gpu-kernel:gpu-kernel', 'gpu-e2e:gpu-e2e', 'gpu-kernel-unfused:gpu-kernel', 'gpu-e2e-unfused:gpu-e2e']);
    if (device.info.engine !== 'dawn') return; // the gpu-* contenders run WGSL (contendersOf leaves them out on gpujs)
    // Every profile on the device (the kernel contenders profile themselves; the e2e ones are profiled here).
    const seen: string[][] = [];
    const real = device.profile.bind(device);
    const spy = async <T,>(fn: () => Promise<T> | T) => {
      const p = await real(fn);
      seen.push(p.kernels.map((k) => k.label));
      return p;
    };
    Object.defineProperty(device, 'profile', { value: spy, configurable: true, writable: true });
    const n = 4096;
    try {
      for (const c of contenders.filter((x) => x.role.startsWith('gpu-'))) {
        await c.setup(n);
        try {
          seen.length = 0;
          const r = c.role === 'gpu-kernel' ? await c.run() : await device.profile(() => c.run());
          if (c.role === 'gpu-kernel') {
            expect(isMeasured(r), c.name).toBe(true);
            if (isMeasured(r) && device.info.features.includes('timestamp-query')) expect(r.measuredMs, c.name).toBeGreaterThan(0);
          }
          const labels = (seen[0] ?? []).filter((l) => l.startsWith('elementwise'));
          if (c.name.endsWith('-unfused')) {
            // One kernel per op (4096 elements: vec4, no tail), in whatever order the profile lists them.
            expect(labels.map((l) => l.split('|')[1]).sort(), c.name).toEqual(['add', 'maximum', 'mul', 'mul', 'square', 'sub']);
          } else {
            expect(labels, c.name).toHaveLength(1);
            expect(labels[0], c.name).toMatch(/\|fused\(sub,mul,add,square,mul,maximum\)\|/);
          }
        } finally {
          await c.teardown();
        }
      }
    } finally {
      delete (device as unknown as { profile?: unknown }).profile;
      op.release();
    }
    // Only the fused gpu-e2e gives the op's phase breakdown; no stream contender.
    expect(contenders.filter((c) => c.phases !== undefined).map((c) => c.name)).toEqual(['gpu-e2e']);
  });
});

describe('the chain op in the report', () => {
  // Made-up lines (α ms, β ms per element) of a software adapter: fusion moves the kernel-only crossover
  // with cpu-1t from 2^14 down to 2^11 or so; end to end neither wins.
  const lines: Record<string, [string, number, number]> = {
    'cpu-1t': ['cpu-1t', 0.001, 3e-6],
    'gpu-kernel': ['gpu-kernel', 0.08, 1.5e-6],
    'gpu-e2e': ['gpu-e2e', 0.6, 6e-6],
    'gpu-kernel-unfused': ['gpu-kernel', 0.4, 9e-6],
    'gpu-e2e-unfused': ['gpu-e2e', 1.1, 16e-6],
  };
  const sizes = [2 ** 10, 2 ** 12, 2 ** 14, 2 ** 16, 2 ** 18];
  const op: BenchOp = {
    name: 'chain',
    summary: 'synthetic chain',
    unit: 'element',
    work: (n) => n,
    bytes: (n) => 12 * n,
    flops: (n) => 6 * n,
    transfer: (n) => ({ upload: 8 * n, download: 4 * n }),
    contenders: () => [],
    hostInputs: () => [],
    release: () => undefined,
  };
  const cells: Cell[] = Object.entries(lines).flatMap(([name, [, a, b]]) =>
    sizes.map((n) => {
      const t = a + b * n;
      const s = [t * 0.97, t, t * 1.05];
      return { op: 'chain', contender: name, n, w: n, samplesMs: s, stats: summarize(s) };
    }),
  );
  const report = buildReport({
    info: syntheticInfo(),
    calibration: syntheticCalibration(),
    measurements: [
      {
        op,
        sizes,
        contenders: Object.entries(lines).map(([name, [role]]) => ({ name, role: role as 'cpu-1t', method: `method of ${name}` })),
        cells,
        phases: sizes.map((n) => ({ n, runs: 1, upload: (8 * n) / 12e6, kernel: 0.08 + 1.5e-6 * n, download: 0.05, host: 0.3, wall: 0.6 })),
      },
    ],
    settings: { ...DEFAULT_SETTINGS, quick: false },
    command: 'gpukit bench chain',
    durationS: 1,
  });
  const chain = report.ops[0] as OpReport;

  it('compares the fused and the unfused GPU lines with the CPU, and says where fusion moves the crossover', () => {
    expect(chain.comparisons.map((c) => `${c.gpu}/${c.cpu}`)).toEqual(['gpu-kernel/cpu-1t', 'gpu-e2e/cpu-1t', 'gpu-kernel-unfused/cpu-1t', 'gpu-e2e-unfused/cpu-1t']);
    expect((chain.best ?? []).map((c) => c.gpu)).toEqual(['gpu-kernel', 'gpu-e2e', 'gpu-kernel-unfused', 'gpu-e2e-unfused']);
    const [kernel, e2e] = chain.fusion ?? [];
    expect(chain.fusion).toHaveLength(2);
    expect(kernel).toMatchObject({ role: 'gpu-kernel', fused: 'gpu-kernel', unfused: 'gpu-kernel-unfused', cpu: 'cpu-1t' });
    // Fused: α_g + β_g n = α_c + β_c n at n = (0.08 − 0.001) / (3e-6 − 1.5e-6) ≈ 52 667 ≈ 2^15.7; unfused: never (β 9e-6 > 3e-6).
    if (kernel?.fusedCrossover.kind !== 'crosses') return expect.fail(`fused kernel crossover ${JSON.stringify(kernel?.fusedCrossover)}`);
    expect(kernel.fusedCrossover.n).toBeCloseTo(0.079 / 1.5e-6, -2);
    expect(kernel.unfusedCrossover.kind).toBe('never');
    expect(kernel.fusedMeasured).toEqual({ kind: 'crosses', n: 2 ** 16 });
    expect(kernel.unfusedMeasured).toEqual({ kind: 'never' });
    expect(e2e).toMatchObject({ role: 'gpu-e2e', fused: 'gpu-e2e', unfused: 'gpu-e2e-unfused' });
    // The fused contender's speedup over the unfused one: the ratio of the two medians at each size.
    kernel.speedups.forEach(({ n, speedup }) => { expect(speedup).toBeCloseTo((0.4 + 9e-6 * n) / (0.08 + 1.5e-6 * n), 9); });
    expect(report.methods['fusion']).toMatch(/unfused median \/ fused median/);
  });

  it('prints it in the table and the HTML, and its JSON reads back through gpukit compare', () => {
    const text = formatTable(report);
    expect(text).toMatch(/gpu-kernel-unfused vs cpu-1t: +crossover never/);
    expect(text).toMatch(/fusion, kernel-only vs best CPU \(cpu-1t\): crossover fused 2\^15\.7 \(measured by 2\^16\), unfused never \(measured never\)/);
    expect(text).toMatch(/fusion, end-to-end vs best CPU \(cpu-1t\)/);
    expect(fusionLines(chain)[1]).toMatch(/^ {4}fused over unfused \(unfused median \/ fused median\): 2\^10 5\.\d\d× · /);
    expect(formatHtml(report)).toContain('Where fusion moves the crossover');
    const back = checkReport(JSON.parse(formatJson(report)));
    if (typeof back === 'string') return expect.fail(back);
    expect(back.ops[0]?.fusion?.[0]?.fusedCrossover.kind).toBe('crosses');
    // compare reads every comparison, the unfused ones included.
    expect(compareReports(back, back).crossovers).toBe(4);
    // An op without unfused twins has no fusion entry.
    expect(syntheticReport().ops[0]?.fusion).toBeUndefined();
  });
});

// The child sees the engine this process sees (the same environment): Dawn in the Dawn pass, gpu.js where Dawn is hidden.
gpuTest('gpukit bench chain --quick runs through the CLI entry: the fused and unfused lines and the fusion lines', async ({ device }) => {
  const dawn = device.info.engine === 'dawn';
  const dir = mkdtempSync(join(tmpdir(), 'gpukit-chain-'));
  const json = join(dir, 'c.json');
  const env = { ...process.env, XDG_RUNTIME_DIR: process.env['XDG_RUNTIME_DIR'] ?? dir };
  const { stdout } = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'bench', 'chain', '--quick', '--sizes', '2^10,2^14', '--no-progress', '--json', json], { env, timeout: 60_000 });
  expect(stdout).toMatch(/chain — six elementwise ops/);
  const j = JSON.parse(readFileSync(json, 'utf8')) as { ops: { name: string; contenders: { name: string; points: unknown[] }[]; fusion?: { fused: string; unfused: string }[] }[] };
  expect(j.ops.map((o) => o.name)).toEqual(['chain']);
  const names = j.ops[0]?.contenders.map((c) => c.name) ?? [];
  if (dawn) {
    expect(names.filter((c) => c.startsWith('gpu-'))).toEqual(['gpu-kernel', 'gpu-e2e', 'gpu-kernel-unfused', 'gpu-e2e-unfused']);
    expect(j.ops[0]?.fusion?.map((f) => `${f.fused}/${f.unfused}`)).toEqual(['gpu-kernel/gpu-kernel-unfused', 'gpu-e2e/gpu-e2e-unfused']);
    expect(stdout).toMatch(/gpu-kernel-unfused vs cpu-1t:/);
    expect(stdout).toMatch(/fusion, kernel-only vs best CPU/);
  } else {
    // gpujs: no WGSL contenders, so no fused/unfused pair; the CPU ran.
    expect(names.some((c) => c.startsWith('gpu-'))).toBe(false);
    expect(j.ops[0]?.fusion).toBeUndefined();
  }
  expect(names).toContain('cpu-1t');
  for (const c of j.ops[0]?.contenders ?? []) expect(c.points).toHaveLength(2);
}, 90_000);
