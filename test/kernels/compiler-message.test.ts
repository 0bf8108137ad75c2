import { expect, test } from 'vitest';
import { compilerMessage, nagaExpressionPosition } from '../../src/backends/dawn/compile.js';

// What Deno 2.9.6's wgpu (naga) puts in GPUCompilationMessage.message for an unknown identifier, verbatim.
const NAGA = "\nShader 'bad' parsing error: no definition in scope for identifier: `unknown_thing`\n  ┌─ wgsl:3:3\n  │\n3 │   unknown_thing;\n  │   ^^^^^^^^^^^^^ unknown identifier\n\n";

// A naga validation error (Deno 2.9.6), verbatim: the report's position is the function; a label marks 1.5.
const CODE = '@group(0) @binding(0) var<storage, read_write> y: array<i32>;\nfn f(x: i32) -> i32 {\n  return x + 1.5;\n}\n@compute @workgroup_size(1) fn main() { y[0] = f(y[1]); }';
const NAGA_VALIDATION = "\nShader validation error: Function [0] 'f' is invalid\n  ┌─ bad:2:1\n  │  \n2 │ ╭ fn f(x: i32) -> i32 {\n3 │ │   return x + 1.5;\n  │ │              ^^^ naga::ir::Expression [1]\n4 │ │ }\n  │ ╰─^ naga::ir::Function [0]\n  │  \n  = Expression [1] is invalid\n  = Abstract types may only appear in constant expressions\n\n";

test("a naga codespan report becomes its first line, without the shader label (ShaderCompileError prints the source line itself)", () => {
  expect(compilerMessage(NAGA)).toBe('parsing error: no definition in scope for identifier: `unknown_thing`');
});

test("a naga validation report keeps its causes, and its expression label gives the position (not the function's first line)", () => {
  expect(compilerMessage(NAGA_VALIDATION)).toBe("validation error: Function [0] 'f' is invalid: Expression [1] is invalid: Abstract types may only appear in constant expressions");
  // Line 3 is '  return x + 1.5;': the label's carets start under '1.5', column 14.
  expect(nagaExpressionPosition(NAGA_VALIDATION, CODE)).toEqual({ line: 3, column: 14 });
  expect(nagaExpressionPosition(NAGA, 'x\ny\n  unknown_thing;')).toBeUndefined();
  expect(nagaExpressionPosition("unresolved value 'q'", CODE)).toBeUndefined();
});

test("Dawn's one-line Tint messages pass through unchanged", () => {
  const tint = "unresolved value 'unknown_thing'";
  expect(compilerMessage(tint)).toBe(tint);
  expect(compilerMessage('')).toBe('');
});
