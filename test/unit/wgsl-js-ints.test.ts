/**
 * The WGSL → JS translator's integer arithmetic (src/backends/host/wgsl-js.ts) past 2^32 and 2^53, without a device:
 * i32/u32 results are WGSL's two's-complement wrap of the exact result, computed here with BigInt. A plain JS
 * `a * b` of two u32 values is exact only below 2^53 and so drops low bits of the wrap (0xffffffff² is
 * 2^64 − 2^33 + 1); the translator must use Math.imul. Operands: an explicit edge table crossed with itself,
 * then fast-check's integers (biased towards their bounds).
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { compileJs, HELPERS, translateStatements, type Scalar } from '../../src/backends/host/wgsl-js.js';
import { ShaderCompileError, UnsupportedOnEngineError } from '../../src/errors.js';

const U_EDGES = [0, 1, 2, 3, 0xffff, 0x10000, 0x10001, 0x7fffffff, 0x80000000, 0x80000001, 0xfffffffe, 0xffffffff, 94906265, 94906266, 3000000000];
const I_EDGES = [0, 1, -1, 2, -2, 0xffff, 0x10000, -0x10000, 46340, 46341, -46341, 0x7fffffff, -0x7fffffff, -0x80000000, 0x40000000];

const wrapU = (v: bigint): number => Number(BigInt.asUintN(32, v));
const wrapI = (v: bigint): number => Number(BigInt.asIntN(32, v));

/** WGSL's i32/u32 results of `a op b`, from BigInt (division truncates; x / 0 = x, x % 0 = 0; MIN / −1 = MIN, MIN % −1 = 0). */
function reference(op: string, t: 'i32' | 'u32', a: number, b: number): number {
  const wrap = t === 'u32' ? wrapU : wrapI;
  const A = BigInt(a);
  const B = BigInt(b);
  switch (op) {
    case '+': return wrap(A + B);
    case '-': return wrap(A - B);
    case '*': return wrap(A * B);
    case '/': return B === 0n || (t === 'i32' && a === -0x80000000 && b === -1) ? a : wrap(A / B);
    case '%': return B === 0n || (t === 'i32' && a === -0x80000000 && b === -1) ? 0 : wrap(A % B);
    case '&': return wrap(A & B);
    case '|': return wrap(A | B);
    case '^': return wrap(A ^ B);
    default: throw new Error(op);
  }
}

/** Translates `body` over a, b of type t and an output y of type out, and returns a function of (a, b). */
function kernel(body: string, t: Scalar, out: Scalar = t): (a: number, b: number) => number {
  const names = new Map([
    ['a', { type: t, mutable: false, js: 'v_a' }],
    ['b', { type: t, mutable: false, js: 'v_b' }],
    ['y', { type: out, mutable: true, js: 'v_y' }],
  ]);
  const js = translateStatements({ source: { text: body, where: 'the test body', label: 'test' }, names, params: new Map(), aliases: { T: 'f32' } });
  const fn = compileJs<number>(`const v_a = S.a;\nconst v_b = S.b;\nlet v_y = 0;\n${js}\nreturn v_y;`);
  return (a, b) => fn({}, { a, b }, 1);
}

const OPS = ['+', '-', '*', '/', '%', '&', '|', '^'] as const;

describe('WGSL → JS: i32 and u32 arithmetic wraps exactly as WGSL does', () => {
  for (const t of ['u32', 'i32'] as const) {
    const edges = t === 'u32' ? U_EDGES : I_EDGES;
    const arb = t === 'u32' ? fc.integer({ min: 0, max: 0xffffffff }) : fc.integer({ min: -0x80000000, max: 0x7fffffff });
    test(`${t}: every operator over the edge table and biased random operands matches the BigInt wrap`, () => {
      for (const op of OPS) {
        const f = kernel(`y = a ${op} b`, t);
        // Compound assignment takes the same path as the operator.
        const g = kernel(`var s = a;\ns ${op}= b;\ny = s`, t);
        const wrong: string[] = [];
        for (const a of edges) {
          for (const b of edges) {
            const want = reference(op, t, a, b);
            if (f(a, b) !== want) wrong.push(`${a} ${op} ${b} = ${f(a, b)}, not ${want}`);
            if (g(a, b) !== want) wrong.push(`${a} ${op}= ${b} = ${g(a, b)}, not ${want}`);
          }
        }
        expect(wrong, t).toEqual([]);
        fc.assert(fc.property(arb, arb, (a, b) => f(a, b) === reference(op, t, a, b)), { numRuns: 100 });
      }
    });
  }

  test('u32 a * b with both operands past 2^16 keeps every low bit (a plain JS product past 2^53 would not)', () => {
    const f = kernel('y = a * b', 'u32');
    expect(f(0xffffffff, 0xffffffff)).toBe(1);
    expect(f(0xfffffffe, 0xfffffffd)).toBe(wrapU(0xfffffffen * 0xfffffffdn));
    // Product 2^53 + 1 exactly: the float product rounds it to 2^53 (low word 0, not 1).
    expect(f(94906267, 94906267)).toBe(wrapU(94906267n * 94906267n));
    expect((94906267 * 94906267) % 2 ** 32).not.toBe(wrapU(94906267n * 94906267n));
  });

  test('shifts take the count modulo 32; << wraps; >> is arithmetic on i32 and logical on u32', () => {
    const shl = kernel('y = a << b', 'u32');
    const shr = kernel('y = a >> b', 'u32');
    const ishl = kernel('y = a << u32(b)', 'i32');
    const ishr = kernel('y = a >> u32(b)', 'i32');
    for (const a of U_EDGES) {
      for (const s of [0, 1, 15, 16, 31, 32, 33, 63]) {
        expect(shl(a, s), `${a} << ${s}`).toBe(wrapU(BigInt(a) << BigInt(s % 32)));
        expect(shr(a, s), `${a} >> ${s}`).toBe(Number(BigInt(a) >> BigInt(s % 32)));
      }
    }
    for (const a of I_EDGES) {
      for (const s of [0, 1, 30, 31, 32, 33]) {
        expect(ishl(a, s), `i32 ${a} << ${s}`).toBe(wrapI(BigInt(a) << BigInt(s % 32)));
        expect(ishr(a, s), `i32 ${a} >> ${s}`).toBe(Number(BigInt(a) >> BigInt(s % 32)));
      }
    }
  });

  test('unary minus, ~, ++ and -- wrap; u32(i32) and i32(u32) reinterpret the bits', () => {
    expect(kernel('y = -a', 'i32')(-0x80000000, 0)).toBe(-0x80000000);
    expect(kernel('y = -a', 'i32')(0x7fffffff, 0)).toBe(-0x7fffffff);
    expect(kernel('y = ~a', 'u32')(0, 0)).toBe(0xffffffff);
    expect(kernel('y = ~a', 'i32')(0, 0)).toBe(-1);
    expect(kernel('var s = a;\ns++;\ny = s', 'u32')(0xffffffff, 0)).toBe(0);
    expect(kernel('var s = a;\ns--;\ny = s', 'u32')(0, 0)).toBe(0xffffffff);
    expect(kernel('var s = a;\ns++;\ny = s', 'i32')(0x7fffffff, 0)).toBe(-0x80000000);
    expect(kernel('var s = a;\ns--;\ny = s', 'i32')(-0x80000000, 0)).toBe(0x7fffffff);
    expect(kernel('y = u32(a)', 'i32', 'u32')(-1, 0)).toBe(0xffffffff);
    expect(kernel('y = u32(a)', 'i32', 'u32')(-0x80000000, 0)).toBe(0x80000000);
    expect(kernel('y = i32(a)', 'u32', 'i32')(0xffffffff, 0)).toBe(-1);
    expect(kernel('y = i32(a)', 'u32', 'i32')(0x80000000, 0)).toBe(-0x80000000);
  });

  test('a u32 literal times a variable wraps; abstract integer constants are exact up to 2^53 and refused past it', () => {
    expect(kernel('y = a * 4294967295u', 'u32')(0xffffffff, 0)).toBe(1);
    expect(kernel('y = a * 3000000000', 'u32')(3, 0)).toBe(wrapU(9000000000n));
    // 2^53 − 1 is exact; folded constants stay exact while they are safe integers.
    expect(kernel('const k = 9007199254740991 - 9007199254740990;\ny = a + k', 'u32')(1, 0)).toBe(2);
    expect(kernel('const k = 94906265 * 94906265 - 9007199136250225;\ny = a + k', 'u32')(0, 0)).toBe(wrapU(94906265n * 94906265n - 9007199136250225n));
    for (const body of ['const k = 9007199254740991 + 1;\ny = a', 'const k = 94906267 * 94906267;\ny = a', 'const k = -9007199254740991 - 2;\ny = a']) {
      expect(() => kernel(body, 'u32'), body).toThrow(UnsupportedOnEngineError);
      expect(() => kernel(body, 'u32'), body).toThrow(/an abstract integer expression beyond 2\^53/);
    }
    // A literal outside its type's range is a compile error, as in WGSL.
    expect(() => kernel('y = a + 4294967296u', 'u32')).toThrow(ShaderCompileError);
    expect(() => kernel('y = a + 2147483648i', 'i32')).toThrow(ShaderCompileError);
    expect(() => kernel('y = a + -1', 'u32')).toThrow(/the abstract integer -1 cannot be converted to u32/);
    expect(kernel('y = a + 2147483647i', 'i32')(1, 0)).toBe(-0x80000000);
    // Integer division by a constant zero is refused when WGSL evaluates it; at run time it is x / 0 = x.
    expect(() => kernel('const k = 1 / 0;\ny = a', 'u32')).toThrow(/integer division by zero in a constant expression/);
    expect(() => kernel('const k = 1 % 0;\ny = a', 'u32')).toThrow(/integer remainder by zero in a constant expression/);
    expect(kernel('y = a / b', 'u32')(7, 0)).toBe(7);
  });
});

describe('WGSL → JS runtime helpers', () => {
  const H = HELPERS;
  test('idiv, irem, udiv and urem: truncating, x / 0 = x, x % 0 = 0, MIN / −1 = MIN', () => {
    expect(H.idiv(7, 2)).toBe(3);
    expect(H.idiv(-7, 2)).toBe(-3);
    expect(H.idiv(5, 0)).toBe(5);
    expect(H.idiv(-0x80000000, -1)).toBe(-0x80000000);
    expect(H.idiv(-0x80000000, 1)).toBe(-0x80000000);
    expect(H.idiv(0x7fffffff, -1)).toBe(-0x7fffffff);
    expect(H.irem(-7, 2)).toBe(-1);
    expect(H.irem(7, -2)).toBe(1);
    expect(H.irem(5, 0)).toBe(0);
    expect(H.irem(-0x80000000, -1)).toBe(0);
    expect(H.irem(-0x80000000, 3)).toBe(-2);
    expect(H.udiv(0xffffffff, 2)).toBe(0x7fffffff);
    expect(H.udiv(0xffffffff, 0)).toBe(0xffffffff);
    expect(H.udiv(0xffffffff, 0xffffffff)).toBe(1);
    expect(H.udiv(0xfffffffe, 0xffffffff)).toBe(0);
    expect(H.urem(0xffffffff, 10)).toBe(5);
    expect(H.urem(0xffffffff, 0)).toBe(0);
  });

  test('frem is x − y·trunc(x / y) rounded to f32 at each step; iabs(MIN) = MIN', () => {
    expect(H.frem(5.5, 2)).toBe(1.5);
    expect(H.frem(-5.5, 2)).toBe(-1.5);
    const [a, b] = [Math.fround(1e10), Math.fround(3.3)];
    expect(H.frem(a, b)).toBe(Math.fround(a - Math.fround(b * Math.trunc(Math.fround(a / b)))));
    expect(H.iabs(-5)).toBe(5);
    expect(H.iabs(5)).toBe(5);
    expect(H.iabs(0)).toBe(0);
    expect(H.iabs(-0x80000000)).toBe(-0x80000000);
  });

  test('rne rounds half to even; f2i and f2u truncate and saturate, NaN to 0', () => {
    // A zero keeps the sign of x (IEEE roundEven; Dawn gives round(-0.4) = -0, checked on lavapipe).
    for (const [x, r] of [[0.5, 0], [1.5, 2], [2.5, 2], [-0.5, -0], [-0.4, -0], [-0, -0], [0, 0], [0.3, 0], [-0.6, -1], [-1.5, -2], [-2.5, -2], [2.4999, 2], [2.5001, 3], [3, 3]] as const) expect(H.rne(x), String(x)).toBe(r);
    expect(H.rne(NaN)).toBeNaN();
    expect(H.rne(-Infinity)).toBe(-Infinity);
    expect(H.f2i(NaN)).toBe(0);
    expect(H.f2i(2147483647)).toBe(2147483647);
    expect(H.f2i(2147483648)).toBe(2147483647);
    expect(H.f2i(Infinity)).toBe(2147483647);
    expect(H.f2i(-2147483648)).toBe(-2147483648);
    expect(H.f2i(-Infinity)).toBe(-2147483648);
    expect(H.f2i(-2.9)).toBe(-2);
    expect(H.f2i(2147483520.5)).toBe(2147483520);
    expect(H.f2u(NaN)).toBe(0);
    expect(H.f2u(4294967296)).toBe(4294967295);
    expect(H.f2u(4294967295)).toBe(4294967295);
    expect(H.f2u(-0.5)).toBe(0);
    expect(H.f2u(0)).toBe(0);
    expect(H.f2u(4294967040.7)).toBe(4294967040);
    expect(H.f2u(2.9)).toBe(2);
  });

  test('rawRead: the index as a u32, 0 outside the array', () => {
    const a = new Float32Array([1, 2, 3]);
    expect(H.rawRead(a, 0)).toBe(1);
    expect(H.rawRead(a, 2)).toBe(3);
    expect(H.rawRead(a, 3)).toBe(0);
    expect(H.rawRead(a, -1)).toBe(0);
    expect(H.rawRead({ length: 1, 0: 9, 4294967295: 7 }, -1)).toBe(7);
  });
});
