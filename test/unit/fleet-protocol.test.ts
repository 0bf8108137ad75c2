/**
 * The fleet reducer's guard (src/fleet/protocol.ts collectShards) at its index bounds, and what it accepts as a
 * shard result (values read back from Redis), without Redis; queue-name expansion.
 */
import { describe, expect, test } from 'vitest';
import { ArgumentError, FleetJobError } from '../../src/errors.js';
import { BENCH_MODULE, collectShards, expandQueue, REDUCE_JOB, REGISTRY_PREFIX, SHARD_JOB } from '../../src/fleet/protocol.js';
import { throwsExactly } from './thrown.js';

const r = (index: number, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ index, result: index * 10, worker: { id: `w${index}`, kind: 'k' }, ms: 1, ...extra });

/** `fn` throws a FleetJobError for job `id` whose message is exactly `message`. */
function fails(fn: () => unknown, id: string, message: string): void {
  expect(throwsExactly(fn, FleetJobError, message).jobId).toBe(id);
}

describe('collectShards: index bounds', () => {
  test('indices 0 and count − 1 are in range; −1 and count are not', () => {
    for (const count of [1, 2, 7]) {
      const all = Array.from({ length: count }, (_, i) => r(count - 1 - i));
      const { results, duplicates } = collectShards('j', all, count);
      expect(results.map((x) => x.index)).toEqual(Array.from({ length: count }, (_, i) => i));
      expect(duplicates).toBe(0);
      fails(() => collectShards('j', [...all, r(count)], count), 'j', `fleet job j: shard index ${count} is outside 0..${count - 1}`);
      fails(() => collectShards('j', [r(-1), ...all], count), 'j', `fleet job j: shard index -1 is outside 0..${count - 1}`);
    }
  });

  test('count 0: no results is a result; any index is outside', () => {
    expect(collectShards('j', [], 0)).toEqual({ results: [], duplicates: 0 });
    fails(() => collectShards('j', [r(0)], 0), 'j', 'fleet job j: shard index 0 is outside 0..-1');
  });

  test('a count that is not a whole number ≥ 0 (job data from Redis) fails before any result is read', () => {
    for (const count of [NaN, -1, 2.5, Infinity, 2 ** 53]) {
      fails(() => collectShards('j', [r(0), r(1), r(2)], count), 'j', `fleet job j: the shard count ${String(count)} is not a whole number ≥ 0`);
    }
    expect(collectShards('j', [r(0)], 1).results).toHaveLength(1);
  });

  test('missing shards are named, the first ten of them, with "shard" for one', () => {
    fails(() => collectShards('j', [], 1), 'j', 'fleet job j: no result for shard 0 of 1');
    fails(() => collectShards('j', [r(1)], 3), 'j', 'fleet job j: no result for shards 0, 2 of 3');
    fails(() => collectShards('j', [], 10), 'j', 'fleet job j: no result for shards 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 of 10');
    fails(() => collectShards('j', [r(3)], 12), 'j', 'fleet job j: no result for shards 0, 1, 2, 4, 5, 6, 7, 8, 9, 10, … of 12');
  });

  test('duplicates keep the first and are counted, also at the bounds', () => {
    const { results, duplicates } = collectShards('j', [r(0, { result: 'a' }), r(1), r(0, { result: 'b' }), r(1), r(1)], 2);
    expect(results.map((x) => x.result)).toEqual(['a', 10]);
    expect(duplicates).toBe(3);
  });
});

describe('collectShards: what is a shard result', () => {
  test('a value that is not an object with an integer index, a worker {id, kind} and a finite ms ≥ 0 fails the job', () => {
    const bad: [unknown, string][] = [
      [null, 'null'],
      [undefined, 'undefined'],
      [42, '42'],
      ['x', '"x"'],
      [[], '[]'],
      [{ worker: { id: 'w', kind: 'k' }, ms: 1 }, '{"worker":{"id":"w","kind":"k"},"ms":1}'],
      [r(0, { index: 0.5 }), JSON.stringify(r(0, { index: 0.5 }))],
      [r(0, { index: NaN }), JSON.stringify(r(0, { index: NaN }))],
      [r(0, { index: '0' }), JSON.stringify(r(0, { index: '0' }))],
      [r(0, { worker: null }), JSON.stringify(r(0, { worker: null }))],
      [r(0, { worker: 'w0' }), JSON.stringify(r(0, { worker: 'w0' }))],
      [r(0, { worker: { id: 1, kind: 'k' } }), JSON.stringify(r(0, { worker: { id: 1, kind: 'k' } }))],
      [r(0, { worker: { id: 'w' } }), JSON.stringify(r(0, { worker: { id: 'w' } }))],
      [r(0, { ms: -1 }), JSON.stringify(r(0, { ms: -1 }))],
      [r(0, { ms: '1' }), JSON.stringify(r(0, { ms: '1' }))],
      [r(0, { ms: Infinity }), JSON.stringify(r(0, { ms: Infinity }))],
      [r(0, { ms: undefined }), JSON.stringify(r(0, { ms: undefined }))],
    ];
    for (const [v, shown] of bad) fails(() => collectShards('j9', [r(0), v], 1), 'j9', `fleet job j9: a child returned ${shown.slice(0, 80)}, not a shard result`);
    expect(collectShards('j', [r(0, { ms: 0 })], 1).results[0]?.ms).toBe(0);
  });

  test('the message shows at most 80 characters of the value; a function shows as its text', () => {
    const long = 'x'.repeat(200);
    fails(() => collectShards('j', [long], 1), 'j', `fleet job j: a child returned "${'x'.repeat(79)}, not a shard result`);
    fails(() => collectShards('j', [() => 1], 1), 'j', 'fleet job j: a child returned () => 1, not a shard result');
  });
});

describe('expandQueue', () => {
  test('{kind} expands everywhere; an empty name or one with ":" is an ArgumentError', () => {
    expect(expandQueue('gpukit-{kind}', 'vulkan-core-llvmpipe')).toBe('gpukit-vulkan-core-llvmpipe');
    expect(expandQueue('{kind}-{kind}', 'a')).toBe('a-a');
    expect(expandQueue('plain', 'a')).toBe('plain');
    for (const [name, kind, q] of [['', 'a', ''], ['{kind}', '', ''], ['a:b', 'k', 'a:b'], ['q-{kind}', 'x:y', 'q-x:y']]) {
      let thrown: unknown;
      try {
        expandQueue(name ?? '', kind ?? '');
      } catch (e) {
        thrown = e;
      }
      expect(thrown, name).toBeInstanceOf(ArgumentError);
      expect((thrown as Error).message).toBe(`fleet: queue name '${q ?? ''}' is empty or contains ':' (BullMQ's key separator)`);
    }
  });
});

describe('wire names', () => {
  // Workers and clients of different builds meet in Redis: these names are the protocol, pinned here.
  test('job names, the bench module and the registry prefix', () => {
    expect([SHARD_JOB, REDUCE_JOB, BENCH_MODULE, REGISTRY_PREFIX]).toEqual(['shard', 'reduce', 'gpukit:bench', 'gpukit:fleet:worker:']);
  });
});
