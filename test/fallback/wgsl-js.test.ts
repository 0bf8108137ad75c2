/**
 * The WGSL → JavaScript translator of the gpujs builders (src/backends/host/wgsl-js.ts), without a device: WGSL's
 * typing of abstract literals, its integer and conversion rules, and where errors point. The references are
 * the WGSL rules written out here (BigInt for integer arithmetic).
 */
import { describe, expect, test } from 'vitest';
import { ShaderCompileError, UnsupportedOnEngineError } from '../../src/index.js';
import { compileJs, translateExpression, translateStatements, type Scalar } from '../../src/backends/host/wgsl-js.js';

type Vars = Record<string, { type: Scalar; value: number }>;

/** Runs `body` once over scalar inputs `x…` and returns the output `y` (of type `out`). */
function run(body: string, vars: Vars, out: Scalar): number {
  const names = new Map(Object.entries(vars).map(([k, v]) => [k, { type: v.type, mutable: false, js: `v_${k}` }]));
  names.set('y', { type: out, mutable: true, js: 'v_y' });
  const js = translateStatements({ source: { text: body, where: 'the test body', label: 'test' }, names, params: new Map(), aliases: { T: 'f32' } });
  const fn = compileJs<number>(`${Object.keys(vars).map((k) => `const v_${k} = S[${JSON.stringify(k)}];`).join('\n')}\nlet v_y = 0;\n${js}\nreturn v_y;`);
  return fn({}, Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, v.value])), 1);
}

function expr(text: string, vars: Vars, to: Scalar): number {
  const names = new Map(Object.entries(vars).map(([k, v]) => [k, { type: v.type, mutable: false, js: `v_${k}` }]));
  const js = translateExpression({ source: { text, where: 'the test expression', label: 'test' }, names, params: new Map(), aliases: { T: 'f32' } }, to);
  const fn = compileJs<number>(`${Object.keys(vars).map((k) => `const v_${k} = S[${JSON.stringify(k)}];`).join('\n')}\nreturn Number(${js});`);
  return fn({}, Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, v.value])), 1);
}

const i32 = (value: number) => ({ type: 'i32' as const, value });
const u32 = (value: number) => ({ type: 'u32' as const, value });
const f32 = (value: number) => ({ type: 'f32' as const, value: Math.fround(value) });

describe('WGSL → JS translation (gpujs builders)', () => {
  test('abstract literals take the type of the concrete operand; mixing concrete types is a compile error', () => {
    expect(run('y = x * 3 + 1', { x: u32(0xfffffff0) }, 'u32')).toBe(Number(BigInt.asUintN(32, 0xfffffff0n * 3n + 1n)));
    expect(run('y = x * 2.5', { x: f32(1.1) }, 'f32')).toBe(Math.fround(Math.fround(1.1) * 2.5));
    expect(() => run('y = x + 1.5', { x: i32(1) }, 'i32')).toThrow(ShaderCompileError);
    expect(() => run('y = x + z', { x: i32(1), z: u32(1) }, 'i32')).toThrow(/'\+' takes operands of one type, got i32 and u32/);
    // Constant expressions are evaluated as WGSL's abstract (exact) arithmetic before conversion.
    expect(run('const k = 7 / 2;\ny = x + k', { x: u32(1) }, 'u32')).toBe(4);
    expect(run('y = x * (1.0 / 3.0)', { x: f32(3) }, 'f32')).toBe(Math.fround(Math.fround(3) * Math.fround(1 / 3)));
  });

  test('i32 wraps; shifts take the count modulo 32; >> is arithmetic on i32, logical on u32', () => {
    const wrap = (v: bigint): number => Number(BigInt.asIntN(32, v));
    expect(run('y = x + x', { x: i32(2 ** 31 - 1) }, 'i32')).toBe(wrap(2n * (2n ** 31n - 1n)));
    expect(run('y = -x', { x: i32(-(2 ** 31)) }, 'i32')).toBe(-(2 ** 31));
    expect(run('y = x << 33u', { x: i32(3) }, 'i32')).toBe(6);
    expect(run('y = x >> 1u', { x: i32(-8) }, 'i32')).toBe(-4);
    expect(run('y = x >> 1u', { x: u32(0x80000000) }, 'u32')).toBe(0x40000000);
    expect(run('y = ~x & 0xffu', { x: u32(1) }, 'u32')).toBe(0xfe);
  });

  test('float → integer conversions truncate toward zero and saturate; u32(i32) reinterprets', () => {
    expect(expr('i32(x)', { x: f32(-2.7) }, 'i32')).toBe(-2);
    expect(expr('i32(x)', { x: f32(3e10) }, 'i32')).toBe(2 ** 31 - 1);
    expect(expr('u32(x)', { x: f32(-5) }, 'u32')).toBe(0);
    expect(expr('u32(x)', { x: i32(-1) }, 'u32')).toBe(0xffffffff);
    expect(expr('f32(x)', { x: u32(0xffffffff) }, 'f32')).toBe(Math.fround(0xffffffff));
    // A bool result converts as Dawn's R(...) wrapper converts it.
    expect(expr('x > 0.5', { x: f32(1) }, 'u32')).toBe(1);
  });

  test('round is half-to-even; fma and pow round once to f32', () => {
    for (const [v, r] of [[0.5, 0], [1.5, 2], [2.5, 2], [-2.5, -2], [-3.5, -4], [2.5000002, 3]] as const) expect(expr('round(x)', { x: f32(v) }, 'f32')).toBe(r);
    expect(expr('fma(x, x, 1.0)', { x: f32(1.1) }, 'f32')).toBe(Math.fround(Math.fround(1.1) ** 2 + 1));
    expect(expr('pow(x, 0.5)', { x: f32(2) }, 'f32')).toBe(Math.fround(Math.SQRT2));
  });

  test('errors point into the text: line and column', () => {
    try {
      run('let t = x;\ny = t + foo', { x: f32(1) }, 'f32');
      expect.fail('expected an error');
    } catch (e) {
      expect(e).toBeInstanceOf(ShaderCompileError);
      expect((e as ShaderCompileError).diagnostics[0]).toMatchObject({ line: 2, column: 9, sourceLine: 'y = t + foo' });
    }
    expect(() => run('let t = x;\nt = 2.0;\ny = t', { x: f32(1) }, 'f32')).toThrow(/'t' cannot be assigned \(it is a 'let'\)/);
    expect(() => run('y = x; x = 1.0', { x: f32(1) }, 'f32')).toThrow(/'x' cannot be assigned \(it is an input argument\)/);
    expect(() => run('y = -x', { x: u32(1) }, 'u32')).toThrow(/unary '-' is not defined for u32/);
    // As Dawn's compiler (Tint) says of the generated code: a top-level local may not take an argument's name;
    // a nested block may shadow any name (then the inner name is a new variable).
    expect(() => run('let x = 2.0;\ny = x', { x: f32(1) }, 'f32')).toThrow(/1:5 .*redeclaration of 'x'/s);
    expect(() => run('y = x;\nvar y = 2.0;', { x: f32(1) }, 'f32')).toThrow(/redeclaration of 'y'/);
    expect(run('y = x;\nif x > 0.0 { var y = 2.0; y += 1.0; }', { x: f32(5) }, 'f32')).toBe(5);
    expect(run('y = x;\n{ let x = 3.0; y = y + x; }', { x: f32(5) }, 'f32')).toBe(8);
    expect(run('let t = 1.0;\nif x > 0.0 { let t = 2.0; y = t; }', { x: f32(1) }, 'f32')).toBe(2);
  });

  test('constructs outside the subset are UnsupportedOnEngineError naming them and where they are', () => {
    const cases: [string, RegExp][] = [
      ['y = x;\nwhile (true) { y += 1.0; }', /a while loop at 2:1/],
      ['y = x;\n  loop { }', /a loop statement at 2:3/],
      ['y = countOneBits(1u) + x', /'countOneBits\(\.\.\.\)' \(a WGSL built-in function\) at 1:5/],
      ['y = x + vec4<f32>(1.0).x', /'vec4<\.\.\.>' at 1:9/],
      ['var p = &y;', /a pointer \('&' in front of an expression\) at 1:9/],
      ['y = (x + 1.0)[2]', /indexing \(e\[\.\.\.\]\) at 1:14/], // a name indexed is raw-array syntax: see test/ops/elementwise-raw.test.ts
      ['y = 0x1p3 + x', /the hexadecimal float literal '0x1p3' at 1:5/],
    ];
    for (const [body, message] of cases) {
      expect(() => run(body, { x: f32(1) }, 'f32'), body).toThrow(UnsupportedOnEngineError);
      expect(() => run(body, { x: f32(1) }, 'f32'), body).toThrow(message);
    }
  });
});
