import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The installer shipped in the package (`files` lists scripts/); src/cli and dist/cli both sit two levels down. */
export const SETUP_SCRIPT = fileURLToPath(new URL('../../scripts/setup-software-gpu.sh', import.meta.url));

/**
 * `gpukit setup [--dry-run]`: installs the software adapter (Mesa lavapipe, EGL/GLES) on Debian or Ubuntu by
 * running the package's scripts/setup-software-gpu.sh, which says what it did, does nothing when all is in
 * place, and on other systems says what to install. Returns its exit status.
 */
export function runSetup(opts: { readonly dryRun?: boolean } = {}): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn('bash', [SETUP_SCRIPT, ...(opts.dryRun === true ? ['--dry-run'] : [])], { stdio: 'inherit' });
    child.on('error', (e) => {
      console.error(`gpukit setup: cannot run bash (${e.message}); the installer is ${SETUP_SCRIPT}`);
      resolve(1);
    });
    child.on('close', (code) => { resolve(code ?? 1); });
  });
}
