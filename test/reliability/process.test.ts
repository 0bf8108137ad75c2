import { execFile } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';

const run = promisify(execFile);

async function child(...args: string[]): Promise<Record<string, number>> {
  const script = fileURLToPath(new URL('./child-memory.ts', import.meta.url));
  const { stdout } = await run(process.execPath, ['--expose-gc', '--import', 'tsx', script, ...args], { timeout: 170_000, maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as Record<string, number>;
}

async function runaway(scenario: string, timeout = 120_000): Promise<{ lines: Record<string, unknown>[]; wallMs: number }> {
  const script = fileURLToPath(new URL('./child-runaway.ts', import.meta.url));
  const t0 = performance.now();
  const { stdout } = await run(process.execPath, ['--import', 'tsx', script, scenario], { timeout, maxBuffer: 1 << 20 });
  const lines = stdout.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  return { lines, wallMs: performance.now() - t0 };
}

test('a runaway kernel: the readback times out with TimeoutError, the device is given up, close() returns at once and the process exits', { timeout: 130_000 }, async () => {
  // The kernel runs ~4e9 iterations: close to a minute on lavapipe here. Before, the readback never
  // settled, close() blocked the thread until the kernel ended and the process could not exit before it.
  const { lines, wallMs } = await runaway('runaway');
  const [r, exit] = lines;
  expect(r).toMatchObject({ read: 'TimeoutError', later: 'DeviceLostError' });
  expect(r?.['closeMs']).toBeLessThan(3000);
  expect(r?.['ticksDuringClose']).toBeGreaterThan(0); // the event loop ran while close() was pending
  expect(exit?.['exitAt']).toBeLessThan(15_000);
  console.log(`runaway kernel: readback gave up at ${String(r?.['readAt'])} ms, close() took ${String(r?.['closeMs'])} ms, process exited at ${String(exit?.['exitAt'])} ms (child wall ${Math.round(wallMs)} ms)`);
});

test('a script whose last act is a runaway kernel and a readback with timeoutMs exits by itself, without close()', { timeout: 60_000 }, async () => {
  // The kernel runs for many minutes. Before, the exit watch started only in close(): a script that caught
  // the TimeoutError and ended kept running until the kernel did (execFile's timeout then fails this test).
  const { lines, wallMs } = await runaway('no-close', 40_000);
  const [r, exit] = lines;
  expect(r).toMatchObject({ read: 'TimeoutError' });
  expect(exit?.['exitAt']).toBeLessThan(10_000);
  expect(wallMs).toBeLessThan(20_000);
  console.log(`runaway kernel, no close(): readback gave up at ${String(r?.['readAt'])} ms, process exited at ${String(exit?.['exitAt'])} ms`);
});

/** Runs child-ulimit.ts under `ulimit -v` of its own start-up size plus `extra` bytes; returns its JSON lines and exit status. */
async function underUlimit(scenario: string, extra: number): Promise<{ lines: Record<string, unknown>[]; code: number | string }> {
  const script = fileURLToPath(new URL('./child-ulimit.ts', import.meta.url));
  const probe = await run(process.execPath, ['--import', 'tsx', script, 'probe'], { timeout: 30_000 });
  const base = (JSON.parse(probe.stdout.trim()) as { vmSize: number }).vmSize;
  const kb = Math.ceil((base + extra) / 1024);
  const cmd = `ulimit -v ${kb}; exec "${process.execPath}" --import tsx "${script}" ${scenario}`;
  try {
    const { stdout } = await run('bash', ['-c', cmd], { timeout: 60_000, maxBuffer: 1 << 20 });
    return { lines: stdout.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>), code: 0 };
  } catch (e) {
    const f = e as { code?: number; signal?: string; stdout?: string };
    return { lines: (f.stdout ?? '').trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>), code: f.signal ?? f.code ?? 'failed' };
  }
}

test('under ulimit -v the default budget is based on the address space left: too large an allocation and a readback past it are OutOfMemoryError, no crash', { timeout: 60_000 }, async () => {
  // Before, the budget was 3/4 of the machine's memory: an array past the address space left was "made"
  // (Dawn's allocation failed silently) and the first write into it crashed the process (SIGSEGV).
  const { lines, code } = await underUlimit('budget', 2.5 * 2 ** 30);
  const [open, over, within, readback] = lines;
  expect(code).toBe(0);
  const room = Number(open?.['roomAtOpen']);
  // The budget is 3/4 of the room under the limit when the device opened (VmSize moves a little between
  // that reading and the child's own, hence the 2 % either way).
  expect(open?.['basis']).toMatch(/ulimit -v/);
  expect(Number(open?.['budget'])).toBeGreaterThan(0.75 * room * 0.98);
  expect(Number(open?.['budget'])).toBeLessThan(0.75 * room * 1.02);
  expect(over).toEqual({ over: 'OutOfMemoryError', inUse: 0 });
  expect(within).toEqual({ within: 3.5, head: [1.5, -2, 4] });
  expect(readback?.['readback']).toBe('OutOfMemoryError');
  expect(readback?.['message']).toMatch(/host memory.*ulimit -v/);
});

test('under a ulimit -v too small for Dawn, opening it is a DeviceUnavailableError, not a crash', { timeout: 60_000 }, async () => {
  // Before, with ~0.3 GiB of address space left Dawn crashed (SIGSEGV) inside the adapter request.
  const { lines, code } = await underUlimit('open', 0.3 * 2 ** 30);
  expect(code).toBe(0);
  expect(lines[0]?.['open']).toBe('DeviceUnavailableError');
  expect(lines[0]?.['message']).toMatch(/ulimit -v leaves this process/);
});

test('close() waits for a slow kernel without blocking the event loop', { timeout: 130_000 }, async () => {
  const { lines } = await runaway('slow-close');
  const r = lines[0];
  // GPUDevice.destroy() blocks the thread until the GPU is idle; close() first waits for it asynchronously.
  expect(r?.['ticksDuringClose']).toBeGreaterThan(5);
  console.log(`slow kernel: close() took ${String(r?.['closeMs'])} ms, the 20 ms timer fired ${String(r?.['ticksDuringClose'])} times meanwhile`);
});

test('300 device open/close cycles keep memory flat', { timeout: 180_000 }, async () => {
  // Each cycle used to keep its Dawn instance (~2.2 MiB each: 100 cycles grew RSS by 224 MiB here).
  // Devices now share one instance per flag set: 300 cycles grew RSS by ~30 MiB (Dawn's and malloc's own
  // caches), so the bound below is loose enough for a loaded machine and far below the old growth.
  const r = await child('cycles', '300');
  const rss = ((r['rss1'] ?? 0) - (r['rss0'] ?? 0)) / 2 ** 20;
  const heap = ((r['heap1'] ?? 0) - (r['heap0'] ?? 0)) / 2 ** 20;
  console.log(`300 open/close cycles: RSS +${rss.toFixed(1)} MiB, JS heap +${heap.toFixed(2)} MiB`);
  expect(heap).toBeLessThan(8);
  expect(rss).toBeLessThan(96);
});
