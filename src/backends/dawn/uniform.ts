import { ArgumentError } from '../../errors.js';
import { f32ToF16Bits } from '../../buffers/dtype.js';
import type { Layout, Scalar } from '../../kernels/reflect.js';

/** A value for a uniform binding: a number, a vector/matrix as an array, or a plain object for a struct. */
export type UniformValue = number | boolean | readonly UniformValue[] | { readonly [field: string]: UniformValue };

function writeScalar(view: DataView, offset: number, type: Scalar, v: unknown, path: string): void {
  if (type === 'bool') {
    if (typeof v !== 'boolean') throw new ArgumentError(`${path}: expected a boolean, got ${describe(v)}`);
    view.setUint32(offset, v ? 1 : 0, true);
    return;
  }
  if (typeof v !== 'number') throw new ArgumentError(`${path}: expected a number (${type}), got ${describe(v)}`);
  switch (type) {
    case 'u32':
      if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new ArgumentError(`${path}: ${v} is not a u32 (an integer in [0, 2^32))`);
      view.setUint32(offset, v, true);
      return;
    case 'i32':
      if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) throw new ArgumentError(`${path}: ${v} is not an i32 (an integer in [-2^31, 2^31))`);
      view.setInt32(offset, v, true);
      return;
    case 'f32':
      view.setFloat32(offset, v, true);
      return;
    case 'f16':
      view.setUint16(offset, f32ToF16Bits(v), true);
      return;
  }
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (typeof v === 'object' && v !== null) return v.constructor.name === 'Object' ? 'an object' : `a ${v.constructor.name}`;
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' || typeof v === 'bigint') return `${typeof v} ${String(v)}`;
  return typeof v;
}

function asList(v: unknown, n: number, path: string, what: string): ArrayLike<unknown> {
  const ok = Array.isArray(v) || ArrayBuffer.isView(v);
  const list = v as ArrayLike<unknown>;
  if (!ok || list.length !== n) throw new ArgumentError(`${path}: expected ${what} (${n} values), got ${describe(v)}`);
  return list;
}

/** Writes `value` at `offset` following `layout`, checking every field's presence and type. */
export function packValue(layout: Layout, value: unknown, view: DataView, offset: number, path: string): void {
  switch (layout.kind) {
    case 'scalar':
      writeScalar(view, offset, layout.type, value, path);
      return;
    case 'vector': {
      const list = asList(value, layout.n, path, `vec${layout.n}<${layout.type}>`);
      const step = layout.type === 'f16' ? 2 : 4;
      for (let i = 0; i < layout.n; i++) writeScalar(view, offset + i * step, layout.type, list[i], `${path}[${i}]`);
      return;
    }
    case 'matrix': {
      const list = asList(value, layout.cols * layout.rows, path, `mat${layout.cols}x${layout.rows}<${layout.type}> in column-major order`);
      const step = layout.type === 'f16' ? 2 : 4;
      for (let c = 0; c < layout.cols; c++) {
        for (let r = 0; r < layout.rows; r++) {
          writeScalar(view, offset + c * layout.colStride + r * step, layout.type, list[c * layout.rows + r], `${path}[${c * layout.rows + r}]`);
        }
      }
      return;
    }
    case 'array': {
      const list = asList(value, layout.count, path, `an array`);
      for (let i = 0; i < layout.count; i++) packValue(layout.element, list[i], view, offset + i * layout.stride, `${path}[${i}]`);
      return;
    }
    case 'struct': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new ArgumentError(`${path}: expected an object with fields ${layout.members.map((m) => m.name).join(', ')}; got ${describe(value)}`);
      }
      const obj = value as Record<string, unknown>;
      // As many own keys as members, each member present: no unknown field (checked in full otherwise).
      let keys = 0;
      for (const k in obj) if (Object.hasOwn(obj, k)) keys++;
      if (keys !== layout.members.length) checkFields(layout, obj, path);
      for (const m of layout.members) {
        if (!Object.hasOwn(obj, m.name)) {
          checkFields(layout, obj, path);
          throw new ArgumentError(`${path}: missing field '${m.name}' of struct ${layout.name}`);
        }
        const v = obj[m.name];
        // A valid 32-bit scalar is written at once (a struct of a hundred scalars: a fused chain's); anything
        // else, errors included, takes the general path with the field's name.
        if (m.layout.kind === 'scalar' && typeof v === 'number' && writeValid(view, offset + m.offset, m.layout.type, v)) continue;
        packValue(m.layout, v, view, offset + m.offset, `${path}.${m.name}`);
      }
      return;
    }
  }
}

/** Throws for fields of `obj` that the struct does not have. */
function checkFields(layout: Extract<Layout, { kind: 'struct' }>, obj: Record<string, unknown>, path: string): void {
  const names = new Set(layout.members.map((m) => m.name));
  const extra = Object.keys(obj).filter((k) => !names.has(k));
  if (extra.length > 0) throw new ArgumentError(`${path}: unknown field${extra.length > 1 ? 's' : ''} ${extra.join(', ')}; struct ${layout.name} has ${[...names].join(', ')}`);
}

/** Writes `v` as a u32, i32 or f32 when it is one (true); false, writing nothing, otherwise (f16, bool, out of range). */
function writeValid(view: DataView, offset: number, type: Scalar, v: number): boolean {
  switch (type) {
    case 'f32':
      view.setFloat32(offset, v, true);
      return true;
    case 'u32':
      if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) return false;
      view.setUint32(offset, v, true);
      return true;
    case 'i32':
      if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) return false;
      view.setInt32(offset, v, true);
      return true;
    default:
      return false;
  }
}

/** Packs a uniform binding's value into bytes laid out as WGSL expects. */
export function packUniform(layout: Layout, value: unknown, name: string): Uint8Array {
  const bytes = new Uint8Array(Math.max(16, Math.ceil(layout.size / 16) * 16));
  packValue(layout, value, new DataView(bytes.buffer), 0, name);
  return bytes;
}

/**
 * @internal Packs a struct uniform field by field from `get` (gpukit's own builders: no object of a hundred
 * fields to build and walk per dispatch). Each value is checked as {@link packValue} checks it.
 */
export function packFields(layout: Layout, get: (field: string) => unknown, name: string): Uint8Array {
  if (layout.kind !== 'struct') throw new ArgumentError(`${name}: expected a struct uniform`);
  const bytes = new Uint8Array(Math.max(16, Math.ceil(layout.size / 16) * 16));
  const view = new DataView(bytes.buffer);
  for (const m of layout.members) {
    const v = get(m.name);
    if (m.layout.kind === 'scalar' && typeof v === 'number' && writeValid(view, m.offset, m.layout.type, v)) continue;
    packValue(m.layout, v, view, m.offset, `${name}.${m.name}`);
  }
  return bytes;
}

/**
 * @internal A uniform binding's value packed once (`Kernel.pack`), bound as is by `Kernel.runPacked`: gpukit's
 * prepared calls (jit's replay) write the same values on every run without packing them again.
 */
export class PackedUniform {
  readonly layout: Layout;
  readonly bytes: Uint8Array;

  constructor(layout: Layout, bytes: Uint8Array) {
    this.layout = layout;
    this.bytes = bytes;
  }
}
