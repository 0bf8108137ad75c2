/**
 * `npm run mutants`: applies each curated mutant of ./list.ts, one at a time, to a COPY of the tree (a temp
 * directory with the repository's files and a node_modules symlink — the working tree is never touched, so an
 * interrupted run cannot leave a bug behind), runs only the tests that should catch it, and exits 1 if any
 * survives (or could not be run). First, a baseline: the same tests on the unmutated copy must pass, or a
 * "kill" would mean nothing.
 *
 *   npm run mutants                         all mutants
 *   npm run mutants -- --only a,b           only these ids
 *   npm run mutants -- --list               print the mutants and exit
 *   npm run mutants -- --no-baseline        skip the baseline (only when it just passed)
 *   npm run mutants -- --markdown out.md    also write the table as Markdown
 *   npm run mutants -- --keep               keep the temp copy (its path is printed)
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MUTANTS, type Mutant } from './list.js';
import { mutate } from './mutate.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The vitest run in progress (killed with its process group if this script is interrupted). */
let running: ChildProcess | undefined;
/** The temp copy (removed on exit unless --keep). */
let copyDir: string | undefined;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (running?.pid !== undefined) process.kill(-running.pid, 'SIGKILL');
    if (copyDir !== undefined && !process.argv.includes('--keep')) rmSync(copyDir, { recursive: true, force: true });
    process.exit(130);
  });
}

/** One vitest run may take this long before the mutant counts as killed by a timeout. */
const RUN_TIMEOUT_MS = 600_000;

interface Outcome {
  readonly status: 'killed' | 'survived' | 'not run' | 'passed' | 'failed';
  readonly seconds: number;
  readonly detail: string;
}

interface VitestJson {
  numTotalTests?: number;
  numPassedTests?: number;
  numFailedTests?: number;
  numPendingTests?: number;
  numTodoTests?: number;
  testResults?: { assertionResults?: { fullName?: string; status?: string }[] }[];
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Line of the first edit in the original file, for the table. */
function lineOf(m: Mutant, text: string): number {
  const first = m.edits[0];
  if (first === undefined) return 0;
  return text.slice(0, text.indexOf(first.search)).split('\n').length;
}

/** A copy of the repository's files (tracked and untracked-but-not-ignored) with node_modules linked. */
function copyTree(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gpukit-mutants-'));
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' })
    .split('\0')
    .filter((f) => f !== '' && f !== 'node_modules' && existsSync(join(ROOT, f)));
  for (const f of files) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    cpSync(join(ROOT, f), join(dir, f));
  }
  symlinkSync(realpathSync(join(ROOT, 'node_modules')), join(dir, 'node_modules'));
  return dir;
}

/** The mutant's test files that exist in `dir` (a file another branch adds may not be here yet). */
function presentTests(dir: string, m: Mutant): string[] {
  return m.tests.filter((t) => existsSync(join(dir, t)));
}

function envFor(engine: Mutant['engine'], extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  return { ...process.env, CI: 'true', GPUKIT_ENGINE: engine, ...extra };
}

/** Runs vitest on `tests` in `dir`; resolves with its exit code, the JSON report and the time taken. */
function vitest(dir: string, tests: readonly string[], filter: string | undefined, env: NodeJS.ProcessEnv): Promise<{ code: number | null; timedOut: boolean; report: VitestJson | null; seconds: number }> {
  const out = join(dir, `.vitest-${String(Date.now())}.json`);
  const args = ['vitest', 'run', ...tests, '--maxWorkers=1', '--reporter=dot', '--reporter=json', `--outputFile.json=${out}`];
  if (filter !== undefined) args.push('-t', filter);
  const t0 = performance.now();
  return new Promise((done) => {
    const child = spawn(join(dir, 'node_modules/.bin/vitest'), args.slice(1), { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    running = child;
    let log = '';
    const keep = (b: Buffer): void => {
      log = (log + b.toString()).slice(-20_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    }, RUN_TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      running = undefined;
      let report: VitestJson | null;
      try {
        report = JSON.parse(readFileSync(out, 'utf8')) as VitestJson;
      } catch {
        report = null;
      }
      rmSync(out, { force: true });
      if (process.env['MUTANTS_VERBOSE'] !== undefined) process.stderr.write(log);
      done({ code, timedOut, report, seconds: (performance.now() - t0) / 1000 });
    });
  });
}

function failedNames(r: VitestJson | null): string[] {
  const names: string[] = [];
  for (const f of r?.testResults ?? []) for (const a of f.assertionResults ?? []) if (a.status === 'failed') names.push(a.fullName ?? '?');
  return names;
}

function tuningProfileSupported(dir: string): boolean {
  try {
    return execFileSync('grep', ['-rl', 'GPUKIT_TUNING_PROFILE', join(dir, 'src')], { encoding: 'utf8' }).trim() !== '';
  } catch {
    return false;
  }
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

async function main(): Promise<void> {
  const only = arg('--only')?.split(',');
  const list = only === undefined ? MUTANTS : MUTANTS.filter((m) => only.includes(m.id));
  if (only !== undefined && list.length !== only.length) throw new Error(`unknown mutant id in --only: ${only.filter((id) => !MUTANTS.some((m) => m.id === id)).join(', ')}`);
  // Every mutant must apply to the current source before anything runs (a drifted one is an error).
  const originals = new Map<string, string>();
  for (const m of list) {
    const text = originals.get(m.file) ?? readFileSync(join(ROOT, m.file), 'utf8');
    originals.set(m.file, text);
    mutate(m, text);
  }
  if (process.argv.includes('--list')) {
    for (const m of list) console.log(`${pad(m.id, 32)} ${m.file}:${lineOf(m, originals.get(m.file) ?? '')}  [${m.engine}] ${m.what}`);
    return;
  }
  const dir = copyTree();
  copyDir = dir;
  console.log(`mutants: ${list.length} on a copy of the tree in ${dir}`);
  const profile = tuningProfileSupported(dir);
  let broken = false;
  try {
    // Baseline: each distinct (engine, env, tests, filter) on the unmutated copy must pass with no skips.
    if (!process.argv.includes('--no-baseline')) {
      const seen = new Set<string>();
      for (const m of list) {
        if (m.needs === 'tuning profile' && !profile) continue;
        const tests = presentTests(dir, m);
        const key = JSON.stringify([m.engine, m.env ?? {}, tests, m.filter ?? null]);
        if (seen.has(key)) continue;
        seen.add(key);
        const r = await vitest(dir, tests, m.filter, envFor(m.engine, m.env));
        const total = r.report?.numTotalTests ?? 0;
        const passed = r.report?.numPassedTests ?? 0;
        // Tests outside a -t filter are reported as skipped; without a filter every test must pass.
        const ok = r.code === 0 && passed > 0 && (r.report?.numFailedTests ?? 0) === 0 && (m.filter !== undefined || passed === total);
        console.log(`baseline [${m.engine}] ${tests.join(' ')}${m.filter !== undefined ? ` -t '${m.filter}'` : ''}: ${ok ? 'passed' : 'FAILED'} (${passed}/${total} tests, ${r.seconds.toFixed(0)} s)`);
        if (!ok) {
          broken = true;
          console.log(`  failing: ${failedNames(r.report).join('; ') || `exit ${String(r.code)}`}`);
        }
      }
      if (broken) throw new Error('the baseline fails: fix the suite before judging mutants');
    }

    const rows: { m: Mutant; where: string; o: Outcome }[] = [];
    for (const m of list) {
      const original = originals.get(m.file) ?? '';
      const where = `${m.file}:${lineOf(m, original)}`;
      if (m.needs === 'tuning profile' && !profile) {
        const o: Outcome = { status: 'not run', seconds: 0, detail: 'needs tuning profile (src/ does not read GPUKIT_TUNING_PROFILE yet)' };
        rows.push({ m, where, o });
        console.log(`${pad(m.id, 32)} not run: ${o.detail}`);
        continue;
      }
      const target = join(dir, m.file);
      writeFileSync(target, mutate(m, original));
      let o: Outcome;
      try {
        const r = await vitest(dir, presentTests(dir, m), m.filter, envFor(m.engine, m.env));
        const failed = failedNames(r.report);
        if (r.timedOut) o = { status: 'killed', seconds: r.seconds, detail: `timed out after ${String(RUN_TIMEOUT_MS / 1000)} s` };
        else if (r.code !== 0) o = { status: 'killed', seconds: r.seconds, detail: failed.length > 0 ? `${String(failed.length)} failed, first: ${failed[0] ?? ''}` : `vitest exit ${String(r.code)} without a failed test (an error outside tests)` };
        else o = { status: 'survived', seconds: r.seconds, detail: `${String(r.report?.numPassedTests ?? 0)} tests passed` };
      } finally {
        writeFileSync(target, original);
      }
      const missing = m.tests.filter((t) => !existsSync(join(dir, t)));
      if (missing.length > 0) o = { ...o, detail: `${o.detail} (not in this tree: ${missing.join(', ')})` };
      rows.push({ m, where, o });
      console.log(`${pad(m.id, 32)} ${o.status} (${o.seconds.toFixed(0)} s): ${o.detail}`);
    }

    const table = [
      '| mutant | where | tests run | engine | result | s |',
      '|---|---|---|---|---|---|',
      ...rows.map(({ m, where, o }) => {
        const tests = m.tests.map((t) => t.replace(/^test\//, '') + (existsSync(join(dir, t)) ? '' : ' (absent)')).join(', ') + (m.filter !== undefined ? ` \`-t '${m.filter}'\`` : '');
        const engine = m.engine + (m.env !== undefined ? ` ${Object.entries(m.env).map(([k, v]) => `${k}=${v}`).join(' ')}` : '');
        return `| ${m.id} | ${where} | ${tests} | ${engine} | ${o.status}${o.status === 'not run' ? ` (${m.needs ?? ''})` : ''} | ${o.seconds.toFixed(0)} |`;
      }),
    ];
    console.log(`\n${table.join('\n')}`);
    const killed = rows.filter((r) => r.o.status === 'killed').length;
    const bad = rows.filter((r) => r.o.status !== 'killed');
    console.log(`\n${String(killed)} of ${String(rows.length)} mutants killed`);
    for (const r of bad) console.log(`  ${r.o.status}: ${r.m.id}: ${r.o.detail}${r.m.note !== undefined ? `; ${r.m.note}` : ''}`);
    const md = arg('--markdown');
    if (md !== undefined) writeFileSync(md, `${table.join('\n')}\n`);
    if (bad.length > 0) process.exitCode = 1;
  } finally {
    if (process.argv.includes('--keep')) console.log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
