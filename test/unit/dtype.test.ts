import { execFileSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { assertDType, bytesOf, dtypeOfHost, dtypes, f16BitsToF32, f32ToF16Bits, hostArray, isDType } from '../../src/buffers/dtype.js';
import { DTypeError } from '../../src/errors.js';

/** NumPy (Debian's python3-numpy) as the f16 oracle: raw little-endian bytes in, bytes out. */
function np(code: string, input: Uint8Array): Buffer {
  return execFileSync('/usr/bin/python3', ['-c', `import sys, warnings, numpy as np\nwarnings.simplefilter('ignore')\nb = sys.stdin.buffer.read()\n${code}`], { input, maxBuffer: 1 << 24 });
}

describe('f16 conversions against NumPy', () => {
  test('f16BitsToF32 on all 65,536 bit patterns', () => {
    const want = new Float32Array(new Uint8Array(np('sys.stdout.buffer.write(np.arange(65536, dtype=np.uint16).view(np.float16).astype(np.float32).tobytes())', new Uint8Array(0))).buffer);
    for (let h = 0; h < 65_536; h++) {
      const got = f16BitsToF32(h);
      const w = want[h] ?? NaN;
      if (!(Object.is(got, w) || (Number.isNaN(got) && Number.isNaN(w)))) expect.fail(`f16 bits 0x${h.toString(16)}: got ${got}, NumPy ${w}`);
    }
  });

  test('f32ToF16Bits rounds to nearest even like NumPy: every f16 value, the midpoints between them and their neighbours, and wide random f32', () => {
    const xs: number[] = [0, -0, Infinity, -Infinity, NaN, 65504, 65519.99, 65520, -65520, 1e-8, -1e-8, 2 ** -24, 2 ** -25, 3 * 2 ** -26, 2 ** -14, 2 ** -14 - 2 ** -25, 1e10, 3.4e38];
    const f = new Float32Array(1);
    const u = new Uint32Array(f.buffer);
    for (let h = 0; h < 0x7c00; h++) {
      const v = f16BitsToF32(h);
      const next = f16BitsToF32(h + 1);
      const mid = Math.fround((v + next) / 2);
      for (const x of [v, mid]) {
        f[0] = x;
        const bits = u[0] ?? 0;
        for (const d of [-1, 0, 1]) {
          u[0] = bits + d;
          const y = f[0];
          xs.push(y, -y);
        }
      }
    }
    let s = 12345;
    for (let k = 0; k < 20_000; k++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      u[0] = s;
      xs.push(f[0] ?? 0);
    }
    const input = Float32Array.from(xs);
    const want = new Uint16Array(new Uint8Array(np('sys.stdout.buffer.write(np.frombuffer(b, dtype=np.float32).astype(np.float16).view(np.uint16).tobytes())', new Uint8Array(input.buffer))).buffer);
    input.forEach((x, k) => {
      const got = f32ToF16Bits(x);
      const w = want[k] ?? -1;
      // NumPy's NaN payload may differ: any NaN pattern with the same sign is a NaN.
      const isNan = (b: number): boolean => (b & 0x7c00) === 0x7c00 && (b & 0x3ff) !== 0;
      if (got !== w && !(isNan(got) && isNan(w) && (got & 0x8000) === (w & 0x8000))) expect.fail(`f32ToF16Bits(${x}): got 0x${got.toString(16)}, NumPy 0x${w.toString(16)}`);
    });
  });
});

describe('dtypes', () => {
  test('names, sizes and host arrays', () => {
    expect(dtypes).toEqual(['f32', 'i32', 'u32', 'f16', 'bool']);
    expect(dtypes.map(bytesOf)).toEqual([4, 4, 4, 2, 4]); // bool: a u32 word (0 or 1) per element
    for (const d of dtypes) expect(isDType(d)).toBe(true);
    // Only strings: an array or object that stringifies to a dtype name is not one.
    for (const x of ['f64', 'F32', '', 'toString', 'constructor', 32, null, undefined, {}, ['f32'], { toString: () => 'u32' }]) expect(isDType(x)).toBe(false);
    expect(assertDType('u32')).toBe('u32');
    expect(() => assertDType('f64')).toThrow(DTypeError);
    expect(() => assertDType('f64')).toThrow('unknown dtype "f64"; expected one of f32, i32, u32, f16, bool');
    expect(hostArray('f32', 3)).toEqual(new Float32Array(3));
    expect(hostArray('f16', 2)).toEqual(new Float32Array(2));
    expect(hostArray('i32', 4)).toEqual(new Int32Array(4));
    expect(hostArray('u32', 5)).toEqual(new Uint32Array(5));
    expect(hostArray('bool', 2)).toEqual(new Uint32Array(2));
    expect(dtypeOfHost(new Float32Array(1))).toBe('f32');
    expect(dtypeOfHost(new Int32Array(1))).toBe('i32');
    expect(dtypeOfHost(new Uint32Array(1))).toBe('u32');
    expect(() => dtypeOfHost(new Float64Array(1))).toThrow(DTypeError);
    expect(() => dtypeOfHost(new Uint8Array(1))).toThrow("a Uint8Array has no dtype of its own on the device: pass { dtype: 'u32' } or { dtype: 'i32' } (every value converts exactly); without a dtype gpukit takes Float32Array (f32), Int32Array (i32) or Uint32Array (u32)");
  });
});
