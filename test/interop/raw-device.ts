import { create, globals } from 'webgpu';

/** The webgpu package's instances, kept referenced while their devices live (Dawn needs that). */
const instances: GPU[] = [];

/**
 * A GPUDevice made the way another library makes one: the `webgpu` package directly, the adapter's limits
 * asked for (as TF.js does not: see the test that uses the defaults). Null when no adapter exists (the gpujs pass).
 */
export async function rawDevice(limits: 'adapter' | 'default' = 'adapter'): Promise<GPUDevice | null> {
  for (const [k, v] of Object.entries(globals)) if (!(k in globalThis)) Object.defineProperty(globalThis, k, { value: v, configurable: true, writable: true });
  const gpu = create([]);
  instances.push(gpu);
  const adapter = await gpu.requestAdapter();
  if (adapter === null) return null;
  const requiredLimits: Record<string, number> = {};
  if (limits === 'adapter') {
    for (const key of ['maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeInvocationsPerWorkgroup', 'maxComputeWorkgroupSizeX', 'maxComputeWorkgroupStorageSize', 'maxStorageBuffersPerShaderStage']) {
      const v = (adapter.limits as unknown as Record<string, number>)[key];
      if (v !== undefined) requiredLimits[key] = v;
    }
  }
  return adapter.requestDevice({ requiredLimits, label: 'outside device' });
}

/** Reads a buffer back with plain WebGPU (no gpukit): what the other library would see. */
export async function readRaw(device: GPUDevice, buffer: GPUBuffer, bytes: number, offset = 0): Promise<Uint8Array> {
  const staging = device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const enc = device.createCommandEncoder();
  enc.copyBufferToBuffer(buffer, offset, staging, 0, bytes);
  device.queue.submit([enc.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const out = new Uint8Array(staging.getMappedRange().slice(0));
  staging.unmap();
  staging.destroy();
  return out;
}
