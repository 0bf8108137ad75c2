import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Mesa prints errors when XDG_RUNTIME_DIR is unset, and Dawn's GLES backend needs EGL's surfaceless
 * platform on a headless machine. Both must be in the environment before Dawn first touches the drivers.
 */
export function prepareDriverEnvironment(): void {
  if (process.env['XDG_RUNTIME_DIR'] === undefined || process.env['XDG_RUNTIME_DIR'] === '') {
    process.env['XDG_RUNTIME_DIR'] = mkdtempSync(join(tmpdir(), 'gpukit-xdg-'));
  }
}

/** True when no display server is visible, so EGL must use its surfaceless platform. */
export function ensureHeadlessEgl(): void {
  const headless = !process.env['DISPLAY'] && !process.env['WAYLAND_DISPLAY'];
  if (headless && process.env['EGL_PLATFORM'] === undefined) process.env['EGL_PLATFORM'] = 'surfaceless';
}
