/**
 * The API reference's op pages come from the op manifests (src/ops/registry.ts), as the op table does, so they
 * cannot drift: every exported op (and alias) gets its category (creation, elementwise, reductions, indexing,
 * sorting, linear algebra, FFT, random) and a `@see` naming NumPy's function where its own JSDoc has none;
 * errors, devices and arrays, kernels, placement and types get categories of their own. Loaded by typedoc
 * through typedoc.json's `plugin` (`npm run docs` runs typedoc under tsx so this TypeScript file loads).
 */
import { type Application, Comment, CommentTag, type Context, Converter, DeclarationReflection, ReflectionKind } from 'typedoc';
import type { DocCategory } from '../src/ops/manifest.js';
import { OPS } from '../src/ops/registry.js';

const CATEGORY: Record<DocCategory, string> = {
  creation: 'Creation',
  manipulation: 'Manipulation',
  elementwise: 'Elementwise',
  math: 'Elementwise',
  reduction: 'Reductions',
  statistics: 'Reductions',
  scan: 'Reductions',
  indexing: 'Indexing',
  histogram: 'Indexing',
  sorting: 'Sorting',
  linalg: 'Linear algebra',
  fft: 'FFT',
  random: 'Random',
  builders: 'Kernels',
};

/** The order of the index page's sections (typedoc's `categoryOrder`). */
export const CATEGORY_ORDER = ['Creation', 'Manipulation', 'Elementwise', 'Reductions', 'Indexing', 'Sorting', 'Linear algebra', 'FFT', 'Random', 'Kernels', 'Devices and arrays', 'Streaming', 'Placement', 'Errors', 'Types and options', '*'];

const BY_NAME: Record<string, string> = {
  openDevice: 'Devices and arrays',
  GpuDevice: 'Devices and arrays',
  DeviceArray: 'Devices and arrays',
  broadcastShapes: 'Devices and arrays',
  MAX_RANK: 'Devices and arrays',
  describeAdapter: 'Devices and arrays',
  engineTraits: 'Devices and arrays',
  Kernel: 'Kernels',
  setKernelCacheSize: 'Kernels',
  setBuilderCacheSize: 'Kernels',
  builderCacheSize: 'Kernels',
  defaultStreamChunk: 'Streaming',
  openPlaced: 'Placement',
  placeOn: 'Placement',
  Placed: 'Placement',
  PlacementModel: 'Placement',
  sizeOf: 'Placement',
  PLACED_OPS: 'Placement',
  DEFAULT_CEILINGS: 'Placement',
};

interface OpDoc {
  readonly category: string;
  readonly numpy: string | null;
  readonly aliasOf: string | null;
}

/** Each public op name (and alias; `random.uniform` as `random`) with its category and NumPy name. */
export function opDocs(): Map<string, OpDoc> {
  const out = new Map<string, OpDoc>();
  for (const o of OPS) {
    for (const n of [o.name, ...(o.aliases ?? [])]) {
      const top = n.split('.')[0] ?? n;
      const aliasOf = n === o.name ? null : o.name;
      const prev = out.get(top);
      // A namespace (`random`) lists the NumPy names of its members.
      const numpy = prev?.numpy != null && o.numpy !== null && top !== n ? `${prev.numpy}, ${o.numpy}` : (o.numpy ?? prev?.numpy ?? null);
      out.set(top, { category: CATEGORY[o.category], numpy, aliasOf });
    }
  }
  return out;
}

/** The category an export of the main entry point is listed under. */
export function categoryOf(name: string, kind: ReflectionKind, ops: Map<string, OpDoc>): string {
  const op = ops.get(name);
  if (op !== undefined) return op.category;
  if (kind === ReflectionKind.Class && name.endsWith('Error')) return 'Errors';
  const known = BY_NAME[name];
  if (known !== undefined) return known;
  if (kind === ReflectionKind.Interface || kind === ReflectionKind.TypeAlias) return 'Types and options';
  return 'Other';
}

function tag(name: `@${string}`, parts: Comment['summary']): CommentTag {
  return new CommentTag(name, parts);
}

export function load(app: Application): void {
  const ops = opDocs();
  // Before typedoc's own categorizer (RESOLVE_END at priority -200) reads the @category tags.
  app.converter.on(Converter.EVENT_RESOLVE_END, (context: Context) => {
    const main = context.project.children?.find((m) => m.name === 'index') ?? context.project;
    for (const r of main.children ?? []) {
      if (!(r instanceof DeclarationReflection)) continue;
      r.comment ??= new Comment();
      if (!r.comment.hasModifier('@hidden') && r.comment.getTag('@category') === undefined) {
        r.comment.blockTags.push(tag('@category', [{ kind: 'text', text: categoryOf(r.name, r.kind, ops) }]));
      }
      const op = ops.get(r.name);
      if (op === undefined) continue;
      const target = r.signatures?.[0] ?? r;
      target.comment ??= new Comment();
      if (target.comment.getTag('@see') !== undefined) continue;
      const parts: Comment['summary'] = op.numpy === null ? [{ kind: 'text', text: 'NumPy has no equivalent: a gpukit op' }] : [{ kind: 'text', text: 'NumPy: ' }, ...op.numpy.split(', ').flatMap((n, i): Comment['summary'] => [...(i > 0 ? [{ kind: 'text' as const, text: ', ' }] : []), { kind: 'code', text: `\`${n}\`` }])];
      if (op.aliasOf !== null) parts.push({ kind: 'text', text: ` (an alias of ${op.aliasOf})` });
      target.comment.blockTags.push(tag('@see', parts));
    }
  }, 100);
}
