import { ShaderCompileError, type ShaderDiagnostic } from '../../errors.js';

/** Maps a position in the WGSL handed to Dawn back to what the user wrote (for generated code). */
export interface SourceMapper {
  (line: number, column: number): { line: number; column: number; sourceLine: string; where?: string } | undefined;
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
    const mapped = mapper?.(m.lineNum, m.linePos);
    const message = mapped?.where !== undefined ? `${m.message} (in ${mapped.where})` : m.message;
    return mapped
      ? { severity: 'error', line: mapped.line, column: mapped.column, message, sourceLine: mapped.sourceLine }
      : { severity: 'error', line: m.lineNum, column: m.linePos, message, sourceLine: sourceLine(code, m.lineNum) };
  });
  if (diagnostics.length === 0 && scopeError !== null) {
    diagnostics.push({ severity: 'error', line: 0, column: 0, message: scopeError.message, sourceLine: '' });
  }
  throw new ShaderCompileError(label, diagnostics);
}
