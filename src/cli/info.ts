import { describeAdapter, type DeviceInfo } from '../device/info.js';
import { HOW_TO_GET_ONE, listDawnAdapters } from '../backends/dawn/adapter.js';
import { DeviceUnavailableError } from '../errors.js';
import { openDevice, type OpenDeviceOptions } from '../index.js';

const KEY_LIMITS = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxComputeWorkgroupSizeX',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupsPerDimension',
  'maxComputeWorkgroupStorageSize',
  'maxStorageBuffersPerShaderStage',
  'maxUniformBufferBindingSize',
] as const;

function formatBytes(n: number): string {
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(n % 2 ** 30 === 0 ? 0 : 1)} GiB`;
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(0)} MiB`;
  if (n >= 2 ** 10) return `${(n / 2 ** 10).toFixed(0)} KiB`;
  return `${n} B`;
}

/** The text `gpukit info` prints for a device. */
export function formatInfo(info: DeviceInfo, all = false): string {
  const lines = [
    `adapter:        ${describeAdapter(info)}`,
    `engine:         ${info.engine}${info.webgpu !== undefined ? ` (WebGPU implementation: ${info.webgpu})` : ''}`,
    `runtime:        ${info.runtime !== undefined ? `${info.runtime.name} ${info.runtime.version}` : 'unknown'}`,
    `backend:        ${info.backend}`,
    `feature level:  ${info.featureLevel}`,
    `kind:           ${info.isSoftware ? 'software (a CPU emulating a GPU: its timings are not GPU hardware figures)' : 'hardware GPU'}`,
    `fallback:       ${info.isFallbackAdapter ? 'yes (isFallbackAdapter)' : 'no'}`,
  ];
  if (info.fallbackReason !== undefined) lines.push(`fallback reason: ${info.fallbackReason}`);
  lines.push(`features:       ${info.features.join(', ') || 'none'}`);
  lines.push('limits:');
  const keys = all ? Object.keys(info.limits).sort() : KEY_LIMITS;
  for (const k of keys) {
    const v = info.limits[k];
    if (v === undefined) continue;
    const bytes = /Size$/.test(k) && !/WorkgroupSize/.test(k) ? ` (${formatBytes(v)})` : '';
    lines.push(`  ${k.padEnd(36)} ${v}${bytes}`);
  }
  return lines.join('\n');
}

/** `gpukit info`: prints the adapter, or exactly why there is none and how to get one. Returns the exit code. */
export async function runInfo(opts: OpenDeviceOptions & { json?: boolean; all?: boolean }): Promise<number> {
  const { json = false, all = false, ...open } = opts;
  try {
    // info diagnoses the Dawn adapter: with none it must say why and exit 1, not quietly show gpu.js.
    // GPUKIT_ENGINE=gpujs (or auto) still shows what that engine runs on.
    const engine = open.engine ?? ((process.env['GPUKIT_ENGINE'] ?? '') === '' ? 'dawn' : undefined);
    const device = await openDevice(engine !== undefined ? { ...open, engine } : open);
    try {
      if (json) console.log(JSON.stringify(device.info, null, 2));
      else {
        console.log(formatInfo(device.info, all));
        const m = device.memory;
        console.log(`memory budget:  ${m.memoryBudgetBytes !== undefined ? `${formatBytes(m.memoryBudgetBytes)}, ${m.memoryBudgetBasis}` : m.memoryBudgetBasis}`);
        if (all && device.info.webgpu !== 'wgpu') {
          const adapters = await listDawnAdapters();
          console.log(`adapters found:\n${adapters.map((a) => `  ${a}`).join('\n') || '  none'}`);
        }
      }
    } finally {
      await device.close();
    }
    return 0;
  } catch (e) {
    if (e instanceof DeviceUnavailableError) {
      console.error(`gpukit: no usable GPU adapter.\n${e.message}`);
      if (!e.message.includes(HOW_TO_GET_ONE)) console.error(HOW_TO_GET_ONE);
      return 1;
    }
    throw e;
  }
}
