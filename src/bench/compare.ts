import type { BenchReport, CrossoverN, LineCrossingN, OpReport } from './analyze.js';
import { describeCrossover, linesToN, SCHEMA } from './analyze.js';
import * as fmt from './format.js';
import { linesCrossing } from './model.js';
import { InvalidFileError } from '../errors.js';
import { readBoundedText } from '../backends/dawn/tuning.js';

/** How two reports of the same sweep agree: crossovers within one power of two, medians within p10–p90. */
export interface Agreement {
  readonly lines: readonly string[];
  readonly crossoversAgree: number;
  readonly crossovers: number;
  readonly mediansWithin: number;
  readonly medians: number;
  /** Medians outside the bands that differ by no more than the machine's reference job moved over both runs. */
  readonly mediansWithinDrift: number;
}

const log2 = Math.log2;

/**
 * Whether two runs' crossovers make the same statement. A parity verdict is compared by what its lines
 * said (two parity verdicts agree). Crossing sizes must be within one power of two; a crossing within one power of two of the edge of
 * the sizes measured makes the edge's statement (a crossing at the largest size ≈ "never" in the range, at
 * the smallest ≈ "always"), so those agree too.
 */
export function sameCrossover(a: CrossoverN, b: CrossoverN, minN: number, maxN: number): boolean {
  // Both at parity: both say the crossing point is noise, wherever their lines happened to meet.
  if (a.kind === 'parity' && b.kind === 'parity') return true;
  const x = a.kind === 'parity' ? a.lines : a;
  const y = b.kind === 'parity' ? b.lines : b;
  if (x.kind === y.kind) return x.kind === 'crosses' || x.kind === 'until' ? Math.abs(log2(x.n) - log2((y as typeof x).n)) <= 1 : true;
  const nearTop = (n: number): boolean => log2(n) >= log2(maxN) - 1;
  const nearBottom = (n: number): boolean => log2(n) <= log2(minN) + 1;
  for (const [p, q] of [[x, y], [y, x]] as const) {
    if (p.kind === 'crosses' && q.kind === 'never') return nearTop(p.n);
    if (p.kind === 'crosses' && q.kind === 'always') return nearBottom(p.n);
    if (p.kind === 'until' && q.kind === 'never') return nearBottom(p.n);
    if (p.kind === 'until' && q.kind === 'always') return nearTop(p.n);
  }
  return false;
}

/** A report written before parity kept its lines (schema gpukit-bench/1 of 2026-11-23): recompute them from the fits. */
function withLines(op: OpReport, c: OpReport['comparisons'][number]): CrossoverN {
  const x = c.crossover;
  const loose = x as { readonly lines?: LineCrossingN };
  if (x.kind !== 'parity' || loose.lines !== undefined) return x;
  const fit = (name: string): { alphaMs: number; betaMs: number } => {
    const f = op.contenders.find((k) => k.name === name)?.fit;
    return { alphaMs: f?.alphaMs ?? NaN, betaMs: (f?.nsPerUnit ?? NaN) / 1e6 };
  };
  const lines = linesCrossing(fit(c.gpu), fit(c.cpu));
  return { kind: 'parity', ratio: x.ratio, lines: linesToN(op.unit, lines, Math.min(...op.sizes), Math.max(...op.sizes)) };
}

/**
 * How far the machine's own speed moved over both runs: max / min of the reference job's timings, one
 * thread and all cores (undefined for reports without the noise probes).
 */
function machineDrift(a: BenchReport, b: BenchReport): { readonly oneThread: number; readonly allCores: number } | undefined {
  if (a.noise === undefined || b.noise === undefined) return undefined;
  const probes = [...a.noise.probes, ...b.noise.probes];
  const range = (v: readonly number[]): number => Math.max(...v) / Math.min(...v);
  return { oneThread: range(probes.map((p) => p.oneThreadMs)), allCores: range(probes.map((p) => p.allCoresMs)) };
}

/** Compares two `gpukit bench --json` reports (`gpukit compare a.json b.json`). */
export function compareReports(a: BenchReport, b: BenchReport): Agreement {
  const lines: string[] = [];
  const drift = machineDrift(a, b);
  let agree = 0;
  let total = 0;
  let within = 0;
  let medians = 0;
  let byDrift = 0;
  for (const oa of a.ops) {
    const ob = b.ops.find((o) => o.name === oa.name);
    if (ob === undefined) continue;
    for (const ca of oa.comparisons) {
      const cb = ob.comparisons.find((c) => c.gpu === ca.gpu && c.cpu === ca.cpu);
      if (cb === undefined) continue;
      const same = sameCrossover(withLines(oa, ca), withLines(ob, cb), Math.min(...oa.sizes, ...ob.sizes), Math.max(...oa.sizes, ...ob.sizes));
      total++;
      if (same) agree++;
      lines.push(`${oa.name.padEnd(7)} ${`${ca.gpu} vs ${ca.cpu}`.padEnd(24)} ${describeCrossover(ca.crossover).padEnd(26)} | ${describeCrossover(cb.crossover).padEnd(26)} ${same ? 'agree' : 'DIFFER'}`);
    }
    for (const pa of oa.contenders) {
      const pb = ob.contenders.find((c) => c.name === pa.name);
      for (const x of pa.points) {
        const y = pb?.points.find((p) => p.n === x.n);
        if (y === undefined) continue;
        medians++;
        if (x.medianMs >= y.p10Ms && x.medianMs <= y.p90Ms && y.medianMs >= x.p10Ms && y.medianMs <= x.p90Ms) {
          within++;
          continue;
        }
        if (drift === undefined) continue;
        // Only cpu-1t runs on one thread; lavapipe, the pool and gpu.js's webasm mode use every core.
        const bound = pa.role === 'cpu-1t' ? drift.oneThread : drift.allCores;
        if (Math.max(y.medianMs / x.medianMs, x.medianMs / y.medianMs) <= bound) byDrift++;
      }
    }
  }
  if (a.noise !== undefined && b.noise !== undefined && drift !== undefined) {
    const r1 = b.noise.oneThread.medianMs / a.noise.oneThread.medianMs;
    const rn = b.noise.allCores.medianMs / a.noise.allCores.medianMs;
    lines.push(`the machine: the reference job's median took ${fmt.times(r1)} as long in the second run on one thread, ${fmt.times(rn)} on all cores; over both runs it ranged ${fmt.times(drift.oneThread)} (one thread) and ${fmt.times(drift.allCores)} (all cores), max/min`);
  }
  lines.push(`crossovers agreeing (same statement, crossing sizes within one power of two): ${String(agree)}/${String(total)}`);
  const outside = medians - within;
  const explained = drift !== undefined && outside > 0 ? `; of the ${String(outside)} outside, ${String(byDrift)} differ by less than the machine's own speed moved (above)` : '';
  lines.push(`medians inside each other's p10–p90 band: ${String(within)}/${String(medians)}${explained}`);
  return { lines, crossoversAgree: agree, crossovers: total, mediansWithin: within, medians, mediansWithinDrift: byDrift };
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const kindOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : typeof v);

/** Thrown inside the guard with the path of the first bad field. */
class Bad extends Error {}

function field(o: Obj, key: string, at: string): unknown {
  if (!(key in o)) throw new Bad(`${at === '' ? key : `${at}.${key}`} is missing`);
  return o[key];
}
function obj(v: unknown, at: string): Obj {
  if (!isObj(v)) throw new Bad(`${at} is ${kindOf(v)}, expected an object`);
  return v;
}
function arr(v: unknown, at: string): unknown[] {
  if (!Array.isArray(v)) throw new Bad(`${at} is ${kindOf(v)}, expected an array`);
  return v;
}
function str(v: unknown, at: string): void {
  if (typeof v !== 'string') throw new Bad(`${at} is ${kindOf(v)}, expected a string`);
}
function num(v: unknown, at: string): void {
  if (typeof v !== 'number') throw new Bad(`${at} is ${kindOf(v)}, expected a number`);
}

function checkLines(v: unknown, at: string, parity: boolean): void {
  const c = obj(v, at);
  const kind = field(c, 'kind', at);
  const kinds = parity ? ['crosses', 'always', 'never', 'until', 'parity'] : ['crosses', 'always', 'never', 'until'];
  if (typeof kind !== 'string' || !kinds.includes(kind)) throw new Bad(`${at}.kind is ${JSON.stringify(kind)}, expected one of ${kinds.join(', ')}`);
  if (kind === 'crosses' || kind === 'until') num(field(c, 'n', at), `${at}.n`);
  if (kind === 'parity') {
    num(field(c, 'ratio', at), `${at}.ratio`);
    // Reports of 2026-11-23 have parity without its lines; compareReports recomputes them.
    if ('lines' in c) checkLines(c['lines'], `${at}.lines`, false);
  }
}

/**
 * Checks that a parsed `gpukit bench --json` report has every field {@link compareReports} reads (see
 * docs/bench-json.md): `schema`, `ops[]` with `name`, `unit`, `sizes`, `comparisons[]` (`gpu`, `cpu`,
 * `crossover`), `contenders[]` (`name`, `role`, `fit`, `points[]` with `n`, `medianMs`, `p10Ms`, `p90Ms`)
 * and, when present, `noise`. Returns the report, or the first problem in one line (`ops[0].sizes is null,
 * expected an array`).
 *
 * @example
 * ```ts
 * const r = checkReport(JSON.parse(text));
 * if (typeof r === 'string') throw new Error(r);
 * ```
 */
export function checkReport(v: unknown): BenchReport | string {
  try {
    const r = obj(v, 'the report');
    const schema = field(r, 'schema', '');
    if (schema !== SCHEMA) throw new Bad(`schema is ${JSON.stringify(schema)}, expected "${SCHEMA}"`);
    for (const [i, o] of arr(field(r, 'ops', ''), 'ops').entries()) {
      const at = `ops[${String(i)}]`;
      const op = obj(o, at);
      str(field(op, 'name', at), `${at}.name`);
      str(field(op, 'unit', at), `${at}.unit`);
      const sizes = arr(field(op, 'sizes', at), `${at}.sizes`);
      if (sizes.length === 0) throw new Bad(`${at}.sizes is empty`);
      sizes.forEach((n, j) => {
        num(n, `${at}.sizes[${String(j)}]`);
        if (!((n as number) > 0)) throw new Bad(`${at}.sizes[${String(j)}] is ${String(n)}, expected a positive size`);
      });
      for (const [j, c] of arr(field(op, 'comparisons', at), `${at}.comparisons`).entries()) {
        const cat = `${at}.comparisons[${String(j)}]`;
        const cmp = obj(c, cat);
        str(field(cmp, 'gpu', cat), `${cat}.gpu`);
        str(field(cmp, 'cpu', cat), `${cat}.cpu`);
        checkLines(field(cmp, 'crossover', cat), `${cat}.crossover`, true);
      }
      for (const [j, c] of arr(field(op, 'contenders', at), `${at}.contenders`).entries()) {
        const cat = `${at}.contenders[${String(j)}]`;
        const con = obj(c, cat);
        str(field(con, 'name', cat), `${cat}.name`);
        str(field(con, 'role', cat), `${cat}.role`);
        const fit = obj(field(con, 'fit', cat), `${cat}.fit`);
        num(field(fit, 'alphaMs', `${cat}.fit`), `${cat}.fit.alphaMs`);
        num(field(fit, 'nsPerUnit', `${cat}.fit`), `${cat}.fit.nsPerUnit`);
        for (const [k, p] of arr(field(con, 'points', cat), `${cat}.points`).entries()) {
          const pat = `${cat}.points[${String(k)}]`;
          const pt = obj(p, pat);
          for (const key of ['n', 'medianMs', 'p10Ms', 'p90Ms']) num(field(pt, key, pat), `${pat}.${key}`);
        }
      }
    }
    if ('noise' in r && r['noise'] !== undefined) {
      const noise = obj(r['noise'], 'noise');
      const probes = arr(field(noise, 'probes', 'noise'), 'noise.probes');
      if (probes.length === 0) throw new Bad('noise.probes is empty');
      for (const [i, p] of probes.entries()) {
        const at = `noise.probes[${String(i)}]`;
        const pr = obj(p, at);
        num(field(pr, 'oneThreadMs', at), `${at}.oneThreadMs`);
        num(field(pr, 'allCoresMs', at), `${at}.allCoresMs`);
      }
      for (const k of ['oneThread', 'allCores']) num(field(obj(field(noise, k, 'noise'), `noise.${k}`), 'medianMs', `noise.${k}`), `noise.${k}.medianMs`);
    }
    return r as unknown as BenchReport;
  } catch (e) {
    if (e instanceof Bad) return e.message;
    throw e;
  }
}

/** The report's own non-finite numbers: formatJson writes them as strings. */
const NON_FINITE: Readonly<Record<string, number>> = { Infinity: Infinity, '-Infinity': -Infinity, NaN: NaN };

/**
 * Reads a `gpukit bench --json` report for {@link compareReports}: bounded (a regular file of at most a few
 * MiB; a directory or `/dev/zero` is refused unread), parsed, and checked with {@link checkReport}.
 * Throws {@link InvalidFileError} with a one-line message naming the file and the problem.
 *
 * @example
 * ```ts
 * const agreement = compareReports(readReport('a.json'), readReport('b.json'));
 * ```
 */
export function readReport(path: string): BenchReport {
  const text = readBoundedText(path);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text, (_k, v: unknown) => (typeof v === 'string' && Object.hasOwn(NON_FINITE, v) ? NON_FINITE[v] : v));
  } catch (e) {
    const why = text.trim() === '' ? 'it is empty' : e instanceof Error ? e.message.split('\n')[0] ?? '' : String(e);
    throw new InvalidFileError(path, `is not a gpukit bench --json report: not JSON (${why})`);
  }
  const r = checkReport(parsed);
  if (typeof r === 'string') throw new InvalidFileError(path, `is not a gpukit bench --json report: ${r}`);
  return r;
}
