/**
 * `npm run layers`: the layer rules of .dependency-cruiser.cjs (issue 25, item 5) over src/ and bench/, each
 * violation printed with its rule. Exits 1 on any 'error' violation; 'warn' rules (those that hold only once the
 * redesign's other work lands) are printed, not failed.
 *
 * Runs dependency-cruiser through its API: its CLI refuses Node 20 (package.json allows Node >= 20), the API runs.
 *
 *   npm run layers -- --quiet     the counts only
 */
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseResult, type IConfiguration } from 'dependency-cruiser';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface LayerViolation {
  readonly rule: string;
  readonly severity: string;
  readonly from: string;
  readonly to: string;
}

export interface LayerReport {
  /** Modules read. */
  readonly modules: number;
  readonly violations: readonly LayerViolation[];
}

/** Cruises src/ and bench/ with the repo's rules. */
export async function checkLayers(): Promise<LayerReport> {
  const config = createRequire(import.meta.url)(resolve(ROOT, '.dependency-cruiser.cjs')) as IConfiguration;
  const cwd = process.cwd();
  process.chdir(ROOT); // the rules' paths and the tsconfig are relative to the repo root
  try {
    const tsConfig = extractTSConfig(resolve(ROOT, 'tsconfig.json'));
    const result: ICruiseResult = (await cruise(['src', 'bench'], { ...config.options, ruleSet: { forbidden: config.forbidden ?? [] }, validate: true }, undefined, { tsConfig })).output as ICruiseResult;
    return {
      modules: result.summary.totalCruised,
      violations: result.summary.violations.map((v) => ({ rule: v.rule.name, severity: v.rule.severity, from: v.from, to: v.cycle !== undefined ? `${v.to} (cycle: ${v.cycle.map((c) => c.name).join(' → ')})` : v.to })),
    };
  } finally {
    process.chdir(cwd);
  }
}

/** The report as text: one line per rule with its count, each violation under it unless `quiet`. */
export function formatLayers(report: LayerReport, quiet = false): string {
  const byRule = new Map<string, LayerViolation[]>();
  for (const v of report.violations) byRule.set(v.rule, [...(byRule.get(v.rule) ?? []), v]);
  const lines = [`layers: ${String(report.modules)} modules read, ${String(report.violations.filter((v) => v.severity === 'error').length)} errors, ${String(report.violations.filter((v) => v.severity === 'warn').length)} warnings`];
  for (const [rule, vs] of byRule) {
    lines.push(`${vs[0]?.severity === 'error' ? '✗' : '!'} ${rule} (${vs[0]?.severity ?? ''}): ${String(vs.length)}`);
    if (!quiet) for (const v of vs) lines.push(`    ${v.from} → ${v.to}`);
  }
  return lines.join('\n');
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const report = await checkLayers();
  console.log(formatLayers(report, process.argv.includes('--quiet')));
  process.exit(report.violations.some((v) => v.severity === 'error') ? 1 : 0);
}
