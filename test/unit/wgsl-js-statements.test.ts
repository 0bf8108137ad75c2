/**
 * The WGSL → JS translator's statements, literals, raw-array reads, `params`, `_ind` and the errors it raises
 * (src/backends/host/wgsl-js.ts), without a device. References: WGSL's rules written out here (f32 results are
 * the f64 result rounded to f32; i32/u32 wrap; literal typing per WGSL §6 / §8).
 */
import { describe, expect, test } from 'vitest';
import { ArgumentError, ShaderCompileError, UnsupportedOnEngineError } from '../../src/errors.js';
import { compileJs, translateStatements } from '../../src/backends/host/wgsl-js.js';
import { bool, expr, f32, i32, run, u32 } from './wgsl-js-harness.js';

const fr = Math.fround;

describe('WGSL → JS statements', () => {
  test('if / else if / else picks one branch; blocks and empty statements', () => {
    const body = 'if x < 0.0 { y = -1.0; } else if x == 0.0 { y = 0.5; } else { y = 1.0; };;';
    expect(run(body, 'f32', { vars: { x: f32(-3) } })).toBe(-1);
    expect(run(body, 'f32', { vars: { x: f32(0) } })).toBe(0.5);
    expect(run(body, 'f32', { vars: { x: f32(3) } })).toBe(1);
    expect(run('y = 1.0; if x > 0.0 { y = 2.0; }', 'f32', { vars: { x: f32(-1) } })).toBe(1);
    expect(run('y = 1.0; if (x > 0.0) { y = 2.0; }', 'f32', { vars: { x: f32(1) } })).toBe(2);
    expect(run('{ y = 2.0; { y = y * 3.0; } }', 'f32')).toBe(6);
    expect(run('if c { y = 1; } else { y = 2; }', 'i32', { vars: { c: bool(false) } })).toBe(2);
    expect(run('if !c { y = 1; }', 'i32', { vars: { c: bool(false) } })).toBe(1);
  });

  test('let, var (with a type, an initializer, or both; a var without one starts at zero) and const', () => {
    expect(run('let a = x * 2.0;\nvar b = a + 1.0;\nb = b * a;\ny = b', 'f32', { vars: { x: f32(1.5) } })).toBe(12);
    expect(run('var a: i32;\na += 5;\ny = a', 'i32')).toBe(5);
    expect(run('var a: u32;\na -= 1u;\ny = a', 'u32')).toBe(0xffffffff);
    expect(run('var a: f32;\ny = a + 0.5', 'f32')).toBe(0.5);
    expect(run('var a: bool;\ny = a', 'bool')).toBe(false);
    expect(run('var a: u32 = 7;\ny = a', 'u32')).toBe(7);
    expect(run('let a: f32 = 2;\ny = a', 'f32')).toBe(2);
    // An untyped let of an abstract int is an i32, of an abstract float an f32.
    expect(run('let a = 3;\ny = a / 2', 'i32')).toBe(1);
    expect(run('let a = 3.0;\ny = a / 2', 'f32')).toBe(1.5);
    // const: abstract, folded exactly, and taking the type of where it is used.
    expect(run('const k = 3;\ny = x * k', 'u32', { vars: { x: u32(5) } })).toBe(15);
    expect(run('const k = 0.1;\ny = x + k', 'f32', { vars: { x: f32(1) } })).toBe(fr(1 + fr(0.1)));
    expect(run('const k: u32 = 4;\ny = x << k', 'u32', { vars: { x: u32(1) } })).toBe(16);
    expect(run('const k = 10 - 3 * 2;\ny = x + k', 'i32', { vars: { x: i32(1) } })).toBe(5);
    expect(run('const k = -7 % 3;\ny = x + k', 'i32', { vars: { x: i32(0) } })).toBe(-1);
    expect(run('const k = 7.0 / 2.0;\ny = x + k', 'f32', { vars: { x: f32(0) } })).toBe(3.5);
    // Shifts of abstract integers are evaluated by the count's value (they were once by a count of 0).
    expect(run('const k = 1 << 4;\ny = x + k', 'u32', { vars: { x: u32(0) } })).toBe(16);
    expect(run('const k = 256 >> 3;\ny = x + k', 'u32', { vars: { x: u32(0) } })).toBe(32);
    expect(run('const k = -255 >> 3;\ny = x + k', 'i32', { vars: { x: i32(0) } })).toBe(-32);
    expect(run('y = x * (3 << 2)', 'i32', { vars: { x: i32(2) } })).toBe(24);
    expect(run('y = x + (1 << 31)', 'u32', { vars: { x: u32(1) } })).toBe(0x80000001);
    expect(() => run('const k = 1 << 53;\ny = x', 'u32', { vars: { x: u32(0) } })).toThrow(/an abstract integer expression beyond 2\^53/);
    expect(run('const k = (12 & 10) | (1 ^ 3);\ny = x + k', 'u32', { vars: { x: u32(0) } })).toBe(10);
    expect(run('const k = -(2);\nconst m = ~5;\ny = x + k + m', 'i32', { vars: { x: i32(0) } })).toBe(-8);
  });

  test('compound assignments, ++ and --', () => {
    const F = (op: string, v: number, w: number) => run(`var s = x;\ns ${op} z;\ny = s`, 'f32', { vars: { x: f32(v), z: f32(w) } });
    expect(F('+=', 1.1, 2.2)).toBe(fr(fr(1.1) + fr(2.2)));
    expect(F('-=', 1.1, 2.2)).toBe(fr(fr(1.1) - fr(2.2)));
    expect(F('*=', 1.1, 2.2)).toBe(fr(fr(1.1) * fr(2.2)));
    expect(F('/=', 1.1, 2.2)).toBe(fr(fr(1.1) / fr(2.2)));
    expect(F('%=', 5.5, 2)).toBe(1.5);
    const U = (op: string, v: number, w: number) => run(`var s = x;\ns ${op} z;\ny = s`, 'u32', { vars: { x: u32(v), z: u32(w) } });
    expect(U('<<=', 0x80000001, 1)).toBe(2);
    expect(U('>>=', 0x80000000, 31)).toBe(1);
    expect(U('&=', 12, 10)).toBe(8);
    expect(U('|=', 12, 10)).toBe(14);
    expect(U('^=', 12, 10)).toBe(6);
    expect(run('var s = x;\ns >>= 1u;\ny = s', 'i32', { vars: { x: i32(-8) } })).toBe(-4);
    expect(run('var s = x;\ns++;\ns++;\ny = s', 'i32', { vars: { x: i32(5) } })).toBe(7);
    expect(run('var s = x;\ns--;\ny = s', 'u32', { vars: { x: u32(5) } })).toBe(4);
    expect(run('y = 1;\ny++', 'u32')).toBe(2);
    // The output itself takes compound assignments; the value converts to its type.
    expect(run('y = x;\ny *= 3', 'i32', { vars: { x: i32(-4) } })).toBe(-12);
  });

  test('operators: f32 arithmetic rounds to f32; comparisons; && || ! on bool; & | on bool are logical', () => {
    const env = { vars: { x: f32(1.1), z: f32(3.3), a: i32(-5), b: u32(7), c: bool(true), d: bool(false) } };
    expect(expr('x + z', 'f32', env)).toBe(fr(fr(1.1) + fr(3.3)));
    expect(expr('x - z', 'f32', env)).toBe(fr(fr(1.1) - fr(3.3)));
    expect(expr('x * z', 'f32', env)).toBe(fr(fr(1.1) * fr(3.3)));
    expect(expr('x / z', 'f32', env)).toBe(fr(fr(1.1) / fr(3.3)));
    expect(expr('-x', 'f32', env)).toBe(-fr(1.1));
    expect(expr('z % x', 'f32', env)).toBe(fr(fr(3.3) - fr(fr(1.1) * Math.trunc(fr(fr(3.3) / fr(1.1))))));
    const cmp: [string, boolean][] = [['x < z', true], ['x > z', false], ['x <= x', true], ['x >= z', false], ['x == x', true], ['x != x', false], ['a < 0', true], ['b > 6u', true], ['b >= 8', false], ['a != -5', false]];
    for (const [text, want] of cmp) expect(expr(text, 'bool', env), text).toBe(want);
    const logic: [string, boolean][] = [['c && d', false], ['c || d', true], ['!d', true], ['c & d', false], ['c | d', true], ['c == d', false], ['c != d', true], ['d || !c', false], ['c && !d', true]];
    for (const [text, want] of logic) expect(expr(text, 'bool', env), text).toBe(want);
    // Precedence: * before +, + before <<, comparisons before &&.
    expect(expr('1 + 2 * 3', 'i32')).toBe(7);
    expect(expr('(1 + 2) * 3', 'i32')).toBe(9);
    expect(expr('a + 2 * 3', 'i32', env)).toBe(1);
    expect(expr('b - 1u - 1u', 'u32', env)).toBe(5);
    expect(expr('b + 1u << 1u', 'u32', env)).toBe(16);
    expect(expr('a < 0 && b > 0u || d', 'bool', env)).toBe(true);
    expect(expr('b & 3u | 8u', 'u32', env)).toBe(11);
    expect(expr('b ^ 1u & 3u', 'u32', env)).toBe(6);
    expect(expr('~a', 'i32', env)).toBe(4);
    // Unsigned subtraction and product wrap.
    expect(expr('b - 8u', 'u32', env)).toBe(0xffffffff);
    expect(expr('b * 0x80000000u', 'u32', env)).toBe(0x80000000);
    expect(expr('a * 3', 'i32', env)).toBe(-15);
    expect(expr('a / 2', 'i32', env)).toBe(-2);
    expect(expr('a % 2', 'i32', env)).toBe(-1);
    expect(expr('b / 2u', 'u32', env)).toBe(3);
    expect(expr('b % 4u', 'u32', env)).toBe(3);
  });

  test('literals: suffixes, hex, exponents, and their types', () => {
    expect(expr('0x10', 'i32')).toBe(16);
    expect(expr('0xffu', 'u32')).toBe(255);
    expect(expr('0x7fi', 'i32')).toBe(127);
    expect(expr('1e3', 'f32')).toBe(1000);
    expect(expr('2.5e-1f', 'f32')).toBe(0.25);
    expect(expr('.5', 'f32')).toBe(0.5);
    expect(expr('3.', 'f32')).toBe(3);
    expect(expr('4f', 'f32')).toBe(4);
    expect(expr('7u', 'u32')).toBe(7);
    expect(expr('-7i', 'i32')).toBe(-7);
    expect(expr('0.1', 'f32')).toBe(fr(0.1));
    // A literal's type decides what it may combine with.
    expect(() => expr('1u + 1i', 'u32')).toThrow(/'\+' takes operands of one type, got u32 and i32/);
    expect(() => expr('1.5 + 1i', 'i32')).toThrow(/the abstract float 1.5 cannot be converted to i32/);
    expect(() => expr('1e39 + x', 'f32', { vars: { x: f32(1) } })).toThrow(/the abstract float 1e\+39 cannot be converted to f32/);
    expect(() => expr('2h', 'f32')).toThrow(UnsupportedOnEngineError);
    expect(() => expr('2h', 'f32')).toThrow(/the f16 literal '2h'/);
    expect(() => expr('0x1.8p1', 'f32')).toThrow(/the hexadecimal float literal '0x1.8p1'/);
  });

  test('conversions f32() i32() u32() bool() and the aliases T, R', () => {
    expect(expr('f32(a)', 'f32', { vars: { a: i32(-3) } })).toBe(-3);
    expect(expr('f32(c)', 'f32', { vars: { c: bool(true) } })).toBe(1);
    expect(expr('i32(c)', 'i32', { vars: { c: bool(false) } })).toBe(0);
    expect(expr('u32(c)', 'u32', { vars: { c: bool(true) } })).toBe(1);
    expect(expr('bool(x)', 'bool', { vars: { x: f32(0) } })).toBe(false);
    expect(expr('bool(x)', 'bool', { vars: { x: f32(-0.5) } })).toBe(true);
    expect(expr('bool(a)', 'bool', { vars: { a: i32(-1) } })).toBe(true);
    expect(expr('bool(2)', 'bool')).toBe(true);
    expect(expr('bool(0)', 'bool')).toBe(false);
    expect(expr('bool(0.0)', 'bool')).toBe(false);
    expect(expr('i32(2.9)', 'i32')).toBe(2);
    expect(expr('i32(-2.9)', 'i32')).toBe(-2);
    expect(expr('u32(7.9)', 'u32')).toBe(7);
    expect(expr('f32(3)', 'f32')).toBe(3);
    expect(expr('f32()', 'f32')).toBe(0);
    expect(expr('bool()', 'bool')).toBe(false);
    expect(expr('u32()', 'u32')).toBe(0);
    expect(expr('T(a)', 'f32', { vars: { a: i32(9) } })).toBe(9);
    expect(expr('R(x)', 'i32', { vars: { x: f32(-9.5) } })).toBe(-9);
    expect(expr('f32(f32(x))', 'f32', { vars: { x: f32(2.5) } })).toBe(2.5);
    expect(expr('i32(x)', 'i32', { vars: { x: f32(NaN) } })).toBe(0);
    expect(expr('u32(x)', 'u32', { vars: { x: f32(5e9) } })).toBe(0xffffffff);
    expect(expr('i32(x)', 'i32', { vars: { x: u32(0x80000000) } })).toBe(-0x80000000);
    expect(expr('u32(x)', 'u32', { vars: { x: i32(-2) } })).toBe(0xfffffffe);
    expect(expr('f32(x)', 'f32', { vars: { x: u32(16777217) } })).toBe(16777216);
    // translateExpression's result converts as Dawn's R(...) wrapper: a bool map gives 1 / 0.
    expect(expr('x > 1.0', 'f32', { vars: { x: f32(2) } })).toBe(1);
    expect(expr('x', 'bool', { vars: { x: i32(3) } })).toBe(true);
    expect(expr('2', 'f32')).toBe(2);
    expect(expr('2.5', 'i32')).toBe(2);
    expect(expr('true', 'u32')).toBe(1);
    expect(() => expr('u32(-1.5)', 'u32')).toThrow(/the abstract integer -1 cannot be converted to u32/);
    expect(() => expr('i32(3e9)', 'i32')).toThrow(/cannot be converted to i32/);
  });

  test('raw arrays: b[e] with an i32, u32 or abstract index; 0 out of range', () => {
    const b = new Float32Array([1.5, -2, 4]);
    const k = new Int32Array([7, -8]);
    const w = new Uint32Array([0xffffffff, 3]);
    const env = { raw: { b, k, w }, vars: { n: i32(2), m: u32(1), q: i32(-1) } };
    expect(run('y = b[n] + b[0]', 'f32', env)).toBe(5.5);
    expect(run('y = b[m]', 'f32', env)).toBe(-2);
    expect(run('y = b[n + 1]', 'f32', env)).toBe(0);
    expect(run('y = b[q]', 'f32', env)).toBe(0);
    expect(run('y = k[1u] * k[0]', 'i32', env)).toBe(-56);
    expect(run('y = w[0] + w[1]', 'u32', env)).toBe(2);
    expect(run('y = b[u32(k[0]) - 6u]', 'f32', env)).toBe(-2);
    expect(() => run('y = b[1.0]', 'f32', env)).toThrow(/the index of 'b' must be an i32 or u32, got afloat/);
    expect(() => run('y = b[x]', 'f32', { ...env, vars: { x: f32(0) } })).toThrow(/the index of 'b' must be an i32 or u32, got f32/);
    expect(() => run('y = b[-1]', 'f32', env)).toThrow(/the abstract integer -1 cannot be converted to u32/);
    expect(() => run('y = f32(n[0])', 'f32', env)).toThrow(/cannot index 'n' \(a i32\): only raw array arguments/);
    expect(() => run('y = zz[0]', 'f32', env)).toThrow(/unresolved value 'zz'/);
    expect(() => run('y = b[0] + 1u', 'f32', env)).toThrow(ShaderCompileError);
  });

  test('params.<field> and _ind(d)', () => {
    const env = { params: { alpha: f32(2.5), n: u32(4) }, vars: { x: f32(2) }, ind: true };
    expect(run('y = params.alpha * x', 'f32', env)).toBe(5);
    expect(run('y = f32(params.n) + x', 'f32', env)).toBe(6);
    // The test's _ind(i, d) is 10·i + d with i = 3.
    expect(run('y = f32(_ind(1))', 'f32', env)).toBe(31);
    expect(run('y = f32(_ind(0u))', 'f32', env)).toBe(30);
    expect(() => run('y = params.beta', 'f32', env)).toThrow(/'params' has no field 'beta' \(its fields: alpha, n\)/);
    expect(() => run('y = params.beta', 'f32', {})).toThrow(/'params' has no field 'beta' \(there are no scalar arguments\)/);
    expect(() => run('y = params.+1.0', 'f32', env)).toThrow(/expected a field name after 'params\.'/);
    expect(() => run('y = f32(_ind(1, 2))', 'f32', env)).toThrow(/_ind\(\) takes 1 argument \(a dimension\), got 2/);
    expect(() => run('y = f32(_ind(x))', 'f32', env)).toThrow(/_ind's dimension is f32 but u32 is needed/);
    // Outside elementwise bodies _ind is no builtin.
    expect(() => run('y = f32(_ind(1))', 'f32', { ...env, ind: false })).toThrow(/unresolved function '_ind'/);
  });

  test('comments are ignored and errors still point at the right line and column', () => {
    expect(run('// first\ny = /* two */ 2.0; // end', 'f32')).toBe(2);
    try {
      run('/* a\n b */ y = 1.0;\n  y = q;', 'f32');
      expect.fail('expected an error');
    } catch (e) {
      expect(e).toBeInstanceOf(ShaderCompileError);
      expect((e as ShaderCompileError).diagnostics[0]).toMatchObject({ line: 3, column: 7, sourceLine: '  y = q;' });
      expect((e as Error).message).toMatch(/unresolved value 'q' \(in the test body\)/);
    }
  });
});

describe('WGSL → JS edges of the type rules', () => {
  const env = { vars: { x: f32(1), a: i32(1), b: u32(1), c: bool(true) } };

  test('abstract values converted to f32, i32 and u32 at the edges of each range', () => {
    // f32: up to the largest finite f32, (2 − 2^−23)·2^127; past it an error, as Tint's CheckedConvert (even the
    // midpoint to 2^128, where Math.fround would silently give Infinity).
    const F32_MAX = (2 - 2 ** -23) * 2 ** 127;
    expect(expr('x * 3.4028234663852886e38', 'f32', env)).toBe(F32_MAX);
    expect(expr('x * -3.4028234663852886e38', 'f32', env)).toBe(-F32_MAX);
    for (const lit of ['3.40282347e38', '3.4028235677973366e38', '-3.4028235677973366e38', '1e39']) {
      expect(() => expr(`x * ${lit}`, 'f32', env), lit).toThrow(/the abstract float .* cannot be converted to f32 \(out of range or not representable\)/);
    }
    expect(() => expr('x + 1.0 / 0.0', 'f32', env)).toThrow(/the abstract float Infinity cannot be converted to f32/);
    expect(expr('a + -2147483648', 'i32', env)).toBe(-2147483647);
    expect(expr('a + 2147483647', 'i32', env)).toBe(-2147483648);
    expect(() => expr('a + -2147483649', 'i32', env)).toThrow(/the abstract integer -2147483649 cannot be converted to i32/);
    expect(() => expr('a + 2147483648', 'i32', env)).toThrow(/the abstract integer 2147483648 cannot be converted to i32/);
    expect(expr('b + 0', 'u32', env)).toBe(1);
    expect(expr('b + 4294967295', 'u32', env)).toBe(0);
    expect(() => expr('b + 4294967296', 'u32', env)).toThrow(/the abstract integer 4294967296 cannot be converted to u32 \(out of range or not representable\)/);
    expect(() => run('var s: bool = 1;', 'f32', env)).toThrow(/the abstract integer 1 cannot be converted to bool \(in/);
    expect(() => expr('b + 1.0', 'u32', env)).toThrow(/the abstract float 1 cannot be converted to u32/);
  });

  test('a suffixed literal is concrete; an abstract one follows its neighbour', () => {
    expect(() => expr('1f + a', 'i32', env)).toThrow(/'\+' takes operands of one type, got f32 and i32/);
    expect(() => expr('1u + a', 'i32', env)).toThrow(/'\+' takes operands of one type, got u32 and i32/);
    expect(() => expr('1i + b', 'u32', env)).toThrow(/'\+' takes operands of one type, got i32 and u32/);
    expect(expr('1 + a', 'i32', env)).toBe(2);
    expect(expr('0xE + a', 'i32', env)).toBe(15);
    expect(expr('0X1e', 'i32')).toBe(30);
    expect(expr('1.5E+2', 'f32')).toBe(150);
    expect(expr('2e-1f', 'f32')).toBe(fr(0.2));
    expect(expr('1E2', 'f32')).toBe(100);
    expect(expr('5.5 % 2.0', 'f32')).toBe(1.5);
    expect(expr('-5.5 % 2.0', 'f32')).toBe(-1.5);
    // A shift of an abstract integer by a concrete count makes it an i32.
    expect(expr('1 << b', 'i32', { vars: { b: u32(31) } })).toBe(-0x80000000);
    expect(expr('-16 >> b', 'i32', { vars: { b: u32(2) } })).toBe(-4);
    expect(() => run('y = 1 << b', 'f32', { vars: { b: u32(1) } })).toThrow(/is i32 but f32 is needed/);
    // Builtins of f32 take abstract integers as f32.
    expect(expr('sqrt(4)', 'f32')).toBe(2);
    expect(expr('pow(2, 3)', 'f32')).toBe(8);
    expect(expr('bool(0.5)', 'bool')).toBe(true);
    expect(expr('if_ + 1', 'i32', { vars: { if_: i32(4) } })).toBe(5);
  });

  test('hexadecimal float and f16 literals in every spelling are refused, not misread', () => {
    for (const lit of ['0x1p3', '0x1.8p1', '0X1P+3', '0x10.8p-2', '0x1p-3h', '0x1.fp2f', '0xa.bP0']) {
      expect(() => expr(`${lit} + x`, 'f32', env), lit).toThrow(UnsupportedOnEngineError);
      expect(() => expr(`${lit} + x`, 'f32', env), lit).toThrow(new RegExp(`the hexadecimal float literal '${lit.replace(/[.+]/g, '\\$&')}' at 1:1`));
    }
    for (const lit of ['2h', '1.5h', '1e2h']) expect(() => expr(`${lit} + x`, 'f32', env), lit).toThrow(new RegExp(`the f16 literal '${lit.replace('.', '\\.')}'`));
  });

  test('templated types and functions are refused by name', () => {
    for (const [text, name] of [['mat2x2<f32>()', 'mat2x2'], ['ptr<function, f32>', 'ptr'], ['atomic<u32>', 'atomic'], ['vec2<f32>(x, x)', 'vec2'], ['array<f32, 2>()', 'array']] as const) {
      expect(() => expr(text, 'f32', env), text).toThrow(new RegExp(`the templated type or function '${name}<\\.\\.\\.>' at 1:1`));
    }
    expect(() => expr('bitcast<u32>(x)', 'u32', env)).toThrow(/bitcast<\.\.\.> at 1:1/);
  });

  test('a ShaderCompileError carries the label, severity, line, column and source line', () => {
    try {
      run('y = 1.0;\nif c { y = 2.0 }\ny = q', 'f32', env);
      expect.fail('expected an error');
    } catch (e) {
      expect(e).toBeInstanceOf(ShaderCompileError);
      expect((e as Error).message).toMatch(/^WGSL of 'test' failed to compile/);
      expect((e as ShaderCompileError).diagnostics).toEqual([{ severity: 'error', line: 3, column: 5, message: "unresolved value 'q' (in the test body)", sourceLine: 'y = q' }]);
    }
    // A statement before '}' needs no ';'.
    expect(run('if c { y = 2.0 }', 'f32', env)).toBe(2);
  });
});

describe('WGSL → JS errors', () => {
  const env = { vars: { x: f32(1), a: i32(1), b: u32(1), c: bool(true) } };

  test('type and name errors are ShaderCompileErrors naming the problem', () => {
    const cases: [string, RegExp][] = [
      ['y = f32(!x)', /'!' needs a bool, got f32/],
      ['y = f32(~x)', /'~' is not defined for f32/],
      ['y = ~1.5', /'~' needs an integer/],
      ['y = f32(-c)', /unary '-' is not defined for bool/],
      ['y = f32(x && c)', /'&&' needs bool operands, got f32 and bool/],
      ['y = f32(c || b)', /'\|\|' needs bool operands, got bool and u32/],
      ['y = f32(x << 1u)', /'<<' shifts an i32 or u32 by a u32, got f32 and u32/],
      ['y = f32(b >> a)', /'>>' shifts an i32 or u32 by a u32, got u32 and i32/],
      ['y = f32(c < c)', /'<' is not defined for bool/],
      ['y = f32(x & x)', /'&' is not defined for f32/],
      ['y = f32(c ^ c)', /'\^' is not defined for bool/],
      ['y = f32(c + c)', /'\+' is not defined for bool/],
      ['y = x + a', /'\+' takes operands of one type, got f32 and i32/],
      ['if x { y = 1.0; }', /an if condition must be a bool, got f32/],
      ['y = q', /unresolved value 'q'/],
      ['q = 1.0', /unresolved value 'q'/],
      ['y = a', /the value assigned to 'y' is i32 but f32 is needed/],
      ['var s = 1.0;\ns++;', /'\+\+' needs an i32 or u32, got f32/],
      ['let s: u32 = x;', /the initializer of 's' is f32 but u32 is needed/],
      ['var s: bool = 1;', /the abstract integer 1 cannot be converted to bool/],
      ['let s = 1;\nlet s = 2;', /redeclaration of 's'/],
      ['let a = 1.0;', /redeclaration of 'a'/],
      ['let sin = 1.0;', /'sin' cannot name a local \(a WGSL built-in function\)/],
      ['let _t = 1.0;', /'_t' cannot name a local \(names starting with _ belong to the generated code\)/],
      ['let s = 1.0;\ns = 2.0;', /'s' cannot be assigned \(it is a 'let'\)/],
      ['const k: u32 = 2;\nk = 3u;', /'k' cannot be assigned \(it is a const\)/],
      ['const k = 1 / 0;', /integer division by zero in a constant expression/],
      ['const k = 1 % 0;', /integer remainder by zero in a constant expression/],
      ['let x = 2.0;', /1:5 error: redeclaration of 'x'/],
    ];
    for (const [body, message] of cases) {
      expect(() => run(body, 'f32', env), body).toThrow(ShaderCompileError);
      expect(() => run(body, 'f32', env), body).toThrow(message);
    }
  });

  test('syntax errors are ShaderCompileErrors saying what was expected', () => {
    const cases: [string, RegExp][] = [
      ['y = (x + 1.0', /expected '\)' at the end/],
      ['y = (x + 1.0;', /expected '\)', found ';'/],
      ['y = ', /expected an expression before the end/],
      ['y = );', /expected an expression, found '\)'/],
      ['y = 1.0 2.0', /expected ';', found '2.0'/],
      ['5 = x;', /expected a statement, found '5'/],
      ['y x;', /expected an assignment to 'y', found 'x'/],
      ['y', /expected an assignment to 'y'$|expected an assignment to 'y' \(in/],
      ['let 5 = x;', /expected a name after 'let'/],
      ['var s: 5;', /expected a type/],
      ['let s;', /'let s' needs an initializer/],
      ['const s;', /'const s' needs an initializer/],
      ['var s;', /'var s' needs a type or an initializer/],
      ['if c { y = 1.0;', /expected '\}' before the end/],
      ['if c y = 1.0;', /expected '\{', found 'y'/],
      ['if c { y = 1.0; } else y = 2.0;', /expected '\{', found 'y'/],
      ['{ y = 1.0;', /expected '\}' before the end/],
    ];
    for (const [body, message] of cases) {
      expect(() => run(body, 'f32', env), body).toThrow(ShaderCompileError);
      expect(() => run(body, 'f32', env), body).toThrow(message);
    }
    expect(() => expr('', 'f32')).toThrow(/the expression is empty/);
    expect(() => expr('1.0 )', 'f32')).toThrow(/unexpected '\)' after the expression/);
  });

  test('constructs outside the subset (loops, switch, vectors, pointers, members) are UnsupportedOnEngineErrors', () => {
    const cases: [string, RegExp][] = [
      ['for (var k = 0; k < 4; k++) { y += 1.0; }', /a for loop at 1:1/],
      ['while c { y += 1.0; }', /a while loop at 1:1/],
      ['y = 0.0;\nloop { break; }', /a loop statement at 2:1/],
      ['switch a { default: { y = 1.0; } }', /a switch statement at 1:1/],
      ['return;', /a return statement/],
      ['if c { break; }', /a break statement at 1:8/],
      ['if c { continue; }', /a continue statement/],
      ['discard;', /discard/],
      ['fn f() {}', /a function declaration/],
      ['struct S { a: f32 }', /a struct declaration/],
      ['alias V = f32;', /a type alias/],
      ['override k: f32;', /an override declaration/],
      ['const_assert true;', /const_assert/],
      ['@compute y = 1.0;', /an attribute \(@\.\.\.\)/],
      ['var v: vec4<f32>;', /the type 'vec4<\.\.\.>'/],
      ['var v: f16;', /the type 'f16'/],
      ['y[0] = 1.0;', /indexing \('y\[\.\.\.\]'\)/],
      ['y.x = 1.0;', /a member access \('y\.…'\) on the left of an assignment/],
      ['foo(1.0);', /a call statement \('foo\(\.\.\.\)'\)/],
      ['y = x.x', /a member access or swizzle \('\.x'\)/],
      ['y = vec3f(1.0).y', /a member access or swizzle \('\.y'\)|'vec3f'/],
      ['y = bitcast<f32>(a)', /bitcast<\.\.\.>/],
      ['y = array<f32, 2>(1.0, 2.0)[0]', /'array<\.\.\.>'/],
      ['let p = &x;', /a pointer \('&' in front of an expression\)/],
      ['y = *p;', /a pointer \('\*' in front of an expression\)/],
      ['y = f32(arrayLength)', /'arrayLength' \(/],
      ['y = 0x1p3', /the hexadecimal float literal/],
      ['const k = 9007199254740991 + 1;', /an abstract integer expression beyond 2\^53/],
      ['let k = x;\nconst m = k;', /a 'const' of a concrete type \(use 'let'\) at 2:1/],
    ];
    for (const [body, message] of cases) {
      expect(() => run(body, 'f32', env), body).toThrow(UnsupportedOnEngineError);
      expect(() => run(body, 'f32', env), body).toThrow(message);
    }
    // A name followed by '<' that is no template is a comparison.
    expect(expr('a<2', 'bool', env)).toBe(true);
    expect(expr('x < 2.0', 'bool', env)).toBe(true);
  });

  test('the message names the construct, the place and the way out', () => {
    expect(() => run('y = 0.0;\n  loop { }', 'f32')).toThrow(
      /^the test body: a loop statement at 2:3 is outside the WGSL subset the gpujs engine translates to JavaScript \(scalar statements.*\); run it on the dawn engine, or write the kernel in JS with device\.jsKernel\(\)$/,
    );
  });

  test('generated JavaScript that does not parse is an ArgumentError', () => {
    expect(() => compileJs('return (;')).toThrow(ArgumentError);
    expect(() => compileJs('return (;')).toThrow(/internal error: the translated JavaScript does not parse/);
    const js = translateStatements({ source: { text: 'y = 1.0', where: 'w', label: 'l' }, names: new Map([['y', { type: 'f32', mutable: true, js: 'v_y' }]]), params: new Map(), aliases: {} });
    expect(compileJs<number>(`let v_y = 0;\n${js}\nreturn v_y;`)({}, {}, 1)).toBe(1);
  });
});
