import { expect } from 'vitest';
import { DeviceUnavailableError, openDevice, type GpuDevice, type GpujsMode } from '../../src/index.js';

/** True where CI hides Dawn (its third pass): no Vulkan driver, so gpu.js's webgpu mode has no adapter. */
const DAWN_HIDDEN = process.env['VK_ICD_FILENAMES'] === '/nonexistent';

/**
 * Opens a gpujs device in each gpu.js mode that can run here: webasm and cpu always; webgpu on Dawn's
 * adapter, which exists except where Dawn is hidden (there it must be refused with DeviceUnavailableError,
 * which is checked, not skipped). The caller closes them.
 */
export async function openGpujsModes(): Promise<GpuDevice[]> {
  const devices: GpuDevice[] = [];
  for (const mode of ['webasm', 'cpu', 'webgpu'] as const satisfies readonly GpujsMode[]) {
    try {
      const d = await openDevice({ engine: 'gpujs', gpujsMode: mode });
      expect(d.info.backend).toBe(mode);
      devices.push(d);
    } catch (e) {
      if (!(mode === 'webgpu' && e instanceof DeviceUnavailableError)) throw e;
      // Without an adapter webgpu mode cannot run; that must be because Dawn sees none (hidden, or a machine without one outside CI).
      expect(DAWN_HIDDEN || process.env['CI'] !== 'true', `gpu.js webgpu mode found no adapter: ${e.message}`).toBe(true);
    }
  }
  return devices;
}

/** Closes every device, even when one close throws. */
export async function closeAll(devices: readonly GpuDevice[]): Promise<void> {
  await Promise.allSettled(devices.map((d) => d.close()));
}
