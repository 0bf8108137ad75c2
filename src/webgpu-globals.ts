/**
 * The WebGPU names gpukit's public types mention, declared as empty interfaces so that the published `.d.ts`
 * type-check on their own, with or without `"dom"` in the consumer's `lib`. Interfaces merge: where the
 * consumer has WebGPU types (TypeScript 6's `"dom"`, `@webgpu/types`, `@types/web`) those fill them in;
 * where it has none (a Node project with `lib: ["ES2022"]`), gpukit's API still checks and raw WebGPU
 * handles are opaque. A `/// <reference types="@webgpu/types" />` cannot do this: under TypeScript 6 that
 * package needs `"dom"` and conflicts with it. Only interfaces belong here: a type alias would collide with
 * the consumer's own declarations.
 */
/* eslint-disable @typescript-eslint/no-empty-object-type -- empty on purpose: they merge with real WebGPU types */
declare global {
  interface GPU {}
  interface GPUAdapter {}
  interface GPUAdapterInfo {}
  interface GPUBindGroup {}
  interface GPUBindGroupLayout {}
  interface GPUBuffer {}
  interface GPUBufferBinding {}
  interface GPUCommandEncoder {}
  interface GPUComputePassTimestampWrites {}
  interface GPUComputePipeline {}
  interface GPUDevice {}
  interface GPUError {}
  interface GPUShaderModule {}
  interface GPUSupportedLimits {}
}
/* eslint-enable @typescript-eslint/no-empty-object-type */

export {};
