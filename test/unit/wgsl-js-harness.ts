/**
 * A harness for the WGSL → JS translator's unit tests (src/backends/host/wgsl-js.ts), without a device: it
 * translates a body or an expression over named scalar inputs, raw arrays and `params` fields, and runs the
 * JavaScript the translator produced.
 */
import { compileJs, translateExpression, translateStatements, type Binding, type Scalar } from '../../src/backends/host/wgsl-js.js';

export interface Env {
  /** Scalar inputs (read-only, as a builder's input arguments are). */
  readonly vars?: Readonly<Record<string, { readonly type: Scalar; readonly value: number | boolean }>>;
  /** Raw array arguments (`b[e]`). */
  readonly raw?: Readonly<Record<string, Float32Array | Int32Array | Uint32Array>>;
  /** `params.<name>` fields. */
  readonly params?: Readonly<Record<string, { readonly type: Scalar; readonly value: number }>>;
  /** Whether `_ind(d)` exists; the test's `_ind(i, d)` returns 10·i + d. */
  readonly ind?: boolean;
  readonly aliases?: Readonly<Record<string, Scalar>>;
}

const ctx = (text: string, env: Env, extra: [string, Binding][]) => {
  const names = new Map<string, Binding>(Object.entries(env.vars ?? {}).map(([k, v]) => [k, { type: v.type, mutable: false, js: `v_${k}` }]));
  for (const [k, a] of Object.entries(env.raw ?? {})) names.set(k, { type: a instanceof Float32Array ? 'f32' : a instanceof Int32Array ? 'i32' : 'u32', mutable: false, js: `A[${JSON.stringify(k)}]`, raw: true });
  for (const [k, b] of extra) names.set(k, b);
  const params = new Map<string, Binding>(Object.entries(env.params ?? {}).map(([k, v]) => [k, { type: v.type, mutable: false, js: `S[${JSON.stringify(`p_${k}`)}]` }]));
  return { source: { text, where: 'the test body', label: 'test' }, names, params, aliases: env.aliases ?? { T: 'f32', R: 'i32' }, ind: env.ind === true };
};

const prelude = (env: Env) =>
  `const i = 3;\nconst _ind = (k, d) => 10 * k + d;\n${Object.keys(env.vars ?? {})
    .map((k) => `const v_${k} = S[${JSON.stringify(k)}];`)
    .join('\n')}\n`;

const scalars = (env: Env): Record<string, number> => ({
  // A bool input holds a JS boolean, as the engine's generated code holds one.
  ...(Object.fromEntries(Object.entries(env.vars ?? {}).map(([k, v]) => [k, v.value])) as Record<string, number>),
  ...Object.fromEntries(Object.entries(env.params ?? {}).map(([k, v]) => [`p_${k}`, v.value])),
});

/** Translates `body` with an output `y` of type `out` (starting at 0) and returns y after running it once. */
export function run(body: string, out: Scalar, env: Env = {}): number | boolean {
  const js = translateStatements(ctx(body, env, [['y', { type: out, mutable: true, js: 'v_y' }]]));
  const fn = compileJs<number>(`${prelude(env)}let v_y = ${out === 'bool' ? 'false' : '0'};\n${js}\nreturn v_y;`);
  return fn(env.raw ?? {}, scalars(env), 1);
}

/** Translates one expression converted to `to`, and evaluates it. */
export function expr(text: string, to: Scalar, env: Env = {}): number | boolean {
  const js = translateExpression(ctx(text, env, []), to);
  const fn = compileJs<number>(`${prelude(env)}return ${js};`);
  return fn(env.raw ?? {}, scalars(env), 1);
}

export const f32 = (value: number) => ({ type: 'f32' as const, value: Math.fround(value) });
export const i32 = (value: number) => ({ type: 'i32' as const, value: value | 0 });
export const u32 = (value: number) => ({ type: 'u32' as const, value: value >>> 0 });
export const bool = (value: boolean) => ({ type: 'bool' as const, value });
