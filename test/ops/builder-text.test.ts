import { describe, expect } from 'vitest';
import { map, ArgumentError, ShaderCompileError, type DeviceArray } from '../../src/index.js';
import { dawnTest, expectArrayEqual } from '../fixture.js';
import { randomF32 } from './helpers.js';

describe("the user's text is taken as written", () => {
  dawnTest('map: a multi-line expression, a trailing // comment, and i and n at sizes with a vec4 part', async ({ device }) => {
    const xh = randomF32(1001, 9, -4, 4);
    using x = device.array(xh);
    using a = map(x, 'x *\n 2.0');
    expectArrayEqual(await a.toArray(), xh.map((v) => Math.fround(2 * v)));
    using b = map(x, 'x + 1.0 // plus one');
    expectArrayEqual(await b.toArray(), xh.map((v) => Math.fround(v + 1)));
    for (const n of [4, 5, 8, 1001]) {
      using xs = device.array(xh.subarray(0, n));
      using idx = map(xs, 'f32(i)');
      expectArrayEqual(await idx.toArray(), Array.from({ length: n }, (_, k) => k));
      using len = map(xs, 'x * 0.0 + f32(n) /* the length */');
      expectArrayEqual(await len.toArray(), new Array<number>(n).fill(n));
      // Called again: the vec4 variant (proved in the background by now: the body has no i) agrees.
      await device.sync();
      using len2 = map(xs, 'x * 0.0 + f32(n) /* the length */');
      expectArrayEqual(await len2.toArray(), new Array<number>(n).fill(n));
    }
  });

  dawnTest('trailing comments in an elementwise body and in every reduction expression', async ({ device }) => {
    const f = await device.elementwise({ name: 'twice', args: 'x: T[], y: T[]', body: 'y = x * 2.0 // doubled' });
    const r = await device.reduction({ name: 'rms', args: 'x: T[], inv_n: f32', map: 'x * x // squares', reduce: 'a + b // sum', identity: '0 // zero', post: 'sqrt(a * params.inv_n) // root of the mean' });
    const xh = new Float32Array([3, -4, 12, 0, 1]);
    using x = device.array(xh);
    using y = f({ x }) as DeviceArray;
    expectArrayEqual(await y.toArray(), [6, -8, 24, 0, 2]);
    using s = r(x, 1 / 5);
    expect(await s.item()).toBeCloseTo(Math.sqrt((9 + 16 + 144 + 0 + 1) / 5), 5);
  });

  dawnTest("argument names the old generated code used (start, span, last, main, first, body) are the user's", async ({ device }) => {
    const f = await device.elementwise({ name: 'names', args: 'start: T[], span: T[], main: T[], body: T[], last: f32', body: 'body = start * last + span; main = span' });
    const r = await device.reduction({ name: 'names', args: 'first: T[], span: T[], partials_in: f32', map: 'first * span + partials_in', reduce: 'a + b', identity: '0' });
    using s1 = device.array(new Float32Array([1, 2, 3, 4, 5]));
    using s2 = device.array(new Float32Array([10, 20, 30, 40, 50]));
    const out = f({ start: s1, span: s2, last: 3 }) as Record<string, DeviceArray>;
    using body = out['body'] as DeviceArray;
    using main = out['main'] as DeviceArray;
    expectArrayEqual(await body.toArray(), [13, 26, 39, 52, 65]);
    expectArrayEqual(await main.toArray(), [10, 20, 30, 40, 50]);
    using dot = r(s1, s2, 1);
    expect(await dot.item()).toBe(10 + 40 + 90 + 160 + 250 + 5);
  });

  dawnTest('a name with a line break stays a name', async ({ device }) => {
    const f = await device.elementwise({ name: 'two\nlines', args: 'x: T[], y: T[]', body: 'y = -x' });
    using x = device.array(new Float32Array([1, -2]));
    using y = f({ x }) as DeviceArray;
    expectArrayEqual(await y.toArray(), [-1, 2]);
  });
});

describe('names and errors point at what the user wrote', () => {
  dawnTest('argument names WGSL already uses are refused with an ArgumentError naming them', async ({ device }) => {
    for (const name of ['f32', 'array', 'u32', 'vec4', 'bitcast']) {
      const e = await device.elementwise({ args: `${name}: T[], y: T[]`, body: `y = ${name}` }).catch((err: unknown) => err);
      expect(e).toBeInstanceOf(ArgumentError);
      expect((e as Error).message).toContain(`argument name '${name}' is reserved`);
      await expect(device.reduction({ args: `x: T[], ${name}: f32`, map: 'x', reduce: 'a + b', identity: '0' })).rejects.toThrow(`argument name '${name}' is reserved`);
    }
  });

  dawnTest('map: a type error is reported at the next readback inside the expression, then refused at once', async ({ device }) => {
    using x = device.array(new Float32Array([1, 2, 3, 4, 5]));
    const y = map(x, 'x * undefined_name');
    const e = await device.sync().catch((err: unknown) => err);
    y.destroy();
    expect(e).toBeInstanceOf(ShaderCompileError);
    // The words are the compiler's: Dawn's Tint, or wgpu's naga (Deno's WebGPU); the position is the same.
    expect((e as Error).message).toMatch(/1:5 error: (unresolved value 'undefined_name'|parsing error: no definition in scope for identifier: `undefined_name`) \(in the expression of map\)/);
    let again: unknown;
    try {
      map(x, 'x * undefined_name');
    } catch (err) {
      again = err;
    }
    expect(again).toBeInstanceOf(ShaderCompileError);
    expect((again as ShaderCompileError).diagnostics[0]).toMatchObject({ line: 1, column: 5, sourceLine: 'x * undefined_name' });
  });

  dawnTest('a T builder whose body does not compile for a dtype it was not checked with: mapped, then refused at once', async ({ device }) => {
    const f = await device.elementwise({ name: 'halve', args: 'x: T[], y: T[]', body: 'y = x * 0.5' });
    using xi = device.array(new Int32Array([2, 4, 6, 8, 10]));
    (f({ x: xi }) as DeviceArray).destroy();
    const e = await device.sync().catch((err: unknown) => err);
    expect(e).toBeInstanceOf(ShaderCompileError);
    // Tint points at the f32 product (1:5); naga (wgpu) at the i32 it cannot be assigned to (1:1, `y`).
    expect((e as Error).message).toMatch(device.info.webgpu === 'wgpu' ? /1:1 error: [\s\S]*\(in the body of elementwise 'halve'\)/ : /1:5 error: [\s\S]*\(in the body of elementwise 'halve'\)/);
    expect(() => f({ x: xi })).toThrow(ShaderCompileError);
    using xf = device.array(new Float32Array([2, 4, 6, 8, 10]));
    using yf = f({ x: xf }) as DeviceArray;
    expectArrayEqual(await yf.toArray(), [1, 2, 3, 4, 5]);
  });

  dawnTest('map: a syntax error is thrown at the call, on the line of the expression where it is', ({ device }) => {
    using x = device.array(new Float32Array([1, 2, 3]));
    let e: unknown;
    try {
      map(x, 'x * (2.0 +\n 1.0 1.0)');
    } catch (err) {
      e = err;
    }
    expect(e).toBeInstanceOf(ShaderCompileError);
    expect((e as ShaderCompileError).diagnostics[0]).toMatchObject({ line: 2, sourceLine: ' 1.0 1.0)' });
    expect(() => map(x, 'x * (2.0')).toThrow(/'\(' at 1:5 is never closed/);
  });

  dawnTest('reductions and bodies: errors carry the line and column of the expression, also at its end', async ({ device }) => {
    const e1 = await device.reduction({ name: 'r', args: 'x: T[]', map: 'x *\n  nope // c', reduce: 'a + b', identity: '0' }).catch((err: unknown) => err);
    expect(e1).toBeInstanceOf(ShaderCompileError);
    expect((e1 as ShaderCompileError).diagnostics[0]).toMatchObject({ line: 2, column: 3, sourceLine: '  nope // c' });
    expect((e1 as Error).message).toContain("in the map expression of reduction 'r'");
    const e2 = await device.reduction({ name: 'r', args: 'x: T[]', map: 'x', reduce: 'a +', identity: '0' }).catch((err: unknown) => err);
    expect(e2).toBeInstanceOf(ShaderCompileError);
    expect((e2 as ShaderCompileError).diagnostics[0]).toMatchObject({ line: 1, column: 4, sourceLine: 'a +' });
    const e3 = await device.elementwise({ name: 'e', args: 'x: T[], y: T[]', body: 'y = x;\n}' }).catch((err: unknown) => err);
    expect(e3).toBeInstanceOf(ArgumentError);
    expect((e3 as Error).message).toContain("'}' at 2:1 has no matching '{'");
  });
});
