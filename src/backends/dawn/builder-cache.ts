import type { DeviceContext } from './context.js';
import { describeValue } from '../../args.js';
import { ArgumentError, ShaderCompileError } from '../../errors.js';
import { compileModule, type SourceMapper } from './compile.js';
import { forgetKernels, specialize } from './kernel.js';

interface Entry {
  readonly value: unknown;
  /** The WGSL this builder compiled on the device: what eviction frees from the kernel caches. */
  readonly sources: Set<string>;
}

let capacity = 64;

/**
 * A device's generated builders (`map()` expressions, `device.elementwise()` and `device.reduction()`
 * kernels), least recently used first. Each distinct expression costs compiled pipelines (~0.5 MiB on a
 * software adapter); a bounded cache keeps a loop over `map(x, \`x*${k}\`)` from growing without end.
 * An evicted builder that is still held (a function `device.elementwise()` returned) keeps working: it
 * compiles again on its next call and re-enters the cache.
 */
export class BuilderCache {
  readonly #ctx: DeviceContext;
  readonly #entries = new Map<string, Entry>();

  constructor(ctx: DeviceContext) {
    this.#ctx = ctx;
  }

  /** Builders held now. */
  get size(): number {
    return this.#entries.size;
  }

  /** The builder under `key` (now most recently used), made by `make` if there is none. */
  use<B>(key: string, make: () => B): B {
    const e = this.#entries.get(key);
    if (e !== undefined) {
      this.#entries.delete(key);
      this.#entries.set(key, e);
      this.trim();
      return e.value as B;
    }
    const value = make();
    this.#entries.set(key, { value, sources: new Set() });
    this.trim();
    return value;
  }

  /** Marks `key` as just used, putting `value` back under it if it was evicted. */
  touch(key: string, value: unknown): void {
    this.use(key, () => value);
  }

  /** Notes WGSL that the builder under `key` compiled (freed from the kernel caches when it is evicted). */
  record(key: string, source: string): void {
    this.#entries.get(key)?.sources.add(source);
  }

  /** Evicts the least recently used builders beyond the capacity. */
  trim(): void {
    for (const [key, e] of this.#entries) {
      if (this.#entries.size <= capacity) break;
      this.#entries.delete(key);
      forgetKernels(this.#ctx, e.sources);
    }
  }

  clear(): void {
    this.#entries.clear();
  }
}

/** The device's builder cache (`DeviceContext.builders`, made on first use; close() frees it). */
export function builderCache(ctx: DeviceContext): BuilderCache {
  return (ctx.builders ??= new BuilderCache(ctx));
}

/**
 * Sets how many generated builders (distinct `map()` expressions, `device.elementwise()` and
 * `device.reduction()` kernels) each device keeps compiled; the least recently used beyond it are freed.
 * Open devices trim their caches at their next build.
 * @default 64
 *
 * @example
 * ```ts
 * setBuilderCacheSize(16); // a long-running process that builds many one-off expressions
 * ```
 */
export function setBuilderCacheSize(size: number): void {
  if (!Number.isSafeInteger(size) || size < 1) throw new ArgumentError(`setBuilderCacheSize: expected an integer >= 1, got ${describeValue(size)}`);
  capacity = size;
}

/**
 * How many generated builders each device keeps compiled (see {@link setBuilderCacheSize}).
 *
 * @example
 * ```ts
 * const before = builderCacheSize();
 * setBuilderCacheSize(8);
 * // ... many one-off map() expressions ...
 * setBuilderCacheSize(before);
 * ```
 */
export function builderCacheSize(): number {
  return capacity;
}

/**
 * Compiles generated WGSL as a shader module only and returns its compile error (positions mapped into
 * the user's text), or undefined when it compiles. Builders check their variants this way: no pipeline
 * is built for a check, since each pipeline a driver builds leaves memory behind even after it is freed
 * (~0.15 MiB on llvmpipe); the variants that run are compiled when first dispatched.
 */
export async function moduleError(ctx: DeviceContext, code: string, label: string, mapper?: SourceMapper): Promise<ShaderCompileError | undefined> {
  ctx.assertUsable();
  try {
    await compileModule(ctx.gpu, specialize(code, undefined), label, mapper);
    return undefined;
  } catch (e) {
    if (e instanceof ShaderCompileError) return e;
    throw e;
  }
}
