import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  /** stderr with progress-bar carriage returns turned into line breaks. */
  readonly stderr: string;
  readonly ms: number;
}

/**
 * Runs `gpukit <args>` from the sources (tsx) in a child process. `onStderr` sees stderr as it arrives
 * (to act mid-run, e.g. once calibration has started, or to signal the child).
 */
export function gpukit(args: readonly string[], opts: { env?: Readonly<Record<string, string>>; timeoutMs?: number; onStderr?: (soFar: string, child: ChildProcess) => void } = {}): Promise<CliResult> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: root, env: { ...process.env, ...opts.env }, timeout: opts.timeoutMs ?? 60_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      opts.onStderr?.(stderr, child);
    });
    child.on('error', reject);
    child.on('close', (status) => {
      resolve({ status, stdout, stderr: stderr.replaceAll('\r', '\n'), ms: performance.now() - t0 });
    });
  });
}

/** stderr lines that are not blank, not progress-bar redraws and not Dawn's own adapter warnings. */
export function messages(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('[') && !/^Warning: maxDynamic/.test(l));
}
