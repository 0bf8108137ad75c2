import { WgslReflect, ResourceType, type FunctionInfo, type MemberInfo, type TypeInfo, type VariableInfo } from 'wgsl_reflect/wgsl_reflect.module.js';
import { ArgumentError } from '../errors.js';

/** Scalar types WGSL host-shareable data is made of. */
export type Scalar = 'f32' | 'i32' | 'u32' | 'f16' | 'bool';

/**
 * The layout of a uniform (or storage) value, following WGSL's host-shareable layout rules. (Not a view's
 * layout: that is `ViewLayout`, shape/strides/offset.)
 */
export type WgslLayout =
  | { readonly kind: 'scalar'; readonly type: Scalar; readonly size: number }
  | { readonly kind: 'vector'; readonly type: Scalar; readonly n: number; readonly size: number }
  | { readonly kind: 'matrix'; readonly type: Scalar; readonly cols: number; readonly rows: number; readonly colStride: number; readonly size: number }
  | { readonly kind: 'array'; readonly element: WgslLayout; readonly count: number; readonly stride: number; readonly size: number }
  | { readonly kind: 'struct'; readonly name: string; readonly members: readonly { readonly name: string; readonly offset: number; readonly layout: WgslLayout }[]; readonly size: number };

/**
 * The old name of {@link WgslLayout}, kept for the modules that still import it (src/backends/dawn/uniform.ts,
 * test/unit/uniform.test.ts). TODO(lead): switch those to WgslLayout and delete this alias; the public
 * deprecated `Layout` lives in src/index.ts.
 */
export type Layout = WgslLayout;

/** One resource binding of a kernel, as the host sees it. */
export interface BindingInfo {
  readonly name: string;
  readonly group: number;
  readonly binding: number;
  readonly kind: 'storage' | 'read-only-storage' | 'uniform';
  readonly layout: WgslLayout;
  /** For storage arrays: the scalar element type (what dtype an array passed here must have). */
  readonly elementType: Scalar | undefined;
  /** For storage: the smallest byte size a bound buffer must have (0 for runtime-sized arrays). */
  readonly minBytes: number;
}

/** What reflection says about one compute entry point. */
export interface EntryInfo {
  readonly name: string;
  readonly bindings: readonly BindingInfo[];
  /** Workgroup size attribute, each dimension a number or an override name. */
  readonly workgroupSizeExpr: readonly string[];
  /** Workgroup size with the overrides' defaults. */
  readonly defaultWorkgroupSize: readonly [number, number, number];
  readonly overrides: readonly string[];
}

const SCALARS: readonly string[] = ['f32', 'i32', 'u32', 'f16', 'bool'];

function scalarOf(t: TypeInfo | null | undefined): Scalar | undefined {
  if (t === null || t === undefined) return undefined;
  if (SCALARS.includes(t.name)) return t.name as Scalar;
  const f = (t as { format?: TypeInfo | null }).format;
  return f ? scalarOf(f) : undefined;
}

function vectorWidth(name: string): number | undefined {
  const m = /^vec([234])([fiuh])?$/.exec(name);
  return m ? Number(m[1]) : undefined;
}

const SHORT: Record<string, Scalar> = { f: 'f32', i: 'i32', u: 'u32', h: 'f16' };

function layoutOf(t: TypeInfo, size: number): WgslLayout {
  if (t.isStruct) {
    const members = (t as unknown as { members: MemberInfo[] }).members.map((m) => ({
      name: m.name,
      offset: m.offset,
      layout: layoutOf(m.type, m.size),
    }));
    return { kind: 'struct', name: t.name, members, size: t.size || size };
  }
  if (t.isArray) {
    const a = t as unknown as { format: TypeInfo; count: number; stride: number };
    return { kind: 'array', element: layoutOf(a.format, a.stride), count: a.count, stride: a.stride, size: t.size || size };
  }
  const width = vectorWidth(t.name);
  if (width !== undefined) {
    const short = /^vec[234]([fiuh])$/.exec(t.name)?.[1];
    const type = short !== undefined ? SHORT[short] : scalarOf(t);
    return { kind: 'vector', type: type ?? 'f32', n: width, size: size || t.size };
  }
  const mat = /^mat([234])x([234])([fh])?$/.exec(t.name);
  if (mat) {
    const cols = Number(mat[1]);
    const rows = Number(mat[2]);
    const type = mat[3] === 'h' ? 'f16' : (scalarOf(t) ?? 'f32');
    const bytes = type === 'f16' ? 2 : 4;
    const colStride = (rows === 3 ? 4 : rows) * bytes;
    return { kind: 'matrix', type, cols, rows, colStride, size: cols * colStride };
  }
  const scalar = scalarOf(t);
  if (scalar !== undefined) return { kind: 'scalar', type: scalar, size: scalar === 'f16' ? 2 : 4 };
  throw new ArgumentError(`gpukit cannot bind values of WGSL type ${t.getTypeName()}`);
}

function bindingOf(v: VariableInfo): BindingInfo | undefined {
  let kind: BindingInfo['kind'];
  if (v.resourceType === ResourceType.Uniform) kind = 'uniform';
  else if (v.resourceType === ResourceType.Storage) kind = v.access === 'read' ? 'read-only-storage' : 'storage';
  else return undefined;
  const layout = layoutOf(v.type, v.size);
  let elementType: Scalar | undefined;
  let minBytes = layout.size;
  if (layout.kind === 'array') {
    elementType = scalarOf(v.type);
    if (layout.count === 0) minBytes = layout.stride;
  } else {
    elementType = scalarOf(v.type);
  }
  return { name: v.name, group: v.group, binding: v.binding, kind, layout, elementType, minBytes };
}

function parseWorkgroupAttr(f: FunctionInfo): string[] {
  const attr = f.attributes?.find((a) => a.name === 'workgroup_size');
  if (!attr) return ['1'];
  const value = attr.value as unknown;
  if (Array.isArray(value)) return value.map(String);
  return [String(value)];
}

/** Reflects every compute entry point of a WGSL module. Throws only on parse failures wgsl_reflect detects. */
export function reflectCompute(source: string): EntryInfo[] {
  const r = new WgslReflect(source);
  return r.entry.compute.map((f) => {
    const bindings = f.resources.map(bindingOf).filter((b): b is BindingInfo => b !== undefined);
    bindings.sort((a, b) => a.group - b.group || a.binding - b.binding);
    const wg = f.workgroupSize ?? [1, 1, 1];
    return {
      name: f.name,
      bindings,
      workgroupSizeExpr: parseWorkgroupAttr(f),
      defaultWorkgroupSize: [wg[0] || 1, wg[1] || 1, wg[2] || 1] as const,
      overrides: r.overrides.map((o) => o.name),
    };
  });
}

/** The workgroup size an entry point gets with these override constants. */
export function resolveWorkgroupSize(entry: EntryInfo, constants: Readonly<Record<string, number>>): [number, number, number] {
  const out: [number, number, number] = [...entry.defaultWorkgroupSize];
  entry.workgroupSizeExpr.forEach((expr, i) => {
    const e = expr.trim();
    const literal = /^(\d+)[iu]?$/.exec(e);
    if (literal) out[i] = Number(literal[1]);
    else if (Object.hasOwn(constants, e)) out[i] = constants[e] ?? out[i] ?? 1;
  });
  return out;
}
