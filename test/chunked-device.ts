/**
 * A device with lowered limits (`openDevice({ limits })`), so tests cross one binding and one buffer with
 * small arrays. Dawn: 64 KiB bindings (16 Ki f32), 256 KiB buffers. gpujs has no binding limit and caps
 * arrays at maxBufferSize, so there it opens with the binding cap only: the same sizes simply work.
 */
import { openDevice, type GpuDevice } from '../src/index.js';
import { ENGINE } from './fixture.js';

export const BINDING = 1 << 16;
export const BUFFER = 1 << 18;

export async function openChunked(): Promise<GpuDevice> {
  const d = await openDevice({ engine: ENGINE, limits: { maxStorageBufferBindingSize: BINDING, maxBufferSize: BUFFER } });
  if (d.engine === 'dawn') return d;
  await d.close();
  return openDevice({ engine: ENGINE, limits: { maxStorageBufferBindingSize: BINDING } });
}
