import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GpukitError } from '../errors.js';

let kernelsDir: string | undefined;

/** The package's `kernels/` folder (found upward from this module, so it works from src/ and dist/). */
export function packageKernelsDir(): string {
  if (kernelsDir !== undefined) return kernelsDir;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'kernels')) && existsSync(join(dir, 'package.json'))) return (kernelsDir = join(dir, 'kernels'));
    dir = dirname(dir);
  }
  throw new GpukitError('gpukit: cannot find its kernels/ folder next to package.json (is the package installed with its kernels/?)');
}
