/**
 * Chunk geometry (src/buffers/chunks.ts) without a device: chunk and segment sizes from a device's limits,
 * worked out here by hand, at the edges (a binding not a multiple of the alignment, an alignment below 4, a
 * buffer smaller than a chunk), pieces of [0, n) at n = 0, size − 1, size, size + 1, and the binding test.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { chunkElements, fitsBinding, pieces, segmentElements, type ChunkLimits } from '../../src/buffers/chunks.js';

const limits = (maxStorageBufferBindingSize: number, maxBufferSize: number, minStorageBufferOffsetAlignment: number): ChunkLimits => ({
  maxStorageBufferBindingSize,
  maxBufferSize,
  minStorageBufferOffsetAlignment,
});

describe('chunkElements and segmentElements', () => {
  test('WebGPU defaults: 128 MiB bindings, 256 MiB buffers, 256-byte alignment', () => {
    const l = limits(2 ** 27, 2 ** 28, 256);
    // 2^27 bytes / 4 = 2^25 elements, a multiple of 256
    expect(chunkElements(l)).toBe(2 ** 25);
    // 2^28 / 4 = 2^26 elements = 2 chunks
    expect(segmentElements(l)).toBe(2 ** 26);
  });

  test('a binding that is not a whole number of aligned elements rounds down; the alignment is at least 4 elements', () => {
    // 1027 bytes → 256.75 elements → 256 (a multiple of 4 when the alignment is below 4)
    expect(chunkElements(limits(1027, 4096, 1))).toBe(256);
    expect(chunkElements(limits(1027, 4096, 4))).toBe(256);
    // 900 bytes → 225 elements; alignment 32: floor(225 / 32) · 32 = 224
    expect(chunkElements(limits(900, 4096, 32))).toBe(224);
    // alignment 3 is raised to 4: 10 bytes → 2.5 elements → at least one aligned chunk of 4
    expect(chunkElements(limits(10, 64, 3))).toBe(4);
    // 1000 bytes, alignment 64 → 250 elements → 192
    expect(chunkElements(limits(1000, 4000, 64))).toBe(192);
  });

  test('never less than one alignment, even when the binding holds fewer elements', () => {
    expect(chunkElements(limits(100, 4096, 256))).toBe(256);
    expect(chunkElements(limits(1024, 4096, 256))).toBe(256);
    expect(chunkElements(limits(1023, 4096, 256))).toBe(256);
    expect(chunkElements(limits(2048, 4096, 256))).toBe(512);
    expect(chunkElements(limits(2047, 4096, 256))).toBe(256);
  });

  test('a segment is a whole number of chunks within maxBufferSize, and at least one chunk', () => {
    // chunk 64 elements (256 bytes); buffer 1000 bytes = 250 elements → 3 chunks = 192
    expect(segmentElements(limits(256, 1000, 4))).toBe(192);
    // buffer 1024 bytes = 256 elements = exactly 4 chunks
    expect(segmentElements(limits(256, 1024, 4))).toBe(256);
    expect(segmentElements(limits(256, 1023, 4))).toBe(192);
    // a buffer smaller than a chunk still gives one chunk
    expect(segmentElements(limits(256, 100, 4))).toBe(64);
    fc.assert(
      fc.property(fc.integer({ min: 4, max: 2 ** 20 }), fc.integer({ min: 4, max: 2 ** 24 }), fc.constantFrom(1, 4, 16, 32, 64, 256), (bind, buf, align) => {
        const l = limits(bind, buf, align);
        const c = chunkElements(l);
        const s = segmentElements(l);
        const a = Math.max(4, align);
        return c % a === 0 && c >= a && (c === a || 4 * c <= bind) && 4 * (c + a) > bind && s % c === 0 && s >= c && (s === c || 4 * s <= buf) && 4 * (s + c) > buf;
      }),
    );
  });
});

describe('pieces', () => {
  test('n = 0 is one empty piece; n ≤ size is one piece', () => {
    expect(pieces(0, 4)).toEqual([{ start: 0, length: 0 }]);
    expect(pieces(3, 4)).toEqual([{ start: 0, length: 3 }]);
    expect(pieces(4, 4)).toEqual([{ start: 0, length: 4 }]);
    expect(pieces(1, 1)).toEqual([{ start: 0, length: 1 }]);
  });

  test('past one size: consecutive pieces of size, the last shorter', () => {
    expect(pieces(5, 4)).toEqual([{ start: 0, length: 4 }, { start: 4, length: 1 }]);
    expect(pieces(8, 4)).toEqual([{ start: 0, length: 4 }, { start: 4, length: 4 }]);
    expect(pieces(9, 4)).toEqual([{ start: 0, length: 4 }, { start: 4, length: 4 }, { start: 8, length: 1 }]);
    expect(pieces(3, 1)).toEqual([{ start: 0, length: 1 }, { start: 1, length: 1 }, { start: 2, length: 1 }]);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5000 }), fc.integer({ min: 1, max: 600 }), (n, size) => {
        const p = pieces(n, size);
        let at = 0;
        for (const [k, q] of p.entries()) {
          if (q.start !== at) return false;
          if (k < p.length - 1 ? q.length !== size : q.length < (n === 0 ? 0 : 1) || q.length > size) return false;
          at += q.length;
        }
        return at === n && p.length === Math.max(1, Math.ceil(n / size));
      }),
    );
  });
});

describe('fitsBinding', () => {
  test('bytes rounded up to whole vec4s (16 bytes, at least 4) against maxStorageBufferBindingSize', () => {
    const l = limits(64, 1024, 4);
    expect(fitsBinding(l, 0)).toBe(true);
    expect(fitsBinding(l, 1)).toBe(true);
    expect(fitsBinding(l, 48)).toBe(true);
    expect(fitsBinding(l, 49)).toBe(true);
    expect(fitsBinding(l, 64)).toBe(true);
    expect(fitsBinding(l, 65)).toBe(false);
    // 60 bytes round up to 64, within a 64-byte binding; 50 round up to 64, past a 60-byte one
    expect(fitsBinding(limits(60, 1024, 4), 48)).toBe(true);
    expect(fitsBinding(limits(60, 1024, 4), 50)).toBe(false);
    // even nothing binds 4 bytes
    expect(fitsBinding(limits(3, 1024, 4), 0)).toBe(false);
    expect(fitsBinding(limits(4, 1024, 4), 0)).toBe(true);
    expect(fitsBinding(limits(4, 1024, 4), 1)).toBe(false);
  });
});
