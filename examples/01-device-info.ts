/**
 * Recipe 1 — Device information (the cookbook's "using the module" device query).
 *
 * Opens a device and prints what will run your kernels: the adapter, the engine and backend, whether it
 * is a software adapter (a CPU emulating a GPU), the features and the limits that bound a kernel's shape.
 *
 * Run: npx tsx examples/01-device-info.ts
 */
import { describeAdapter, openDevice } from '../src/index.js';

// The limits a kernel author meets first: how big a buffer, a binding, a workgroup and a grid may be.
const LIMITS = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupsPerDimension',
  'maxComputeWorkgroupStorageSize',
  'maxStorageBuffersPerShaderStage',
] as const;

await using device = await openDevice();
const info = device.info;

console.log(`adapter:        ${describeAdapter(info)}`);
console.log(`engine:         ${info.engine}`);
console.log(`backend:        ${info.backend}`);
console.log(`feature level:  ${info.featureLevel}`);
console.log(`kind:           ${info.isSoftware ? 'software adapter (a CPU emulating a GPU: timings on it are not GPU hardware figures)' : 'hardware GPU'}`);
if (info.fallbackReason !== undefined) console.log(`fallback:       ${info.fallbackReason}`);
console.log(`features:       ${info.features.length > 0 ? info.features.join(', ') : 'none'}`);
console.log('limits:');
for (const name of LIMITS) {
  const v = info.limits[name];
  if (v !== undefined) console.log(`  ${name.padEnd(36)} ${v.toLocaleString('en-US')}`);
}

// What the limits mean for a kernel: the largest f32 array one binding can see, and the largest 1-D grid.
const bindingBytes = info.limits['maxStorageBufferBindingSize'];
const maxGroups = info.limits['maxComputeWorkgroupsPerDimension'];
if (bindingBytes !== undefined && maxGroups !== undefined) {
  console.log(`one storage binding holds up to ${Math.floor(bindingBytes / 4).toLocaleString('en-US')} f32 values; a 1-D grid of 64-wide workgroups covers ${(maxGroups * 64).toLocaleString('en-US')} invocations (gpukit folds larger grids into 2-D)`);
}
console.log(`check: ok (${info.engine}/${info.backend}, ${info.isSoftware ? 'software' : 'hardware'}, ${info.features.length} features)`);
