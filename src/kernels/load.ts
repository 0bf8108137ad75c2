import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { ArgumentError } from '../errors.js';
import { composeKernel } from './compose.js';

export { packageKernelsDir } from './dir.js';
export { composeKernel, type KernelParams } from './compose.js';

/** One of gpukit's own kernels (`kernels/<name>.wgsl`) composed with its modules and default parameters, cached. */
export function builtinKernel(name: string): string {
  return composeKernel(name);
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
