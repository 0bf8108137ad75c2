import type { DeviceContext } from './context.js';
import { assertHostRoom, gib, HOST_CHECK_BYTES, HOST_SHARE, hostRoom } from '../../device/memory.js';
import { OutOfMemoryError } from '../../errors.js';

/** What a device's buffer pool holds: `inUseBytes` backs live arrays, `cachedBytes` waits for reuse. */
export interface MemoryStats {
  readonly inUseBytes: number;
  readonly inUseBuffers: number;
  readonly cachedBytes: number;
  readonly cachedBuffers: number;
  /**
   * Bytes released by their owners but still used by work the device has not finished: they join the
   * cache (or are freed) once it has. Never reused or destroyed before.
   */
  readonly pendingBytes: number;
  readonly pendingBuffers: number;
  /** Buffers created since the device opened (a pool that works keeps this flat in a loop). */
  readonly created: number;
  /** Bytes of tables ops keep on the device for reuse (e.g. FFT twiddles), freed on close. */
  readonly residentBytes: number;
  /** Cached bytes above which idle blocks are freed (`openDevice({ poolCacheBytes })`). */
  readonly maxCachedBytes: number;
  /** The most bytes the pool may hold in all, or undefined (`openDevice({ memoryBudgetBytes })`). */
  readonly memoryBudgetBytes: number | undefined;
  /** What the budget was based on, in words (e.g. `3/4 of 20.12 GiB available at open (MemAvailable)`). */
  readonly memoryBudgetBasis: string;
}

/** A pool's memory budget and what it was based on. */
export interface Budget {
  readonly bytes: number | undefined;
  readonly basis: string;
}

/**
 * Rounds a byte size up to its size class: 256-byte steps below 4 KiB, then four classes per power of two
 * (at most 25 % slack), so buffers of nearby sizes are reused instead of created.
 */
export function sizeClass(bytes: number): number {
  if (bytes <= 4096) return Math.max(256, Math.ceil(bytes / 256) * 256);
  const pow = 2 ** Math.floor(Math.log2(bytes));
  const step = pow / 4;
  return Math.ceil(bytes / step) * step;
}

/** How a pool makes, measures, keys and frees its blocks (GPU buffers or host ArrayBuffers). */
export interface PoolBacking<B> {
  create(size: number, kind: string, label: string): B;
  size(block: B): number;
  /** What else besides the size must match for reuse (e.g. GPU buffer usage). */
  kind(block: B): string;
  dispose(block: B): void;
  /** After close, released blocks are freed, not cached. */
  closed(): boolean;
  /** The point on the device's timeline after which `block` is no longer used by queued work. */
  ticket(block: B): number;
  /** The last point on the timeline the device has finished. */
  completed(): number;
}

/** A block taken from a pool, and whether it held someone else's data before (then it must be cleared). */
export interface Taken<B> {
  readonly block: B;
  readonly reused: boolean;
}

/**
 * Reuses memory blocks by (kind, size class) and keeps the statistics `device.memory` reports, so a user
 * can tell a pool from a leak. Blocks return to it when their owner is destroyed — but a released block
 * is reused (or freed) only once the device has finished all work submitted or encoded before the release:
 * freeing earlier would pull memory from under queued work, reusing earlier would let a queued kernel read
 * a new owner's data.
 */
export class SizeClassPool<B> {
  readonly #backing: PoolBacking<B>;
  /** Idle blocks by key, oldest first (evicted first when the cache is over its limit). */
  readonly #free = new Map<string, B[]>();
  #pending: { block: B; ticket: number }[] = [];
  #inUseBytes = 0;
  #inUseBuffers = 0;
  #cachedBytes = 0;
  #cachedBuffers = 0;
  #pendingBytes = 0;
  #created = 0;
  #residentBytes = 0;
  /** Cached bytes above which idle blocks are freed instead of kept. */
  maxCachedBytes: number;
  /** Bytes this pool may hold in all (live, pending, cached, resident); undefined: no budget. */
  memoryBudgetBytes: number | undefined;
  /** What {@link memoryBudgetBytes} was based on. */
  memoryBudgetBasis: string;

  /**
   * True when the blocks are this process's memory (gpujs, a software adapter): a new block of
   * {@link HOST_CHECK_BYTES} or more is then also checked against the host memory free at that moment,
   * which may have shrunk since the budget was set (host arrays, readbacks, other processes).
   */
  readonly #inProcess: boolean;

  constructor(backing: PoolBacking<B>, maxCachedBytes: number, budget: Budget = { bytes: undefined, basis: 'none' }, inProcess = false) {
    this.#inProcess = inProcess;
    this.#backing = backing;
    this.maxCachedBytes = maxCachedBytes;
    this.memoryBudgetBytes = budget.bytes;
    this.memoryBudgetBasis = budget.basis;
  }

  /** Sets the budget (`openDevice({ memoryBudgetBytes })`). */
  setBudget(budget: Budget): void {
    this.memoryBudgetBytes = budget.bytes;
    this.memoryBudgetBasis = budget.basis;
  }

  /**
   * Checks that `bytes` more (an array's total, before the first of its segments is made) fit the budget,
   * freeing idle cached blocks if that makes room; throws {@link OutOfMemoryError} before anything is
   * allocated otherwise.
   */
  assertRoom(bytes: number, label: string): void {
    this.#reserve(bytes, label);
  }

  /**
   * A block of exactly `size` bytes (callers round to a size class) and this kind. With `choose`, an idle
   * block `prefer` accepts is reused first (the most recently released one); failing that, another idle
   * block when `otherwise` is `'any'`, or when it is `'pending'` only while a block `prefer` would accept is
   * on its way back (released, its queued work not yet complete: blocks are being made and freed call after
   * call, and making one more each time would cost more), never when it is `'never'`; else a new one is made.
   */
  protected take(size: number, kind: string, label: string, choose?: { readonly prefer: (block: B) => boolean; readonly otherwise: 'any' | 'pending' | 'never' }): Taken<B> {
    const list = this.#free.get(`${kind}:${size}`);
    let block: B | undefined;
    if (choose === undefined) block = list?.pop();
    else if (list !== undefined) {
      for (let i = list.length - 1; i >= 0; i--) {
        const b = list[i] as B;
        if (!choose.prefer(b)) continue;
        list.splice(i, 1);
        block = b;
        break;
      }
      const b = this.#backing;
      const fallBack = choose.otherwise === 'any' || (choose.otherwise === 'pending' && this.#pending.some((p) => b.size(p.block) === size && b.kind(p.block) === kind && choose.prefer(p.block)));
      if (block === undefined && fallBack) block = list.pop();
    }
    const reused = block !== undefined;
    if (block !== undefined) {
      this.#cachedBytes -= size;
      this.#cachedBuffers--;
    } else {
      this.#reserve(size, label);
      block = this.#backing.create(size, kind, label);
      this.#created++;
    }
    this.#inUseBytes += size;
    this.#inUseBuffers++;
    return { block, reused };
  }

  /**
   * Makes room for a new block of `size` bytes within the memory budget: frees idle cached blocks first,
   * and throws {@link OutOfMemoryError} if live and pending memory alone leave no room (or, for memory in
   * this process, if the host cannot give it now).
   */
  #reserve(size: number, label: string): void {
    this.#withinBudget(size, label);
    if (!this.#inProcess || size < HOST_CHECK_BYTES) return;
    try {
      assertHostRoom(label || 'allocation', size);
    } catch (e) {
      if (this.#cachedBytes === 0) throw e;
      this.#evict(0); // idle blocks are host memory too
      assertHostRoom(label || 'allocation', size);
    }
  }

  #withinBudget(size: number, label: string): void {
    const budget = this.memoryBudgetBytes;
    if (budget === undefined) return;
    const held = (): number => this.#inUseBytes + this.#cachedBytes + this.#pendingBytes + this.#residentBytes;
    if (held() + size <= budget) return;
    this.#evict(Math.max(0, budget - size - (held() - this.#cachedBytes)));
    if (held() + size <= budget) return;
    throw new OutOfMemoryError(
      `${label || 'allocation'}: ${size} more bytes would exceed the device's memory budget of ${budget} bytes, ${this.memoryBudgetBasis} ` +
        `(${this.#inUseBytes} in live arrays, ${this.#pendingBytes} released but still used by queued work, ${this.#residentBytes} in op tables); ` +
        'free arrays (destroy() / using) or set openDevice({ memoryBudgetBytes })',
    );
  }

  /** Frees a block taken by {@link take} that never held data (a failed allocation's cleanup). */
  protected discard(block: B): void {
    this.#inUseBytes -= this.#backing.size(block);
    this.#inUseBuffers--;
    this.#backing.dispose(block);
  }

  release(block: B): void {
    const size = this.#backing.size(block);
    this.#inUseBytes -= size;
    this.#inUseBuffers--;
    const ticket = this.#backing.ticket(block);
    if (!this.#backing.closed() && ticket > this.#backing.completed()) {
      this.#pending.push({ block, ticket });
      this.#pendingBytes += size;
      return;
    }
    this.#idle(block, size);
  }

  #idle(block: B, size: number): void {
    if (this.#backing.closed() || size > this.maxCachedBytes) {
      this.#backing.dispose(block);
      return;
    }
    const key = `${this.#backing.kind(block)}:${size}`;
    let list = this.#free.get(key);
    if (list === undefined) this.#free.set(key, (list = []));
    list.push(block);
    this.#cachedBytes += size;
    this.#cachedBuffers++;
    if (this.#cachedBytes > this.maxCachedBytes) this.#evict(this.maxCachedBytes);
  }

  /** Frees idle blocks, oldest size class first, until the cache holds at most `limit` bytes. */
  #evict(limit: number): void {
    for (const [key, list] of this.#free) {
      while (list.length > 0 && this.#cachedBytes > limit) {
        const b = list.shift() as B;
        this.#cachedBytes -= this.#backing.size(b);
        this.#cachedBuffers--;
        this.#backing.dispose(b);
      }
      if (list.length === 0) this.#free.delete(key);
      if (this.#cachedBytes <= limit) return;
    }
  }

  /** Moves released blocks whose work has completed into the cache. Called as the device finishes work. */
  drain(completed: number): void {
    if (this.#pending.length === 0) return;
    const keep: { block: B; ticket: number }[] = [];
    for (const p of this.#pending) {
      if (p.ticket <= completed || this.#backing.closed()) {
        const size = this.#backing.size(p.block);
        this.#pendingBytes -= size;
        this.#idle(p.block, size);
      } else keep.push(p);
    }
    this.#pending = keep;
  }

  /** Moves a block from "in use" to "resident": a table an op keeps for reuse, not a live user array. */
  markResident(block: B): void {
    const size = this.#backing.size(block);
    this.#inUseBytes -= size;
    this.#inUseBuffers--;
    this.#residentBytes += size;
  }

  /** Frees every cached (idle) block. Blocks still used by queued work are freed when it completes. */
  trim(): void {
    this.#evict(0);
  }

  get stats(): MemoryStats {
    return {
      inUseBytes: this.#inUseBytes,
      inUseBuffers: this.#inUseBuffers,
      cachedBytes: this.#cachedBytes,
      cachedBuffers: this.#cachedBuffers,
      pendingBytes: this.#pendingBytes,
      pendingBuffers: this.#pending.length,
      created: this.#created,
      residentBytes: this.#residentBytes,
      maxCachedBytes: this.maxCachedBytes,
      memoryBudgetBytes: this.memoryBudgetBytes,
      memoryBudgetBasis: this.memoryBudgetBasis,
    };
  }
}

/** Default cap on the bytes a device's pool keeps idle for reuse. */
export const DEFAULT_POOL_CACHE_BYTES = 512 * 1024 * 1024;

/**
 * The default memory budget of memory that lives in this process (a software adapter such as lavapipe
 * keeps its "GPU" memory here; so does the gpujs engine): past what the machine can give, its allocations
 * do not fail — the process is killed, or crashes at first touch. So the default is three quarters of the
 * host memory this process could still take when the device opened: the smallest of `MemAvailable`, the
 * room under a cgroup memory limit and the room under `ulimit -v` (see {@link hostRoom}). On GPU hardware
 * WebGPU does not say how much memory there is, and out-of-memory errors come from the driver instead (no
 * default budget).
 */
export function defaultBudget(inProcess: boolean): Budget {
  if (!inProcess) return { bytes: undefined, basis: 'none: a hardware adapter reports its own out-of-memory errors' };
  const room = hostRoom(true);
  return { bytes: Math.floor(room.bytes * HOST_SHARE), basis: `3/4 of the ${gib(room.bytes)} of host memory free when the device opened (${room.basis})` };
}

/** GPU buffers by (usage, size class). */
export class BufferPool extends SizeClassPool<GPUBuffer> {
  readonly #ctx: DeviceContext;
  /** Every buffer this pool made and has not freed: what close() frees on a device gpukit does not own. */
  readonly #made = new Set<GPUBuffer>();
  /**
   * Which idle buffer an acquire takes, by fill (see `take`): host-written arrays a buffer no GPU work
   * wrote, anything else (an op's output, scratch) one GPU work already wrote where one is idle, leaving
   * the others to arrays the host writes.
   */
  readonly #choose: Readonly<Record<'host' | 'host-kept' | 'other', { readonly prefer: (b: GPUBuffer) => boolean; readonly otherwise: 'any' | 'pending' | 'never' }>>;

  constructor(ctx: DeviceContext) {
    super(
      {
        create: (size, kind, label) => {
          // WebGPU reports a failed allocation only through an error scope, after the fact: the buffer is
          // then marked failed, so reading it (or an op's output computed from it) throws OutOfMemoryError.
          ctx.gpu.pushErrorScope('out-of-memory');
          const buffer = ctx.gpu.createBuffer({ label, size, usage: Number(kind) });
          this.#made.add(buffer);
          void ctx.gpu.popErrorScope().then(
            (e) => {
              if (e !== null) ctx.fail(buffer, new OutOfMemoryError(`${label}: the device could not allocate ${size} bytes: ${e.message}`));
            },
            () => undefined,
          );
          return buffer;
        },
        size: (b) => b.size,
        kind: (b) => String(b.usage),
        dispose: (b) => {
          this.#made.delete(b);
          b.destroy();
        },
        closed: () => ctx.closed,
        ticket: (b) => ctx.ticketOf(b),
        completed: () => ctx.completed,
      },
      DEFAULT_POOL_CACHE_BYTES,
      defaultBudget(ctx.info.isSoftware),
      ctx.info.isSoftware,
    );
    this.#ctx = ctx;
    const written = (b: GPUBuffer): boolean => ctx.gpuWritten(b);
    const clean = (b: GPUBuffer): boolean => !ctx.gpuWritten(b);
    this.#choose = { host: { prefer: clean, otherwise: 'pending' }, 'host-kept': { prefer: clean, otherwise: 'never' }, other: { prefer: written, otherwise: 'any' } };
    ctx.onCompleted((id) => {
      this.drain(id);
    });
    ctx.onClose(() => {
      this.drain(Infinity);
      this.trim();
    });
  }

  /**
   * A buffer of at least `bytes` bytes. A buffer that held another owner's data is zero-filled first (a
   * clear encoded in the batch, so it runs after everything queued before), unless the caller overwrites
   * all of it before anything reads it (`fill: 'overwrite'`) — then only `keepZero` bytes past `bytes`
   * (the slack a vec4 binding may see) are cleared. `fill: 'host'` is `'overwrite'` by host writes: a
   * buffer no GPU work ever wrote (see `DeviceContext.gpuWritten`: later writes into it can then go straight
   * into its memory), else a new one, unless one is on its way back (see `take`); `'host-kept'` (an array
   * kept and written again and again) never takes a GPU-written one.
   */
  acquire(bytes: number, usage: number, label: string, fill: 'zero' | 'overwrite' | 'host' | 'host-kept' | 'none' = 'zero'): GPUBuffer {
    let size = sizeClass(bytes);
    if (size > this.#ctx.limits.maxBufferSize) size = Math.ceil(bytes / 4) * 4;
    const host = fill === 'host' || fill === 'host-kept';
    const { block: buffer, reused } = this.take(size, String(usage), label, this.#choose[host ? fill : 'other']);
    buffer.label = label;
    this.#ctx.forget(buffer);
    if (reused && fill !== 'none' && this.#ctx.isDirty(buffer)) {
      if (fill === 'zero') this.#ctx.clear(buffer, 0, buffer.size, `clear|${label}`);
      else {
        const start = Math.ceil(bytes / 4) * 4;
        const end = Math.min(buffer.size, Math.ceil(bytes / 16) * 16);
        // A host-written array's slack is zeroed by a host write too: a clear would count as GPU work
        // writing it. The buffer is idle (nothing queued uses it), so the direct write cannot overtake work.
        if (end > start && host) this.#ctx.gpu.queue.writeBuffer(buffer, start, new Uint8Array(end - start));
        else if (end > start) this.#ctx.clear(buffer, start, end - start, `clear|${label}`);
      }
    }
    return buffer;
  }

  /**
   * Frees every buffer this pool made, in use or not, except those `keep` names (memory a lease still holds):
   * closing an adopted device, whose own destroy() would otherwise free them, is not gpukit's to call.
   */
  destroyAll(keep: (b: GPUBuffer) => boolean): void {
    for (const b of this.#made) if (!keep(b)) b.destroy();
    this.#made.clear();
  }

  /** Returns a buffer that was never used (its allocation failed half way) straight to the allocator. */
  abandon(buffer: GPUBuffer): void {
    this.discard(buffer);
  }
}

/** The buffer pool of a device (one per device, made with it: `DeviceContext.pool`). */
export function poolOf(ctx: DeviceContext): BufferPool {
  return ctx.pool;
}
