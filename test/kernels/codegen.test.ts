import { expect, test } from 'vitest';
import { checkBrackets, elementwiseWgsl, outputsOf, parseArgs, reductionWgsl, REDUCTION_RESERVED, stripComments, usesIndex } from '../../src/kernels/codegen.js';
import { ArgumentError } from '../../src/errors.js';

test('argument lists parse into arrays and scalars, with clear errors', () => {
  expect(parseArgs('x: T[], y: f32[], a: i32')).toEqual([
    { name: 'x', type: 'T', array: true },
    { name: 'y', type: 'f32', array: true },
    { name: 'a', type: 'i32', array: false },
  ]);
  expect(() => parseArgs('x: f64[]')).toThrow(ArgumentError);
  expect(() => parseArgs('x: T[], x: T[]')).toThrow(/declared twice/);
  expect(() => parseArgs('i: T[]')).toThrow(/reserved/);
  expect(() => parseArgs('a: T[]', REDUCTION_RESERVED)).toThrow(/reserved/);
  expect(() => parseArgs('a: f32')).toThrow(/at least one array/);
});

test('outputs are the assigned arrays; write-only ones are not loaded', () => {
  const args = parseArgs('x: T[], y: T[], z: T[], w: T[]');
  expect(outputsOf('y = x * 2; z += x; w = w + 1', args)).toEqual({ outputs: ['y', 'z', 'w'], writeOnly: ['y'] });
  expect(outputsOf('let t = x == y', args)).toEqual({ outputs: [], writeOnly: [] });
  // A mention inside a comment is no read; an increment is a read and a write.
  expect(outputsOf('y = x; // y += 1\nz++; w = x /* w */', args)).toEqual({ outputs: ['y', 'z', 'w'], writeOnly: ['y', 'w'] });
});

test('argument names that WGSL or the generated code already use are refused, naming the argument', () => {
  for (const name of ['f32', 'array', 'u32', 'vec4', 'vec3u', 'bitcast', 'select', 'var', 'read_write', 'workgroup', 'module', 'mat4x4f']) {
    expect(() => parseArgs(`${name}: T[], y: T[]`)).toThrow(ArgumentError);
    expect(() => parseArgs(`${name}: T[], y: T[]`)).toThrow(new RegExp(`argument name '${name}' is reserved: it is a WGSL`));
  }
  expect(() => parseArgs('_x: T[]')).toThrow(/'_x' is reserved: names starting with _/);
  for (const name of ['i', 'n', 'T', 'params']) expect(() => parseArgs(`${name}: T[]`)).toThrow(new RegExp(`'${name}' is reserved`));
  for (const name of ['a', 'b', 'R']) expect(() => parseArgs(`${name}: T[]`, REDUCTION_RESERVED)).toThrow(new RegExp(`'${name}' is reserved`));
  // Names the old generated code declared (or used as fields) are the user's now.
  expect(parseArgs('start: T[], span: T[], last: f32, main: T[], body: T[], WG: T[], ITEMS: f32, first: T[], partials_out: T[]').map((a) => a.name)).toHaveLength(9);
});

test('comments are blanked for analysis; unclosed comments and unpaired brackets are refused with their position', () => {
  expect(stripComments('x /* a /* nested */ b */ + y // c\nz')).toBe('x                        + y     \nz');
  expect(() => stripComments('x /* open', 'map')).toThrow(/map: the block comment opened at 1:3 is never closed/);
  expect(() => { checkBrackets('y = x;\n}', 'the body'); }).toThrow(/the body: '}' at 2:1 has no matching '\{'/);
  expect(() => { checkBrackets('y = (x', 'the body'); }).toThrow(/'\(' at 1:5 is never closed/);
  expect(() => { checkBrackets('y = x // )', 'the body'); }).not.toThrow();
  expect(usesIndex('x * f32(i)')).toBe(true);
  expect(usesIndex('x * 2.0 // uses i')).toBe(false);
  expect(usesIndex('v.i + pi')).toBe(false);
});

const ARGS = parseArgs('x: T[], y: T[], a: T');

test('every identifier the generated code declares starts with _ (except T, params and the body parameters i, n)', () => {
  const declared = (code: string): string[] =>
    [...code.matchAll(/\b(?:fn|var(?:<[^>]*>)?|let|alias|struct|override)\s+([A-Za-z_][A-Za-z0-9_]*)|[(,]\s*([A-Za-z_][A-Za-z0-9_]*)\s*:/g)].map((m) => m[1] ?? m[2] ?? '');
  const user = new Set(['x', 'y', 'a', 'i', 'n', 'T', 'R', 'params', 'b']);
  for (const width of [1, 4] as const) {
    const ew = declared(elementwiseWgsl('axpy', ARGS, 'y = a * x + y', 'f32', width).code);
    expect(ew.filter((d) => !user.has(d) && !d.startsWith('_'))).toEqual([]);
    const red = declared(reductionWgsl('r', ARGS, { map: 'x * y', reduce: 'a + b', identity: '0', post: 'a', type: 'T' }, 'f32', width, width === 4).code);
    expect(red.filter((d) => !user.has(d) && !d.startsWith('_'))).toEqual([]);
  }
});

test('the body is copied verbatim on lines of its own: a trailing // comment cannot swallow the code after it', () => {
  const g = elementwiseWgsl('c', ARGS, 'y = a * x + y // comment', 'f32', 1);
  const lines = g.code.split('\n');
  const k = lines.indexOf('y = a * x + y // comment');
  expect(k).toBeGreaterThan(0);
  expect(lines[k + 1]).toBe(';');
  // Positions map back unchanged: line 1 column 9 of the generated body line is 1:9 of the body.
  expect(g.mapper(k + 1, 9)).toEqual({ line: 1, column: 9, sourceLine: 'y = a * x + y // comment', where: "the body of elementwise 'c'" });
  // The ';' line after the body maps to the body's end (where a dangling operator is reported).
  expect(g.mapper(k + 2, 1)).toMatchObject({ line: 1, column: 25 });
  const r = reductionWgsl('r', ARGS, { map: 'x * y // product', reduce: 'a + b', identity: '0 // zero', post: 'a', type: 'T' }, 'f32', 1);
  const rl = r.code.split('\n');
  expect(rl[rl.indexOf('x * y // product') + 1]).toBe('  );');
  expect(r.mapper(rl.indexOf('0 // zero') + 1, 1)).toMatchObject({ line: 1, column: 1, where: "the identity expression of reduction 'r'" });
});

test('a name holding a line break stays inside the header comment', () => {
  const g = elementwiseWgsl('two\nlines', ARGS, 'y = x', 'f32', 1);
  expect(g.code.split('\n')[0]).toBe("// elementwise 'two\\nlines', generated by gpukit (vector width 1)");
  expect(g.code.split('\n')[1]).toBe('alias T = f32;');
});

test('in place: an input passed as the output reads from the output binding, bound once read_write', () => {
  const code = elementwiseWgsl('axpy', ARGS, 'y = a * x + y', 'f32', 1, { alias: { x: 'y' } }).code;
  expect(code).not.toMatch(/var<storage, read> x/);
  expect(code).toMatch(/@group\(0\) @binding\(0\) var<storage, read_write> y: array<T>;/);
  expect(code).toMatch(/@binding\(1\) var<uniform> params/);
  expect(code).toMatch(/_body\(params\._base \+ _j, params\._total, y\[_j\], y\[_j\], T\(params\.a\)\)/);
  expect(() => elementwiseWgsl('two', parseArgs('x: T[], p: T[], q: T[]'), 'p = x; q = x', 'f32', 1, { alias: { q: 'p' } })).toThrow(/outputs 'p' and 'q' are the same array/);
});

test('the generated WGSL for a vec4 axpy', () => {
  expect(elementwiseWgsl('axpy', ARGS, 'y = a * x + y', 'f32', 4).code).toMatchInlineSnapshot(`
    "// elementwise 'axpy', generated by gpukit (vector width 4)
    alias T = f32;
    override _WG: u32 = 64;
    override _ITEMS: u32 = 4;
    struct _Params { _n: u32, _start: u32, _base: u32, _total: u32, a: f32, }
    @group(0) @binding(0) var<storage, read> x: array<vec4<T>>;
    @group(0) @binding(1) var<storage, read_write> y: array<vec4<T>>;
    @group(0) @binding(2) var<uniform> params: _Params;
    struct _Outs { y: vec4<T> }
    fn _body(i: vec4<u32>, n: u32, x: vec4<T>, _y_in: vec4<T>, a: T) -> _Outs {
      var _o: _Outs;
      {
        var y: vec4<T> = _y_in;
    y = a * x + y
    ;
        _o.y = y;
      }
      return _o;
    }
    @compute @workgroup_size(_WG)
    fn _main(@builtin(workgroup_id) _wid: vec3u, @builtin(local_invocation_index) _lid: u32, @builtin(num_workgroups) _nwg: vec3u) {
      let _count = params._n / 4u;
      let _base = (_wid.x + _wid.y * _nwg.x) * _WG * _ITEMS + _lid;
      for (var _k = 0u; _k < _ITEMS; _k++) {
        let _j = _base + _k * _WG;
        if (_j >= _count) { return; }
        let _r = _body(vec4<u32>(params._base + _j * 4u) + vec4<u32>(0u, 1u, 2u, 3u), params._total, x[_j], y[_j], T(params.a));
        y[_j] = _r.y;
      }
    }
    "
  `);
});


