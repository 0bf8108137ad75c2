/**
 * How a test starts a TypeScript child process in the runtime it runs in itself (Node, Bun or Deno), with the
 * garbage collector exposed: `process.execPath` is that runtime's binary, but each takes other flags (Node needs
 * tsx for TypeScript; Deno needs `run`, its permissions, `.js` → `.ts` resolution and V8 flags passed through).
 */
export function tsChild(script: string, args: readonly string[] = []): { command: string; args: string[] } {
  const deno = (globalThis as { Deno?: unknown }).Deno !== undefined;
  const bun = (process.versions as Record<string, string | undefined>)['bun'] !== undefined;
  if (deno) return { command: process.execPath, args: ['run', '-A', '--unstable-webgpu', '--sloppy-imports', '--v8-flags=--expose-gc', script, ...args] };
  if (bun) return { command: process.execPath, args: ['--expose-gc', script, ...args] };
  return { command: process.execPath, args: ['--expose-gc', '--import', 'tsx', script, ...args] };
}
