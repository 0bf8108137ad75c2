/**
 * Translates the WGSL that builder bodies are written in (`device.elementwise()` bodies, `device.reduction()`
 * expressions, `map()` expressions) into JavaScript, so the gpujs engine runs the same builder calls as Dawn.
 *
 * The subset: scalar statements (`name = e;`, `name += e;` and the other compound assignments, `name++`,
 * `let` / `var` / `const` locals, `if` / `else`, blocks) and scalar expressions (literals of every scalar
 * type, `+ - * / %`, comparisons, `&& || !`, `& | ^ ~ << >>`, `select`, conversions `f32() i32() u32()
 * bool() T() R()`, the common math builtins, `params.<scalar>`), reads of raw arrays (`b[e]`, e an i32 or
 * u32; an index out of range reads 0, as Dawn on Vulkan does — robust buffer access) and
 * `_ind(d)` in elementwise bodies. Anything else — loops, vectors, matrices, pointers, other indexing, bit casts, a builtin not listed in {@link BUILTINS} — is refused with an
 * UnsupportedOnEngineError naming the construct and its line:column in the user's text. Type errors Dawn's
 * compiler would report (mixing f32 with i32, an unknown name, assigning a `let`) are ShaderCompileErrors
 * pointing into the text, as on Dawn.
 *
 * A hand-written parser, not wgsl_reflect's: wgsl_reflect's AST drops expression columns and the
 * difference between abstract literals (`2`, `2.0`) and typed ones (`2i`, `2.0f`), both of which this needs
 * (an abstract `2` next to a u32 is a u32; the error must point at a column).
 *
 * Semantics follow WGSL exactly where JS can: every f32 operation is rounded to f32 (`Math.fround`, which
 * makes + - * / and sqrt correctly rounded, as IEEE f32 arithmetic is); i32 and u32 wrap modulo 2^32;
 * f32 `%` is x - y·trunc(x / y) rounded step by step as WGSL defines it; integer `/` truncates toward zero,
 * `x / 0` is x and `x % 0` is 0, and i32 MIN / -1 is MIN (MIN % -1 is 0);
 * shifts take the count modulo 32; `round` rounds half to even; f32 `min` / `max` (and so `clamp`, `saturate`)
 * return the other operand when one is a NaN; `sign` of ±0 or a NaN is 0; float→integer conversions truncate and
 * saturate. Transcendentals are computed in f64 and rounded once (within WGSL's ulp bounds, which allow more).
 */
import { ArgumentError, ShaderCompileError, UnsupportedOnEngineError } from '../../errors.js';
import { stripComments } from '../../kernels/codegen.js';
import { WGSL_NAMES } from '../../kernels/wgsl-names.js';

/** A concrete scalar type of the subset. */
export type Scalar = 'f32' | 'i32' | 'u32' | 'bool';
type Abstract = 'aint' | 'afloat';
type Type = Scalar | Abstract;

/** Where a piece of text comes from: errors name it and point into it. */
export interface TextSource {
  readonly text: string;
  /** e.g. "the body of elementwise 'axpy'". */
  readonly where: string;
  /** The label a ShaderCompileError carries (as Dawn's would: `elementwise|name|dtype`). */
  readonly label: string;
}

/** A name the text may read: its type, whether it may be assigned, and the JS expression that holds it. */
export interface Binding {
  readonly type: Scalar;
  readonly mutable: boolean;
  readonly js: string;
  /** A raw array argument: `js` names the whole typed array, which the text indexes (`b[e]`). */
  readonly raw?: boolean;
}

// --- lexer -------------------------------------------------------------------------------------------

interface Tok {
  readonly k: 'id' | 'num' | 'op' | 'end';
  readonly v: string;
  readonly at: number;
}

const PUNCT = ['<<=', '>>=', '&&', '||', '==', '!=', '<=', '>=', '<<', '>>', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '++', '--', '->', '::'];
const NUMBER = [
  /^0[xX][0-9a-fA-F]*\.?[0-9a-fA-F]*[pP][+-]?\d+[fh]?/, // hex float: refused below
  /^0[xX][0-9a-fA-F]+[iu]?/,
  /^(?:\d+\.\d*|\.\d+)(?:[eE][+-]?\d+)?[fh]?/,
  /^\d+[eE][+-]?\d+[fh]?/,
  /^\d+[fhiu]?/,
];

function lex(code: string, fail: (at: number, msg: string) => never): Tok[] {
  const toks: Tok[] = [];
  let k = 0;
  while (k < code.length) {
    const c = code[k] ?? '';
    if (/\s/.test(c)) {
      k++;
      continue;
    }
    const rest = code.slice(k);
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
    if (id) {
      toks.push({ k: 'id', v: id[0], at: k });
      k += id[0].length;
      continue;
    }
    if (/[0-9.]/.test(c) && /^\.?\d/.test(rest)) {
      const m = NUMBER.map((r) => r.exec(rest)).find((x) => x !== null);
      if (!m) fail(k, 'malformed number');
      toks.push({ k: 'num', v: m[0], at: k });
      k += m[0].length;
      continue;
    }
    const p = PUNCT.find((q) => rest.startsWith(q)) ?? c;
    toks.push({ k: 'op', v: p, at: k });
    k += p.length;
  }
  toks.push({ k: 'end', v: '', at: code.length });
  return toks;
}

// --- AST ----------------------------------------------------------------------------------------------

type Expr =
  | { readonly e: 'num'; readonly at: number; readonly text: string }
  | { readonly e: 'bool'; readonly at: number; readonly value: boolean }
  | { readonly e: 'id'; readonly at: number; readonly name: string }
  | { readonly e: 'param'; readonly at: number; readonly name: string }
  | { readonly e: 'call'; readonly at: number; readonly name: string; readonly args: readonly Expr[] }
  | { readonly e: 'index'; readonly at: number; readonly name: string; readonly index: Expr }
  | { readonly e: 'un'; readonly at: number; readonly op: string; readonly x: Expr }
  | { readonly e: 'bin'; readonly at: number; readonly op: string; readonly l: Expr; readonly r: Expr };

type Stmt =
  | { readonly s: 'decl'; readonly at: number; readonly kind: 'let' | 'var' | 'const'; readonly name: string; readonly nameAt: number; readonly type: Scalar | undefined; readonly init: Expr | undefined }
  | { readonly s: 'assign'; readonly at: number; readonly name: string; readonly op: string; readonly value: Expr | undefined }
  | { readonly s: 'if'; readonly at: number; readonly cond: Expr; readonly then: readonly Stmt[]; readonly else: readonly Stmt[] | undefined }
  | { readonly s: 'block'; readonly at: number; readonly body: readonly Stmt[] };

const BIN_PREC: Record<string, number> = {
  '||': 1, '&&': 2, '|': 3, '^': 4, '&': 5, '==': 6, '!=': 6, '<': 7, '>': 7, '<=': 7, '>=': 7, '<<': 8, '>>': 8, '+': 9, '-': 9, '*': 10, '/': 10, '%': 10,
};
const ASSIGN_OPS = new Set(['=', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '<<=', '>>=']);
const SCALAR_TYPES = new Set(['f32', 'i32', 'u32', 'bool']);
const KEYWORD_CONSTRUCTS: Record<string, string> = {
  for: 'a for loop', while: 'a while loop', loop: 'a loop statement', switch: 'a switch statement', return: 'a return statement', break: 'a break statement',
  continue: 'a continue statement', discard: 'discard', fn: 'a function declaration', struct: 'a struct declaration', alias: 'a type alias', override: 'an override declaration', const_assert: 'const_assert',
};

class Parser {
  #k = 0;
  constructor(
    readonly toks: readonly Tok[],
    readonly unsupported: (at: number, construct: string) => never,
    readonly syntax: (at: number, msg: string) => never,
  ) {}

  get peek(): Tok {
    return this.toks[this.#k] as Tok;
  }

  #next(): Tok {
    return this.toks[this.#k++] as Tok;
  }

  #is(v: string): boolean {
    return this.peek.k === 'op' && this.peek.v === v;
  }

  #word(v: string): boolean {
    return this.peek.k === 'id' && this.peek.v === v;
  }

  #eat(v: string): boolean {
    if (this.#is(v)) {
      this.#k++;
      return true;
    }
    return false;
  }

  #expect(v: string): void {
    if (!this.#eat(v)) this.syntax(this.peek.at, `expected '${v}'${this.peek.k === 'end' ? ' at the end' : `, found '${this.peek.v}'`}`);
  }

  atEnd(): boolean {
    return this.peek.k === 'end';
  }

  statements(until: string | undefined): Stmt[] {
    const out: Stmt[] = [];
    for (;;) {
      while (this.#eat(';'));
      if (until === undefined ? this.atEnd() : this.#is(until)) return out;
      if (this.atEnd()) this.syntax(this.peek.at, `expected '${until ?? ''}' before the end`);
      out.push(this.statement());
    }
  }

  statement(): Stmt {
    const t = this.peek;
    if (t.k === 'op' && t.v === '@') this.unsupported(t.at, 'an attribute (@...)');
    if (t.k === 'op' && t.v === '{') {
      this.#next();
      const body = this.statements('}');
      this.#expect('}');
      return { s: 'block', at: t.at, body };
    }
    if (t.k !== 'id') this.syntax(t.at, `expected a statement, found '${t.v}'`);
    const construct = KEYWORD_CONSTRUCTS[t.v];
    if (construct !== undefined) this.unsupported(t.at, construct);
    if (t.v === 'let' || t.v === 'var' || t.v === 'const') return this.#decl();
    if (t.v === 'if') return this.#if();
    this.#next();
    if (this.#is('[')) this.unsupported(this.peek.at, `indexing ('${t.v}[...]')`);
    if (this.#is('.')) this.unsupported(this.peek.at, `a member access ('${t.v}.…') on the left of an assignment`);
    if (this.#is('(')) this.unsupported(t.at, `a call statement ('${t.v}(...)')`);
    const op = this.peek;
    if (op.k === 'op' && (op.v === '++' || op.v === '--')) {
      this.#next();
      this.#endStatement();
      return { s: 'assign', at: t.at, name: t.v, op: op.v, value: undefined };
    }
    if (op.k !== 'op' || !ASSIGN_OPS.has(op.v)) this.syntax(op.at, `expected an assignment to '${t.v}'${op.k === 'end' ? '' : `, found '${op.v}'`}`);
    this.#next();
    const value = this.expr();
    this.#endStatement();
    return { s: 'assign', at: t.at, name: t.v, op: op.v, value };
  }

  #endStatement(): void {
    if (this.atEnd() || this.#is('}')) return;
    this.#expect(';');
  }

  #decl(): Stmt {
    const kw = this.#next();
    const name = this.#next();
    if (name.k !== 'id') this.syntax(name.at, `expected a name after '${kw.v}'`);
    let type: Scalar | undefined;
    if (this.#eat(':')) {
      const ty = this.#next();
      if (ty.k !== 'id') this.syntax(ty.at, 'expected a type');
      if (this.#is('<')) this.unsupported(ty.at, `the type '${ty.v}<...>'`);
      if (!SCALAR_TYPES.has(ty.v)) this.unsupported(ty.at, `the type '${ty.v}'`);
      type = ty.v as Scalar;
    }
    let init: Expr | undefined;
    if (this.#eat('=')) init = this.expr();
    if (init === undefined && kw.v !== 'var') this.syntax(this.peek.at, `'${kw.v} ${name.v}' needs an initializer`);
    if (init === undefined && type === undefined) this.syntax(this.peek.at, `'var ${name.v}' needs a type or an initializer`);
    this.#endStatement();
    return { s: 'decl', at: kw.at, kind: kw.v as 'let' | 'var' | 'const', name: name.v, nameAt: name.at, type, init };
  }

  #if(): Stmt {
    const kw = this.#next();
    const cond = this.expr();
    this.#expect('{');
    const then = this.statements('}');
    this.#expect('}');
    let els: Stmt[] | undefined;
    if (this.#word('else')) {
      this.#next();
      if (this.#word('if')) els = [this.#if()];
      else {
        this.#expect('{');
        els = this.statements('}');
        this.#expect('}');
      }
    }
    return { s: 'if', at: kw.at, cond, then, else: els };
  }

  expr(min = 1): Expr {
    let l = this.#unary();
    for (;;) {
      const t = this.peek;
      const p = t.k === 'op' ? BIN_PREC[t.v] : undefined;
      if (p === undefined || p < min) return l;
      this.#next();
      const r = this.expr(p + 1);
      l = { e: 'bin', at: t.at, op: t.v, l, r };
    }
  }

  #unary(): Expr {
    const t = this.peek;
    if (t.k === 'op' && (t.v === '-' || t.v === '!' || t.v === '~')) {
      this.#next();
      return { e: 'un', at: t.at, op: t.v, x: this.#unary() };
    }
    if (t.k === 'op' && (t.v === '&' || t.v === '*')) this.unsupported(t.at, `a pointer ('${t.v}' in front of an expression)`);
    return this.#postfix(this.#primary());
  }

  #postfix(x: Expr): Expr {
    if (this.#is('[') && x.e === 'id') {
      // A name indexed: only raw arrays may be (the translator checks which the name is).
      this.#next();
      const index = this.expr();
      this.#expect(']');
      return this.#postfix({ e: 'index', at: x.at, name: x.name, index });
    }
    if (this.#is('[')) this.unsupported(this.peek.at, 'indexing (e[...])');
    if (this.#is('.')) this.unsupported(this.peek.at, `a member access or swizzle ('.${this.toks[this.#k + 1]?.v ?? ''}')`);
    return x;
  }

  #primary(): Expr {
    const t = this.#next();
    if (t.k === 'num') return { e: 'num', at: t.at, text: t.v };
    if (t.k === 'op' && t.v === '(') {
      const x = this.expr();
      this.#expect(')');
      return x;
    }
    if (t.k !== 'id') this.syntax(t.at, t.k === 'end' ? 'expected an expression before the end' : `expected an expression, found '${t.v}'`);
    if (t.v === 'true' || t.v === 'false') return { e: 'bool', at: t.at, value: t.v === 'true' };
    if (t.v === 'params' && this.#is('.')) {
      this.#next();
      const f = this.#next();
      if (f.k !== 'id') this.syntax(f.at, "expected a field name after 'params.'");
      return { e: 'param', at: t.at, name: f.v };
    }
    if (this.#is('<')) {
      // `vec4<f32>(...)`, `bitcast<u32>(...)`, `array<...>`: templated names are outside the subset.
      const construct = t.v === 'bitcast' ? 'bitcast<...>' : `the templated type or function '${t.v}<...>'`;
      if (t.v === 'bitcast' || /^(vec|mat|array|ptr|atomic)/.test(t.v)) this.unsupported(t.at, construct);
    }
    if (this.#eat('(')) {
      const args: Expr[] = [];
      if (!this.#eat(')')) {
        do args.push(this.expr());
        while (this.#eat(','));
        this.#expect(')');
      }
      return { e: 'call', at: t.at, name: t.v, args };
    }
    return { e: 'id', at: t.at, name: t.v };
  }
}

// --- type checking and JS generation ------------------------------------------------------------------

/** A checked expression: its type, its JS, and for abstract ones their constant value. */
interface Val {
  readonly t: Type;
  readonly js: string;
  readonly c?: number;
  readonly at: number;
}

const F = 'Math.fround';
/** The largest finite f32, (2 − 2^−23)·2^127. */
const F32_MAX = 3.4028234663852886e38;

/** Runtime helpers the generated code calls (as `H.name`). */
export const HELPERS = {
  idiv: (a: number, b: number): number => (b === 0 || (a === -0x80000000 && b === -1) ? a : (a / b) | 0),
  irem: (a: number, b: number): number => (b === 0 || (a === -0x80000000 && b === -1) ? 0 : a % b | 0),
  udiv: (a: number, b: number): number => (b === 0 ? a : Math.trunc(a / b) >>> 0),
  urem: (a: number, b: number): number => (b === 0 ? 0 : (a % b) >>> 0),
  // WGSL defines f32 `%` as x - y·trunc(x / y), each step rounded to f32 (not C's exact fmod): Dawn computes that.
  frem: (a: number, b: number): number => Math.fround(a - Math.fround(b * Math.trunc(Math.fround(a / b)))),
  iabs: (a: number): number => (a < 0 ? -a | 0 : a),
  // WGSL's f32 min and max: if one operand is a NaN, the other is returned (Math.min would give NaN; Dawn
  // gives the other). clamp(e, lo, hi) is min(max(e, lo), hi), so clamp(NaN, 0, 1) = 0 there too.
  fmin: (a: number, b: number): number => (Number.isNaN(a) ? b : Number.isNaN(b) ? a : Math.min(a, b)),
  fmax: (a: number, b: number): number => (Number.isNaN(a) ? b : Number.isNaN(b) ? a : Math.max(a, b)),
  // sign: 1 for e > 0, -1 for e < 0, else 0 (+0 for ±0, and 0 for a NaN, as Dawn gives).
  fsign: (a: number): number => (a > 0 ? 1 : a < 0 ? -1 : 0),
  rne: (x: number): number => {
    // A zero result keeps x's sign, as IEEE roundEven (and Dawn) give it: round(-0.4) and round(-0.5) are -0.
    if (x >= -0.5 && x < 0) return -0;
    const f = Math.floor(x);
    const d = x - f;
    if (d < 0.5) return f;
    if (d > 0.5) return f + 1;
    return f % 2 === 0 ? f : f + 1;
  },
  f2i: (x: number): number => (Number.isNaN(x) ? 0 : x >= 2147483647 ? 2147483647 : x <= -2147483648 ? -2147483648 : Math.trunc(x) | 0),
  f2u: (x: number): number => (Number.isNaN(x) ? 0 : x >= 4294967295 ? 4294967295 : x <= 0 ? 0 : Math.trunc(x) >>> 0),
  // A raw array read as Dawn reads it on Vulkan (robust buffer access): the index as a u32 (a negative i32 is
  // huge), and 0 outside the array, never another array's element.
  rawRead: (a: ArrayLike<number>, k: number): number => a[k >>> 0] ?? 0,
};

/** f32 builtins of one argument: each computed in f64 from an f32 value and rounded once. */
const FLOAT1: Record<string, string> = {
  exp: 'Math.exp', exp2: '2 ** ', log: 'Math.log', log2: 'Math.log2', sqrt: 'Math.sqrt', inverseSqrt: '1 / Math.sqrt', sin: 'Math.sin', cos: 'Math.cos', tan: 'Math.tan',
  tanh: 'Math.tanh', sinh: 'Math.sinh', cosh: 'Math.cosh', asin: 'Math.asin', acos: 'Math.acos', atan: 'Math.atan', asinh: 'Math.asinh', acosh: 'Math.acosh', atanh: 'Math.atanh',
  floor: 'Math.floor', ceil: 'Math.ceil', trunc: 'Math.trunc', round: 'H.rne', degrees: '(180 / Math.PI) * ', radians: '(Math.PI / 180) * ',
};
/** Every builtin the subset has (others are UnsupportedOnEngineError). */
export const BUILTINS = [...Object.keys(FLOAT1), 'abs', 'min', 'max', 'clamp', 'sign', 'fract', 'fma', 'pow', 'atan2', 'step', 'mix', 'saturate', 'select'];

/** What the translated text may see, and how to report a problem in it. */
export interface TranslateContext {
  readonly source: TextSource;
  /** Names the text may read (and the outputs / locals it may write). */
  readonly names: ReadonlyMap<string, Binding>;
  /** The fields of `params` (scalar arguments, with their uniform types). */
  readonly params: ReadonlyMap<string, Binding>;
  /** What `T` (and in reductions `R`) stand for in conversions. */
  readonly aliases: Readonly<Record<string, Scalar>>;
  /** Whether `_ind(d)` (the output's n-d index) exists: elementwise bodies; the JS calls `_ind(i, d)`. @default false */
  readonly ind?: boolean;
}

class Translator {
  readonly #code: string;
  readonly #scopes: Map<string, Binding & { kind: string; c?: number; ct?: Type }>[];
  #tmp = 0;

  constructor(readonly ctx: TranslateContext) {
    this.#code = stripComments(ctx.source.text, ctx.source.where);
    // Dawn's generated function takes the inputs as parameters and declares the outputs as `var`s in the block
    // the body is copied into; Tint refuses a top-level local named like either ("redeclaration of 'x'"), so
    // this does too, while a nested block may shadow any name.
    const entries = [...ctx.names];
    this.#scopes = [
      new Map(entries.filter(([, v]) => !v.mutable).map(([k, v]) => [k, { ...v, kind: 'argument' }])),
      new Map(entries.filter(([, v]) => v.mutable).map(([k, v]) => [k, { ...v, kind: 'output' }])),
    ];
  }

  #pos(at: number): { line: number; column: number; sourceLine: string } {
    const text = this.ctx.source.text;
    const before = text.slice(0, at).split('\n');
    const line = before.length;
    return { line, column: (before[line - 1] ?? '').length + 1, sourceLine: text.split('\n')[line - 1] ?? '' };
  }

  unsupported = (at: number, construct: string): never => {
    const p = this.#pos(at);
    throw new UnsupportedOnEngineError(
      `${this.ctx.source.where}: ${construct} at ${p.line}:${p.column} is outside the WGSL subset the gpujs engine translates to JavaScript ` +
        '(scalar statements and expressions of f32/i32/u32/bool: arithmetic, comparisons, logic, select, conversions and the common math builtins); ' +
        'run it on the dawn engine, or write the kernel in JS with device.jsKernel()',
    );
  };

  error = (at: number, message: string): never => {
    const p = this.#pos(at);
    throw new ShaderCompileError(this.ctx.source.label, [{ severity: 'error', line: p.line, column: p.column, message: `${message} (in ${this.ctx.source.where})`, sourceLine: p.sourceLine }]);
  };

  parser(): Parser {
    return new Parser(lex(this.#code, this.error), this.unsupported, this.error);
  }

  #lookup(name: string): (Binding & { kind: string; c?: number; ct?: Type }) | undefined {
    for (let k = this.#scopes.length - 1; k >= 0; k--) {
      const b = this.#scopes[k]?.get(name);
      if (b !== undefined) return b;
    }
    return undefined;
  }

  // A literal: abstract unless suffixed.
  #num(x: Expr & { e: 'num' }): Val {
    const text = x.text;
    if (/[pP]/.test(text) && /^0[xX]/.test(text)) return this.unsupported(x.at, `the hexadecimal float literal '${text}'`);
    if (text.endsWith('h')) return this.unsupported(x.at, `the f16 literal '${text}'`);
    const hex = /^0[xX]/.test(text);
    const suffix = hex ? (/[iu]$/.exec(text)?.[0] ?? '') : (/[fiu]$/.exec(text)?.[0] ?? '');
    const body = suffix === '' ? text : text.slice(0, -1);
    const isFloat = !hex && (suffix === 'f' || /[.eE]/.test(body));
    const value = hex ? parseInt(body, 16) : Number(body);
    if (isFloat) {
      if (suffix === 'f') return this.#concrete({ t: 'afloat', js: '', c: value, at: x.at }, 'f32');
      return { t: 'afloat', js: String(value), c: value, at: x.at };
    }
    const v: Val = { t: 'aint', js: String(value), c: value, at: x.at };
    return suffix === 'i' ? this.#concrete(v, 'i32') : suffix === 'u' ? this.#concrete(v, 'u32') : v;
  }

  /** Converts an abstract value to a concrete type (WGSL's automatic conversions); concrete ones must match. */
  #concrete(v: Val, to: Scalar, what = 'this value'): Val {
    if (v.t === to) return v;
    if (v.t === 'aint' || v.t === 'afloat') {
      const c = v.c ?? 0;
      // In range means within ±f32 max (WGSL; Tint's CheckedConvert): past it, even short of where fround gives Infinity, is an error.
      if (to === 'f32' && Number.isFinite(c) && Math.abs(c) <= F32_MAX) return { t: 'f32', js: String(Math.fround(c)), at: v.at };
      if (v.t === 'aint' && to === 'i32' && c >= -0x80000000 && c <= 0x7fffffff) return { t: 'i32', js: String(c), at: v.at };
      if (v.t === 'aint' && to === 'u32' && c >= 0 && c <= 0xffffffff) return { t: 'u32', js: String(c), at: v.at };
      return this.error(v.at, `${v.t === 'aint' ? 'the abstract integer' : 'the abstract float'} ${c} cannot be converted to ${to}${to === 'bool' ? '' : ' (out of range or not representable)'}`);
    }
    return this.error(v.at, `${what} is ${v.t} but ${to} is needed (WGSL converts no concrete type implicitly; write ${to}(...))`);
  }

  /** The value concretized as `let` does: an abstract int becomes i32, an abstract float f32. */
  #default(v: Val): Val {
    return v.t === 'aint' ? this.#concrete(v, 'i32') : v.t === 'afloat' ? this.#concrete(v, 'f32') : v;
  }

  /** Brings values to one type (binary operators, builtins with several arguments of one type). */
  #unify(vals: readonly Val[], at: number, op: string): Val[] {
    const concrete = vals.find((v) => v.t !== 'aint' && v.t !== 'afloat');
    if (concrete !== undefined) {
      for (const v of vals) if (v.t !== concrete.t && v.t !== 'aint' && v.t !== 'afloat') this.error(at, `'${op}' takes operands of one type, got ${concrete.t} and ${v.t}`);
      return vals.map((v) => this.#concrete(v, concrete.t as Scalar));
    }
    const t: Abstract = vals.some((v) => v.t === 'afloat') ? 'afloat' : 'aint';
    return vals.map((v) => ({ ...v, t }));
  }

  expr(x: Expr): Val {
    switch (x.e) {
      case 'num':
        return this.#num(x);
      case 'bool':
        return { t: 'bool', js: String(x.value), at: x.at };
      case 'id': {
        const b = this.#lookup(x.name);
        if (b === undefined) {
          const wgsl = WGSL_NAMES.get(x.name);
          if (wgsl !== undefined) return this.unsupported(x.at, `'${x.name}' (${wgsl})`);
          return this.error(x.at, `unresolved value '${x.name}'`);
        }
        if (b.ct !== undefined) return { t: b.ct, js: String(b.c ?? 0), c: b.c ?? 0, at: x.at };
        return { t: b.type, js: b.js, at: x.at };
      }
      case 'param': {
        const b = this.ctx.params.get(x.name);
        if (b === undefined) return this.error(x.at, `'params' has no field '${x.name}'${this.ctx.params.size > 0 ? ` (its fields: ${[...this.ctx.params.keys()].join(', ')})` : ' (there are no scalar arguments)'}`);
        return { t: b.type, js: b.js, at: x.at };
      }
      case 'un':
        return this.#unary(x);
      case 'bin':
        return this.#binary(x.op, this.expr(x.l), this.expr(x.r), x.at);
      case 'call':
        return this.#call(x);
      case 'index':
        return this.#index(x);
    }
  }

  /** `b[e]` of a raw array: e an i32 or u32 (an abstract int must be a valid u32); 0 out of range (see HELPERS.rawRead). */
  #index(x: Expr & { e: 'index' }): Val {
    const b = this.#lookup(x.name);
    if (b === undefined) return this.error(x.at, `unresolved value '${x.name}'`);
    if (b.raw !== true) return this.error(x.at, `cannot index '${x.name}' (a ${b.type}): only raw array arguments (declared '${x.name}: raw T[]') are indexed`);
    let k = this.expr(x.index);
    if (k.t === 'aint') k = this.#concrete(k, 'u32', `the index of '${x.name}'`);
    if (k.t !== 'i32' && k.t !== 'u32') return this.error(x.index.at, `the index of '${x.name}' must be an i32 or u32, got ${k.t}`);
    return { t: b.type, js: `H.rawRead(${b.js}, ${k.js})`, at: x.at };
  }

  #unary(x: Expr & { e: 'un' }): Val {
    const v = this.expr(x.x);
    if (x.op === '!') {
      if (v.t !== 'bool') return this.error(x.at, `'!' needs a bool, got ${v.t}`);
      return { t: 'bool', js: `(!${v.js})`, at: x.at };
    }
    if (v.t === 'aint' || v.t === 'afloat') {
      const c = x.op === '-' ? -(v.c ?? 0) : ~(v.c ?? 0);
      if (x.op === '~' && v.t === 'afloat') return this.error(x.at, "'~' needs an integer");
      return { t: v.t, js: `(${c})`, c, at: x.at };
    }
    if (x.op === '-') {
      if (v.t === 'f32') return { t: 'f32', js: `(-${v.js})`, at: x.at };
      if (v.t === 'i32') return { t: 'i32', js: `(-${v.js} | 0)`, at: x.at };
      return this.error(x.at, `unary '-' is not defined for ${v.t}`);
    }
    if (v.t === 'i32') return { t: 'i32', js: `(~${v.js})`, at: x.at };
    if (v.t === 'u32') return { t: 'u32', js: `(~${v.js} >>> 0)`, at: x.at };
    return this.error(x.at, `'~' is not defined for ${v.t}`);
  }

  #binary(op: string, l0: Val, r0: Val, at: number): Val {
    if (op === '&&' || op === '||') {
      if (l0.t !== 'bool' || r0.t !== 'bool') return this.error(at, `'${op}' needs bool operands, got ${l0.t} and ${r0.t}`);
      return { t: 'bool', js: `(${l0.js} ${op} ${r0.js})`, at };
    }
    if (op === '<<' || op === '>>') {
      const l = l0.t === 'aint' && r0.t !== 'aint' ? this.#concrete(l0, 'i32') : l0;
      const r = r0.t === 'aint' ? this.#concrete(r0, 'u32') : r0;
      if (r.t !== 'u32' || (l.t !== 'i32' && l.t !== 'u32' && l.t !== 'aint')) return this.error(at, `'${op}' shifts an i32 or u32 by a u32, got ${l.t} and ${r.t}`);
      if (l.t === 'aint') {
        // Both abstract: evaluated here, by the count's own value (r, concretized to check it is a u32, carries none).
        const n = r0.c ?? 0;
        const c = op === '<<' ? (l.c ?? 0) * 2 ** n : Math.floor((l.c ?? 0) / 2 ** n);
        if (!Number.isSafeInteger(c)) return this.unsupported(at, 'an abstract integer expression beyond 2^53');
        return { t: 'aint', js: `(${c})`, c, at };
      }
      const js = op === '<<' ? `(${l.js} << (${r.js} & 31))` : l.t === 'i32' ? `(${l.js} >> (${r.js} & 31))` : `(${l.js} >>> (${r.js} & 31))`;
      return { t: l.t, js: l.t === 'u32' && op === '<<' ? `(${js} >>> 0)` : js, at };
    }
    const [l, r] = this.#unify([l0, r0], at, op) as [Val, Val];
    const t = l.t;
    if (['==', '!=', '<', '>', '<=', '>='].includes(op)) {
      if (t === 'bool' && op !== '==' && op !== '!=') return this.error(at, `'${op}' is not defined for bool`);
      const jsOp = op === '==' ? '===' : op === '!=' ? '!==' : op;
      return { t: 'bool', js: `(${this.#default(l).js} ${jsOp} ${this.#default(r).js})`, at };
    }
    if (op === '&' || op === '|' || op === '^') {
      if (t === 'bool' && op !== '^') return { t: 'bool', js: `(${l.js} ${op === '&' ? '&&' : '||'} ${r.js})`, at };
      if (t === 'aint') {
        const c = op === '&' ? (l.c ?? 0) & (r.c ?? 0) : op === '|' ? (l.c ?? 0) | (r.c ?? 0) : (l.c ?? 0) ^ (r.c ?? 0);
        return { t, js: `(${c})`, c, at };
      }
      if (t !== 'i32' && t !== 'u32') return this.error(at, `'${op}' is not defined for ${t}`);
      return { t, js: t === 'u32' ? `((${l.js} ${op} ${r.js}) >>> 0)` : `(${l.js} ${op} ${r.js})`, at };
    }
    if (t === 'bool') return this.error(at, `'${op}' is not defined for bool`);
    if (t === 'aint' || t === 'afloat') return this.#constArith(op, l, r, t, at);
    if (t === 'f32') return { t, js: op === '%' ? `H.frem(${l.js}, ${r.js})` : `${F}(${l.js} ${op} ${r.js})`, at };
    if (t === 'i32') {
      const js = op === '+' || op === '-' ? `((${l.js} ${op} ${r.js}) | 0)` : op === '*' ? `Math.imul(${l.js}, ${r.js})` : op === '/' ? `H.idiv(${l.js}, ${r.js})` : `H.irem(${l.js}, ${r.js})`;
      return { t, js, at };
    }
    const js = op === '+' || op === '-' ? `((${l.js} ${op} ${r.js}) >>> 0)` : op === '*' ? `(Math.imul(${l.js}, ${r.js}) >>> 0)` : op === '/' ? `H.udiv(${l.js}, ${r.js})` : `H.urem(${l.js}, ${r.js})`;
    return { t, js, at };
  }

  /** Arithmetic of two abstract values, evaluated here (WGSL evaluates it when the shader is created). */
  #constArith(op: string, l: Val, r: Val, t: Abstract, at: number): Val {
    const a = l.c ?? 0;
    const b = r.c ?? 0;
    let c: number;
    if (t === 'aint' && (op === '/' || op === '%') && b === 0) return this.error(at, `integer ${op === '/' ? 'division' : 'remainder'} by zero in a constant expression`);
    if (op === '+') c = a + b;
    else if (op === '-') c = a - b;
    else if (op === '*') c = a * b;
    else if (op === '/') c = t === 'aint' ? Math.trunc(a / b) : a / b;
    else c = a % b;
    if (t === 'aint' && !Number.isSafeInteger(c)) return this.unsupported(at, 'an abstract integer expression beyond 2^53');
    return { t, js: `(${c})`, c, at };
  }

  /** A conversion `f32(e)`, `i32(e)`, `u32(e)`, `bool(e)` (and T, R). */
  convert(to: Scalar, v: Val, at: number): Val {
    if (v.t === to) return v;
    if (v.t === 'aint' || v.t === 'afloat') {
      const c = v.c ?? 0;
      if (to === 'bool') return { t: 'bool', js: String(c !== 0), at };
      if (to === 'f32') return this.#concrete(v, 'f32');
      return this.#concrete({ ...v, t: 'aint', c: Math.trunc(c) }, to);
    }
    const js = v.js;
    if (to === 'bool') return { t: 'bool', js: `(${js} !== 0)`, at };
    if (v.t === 'bool') return { t: to, js: `(${js} ? 1 : 0)`, at };
    if (to === 'f32') return { t: to, js: `${F}(${js})`, at };
    if (to === 'i32') return { t: to, js: v.t === 'u32' ? `(${js} | 0)` : `H.f2i(${js})`, at };
    return { t: to, js: v.t === 'i32' ? `(${js} >>> 0)` : `H.f2u(${js})`, at };
  }

  #call(x: Expr & { e: 'call' }): Val {
    const name = x.name;
    if (name === '_ind' && this.ctx.ind === true) {
      if (x.args.length !== 1) return this.error(x.at, `_ind() takes 1 argument (a dimension), got ${x.args.length}`);
      const d = this.#concrete(this.expr(x.args[0] as Expr), 'u32', "_ind's dimension");
      return { t: 'u32', js: `_ind(i, ${d.js})`, at: x.at };
    }
    const conv = SCALAR_TYPES.has(name) ? (name as Scalar) : this.ctx.aliases[name];
    if (conv !== undefined) {
      if (x.args.length === 0) return { t: conv, js: conv === 'bool' ? 'false' : '0', at: x.at };
      if (x.args.length !== 1) return this.error(x.at, `${name}() converts one value, got ${x.args.length}`);
      return this.convert(conv, this.expr(x.args[0] as Expr), x.at);
    }
    if (!BUILTINS.includes(name)) {
      if (this.#lookup(name) !== undefined) return this.error(x.at, `'${name}' is a value, not a function`);
      const wgsl = WGSL_NAMES.get(name);
      if (wgsl !== undefined) return this.unsupported(x.at, `'${name}(...)' (${wgsl})`);
      return this.error(x.at, `unresolved function '${name}'`);
    }
    const args = x.args.map((a) => this.expr(a));
    const arity: Record<string, number> = { min: 2, max: 2, clamp: 3, fma: 3, pow: 2, atan2: 2, step: 2, mix: 3, select: 3 };
    const want = arity[name] ?? 1;
    if (args.length !== want) return this.error(x.at, `${name}() takes ${want} argument${want === 1 ? '' : 's'}, got ${args.length}`);
    const at = x.at;
    if (name === 'select') {
      const [f, t] = this.#unify(args.slice(0, 2), at, 'select').map((v) => this.#default(v)) as [Val, Val];
      const c = args[2] as Val;
      if (c.t !== 'bool') return this.error(c.at, `select's third argument must be a bool, got ${c.t}`);
      return { t: f.t, js: `(${c.js} ? ${t.js} : ${f.js})`, at };
    }
    const numeric = ['abs', 'min', 'max', 'clamp', 'sign'].includes(name);
    const vals = this.#unify(args, at, name).map((v) => (numeric ? this.#default(v) : v.t === 'aint' || v.t === 'afloat' ? this.#concrete(v, 'f32') : v));
    const t = (vals[0] as Val).t as Scalar;
    const [a, b, c] = vals.map((v) => v.js) as [string, string | undefined, string | undefined];
    if (t === 'bool' || (!numeric && t !== 'f32')) return this.error(at, `${name}() is not defined for ${t}${numeric ? '' : ' (it takes f32)'}`);
    if (name === 'sign' && t === 'u32') return this.error(at, 'sign() is not defined for u32');
    if (t !== 'f32') {
      const js = name === 'abs' ? (t === 'i32' ? `H.iabs(${a})` : a) : name === 'sign' ? `Math.sign(${a})` : name === 'clamp' ? `Math.min(Math.max(${a}, ${b ?? ''}), ${c ?? ''})` : `Math.${name}(${a}, ${b ?? ''})`;
      return { t, js: `(${js})`, at };
    }
    const fn1 = FLOAT1[name];
    if (fn1 !== undefined) return { t, js: `${F}(${fn1}(${a}))`, at };
    const js: Record<string, string> = {
      abs: `Math.abs(${a})`, min: `H.fmin(${a}, ${b ?? ''})`, max: `H.fmax(${a}, ${b ?? ''})`, clamp: `H.fmin(H.fmax(${a}, ${b ?? ''}), ${c ?? ''})`, sign: `H.fsign(${a})`,
      fract: `${F}(${a} - Math.floor(${a}))`, fma: `${F}(${a} * ${b ?? ''} + ${c ?? ''})`, pow: `${F}(Math.pow(${a}, ${b ?? ''}))`, atan2: `${F}(Math.atan2(${a}, ${b ?? ''}))`,
      step: `(${b ?? ''} >= ${a} ? 1 : 0)`, mix: `${F}(${a} * (1 - ${c ?? ''}) + ${b ?? ''} * ${c ?? ''})`, saturate: `H.fmin(H.fmax(${a}, 0), 1)`,
    };
    return { t, js: `(${js[name] ?? ''})`, at };
  }

  /** Statements as JS, in a new scope (`top`: in the outputs' scope); assignments convert to the target's type. */
  statements(list: readonly Stmt[], top = false): string {
    if (!top) this.#scopes.push(new Map());
    const out = list.map((s) => this.#statement(s)).join('\n');
    if (!top) this.#scopes.pop();
    return out;
  }

  #statement(s: Stmt): string {
    if (s.s === 'block') return `{\n${this.statements(s.body)}\n}`;
    if (s.s === 'if') {
      const c = this.expr(s.cond);
      if (c.t !== 'bool') return this.error(s.cond.at, `an if condition must be a bool, got ${c.t}`);
      const els = s.else === undefined ? '' : ` else {\n${this.statements(s.else)}\n}`;
      return `if (${c.js}) {\n${this.statements(s.then)}\n}${els}`;
    }
    if (s.s === 'decl') {
      const scope = this.#scopes[this.#scopes.length - 1] as Map<string, Binding & { kind: string; c?: number; ct?: Type }>;
      if (scope.has(s.name) || (this.#scopes.length === 2 && this.ctx.names.has(s.name))) return this.error(s.nameAt, `redeclaration of '${s.name}'`);
      if (WGSL_NAMES.has(s.name) || s.name.startsWith('_')) return this.error(s.nameAt, `'${s.name}' cannot name a local (${s.name.startsWith('_') ? 'names starting with _ belong to the generated code' : (WGSL_NAMES.get(s.name) ?? '')})`);
      let v = s.init === undefined ? undefined : this.expr(s.init);
      if (s.kind === 'const') {
        if (v === undefined || (v.t !== 'aint' && v.t !== 'afloat')) return this.unsupported(s.at, "a 'const' of a concrete type (use 'let')");
        if (s.type !== undefined) v = this.#concrete(v, s.type);
        else {
          scope.set(s.name, { type: 'f32', mutable: false, js: v.js, kind: 'const', c: v.c ?? 0, ct: v.t });
          return '';
        }
      }
      const type = s.type ?? (v === undefined ? 'f32' : this.#default(v).t as Scalar);
      const init = v === undefined ? (type === 'bool' ? 'false' : '0') : this.#concrete(v, type, `the initializer of '${s.name}'`).js;
      const js = `v${this.#tmp++}_${s.name}`;
      scope.set(s.name, { type, mutable: s.kind === 'var', js, kind: s.kind });
      return `let ${js} = ${init};`;
    }
    const b = this.#lookup(s.name);
    if (b === undefined) return this.error(s.at, `unresolved value '${s.name}'`);
    if (!b.mutable) return this.error(s.at, `'${s.name}' cannot be assigned (it is ${b.kind === 'argument' ? 'an input argument' : b.kind === 'let' ? "a 'let'" : `a ${b.kind}`})`);
    if (s.op === '++' || s.op === '--') {
      if (b.type !== 'i32' && b.type !== 'u32') return this.error(s.at, `'${s.op}' needs an i32 or u32, got ${b.type}`);
      const v = this.#binary(s.op === '++' ? '+' : '-', { t: b.type, js: b.js, at: s.at }, { t: 'aint', js: '1', c: 1, at: s.at }, s.at);
      return `${b.js} = ${v.js};`;
    }
    const value = s.value as Expr;
    let v = this.expr(value);
    if (s.op !== '=') v = this.#binary(s.op.slice(0, -1), { t: b.type, js: b.js, at: s.at }, v, s.at);
    return `${b.js} = ${this.#concrete(v, b.type, `the value assigned to '${s.name}'`).js};`;
  }
}

/** Translates statements (an elementwise body) to JS statements over the bindings' JS names. */
export function translateStatements(ctx: TranslateContext): string {
  const t = new Translator(ctx);
  const p = t.parser();
  return t.statements(p.statements(undefined), true);
}

/** Translates one expression, converted to `to` as Dawn's generated `to(...)` wrapper converts it. */
export function translateExpression(ctx: TranslateContext, to: Scalar): string {
  const t = new Translator(ctx);
  const p = t.parser();
  if (p.atEnd()) t.error(0, 'the expression is empty');
  const e = p.expr();
  if (!p.atEnd()) t.error(p.peek.at, `unexpected '${p.peek.v}' after the expression`);
  // Dawn's wrapper is a conversion call `R(expr)`, so any scalar converts (a bool map counts: R(true) = 1).
  return t.convert(to, t.expr(e), e.at).js;
}

/** A translated kernel: arrays and scalars by argument name, and the element count. */
export type JsKernel<R> = (A: Readonly<Record<string, Float32Array | Int32Array | Uint32Array>>, S: Readonly<Record<string, number>>, n: number) => R;

/** Builds the JS function (A, S, n) from generated source; the helpers arrive as `H`. */
export function compileJs<R extends number | undefined>(body: string): JsKernel<R> {
  let make: (h: typeof HELPERS) => JsKernel<R>;
  try {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    make = new Function('H', `"use strict"; return function (A, S, n) {\n${body}\n};`) as (h: typeof HELPERS) => JsKernel<R>;
  } catch (e) {
    throw new ArgumentError(`internal error: the translated JavaScript does not parse (${e instanceof Error ? e.message : String(e)})`);
  }
  return make(HELPERS);
}
