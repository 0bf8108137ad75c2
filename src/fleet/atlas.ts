/**
 * The crossover atlas (`gpukit bench --fleet`): the bench sweep published as shards (one per op) to every
 * adapter kind's queue, each kind's shards merged back into one ordinary bench report, and one page across
 * adapters: per adapter the usual report (crossovers, asymptotic speedups, roofline), and a table of where
 * each op pays on each adapter.
 */
import { writeFileSync } from 'node:fs';
import { checkReport, readReport } from '../bench/compare.js';
import { readBoundedText } from '../kernels/tuning.js';
import { describeCrossover, type BenchReport } from '../bench/analyze.js';
import { formatHtml } from '../bench/report.js';
import { esc } from '../bench/svg.js';
import * as fmt from '../bench/format.js';
import { FleetJobError, InvalidFileError, UsageError } from '../errors.js';
import { Fleet } from './client.js';
import { BENCH_MODULE, type WorkerIdentity } from './protocol.js';

export const ATLAS_SCHEMA = 'gpukit-atlas/1';

/** One adapter kind's part of the atlas: its merged report, or why it has none. */
export type AtlasAdapter =
  | { readonly state: 'measured'; readonly kind: string; readonly queue: string; readonly adapter: string; readonly workers: readonly string[]; readonly report: BenchReport }
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
  readonly adapters: readonly AtlasAdapter[];
  readonly crossovers: readonly AtlasRow[];
}

/** Options of {@link runAtlas}. */
export interface AtlasOptions {
  readonly redis?: string;
  /** Ops to bench (each one shard per adapter kind). */
  readonly ops: readonly string[];
  /** `gpukit bench --sizes` text. */
  readonly sizes: string;
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

/** Merges one kind's per-op reports (shard order = op order) into one bench report. */
export function mergeReports(reports: readonly BenchReport[], command: string): BenchReport {
  const first = reports[0];
  if (first === undefined) throw new FleetJobError('', 'mergeReports: no report');
  return { ...first, command, durationS: reports.reduce((s, r) => s + r.durationS, 0), ops: reports.flatMap((r) => r.ops) };
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
 * Publishes the sweep to every kind queue (one flow per kind, one shard per op), waits for all, and returns
 * the atlas. A kind whose shards fail (gpu.js has no raw-WGSL bench contenders) is kept with its error.
 *
 * @example
 * ```ts
 * const atlas = await runAtlas({ redis: 'redis://127.0.0.1:6379', ops: ['sum', 'axpy'], sizes: '2^10..2^20:2' });
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
    const command = o.command ?? `gpukit bench --fleet ${o.ops.join(' ')} --sizes ${o.sizes}`;
    const adapters = await Promise.all(
      targets.map(async (t): Promise<AtlasAdapter> => {
        try {
          const run = await f.run<{ op: string; sizes: string; quick: boolean }, { identity: WorkerIdentity; report: string }[]>({
            module: BENCH_MODULE,
            shards: o.ops.map((op) => ({ op, sizes: o.sizes, quick: o.quick === true })),
            queue: t.queue,
            attempts: 1,
            timeoutMs: o.timeoutMs ?? 600_000,
          });
          const reports = run.value.map((v, i) => parseShardReport(v.report, `${t.queue} shard ${String(i)}`));
          const identity = run.value[0]?.identity;
          return { state: 'measured', kind: identity?.kind ?? t.kind, queue: t.queue, adapter: identity?.adapter ?? t.adapter, workers: [...new Set(run.shards.map((s) => s.worker.id))], report: mergeReports(reports, command) };
        } catch (e) {
          if (!(e instanceof FleetJobError)) throw e;
          const first = e.failures[0];
          return { state: 'failed', kind: t.kind, queue: t.queue, adapter: t.adapter, error: first !== undefined ? `shard ${String(first.index)}: ${first.error}` : e.message };
        }
      }),
    );
    return { schema: ATLAS_SCHEMA, createdAt: new Date().toISOString(), command, ops: o.ops, sizes: o.sizes, adapters, crossovers: crossoverTable(adapters) };
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
  for (const x of a.adapters) lines.push(`  ${x.kind}: ${x.adapter}${x.state === 'failed' ? ` — not measured: ${x.error}` : ` (${String(x.workers.length)} worker(s))`}`);
  lines.push('', `${'op'.padEnd(8)}${'comparison'.padEnd(24)}${kinds.map((k) => k.padEnd(w)).join('')}`);
  for (const r of a.crossovers) {
    const cells = kinds.map((k) => {
      const c = r.byKind[k];
      return `${(c === undefined ? '—' : `${c.crossover} · ${fmt.times(c.asymptoticSpeedup)}`).padEnd(w - 1)} `;
    });
    lines.push(`${r.op.padEnd(8)}${r.comparison.padEnd(24)}${cells.join('')}`);
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
