import { ShaderCompileError, type ShaderDiagnostic } from '../../errors.js';

/** Maps a position in the WGSL handed to Dawn back to what the user wrote (for generated code). */
export interface SourceMapper {
  (line: number, column: number): { line: number; column: number; sourceLine: string; where?: string } | undefined;
}

/**
 * One compiler message as one line. Dawn's Tint gives one line per message; wgpu's naga (Deno's WebGPU) gives a
 * codespan report — a blank line, `Shader 'label' parsing error: …` (or `… validation error: Function … is
 * invalid`), the source excerpt with a `┌─` gutter, then `= cause` notes — whose excerpt
 * {@link ShaderCompileError} prints anyway (mapped into the user's source): keep the headline and the causes.
 */
export function compilerMessage(message: string): string {
  if (!message.includes('┌─')) return message;
  const lines = message.split('\n').map((l) => l.trim());
  const head = (lines.find((l) => l !== '') ?? message).replace(/^Shader '[^']*' /, '').replace(/^Shader /, '');
  const notes = lines.filter((l) => l.startsWith('= ')).map((l) => l.slice(2));
  return notes.length > 0 ? `${head}: ${notes.join(': ')}` : head;
}

/**
 * Where a naga validation report points inside the function it names: its report's position is the function's
 * first line, but a label under the source lines (`^^^ naga::ir::Expression [n]`) marks the expression at
 * fault. Returns that label's 1-based line and column in `code`, or undefined (not a naga report, or no label).
 */
export function nagaExpressionPosition(message: string, code: string): { line: number; column: number } | undefined {
  if (!message.includes('┌─')) return undefined;
  const lines = message.split('\n');
  let last: { line: number; text: string } | undefined;
  let found: { line: number; column: number } | undefined;
  for (const line of lines) {
    const src = /^\s*(\d+) │/.exec(line);
    if (src?.[1] !== undefined) {
      last = { line: Number(src[1]), text: line };
      continue;
    }
    const caret = line.indexOf('^');
    if (last === undefined || caret < 0 || !/naga::ir::Expression/.test(line)) continue;
    // The rendered source line ends with the source text: where that text starts is column 1.
    const text = sourceLine(code, last.line).trimEnd();
    const rendered = last.text.trimEnd();
    if (text === '' || !rendered.endsWith(text)) continue;
    found = { line: last.line, column: caret - (rendered.length - text.length) + 1 };
  }
  return found;
}

export function sourceLine(source: string, line: number): string {
  return source.split('\n')[line - 1] ?? '';
}

/**
 * Compiles WGSL into a shader module and turns Dawn's compilation messages into a
 * {@link ShaderCompileError} whose diagnostics point into the user's source (through `mapper` when the
 * WGSL was generated or rewritten).
 */
export async function compileModule(
  gpu: GPUDevice,
  code: string,
  label: string,
  mapper?: SourceMapper,
): Promise<GPUShaderModule> {
  // Balanced within this synchronous block, so it nests inside any batch scope left open.
  gpu.pushErrorScope('validation');
  const module = gpu.createShaderModule({ code, label });
  const scope = gpu.popErrorScope();
  const info = await module.getCompilationInfo();
  const scopeError = await scope;
  const errors = info.messages.filter((m) => m.type === 'error');
  if (errors.length === 0 && scopeError === null) return module;
  const diagnostics: ShaderDiagnostic[] = errors.map((m) => {
    const at = nagaExpressionPosition(m.message, code) ?? { line: m.lineNum, column: m.linePos };
    const mapped = mapper?.(at.line, at.column);
    const text = compilerMessage(m.message);
    const message = mapped?.where !== undefined ? `${text} (in ${mapped.where})` : text;
    return mapped
      ? { severity: 'error', line: mapped.line, column: mapped.column, message, sourceLine: mapped.sourceLine }
      : { severity: 'error', line: at.line, column: at.column, message, sourceLine: sourceLine(code, at.line) };
  });
  if (diagnostics.length === 0 && scopeError !== null) {
    diagnostics.push({ severity: 'error', line: 0, column: 0, message: scopeError.message, sourceLine: '' });
  }
  throw new ShaderCompileError(label, diagnostics);
}
