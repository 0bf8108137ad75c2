import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { gpukit, messages } from './spawn.js';

const dir = mkdtempSync(join(tmpdir(), 'gpukit-sigint-'));
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

interface Point {
  readonly n: number;
  readonly medianMs: number;
  readonly samples: number;
}
interface Report {
  readonly interrupted?: string;
  readonly ops: readonly { readonly name: string; readonly sizes: readonly number[]; readonly contenders: readonly { readonly name: string; readonly points: readonly Point[] }[] }[];
}

test('Ctrl-C during gpukit bench writes what was measured, marked partial, and exits 130 (was: the sweep lost)', async () => {
  const json = join(dir, 'b.json');
  const html = join(dir, 'b.html');
  let sent = false;
  // Two ops on the CPU contenders alone (fast, on any engine); SIGINT once the first op's first measurement shows.
  const r = await gpukit(['bench', 'axpy', 'sum', '--quick', '--progress', '--sizes', '2^10,2^12', '--contenders', 'cpu-1t,cpu-pool', '--json', json, '--html', html], {
    onStderr: (soFar, child) => {
      if (!sent && /axpy 2\^10 cpu-/.test(soFar)) {
        sent = true;
        child.kill('SIGINT');
      }
    },
  });
  expect(sent, r.stderr).toBe(true);
  expect(r.status, r.stderr).toBe(130);
  expect(messages(r.stderr).join('\n')).toMatch(/gpukit bench: interrupted: .*only what was measured/);
  expect(r.stderr).not.toMatch(/^\s+at /m);
  expect(r.stdout).toMatch(/!! partial report: interrupted after \d+ of 16 measurements/);
  expect(r.stdout).toContain(`JSON written to ${json}`);
  const report = JSON.parse(readFileSync(json, 'utf8')) as Report;
  const m = /^interrupted after (\d+) of 16 measurements/.exec(report.interrupted ?? '');
  expect(m, report.interrupted).not.toBeNull();
  const done = Number(m?.[1]);
  // The measured part: at least the measurement running at the signal, never the whole sweep; every point
  // holds real samples, and no op, size or contender appears that was not measured.
  expect(done).toBeGreaterThanOrEqual(1);
  expect(done).toBeLessThan(16);
  const points = report.ops.flatMap((o) => o.contenders.flatMap((c) => c.points));
  expect(points.length).toBeGreaterThanOrEqual(1);
  expect(points.length).toBeLessThanOrEqual(done);
  for (const p of points) {
    expect(p.samples).toBeGreaterThan(0);
    expect(p.medianMs).toBeGreaterThan(0);
    expect([1024, 4096]).toContain(p.n);
  }
  expect(report.ops[0]?.name).toBe('axpy');
  for (const o of report.ops) for (const c of o.contenders) expect(c.points.length, `${o.name} ${c.name}`).toBeGreaterThan(0);
  expect(readFileSync(html, 'utf8')).toContain('<b>Partial report.</b> interrupted after');
});
