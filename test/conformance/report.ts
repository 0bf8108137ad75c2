/**
 * Runs every case on a device and tallies per function: cases passed / total, special cases passed / total,
 * refused, skipped, missing; and renders the conformance table (function × engine) as Markdown.
 */
import type * as Gpukit from '../../src/index.js';
import type { GpuDevice } from '../../src/index.js';
import type { Case, CaseFile } from './cases.js';
import { runCase, type Outcome } from './harness.js';

export interface Failure {
  readonly fn: string;
  readonly index: number;
  readonly kind: 'random' | 'special';
  readonly verdict: 'fail' | 'refused';
  readonly why: string;
  /** The special case's sentence, for special cases. */
  readonly text?: string;
  /** The input dtypes, for matching known failures. */
  readonly dtypes: readonly string[];
  /** Where the failure names an element and the first input has one per result element: that input value. */
  readonly x?: number;
}

export interface Tally {
  fn: string;
  passed: number;
  total: number;
  specialPassed: number;
  specialTotal: number;
  refused: number;
  /** Of the refused, special cases. */
  specialRefused: number;
  skipped: number;
  missing: boolean;
  missingWhy?: string;
}

export interface EngineResult {
  readonly engine: string;
  readonly tallies: Map<string, Tally>;
  readonly failures: Failure[];
  readonly seconds: number;
}

/** Every case of the file on the device, in order (one at a time: the software adapter has two cores). */
export async function runAll(api: typeof Gpukit, device: GpuDevice, file: CaseFile, only?: (c: Case) => boolean): Promise<EngineResult> {
  const t0 = performance.now();
  const tallies = new Map<string, Tally>();
  const failures: Failure[] = [];
  for (const c of file.cases) {
    if (only !== undefined && !only(c)) continue;
    let t = tallies.get(c.fn);
    if (t === undefined) {
      t = { fn: c.fn, passed: 0, total: 0, specialPassed: 0, specialTotal: 0, refused: 0, specialRefused: 0, skipped: 0, missing: false };
      tallies.set(c.fn, t);
    }
    let o: Outcome;
    try {
      o = await runCase(api, device, c);
    } catch (e) {
      o = { verdict: 'fail', why: `harness: ${e instanceof Error ? e.message : String(e)}` };
    }
    if (o.verdict === 'skipped') {
      t.skipped++;
      continue;
    }
    if (o.verdict === 'missing') {
      t.missing = true;
      if (o.why !== undefined) t.missingWhy = o.why;
      continue;
    }
    const special = c.kind === 'special';
    if (special) t.specialTotal++;
    else t.total++;
    if (o.verdict === 'pass') {
      if (special) t.specialPassed++;
      else t.passed++;
    } else {
      if (o.verdict === 'refused') {
        if (special) t.specialRefused++;
        else t.refused++;
      }
      const why = o.why ?? '';
      const at = /^element (\d+)/.exec(why);
      const first = c.inputs[0];
      const x = at !== null && first !== undefined && c.expected.kind === 'array' && first.data.length === c.expected.array.data.length ? first.data[Number(at[1])] : undefined;
      failures.push({ fn: c.fn, index: c.index, kind: c.kind, verdict: o.verdict === 'refused' ? 'refused' : 'fail', why, dtypes: c.inputs.map((a) => a.dtype), ...(c.special !== undefined ? { text: c.special.text } : {}), ...(x !== undefined ? { x } : {}) });
    }
  }
  return { engine: device.info.engine, tallies, failures, seconds: (performance.now() - t0) / 1000 };
}

/** Pass rate over the cases that were not refused (a typed refusal of a 64-bit result is documented, not wrong). */
export function passRate(t: Tally): number {
  const n = t.total - t.refused;
  return n === 0 ? 1 : t.passed / n;
}

/** The standard's families, for the table's sections (names not listed go under "other"). */
export const FAMILIES: readonly (readonly [string, readonly string[]])[] = [
  ['elementwise', ['abs', 'acos', 'acosh', 'add', 'asin', 'asinh', 'atan', 'atan2', 'atanh', 'bitwise_and', 'bitwise_invert', 'bitwise_left_shift', 'bitwise_or', 'bitwise_right_shift', 'bitwise_xor', 'ceil', 'cos', 'cosh', 'divide', 'equal', 'exp', 'expm1', 'floor', 'floor_divide', 'greater', 'greater_equal', 'isfinite', 'isinf', 'isnan', 'less', 'less_equal', 'log', 'log1p', 'log2', 'log10', 'logaddexp', 'logical_and', 'logical_not', 'logical_or', 'logical_xor', 'multiply', 'negative', 'not_equal', 'positive', 'pow', 'remainder', 'round', 'sign', 'sin', 'sinh', 'square', 'sqrt', 'subtract', 'tan', 'tanh', 'trunc']],
  ['statistical', ['max', 'mean', 'min', 'prod', 'std', 'sum', 'var', 'cumulative_sum']],
  ['utility', ['all', 'any']],
  ['searching', ['argmax', 'argmin', 'nonzero', 'where', 'searchsorted']],
  ['sorting', ['argsort', 'sort']],
  ['set', ['unique_all', 'unique_counts', 'unique_inverse', 'unique_values']],
  ['manipulation', ['concat', 'expand_dims', 'flip', 'permute_dims', 'reshape', 'roll', 'squeeze', 'stack']],
  ['indexing', ['take', '__getitem__', '__getitem__[mask]']],
  ['linear algebra', ['matmul', 'matrix_transpose', 'tensordot', 'vecdot']],
  ['creation', ['arange', 'eye', 'full', 'full_like', 'linspace', 'meshgrid', 'ones', 'ones_like', 'tril', 'triu', 'zeros', 'zeros_like']],
  ['data types', ['astype', 'broadcast_arrays', 'broadcast_to', 'can_cast', 'result_type']],
];

const LABEL: Record<string, string> = { '__getitem__': '`x[key]` (int, slice, `...`, `None`)', '__getitem__[mask]': '`x[mask]` (boolean)' };

function cell(t: Tally | undefined, threshold: number): string {
  if (t === undefined) return '—';
  if (t.missing && t.total === 0 && t.specialTotal === 0) return 'missing';
  const parts: string[] = [];
  const ok = passRate(t) >= threshold;
  parts.push(`${ok ? '' : '**'}${t.passed}/${t.total - t.refused}${ok ? '' : '**'}`);
  const spAll = t.specialPassed === t.specialTotal - t.specialRefused;
  if (t.specialTotal > 0) parts.push(`${spAll ? '' : '**'}${t.specialPassed}/${t.specialTotal - t.specialRefused}${spAll ? '' : '**'} sp`);
  if (t.refused + t.specialRefused > 0) parts.push(`${t.refused + t.specialRefused} refused`);
  if (t.skipped > 0) parts.push(`${t.skipped} f16 skipped`);
  return parts.join(', ');
}

/** One line per engine: functions present, at ≥ 99 %, special cases passing, refusals. */
export function summary(r: EngineResult, threshold = 0.99): string {
  const ts = [...r.tallies.values()];
  const present = ts.filter((t) => t.total + t.specialTotal > 0);
  const good = present.filter((t) => passRate(t) >= threshold && t.specialPassed === t.specialTotal - t.specialRefused);
  const sp = ts.reduce((a, t) => a + t.specialPassed, 0);
  const spn = ts.reduce((a, t) => a + t.specialTotal - t.specialRefused, 0);
  const cases = present.reduce((a, t) => a + t.total - t.refused, 0);
  const passed = present.reduce((a, t) => a + t.passed, 0);
  const refused = ts.reduce((a, t) => a + t.refused + t.specialRefused, 0);
  return `${r.engine}: ${present.length} of ${ts.length} functions present, ${good.length} at ≥ ${threshold * 100} % with every special case; ${passed}/${cases} random cases and ${sp}/${spn} special cases pass; ${refused} refused; ${r.seconds.toFixed(1)} s`;
}

/** The Markdown table: one row per function of the standard, one column per engine. */
export function markdownTable(results: readonly EngineResult[], threshold = 0.99): string {
  const out: string[] = [];
  const known = new Set(FAMILIES.flatMap(([, fns]) => fns));
  const others = [...new Set(results.flatMap((r) => [...r.tallies.keys()]))].filter((f) => !known.has(f)).sort();
  const families = others.length ? [...FAMILIES, ['other', others] as const] : FAMILIES;
  for (const [family, fns] of families) {
    out.push(`### ${family}`, '', `| function | gpukit name | ${results.map((r) => r.engine).join(' | ')} |`, `|---|---|${results.map(() => '---').join('|')}|`);
    for (const fn of fns) {
      const name = fn.startsWith('__') ? '' : `\`${fn.replace(/_([a-z0-9])/g, (_m, ch: string) => ch.toUpperCase())}\``;
      out.push(`| ${LABEL[fn] ?? `\`${fn}\``} | ${name} | ${results.map((r) => cell(r.tallies.get(fn), threshold)).join(' | ')} |`);
    }
    out.push('');
  }
  return out.join('\n');
}
