import { describe, expect, test } from 'vitest';
import { f16BitsToF32 } from '../../src/buffers/dtype.js';
import { ArgumentError } from '../../src/errors.js';
import type { Layout } from '../../src/kernels/reflect.js';
import { packUniform, packValue } from '../../src/backends/dawn/uniform.js';

// Layouts written by hand from the WGSL alignment rules (what reflect.ts derives from a shader).
const f32: Layout = { kind: 'scalar', type: 'f32', size: 4 };
const u32: Layout = { kind: 'scalar', type: 'u32', size: 4 };
const i32: Layout = { kind: 'scalar', type: 'i32', size: 4 };
const bool: Layout = { kind: 'scalar', type: 'bool', size: 4 };
const vec3f: Layout = { kind: 'vector', type: 'f32', n: 3, size: 12 };
const vec2h: Layout = { kind: 'vector', type: 'f16', n: 2, size: 4 };
const mat2x3f: Layout = { kind: 'matrix', type: 'f32', cols: 2, rows: 3, colStride: 16, size: 32 };
const mat2x2h: Layout = { kind: 'matrix', type: 'f16', cols: 2, rows: 2, colStride: 4, size: 8 };
// struct P { n: u32, v: vec3<f32> (offset 16), k: i32 (offset 28), m: mat2x3<f32> (offset 32), a: array<vec4<u32>... as u32 stride 16, 2> (offset 64), on: bool (offset 96) }
const P: Layout = {
  kind: 'struct',
  name: 'P',
  size: 112,
  members: [
    { name: 'n', offset: 0, layout: u32 },
    { name: 'v', offset: 16, layout: vec3f },
    { name: 'k', offset: 28, layout: i32 },
    { name: 'm', offset: 32, layout: mat2x3f },
    { name: 'a', offset: 64, layout: { kind: 'array', element: u32, count: 2, stride: 16, size: 32 } },
    { name: 'on', offset: 96, layout: bool },
  ],
};

function words(bytes: Uint8Array): number[] {
  return [...new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4)];
}

describe('uniform packing', () => {
  test('a struct with a vec3, an i32 in its padding, a column-major matrix, a strided array and a bool', () => {
    const bytes = packUniform(P, { n: 7, v: [1.5, -2, 3.25], k: -3, m: [1, 2, 3, 4, 5, 6], a: [0xffffffff, 9], on: true }, 'params');
    expect(bytes.byteLength).toBe(112);
    const dv = new DataView(bytes.buffer);
    expect(dv.getUint32(0, true)).toBe(7);
    expect([dv.getFloat32(16, true), dv.getFloat32(20, true), dv.getFloat32(24, true)]).toEqual([1.5, -2, 3.25]);
    expect(dv.getInt32(28, true)).toBe(-3);
    // Column c, row r at 32 + 16·c + 4·r; the fourth word of each column is padding.
    expect([0, 4, 8, 16, 20, 24].map((o) => dv.getFloat32(32 + o, true))).toEqual([1, 2, 3, 4, 5, 6]);
    expect(dv.getUint32(44, true)).toBe(0);
    expect(dv.getUint32(64, true)).toBe(0xffffffff);
    expect(dv.getUint32(80, true)).toBe(9);
    expect(dv.getUint32(96, true)).toBe(1);
    const off = packUniform(P, { n: 0, v: [0, 0, 0], k: 0, m: [0, 0, 0, 0, 0, 0], a: [0, 0], on: false }, 'params');
    expect(words(off).every((w) => w === 0)).toBe(true);
  });

  test('sizes round up to 16 bytes (at least 16); f16 vectors and matrices use 2-byte steps', () => {
    expect(packUniform(f32, 2.5, 'x').byteLength).toBe(16);
    expect(packUniform({ ...vec3f, size: 20 }, [1, 2, 3], 'x').byteLength).toBe(32);
    expect(new DataView(packUniform(f32, 2.5, 'x').buffer).getFloat32(0, true)).toBe(2.5);
    const h = new DataView(packUniform(vec2h, [1.5, -0.25], 'h').buffer);
    expect([f16BitsToF32(h.getUint16(0, true)), f16BitsToF32(h.getUint16(2, true))]).toEqual([1.5, -0.25]);
    const m = new DataView(packUniform(mat2x2h, new Float32Array([1, 2, 3, 4]), 'm').buffer);
    expect([0, 2, 4, 6].map((o) => f16BitsToF32(m.getUint16(o, true)))).toEqual([1, 2, 3, 4]);
    const view = new DataView(new ArrayBuffer(16));
    packValue({ kind: 'scalar', type: 'f16', size: 2 }, 65504, view, 6, 'h');
    expect(view.getUint16(6, true)).toBe(0x7bff);
    expect(view.getUint16(4, true)).toBe(0);
  });

  test('integer ranges are checked at both ends', () => {
    const view = new DataView(new ArrayBuffer(16));
    packValue(u32, 0, view, 0, 'u');
    packValue(u32, 0xffffffff, view, 0, 'u');
    packValue(i32, -0x80000000, view, 4, 'i');
    packValue(i32, 0x7fffffff, view, 8, 'i');
    expect([view.getUint32(0, true), view.getInt32(4, true), view.getInt32(8, true)]).toEqual([0xffffffff, -0x80000000, 0x7fffffff]);
    for (const [layout, v, msg] of [
      [u32, -1, 'u: -1 is not a u32 (an integer in [0, 2^32))'],
      [u32, 2 ** 32, 'u: 4294967296 is not a u32'],
      [u32, 1.5, 'u: 1.5 is not a u32'],
      [i32, 2 ** 31, 'u: 2147483648 is not an i32 (an integer in [-2^31, 2^31))'],
      [i32, -(2 ** 31) - 1, 'u: -2147483649 is not an i32'],
      [i32, 0.5, 'u: 0.5 is not an i32'],
    ] as const) {
      expect(() => {
        packValue(layout, v, view, 0, 'u');
      }).toThrow(msg);
    }
  });

  test('wrong types, lengths and fields are ArgumentErrors naming the path', () => {
    const bad: [Layout, unknown, string][] = [
      [f32, '1', 'x: expected a number (f32), got string 1'],
      [f32, undefined, 'x: expected a number (f32), got nothing'],
      [bool, 1, 'x: expected a boolean, got number 1'],
      [vec3f, [1, 2], 'x: expected vec3<f32> (3 values), got an array of length 2'],
      [vec3f, { 0: 1 }, 'x: expected vec3<f32> (3 values), got an object'],
      [vec3f, new Map(), 'x: expected vec3<f32> (3 values), got a Map'],
      [vec3f, [1, 2, true], 'x[2]: expected a number (f32), got boolean true'],
      [mat2x3f, [1, 2, 3], 'x: expected mat2x3<f32> in column-major order (6 values), got an array of length 3'],
      [mat2x3f, [1, 2, 3, 4, 5, null], 'x[5]: expected a number (f32), got object'],
      [P, [1], 'x: expected an object with fields n, v, k, m, a, on; got an array of length 1'],
      [P, null, 'x: expected an object with fields n, v, k, m, a, on; got object'],
      [P, 5n, 'x: expected an object with fields n, v, k, m, a, on; got bigint 5'],
      [P, { n: 1, v: [0, 0, 0], k: 0, m: [0, 0, 0, 0, 0, 0], a: [0, 0], on: true, z: 1, w: 2 }, 'x: unknown fields z, w; struct P has n, v, k, m, a, on'],
      [P, { n: 1, v: [0, 0, 0], k: 0, m: [0, 0, 0, 0, 0, 0], a: [0, 0], on: true, z: 1 }, 'x: unknown field z; struct P has n, v, k, m, a, on'],
      [P, { n: 1, v: [0, 0, 0], k: 0, m: [0, 0, 0, 0, 0, 0], on: true }, "x: missing field 'a' of struct P"],
      // As many keys as fields, one of them unknown: the unknown field is named (not the missing one).
      [P, { n: 1, v: [0, 0, 0], k: 0, m: [0, 0, 0, 0, 0, 0], on: true, z: 1 }, 'x: unknown field z; struct P has n, v, k, m, a, on'],
      // Scalar fields (written at once when valid) are checked as scalars alone are, named by their path.
      [P, { n: -1, v: [0, 0, 0], k: 0, m: [0, 0, 0, 0, 0, 0], a: [0, 0], on: true }, 'x.n: -1 is not a u32 (an integer in [0, 2^32))'],
      [P, { n: 2 ** 32, v: [0, 0, 0], k: 0, m: [0, 0, 0, 0, 0, 0], a: [0, 0], on: true }, 'x.n: 4294967296 is not a u32 (an integer in [0, 2^32))'],
      [P, { n: 1, v: [0, 0, 0], k: 0.5, m: [0, 0, 0, 0, 0, 0], a: [0, 0], on: true }, 'x.k: 0.5 is not an i32 (an integer in [-2^31, 2^31))'],
      [P, { n: 1, v: [0, 0, 0], k: 2 ** 31, m: [0, 0, 0, 0, 0, 0], a: [0, 0], on: true }, 'x.k: 2147483648 is not an i32 (an integer in [-2^31, 2^31))'],
      [P, { n: '1', v: [0, 0, 0], k: 0, m: [0, 0, 0, 0, 0, 0], a: [0, 0], on: true }, 'x.n: expected a number (u32), got string 1'],
      [P, { n: 1, v: [0, 0, 0], k: 0, m: [0, 0, 0, 0, 0, 0], a: [0, 0], on: 1 }, 'x.on: expected a boolean, got number 1'],
      [P, { n: 1, v: [0, 0, 0], k: 0, m: [0, 0, 0, 0, 0, 0], a: [0, -1], on: true }, 'x.a[1]: -1 is not a u32 (an integer in [0, 2^32))'],
      [P, { n: 1, v: [0, 0, 0], k: 0, m: [0, 0, 0, 0, 0, 0], a: [0], on: true }, 'x.a: expected an array (2 values), got an array of length 1'],
      [P, { n: 1, v: [0, 0, 0], k: 0, m: [0, 0, 0, 0, 0, 0], a: [0, 0], on: 'yes' }, 'x.on: expected a boolean, got string yes'],
      [f32, () => 0, 'x: expected a number (f32), got function'],
      [f32, null, 'x: expected a number (f32), got object'],
      [vec3f, 'abc', 'x: expected vec3<f32> (3 values), got string abc'],
      [vec3f, { length: 3 }, 'x: expected vec3<f32> (3 values), got an object'],
    ];
    for (const [layout, v, msg] of bad) {
      let err: unknown;
      try {
        packUniform(layout, v, 'x');
      } catch (e) {
        err = e;
      }
      expect(err, msg).toBeInstanceOf(ArgumentError);
      expect((err as Error).message).toBe(msg);
    }
  });
});
