/**
 * The same ops on each JavaScript runtime and WebGPU implementation, side by side, in one run on one machine:
 * Node/Dawn, Bun/Dawn, Deno/wgpu (Deno's built-in WebGPU) and Deno/Dawn (the `webgpu` addon loaded by Deno).
 * Each row is `gpukit bench` itself (the one harness: gpu-kernel = GPU timestamps around the compute passes,
 * inputs resident; gpu-e2e = upload + kernel + download, wall clock) run as a child process under that runtime,
 * with the runtimes' binaries from the pinned `bun` and `deno` devDependencies. The runtimes are run in turn,
 * `--rounds` times over (interleaved, so a load that comes and goes hits every runtime alike); each cell is the
 * lowest of the rounds' medians, and the spread of the rounds is printed beside it.
 *
 *   npm run build && npx tsx bench/runtimes.ts [--ops sum,scan,sort,matmul] [--sizes 2^12,2^18,2^22] [--rounds 2] [--json out.json]
 *
 * Needs the built CLI (dist/, `npm run build`): Bun and Deno run bin/gpukit.js as a user's project would.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchReport } from '../src/bench/analyze.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** One runtime × WebGPU implementation: how to start `gpukit` under it. */
interface Target {
  readonly name: string;
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

const BIN = join(ROOT, 'bin', 'gpukit.js');
const TARGETS: readonly Target[] = [
  { name: 'node/dawn', argv: [process.execPath, BIN], env: { GPUKIT_WEBGPU: 'dawn' } },
  { name: 'bun/dawn', argv: [join(ROOT, 'node_modules', '.bin', 'bun'), BIN], env: { GPUKIT_WEBGPU: 'dawn' } },
  { name: 'deno/wgpu', argv: [join(ROOT, 'node_modules', '.bin', 'deno'), 'run', '-A', '--unstable-webgpu', BIN], env: { GPUKIT_WEBGPU: 'wgpu' } },
  { name: 'deno/dawn', argv: [join(ROOT, 'node_modules', '.bin', 'deno'), 'run', '-A', BIN], env: { GPUKIT_WEBGPU: 'dawn' } },
];

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

const ops = arg('ops', 'sum,scan,sort,matmul').split(',');
const sizes = arg('sizes', '2^12,2^18,2^22');
const rounds = Number(arg('rounds', '2'));
const jsonOut = process.argv.includes('--json') ? arg('json', '') : undefined;

function cpuName(): string {
  try {
    const out = execFileSync('lscpu', { encoding: 'utf8' });
    const model = /^Model name:\s*(.+)$/m.exec(out)?.[1]?.trim() ?? 'unknown CPU';
    const cpus = /^CPU\(s\):\s*(\d+)$/m.exec(out)?.[1] ?? '?';
    return `${model}, ${cpus} CPUs (lscpu)`;
  } catch {
    return 'unknown CPU (no lscpu)';
  }
}

interface Cell {
  kernel: number[];
  e2e: number[];
}

const work = mkdtempSync(join(tmpdir(), 'gpukit-runtimes-'));
/** results[target][op][n] */
const results = new Map<string, Map<string, Map<number, Cell>>>();
const labels = new Map<string, { runtime: string; adapter: string }>();
const failures: string[] = [];

try {
  for (let round = 0; round < rounds; round++) {
    for (const t of TARGETS) {
      const out = join(work, `${t.name.replace('/', '-')}-${round}.json`);
      const [cmd, ...rest] = t.argv;
      if (cmd === undefined) continue;
      const r = spawnSync(cmd, [...rest, 'bench', ...ops, '--sizes', sizes, '--contenders', 'gpu-kernel,gpu-e2e', '--quick', '--no-progress', '--json', out], {
        cwd: ROOT,
        env: { ...process.env, ...t.env },
        encoding: 'utf8',
        timeout: 600_000,
      });
      if (r.status !== 0) {
        failures.push(`${t.name} (round ${round + 1}): exit ${String(r.status)} ${(r.stderr || r.stdout).split('\n').filter((l) => !l.startsWith('Warning:')).slice(-5).join(' | ')}`);
        continue;
      }
      const report = JSON.parse(readFileSync(out, 'utf8')) as BenchReport;
      labels.set(t.name, { runtime: report.runtime !== undefined ? `${report.runtime.name} ${report.runtime.version}` : 'unknown', adapter: report.adapter.description });
      const byOp = results.get(t.name) ?? new Map<string, Map<number, Cell>>();
      results.set(t.name, byOp);
      for (const op of report.ops) {
        const byN = byOp.get(op.name) ?? new Map<number, Cell>();
        byOp.set(op.name, byN);
        for (const c of op.contenders) {
          for (const p of c.points) {
            const cell = byN.get(p.n) ?? { kernel: [], e2e: [] };
            byN.set(p.n, cell);
            if (c.role === 'gpu-kernel') cell.kernel.push(p.medianMs);
            if (c.role === 'gpu-e2e') cell.e2e.push(p.medianMs);
          }
        }
      }
      process.stderr.write(`runtimes: ${t.name} round ${round + 1}/${rounds} done\n`);
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

function ms(v: readonly number[]): string {
  if (v.length === 0) return '—';
  const lo = Math.min(...v);
  const hi = Math.max(...v);
  const f = (x: number): string => (x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3));
  return v.length > 1 && hi / lo > 1.05 ? `${f(lo)} (≤${f(hi)})` : f(lo);
}

const names = TARGETS.map((t) => t.name).filter((n) => results.has(n));
const lines: string[] = [];
lines.push(`CPU: ${cpuName()}`);
for (const n of names) {
  const l = labels.get(n);
  if (l !== undefined) lines.push(`- ${n}: ${l.runtime}; ${l.adapter}`);
}
lines.push(`Command: npx tsx bench/runtimes.ts --ops ${ops.join(',')} --sizes ${sizes} --rounds ${rounds} (gpukit bench --quick, contenders gpu-kernel and gpu-e2e; ms, lowest of ${rounds} round medians, (≤max) when the rounds differ by > 5 %)`);
lines.push('');
lines.push(`| op | n | ${names.map((n) => `${n} kernel`).join(' | ')} | ${names.map((n) => `${n} e2e`).join(' | ')} |`);
lines.push(`|---|---|${names.map(() => '---:').join('|')}|${names.map(() => '---:').join('|')}|`);
for (const op of ops) {
  const ns = new Set<number>();
  for (const n of names) for (const k of results.get(n)?.get(op)?.keys() ?? []) ns.add(k);
  for (const size of [...ns].sort((a, b) => a - b)) {
    const cells = names.map((n) => results.get(n)?.get(op)?.get(size));
    lines.push(`| ${op} | 2^${Math.log2(size).toFixed(0)} | ${cells.map((c) => ms(c?.kernel ?? [])).join(' | ')} | ${cells.map((c) => ms(c?.e2e ?? [])).join(' | ')} |`);
  }
}
if (failures.length > 0) lines.push('', 'Failed runs:', ...failures.map((f) => `- ${f}`));
console.log(lines.join('\n'));
if (jsonOut !== undefined && jsonOut !== '') {
  const plain = Object.fromEntries([...results].map(([t, byOp]) => [t, Object.fromEntries([...byOp].map(([op, byN]) => [op, Object.fromEntries([...byN].map(([n, c]) => [n, c]))]))]));
  writeFileSync(jsonOut, JSON.stringify({ cpu: cpuName(), labels: Object.fromEntries(labels), ops, sizes, rounds, results: plain, failures }, null, 2));
}
process.exitCode = failures.length > 0 ? 1 : 0;
