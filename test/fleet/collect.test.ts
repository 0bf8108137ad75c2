/**
 * The parent's guard between the children's results and the reducer, without Redis: every shard index exactly
 * once, in order; a second result for an index is dropped and counted; a gap or a stray value fails.
 */
import { describe, expect, test } from 'vitest';
import { adapterKind, collectShards, FleetJobError } from '../../src/fleet/index.js';
import type { DeviceInfo } from '../../src/index.js';

const r = (index: number, result: unknown = index * 10): unknown => ({ index, result, worker: { id: `w${String(index)}`, kind: 'k' }, ms: 1 });

describe('collectShards', () => {
  test('orders results by shard index whatever order the children finished in', () => {
    const { results, duplicates } = collectShards('j', [r(2), r(0), r(1)], 3);
    expect(results.map((x) => x.result)).toEqual([0, 10, 20]);
    expect(duplicates).toBe(0);
  });

  test('keeps the first result of a shard index seen twice and counts the second', () => {
    const { results, duplicates } = collectShards('j', [r(0), r(1, 'first'), r(1, 'second'), r(1, 'third')], 2);
    expect(results.map((x) => x.result)).toEqual([0, 'first']);
    expect(duplicates).toBe(2);
  });

  test('a missing shard fails the job naming it', () => {
    expect(() => collectShards('j7', [r(0), r(2), r(0)], 4)).toThrow(new FleetJobError('j7', 'fleet job j7: no result for shards 1, 3 of 4'));
  });

  test('an index out of range or a value that is no shard result fails the job', () => {
    expect(() => collectShards('j', [r(0), r(3)], 2)).toThrow(/shard index 3 is outside 0\.\.1/);
    expect(() => collectShards('j', [r(0), 42], 2)).toThrow(/a child returned 42, not a shard result/);
    expect(() => collectShards('j', [r(0), { index: 1.5, worker: {} }], 2)).toThrow(/not a shard result/);
  });
});

describe('adapterKind', () => {
  const info = (o: Partial<DeviceInfo>): DeviceInfo => ({ engine: 'dawn', backend: 'vulkan', vendor: '', architecture: '', description: '', isSoftware: true, isFallbackAdapter: false, featureLevel: 'core', features: [], limits: {}, ...o });
  test('names backend, feature level and adapter family, or gpu.js and its mode', () => {
    expect(adapterKind(info({ vendor: 'mesa', architecture: 'software', description: 'llvmpipe: Mesa 25.0.7 (LLVM 15.0.6)' }))).toBe('vulkan-core-llvmpipe');
    expect(adapterKind(info({ backend: 'opengles', featureLevel: 'compatibility', description: 'OpenGL version OpenGL ES 3.2 Mesa 25.0.7' }))).toBe('opengles-compatibility-mesa');
    expect(adapterKind(info({ engine: 'gpujs', backend: 'webasm', description: 'gpu.js webasm on the host CPU' }))).toBe('gpujs-webasm');
    expect(adapterKind(info({ backend: 'metal', vendor: 'apple', description: 'Apple M2' }))).toBe('metal-core-apple');
    expect(adapterKind(info({ description: 'Some Card: v1' }))).toBe('vulkan-core-some');
    expect(adapterKind(info({}))).toBe('vulkan-core-unknown');
  });
});
