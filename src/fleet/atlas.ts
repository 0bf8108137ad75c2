/**
 * The crossover atlas (`gpukit bench --fleet`): the bench sweep published as shards (op × contiguous size
 * range) to every adapter kind's queue, where that kind's workers share them; each kind's shards merged back
 * into one ordinary bench report (fitted over all sizes of each op, as a single-process sweep is), and one
 * page across adapters: per adapter the usual report (crossovers, asymptotic speedups, roofline), and a table
 * of where each op pays on each adapter. Schema: docs/atlas-json.md.
 */
import { writeFileSync } from 'node:fs';
import { checkReport, readReport } from '../bench/compare.js';
import { readBoundedText } from '../backends/dawn/tuning.js';
import { analyzeOp, describeCrossover, type BenchReport, type OpReport } from '../bench/analyze.js';
import type { Calibration } from '../bench/calibrate.js';
import { summarizeNoise, type NoiseProbe } from '../bench/noise.js';
import { benchOp } from '../bench/ops.js';
import { parseSizes } from '../bench/run.js';
import { sizesFor, type Cell, type OpMeasurements } from '../bench/runner.js';
import { median } from '../bench/stats.js';
import { formatHtml } from '../bench/report.js';
import { esc } from '../bench/svg.js';
import * as fmt from '../bench/format.js';
import { ArgumentError, FleetJobError, InvalidFileError, UsageError } from '../errors.js';
import { Fleet } from './client.js';
import { BENCH_MODULE, type WorkerIdentity } from './protocol.js';

export const ATLAS_SCHEMA = 'gpukit-atlas/1';

/** One shard of the atlas sweep: one op over a contiguous range of its sizes. */
export interface AtlasShard {
  readonly op: string;
  readonly sizes: readonly number[];
}

/** Where one shard of a measured kind ran. */
export interface AtlasShardRun extends AtlasShard {
  /** The worker's id (`host:pid:random`). */
  readonly worker: string;
  /** Wall time of the shard on the worker, ms (its own calibration included). */
  readonly ms: number;
}

/** Sizes per shard when `--shard-sizes` is not given. */
export const DEFAULT_SHARD_SIZES = 2;

/** One adapter kind's part of the atlas: its merged report, or why it has none. */
export type AtlasAdapter =
  | {
      readonly state: 'measured';
      readonly kind: string;
      readonly queue: string;
      readonly adapter: string;
      readonly workers: readonly string[];
      /** Each shard (op × size range), in plan order, and the worker that ran it. */
      readonly shards: readonly AtlasShardRun[];
      readonly report: BenchReport;
    }
  | { readonly state: 'failed'; readonly kind: string; readonly queue: string; readonly adapter: string; readonly error: string };

/** One row of the cross-adapter table: an op's comparison on each adapter. */
export interface AtlasRow {
  readonly op: string;
  readonly comparison: string;
  /** Per adapter kind: the fitted and measured crossovers and the asymptotic speedup (absent: not measured). */
  readonly byKind: Readonly<Record<string, { readonly crossover: string; readonly measured: string; readonly asymptoticSpeedup: number }>>;
}

export interface Atlas {
  readonly schema: typeof ATLAS_SCHEMA;
  readonly createdAt: string;
  readonly command: string;
  readonly ops: readonly string[];
  readonly sizes: string;
  /** At most this many sizes per shard. */
  readonly shardSizes: number;
  readonly adapters: readonly AtlasAdapter[];
  readonly crossovers: readonly AtlasRow[];
}

/** Options of {@link runAtlas}. */
export interface AtlasOptions {
  readonly redis?: string;
  /** Ops to bench, in the order the reports list them. */
  readonly ops: readonly string[];
  /** `gpukit bench --sizes` text. */
  readonly sizes: string;
  /**
   * `sizes` is the default sweep's, not the user's: each op is cut at its own largest default size (sort and
   * matmul), as `gpukit bench` does. @default false
   */
  readonly defaultSizes?: boolean;
  /** At most this many sizes per shard: each op's sizes are cut into contiguous ranges. @default 2 */
  readonly shardSizes?: number;
  /** Fewer samples per size (`gpukit bench --quick`). @default false */
  readonly quick?: boolean;
  /** Kind queues to publish to. @default every announced kind's `gpukit.<kind>` queue */
  readonly queues?: readonly string[];
  readonly command?: string;
  /** How long to wait for every kind. @default 10 minutes */
  readonly timeoutMs?: number;
}

const NON_FINITE: Readonly<Record<string, number>> = { Infinity: Infinity, '-Infinity': -Infinity, NaN: NaN };

/** A shard's report: `formatJson` text (Redis stores JSON, where Infinity would become null), checked. */
function parseShardReport(text: unknown, where: string): BenchReport {
  const parsed: unknown = JSON.parse(String(text), reviveNonFinite);
  const r = checkReport(parsed);
  if (typeof r === 'string') throw new FleetJobError('', `${where}: not a bench report: ${r}`);
  return r;
}

/** The queues to publish to: each announced kind's own `gpukit.<kind>` queue, one per kind. */
export function kindQueues(workers: readonly WorkerIdentity[]): { kind: string; queue: string; adapter: string }[] {
  const out = new Map<string, { kind: string; queue: string; adapter: string }>();
  const unqueued: string[] = [];
  for (const w of workers) {
    const queue = `gpukit.${w.kind}`;
    if (w.queues.includes(queue)) out.set(w.kind, { kind: w.kind, queue, adapter: w.adapter });
    else unqueued.push(w.kind);
  }
  const missing = [...new Set(unqueued)].filter((k) => !out.has(k));
  if (out.size === 0) {
    throw new UsageError(
      workers.length === 0
        ? 'bench --fleet: no worker has announced itself in Redis; start some with `gpukit worker --queue gpukit,gpukit.{kind}`'
        : `bench --fleet: no worker consumes its kind queue (kinds ${missing.join(', ')}); start them with \`gpukit worker --queue gpukit,gpukit.{kind}\``,
    );
  }
  return [...out.values()].sort((a, b) => a.kind.localeCompare(b.kind));
}

/**
 * The sweep cut into shards: each op's sizes (those a single-adapter `gpukit bench` would sweep) in
 * contiguous ranges of at most `perShard` sizes, ops in the order given, sizes ascending.
 *
 * @example
 * ```ts
 * planShards(['sum'], [2 ** 10, 2 ** 12, 2 ** 14], { perShard: 2 });
 * // [{ op: 'sum', sizes: [1024, 4096] }, { op: 'sum', sizes: [16384] }]
 * ```
 */
export function planShards(ops: readonly string[], sizes: readonly number[], o: { readonly perShard: number; readonly defaultSizes?: boolean }): AtlasShard[] {
  if (!Number.isInteger(o.perShard) || o.perShard < 1) throw new ArgumentError(`bench --fleet: sizes per shard must be a positive integer, got ${String(o.perShard)}`);
  return ops.flatMap((name) => {
    const op = benchOp(name);
    if (op === undefined) throw new UsageError(`unknown op ${name}`);
    const own = sizesFor(op, [...sizes].sort((a, b) => a - b), o.defaultSizes !== true);
    const out: AtlasShard[] = [];
    for (let i = 0; i < own.length; i += o.perShard) out.push({ op: name, sizes: own.slice(i, i + o.perShard) });
    return out;
  });
}

const sameSizes = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((n, i) => n === b[i]);

/** Per ceiling, the median over the shards' calibrations (each shard calibrated its own worker's device). */
function mergeCalibration(cals: readonly Calibration[]): Calibration {
  const first = cals[0];
  if (first === undefined) throw new FleetJobError('', 'mergeShardReports: no report');
  if (cals.length === 1) return first;
  const keys = Object.keys(first) as (keyof Calibration)[];
  return Object.fromEntries(
    // A ceiling not applicable on the engine (NaN) stays as it is.
    keys.map((k) => [k, first[k].applicable === false ? first[k] : { ...first[k], value: median(cals.map((c) => c[k].value)), method: `${first[k].method}; median of the ${String(cals.length)} shards' calibrations` }]),
  ) as unknown as Calibration;
}

/**
 * Merges one adapter kind's shard reports (`reports[i]` measured `shards[i]`) into one bench report, as a
 * single-process sweep of the same ops and sizes reports it: each op's points gathered from its size ranges,
 * then fitted, compared and explained over all of them (the fits need every size of an op). The analysis uses
 * each point's median, p10, p90 and sample count, which the shard reports carry. Calibration ceilings are the
 * shards' medians; noise probes are pooled (`atS` counts from each shard's start); `durationS` is the shards'
 * total. Throws {@link FleetJobError} when a shard's report is not of its op and sizes, or when an op's sizes
 * are not covered exactly once.
 *
 * @example
 * ```ts
 * const report = mergeShardReports(plan, run.value.map((v) => parseShardReport(v.report)), 'gpukit bench --fleet sum');
 * ```
 */
export function mergeShardReports(shards: readonly AtlasShard[], reports: readonly BenchReport[], command: string): BenchReport {
  const first = reports[0];
  if (first === undefined || reports.length !== shards.length) throw new FleetJobError('', `mergeShardReports: ${String(reports.length)} reports for ${String(shards.length)} shards`);
  const byOp = new Map<string, { shard: AtlasShard; op: OpReport; index: number }[]>();
  reports.forEach((r, index) => {
    const shard = shards[index] as AtlasShard;
    const op = r.ops[0];
    if (r.ops.length !== 1 || op?.name !== shard.op || !sameSizes(op.sizes, shard.sizes)) {
      throw new FleetJobError('', `shard ${String(index)} (${shard.op} at ${shard.sizes.join(',')}): its report measured ${r.ops.map((x) => `${x.name} at ${x.sizes.join(',')}`).join('; ') || 'nothing'}`);
    }
    byOp.set(shard.op, [...(byOp.get(shard.op) ?? []), { shard, op, index }]);
  });
  const calibration = mergeCalibration(reports.map((r) => r.calibration));
  const ops = [...byOp.entries()].map(([name, parts]) => {
    const bench = benchOp(name);
    if (bench === undefined) throw new FleetJobError('', `op ${name}: this build of gpukit has no such bench op, so it cannot fit it`);
    const sizes = parts.flatMap((p) => p.op.sizes).sort((a, b) => a - b);
    const twice = sizes.find((n, i) => sizes[i - 1] === n);
    if (twice !== undefined) throw new FleetJobError('', `op ${name}: size ${String(twice)} measured by more than one shard`);
    // Each contender as the first shard ran it, its CPU label (library, version, SIMD, threads) included.
    const contenders = (parts[0] as { op: OpReport }).op.contenders.map((c) => ({ name: c.name, role: c.role as OpMeasurements['contenders'][number]['role'], method: c.method, ...(c.label !== undefined ? { label: c.label } : {}) }));
    const names = contenders.map((c) => c.name).join(',');
    const cells: Cell[] = [];
    for (const p of parts) {
      if (p.op.contenders.map((c) => c.name).join(',') !== names) {
        throw new FleetJobError('', `op ${name}: shard ${String(p.index)} ran contenders ${p.op.contenders.map((c) => c.name).join(',')}, shard ${String(parts[0]?.index)} ran ${names} (workers of different gpukit versions?)`);
      }
      for (const c of p.op.contenders) {
        for (const x of c.points) cells.push({ op: name, contender: c.name, n: x.n, w: x.w, samplesMs: [], stats: { median: x.medianMs, p10: x.p10Ms, p90: x.p90Ms, samples: x.samples } });
      }
    }
    const phases = parts.flatMap((p) => p.op.phases).sort((a, b) => a.n - b.n);
    return analyzeOp({ op: bench, sizes, contenders, cells, phases }, calibration, first.adapter.engine);
  });
  const probes: NoiseProbe[] = reports.flatMap((r) => r.noise?.probes ?? []);
  const noise = first.noise !== undefined && probes.length > 0 ? summarizeNoise(probes, `${first.noise.method}; pooled over the shards (atS from each shard's start)`) : undefined;
  const merged: BenchReport & { noise?: BenchReport['noise'] } = { ...first };
  delete merged.noise;
  return {
    ...merged,
    command,
    durationS: reports.reduce((s, r) => s + r.durationS, 0),
    calibration,
    ...(noise !== undefined ? { noise } : {}),
    methods: Object.assign({}, ...reports.map((r) => r.methods)) as Record<string, string>,
    ops,
  };
}

/** The cross-adapter table: every (op, comparison) on every measured adapter. */
export function crossoverTable(adapters: readonly AtlasAdapter[]): AtlasRow[] {
  const rows = new Map<string, { op: string; comparison: string; byKind: Record<string, AtlasRow['byKind'][string]> }>();
  for (const a of adapters) {
    if (a.state !== 'measured') continue;
    for (const op of a.report.ops) {
      for (const c of op.comparisons) {
        const comparison = `${c.gpu} vs ${c.cpu}`;
        const key = `${op.name}|${comparison}`;
        const row = rows.get(key) ?? { op: op.name, comparison, byKind: {} };
        const m = c.measuredCrossover;
        row.byKind[a.kind] = { crossover: describeCrossover(c.crossover), measured: m.kind === 'crosses' ? `by ${fmt.pow2(m.n)}` : m.kind, asymptoticSpeedup: c.asymptoticSpeedup };
        rows.set(key, row);
      }
    }
  }
  return [...rows.values()];
}

/**
 * Publishes the sweep to every kind queue (one flow per kind, one shard per op × size range, shared by that
 * kind's workers), waits for all, merges each kind's shards ({@link mergeShardReports}) and returns the atlas.
 * A kind whose shards fail is kept with its error. A gpujs kind measures its CPU and gpu.js contenders (no WGSL).
 *
 * @example
 * ```ts
 * const atlas = await runAtlas({ redis: 'redis://127.0.0.1:6379', ops: ['sum', 'axpy'], sizes: '2^10..2^20:2', shardSizes: 3 });
 * writeAtlas(atlas, { json: 'atlas.json', html: 'atlas.html' });
 * ```
 */
export async function runAtlas(o: AtlasOptions): Promise<Atlas> {
  const f = new Fleet(o.redis !== undefined ? { redis: o.redis } : {});
  try {
    const listed = await f.workers();
    const targets =
      o.queues !== undefined
        ? o.queues.map((queue) => ({ queue, kind: queue.replace(/^gpukit\./, ''), adapter: listed.find((w) => w.queues.includes(queue))?.adapter ?? '(no announced worker)' }))
        : kindQueues(listed);
    const shardSizes = o.shardSizes ?? DEFAULT_SHARD_SIZES;
    const plan = planShards(o.ops, parseSizes(o.sizes), { perShard: shardSizes, ...(o.defaultSizes === true ? { defaultSizes: true } : {}) });
    const command = o.command ?? `gpukit bench --fleet ${o.ops.join(' ')} --sizes ${o.sizes}`;
    const adapters = await Promise.all(
      targets.map(async (t): Promise<AtlasAdapter> => {
        try {
          const run = await f.run<{ op: string; sizes: string; quick: boolean }, { identity: WorkerIdentity; report: string }[]>({
            module: BENCH_MODULE,
            shards: plan.map((s) => ({ op: s.op, sizes: s.sizes.join(','), quick: o.quick === true })),
            queue: t.queue,
            attempts: 1,
            timeoutMs: o.timeoutMs ?? 600_000,
          });
          const reports = run.value.map((v, i) => parseShardReport(v.report, `${t.queue} shard ${String(i)}`));
          const identity = run.value[0]?.identity;
          const report = mergeShardReports(plan, reports, command);
          const shards = run.shards.map((s) => ({ ...(plan[s.index] as AtlasShard), worker: s.worker.id, ms: s.ms }));
          return { state: 'measured', kind: identity?.kind ?? t.kind, queue: t.queue, adapter: identity?.adapter ?? t.adapter, workers: [...new Set(shards.map((s) => s.worker))].sort(), shards, report };
        } catch (e) {
          if (!(e instanceof FleetJobError)) throw e;
          const first = e.failures[0];
          return { state: 'failed', kind: t.kind, queue: t.queue, adapter: t.adapter, error: first !== undefined ? `shard ${String(first.index)}: ${first.error}` : e.message };
        }
      }),
    );
    return { schema: ATLAS_SCHEMA, createdAt: new Date().toISOString(), command, ops: o.ops, sizes: o.sizes, shardSizes, adapters, crossovers: crossoverTable(adapters) };
  } finally {
    await f.close();
  }
}

/** The atlas as JSON (non-finite numbers as strings, as in bench reports). */
export function formatAtlasJson(a: Atlas): string {
  return JSON.stringify(a, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2);
}

/** The cross-adapter table as text, one line per op and comparison. */
export function formatAtlasTable(a: Atlas): string {
  // Columns for the measured kinds; the others are listed above the table with their reason.
  const kinds = a.adapters.filter((x) => x.state === 'measured').map((x) => x.kind);
  const w = Math.max(30, ...kinds.map((k) => k.length + 2));
  const lines = [`gpukit bench --fleet — ${String(a.adapters.length)} adapter kind(s); crossover (fitted) · asymptotic speedup`];
  for (const x of a.adapters) {
    lines.push(`  ${x.kind}: ${x.adapter}${x.state === 'failed' ? ` — not measured: ${x.error}` : ` (${String(x.shards.length)} shard(s) on ${String(x.workers.length)} worker(s))`}`);
    // Ops measured on the CPU only there (gpu.js runs them on the host), said rather than left out silently.
    const cpuOnly = x.state === 'measured' ? x.report.ops.filter((op) => op.unmeasured !== undefined).map((op) => op.name) : [];
    if (cpuOnly.length > 0) lines.push(`    ${cpuOnly.join(', ')}: no GPU comparison (the report's ops[].unmeasured says why)`);
  }
  const cw = Math.max(24, ...a.crossovers.map((r) => r.comparison.length + 2));
  lines.push('', `${'op'.padEnd(8)}${'comparison'.padEnd(cw)}${kinds.map((k) => k.padEnd(w)).join('')}`);
  for (const r of a.crossovers) {
    const cells = kinds.map((k) => {
      const c = r.byKind[k];
      return `${(c === undefined ? '—' : `${c.crossover} · ${fmt.times(c.asymptoticSpeedup)}`).padEnd(w - 1)} `;
    });
    lines.push(`${r.op.padEnd(8)}${r.comparison.padEnd(cw)}${cells.join('')}`);
  }
  return lines.join('\n');
}

/** The atlas page: the cross-adapter table, then each adapter's own bench report (the `--html` report's body). */
export function formatAtlasHtml(a: Atlas): string {
  const kinds = a.adapters.filter((x) => x.state === 'measured').map((x) => x.kind);
  const head = `<tr><th>op</th><th>comparison</th>${kinds.map((k) => `<th>${esc(k)}</th>`).join('')}</tr>`;
  const rows = a.crossovers
    .map((r) => `<tr><td>${esc(r.op)}</td><td>${esc(r.comparison)}</td>${kinds.map((k) => {
      const c = r.byKind[k];
      return `<td>${c === undefined ? '—' : `${esc(c.crossover)}<br><small>measured ${esc(c.measured)} · asymptote ${esc(fmt.times(c.asymptoticSpeedup))}</small>`}</td>`;
    }).join('')}</tr>`)
    .join('');
  const sections = a.adapters
    .map((x) => {
      if (x.state === 'failed') return `<section id="${esc(x.kind)}"><h1>${esc(x.kind)}</h1><p>${esc(x.adapter)}</p><p class="warn">Not measured: ${esc(x.error)}</p></section>`;
      const page = formatHtml(x.report);
      const body = page.slice(page.indexOf('<body>') + '<body>'.length, page.lastIndexOf('</body>')).replace('<h1>gpukit bench</h1>', `<h1>${esc(x.kind)}</h1>`);
      return `<section id="${esc(x.kind)}">${body}</section>`;
    })
    .join('\n');
  const anyPage = a.adapters.find((x) => x.state === 'measured');
  const style = anyPage !== undefined ? /<style>[\s\S]*?<\/style>/.exec(formatHtml(anyPage.report))?.[0] ?? '' : '';
  const software = a.adapters.some((x) => x.state === 'measured' && x.report.adapter.isSoftware)
    ? '<div class="warn"><b>Software adapters.</b> Adapters marked software emulate a GPU on the CPU; their crossovers describe that emulation, not GPU hardware.</div>'
    : '';
  return `<!doctype html><html><head><meta charset="utf-8"><title>gpukit crossover atlas</title>${style}</head><body>
<h1>gpukit crossover atlas</h1>
<p>${esc(a.createdAt)} · <code>${esc(a.command)}</code> · adapters: ${a.adapters.map((x) => `<a href="#${esc(x.kind)}">${esc(x.kind)}</a>`).join(', ')}</p>
${software}
<h2>Where each op pays, per adapter</h2>
<p>Each cell: the fitted crossover (the size from which the GPU contender is faster), the measured one, and the asymptotic speedup.</p>
<table>${head}${rows}</table>
${sections}
</body></html>
`;
}

/** Writes the atlas files asked for; returns what was written. */
export function writeAtlas(a: Atlas, o: { readonly json?: string; readonly html?: string }): { flag: string; path: string }[] {
  const out: { flag: string; path: string }[] = [];
  for (const [flag, path, text] of [['--json', o.json, formatAtlasJson], ['--html', o.html, formatAtlasHtml]] as const) {
    if (path === undefined) continue;
    try {
      writeFileSync(path, text(a));
    } catch (e) {
      throw new InvalidFileError(path, `(${flag}) cannot be written (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
    out.push({ flag, path });
  }
  return out;
}

/** An atlas read back (for `gpukit compare`), parsed with non-finite numbers restored: its adapters' reports by kind. */
export function atlasReports(v: unknown, path: string): Map<string, BenchReport> {
  const a = v as { schema?: unknown; adapters?: unknown };
  if (typeof v !== 'object' || v === null || a.schema !== ATLAS_SCHEMA || !Array.isArray(a.adapters)) throw new InvalidFileError(path, `is not a gpukit atlas (schema ${ATLAS_SCHEMA})`);
  const out = new Map<string, BenchReport>();
  for (const x of a.adapters as unknown[]) {
    const entry = x as { state?: unknown; kind?: unknown; report?: unknown };
    if (typeof x !== 'object' || x === null || entry.state !== 'measured') continue;
    const kind = String(entry.kind);
    const r = checkReport(entry.report);
    if (typeof r === 'string') throw new InvalidFileError(path, `adapter ${kind}: ${r}`);
    out.set(kind, r);
  }
  return out;
}

/** JSON.parse's reviver for gpukit's reports: the strings formatJson wrote for non-finite numbers. */
export function reviveNonFinite(_key: string, v: unknown): unknown {
  return typeof v === 'string' && Object.hasOwn(NON_FINITE, v) ? NON_FINITE[v] : v;
}

/**
 * What `gpukit compare` reads: a bench report (`a.json`), or one adapter of an atlas (`atlas.json#<kind>`).
 * Returns the report and a label for it. Throws {@link InvalidFileError} naming the file and the problem.
 *
 * @example
 * ```ts
 * const a = readComparable('atlas.json#vulkan-core-llvmpipe');
 * ```
 */
export function readComparable(spec: string): { report: BenchReport; label: string } {
  const m = /^(.*)#([^#/\\]+)$/.exec(spec);
  const path = m?.[1] ?? spec;
  const kind = m?.[2];
  if (kind === undefined) {
    const report = readReport(path);
    return { report, label: `${path} — ${report.adapter.description}` };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readBoundedText(path), reviveNonFinite);
  } catch (e) {
    if (e instanceof InvalidFileError) throw e;
    throw new InvalidFileError(path, `is not a gpukit atlas: not JSON (${e instanceof Error ? (e.message.split('\n')[0] ?? '') : String(e)})`);
  }
  const reports = atlasReports(parsed, path);
  const report = reports.get(kind);
  if (report === undefined) throw new InvalidFileError(path, `has no measured adapter ${kind}; measured kinds: ${[...reports.keys()].join(', ') || 'none'}`);
  return { report, label: `${kind} — ${report.adapter.description}` };
}
