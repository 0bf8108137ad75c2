import { describe, expect, test } from 'vitest';
import { DEFAULT_POOL_CACHE_BYTES, sizeClass, SizeClassPool, type PoolBacking } from '../../src/backends/dawn/pool.js';
import { OutOfMemoryError } from '../../src/errors.js';

// sizeClass written out independently: 256-byte steps to 4 KiB, then quarter steps of each power of two.
function refSizeClass(bytes: number): number {
  if (bytes <= 4096) return bytes <= 256 ? 256 : 256 * Math.ceil(bytes / 256);
  let pow = 4096;
  while (pow * 2 <= bytes) pow *= 2;
  return (pow / 4) * Math.ceil(bytes / (pow / 4));
}

describe('sizeClass', () => {
  test('the default idle cache is 512 MiB (README: openDevice({ poolCacheBytes }))', () => {
    expect(DEFAULT_POOL_CACHE_BYTES).toBe(512 * 2 ** 20);
  });

  test('known classes at and around every boundary', () => {
    expect([0, 1, 255, 256, 257, 511, 512, 513, 4095, 4096].map(sizeClass)).toEqual([256, 256, 256, 256, 512, 512, 512, 768, 4096, 4096]);
    expect([4097, 5120, 5121, 7168, 7169, 8191, 8192, 8193, 10240, 10241].map(sizeClass)).toEqual([5120, 5120, 6144, 7168, 8192, 8192, 8192, 10240, 10240, 12288]);
    expect(sizeClass(2 ** 30 + 1)).toBe(2 ** 30 + 2 ** 28);
  });

  test('against the reference for every size to 64 KiB and powers around 2^k up to 2^40: a multiple of its step, ≥ bytes, ≤ 25 % slack', () => {
    const sizes: number[] = [];
    for (let b = 0; b <= 65_536; b++) sizes.push(b);
    for (let k = 16; k <= 40; k++) for (const d of [-1, 0, 1, 3]) sizes.push(2 ** k + d * 2 ** (k - 3) + (d === 3 ? 7 : 0));
    for (const b of sizes) {
      const c = sizeClass(b);
      if (c !== refSizeClass(b)) expect.fail(`sizeClass(${b}) = ${c}, expected ${refSizeClass(b)}`);
      if (b > 4096 && c > b * 1.25) expect.fail(`sizeClass(${b}) = ${c}: more than 25 % slack`);
    }
  });
});

/** A fake backing: numbered blocks with a size and kind, a device timeline we advance by hand. */
class Fake implements PoolBacking<{ id: number; size: number; kind: string }> {
  next = 0;
  disposed: number[] = [];
  tickets = new Map<number, number>();
  done = 0;
  isClosed = false;
  create(size: number, kind: string): { id: number; size: number; kind: string } {
    return { id: this.next++, size, kind };
  }
  size(b: { size: number }): number {
    return b.size;
  }
  kind(b: { kind: string }): string {
    return b.kind;
  }
  dispose(b: { id: number }): void {
    this.disposed.push(b.id);
  }
  closed(): boolean {
    return this.isClosed;
  }
  ticket(b: { id: number }): number {
    return this.tickets.get(b.id) ?? 0;
  }
  completed(): number {
    return this.done;
  }
}

type Block = { id: number; size: number; kind: string };

class TestPool extends SizeClassPool<Block> {
  get(size: number, kind = 'k'): { block: Block; reused: boolean } {
    return this.take(size, kind, 'label');
  }
  choose(size: number, prefer: (b: Block) => boolean, otherwise: 'any' | 'pending' | 'never'): { block: Block; reused: boolean } {
    return this.take(size, 'k', 'label', { prefer, otherwise });
  }
  drop(b: Block): void {
    this.discard(b);
  }
}

function stats(p: TestPool): Record<string, number | string | undefined> {
  return { ...p.stats };
}

describe('SizeClassPool accounting (fake backing, no device)', () => {
  test('take creates, release caches, take reuses the same block by size and kind', () => {
    const f = new Fake();
    const p = new TestPool(f, 10_000);
    const a = p.get(512);
    expect(a.reused).toBe(false);
    expect(stats(p)).toMatchObject({ inUseBytes: 512, inUseBuffers: 1, cachedBytes: 0, cachedBuffers: 0, created: 1 });
    p.release(a.block);
    expect(stats(p)).toMatchObject({ inUseBytes: 0, inUseBuffers: 0, cachedBytes: 512, cachedBuffers: 1, pendingBytes: 0, pendingBuffers: 0, created: 1 });
    expect(p.get(512, 'other').reused).toBe(false); // another kind is never reused
    expect(p.get(768).reused).toBe(false); // another size neither
    const b = p.get(512);
    expect(b).toEqual({ block: a.block, reused: true });
    expect(stats(p)).toMatchObject({ inUseBytes: 512 + 512 + 768, inUseBuffers: 3, cachedBytes: 0, cachedBuffers: 0, created: 3 });
    expect(f.disposed).toEqual([]);
  });

  test('the most recently released block of a class is reused first', () => {
    const f = new Fake();
    const p = new TestPool(f, 10_000);
    const a = p.get(256).block;
    const b = p.get(256).block;
    p.release(a);
    p.release(b);
    expect(p.get(256).block).toBe(b);
    expect(p.get(256).block).toBe(a);
  });

  test('a released block waits for its ticket: pending until the timeline passes it, then cached', () => {
    const f = new Fake();
    const p = new TestPool(f, 10_000);
    const a = p.get(1024).block;
    const b = p.get(256).block;
    f.tickets.set(a.id, 5);
    f.tickets.set(b.id, 7);
    f.done = 4;
    p.release(a);
    p.release(b);
    expect(stats(p)).toMatchObject({ inUseBytes: 0, pendingBytes: 1280, pendingBuffers: 2, cachedBytes: 0 });
    expect(p.get(1024).reused).toBe(false); // never reused before its work is done
    p.drain(4);
    expect(stats(p)).toMatchObject({ pendingBytes: 1280, pendingBuffers: 2 });
    p.drain(5); // a's ticket is 5: done at 5, b's not
    expect(stats(p)).toMatchObject({ pendingBytes: 256, pendingBuffers: 1, cachedBytes: 1024, cachedBuffers: 1 });
    p.drain(7);
    expect(stats(p)).toMatchObject({ pendingBytes: 0, pendingBuffers: 0, cachedBytes: 1280, cachedBuffers: 2 });
    expect(p.get(1024).block).toBe(a);
    // A ticket already completed goes straight to the cache.
    f.done = 10;
    f.tickets.set(b.id, 10);
    const c = p.get(256).block;
    expect(c).toBe(b);
    p.release(c);
    expect(stats(p)).toMatchObject({ pendingBuffers: 0, cachedBuffers: 1, cachedBytes: 256 });
  });

  test('the cache limit: a block bigger than the limit is freed; over the limit the oldest class is evicted first', () => {
    const f = new Fake();
    const p = new TestPool(f, 1024);
    const big = p.get(2048).block;
    p.release(big);
    expect(f.disposed).toEqual([big.id]);
    expect(stats(p)).toMatchObject({ cachedBytes: 0, cachedBuffers: 0 });
    const a = p.get(512).block;
    const b = p.get(256).block;
    const c = p.get(512).block;
    const d = p.get(256).block;
    p.release(a); // 512
    p.release(b); // 768
    p.release(c); // 1280 > 1024: evict from the oldest class (512s), oldest first: a
    expect(f.disposed).toEqual([big.id, a.id]);
    expect(stats(p)).toMatchObject({ cachedBytes: 768, cachedBuffers: 2 });
    p.release(d); // 1024: at the limit, kept
    expect(stats(p)).toMatchObject({ cachedBytes: 1024, cachedBuffers: 3 });
    p.maxCachedBytes = 0;
    p.trim();
    expect(stats(p)).toMatchObject({ cachedBytes: 0, cachedBuffers: 0, maxCachedBytes: 0 });
    expect(new Set(f.disposed)).toEqual(new Set([big.id, a.id, b.id, c.id, d.id]));
    expect(p.get(512).reused).toBe(false);
  });

  test('a block bigger than the whole cache is freed by itself: the cached blocks stay', () => {
    const f = new Fake();
    const p = new TestPool(f, 1024);
    const small = p.get(256).block;
    const big = p.get(2048).block;
    p.release(small);
    p.release(big);
    expect(f.disposed).toEqual([big.id]);
    expect(stats(p)).toMatchObject({ cachedBytes: 256, cachedBuffers: 1 });
    expect(p.get(256).block).toBe(small);
  });

  test('a class emptied by eviction goes to the back of the eviction order when blocks return to it', () => {
    const f = new Fake();
    const p = new TestPool(f, 1024);
    const a = p.get(256).block;
    const b = p.get(512).block;
    const c = p.get(512).block;
    p.release(a); // order: 256, 512
    p.release(b);
    p.release(c); // 1280 > 1024: the 256 class is evicted (a) and emptied
    expect(f.disposed).toEqual([a.id]);
    const x = p.get(256).block; // a new block
    p.release(x); // order now 512, 256: 1280 > 1024 evicts the oldest 512 (b), not x
    expect(f.disposed).toEqual([a.id, b.id]);
    expect(p.get(256).block).toBe(x);
  });

  test('eviction empties a class and moves on to the next until under the limit', () => {
    const f = new Fake();
    const p = new TestPool(f, 4096);
    const blocks = [p.get(256).block, p.get(256).block, p.get(1024).block, p.get(1024).block];
    for (const b of blocks) p.release(b);
    expect(stats(p)).toMatchObject({ cachedBytes: 2560, cachedBuffers: 4 });
    p.maxCachedBytes = 1024;
    const e = p.get(1024).block; // reuses the last 1024 released
    expect(e).toBe(blocks[3]);
    p.release(e); // 2560 > 1024: both 256s go, then one 1024 (the oldest)
    expect(f.disposed).toEqual([blocks[0]?.id, blocks[1]?.id, blocks[2]?.id]);
    expect(stats(p)).toMatchObject({ cachedBytes: 1024, cachedBuffers: 1 });
    expect(p.get(256).reused).toBe(false);
    expect(p.get(1024).block).toBe(blocks[3]);
  });

  test('after close, released and pending blocks are freed, not cached', () => {
    const f = new Fake();
    const p = new TestPool(f, 10_000);
    const a = p.get(256).block;
    const b = p.get(512).block;
    f.tickets.set(b.id, 3);
    p.release(b); // pending: ticket 3 > completed 0
    expect(stats(p)).toMatchObject({ pendingBuffers: 1, pendingBytes: 512 });
    f.isClosed = true;
    p.release(a);
    expect(f.disposed).toEqual([a.id]);
    p.drain(0); // closed: pending blocks go regardless of their ticket
    expect(f.disposed).toEqual([a.id, b.id]);
    expect(stats(p)).toMatchObject({ pendingBuffers: 0, pendingBytes: 0, cachedBuffers: 0, cachedBytes: 0, inUseBytes: 0, inUseBuffers: 0 });
  });

  test('discard frees a never-used block; markResident moves bytes from in use to resident', () => {
    const f = new Fake();
    const p = new TestPool(f, 10_000);
    const a = p.get(768).block;
    const b = p.get(256).block;
    p.drop(a);
    expect(f.disposed).toEqual([a.id]);
    expect(stats(p)).toMatchObject({ inUseBytes: 256, inUseBuffers: 1, cachedBytes: 0, created: 2 });
    p.markResident(b);
    expect(stats(p)).toMatchObject({ inUseBytes: 0, inUseBuffers: 0, residentBytes: 256 });
  });

  test('assertRoom checks a whole size against the budget before anything is made, evicting idle blocks first', () => {
    const f = new Fake();
    const p = new TestPool(f, 10_000, { bytes: 2048, basis: 'set by a test' });
    const a = p.get(1024).block;
    const b = p.get(512).block;
    p.release(b); // 512 idle in the cache
    // 1024 live + 1024 asked fits once the idle 512 is freed.
    p.assertRoom(1024, 'fits');
    expect(f.disposed).toEqual([b.id]);
    expect(stats(p)).toMatchObject({ created: 2, inUseBytes: 1024, cachedBytes: 0 });
    // 1024 live + 1536 asked > 2048: refused, nothing made.
    expect(() => {
      p.assertRoom(1536, 'array|f32|384');
    }).toThrow(/^array\|f32\|384: 1536 more bytes would exceed the device's memory budget of 2048 bytes, set by a test \(1024 in live arrays/);
    expect(stats(p)).toMatchObject({ created: 2, inUseBytes: 1024, memoryBudgetBytes: 2048, memoryBudgetBasis: 'set by a test' });
    p.release(a);
  });
});

describe('SizeClassPool: choosing among idle blocks (prefer / otherwise)', () => {
  /** Three idle 512-byte blocks released in the order 0, 1, 2 (2 is the most recent); `good` the ones prefer accepts. */
  function idle(): { f: Fake; p: TestPool; blocks: Block[] } {
    const f = new Fake();
    const p = new TestPool(f, 10_000);
    const blocks = [p.get(512).block, p.get(512).block, p.get(512).block];
    for (const b of blocks) p.release(b);
    return { f, p, blocks };
  }

  test('the most recently released block prefer accepts is taken, skipping newer ones it refuses', () => {
    const { p, blocks } = idle();
    const r = p.choose(512, (b) => b.id === 0 || b.id === 1, 'never');
    expect(r).toEqual({ block: blocks[1], reused: true });
    expect(stats(p)).toMatchObject({ cachedBuffers: 2, cachedBytes: 1024, inUseBuffers: 1, created: 3 });
    // the one taken is gone from the idle list; the next accepted is block 0
    expect(p.choose(512, (b) => b.id === 0 || b.id === 1, 'never').block).toBe(blocks[0]);
  });

  test("none accepted: 'any' takes the most recent idle block, 'never' makes a new one", () => {
    const a = idle();
    expect(a.p.choose(512, () => false, 'any')).toEqual({ block: a.blocks[2], reused: true });
    const n = idle();
    const r = n.p.choose(512, () => false, 'never');
    expect(r.reused).toBe(false);
    expect(r.block.id).toBe(3);
    expect(stats(n.p)).toMatchObject({ cachedBuffers: 3, created: 4 });
  });

  test("'pending' takes another idle block only while an accepted one of the same size and kind is on its way back", () => {
    const { f, p, blocks } = idle();
    const extra = p.get(512).block; // reuses block 2 (plain take: the most recent)
    expect(extra).toBe(blocks[2]);
    const other = p.get(1024).block; // another size
    f.tickets.set(extra.id, 9);
    f.tickets.set(other.id, 9);
    f.done = 1;
    p.release(other); // pending, but of another size: does not count
    expect(p.choose(512, (b) => b.id === 2, 'pending').reused).toBe(false);
    p.release(extra); // an accepted block of this size is now pending
    const r = p.choose(512, (b) => b.id === 2, 'pending');
    expect(r).toEqual({ block: blocks[1], reused: true }); // the most recent idle one instead of a new block
    // a pending block prefer refuses does not count
    const q = idle();
    const e2 = q.p.get(512).block;
    q.f.tickets.set(e2.id, 9);
    q.f.done = 1;
    q.p.release(e2);
    expect(q.p.choose(512, (b) => b.id === 99, 'pending').reused).toBe(false);
  });

  test('with no idle block of the size, a new block is made whatever otherwise says', () => {
    const f = new Fake();
    const p = new TestPool(f, 10_000);
    for (const o of ['any', 'pending', 'never'] as const) expect(p.choose(256, () => true, o).reused).toBe(false);
    expect(stats(p)).toMatchObject({ created: 3, inUseBytes: 768, cachedBuffers: 0 });
  });
});

describe('SizeClassPool: the memory budget and the host-room check', () => {
  const budget = (bytes: number): { bytes: number; basis: string } => ({ bytes, basis: '(set by the test)' });

  test('released blocks still used by queued work count against the budget; exactly the budget fits', () => {
    const f = new Fake();
    const p = new TestPool(f, 10_000, budget(1024));
    const a = p.get(512).block;
    f.tickets.set(a.id, 9);
    f.done = 1;
    p.release(a); // pending: 512 bytes still held
    expect(() => p.get(768)).toThrow(OutOfMemoryError);
    expect(p.get(512).reused).toBe(false); // 512 pending + 512 = 1024: exactly the budget
    expect(() => p.get(256)).toThrow(/256 more bytes would exceed the device's memory budget of 1024 bytes, \(set by the test\) \(512 in live arrays, 512 released but still used by queued work, 0 in op tables\)/);
  });

  test('over the budget, idle blocks are freed only as far as needed (oldest class first)', () => {
    const f = new Fake();
    const p = new TestPool(f, 10_000, budget(2048));
    p.get(512); // in use: 512
    const x = p.get(256).block;
    const y = p.get(1024).block;
    p.release(x); // idle, the older class
    p.release(y); // idle: 256 + 1024; held 1792
    // 512 more: 2304 > 2048, so idle blocks go until the idle bytes are at most 2048 − 512 − 512 = 1024: x alone
    expect(p.get(512).reused).toBe(false);
    expect(f.disposed).toEqual([x.id]);
    expect(stats(p)).toMatchObject({ inUseBytes: 1024, cachedBytes: 1024, cachedBuffers: 1 });
  });

  test('setBudget changes the limit a new block is checked against', () => {
    const f = new Fake();
    const p = new TestPool(f, 10_000, budget(256));
    expect(() => p.get(512)).toThrow(OutOfMemoryError);
    p.setBudget(budget(512));
    expect(p.get(512).reused).toBe(false);
    expect(p.memoryBudgetBytes).toBe(512);
  });

  test('memory in this process: a block of 64 MiB or more is also checked against the host memory free now', () => {
    const f = new Fake();
    const inProcess = new TestPool(f, 2 ** 40, { bytes: undefined, basis: 'none' }, true);
    expect(inProcess.get(64 * 2 ** 20).reused).toBe(false); // this machine has that much
    expect(() => inProcess.get(2 ** 50)).toThrow(OutOfMemoryError); // no host has a PiB free
    expect(() => inProcess.get(2 ** 50)).toThrow(/^label: needs 1125899906842624 bytes/);
    // idle blocks are host memory too: freed before the second check, which still fails here
    const idle = inProcess.get(4096).block;
    inProcess.release(idle);
    expect(() => inProcess.get(2 ** 50)).toThrow(OutOfMemoryError);
    expect(f.disposed).toContain(idle.id);
    // device memory (not in this process) is not checked against the host
    const device = new TestPool(new Fake(), 2 ** 40);
    expect(device.get(2 ** 50).reused).toBe(false);
  });
});
