/**
 * The WGSL composer: the ONE place in gpukit that edits or splices WGSL text (`npm run arch` checks it).
 *
 * gpukit's kernels (`kernels/<name>.wgsl`) are composed from modules (`kernels/lib/<module>.wgsl`) and
 * parameters by four line directives, each a whole line starting with `//#`:
 *
 * - `//#import <module>`: the text of `kernels/lib/<module>.wgsl` (itself composed with the same
 *   parameters), once per kernel; a second import of the same module is a no-op.
 * - `//#param const NAME: type = default` / `//#param alias NAME = default`: a generated declaration,
 *   `const NAME: type = <value>;` / `alias NAME = <value>;`, the value being the parameter `NAME` when given,
 *   else the default. For things WGSL wants as const-expressions (private array sizes, the element type).
 * - `//#if NAME` (or `//#if !NAME`) ... `//#else` ... `//#endif`: conditional compilation on a boolean
 *   parameter (absent = false), nestable; the lines of the branch not taken are dropped.
 * - `//#define NAME`: sets the flag NAME for the rest of the composition (the modules imported after it), so
 *   a kernel can pick a module's variant: `//#define RADIX_SCATTER` then `//#import radix-block`.
 *
 * Every other line is kept as it is, so a kernel with no directives composes to its own text. A parameter
 * that the kernel and its modules never name is an error (a misspelt variant would silently compose the
 * default). Compositions are cached per (kernel, parameters): not per device, the WGSL is the same for all.
 *
 * Measured against WESL (npm `wesl`): docs/notes/wgsl-modules.md.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ArgumentError, GpukitError } from '../errors.js';
import { wgslOf, type DType } from '../buffers/dtype.js';
import { packageKernelsDir } from './dir.js';

/** A kernel's parameters: declaration values (numbers/strings, written as WGSL) and `//#if` flags. */
export type KernelParams = Readonly<Record<string, string | number | boolean>>;

const files = new Map<string, string>();
const composed = new Map<string, string>();

function file(path: string): string {
  let s = files.get(path);
  if (s === undefined) {
    s = readFileSync(join(packageKernelsDir(), `${path}.wgsl`), 'utf8');
    files.set(path, s);
  }
  return s;
}

const DIRECTIVE = /^\/\/#(\w+)(?:[ \t]+(.*?))?[ \t]*$/;
const PARAM = /^(const|alias)[ \t]+(\w+)(?:[ \t]*:[ \t]*([\w<>, ]+?))?[ \t]*=[ \t]*(.+?)[ \t]*;?$/;

function expand(path: string, params: Record<string, string | number | boolean>, used: Set<string>, imported: Set<string>, out: string[]): void {
  const stack: { taking: boolean; parent: boolean; sawElse: boolean }[] = [];
  const live = (): boolean => stack.every((f) => f.taking);
  const lines = file(path).split('\n');
  for (const [i, line] of lines.entries()) {
    const d = DIRECTIVE.exec(line);
    const where = `kernels/${path}.wgsl:${i + 1}`;
    if (d === null) {
      if (live()) out.push(line);
      continue;
    }
    const [, word = '', arg = ''] = d;
    if (word === 'if') {
      const neg = arg.startsWith('!');
      const name = neg ? arg.slice(1) : arg;
      used.add(name);
      const on = params[name] === true || (typeof params[name] === 'number' && params[name] !== 0);
      stack.push({ taking: neg ? !on : on, parent: live(), sawElse: false });
    } else if (word === 'else') {
      const f = stack.at(-1);
      if (f === undefined || f.sawElse) throw new GpukitError(`${where}: //#else without //#if`);
      f.taking = !f.taking;
      f.sawElse = true;
    } else if (word === 'endif') {
      if (stack.pop() === undefined) throw new GpukitError(`${where}: //#endif without //#if`);
    } else if (!live()) continue;
    else if (word === 'import') {
      if (!imported.has(arg)) {
        imported.add(arg);
        expand(`lib/${arg}`, params, used, imported, out);
      }
    } else if (word === 'define') {
      params[arg] = true;
    } else if (word === 'param') {
      const p = PARAM.exec(arg);
      if (p === null) throw new GpukitError(`${where}: a //#param must read 'const NAME: type = default' or 'alias NAME = default'`);
      const [, kind = '', name = '', type = '', def = ''] = p;
      used.add(name);
      const v = params[name];
      out.push(`${kind} ${name}${type === '' ? '' : `: ${type}`} = ${v === undefined ? def : String(v)};`);
    } else throw new GpukitError(`${where}: unknown directive //#${word}`);
  }
  if (stack.length !== 0) throw new GpukitError(`kernels/${path}.wgsl: //#if without //#endif`);
}

/**
 * gpukit's kernel `kernels/<name>.wgsl` composed with its modules for these parameters, cached.
 *
 * @example
 * ```ts
 * composeKernel('sort-histogram', { MAX_RADIX: '256u' }); // `const MAX_RADIX: u32 = 256u;`
 * composeKernel('reduce-arg', { T: 'i32', ARGMAX: true });
 * ```
 */
export function composeKernel(name: string, params: KernelParams = {}): string {
  const names = Object.keys(params).sort();
  const key = `${name}|${names.map((k) => `${k}=${String(params[k])}`).join(',')}`;
  let s = composed.get(key);
  if (s !== undefined) return s;
  const used = new Set<string>();
  const out: string[] = [];
  expand(name, { ...params }, used, new Set(), out);
  const unknown = names.filter((k) => !used.has(k));
  if (unknown.length > 0) throw new GpukitError(`kernels/${name}.wgsl has no parameter ${unknown.join(', ')}`);
  s = out.join('\n');
  composed.set(key, s);
  return s;
}

const ALIAS_T = /^([ \t]*alias[ \t]+T[ \t]*=[ \t]*)(f32|i32|u32|f16)([ \t]*;)/m;

/**
 * The `dtype` option of `device.kernel(src, { dtype })` (CuPy's typedef trick): the module's
 * `alias T = <f32|i32|u32|f16>;` line retyped to `dtype`, and `enable f16;` put in front (same line) when
 * the code names f16 without it. No line moves, so Dawn's messages keep pointing at the user's lines.
 */
export function specializeSource(source: string, dtype: DType | undefined): string {
  let code = source;
  if (dtype !== undefined) {
    if (!ALIAS_T.test(code)) throw new ArgumentError(`a dtype was given but the WGSL has no 'alias T = <type>;' line to rewrite`);
    code = code.replace(ALIAS_T, (_m, pre: string, _t: string, post: string) => `${pre}${wgslOf(dtype)}${post}`);
  }
  if (/\bf16\b/.test(code) && !/^\s*enable\s+f16\s*;/m.test(code)) code = `enable f16; ${code}`;
  return code;
}
