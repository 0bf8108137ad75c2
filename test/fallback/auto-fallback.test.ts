import { describe, expect, test } from 'vitest';
import { DAWN_HIDDEN, runChild } from './run-child.js';

// Children pick their engine themselves: the parent's GPUKIT_* settings must not leak into them.
const CLEAN = { GPUKIT_ENGINE: undefined, GPUKIT_GPUJS_MODE: undefined, GPUKIT_BACKEND: undefined, GPUKIT_ADAPTER: undefined, GPUKIT_FEATURE_LEVEL: undefined };

describe('automatic fallback to gpu.js when Dawn finds no adapter', () => {
  test('is announced once on stderr, says why in info.fallbackReason, and the ops still compute right', () => {
    const r = runChild('auto-twice', { ...CLEAN, ...DAWN_HIDDEN });
    expect(r.json['error'], String(r.json['message'])).toBeUndefined();
    expect(r.json).toMatchObject({ engine: 'gpujs', backend: 'webasm', add: [11, 22, 33, 44], sum: 110, matmul: [70, 100, 150, 220] });
    expect(String(r.json['fallbackReason'])).toMatch(/no WebGPU adapter found/);
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('gpukit:'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^gpukit: Dawn unavailable \(no WebGPU adapter found .*\); running on the gpujs engine \(gpu\.js webasm/);
    // It says how to get Dawn working and how to choose gpu.js on purpose.
    expect(lines[0]).toMatch(/setup:software-gpu/);
    expect(lines[0]).toMatch(/GPUKIT_ENGINE=gpujs/);
  });

  test('an explicit engine is never silently replaced: dawn with no adapter throws DeviceUnavailableError', () => {
    const r = runChild('dawn', { ...CLEAN, ...DAWN_HIDDEN });
    expect(r.json).toMatchObject({ error: 'DeviceUnavailableError' });
    expect(String(r.json['message'])).toMatch(/no WebGPU adapter found/);
    expect(r.stderr).not.toMatch(/^gpukit:/m);
  });

  test("gpu.js's webgpu mode, asked for with no adapter, throws DeviceUnavailableError", () => {
    const r = runChild('gpujs-webgpu', { ...CLEAN, ...DAWN_HIDDEN });
    expect(r.json).toMatchObject({ error: 'DeviceUnavailableError' });
    expect(String(r.json['message'])).toMatch(/webgpu mode needs a WebGPU adapter/);
  });

  test('an unknown GPUKIT_ENGINE is a DeviceUnavailableError naming the choices', () => {
    const r = runChild('env', { ...CLEAN, GPUKIT_ENGINE: 'cuda' });
    expect(r.json).toMatchObject({ error: 'DeviceUnavailableError' });
    expect(String(r.json['message'])).toMatch(/unknown engine 'cuda'.*dawn, gpujs or auto/);
  });

  test('explicit gpujs does not announce anything (it is not a fallback)', () => {
    const r = runChild('gpujs', { ...CLEAN, ...DAWN_HIDDEN });
    expect(r.json['error'], String(r.json['message'])).toBeUndefined();
    expect(r.json).toMatchObject({ engine: 'gpujs', backend: 'webasm', fallbackReason: null, sum: 110 });
    expect(r.stderr).not.toMatch(/^gpukit:/m);
  });
});

describe('the Dawn path does not load gpu.js', () => {
  test('importing gpukit and opening (or failing to open) a dawn device never imports gpu.js', () => {
    // Dawn visible again for this child, whatever the parent's environment hides.
    const r = runChild('dawn', { ...CLEAN, VK_ICD_FILENAMES: undefined, __EGL_VENDOR_LIBRARY_FILENAMES: undefined });
    expect(r.json['loadedAtStart']).toBe(false);
    expect(r.json['loadedAtEnd']).toBe(false);
    // On a machine with an adapter the ops ran on Dawn; without one the dawn engine failed, and still no gpu.js.
    if (r.json['error'] === undefined) expect(r.json).toMatchObject({ engine: 'dawn', sum: 110 });
    else expect(r.json['error']).toBe('DeviceUnavailableError');
  });
});
