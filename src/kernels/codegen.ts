import { ArgumentError, ShaderCompileError } from '../errors.js';
import { wgslOf, type DType } from '../buffers/dtype.js';
import type { SourceMapper } from '../backends/dawn/compile.js';
import { WGSL_NAMES } from './wgsl-names.js';

/** One argument of a builder's signature: `x: T[]` (an array) or `a: f32` (a scalar). */
export interface ArgSpec {
  readonly name: string;
  /** `T` (the placeholder resolved from the arrays passed) or a concrete dtype. */
  readonly type: DType | 'T';
  readonly array: boolean;
  /**
   * A raw array (`b: raw T[]`, CuPy's `raw`): not broadcast, not read at `i`; the body indexes it with any
   * expression (`b[i % cols]`), at its logical C-order flat index. Read-only. @default false
   */
  readonly raw?: boolean;
}

const ARG = /^([A-Za-z_][A-Za-z0-9_]*)\s*:\s*(?:(raw)\s+)?(f32|i32|u32|f16|bool|T)\s*(\[\s*\])?$/;

/**
 * The most dimensions `_ind(d)` sees: the output's shape and strides travel in the uniform as two
 * `array<vec4<u32>, 2>`.
 */
export const MAX_IND_DIMS = 8;

/**
 * Names the user's text may mention with a meaning of gpukit's: the element index `i`, the length `n`,
 * the element type `T` and the uniform `params` (whose fields are the scalar arguments). Everything else
 * the generated code declares starts with `_`, which argument names may not, so it cannot collide.
 */
export const RESERVED = new Set(['i', 'n', 'T', 'params']);
/** A reduction's expressions also see the fold's operands `a`, `b` and the accumulator type `R`. */
export const REDUCTION_RESERVED = new Set([...RESERVED, 'a', 'b', 'R']);

/** Every WGSL line break (§3.2) becomes '\n', so line numbers mean the same to Dawn and to us. */
export function normalizeText(s: string): string {
  return s.replace(/\r\n|[\r\v\f\u0085\u2028\u2029]/g, '\n');
}

/**
 * The text with its comments blanked (same length, newlines kept), for analysis that must not see words
 * inside comments. WGSL block comments nest. Throws when a block comment is not closed.
 */
export function stripComments(text: string, what = 'the text'): string {
  let out = '';
  let depth = 0;
  let openedAt = 0;
  for (let k = 0; k < text.length; k++) {
    const c = text[k] ?? '';
    const next = text[k + 1] ?? '';
    if (depth === 0 && c === '/' && next === '/') {
      while (k < text.length && text[k] !== '\n') {
        out += ' ';
        k++;
      }
      if (k < text.length) out += '\n';
    } else if (c === '/' && next === '*') {
      if (depth === 0) openedAt = k;
      depth++;
      out += '  ';
      k++;
    } else if (depth > 0 && c === '*' && next === '/') {
      depth--;
      out += '  ';
      k++;
    } else out += depth > 0 && c !== '\n' ? ' ' : c;
  }
  if (depth > 0) throw new ArgumentError(`${what}: the block comment opened at ${position(text, openedAt)} is never closed ('*/')`);
  return out;
}

function position(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `${before.length}:${(before[before.length - 1] ?? '').length + 1}`;
}

/**
 * Refuses brackets that do not pair up: the text is placed inside generated code, where a stray `}` or `)`
 * would close gpukit's function instead and the compiler would blame the generated lines.
 */
export function checkBrackets(text: string, what: string): void {
  const code = stripComments(text, what);
  const stack: { c: string; at: number }[] = [];
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  for (let k = 0; k < code.length; k++) {
    const c = code[k] ?? '';
    if (c === '(' || c === '[' || c === '{') stack.push({ c, at: k });
    else if (c === ')' || c === ']' || c === '}') {
      const top = stack.pop();
      if (top?.c !== pairs[c]) throw new ArgumentError(`${what}: '${c}' at ${position(text, k)} has no matching '${pairs[c] ?? ''}'`);
    }
  }
  const open = stack.pop();
  if (open !== undefined) throw new ArgumentError(`${what}: '${open.c}' at ${position(text, open.at)} is never closed`);
}

/** Why `name` cannot name an argument, or undefined if it can. */
export function nameProblem(name: string, reserved: ReadonlySet<string>): string | undefined {
  if (name.startsWith('_')) return 'names starting with _ belong to the generated code';
  if (reserved.has(name)) return `${[...reserved].join(', ')} already mean something in the body`;
  const wgsl = WGSL_NAMES.get(name);
  if (wgsl !== undefined) return `it is ${wgsl}`;
  return undefined;
}

/**
 * Parses `'x: T[], y: T[], a: f32'` (and `'b: raw T[]'` where `rawAllowed`: elementwise signatures, not
 * reductions, whose map reads each array at `i`).
 */
export function parseArgs(args: string, reserved: ReadonlySet<string> = RESERVED, rawAllowed = reserved === RESERVED): ArgSpec[] {
  const out: ArgSpec[] = [];
  for (const part of args.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
    const m = ARG.exec(part);
    if (!m) throw new ArgumentError(`cannot parse argument '${part}': expected 'name: type', 'name: type[]' or 'name: raw type[]' with type f32, i32, u32, f16, bool (a u32 of 0/1) or T`);
    const name = m[1] ?? '';
    const problem = nameProblem(name, reserved);
    if (problem !== undefined) throw new ArgumentError(`argument name '${name}' is reserved: ${problem}; rename the argument`);
    if (out.some((a) => a.name === name)) throw new ArgumentError(`argument '${name}' is declared twice`);
    const array = m[4] !== undefined;
    if (m[2] !== undefined) {
      if (!array) throw new ArgumentError(`argument '${part}': raw applies to arrays only (write '${name}: raw ${m[3] ?? 'T'}[]')`);
      if (!rawAllowed) throw new ArgumentError(`argument '${part}': raw arrays are for elementwise kernels; a reduction reads each array at the index it maps`);
    }
    out.push({ name, type: (m[3] ?? 'f32') as ArgSpec['type'], array, ...(m[2] !== undefined ? { raw: true } : {}) });
  }
  if (!out.some((a) => a.array)) throw new ArgumentError(`an elementwise kernel needs at least one array argument (name: type[])`);
  return out;
}

function mentions(code: string, name: string): RegExpMatchArray[] {
  return [...code.matchAll(new RegExp(`(?<![A-Za-z0-9_.])${name}(?![A-Za-z0-9_])`, 'g'))];
}

/** Whether the text (comments aside) uses the element index `i` (bodies that do run on scalars only). */
export function usesIndex(text: string): boolean {
  return mentions(stripComments(normalizeText(text)), 'i').length > 0;
}

/** Whether the text (comments aside) calls `_ind(d)`, the output's n-d index (it then needs the shape). */
export function usesInd(text: string): boolean {
  return /(?<![A-Za-z0-9_.])_ind\s*\(/.test(stripComments(normalizeText(text)));
}

/** Where the body reads a raw array: the name at `at`, its `[` at `open` and the matching `]` at `close`. */
interface RawSite {
  readonly name: string;
  readonly at: number;
  readonly open: number;
  readonly close: number;
}

/**
 * Finds every read of a raw array in the body and checks it, before any compiler sees it (so both engines
 * refuse the same text the same way): every mention must be indexed (`b[...]`), and never assigned (raw
 * arrays are read-only inputs; an output is declared without raw). Throws a ShaderCompileError at the mention.
 */
export function checkRaw(body: string, args: readonly ArgSpec[], label: string, where: string): RawSite[] {
  const text = normalizeText(body);
  const code = stripComments(text, where);
  const sites: RawSite[] = [];
  for (const a of args) {
    if (a.raw !== true) continue;
    for (const m of mentions(code, a.name)) {
      const at = m.index ?? 0;
      let k = at + a.name.length;
      while (/\s/.test(code[k] ?? '')) k++;
      if (code[k] !== '[') throw rawError(text, at, label, `raw argument '${a.name}' is used without an index: a raw array is read as ${a.name}[expression] (it is not read at i)`, where);
      const open = k;
      let depth = 0;
      for (; k < code.length; k++) {
        if (code[k] === '[') depth++;
        else if (code[k] === ']' && --depth === 0) break;
      }
      const after = code.slice(k + 1);
      if (/^\s*(?:([-+*/%&|^]|<<|>>)?=(?!=)|\+\+|--)/.test(after)) {
        throw rawError(text, at, label, `raw argument '${a.name}' is assigned, but raw arrays are read-only inputs; declare an output without raw ('${a.name}: ${a.type}[]')`, where);
      }
      sites.push({ name: a.name, at, open, close: k });
    }
  }
  return sites.sort((x, y) => x.at - y.at);
}

/** One replacement on a line of the user's text: generated columns [gen, gen + genLen) stand for [orig, orig + origLen). */
interface Shift {
  readonly gen: number;
  readonly genLen: number;
  readonly orig: number;
  readonly origLen: number;
}

/**
 * Rewrites each raw read `b[e]` into `_raw_b(u32((e) ^ 0))`: a bounds-checked read (0 outside the array, on
 * every adapter — WebGPU lets robustness clamp or return 0, which differ) of an i32 or u32 index (`^ 0`
 * refuses a float index as WGSL's `[]` does; u32() of a negative i32 is huge, so out of range). Returns the
 * new text and, per line, the replacements, so compiler columns still map back into the user's text.
 */
function rewriteRaw(text: string, sites: readonly RawSite[]): { text: string; shifts: Map<number, Shift[]> } {
  const edits: { at: number; len: number; by: string }[] = [];
  for (const s of sites) {
    edits.push({ at: s.at, len: s.open - s.at + 1, by: `_raw_${s.name}(u32((` });
    edits.push({ at: s.close, len: 1, by: ') ^ 0))' });
  }
  edits.sort((x, y) => x.at - y.at);
  const shifts = new Map<number, Shift[]>();
  let out = '';
  let from = 0;
  let line = 0;
  let lineStart = 0; // in the original
  let genLineStart = 0; // in the output
  for (const e of edits) {
    const chunk = text.slice(from, e.at);
    for (let k = 0; k < chunk.length; k++) {
      if (chunk[k] === '\n') {
        line++;
        lineStart = from + k + 1;
        genLineStart = out.length + k + 1;
      }
    }
    out += chunk;
    const list = shifts.get(line) ?? [];
    list.push({ gen: out.length - genLineStart, genLen: e.by.length, orig: e.at - lineStart, origLen: e.len });
    shifts.set(line, list);
    out += e.by;
    from = e.at + e.len;
  }
  return { text: out + text.slice(from), shifts };
}

/** A generated column (1-based) of a rewritten line, as a column of the user's line. */
function unshift(column: number, shifts: readonly Shift[] | undefined): number {
  let delta = 0;
  for (const s of shifts ?? []) {
    const c = column - 1;
    if (c < s.gen) break;
    if (c < s.gen + s.genLen) return s.orig + 1;
    delta = s.orig + s.origLen - (s.gen + s.genLen);
  }
  return column + delta;
}

function rawError(text: string, at: number, label: string, message: string, where: string): ShaderCompileError {
  const before = text.slice(0, at).split('\n');
  const line = before.length;
  return new ShaderCompileError(label, [{ severity: 'error', line, column: (before[line - 1] ?? '').length + 1, message: `${message} (in ${where})`, sourceLine: text.split('\n')[line - 1] ?? '' }]);
}

/**
 * Arrays the body assigns to (outputs), and which of those it never reads (write-only: not loaded, and
 * fully overwritten, so a caller may omit them). An output counts as read when it appears anywhere but
 * on the left of a plain `=`: on a right-hand side, in a compound assignment (`+=`) or an increment.
 */
export function outputsOf(body: string, args: readonly ArgSpec[]): { outputs: string[]; writeOnly: string[] } {
  const code = stripComments(normalizeText(body));
  const outputs: string[] = [];
  const writeOnly: string[] = [];
  for (const a of args) {
    if (!a.array || a.raw === true) continue;
    const assign = new RegExp(`(?<![A-Za-z0-9_.])${a.name}\\s*(?:([-+*/%&|^]|<<|>>)?=(?!=)|(\\+\\+|--))`, 'g');
    const assigns = [...code.matchAll(assign)];
    if (assigns.length === 0) continue;
    outputs.push(a.name);
    const plain = assigns.filter((m) => m[1] === undefined && m[2] === undefined).length;
    if (plain === mentions(code, a.name).length && plain === assigns.length) writeOnly.push(a.name);
  }
  return { outputs, writeOnly };
}

function wgslType(t: DType | 'T', width: number): string {
  const w = t === 'T' ? t : wgslOf(t); // bool arrays hold a u32 (0 or 1) per element
  return width === 1 ? w : `vec${width}<${w}>`;
}

/** Scalars travel in the uniform as 32-bit values (f16 as f32) and are converted in the kernel. */
function uniformType(t: DType | 'T', resolved: DType): string {
  const d = t === 'T' ? resolved : t;
  return d === 'f16' ? 'f32' : wgslOf(d);
}

/** A name as it may appear in a `//` comment of the generated code: no line breaks. */
function commentSafe(name: string): string {
  return JSON.stringify(normalizeText(name)).slice(1, -1);
}

export interface Generated {
  readonly code: string;
  readonly mapper: SourceMapper;
}

/** Where a piece of the user's text sits in the generated code: its line k is generated line `line + k - 1`, verbatim. */
interface Spot {
  readonly line: number;
  readonly text: string;
  readonly where: string;
  /** Replacements gpukit made on lines of the text (by 0-based line), undone when mapping columns. */
  readonly shifts?: ReadonlyMap<number, readonly Shift[]>;
}

/**
 * Maps generated positions back into the user's pieces of text. Each piece is copied verbatim (no indent)
 * on lines of its own, so columns carry over unchanged; the generated line right after a piece (the `;` or
 * `)` that closes it) maps to the piece's end, where a missing operand or a dangling operator shows up.
 */
function spotsMapper(code: string, spots: readonly Spot[]): SourceMapper {
  const codeLines = code.split('\n');
  return (line, column) => {
    for (const s of spots) {
      const lines = s.text.split('\n');
      const rel = line - s.line;
      if (rel >= 0 && rel < lines.length) return { line: rel + 1, column: unshift(column, s.shifts?.get(rel)), sourceLine: lines[rel] ?? '', where: s.where };
      if (rel === lines.length) {
        const last = lines[lines.length - 1] ?? '';
        return { line: lines.length, column: last.length + 1, sourceLine: last, where: `${s.where}, at its end` };
      }
    }
    return { line, column, sourceLine: codeLines[line - 1] ?? '', where: 'generated code' };
  };
}

/** Options of {@link elementwiseWgsl}. */
export interface ElementwiseOptions {
  /**
   * Arrays passed as the same array as another one: `{ x: 'y' }` reads x from y's binding. The variant
   * binds the shared array once (read_write when it is written), which WebGPU requires of a buffer that a
   * dispatch writes. @default {}
   */
  readonly alias?: Readonly<Record<string, string>>;
  /**
   * Inputs broadcast along leading dimensions only (a bias row over a matrix): bound as the small plain
   * array and read at `j mod params._m_<name>` (j in elements, or in vec4s on the vec4 variant; the uniform
   * also holds `_s_<name>` = _WG mod m) instead of being gathered into a full-size copy first. @default []
   */
  readonly rows?: readonly string[];
  /**
   * Inputs broadcast along trailing dimensions too (a column `(r, 1)` over `(r, c)`, or `(1, b, 1)` over
   * `(a, b, c)`: their non-1 dimensions are one run of the output's): bound as the small plain array and
   * read at `(j / q) mod m` with q = `params._q_<name>` (the product of the output's dimensions after the
   * run; on the vec4 variant, counted in vec4s, q a multiple of 4 elements, and the element is splatted)
   * and m = `params._m_<name>`, kept incrementally: `_dq_<name>` = (_WG / q) mod m, `_rq_<name>` = _WG mod q.
   * Not gathered into a full-size copy first. @default []
   */
  readonly cols?: readonly string[];
  /**
   * The user's text inside `body`, for error positions: it starts on body line `line`.
   * @default the whole body, as "the body of elementwise '<name>'"
   */
  readonly source?: { readonly line: number; readonly text: string; readonly where: string };
  /**
   * The vec4 variant loads and stores vec4s but runs the body once per lane on scalars (fused chains,
   * whose bodies have no vec4 form): the same per-element operations as the scalar variant, in a quarter
   * of the loop iterations and memory operations. @default false
   */
  readonly lanes?: boolean;
}

/**
 * WGSL for an elementwise kernel. Each invocation handles _ITEMS elements (or vec4s when `width` is 4),
 * strided by the workgroup size so neighbouring invocations touch neighbouring memory. Arrays in the body
 * stand for their element at index `i`; `n` is the length. Raw arrays are the module-scope bindings the body
 * indexes itself (`b[i % cols]`); `_ind(d)` is the output's index along dimension d (its shape and strides
 * come in the uniform). Every name the generated code declares starts
 * with `_` (argument names may not), and the body is copied verbatim on lines of its own, so positions
 * in compiler messages map straight back into it.
 */
export function elementwiseWgsl(name: string, args: readonly ArgSpec[], body: string, dtype: DType, width: 1 | 4, options: ElementwiseOptions = {}): Generated {
  const text = normalizeText(body);
  const { outputs, writeOnly } = outputsOf(text, args);
  if (outputs.length === 0) throw new ArgumentError(`elementwise '${name}': the body assigns no array argument, so it has no output`);
  const alias = options.alias ?? {};
  const scalars = args.filter((a) => !a.array);
  const arrays = args.filter((a) => a.array);
  const bindingOf = (a: string): string => alias[a] ?? a;
  for (const o of outputs) {
    const other = outputs.find((p) => p !== o && bindingOf(p) === bindingOf(o));
    if (other !== undefined) throw new ArgumentError(`elementwise '${name}': outputs '${o}' and '${other}' are the same array; each output needs its own`);
  }
  const bound = arrays.filter((a) => bindingOf(a.name) === a.name);
  // Per lane, the body sees scalars (the vec4 variant only loads and stores vec4s).
  const lanes = options.lanes === true && width === 4;
  const bodyWidth = lanes ? 1 : width;
  const typeOf = (n: string): string => wgslType(arrays.find((a) => a.name === n)?.type ?? 'T', bodyWidth);
  const lines: string[] = [];
  lines.push(`// elementwise '${commentSafe(name)}', generated by gpukit (vector width ${width})`);
  lines.push(`alias T = ${wgslOf(dtype)};`);
  lines.push('override _WG: u32 = 64;');
  lines.push('override _ITEMS: u32 = 4;');
  const ind = usesInd(text);
  const raws = arrays.filter((a) => a.raw === true);
  const rewritten = rewriteRaw(text, checkRaw(text, args, `elementwise|${name}`, `the body of elementwise '${name}'`));
  const shapeFields = ind ? `_shape: array<vec4<u32>, ${MAX_IND_DIMS / 4}>, _strides: array<vec4<u32>, ${MAX_IND_DIMS / 4}>, ` : '';
  const rowNames = options.rows ?? [];
  const colNames = options.cols ?? [];
  const lenFields = [
    ...raws.map((a) => `_len_${a.name}: u32, `),
    ...rowNames.map((r) => `_m_${r}: u32, _s_${r}: u32, `),
    ...colNames.map((r) => `_m_${r}: u32, _q_${r}: u32, _dq_${r}: u32, _rq_${r}: u32, `),
  ].join('');
  // _n elements from _start are this dispatch's, of a window whose element 0 is element _base of the
  // whole _total (a chunk of data larger than one binding; 0 and n otherwise): the body sees i and n whole.
  lines.push(`struct _Params { _n: u32, _start: u32, _base: u32, _total: u32, ${scalars.map((s) => `${s.name}: ${uniformType(s.type, dtype)}`).join(', ')}${scalars.length > 0 ? ', ' : ''}${lenFields}${shapeFields}}`);
  bound.forEach((a, k) => {
    const written = outputs.some((o) => bindingOf(o) === a.name);
    // A raw array is indexed by the body, element by element, whatever the vector width.
    // A column input is read one element per vec4 (splatted), so it binds as scalars on either variant.
    lines.push(`@group(0) @binding(${k}) var<storage, ${written ? 'read_write' : 'read'}> ${a.name}: array<${wgslType(a.type, a.raw === true || colNames.includes(a.name) ? 1 : width)}>;`);
  });
  lines.push(`@group(0) @binding(${bound.length}) var<uniform> params: _Params;`);
  lines.push(`struct _Outs { ${outputs.map((o) => `${o}: ${typeOf(o)}`).join(', ')} }`);
  if (ind) {
    // The output's n-d index along dimension d, from the flat index in C order (dimensions past the
    // output's rank have extent 1: index 0).
    lines.push('var<private> _i: u32;');
    lines.push(`fn _ind(_d: u32) -> u32 { if (_d >= ${MAX_IND_DIMS}u) { return 0u; } return (_i / params._strides[_d / 4u][_d % 4u]) % params._shape[_d / 4u][_d % 4u]; }`);
  }
  // Raw arrays are not parameters: the body reads the module-scope binding, through a bounds check of its own.
  for (const a of raws) {
    const t = wgslType(a.type, 1);
    lines.push(`fn _raw_${a.name}(_k: u32) -> ${t} { if (_k < params._len_${a.name}) { return ${a.name}[_k]; } return ${t}(0); }`);
  }
  const loaded = arrays.filter((a) => !writeOnly.includes(a.name) && a.raw !== true);
  const inParams = loaded.map((a) => `${outputs.includes(a.name) ? `_${a.name}_in` : a.name}: ${wgslType(a.type, bodyWidth)}`);
  const scalarParams = scalars.map((s) => `${s.name}: ${wgslType(s.type, 1)}`);
  lines.push(`fn _body(i: ${bodyWidth === 1 ? 'u32' : 'vec4<u32>'}, n: u32${[...inParams, ...scalarParams].map((p) => `, ${p}`).join('')}) -> _Outs {`);
  lines.push('  var _o: _Outs;');
  lines.push('  {');
  for (const o of outputs) lines.push(writeOnly.includes(o) ? `    var ${o}: ${typeOf(o)};` : `    var ${o}: ${typeOf(o)} = _${o}_in;`);
  const bodyLine = lines.length + 1;
  // Verbatim, then ';' on a line of its own: a trailing `// comment` cannot swallow it, and a body that
  // already ends in ';' just gains an empty statement.
  lines.push(...rewritten.text.split('\n'));
  lines.push(';');
  for (const o of outputs) lines.push(`    _o.${o} = ${o};`);
  lines.push('  }');
  lines.push('  return _o;');
  lines.push('}');
  lines.push('@compute @workgroup_size(_WG)');
  lines.push('fn _main(@builtin(workgroup_id) _wid: vec3u, @builtin(local_invocation_index) _lid: u32, @builtin(num_workgroups) _nwg: vec3u) {');
  lines.push(`  let _count = ${width === 1 ? 'params._n' : 'params._n / 4u'};`);
  lines.push('  let _base = (_wid.x + _wid.y * _nwg.x) * _WG * _ITEMS + _lid;');
  // A repeated input's index j mod m, kept incrementally (j grows by _WG a step; _s_<name> = _WG mod m):
  // one division per invocation instead of one per element (a software adapter scalarizes u32 division).
  for (const r of rowNames) lines.push(`  var _row_${r} = (${width === 1 ? 'params._base + params._start + ' : 'params._base / 4u + '}_base) % params._m_${r};`);
  // A column input's index (j / q) mod m and remainder j mod q, kept the same way (the quotient grows by
  // _dq_<name> a step, one more when the remainder wraps).
  for (const r of colNames) {
    lines.push(`  let _g_${r} = ${width === 1 ? 'params._base + params._start + ' : 'params._base / 4u + '}_base;`);
    lines.push(`  var _col_${r} = (_g_${r} / params._q_${r}) % params._m_${r};`);
    lines.push(`  var _rem_${r} = _g_${r} % params._q_${r};`);
  }
  lines.push('  for (var _k = 0u; _k < _ITEMS; _k++) {');
  lines.push(width === 1 ? '    let _j = params._start + _base + _k * _WG;' : '    let _j = _base + _k * _WG;');
  lines.push('    if (_j >= _count) { return; }');
  const idx = width === 1 ? 'params._base + _j' : 'vec4<u32>(params._base + _j * 4u) + vec4<u32>(0u, 1u, 2u, 3u)';
  const load = (a: ArgSpec): string => {
    if (colNames.includes(a.name)) return width === 1 ? `${bindingOf(a.name)}[_col_${a.name}]` : `${wgslType(a.type, width)}(${bindingOf(a.name)}[_col_${a.name}])`;
    return `${bindingOf(a.name)}[${rowNames.includes(a.name) ? `_row_${a.name}` : '_j'}]`;
  };
  const callArgs = [idx, 'params._total', ...loaded.map(load), ...scalars.map((s) => `${wgslType(s.type, 1)}(params.${s.name})`)];
  if (ind) lines.push(width === 1 ? '    _i = params._base + _j;' : '    _i = params._base + _j * 4u;');
  if (lanes) {
    const vals = callArgs.map((v, k) => (k === 1 || k >= 2 + loaded.length ? v : `_a${k}`));
    callArgs.forEach((v, k) => {
      if (vals[k] !== v) lines.push(`    let _a${k} = ${v};`);
    });
    const lane = ['x', 'y', 'z', 'w'];
    lane.forEach((l, c) => lines.push(`    let _r${c} = _body(${vals.map((v, k) => (v === `_a${k}` ? `${v}.${l}` : v)).join(', ')});`));
    for (const o of outputs) lines.push(`    ${bindingOf(o)}[_j] = ${wgslType(arrays.find((a) => a.name === o)?.type ?? 'T', 4)}(${lane.map((_, c) => `_r${c}.${o}`).join(', ')});`);
  } else {
    lines.push(`    let _r = _body(${callArgs.join(', ')});`);
    for (const o of outputs) lines.push(`    ${bindingOf(o)}[_j] = _r.${o};`);
  }
  for (const r of rowNames) lines.push(`    _row_${r} += params._s_${r}; if (_row_${r} >= params._m_${r}) { _row_${r} -= params._m_${r}; }`);
  for (const r of colNames) {
    lines.push(`    _rem_${r} += params._rq_${r}; _col_${r} += params._dq_${r};`);
    lines.push(`    if (_rem_${r} >= params._q_${r}) { _rem_${r} -= params._q_${r}; _col_${r} += 1u; }`);
    lines.push(`    if (_col_${r} >= params._m_${r}) { _col_${r} -= params._m_${r}; }`);
  }
  lines.push('  }');
  lines.push('}');
  const code = `${lines.join('\n')}\n`;
  const src = options.source ?? { line: 1, text, where: `the body of elementwise '${name}'` };
  const shifts = options.source === undefined ? { shifts: rewritten.shifts } : {};
  return { code, mapper: spotsMapper(code, [{ line: bodyLine + src.line - 1, text: normalizeText(src.text), where: src.where, ...shifts }]) };
}

/** What a reduction computes (CuPy's ReductionKernel): map each index, fold with reduce, then post-map. */
export interface ReductionParts {
  readonly map: string;
  readonly reduce: string;
  readonly identity: string;
  readonly post: string;
  /** Accumulator type; `T` follows the arrays. */
  readonly type: DType | 'T';
  /** Extra WGSL helpers placed before the functions (e.g. `_is_nan`). */
  readonly prelude?: string;
}

/**
 * WGSL for a multi-pass reduction. Entry `_first` maps and folds the input arrays; entry `_rest` folds the
 * partials a previous pass wrote. Each invocation folds _ITEMS elements (vec4 loads when width is 4),
 * strided by the workgroup size; with _TREE it then combines its workgroup in shared memory (one partial
 * per workgroup — what a GPU prefers), without it writes one partial per invocation (no barriers — what a
 * software adapter prefers). The pass that produces a single value applies `post`. Each expression is
 * copied verbatim on lines of its own inside `R(` … `)`, so a trailing comment is harmless and compiler
 * positions map back into it.
 */
export function reductionWgsl(name: string, args: readonly ArgSpec[], parts: ReductionParts, dtype: DType, width: 1 | 4, vecAcc = false, rows = false): Generated {
  // Raw arrays (gpukit's own reductions only: fusion's prologues) bind whole, element by element, after the
  // mapped arrays; the prelude reads them by index. They are no parameters of the map.
  const raws = args.filter((a) => a.array && a.raw === true);
  const arrays = args.filter((a) => a.array && a.raw !== true);
  const scalars = args.filter((a) => !a.array);
  const R = parts.type === 'T' ? dtype : parts.type;
  const spots: Spot[] = [];
  const L: string[] = [];
  const expr = (text: string, what: string, wrap = 'R'): void => {
    L.push(`  return ${wrap}(`);
    spots.push({ line: L.length + 1, text: normalizeText(text), where: `the ${what} expression of reduction '${name}'` });
    L.push(...normalizeText(text).split('\n'));
    L.push('  );');
  };
  L.push(`// reduction '${commentSafe(name)}', generated by gpukit (vector width ${width}${vecAcc ? ', vector accumulator' : ''})`);
  L.push(`alias T = ${wgslOf(dtype)};`);
  L.push(`alias R = ${R};`);
  L.push('override _WG: u32 = 64;');
  L.push('override _ITEMS: u32 = 16;');
  L.push('override _TREE: bool = false;');
  // A first pass over one chunk of data larger than one binding: its items are elements _base.. of the
  // whole _total, and its partials go to _partials_out from _pbase (0, n and 0 otherwise).
  L.push(`struct _Params { _n: u32, _span: u32, _last: u32, _base: u32, _total: u32, _pbase: u32, ${scalars.map((s) => `${s.name}: ${uniformType(s.type, dtype)}`).join(', ')}${scalars.length > 0 ? ', ' : ''}}`);
  arrays.forEach((a, k) => L.push(`@group(0) @binding(${k}) var<storage, read> ${a.name}: array<${wgslType(a.type, width)}>;`));
  raws.forEach((a, k) => L.push(`@group(0) @binding(${arrays.length + k}) var<storage, read> ${a.name}: array<${wgslType(a.type, 1)}>;`));
  const b0 = arrays.length + raws.length;
  L.push(`@group(0) @binding(${b0}) var<storage, read> _partials_in: array<R>;`);
  L.push(`@group(0) @binding(${b0 + 1}) var<storage, read_write> _partials_out: array<R>;`);
  L.push(`@group(0) @binding(${b0 + 2}) var<uniform> params: _Params;`);
  L.push('var<workgroup> _tree: array<R, _WG>;');
  if (parts.prelude !== undefined) L.push(...parts.prelude.split('\n'));
  const scalarParams = scalars.map((s) => `, ${s.name}: ${wgslType(s.type, 1)}`).join('');
  L.push(`fn _map(i: u32, n: u32${arrays.map((a) => `, ${a.name}: ${a.type}`).join('')}${scalarParams}) -> R {`);
  expr(parts.map, 'map');
  L.push('}');
  L.push('fn _reduce(a: R, b: R) -> R {');
  expr(parts.reduce, 'reduce');
  L.push('}');
  if (vecAcc) {
    // The same expressions over vec4s: one accumulator of four lanes per invocation, folded at the end.
    L.push(`fn _map4(i: vec4<u32>, n: u32${arrays.map((a) => `, ${a.name}: vec4<${a.type}>`).join('')}${scalarParams}) -> vec4<R> {`);
    expr(parts.map, 'map', 'vec4<R>');
    L.push('}');
    L.push('fn _reduce4(a: vec4<R>, b: vec4<R>) -> vec4<R> {');
    expr(parts.reduce, 'reduce', 'vec4<R>');
    L.push('}');
  }
  L.push('fn _identity() -> R {');
  expr(parts.identity, 'identity');
  L.push('}');
  L.push('fn _post(a: R) -> R {');
  expr(parts.post, 'post');
  L.push('}');
  // Combine a workgroup's accumulators (_TREE) or write each invocation's own partial. A pass of one
  // workgroup (_last: its output is the result) always combines them, so it ends the reduction itself: a
  // small input is one dispatch, not a first pass and a pass over its partials. (No 'last workgroup
  // finishes' counter: WGSL has no device-scope fence to make the other groups' partials visible.)
  L.push('fn _finish(_acc: R, _lid: u32, _wg: u32, _g: u32) {');
  L.push('  if (_TREE || params._last != 0u) {');
  L.push('    _tree[_lid] = _acc;');
  L.push('    workgroupBarrier();');
  L.push('    for (var _s = _WG / 2u; _s > 0u; _s >>= 1u) {');
  L.push('      if (_lid < _s) { _tree[_lid] = _reduce(_tree[_lid], _tree[_lid + _s]); }');
  L.push('      workgroupBarrier();');
  L.push('    }');
  L.push('    if (_lid == 0u) { _partials_out[params._pbase + _wg] = select(_tree[0], _post(_tree[0]), params._last != 0u); }');
  L.push('  } else if (_g < params._span) {');
  L.push('    _partials_out[params._pbase + _g] = select(_acc, _post(_acc), params._last != 0u);');
  L.push('  }');
  L.push('}');
  // First pass: each workgroup streams through its own block of _WG·_ITEMS items, invocation _lid taking
  // items _lid, _lid + _WG, ... — neighbouring lanes read neighbouring memory and each thread of a CPU
  // adapter walks one contiguous block. Later passes (small) use a grid stride: invocation g of `_span`
  // folds items g, g + _span, ..., which shrinks any count by _ITEMS.
  const scalarArgs = scalars.map((s) => `, ${wgslType(s.type, 1)}(params.${s.name})`).join('');
  L.push('@compute @workgroup_size(_WG)');
  L.push('fn _first(@builtin(workgroup_id) _wid: vec3u, @builtin(local_invocation_index) _lid: u32, @builtin(num_workgroups) _nwg: vec3u) {');
  L.push('  let _wg = _wid.x + _wid.y * _nwg.x;');
  L.push('  let _g = _wg * _WG + _lid;');
  L.push('  let _n = params._n;');
  L.push('  var _acc = _identity();');
  L.push('  if (_g < params._span) {');
  if (width === 1) {
    L.push('    for (var _k = 0u; _k < _ITEMS; _k++) {');
    L.push('      let _i = _wg * _WG * _ITEMS + _k * _WG + _lid;');
    L.push('      if (_i >= _n) { break; }');
    L.push(`      _acc = _reduce(_acc, _map(params._base + _i, params._total${arrays.map((a) => `, ${a.name}[_i]`).join('')}${scalarArgs}));`);
    L.push('    }');
  } else {
    L.push('    let _count = (_n + 3u) / 4u;');
    if (vecAcc) L.push('    var _acc4 = vec4<R>(_identity());');
    L.push('    for (var _k = 0u; _k < _ITEMS; _k++) {');
    L.push('      let _j = _wg * _WG * _ITEMS + _k * _WG + _lid;');
    L.push('      if (_j >= _count) { break; }');
    for (const a of arrays) L.push(`      let _v_${a.name} = ${a.name}[_j];`);
    L.push('      if (4u * _j + 3u < _n) {');
    if (vecAcc) {
      L.push(`        _acc4 = _reduce4(_acc4, _map4(vec4<u32>(params._base + 4u * _j) + vec4<u32>(0u, 1u, 2u, 3u), params._total${arrays.map((a) => `, _v_${a.name}`).join('')}${scalarArgs}));`);
    } else {
      for (let c = 0; c < 4; c++) {
        L.push(`        _acc = _reduce(_acc, _map(params._base + 4u * _j + ${c}u, params._total${arrays.map((a) => `, _v_${a.name}[${c}]`).join('')}${scalarArgs}));`);
      }
    }
    L.push('      } else {');
    L.push('        for (var _c = 0u; _c < 4u; _c++) {');
    L.push(`          if (4u * _j + _c < _n) { _acc = _reduce(_acc, _map(params._base + 4u * _j + _c, params._total${arrays.map((a) => `, _v_${a.name}[_c]`).join('')}${scalarArgs})); }`);
    L.push('        }');
    L.push('      }');
    L.push('    }');
    if (vecAcc) L.push('    _acc = _reduce(_acc, _reduce(_reduce(_acc4.x, _acc4.y), _reduce(_acc4.z, _acc4.w)));');
  }
  L.push('  }');
  L.push('  _finish(_acc, _lid, _wg, _g);');
  L.push('}');
  if (rows && width === 1) {
    // Along axes: invocation _row folds its own row of _n items (the reduced axes, moved last and made
    // dense by the caller), in order, and writes the row's result; _span is the number of rows.
    L.push('@compute @workgroup_size(_WG)');
    L.push('fn _rows(@builtin(workgroup_id) _wid: vec3u, @builtin(local_invocation_index) _lid: u32, @builtin(num_workgroups) _nwg: vec3u) {');
    L.push('  let _row = (_wid.x + _wid.y * _nwg.x) * _WG + _lid;');
    L.push('  if (_row >= params._span) { return; }');
    L.push('  let _r = params._n;');
    L.push('  var _acc = _identity();');
    L.push('  for (var _j = 0u; _j < _r; _j++) {');
    L.push('    let _i = _row * _r + _j;');
    L.push(`    _acc = _reduce(_acc, _map(_j, _r${arrays.map((a) => `, ${a.name}[_i]`).join('')}${scalarArgs}));`);
    L.push('  }');
    L.push('  _partials_out[_row] = _post(_acc);');
    L.push('}');
  }
  L.push('@compute @workgroup_size(_WG)');
  L.push('fn _rest(@builtin(workgroup_id) _wid: vec3u, @builtin(local_invocation_index) _lid: u32, @builtin(num_workgroups) _nwg: vec3u) {');
  L.push('  let _wg = _wid.x + _wid.y * _nwg.x;');
  L.push('  let _g = _wg * _WG + _lid;');
  L.push('  var _acc = _identity();');
  L.push('  if (_g < params._span) {');
  L.push('    for (var _k = 0u; _k < _ITEMS; _k++) {');
  L.push('      let _i = _g + _k * params._span;');
  L.push('      if (_i >= params._n) { break; }');
  L.push('      _acc = _reduce(_acc, _partials_in[_i]);');
  L.push('    }');
  L.push('  }');
  L.push('  _finish(_acc, _lid, _wg, _g);');
  L.push('}');
  const code = `${L.join('\n')}\n`;
  return { code, mapper: spotsMapper(code, spots) };
}
