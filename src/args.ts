/**
 * Argument checks every public entry point shares, so plain-JS callers passing `null`, a string or a
 * Proxy get a typed error naming the function and the argument instead of a raw TypeError from deep
 * inside. A leaf like errors.ts: anyone may import it.
 */
import { ArgumentError } from './errors.js';

/** How a value reads in an error message: its kind and, for primitives, the value itself. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 20 ? `${v.slice(0, 20)}…` : v)}`;
  if (typeof v === 'bigint') return `the bigint ${v}n`;
  if (typeof v === 'number' || typeof v === 'boolean') return `${typeof v} ${String(v)}`;
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'symbol') return 'a symbol';
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  let name: string | undefined;
  try {
    name = (Object.getPrototypeOf(v) as { constructor?: { name?: string } } | null)?.constructor?.name;
  } catch {
    name = undefined; // a Proxy whose getPrototypeOf trap throws
  }
  return name === undefined || name === 'Object' ? 'an object' : `a ${name}`;
}

/** What an option must be: a JS type, one of a list of strings, or a custom check returning a problem. */
export type OptionCheck = 'string' | 'boolean' | 'number' | 'function' | 'object' | readonly string[] | ((v: unknown) => string | undefined);

function problem(check: OptionCheck, v: unknown): string | undefined {
  if (typeof check === 'function') return check(v);
  if (Array.isArray(check)) return check.includes(v) ? undefined : `must be one of ${check.map((c: string) => `'${c}'`).join(', ')}`;
  if (check === 'object') return typeof v === 'object' && v !== null && !Array.isArray(v) ? undefined : 'must be an object';
  if (check === 'number') return typeof v === 'number' ? undefined : 'must be a number';
  return typeof v === check ? undefined : `must be a ${String(check)}`;
}

/**
 * Checks an options object: `undefined` stands for `{}`; anything but a plain object (null, an array, a
 * number) is refused, and so is an unknown key (a typo would otherwise be silently ignored), a key in
 * `required` that is missing, and a present key whose value fails its check. Throws ArgumentError.
 *
 * @example
 * ```ts
 * checkOptions('scan', opts, { exclusive: 'boolean' }); // scan(x, null) → "scan: options must be an object, got null"
 * ```
 */
export function checkOptions(op: string, value: unknown, fields: Readonly<Record<string, OptionCheck>>, required: readonly string[] = [], what = 'options'): Record<string, unknown> {
  if (value === undefined && required.length === 0) return {};
  const keys = Object.keys(fields);
  const expects = keys.length > 0 ? ` ({ ${keys.join(', ')} })` : '';
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ArgumentError(`${op}: ${what} must be an object${expects}, got ${describeValue(value)}`);
  }
  const obj = value as Record<string, unknown>;
  const unknown = Object.keys(obj).filter((k) => !Object.hasOwn(fields, k));
  if (unknown.length > 0) throw new ArgumentError(`${op}: unknown ${what} key${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; it takes ${keys.join(', ') || 'none'}`);
  for (const k of required) {
    if (obj[k] === undefined) throw new ArgumentError(`${op}: missing ${what === 'options' ? 'option' : `${what} key`} '${k}' (pass { ${required.join(', ')} })`);
  }
  for (const [k, check] of Object.entries(fields)) {
    const v = obj[k];
    if (v === undefined) continue;
    const p = problem(check, v);
    if (p !== undefined) throw new ArgumentError(`${op}: ${what === 'options' ? `option '${k}'` : `${what}.${k}`} ${p}, got ${describeValue(v)}`);
  }
  return obj;
}

/**
 * Refuses arguments past the last one a function takes, so `sort(x, { descending: true })` from plain JS
 * is an ArgumentError instead of an ascending sort with the option silently ignored.
 *
 * @example
 * ```ts
 * export function sort(keys: DeviceArray, ...extra: []): DeviceArray { checkNoExtra('sort', extra, 'one argument (keys)'); … }
 * ```
 */
export function checkNoExtra(op: string, extra: readonly unknown[], takes: string): void {
  if (extra.length > 0) throw new ArgumentError(`${op}: takes ${takes}; got ${extra.length} more (${extra.map(describeValue).join(', ')}), which would be ignored`);
}

/**
 * True when `x` is the object it claims to be, not a Proxy of it (or an object made from its prototype):
 * reading a getter that touches a private field throws for anything but the real instance.
 */
export function isGenuine(x: { readonly destroyed: boolean }): boolean {
  try {
    return typeof x.destroyed === 'boolean';
  } catch {
    return false;
  }
}
