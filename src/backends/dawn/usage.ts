import { BufferUsageError } from '../../errors.js';

/**
 * Throws {@link BufferUsageError} when `buffer` lacks the usage `flag` (only a wrapped outside buffer can:
 * gpukit's own have STORAGE, COPY_SRC and COPY_DST), before anything is encoded.
 */
export function requireUsage(buffer: GPUBuffer, flag: 'STORAGE' | 'COPY_SRC' | 'COPY_DST', what: string, label: string): void {
  if ((buffer.usage & GPUBufferUsage[flag]) !== 0) return;
  throw new BufferUsageError(flag, `${label}: the buffer '${buffer.label}' (usage ${buffer.usage}) cannot be ${what}: it lacks GPUBufferUsage.${flag}; create it with that flag to use it with gpukit`);
}
