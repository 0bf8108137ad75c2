/**
 * Which JavaScript runtime gpukit runs in (Node, Bun or Deno), for `device.info`, `gpukit info` and the bench's
 * reports: the same op can take different paths on each (Deno has WebGPU built in; Bun and Deno load the
 * `webgpu` package as a Node-API addon), so a timing or a failure is only meaningful with its runtime named.
 */

/** A JavaScript runtime gpukit supports. */
export type RuntimeName = 'node' | 'bun' | 'deno';

/** The runtime and its version. */
export interface RuntimeInfo {
  readonly name: RuntimeName;
  readonly version: string;
}

interface RuntimeGlobals {
  readonly Deno?: { readonly version?: { readonly deno?: string } };
  readonly Bun?: { readonly version?: string };
}

/**
 * The runtime this process runs in. Deno and Bun both set `process.versions.node` (they emulate Node), so
 * their own globals are asked first.
 *
 * @example
 * ```ts
 * const { name, version } = currentRuntime(); // { name: 'deno', version: '2.9.6' }
 * ```
 */
export function currentRuntime(): RuntimeInfo {
  const g = globalThis as RuntimeGlobals;
  const deno = g.Deno?.version?.deno;
  if (typeof deno === 'string') return { name: 'deno', version: deno };
  const bun = g.Bun?.version ?? (process.versions as Record<string, string | undefined>)['bun'];
  if (typeof bun === 'string') return { name: 'bun', version: bun };
  return { name: 'node', version: process.versions.node };
}

/** `deno 2.9.6`, `bun 1.4.5`, `node 20.19.0`. */
export function runtimeLabel(r: RuntimeInfo = currentRuntime()): string {
  return `${r.name} ${r.version}`;
}
