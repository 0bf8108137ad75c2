import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { composeKernel, specializeSource } from '../../src/kernels/compose.js';
import { builtinKernel, packageKernelsDir } from '../../src/kernels/load.js';

describe('composeKernel', () => {
  test('a kernel without directives composes to its own text', () => {
    expect(builtinKernel('transpose')).toBe(readFileSync(`${packageKernelsDir()}/transpose.wgsl`, 'utf8'));
  });

  test('//#import inserts a module once, and no directive line is left', () => {
    const src = composeKernel('sort-scatter-pairs');
    expect(src).not.toMatch(/^\/\/#/m);
    expect(src.match(/^alias radix_table = /gm)).toHaveLength(1); // radix-block, imported through radix-scatter
    expect(src.match(/^fn main\(/gm)).toHaveLength(1); // serial-block
  });

  test('//#param declarations take the parameter, else the default', () => {
    expect(composeKernel('sort-histogram')).toMatch(/^const MAX_RADIX: u32 = 2048u;$/m);
    expect(composeKernel('sort-histogram', { MAX_RADIX: '16u' })).toMatch(/^const MAX_RADIX: u32 = 16u;$/m);
    expect(composeKernel('reduce-arg', { T: 'i32', INTEGER: true, IDENTITY: '0x7fffffffu' })).toMatch(/^alias T = i32;$/m);
  });

  test('//#if blocks: argmin and argmax differ in the comparison only', () => {
    const min = composeKernel('reduce-arg');
    const max = composeKernel('reduce-arg', { ARGMAX: true, IDENTITY: '0xff800000u' });
    expect(min).toContain('return a < b;');
    expect(min).not.toContain('return a > b;');
    expect(max).toContain('return a > b;');
    expect(max).not.toContain('return a < b;');
    expect(max).toMatch(/^const IDENTITY: u32 = 0xff800000u;$/m);
    expect(composeKernel('reduce-arg', { INTEGER: true })).not.toContain('isnan4');
    const scalar = composeKernel('reduce-rows', { SCALAR: true });
    expect(scalar).toContain('var<storage, read> x: array<T>;');
    expect(scalar).not.toContain('var<storage, read> x: array<vec4<T>>;');
    expect(composeKernel('reduce-rows')).toContain('var<storage, read> x: array<vec4<T>>;');
  });

  test('a parameter no directive names is an error; compositions are cached', () => {
    expect(() => composeKernel('reduce-arg', { ARGMIN: true })).toThrow(/kernels\/reduce-arg\.wgsl has no parameter ARGMIN/);
    expect(composeKernel('reduce-arg', { ARGMAX: true, T: 'f32' })).toBe(composeKernel('reduce-arg', { T: 'f32', ARGMAX: true }));
  });
});

describe('specializeSource (the dtype option of device.kernel)', () => {
  test('retypes alias T in place and keeps every line where it was', () => {
    const src = '// k\nalias T = f32;\n@group(0) @binding(0) var<storage, read_write> x: array<T>;\n';
    const out = specializeSource(src, 'i32');
    expect(out).toBe(src.replace('alias T = f32;', 'alias T = i32;'));
    expect(specializeSource(src, 'f16').split('\n')).toHaveLength(src.split('\n').length);
    expect(() => specializeSource('fn f() {}', 'u32')).toThrow("a dtype was given but the WGSL has no 'alias T = <type>;' line to rewrite");
  });
});
