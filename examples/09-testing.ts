/**
 * Recipe 9 — Testing your GPU application: CPU vs GPU, measured fairly (the cookbook's PyOpenCL testing recipe).
 *
 * For one op — the sum of n floats — and n = 2^10 … 2^22 in powers of 4, this times:
 * - CPU:             a good single-thread typed-array loop (four accumulators; gpukit's own baseline,
 *                    src/cpu/loops.ts), not an interpreter-style loop;
 * - GPU kernel only: data already on the device, `device.profile()`'s `phases.kernel` (GPU timestamps;
 *                    without timestamp-query, the profile's wall time, and the output says so);
 * - GPU end to end:  upload the Float32Array, reduce, read the scalar back (wall clock) — what a caller
 *                    holding host data pays.
 * Medians of interleaved repetitions. It prints where the GPU starts to pay and where it stops (or
 * "never"), and the phase breakdown at the largest size, each phase with how it was measured.
 *
 * Run: npx tsx examples/09-testing.ts
 */
import { describeAdapter, openDevice, sum, type DeviceArray, type Profile } from '../src/index.js';
// gpukit's CPU baselines (the ones `gpukit bench` races against) are not part of the public API; in your
// own project, write the same four-accumulator loop.
import { sumLoop } from '../src/cpu/loops.js';

const SIZES = [2 ** 10, 2 ** 12, 2 ** 14, 2 ** 16, 2 ** 18, 2 ** 20, 2 ** 22];
const REPS = 7;

function median(v: readonly number[]): number {
  const s = [...v].sort((x, y) => x - y);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? NaN) + (s[mid] ?? NaN)) / 2;
}

const pow2 = (n: number): string => `2^${Math.log2(n).toString()}`;
const fmt = (ms: number): string => (ms < 1 ? `${(ms * 1000).toFixed(1)} µs` : `${ms.toFixed(2)} ms`);

let sink = 0; // keeps the CPU loop's result alive so the JIT cannot drop it

/** Per-call time of a fast synchronous function: calls are batched until a batch takes ≥ 2 ms. */
function timeCpu(fn: () => number): number {
  let calls = 1;
  for (;;) {
    const t0 = performance.now();
    for (let c = 0; c < calls; c++) sink += fn();
    const ms = performance.now() - t0;
    if (ms >= 2) return ms / calls;
    calls *= 2;
  }
}

await using device = await openDevice();
const software = device.info.isSoftware;
console.log(`sum of n f32: CPU loop (1 JS thread) vs gpukit sum() on ${describeAdapter(device.info)}`);
if (software) {
  console.log('NOTE: a software adapter runs the "GPU" side on this same CPU (all cores, SIMD): these are CPU-emulated figures, not GPU hardware.');
}
// Without timestamp queries the profile's kernel figure is an estimate that can miss the work (Dawn's GLES
// backend executes at submit): use the wall time of the profiled call then, which includes it.
const timestamps = device.info.features.includes('timestamp-query') && device.info.engine === 'dawn';
const kernelMs = (p: Profile): number => (timestamps ? p.phases.kernel.ms : p.phases.wall.ms);
console.log(`GPU kernel = ${timestamps ? 'GPU-timestamp time of the dispatches' : 'wall time of the profiled call (no GPU timestamps on this device)'}; GPU e2e = upload + sum + read back, wall clock`);
console.log(`medians of ${REPS} interleaved runs; this 2-core machine is shared, so expect up to 2× noise between runs`);
console.log(`${'n'.padStart(5)}  ${'CPU loop'.padStart(10)}  ${'GPU kernel'.padStart(10)}  ${'GPU e2e'.padStart(10)}  kernel/CPU  e2e/CPU`);

interface Row {
  readonly n: number;
  readonly cpu: number;
  readonly kernel: number;
  readonly e2e: number;
}
const rows: Row[] = [];
let maxRelError = 0;

for (const n of SIZES) {
  const host = new Float32Array(n);
  for (let i = 0; i < n; i++) host[i] = ((i * 7919) % 1000) / 1000;
  const expected = sumLoop(host);
  using x = device.array(host);

  // Warm both sides: JIT for the loop, pipeline compile and buffer pool for the GPU.
  timeCpu(() => sumLoop(host));
  {
    using s = sum(x);
    maxRelError = Math.max(maxRelError, Math.abs((await s.item()) - expected) / Math.max(1, Math.abs(expected)));
  }

  const cpu: number[] = [];
  const kernel: number[] = [];
  const e2e: number[] = [];
  for (let r = 0; r < REPS; r++) {
    cpu.push(timeCpu(() => sumLoop(host)));
    const p = await device.profile(() => {
      sum(x).destroy(); // the enqueued dispatches still run; only the result's memory goes back to the pool
    });
    kernel.push(kernelMs(p));
    const t0 = performance.now();
    {
      using xd: DeviceArray = device.array(host);
      using s = sum(xd);
      sink += await s.item();
    }
    e2e.push(performance.now() - t0);
  }
  const row = { n, cpu: median(cpu), kernel: median(kernel), e2e: median(e2e) };
  rows.push(row);
  console.log(`${pow2(n).padStart(5)}  ${fmt(row.cpu).padStart(10)}  ${fmt(row.kernel).padStart(10)}  ${fmt(row.e2e).padStart(10)}  ${(row.kernel / row.cpu).toFixed(2).padStart(10)}  ${(row.e2e / row.cpu).toFixed(2).padStart(7)}`);
}

/**
 * Where the GPU starts to pay: the smallest size from which it is faster at that size and every larger one
 * tried (so one lucky sample in the noise does not make a crossover). Where it stops: the first size after
 * a run of wins from which it is slower at every larger size. "never" if it never wins for good.
 */
function crossover(gpu: (r: Row) => number): string {
  const wins = rows.map((r) => gpu(r) < r.cpu);
  const largest = pow2(SIZES.at(-1) ?? 0);
  let start = wins.length;
  while (start > 0 && wins[start - 1] === true) start--;
  const first = rows[start];
  const stray = wins.slice(0, start).some((w) => w) ? '; faster at some smaller size too, within the noise' : '';
  if (first !== undefined) {
    const best = Math.max(...rows.slice(start).map((r) => r.cpu / gpu(r)));
    const range = start === rows.length - 1 ? `at n = ${largest} only, the largest size tried` : `from n = ${pow2(first.n)} up to ${largest}, the largest size tried`;
    return `pays ${range} (up to ${best.toFixed(1)}× the CPU loop${stray})`;
  }
  // Not faster at the largest size: did it win over a middle range and then stop?
  const lastWin = wins.lastIndexOf(true);
  if (lastWin === -1) return `never (the CPU loop is faster at every size from ${pow2(SIZES[0] ?? 0)} to ${largest})`;
  let from = lastWin;
  while (from > 0 && wins[from - 1] === true) from--;
  const stop = rows[lastWin + 1];
  return `never for good: faster only from ${pow2(rows[from]?.n ?? 0)} to ${pow2(rows[lastWin]?.n ?? 0)}, slower again from ${pow2(stop?.n ?? 0)} (within the noise: treat as a tie)`;
}
console.log(`crossover (kernel only): ${crossover((r) => r.kernel)}`);
console.log(`crossover (end to end):  ${crossover((r) => r.e2e)}`);

// Where the end-to-end time goes at the largest size, each phase with how it was measured (median of 3 by wall time).
const nMax = SIZES.at(-1) ?? 0;
const big = new Float32Array(nMax).fill(1);
const profiles = [];
for (let r = 0; r < 3; r++) {
  profiles.push(
    await device.profile(async () => {
      using xd = device.array(big);
      using s = sum(xd);
      return await s.item(); // await before `using` frees s
    }),
  );
}
profiles.sort((x, y) => x.phases.wall.ms - y.phases.wall.ms);
const p = profiles[1] ?? profiles[0];
if (p === undefined) throw new Error('no profile');
console.log(`phases at n = ${pow2(nMax)}, upload + sum + read back, profiled (each dispatch timed alone, so a little slower than unprofiled):`);
for (const [name, ph] of Object.entries(p.phases)) {
  const bytes = ph.bytes !== undefined && ph.bytes > 0 ? `, ${ph.bytes >= 2 ** 20 ? `${(ph.bytes / 2 ** 20).toFixed(1)} MiB` : `${ph.bytes} B`}` : '';
  console.log(`  ${name.padEnd(8)} ${fmt(ph.ms).padStart(10)}  (${ph.method}${bytes})`);
}
const last = rows.at(-1);
if (last !== undefined) {
  const bw = (n: number, ms: number): string => `${((4 * n) / ms / 1e6).toFixed(1)} GB/s`;
  console.log(
    `why: a sum does one add per 4 bytes read, so at large n both sides are limited by memory bandwidth — the loop reads ` +
      `${bw(last.n, last.cpu)}, the kernel ${bw(last.n, last.kernel)}${software ? ' (from the same RAM, on the same cores: the advantage stops growing there)' : ''}. ` +
      `At small n the GPU pays a fixed ~${fmt(rows[0]?.kernel ?? NaN)} per launch against the loop's ${fmt(rows[0]?.cpu ?? NaN)}, and end to end it also ` +
      `pays the upload and the readback round trip (${(last.e2e / last.kernel).toFixed(1)}× the kernel alone at ${pow2(last.n)}): a reduction pays on the GPU only when its data already lives there.`,
  );
}

const ok = maxRelError < 1e-5 && rows.length === SIZES.length && p.result === nMax && Number.isFinite(sink);
console.log(`check: ${ok ? 'ok' : 'FAILED'} (${SIZES.length} sizes, GPU sums match the CPU loop within ${maxRelError.toExponential(1)})`);
if (!ok) process.exitCode = 1;
