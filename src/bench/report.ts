/** The bench's outputs: terminal table, JSON, CSV and a self-contained HTML report with SVG charts. */
import { describeCrossover, type BenchReport, type BestComparison, type Comparison, type FusionShift, type OpReport } from './analyze.js';
import { describeCpuLabel, type CpuLabel } from './contender.js';
import { engineTraits } from '../device/engines.js';
import * as fmt from './format.js';
import { esc, logLogChart, type Series } from './svg.js';

export const COLORS: Readonly<Record<string, string>> = {
  'cpu-1t': '#1f77b4',
  'cpu-pool': '#2ca02c',
  'cpu-wasm': '#6a3d9a',
  'gpu-kernel': '#d62728',
  'gpu-e2e': '#ff7f0e',
  'gpu-stream': '#bcbd22',
  'gpu-kernel-unfused': '#f08080',
  'gpu-e2e-unfused': '#ffbb78',
};
const EXTRA = ['#9467bd', '#8c564b', '#e377c2', '#17becf'];

function color(name: string, i: number): string {
  return COLORS[name] ?? EXTRA[i % EXTRA.length] ?? '#000';
}

function pad(s: string, w: number): string {
  return s.length >= w ? s : s + ' '.repeat(w - s.length);
}

function calibrationLine(r: BenchReport): string {
  const c = r.calibration;
  const na = (k: keyof typeof c, f: (v: number) => string): string => (c[k].applicable === false ? 'n/a' : f(c[k].value));
  const line = `ceilings: copy ${na('bandwidth', fmt.gbps)} · FMA ${na('flops', (v) => `${v.toFixed(1)} GFLOP/s`)} · dispatch round trip ${na('dispatch', fmt.ms)} · upload ${na('upload', fmt.gbps)} · download ${na('download', fmt.gbps)}`;
  return engineTraits(r.adapter.engine).runsWgsl ? line : `${line} (${r.adapter.engine ?? ''} engine: no WGSL calibration kernels; upload and download are host copies)`;
}

/** Above this p10–p90 spread of the reference jobs, the report warns that the machine was not steady. */
export const UNSTEADY = 1.15;

/** How steady the machine was, in one line (empty for reports without the noise probes). */
export function noiseLine(r: BenchReport): string {
  const z = r.noise;
  if (z === undefined || z.probes.length === 0) return '';
  const line = `machine steadiness over ${String(z.probes.length)} probes: a fixed reference job varied ${fmt.times(z.oneThread.spread)} on one thread and ${fmt.times(z.allCores.spread)} on all cores (p90/p10; max/min ${fmt.times(z.oneThread.maxOverMin)} and ${fmt.times(z.allCores.maxOverMin)})`;
  const worst = Math.max(z.oneThread.spread, z.allCores.spread);
  return worst > UNSTEADY ? `${line}\n!! the machine's own speed moved by ${fmt.times(worst)} during the sweep: another run may differ by as much, whatever the ops do` : line;
}

/**
 * What every CPU contender of the report runs on (library, version, SIMD, threads), one line each, and why
 * cpu-wasm is absent when it is.
 *
 * @example cpuLabelLines(report) // ['CPU contenders:', '  cpu-wasm  TensorFlow.js wasm backend … 4.22.0, SIMD on, 1 thread (…)']
 */
export function cpuLabelLines(r: BenchReport): string[] {
  const seen = new Map<string, string>();
  for (const op of r.ops) for (const c of op.contenders) if (c.label !== undefined && !seen.has(c.name)) seen.set(c.name, describeCpuLabel(c.label));
  const lines = [...seen.entries()].map(([name, l]) => `  ${pad(name, 10)}${l}`);
  if (r.cpuWasm !== undefined && 'unavailable' in r.cpuWasm) lines.push(`  ${pad('cpu-wasm', 10)}${r.cpuWasm.unavailable}`);
  return lines.length === 0 ? [] : ['CPU contenders:', ...lines];
}

/** Which CPU contender was fastest at each size, as `2^10 cpu-1t · 2^12 cpu-wasm …` (runs of one name shortened). */
export function bestCpuLine(b: BestComparison): string {
  const runs: { from: number; to: number; name: string }[] = [];
  for (const x of b.bestCpu) {
    const last = runs.at(-1);
    if (last !== undefined && last.name === x.name) last.to = x.n;
    else runs.push({ from: x.n, to: x.n, name: x.name });
  }
  return runs.map((x) => `${x.from === x.to ? fmt.pow2(x.from) : `${fmt.pow2(x.from)}–${fmt.pow2(x.to)}`} ${x.name}`).join(' · ');
}

function comparisonLine(cmp: Comparison, first: number, who: string): string {
  const m = cmp.measuredCrossover;
  const meas = m.kind === 'crosses' ? `by ${fmt.pow2(m.n)}` : m.kind;
  const sat = cmp.saturationN === null ? '—' : cmp.saturationN <= first ? `≤ ${fmt.pow2(first)}` : fmt.pow2(cmp.saturationN);
  return `  ${pad(`${cmp.gpu} vs ${who}:`, 26)} crossover ${pad(describeCrossover(cmp.crossover), 20)} measured ${pad(meas, 9)} asymptote ${pad(fmt.times(cmp.asymptoticSpeedup), 7)} 90 % of it at ${sat}`;
}

const measuredText = (m: Comparison['measuredCrossover']): string => (m.kind === 'crosses' ? `by ${fmt.pow2(m.n)}` : m.kind);

/** What a fused/unfused pair times: kernel-only or end-to-end. */
const fusionWhat = (f: FusionShift): string => (f.role === 'gpu-kernel' ? 'kernel-only' : f.role === 'gpu-e2e' ? 'end-to-end' : f.fused);

/**
 * Where fusion moves the crossover, for an op whose GPU contenders ran with fusion on and off (chain): per
 * pair, the fused and unfused crossovers against the best CPU contender (fitted, then measured), and the
 * fused contender's speedup over the unfused one at each size.
 *
 * @example fusionLines(op) // ['  fusion, kernel-only vs best CPU (cpu-1t): crossover fused 2^12 (measured by 2^12), unfused 2^18 (measured by 2^18)', '    fused over unfused …: 2^10 1.10× · …']
 */
export function fusionLines(op: OpReport): string[] {
  return (op.fusion ?? []).flatMap((f) => [
    `  fusion, ${fusionWhat(f)} vs best CPU (${f.cpu}): crossover fused ${describeCrossover(f.fusedCrossover)} (measured ${measuredText(f.fusedMeasured)}), unfused ${describeCrossover(f.unfusedCrossover)} (measured ${measuredText(f.unfusedMeasured)})`,
    `    fused over unfused (unfused median / fused median): ${f.speedups.map((x) => `${fmt.pow2(x.n)} ${fmt.times(x.speedup)}`).join(' · ')}`,
  ]);
}

/** The terminal table. */
/**
 * When a run measured both `add` and `add-bcast`: the broadcast add's median time over the contiguous add's
 * at each size both ran, kernel-only and end to end (the issue's target: within 1.2× kernel-only). Both ops
 * ran in this process on this adapter, one after the other (not interleaved: bench/targets.ts interleaves).
 *
 * @example broadcastRatioLines(report.ops) // ['add-bcast / add (goal ≤ 1.20× kernel-only):', '  2^20  kernel-only 0.95×  end-to-end 1.02×']
 */
export function broadcastRatioLines(ops: readonly OpReport[]): string[] {
  const a = ops.find((o) => o.name === 'add');
  const b = ops.find((o) => o.name === 'add-bcast');
  if (a === undefined || b === undefined) return [];
  const median = (o: OpReport, role: string, n: number): number | undefined => o.contenders.find((c) => c.role === role)?.points.find((p) => p.n === n)?.medianMs;
  const lines: string[] = [];
  for (const n of b.sizes.filter((x) => a.sizes.includes(x))) {
    const cells = (['gpu-kernel', 'gpu-e2e'] as const).map((role) => {
      const [mb, ma] = [median(b, role, n), median(a, role, n)];
      return `${role === 'gpu-kernel' ? 'kernel-only' : 'end-to-end'} ${mb === undefined || ma === undefined ? '—' : `${(mb / ma).toFixed(2)}×`}`;
    });
    lines.push(`  ${pad(fmt.pow2(n), 9)}${cells.join('  ')}`);
  }
  return lines.length === 0 ? [] : ['add-bcast / add, median time over median time (goal ≤ 1.20× kernel-only):', ...lines];
}

/**
 * Per op with a gpu-stream contender: its median against gpu-e2e's at each size with a phase breakdown, and
 * how much of the end-to-end transfer time it hid, (e2e − stream) / (upload + download). Both contenders
 * ran interleaved in the same sweep.
 *
 * @example streamLines(report.ops) // ['gpu-stream vs gpu-e2e ...', '  add  2^24  e2e 165 ms  stream 104 ms  0.63×  transfers 120 ms  hidden 51 %']
 */
export function streamLines(ops: readonly OpReport[]): string[] {
  const lines: string[] = [];
  for (const op of ops) {
    for (const p of op.stream ?? []) {
      lines.push(`  ${pad(op.name, 14)}${pad(fmt.pow2(p.n), 7)}e2e ${pad(fmt.ms(p.e2eMs), 11)}stream ${pad(fmt.ms(p.streamMs), 11)}${pad(`${(p.streamMs / p.e2eMs).toFixed(2)}×`, 8)}transfers ${pad(fmt.ms(p.transferMs), 11)}hidden ${(100 * p.hidden).toFixed(0)} %`);
    }
  }
  return lines.length === 0 ? [] : ['gpu-stream vs gpu-e2e, medians (hidden = (e2e − stream) / (upload + download of the e2e run)):', ...lines];
}

export function formatTable(r: BenchReport): string {
  const lines: string[] = [];
  lines.push(`gpukit bench — ${r.adapter.description}${r.runtime !== undefined ? ` · runtime ${r.runtime.name} ${r.runtime.version}` : ''}`);
  if (r.adapter.softwareLabel !== undefined) lines.push(`!! ${r.adapter.softwareLabel}`);
  if (r.interrupted !== undefined) lines.push(`!! partial report: ${r.interrupted}`);
  lines.push(calibrationLine(r));
  const steady = noiseLine(r);
  if (steady !== '') lines.push(steady);
  lines.push(...cpuLabelLines(r));
  for (const op of r.ops) {
    lines.push('');
    lines.push(`${op.name} — ${op.summary}`);
    const names = op.contenders.map((c) => c.name);
    lines.push(`  ${pad('n', 9)}${names.map((n) => pad(n + ' median [p10–p90]', 30)).join('')}`);
    for (const n of op.sizes) {
      const cells = op.contenders.map((c) => {
        const p = c.points.find((x) => x.n === n);
        return pad(p === undefined ? '—' : `${fmt.ms(p.medianMs)} [${fmt.ms(p.p10Ms).replace(/ .*/, '')}–${fmt.ms(p.p90Ms)}]`, 30);
      });
      lines.push(`  ${pad(fmt.pow2(n), 9)}${cells.join('')}`);
    }
    lines.push(`  ${pad('fit α', 9)}${op.contenders.map((c) => pad(fmt.ms(c.fit.alphaMs), 30)).join('')}`);
    lines.push(`  ${pad('ns/' + (op.unit === 'element' ? 'el' : 'FMA'), 9)}${op.contenders.map((c) => pad(fmt.nsPer(c.fit.nsPerUnit / 1e6), 30)).join('')}`);
    for (const c of op.contenders) lines.push(`  ${pad(`residuals ${c.name}:`, 26)} ${c.points.map((p) => `${p.residual >= 0 ? '+' : ''}${(100 * p.residual).toFixed(0)}%`).join(' ')}`);
    const first = op.sizes[0] ?? 1;
    const best = op.best ?? [];
    if (best[0] !== undefined) lines.push(`  best CPU by size: ${bestCpuLine(best[0])}`);
    for (const cmp of best) lines.push(comparisonLine(cmp, first, `best CPU (${cmp.cpu})`));
    for (const cmp of op.comparisons) lines.push(comparisonLine(cmp, first, cmp.cpu));
    lines.push(...fusionLines(op));
    if (op.roofline !== null) {
      const rl = op.roofline;
      lines.push(`  roofline at ${fmt.pow2(rl.n)}: ${Number.isFinite(rl.intensity) ? rl.intensity.toFixed(3) : '∞'} FLOP/B (${rl.bound}-bound): ${fmt.gbps(rl.achievedGBps)} = ${rl.pctOfBandwidth.toFixed(0)} % of copy bandwidth, ${rl.achievedGflops.toFixed(2)} GFLOP/s = ${rl.pctOfFlops.toFixed(1)} % of FMA rate`);
    }
    if (op.unmeasured !== undefined) lines.push(`  no GPU comparison: ${op.unmeasured}`);
    lines.push(`  why (kernel): ${op.why.kernel}`);
    lines.push(`  why (end-to-end): ${op.why.e2e}`);
  }
  const ratios = broadcastRatioLines(r.ops);
  if (ratios.length > 0) lines.push('', ...ratios);
  const streams = streamLines(r.ops);
  if (streams.length > 0) lines.push('', ...streams);
  lines.push('');
  lines.push(`${r.durationS.toFixed(1)} s · gpukit ${r.versions['gpukit'] ?? ''} · ${r.runtime !== undefined && r.runtime.name !== 'node' ? `${r.runtime.name} ${r.runtime.version} (node ${r.versions['node'] ?? ''} compat)` : `node ${r.versions['node'] ?? ''}`} · webgpu ${r.versions['webgpu'] ?? ''} · tinybench ${r.versions['tinybench'] ?? ''}`);
  return lines.join('\n');
}

export function formatJson(r: BenchReport): string {
  return JSON.stringify(r, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2);
}

export const CSV_HEADER = 'op,contender,n,work,median_ms,p10_ms,p90_ms,samples,fit_ms,residual,adapter,software';

export function formatCsv(r: BenchReport): string {
  const q = (s: string): string => `"${s.replace(/"/g, '""')}"`;
  const rows = [CSV_HEADER];
  for (const op of r.ops) {
    for (const c of op.contenders) {
      for (const p of c.points) {
        rows.push([op.name, c.name, p.n, p.w, p.medianMs, p.p10Ms, p.p90Ms, p.samples, p.fitMs, p.residual, q(r.adapter.description), r.adapter.isSoftware].join(','));
      }
    }
  }
  return rows.join('\n') + '\n';
}

function label(r: BenchReport): string | undefined {
  return r.adapter.softwareLabel !== undefined ? 'software adapter (CPU-emulated), not GPU hardware' : undefined;
}

/** Time vs n, log-log: every contender's medians with p10–p90 bars and its fitted line. */
export function timeChart(r: BenchReport, op: OpReport): string {
  const series: Series[] = op.contenders.map((c, i) => {
    const lo = Math.min(...op.sizes);
    const hi = Math.max(...op.sizes);
    const line = Array.from({ length: 41 }, (_v, k) => {
      const n = lo * (hi / lo) ** (k / 40);
      const w = op.unit === 'multiply-add' ? n ** 1.5 : n;
      return { x: n, y: c.fit.alphaMs + (c.fit.nsPerUnit / 1e6) * w };
    });
    return { name: c.name, color: color(c.name, i), points: c.points.map((p) => ({ x: p.n, y: p.medianMs, lo: p.p10Ms, hi: p.p90Ms })), line, dashed: true };
  });
  const sub = label(r);
  return logLogChart({
    title: `${op.name}: time vs n (dashed: fit α + β·${op.unit === 'element' ? 'n' : 'N³'})`,
    ...(sub !== undefined ? { subtitle: `${r.adapter.description.split(' (')[0] ?? ''} — ${sub}` } : {}),
    xLabel: op.unit === 'element' ? 'n (elements)' : 'n = N² (elements per matrix)',
    yLabel: 'time per call (ms)',
    series,
  });
}

/** Speedup vs n of each GPU contender over each CPU baseline and over the best CPU at each size, with the fitted crossovers marked. */
export function speedupChart(r: BenchReport, op: OpReport): string {
  const bests = (op.best ?? []).map((c) => ({
    name: `${c.gpu} / best CPU at each size`,
    color: c.gpu === 'gpu-kernel' ? '#7f0000' : '#000000',
    points: c.speedups.map((s) => ({ x: s.n, y: s.speedup })),
    line: c.speedups.map((s) => ({ x: s.n, y: s.speedup })),
  }));
  const series: Series[] = [...bests, ...op.comparisons.map((c, i) => ({
    name: `${c.gpu} / ${c.cpu}`,
    color: ['#d62728', '#9467bd', '#ff7f0e', '#8c564b', '#17becf', '#e377c2'][i % 6] ?? '#000',
    points: c.speedups.map((s) => ({ x: s.n, y: s.speedup })),
    line: c.speedups.map((s) => ({ x: s.n, y: s.speedup })),
    dashed: c.cpu !== 'cpu-1t',
  }))];
  const markers = op.comparisons.flatMap((c, i) =>
    c.crossover.kind === 'crosses' && !c.crossover.extrapolated ? [{ x: c.crossover.n, label: `${c.gpu.replace('gpu-', '')}×${c.cpu.replace('cpu-', '')}`, color: ['#d62728', '#9467bd', '#ff7f0e', '#8c564b'][i % 4] ?? '#000' }] : [],
  );
  const sub = label(r);
  return logLogChart({
    title: `${op.name}: speedup of the GPU over the CPU (measured medians)`,
    ...(sub !== undefined ? { subtitle: sub } : {}),
    xLabel: op.unit === 'element' ? 'n (elements)' : 'n = N² (elements per matrix)',
    yLabel: 'speedup (CPU time / GPU time)',
    series,
    markers,
    hline: { y: 1, label: 'break-even: above this line the GPU is faster' },
  });
}

/** The roofline: every op's achieved GFLOP/s against its arithmetic intensity, under the calibrated ceilings. */
export function rooflineChart(r: BenchReport): string {
  const bw = r.calibration.bandwidth.value;
  const peak = r.calibration.flops.value;
  const ops = r.ops.filter((o) => o.roofline !== null && o.flopsPerUnit > 0);
  const ridge = peak / bw;
  const xs = [...ops.map((o) => o.roofline?.intensity ?? 1), ridge];
  const xmin = Math.min(...xs) / 4;
  const xmax = Math.max(...xs) * 4;
  const roof = Array.from({ length: 61 }, (_v, k) => {
    const x = xmin * (xmax / xmin) ** (k / 60);
    return { x, y: Math.min(peak, x * bw) };
  });
  const series: Series[] = [
    { name: `roof: min(${peak.toFixed(1)} GFLOP/s, I × ${bw.toFixed(1)} GB/s)`, color: '#000', points: [], line: roof, markers: false },
    ...ops.map((o, i) => ({ name: `${o.name} (${(o.roofline?.pctOfBandwidth ?? 0).toFixed(0)} % BW, ${(o.roofline?.pctOfFlops ?? 0).toFixed(1)} % FLOP)`, color: EXTRA[i % EXTRA.length] ?? '#000', points: [{ x: o.roofline?.intensity ?? 1, y: o.roofline?.achievedGflops ?? 0 }] })),
  ];
  const sub = label(r);
  return logLogChart({
    title: 'Roofline: GPU kernel (largest size) against the calibrated ceilings',
    ...(sub !== undefined ? { subtitle: sub } : {}),
    xLabel: 'arithmetic intensity (FLOP per byte of minimal memory traffic)',
    yLabel: 'GFLOP/s',
    xBase: 10,
    series,
    extra: (sx, sy) => ops.map((o) => `<text x="${sx(o.roofline?.intensity ?? 1) + 6}" y="${sy(o.roofline?.achievedGflops ?? 1) - 6}" font-size="11">${esc(o.name)}</text>`).join(''),
  });
}

/** The HTML table of the CPU contenders: library, version, SIMD, threads (and why cpu-wasm is absent). */
function cpuTable(r: BenchReport): string {
  const seen = new Map<string, CpuLabel>();
  for (const op of r.ops) for (const c of op.contenders) if (c.label !== undefined && !seen.has(c.name)) seen.set(c.name, c.label);
  const rows = [...seen.entries()].map(([name, l]) => `<tr><td>${esc(name)}</td><td>${esc(l.library)}</td><td>${esc(l.version)}</td><td>${l.simd ? 'on' : 'off'}</td><td>${String(l.threads)}</td><td class="m">${esc(l.note ?? '')}</td></tr>`);
  if (r.cpuWasm !== undefined && 'unavailable' in r.cpuWasm) rows.push(`<tr><td>cpu-wasm</td><td colspan="5" class="m">${esc(r.cpuWasm.unavailable)}</td></tr>`);
  return rows.length === 0 ? '' : `<h2>CPU contenders</h2><table><tr><th>contender</th><th>library</th><th>version</th><th>SIMD</th><th>threads</th><th>note</th></tr>${rows.join('')}</table>`;
}

/** The self-contained HTML report. */
export function formatHtml(r: BenchReport): string {
  const c = r.calibration;
  const steady = noiseLine(r);
  const warn =
    (r.adapter.softwareLabel !== undefined ? `<div class="warn"><b>CPU-emulated adapter.</b> ${esc(r.adapter.softwareLabel)}</div>` : '') +
    (r.interrupted !== undefined ? `<div class="warn"><b>Partial report.</b> ${esc(r.interrupted)}</div>` : '');
  const calRows = (['bandwidth', 'flops', 'dispatch', 'upload', 'download'] as const)
    .map((k) => `<tr><td>${k}</td><td>${c[k].applicable === false ? 'not applicable' : `${c[k].value.toFixed(k === 'dispatch' ? 3 : 2)} ${esc(c[k].unit)}`}</td><td class="m">${esc(c[k].method)}</td></tr>`)
    .join('');
  const opSections = r.ops
    .map((op) => {
      const head = `<tr><th>n</th>${op.contenders.map((x) => `<th>${esc(x.name)}<br><small>${x.label === undefined ? '' : `${esc(describeCpuLabel(x.label))}<br>`}median [p10–p90]</small></th>`).join('')}</tr>`;
      const rows = op.sizes
        .map((n) => `<tr><td>${fmt.pow2(n)}</td>${op.contenders.map((x) => {
          const p = x.points.find((q) => q.n === n);
          return `<td>${p === undefined ? '—' : `${fmt.ms(p.medianMs)} <small>[${fmt.ms(p.p10Ms)} – ${fmt.ms(p.p90Ms)}] res ${(100 * p.residual).toFixed(0)}%</small>`}</td>`;
        }).join('')}</tr>`)
        .join('');
      const fitRow = `<tr><td>fit</td>${op.contenders.map((x) => `<td>α ${fmt.ms(x.fit.alphaMs)}, β ${fmt.nsPer(x.fit.nsPerUnit / 1e6)} ns/${op.unit === 'element' ? 'el' : 'FMA'}</td>`).join('')}</tr>`;
      const cmp = [...(op.best ?? []).map((x) => ({ ...x, who: `<b>best CPU</b> (${esc(x.cpu)} at the largest size; by size: ${esc(bestCpuLine(x))})` })), ...op.comparisons.map((x) => ({ ...x, who: esc(x.cpu) }))]
        .map((x) => {
          const m = x.measuredCrossover;
          return `<tr><td>${esc(x.gpu)} vs ${x.who}</td><td>${esc(describeCrossover(x.crossover))}</td><td>${m.kind === 'crosses' ? `by ${fmt.pow2(m.n)}` : m.kind}</td><td>${fmt.times(x.asymptoticSpeedup)}</td><td>${x.saturationN === null ? '—' : fmt.pow2(Math.max(1, x.saturationN))}</td></tr>`;
        })
        .join('');
      const rl = op.roofline;
      return `<section><h2>${esc(op.name)} <small>${esc(op.summary)}</small></h2>
<table>${head}${rows}${fitRow}</table>
<table><tr><th>comparison</th><th>crossover (fit)</th><th>crossover (medians)</th><th>asymptotic speedup</th><th>90 % of asymptote at</th></tr>${cmp}</table>
${rl === null ? '' : `<p>Roofline at ${fmt.pow2(rl.n)}: intensity ${Number.isFinite(rl.intensity) ? rl.intensity.toFixed(3) : '∞'} FLOP/B, ${fmt.gbps(rl.achievedGBps)} (${rl.pctOfBandwidth.toFixed(0)} % of copy bandwidth), ${rl.achievedGflops.toFixed(2)} GFLOP/s (${rl.pctOfFlops.toFixed(1)} % of the FMA rate).</p>`}
${(op.fusion ?? []).length === 0 ? '' : `<p><b>Where fusion moves the crossover</b> (against the best CPU contender's line):</p><ul>${(op.fusion ?? []).map((f) => `<li>${esc(fusionWhat(f))} vs ${esc(f.cpu)}: fused ${esc(describeCrossover(f.fusedCrossover))} (measured ${esc(measuredText(f.fusedMeasured))}), unfused ${esc(describeCrossover(f.unfusedCrossover))} (measured ${esc(measuredText(f.unfusedMeasured))}); fused over unfused ${esc(f.speedups.map((x) => `${fmt.pow2(x.n)} ${fmt.times(x.speedup)}`).join(' · '))}</li>`).join('')}</ul>`}
${op.unmeasured === undefined ? '' : `<p class="warn">No GPU comparison: ${esc(op.unmeasured)}</p>`}
<p class="why"><b>Why (kernel-only):</b> ${esc(op.why.kernel)}<br><b>Why (end-to-end):</b> ${esc(op.why.e2e)}</p>
<div class="charts">${timeChart(r, op)}${speedupChart(r, op)}</div></section>`;
    })
    .join('\n');
  const methods = Object.entries(r.methods).map(([k, v]) => `<tr><td>${esc(k)}</td><td class="m">${esc(v)}</td></tr>`).join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>gpukit bench — ${esc(r.adapter.description)}</title>
<style>body{font-family:Helvetica,Arial,sans-serif;margin:24px;max-width:1340px;color:#222}table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 7px;font-size:13px;text-align:left;vertical-align:top}td.m{color:#555;font-size:12px}.warn{background:#fff3cd;border:2px solid #d39e00;padding:10px 14px;margin:10px 0;font-size:15px}.charts{display:flex;flex-wrap:wrap;gap:12px}.why{background:#f4f8ff;padding:8px 12px}small{color:#666}section{border-top:2px solid #ddd;margin-top:18px}</style></head><body>
<h1>gpukit bench</h1>
<p><b>Adapter:</b> ${esc(r.adapter.description)}${r.runtime !== undefined ? ` · <b>runtime:</b> ${esc(`${r.runtime.name} ${r.runtime.version}`)}` : ''} · <b>host:</b> ${esc(r.host.cpu)}, ${r.host.cores} cores · ${esc(r.createdAt)} · ${r.durationS.toFixed(0)} s · <code>${esc(r.command)}</code></p>
${warn}
${steady === '' ? '' : `<p>${esc(steady).replace('\n', '<br>')}</p>`}${cpuTable(r)}<h2>Calibrated ceilings</h2><table><tr><th>ceiling</th><th>value</th><th>method</th></tr>${calRows}</table>
${opSections}
<section><h2>Roofline</h2>${c.bandwidth.applicable === false || c.flops.applicable === false ? '<p>Not applicable: this engine has no calibrated copy and FMA ceilings (see the calibration above).</p>' : rooflineChart(r)}</section>
<section><h2>Methods</h2><table>${methods}</table><p>versions: ${esc(Object.entries(r.versions).map(([k, v]) => `${k} ${v}`).join(', '))}</p></section>
</body></html>
`;
}
