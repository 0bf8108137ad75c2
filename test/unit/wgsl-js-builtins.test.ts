/**
 * The WGSL → JS translator's builtins (src/backends/host/wgsl-js.ts, BUILTINS), without a device. References:
 * closed forms where the result is exact, else the f64 function of the f32 input rounded once to f32
 * (within WGSL's ulp bounds, which allow more), and WGSL's definitions written out here: clamp(e, lo, hi) =
 * min(max(e, lo), hi), step(edge, x) = 1 if edge ≤ x, mix(a, b, t) = a·(1 − t) + b·t, fract(x) = x − floor(x),
 * saturate(x) = clamp(x, 0, 1), select(f, t, c) = c ? t : f, abs(i32 MIN) = MIN.
 */
import { describe, expect, test } from 'vitest';
import { BUILTINS, HELPERS } from '../../src/backends/host/wgsl-js.js';
import { ShaderCompileError, UnsupportedOnEngineError } from '../../src/errors.js';
import { bool, expr, f32, i32, run, u32 } from './wgsl-js-harness.js';

const fr = Math.fround;

/** One-argument f32 builtins: the f64 reference, and inputs (each used as an f32). */
const FLOAT1: Record<string, [(x: number) => number, number[]]> = {
  exp: [Math.exp, [0, 1, -2.5, 10]],
  exp2: [(x) => 2 ** x, [3, -1, 0.5]],
  log: [Math.log, [1, Math.E, 0.3, 0, -1]],
  log2: [Math.log2, [8, 0.125, 3]],
  sqrt: [Math.sqrt, [2.25, 2, 0, -1]],
  inverseSqrt: [(x) => 1 / Math.sqrt(x), [0.25, 4, 3]],
  sin: [Math.sin, [0.5, 2, -1]],
  cos: [Math.cos, [0, 0.5, 2]],
  tan: [Math.tan, [0.5, -1.2]],
  tanh: [Math.tanh, [0.5, -3]],
  sinh: [Math.sinh, [0.5, -2]],
  cosh: [Math.cosh, [0.5, -2]],
  asin: [Math.asin, [0.5, -1, 2]],
  acos: [Math.acos, [0.5, -1, 1]],
  atan: [Math.atan, [0.5, -4]],
  asinh: [Math.asinh, [0.5, -4]],
  acosh: [Math.acosh, [1.5, 4]],
  atanh: [Math.atanh, [0.5, -0.25]],
  floor: [Math.floor, [-1.5, 1.5, 2]],
  ceil: [Math.ceil, [-1.5, 1.5, 2]],
  trunc: [Math.trunc, [-1.5, 1.5, 2.75]],
  degrees: [(x) => (x * 180) / Math.PI, [Math.PI, 1, -0.5]],
  radians: [(x) => (x * Math.PI) / 180, [180, 1, -45]],
};

describe('WGSL → JS builtins', () => {
  test('every one-argument f32 builtin is its f64 function of the f32 input, rounded once to f32', () => {
    const wrong: string[] = [];
    for (const [name, [ref, inputs]] of Object.entries(FLOAT1)) {
      for (const v of inputs) {
        const want = fr(ref(fr(v)));
        const got = run(`y = ${name}(x)`, 'f32', { vars: { x: f32(v) } });
        if (!Object.is(got, want)) wrong.push(`${name}(${v}) = ${String(got)}, not ${want}`);
        // An abstract argument becomes an f32 first.
        const lit = expr(`${name}(${fr(v).toPrecision(17)})`, 'f32');
        if (!Object.is(lit, want)) wrong.push(`${name}(literal ${v}) = ${String(lit)}, not ${want}`);
      }
    }
    expect(wrong).toEqual([]);
    // Closed forms.
    const x = (v: number, text: string) => run(`y = ${text}`, 'f32', { vars: { x: f32(v) } });
    expect(x(3, 'exp2(x)')).toBe(8);
    expect(x(8, 'log2(x)')).toBe(3);
    expect(x(0, 'exp(x)')).toBe(1);
    expect(x(2.25, 'sqrt(x)')).toBe(1.5);
    expect(x(0.25, 'inverseSqrt(x)')).toBe(2);
    expect(x(-1.5, 'floor(x)')).toBe(-2);
    expect(x(-1.5, 'ceil(x)')).toBe(-1);
    expect(x(-1.5, 'trunc(x)')).toBe(-1);
    expect(x(180, 'radians(x)')).toBe(fr(Math.PI));
    expect(x(0, 'cos(x)')).toBe(1);
    expect(x(1, 'acos(x)')).toBe(0);
    // The result is rounded to f32: exp(1) is not the f64 e.
    expect(x(1, 'exp(x)')).toBe(fr(Math.E));
    expect(x(1, 'exp(x)')).not.toBe(Math.E);
    expect(Object.keys(FLOAT1).every((n) => BUILTINS.includes(n))).toBe(true);
  });

  test('round is half to even', () => {
    for (const [v, r] of [[0.5, 0], [1.5, 2], [2.5, 2], [-2.5, -2], [3.7, 4], [-3.2, -3]] as const) expect(run('y = round(x)', 'f32', { vars: { x: f32(v) } })).toBe(r);
  });

  test('abs, sign, min, max, clamp on f32, i32, u32 and abstract arguments', () => {
    const F = (text: string, v: number) => run(`y = ${text}`, 'f32', { vars: { x: f32(v) } });
    const I = (text: string, v: number) => run(`y = ${text}`, 'i32', { vars: { x: i32(v) } });
    const U = (text: string, v: number) => run(`y = ${text}`, 'u32', { vars: { x: u32(v) } });
    expect(F('abs(x)', -2.5)).toBe(2.5);
    expect(F('abs(x)', 2.5)).toBe(2.5);
    expect(I('abs(x)', -7)).toBe(7);
    expect(I('abs(x)', 7)).toBe(7);
    expect(I('abs(x)', -0x80000000)).toBe(-0x80000000); // WGSL: abs of the most negative i32 is itself
    expect(U('abs(x)', 0xffffffff)).toBe(0xffffffff);
    expect(F('sign(x)', -3)).toBe(-1);
    expect(F('sign(x)', 0.25)).toBe(1);
    expect(F('sign(x)', 0)).toBe(0);
    expect(I('sign(x)', -9)).toBe(-1);
    expect(I('sign(x)', 9)).toBe(1);
    expect(I('sign(x)', 0)).toBe(0);
    expect(F('min(x, 1.5)', 2)).toBe(1.5);
    expect(F('min(x, 1.5)', -2)).toBe(-2);
    expect(F('max(x, 1.5)', 2)).toBe(2);
    expect(F('max(x, 1.5)', -2)).toBe(1.5);
    expect(I('min(x, -3)', 5)).toBe(-3);
    expect(I('max(x, -3)', 5)).toBe(5);
    // u32 compares as unsigned: 0xffffffff is the largest.
    expect(U('min(x, 7u)', 0xffffffff)).toBe(7);
    expect(U('max(x, 7)', 0xffffffff)).toBe(0xffffffff);
    for (const [v, r] of [[-5, 0], [1, 1], [5, 3]] as const) {
      expect(F('clamp(x, 0.0, 3.0)', v)).toBe(r);
      expect(I('clamp(x, 0, 3)', v)).toBe(r);
    }
    for (const [v, r] of [[0, 2], [3, 3], [0xffffffff, 9]] as const) expect(U('clamp(x, 2u, 9u)', v)).toBe(r);
    // All-abstract arguments take i32 (or f32 with a float among them), as `let` would.
    expect(expr('min(4, 2)', 'i32')).toBe(2);
    expect(expr('max(1, 2.5)', 'f32')).toBe(2.5);
    expect(expr('abs(-3)', 'i32')).toBe(3);
    expect(expr('clamp(-1.5, 0, 1)', 'f32')).toBe(0);
    expect(expr('sign(-0.5)', 'f32')).toBe(-1);
  });

  test('f32 min and max return the other operand when one is a NaN (WGSL), so clamp and saturate do too; sign(NaN) = sign(±0) = +0', () => {
    // WGSL min(e1, e2): "If one operand is a NaN, the other is returned. If both operands are NaNs, a NaN is
    // returned"; likewise max; clamp(e, lo, hi) = min(max(e, lo), hi); saturate(e) = clamp(e, 0, 1). Dawn gives this.
    const F = (text: string, v: number, w: number) => run(`y = ${text}`, 'f32', { vars: { x: f32(v), z: f32(w) } });
    for (const [v, w] of [[NaN, 1.5], [1.5, NaN], [NaN, -Infinity]] as const) {
      const other = Number.isNaN(v) ? w : v;
      expect(F('min(x, z)', v, w), `min(${v}, ${w})`).toBe(other);
      expect(F('max(x, z)', v, w), `max(${v}, ${w})`).toBe(other);
    }
    expect(F('min(x, z)', NaN, NaN)).toBeNaN();
    expect(F('max(x, z)', NaN, NaN)).toBeNaN();
    expect(F('clamp(x, 0.0, z)', NaN, 3)).toBe(0);
    expect(F('clamp(x, z, 1.0)', 0.5, NaN)).toBe(0.5);
    expect(F('clamp(x, 0.0, z)', 0.5, NaN)).toBe(0.5);
    expect(F('saturate(x)', NaN, 0)).toBe(0);
    expect(F('sign(x)', NaN, 0)).toBe(0);
    expect(Object.is(F('sign(x)', -0, 0), 0)).toBe(true);
    expect(F('sign(x)', -Infinity, 0)).toBe(-1);
    expect(F('sign(x)', 1e-30, 0)).toBe(1);
  });

  test('the helpers fmin, fmax and fsign', () => {
    expect(HELPERS.fmin(NaN, -1)).toBe(-1);
    expect(HELPERS.fmin(-1, NaN)).toBe(-1);
    expect(HELPERS.fmin(2, -1)).toBe(-1);
    expect(HELPERS.fmax(NaN, -1)).toBe(-1);
    expect(HELPERS.fmax(-1, NaN)).toBe(-1);
    expect(HELPERS.fmax(2, -1)).toBe(2);
    expect(HELPERS.fmin(NaN, NaN)).toBeNaN();
    expect(HELPERS.fmax(NaN, NaN)).toBeNaN();
    expect([HELPERS.fsign(-0.1), HELPERS.fsign(0.1), HELPERS.fsign(NaN), HELPERS.fsign(-0)]).toEqual([-1, 1, 0, 0]);
  });

  test('fract, fma, pow, atan2, step, mix, saturate', () => {
    const F = (text: string, v: number, w = 0) => run(`y = ${text}`, 'f32', { vars: { x: f32(v), z: f32(w) } });
    expect(F('fract(x)', -1.25)).toBe(0.75);
    expect(F('fract(x)', 2.5)).toBe(0.5);
    expect(F('fract(x)', 1.1)).toBe(fr(fr(1.1) - 1));
    expect(F('fma(x, z, 1.0)', 2, 3)).toBe(7);
    expect(F('fma(x, z, 0.5)', 1.1, 1.3)).toBe(fr(fr(1.1) * fr(1.3) + 0.5));
    expect(F('pow(x, z)', 2, 10)).toBe(1024);
    expect(F('pow(x, z)', 9, 0.5)).toBe(3);
    expect(F('pow(x, z)', 1.7, 2.2)).toBe(fr(fr(1.7) ** fr(2.2)));
    expect(F('atan2(x, z)', 1, -1)).toBe(fr((3 * Math.PI) / 4));
    expect(F('atan2(x, z)', -1, 0)).toBe(fr(-Math.PI / 2));
    expect(F('atan2(x, z)', 0.3, 2)).toBe(fr(Math.atan2(fr(0.3), 2)));
    // step(edge, x): 1 where edge <= x.
    expect(F('step(x, z)', 1, 1)).toBe(1);
    expect(F('step(x, z)', 1, 0.5)).toBe(0);
    expect(F('step(x, z)', 1, 2)).toBe(1);
    expect(F('step(x, z)', 2, 1)).toBe(0);
    expect(F('mix(x, z, 0.25)', 2, 4)).toBe(2.5);
    expect(F('mix(x, z, 0.0)', 2, 4)).toBe(2);
    expect(F('mix(x, z, 1.0)', 2, 4)).toBe(4);
    expect(F('mix(x, z, 0.3)', 1.1, 7.7)).toBe(fr(fr(1.1) * (1 - fr(0.3)) + fr(7.7) * fr(0.3)));
    for (const [v, r] of [[-1, 0], [0.5, 0.5], [2, 1], [0, 0], [1, 1]] as const) expect(F('saturate(x)', v)).toBe(r);
  });

  test('select(f, t, c) is c ? t : f, for every scalar type', () => {
    for (const c of [true, false]) {
      const env = { vars: { c: bool(c), x: f32(1.5), a: i32(-4), b: u32(9) } };
      expect(run('y = select(x, 2.5, c)', 'f32', env)).toBe(c ? 2.5 : 1.5);
      expect(run('y = select(a, 7, c)', 'i32', env)).toBe(c ? 7 : -4);
      expect(run('y = select(3u, b, c)', 'u32', env)).toBe(c ? 9 : 3);
      expect(run('y = select(false, true, c)', 'bool', env)).toBe(c);
      expect(run('y = select(1, 2, !c)', 'i32', env)).toBe(c ? 1 : 2);
    }
    expect(() => run('y = select(x, 2.5, 1)', 'f32', { vars: { x: f32(1) } })).toThrow(/select's third argument must be a bool, got aint/);
    expect(() => run('y = select(x, a, true)', 'f32', { vars: { x: f32(1), a: i32(1) } })).toThrow(/'select' takes operands of one type, got f32 and i32/);
  });

  test('wrong argument counts and types are ShaderCompileErrors; other WGSL builtins are refused', () => {
    const env = { vars: { x: f32(1), a: i32(1), b: u32(1), c: bool(true) } };
    const cases: [string, RegExp][] = [
      ['y = sqrt(x, x)', /sqrt\(\) takes 1 argument, got 2/],
      ['y = min(x)', /min\(\) takes 2 arguments, got 1/],
      ['y = max(x, x, x)', /max\(\) takes 2 arguments, got 3/],
      ['y = clamp(x, x)', /clamp\(\) takes 3 arguments, got 2/],
      ['y = fma(x, x)', /fma\(\) takes 3 arguments/],
      ['y = mix(x, x)', /mix\(\) takes 3 arguments/],
      ['y = pow(x)', /pow\(\) takes 2 arguments/],
      ['y = atan2(x)', /atan2\(\) takes 2 arguments/],
      ['y = step(x)', /step\(\) takes 2 arguments/],
      ['y = select(x, x)', /select\(\) takes 3 arguments/],
      ['y = f32(sqrt(a))', /sqrt\(\) is not defined for i32 \(it takes f32\)/],
      ['y = f32(floor(b))', /floor\(\) is not defined for u32 \(it takes f32\)/],
      ['y = f32(abs(c))', /abs\(\) is not defined for bool at|abs\(\) is not defined for bool \(in/],
      ['y = f32(sign(b))', /sign\(\) is not defined for u32/],
      ['y = min(x, a)', /'min' takes operands of one type, got f32 and i32/],
      ['y = x(1.0)', /'x' is a value, not a function/],
      ['y = frobnicate(x)', /unresolved function 'frobnicate'/],
      ['y = f32(1.0, 2.0)', /f32\(\) converts one value, got 2/],
    ];
    for (const [body, message] of cases) {
      expect(() => run(body, 'f32', env), body).toThrow(ShaderCompileError);
      expect(() => run(body, 'f32', env), body).toThrow(message);
    }
    for (const name of ['countOneBits', 'length', 'smoothstep', 'ldexp']) {
      expect(() => run(`y = ${name}(x)`, 'f32', env), name).toThrow(UnsupportedOnEngineError);
      expect(() => run(`y = ${name}(x)`, 'f32', env), name).toThrow(new RegExp(`'${name}\\(\\.\\.\\.\\)' \\(`));
    }
    expect(BUILTINS).not.toContain('countOneBits');
  });
});
