import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Environment that hides every Vulkan driver and EGL vendor from Dawn: it finds no adapter at all. */
export const DAWN_HIDDEN = { VK_ICD_FILENAMES: '/nonexistent', __EGL_VENDOR_LIBRARY_FILENAMES: '/nonexistent' } as const;

export interface ChildResult {
  readonly json: Record<string, unknown>;
  readonly stderr: string;
  readonly status: number | null;
}

/** Runs test/fallback/child.ts with `scenario` in a fresh process and the given environment changes. */
export function runChild(scenario: string, env: Readonly<Record<string, string | undefined>>): ChildResult {
  const script = fileURLToPath(new URL('./child.ts', import.meta.url));
  const merged: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, ...env })) if (v !== undefined) merged[k] = v;
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, scenario], { env: merged, encoding: 'utf8', timeout: 120_000 });
  const line = r.stdout.trim().split('\n').at(-1) ?? '';
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(line) as Record<string, unknown>;
  } catch {
    throw new Error(`child ${scenario} printed no JSON (status ${String(r.status)}):\n${r.stdout}\n${r.stderr}`);
  }
  return { json, stderr: r.stderr, status: r.status };
}
