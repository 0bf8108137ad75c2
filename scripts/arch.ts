/**
 * `npm run arch`: the architecture's countable promises (issue 25), printed with every place that breaks
 * one. Exits 1 when a count is over its limit.
 *
 *   engine branches outside src/backends/   ≤ 5   (an op or an array asking which engine it is on)
 *   module-level maps keyed by a device      0    (per-device state belongs to the device's objects)
 *   duplicates pairs inside kernels/         ≤ 5   (those the `duplicates` tool does not mark boilerplate)
 *   WGSL string surgery outside the composer 0    (.replace/.indexOf/.split over WGSL text)
 *
 *   npm run arch -- --quiet     the counts only
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

export interface Hit {
  readonly where: string;
  readonly text: string;
}

const SRC = files(join(ROOT, 'src')).map((p) => ({ path: relative(ROOT, p), lines: readFileSync(p, 'utf8').split('\n') }));

/** Lines that are code (not comments). */
function code(line: string): boolean {
  const t = line.trim();
  return !(t.startsWith('//') || t.startsWith('*') || t.startsWith('/*'));
}

function grep(pred: (path: string) => boolean, re: RegExp): Hit[] {
  const out: Hit[] = [];
  for (const f of SRC) {
    if (!pred(f.path)) continue;
    f.lines.forEach((line, i) => {
      if (code(line) && re.test(line)) out.push({ where: `${f.path}:${i + 1}`, text: line.trim() });
    });
  }
  return out;
}

// 1. Engine branches: code outside the backends that tests which engine an array or device is on.
const ENGINE =
  /\bonFallback\(|\.host\s*([!=]==|\?\?)|=\s*\w+\.host;|instanceof\s+(HostContext|DeviceContext)\b|\bengine\s*[!=]==\s*['"]|\bkind\s*[!=]==\s*['"](dawn|gpujs|host)['"]|['"](gpujs|dawn)['"]\s*[!=]==\s*\w*engine|\bfallback\(['"]|\bisHost\w*\(|\.select(<[^(]*>)?\(\{/;
const branches = grep((p) => !p.startsWith('src/backends/'), ENGINE);

// 2. Module-level maps keyed by a device (or a device's buffer): per-device state outside the device objects.
const DEVICE_KEY = /^(export\s+)?(const|let)\s+\w+\s*(:[^=]+)?=\s*new\s+(Weak)?Map<\s*(DeviceContext|HostContext|GpuDevice|GPUDevice|GPUBuffer|Backend|DawnBackend|HostBackend)\b/;
const maps = grep(() => true, DEVICE_KEY);

// 3. Repeated blocks inside kernels/, as the `duplicates` tool lists them.
let dupRows: string[] = [];
let dupNote: string;
try {
  const out = execFileSync('duplicates', ['--repo', join(ROOT, 'kernels'), '--most', '200', '--seconds', '120'], { encoding: 'utf8' });
  dupRows = out.split('\n').filter((l) => /^D\d+ /.test(l) && !l.includes('boilerplate'));
  dupNote = out.split('\n')[0] ?? '';
} catch (e) {
  dupNote = `the duplicates tool did not run (${(e as Error).message.split('\n')[0]}); not counted`;
}

// 4. WGSL string surgery: .replace/.indexOf/.split in a file that loads or builds WGSL, outside the composer.
// Exempt, each for its reason: the composer itself; the builders' generator (it composes the user's
// expressions into WGSL, a composer of its own); the WGSL→JS translator and gpu.js source reader of the host
// backend (they read WGSL or JS, they make no WGSL variant); reflection.
const EXEMPT = new Set(['src/kernels/compose.ts', 'src/kernels/codegen.ts', 'src/backends/host/wgsl-js.ts', 'src/backends/host/loops.ts', 'src/kernels/reflect.ts']);
const WGSL_FILE = /builtinKernel|composeKernel|compileKernel|compileModule|@compute|alias T\b|\.wgsl\b/;
// An edit of text: `.replace(`, `.replaceAll(`, or `.indexOf(` / `.lastIndexOf(` (to splice), on anything but a
// message, a path, a name or a key (`source.split('\n')[line]`, reading a line for an error, is not an edit).
const SURGERY = /(\w+|\))\.(replace|replaceAll|indexOf|lastIndexOf)\(/g;
const NOT_WGSL = /^(message|msg|path|name|label|key|url|err|error|problem|order|list|names|keys|args|parts|routes|line)$/i;
const surgery = SRC.filter((f) => !EXEMPT.has(f.path) && WGSL_FILE.test(f.lines.join('\n'))).flatMap((f) =>
  f.lines.flatMap((line, i) => {
    const edits = code(line) ? [...line.matchAll(SURGERY)].filter((m) => (m[1] === ')' ? /builtinKernel|source|code|wgsl/i.test(line) : !NOT_WGSL.test(m[1] ?? ''))) : [];
    return edits.length > 0 ? [{ where: `${f.path}:${i + 1}`, text: line.trim() }] : [];
  }),
);

/** One countable promise: its count (or 'n/a' where the tool that counts it is missing), limit and places. */
export interface ArchRow {
  readonly what: string;
  readonly count: number | 'n/a';
  readonly limit: number;
  readonly hits: readonly Hit[] | readonly string[];
}

/** The four counts with their places. */
export const rows: readonly ArchRow[] = [
  { what: 'engine branches outside src/backends/', count: branches.length, limit: 5, hits: branches },
  { what: 'module-level maps keyed by a device', count: maps.length, limit: 0, hits: maps },
  { what: 'duplicates pairs inside kernels/ (not boilerplate)', count: dupNote.startsWith('the duplicates tool') ? 'n/a' : dupRows.length, limit: 5, hits: dupRows },
  { what: 'WGSL string surgery outside the composer', count: surgery.length, limit: 0, hits: surgery },
];

/** The report as `npm run arch` prints it; `quiet`: the counts only. */
export function formatArch(quiet = false): string {
  const lines: string[] = [];
  for (const { what, count, limit, hits } of rows) {
    lines.push(`${typeof count === 'number' && count > limit ? '✗' : '✓'} ${what}: ${count} (limit ${limit})`);
    if (!quiet) for (const h of hits) lines.push(`    ${typeof h === 'string' ? h : `${h.where}  ${h.text.slice(0, 140)}`}`);
  }
  if (dupNote !== '' && !quiet) lines.push(`  (duplicates: ${dupNote})`);
  return lines.join('\n');
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  console.log(formatArch(process.argv.includes('--quiet')));
  process.exit(rows.some((r) => typeof r.count === 'number' && r.count > r.limit) ? 1 : 0);
}
