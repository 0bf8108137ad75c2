/**
 * A real fleet on this machine for the tests: Debian's redis-server on a free 127.0.0.1 port (no persistence,
 * a random password given on its stdin, never on a command line) and `gpukit worker` processes from the
 * sources (tsx), each on its own engine, allowed the job modules of test/fleet/jobs and examples/fleet. Everything started here is
 * stopped by process id in `stopAll()`, which each test file calls in afterAll (so also after a failure).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Fleet } from '../../src/fleet/index.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Environment of each engine's worker (as .ci/run's passes set them). */
export const ENGINES = {
  core: {},
  compat: { GPUKIT_BACKEND: 'opengles', GPUKIT_FEATURE_LEVEL: 'compatibility', EGL_PLATFORM: 'surfaceless' },
  gpujs: { VK_ICD_FILENAMES: '/nonexistent', __EGL_VENDOR_LIBRARY_FILENAMES: '/nonexistent' },
} as const;

const started = new Set<ChildProcess>();

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a !== null ? a.port : 0;
      s.close(() => { resolve(port); });
    });
  });
}

/** Waits until `child`'s stdout has a line matching `re`; rejects if it exits first or after `ms`. */
function waitForLine(child: ChildProcess, out: { text: string }, re: RegExp, ms: number, what: string): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      const m = re.exec(out.text);
      if (m === null) return false;
      cleanup();
      resolve(m);
      return true;
    };
    const onData = (): void => void check();
    const onExit = (code: number | null): void => {
      cleanup();
      reject(new Error(`${what} exited (${String(code)}) before printing ${String(re)}:\n${out.text}`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`${what}: no ${String(re)} within ${String(ms)} ms:\n${out.text}`));
    }, ms);
    const cleanup = (): void => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
    };
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
    check();
  });
}

export interface RedisProcess {
  readonly port: number;
  /** `redis://:password@127.0.0.1:port`, or `rediss://` when started with TLS. */
  readonly url: string;
  readonly password: string;
  /** With TLS: the file of the test CA that signed the server's certificate. */
  readonly ca?: string;
  pid(): number | undefined;
  /** Stops this Redis (SIGKILL-free: SIGTERM, it has nothing to save) and starts a fresh one on the same port. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** A throw-away CA and a server certificate for 127.0.0.1 signed by it (openssl, EC keys: a few ms). */
function makeCertificates(): { dir: string; ca: string } {
  const dir = mkdtempSync(join(tmpdir(), 'gpukit-tls-'));
  const ssl = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=gpukit test CA');
  ssl('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  writeFileSync(join(dir, 'ext'), 'subjectAltName=IP:127.0.0.1\n');
  ssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '1', '-extfile', 'ext');
  return { dir, ca: join(dir, 'ca.crt') };
}

async function spawnRedis(port: number, password: string, tlsDir?: string): Promise<ChildProcess> {
  const listen = tlsDir === undefined
    ? ['--port', String(port)]
    : ['--port', '0', '--tls-port', String(port), '--tls-cert-file', join(tlsDir, 'server.crt'), '--tls-key-file', join(tlsDir, 'server.key'), '--tls-ca-cert-file', join(tlsDir, 'ca.crt'), '--tls-auth-clients', 'no'];
  // '-': the rest of the configuration from stdin, so the password is not in the process list.
  const child = spawn('redis-server', ['-', ...listen, '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--loglevel', 'warning', '--logfile', ''], { stdio: ['pipe', 'pipe', 'pipe'] });
  started.add(child);
  child.stdin.end(`requirepass ${password}\n`);
  const out = { text: '' };
  child.stdout.on('data', (d: Buffer) => (out.text += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out.text += d.toString()));
  // With loglevel warning it prints nothing when ready: poll the port instead.
  const t0 = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis-server exited (${String(child.exitCode)}):\n${out.text}`);
    if (await canConnect(port)) return child;
    if (Date.now() - t0 > 10_000) throw new Error(`redis-server on ${String(port)} not reachable in 10 s:\n${out.text}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function canConnect(port: number): Promise<boolean> {
  const { connect } = await import('node:net');
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => { resolve(false); });
  });
}

async function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    started.delete(child);
    return;
  }
  const exited = new Promise<void>((r) => child.once('exit', () => { r(); }));
  if (child.pid !== undefined) process.kill(child.pid, 'SIGTERM');
  const timer = setTimeout(() => {
    if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
  }, graceMs);
  await exited;
  clearTimeout(timer);
  started.delete(child);
}

/** Starts Debian's redis-server on a free port of 127.0.0.1, without persistence, with a password (and TLS). */
export async function startRedis(o: { readonly tls?: boolean } = {}): Promise<RedisProcess> {
  const port = await freePort();
  const password = randomBytes(16).toString('hex');
  const certs = o.tls === true ? makeCertificates() : undefined;
  let child = await spawnRedis(port, password, certs?.dir);
  return {
    port,
    url: `${certs !== undefined ? 'rediss' : 'redis'}://:${password}@127.0.0.1:${String(port)}`,
    password,
    ...(certs !== undefined ? { ca: certs.ca } : {}),
    pid: () => child.pid,
    async restart() {
      await stopChild(child);
      child = await spawnRedis(port, password, certs?.dir);
    },
    stop: () => stopChild(child),
  };
}

export interface WorkerProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly kind: string;
  readonly id: string;
  /** Everything it printed so far. */
  output(): string;
  /** Resolves with the match once its output has a line matching `re`. */
  waitFor(re: RegExp, ms?: number): Promise<RegExpMatchArray>;
  /** SIGTERM (graceful), SIGKILL after a grace period. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL now, as a crash would. */
  kill(): Promise<void>;
}

/** The job modules the tests' workers may run (besides what a test adds). */
export const TEST_MODULES = [fileURLToPath(new URL('./jobs/', import.meta.url)), join(root, 'examples', 'fleet')] as const;

/**
 * Starts `gpukit worker` on `engine` with short lock and stalled intervals, allowed `modules`, and waits until
 * it announces itself. `lockMs` (default 1500, so a killed worker's job is recovered within seconds) is raised by
 * tests whose shards are bench sweeps: a sweep's CPU contenders hold the event loop for longer than that on a
 * loaded machine, the lock is not renewed, and BullMQ fails the shard as stalled.
 */
export async function startWorker(redisUrl: string, engine: keyof typeof ENGINES, queues: string, o: { readonly modules?: readonly string[]; readonly extra?: readonly string[]; readonly env?: Readonly<Record<string, string>>; readonly lockMs?: number } = {}): Promise<WorkerProcess> {
  const extra = o.extra ?? [];
  const modules = o.modules ?? TEST_MODULES;
  const env: Record<string, string> = {};
  // Each worker's engine comes from ENGINES alone, whatever the test run's own environment selects.
  const dropped = new Set(['GPUKIT_ENGINE', 'GPUKIT_BACKEND', 'GPUKIT_FEATURE_LEVEL', 'GPUKIT_ADAPTER', 'GPUKIT_TUNING_PROFILE', 'VK_ICD_FILENAMES', '__EGL_VENDOR_LIBRARY_FILENAMES', 'GPUKIT_QUEUE', 'GPUKIT_REDIS_URL', 'GPUKIT_WORKER_MODULES']);
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !dropped.has(k)) env[k] = v;
  Object.assign(env, ENGINES[engine], o.env);
  env['XDG_RUNTIME_DIR'] = process.env['XDG_RUNTIME_DIR'] ?? mkdtempSync(join(tmpdir(), 'gpukit-fleet-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'worker', '--redis', redisUrl, '--queue', queues, '--lock-ms', String(o.lockMs ?? 1500), '--stalled-ms', String(Math.min(1000, o.lockMs ?? 1500)), ...(modules.length > 0 ? ['--modules', ...modules] : []), ...extra], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.add(child);
  const out = { text: '' };
  child.stdout.on('data', (d: Buffer) => (out.text += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out.text += d.toString()));
  const m = await waitForLine(child, out, /gpukit worker: ready (\{.*\})/, 45_000, `worker (${engine})`);
  const identity = JSON.parse(m[1] ?? '{}') as { id: string; kind: string };
  return {
    child,
    pid: child.pid ?? -1,
    kind: identity.kind,
    id: identity.id,
    output: () => out.text,
    waitFor: (re, ms = 30_000) => waitForLine(child, out, re, ms, `worker (${engine})`),
    stop: (graceMs) => stopChild(child, graceMs),
    async kill() {
      const exited = new Promise<void>((r) => child.once('exit', () => { r(); }));
      process.kill(child.pid ?? -1, 'SIGKILL');
      await exited;
      started.delete(child);
    },
  };
}

/**
 * afterAll of a test file with a fleet handle: closes the handle, then stops every process by pid (even if
 * beforeAll failed before the handle existed, or closing it throws).
 */
export async function closeAll(f: Fleet | undefined): Promise<void> {
  try {
    await f?.close();
  } finally {
    await stopAll();
  }
}

/** Stops every process this harness started (workers first, then Redis), by pid. */
export async function stopAll(): Promise<void> {
  const all = [...started];
  const redis = all.filter((c) => c.spawnfile === 'redis-server');
  await Promise.all(all.filter((c) => !redis.includes(c)).map((c) => stopChild(c, 3_000)));
  await Promise.all(redis.map((c) => stopChild(c)));
}
