/**
 * The largest single buffer copy gpukit encodes: Dawn on Vulkan crashed on one copy of 2 GiB or more
 * (lavapipe, 2026), while two 1 GiB copies work; large transfers go in pieces of this size.
 */
export const MAX_COPY = 1 << 30;
