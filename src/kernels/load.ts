import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArgumentError, GpukitError } from '../errors.js';

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

const sources = new Map<string, string>();

/** Reads one of gpukit's own kernels (`kernels/<name>.wgsl`), cached. */
export function builtinKernel(name: string): string {
  let s = sources.get(name);
  if (s === undefined) {
    s = readFileSync(join(packageKernelsDir(), `${name}.wgsl`), 'utf8');
    sources.set(name, s);
  }
  return s;
}

/** WGSL text from a string of WGSL, a `file:` URL or a URL object. */
export async function resolveSource(src: string | URL): Promise<{ code: string; label?: string }> {
  if (src instanceof URL || (typeof src === 'string' && /^file:\/\//.test(src))) {
    let path: string;
    try {
      const url = src instanceof URL ? src : new URL(src);
      if (url.protocol !== 'file:') throw new ArgumentError(`kernel source URL must be a file: URL, got ${url.protocol}`);
      path = fileURLToPath(url);
    } catch (e) {
      if (e instanceof ArgumentError) throw e;
      throw new ArgumentError(`kernel source ${String(src)} is not a usable file URL: ${(e as Error).message}`, { cause: e });
    }
    let code: string;
    try {
      code = await readFile(path, 'utf8');
    } catch (e) {
      const why = (e as { code?: unknown }).code === 'ENOENT' ? 'no such file' : (e as Error).message;
      throw new ArgumentError(`kernel source ${String(src)} cannot be read (${path}): ${why}`, { cause: e });
    }
    return { code, label: path.split('/').at(-1) ?? path };
  }
  if (typeof src !== 'string') throw new ArgumentError(`kernel source must be WGSL text or a file URL, got ${typeof src}`);
  return { code: src };
}
