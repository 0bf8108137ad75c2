/**
 * Streaming on Dawn (the Dawn backend's `streams`, see src/buffers/stream.ts for the engine-neutral part:
 * plans, rings, routing, the plain route): the overlapped pipeline of the `'mapped'` and `'chunked'`
 * routes, and the upload buffers it keeps in a ring. Chunk k+1 is copied into a mapped upload buffer while
 * the GPU computes chunk k and chunk k−1 comes back, so a memory-bound op over a host array of any size
 * (larger than device memory too) runs in one pass with its transfers overlapped.
 *
 * The pipeline, per chunk k (R = `depth` slots per input, each an upload buffer and a device array):
 *   upload:   wait for upload buffer k mod R to be mapped again → one copy of the host chunk into it →
 *             unmap → a copy (in the open batch) into device array k mod R (the queue has run chunk
 *             k − R's ops before it, so reusing the array needs no wait)
 *   compute:  `fn(...chunks)` enqueues the user's ops (they return at once)
 *   download: `result.toArray(out.subarray(...))`: the readback copy, then the batch goes to the queue
 *   then:     the upload buffer is mapped for writing again (mapAsync(WRITE) resolves once the GPU copied it)
 * At most R chunk-sized results are in flight: before chunk k starts, chunk k − R has been read back.
 * Scalars (a reduction per chunk) hold no chunk memory: up to 64 of their reads may be in flight.
 * Upload buffers are MAP_WRITE buffers from the device's pool, which only streams take: a streamer keeps
 * them (re-armed for writing after each use) until the chunk size, dtypes or input count change or it is
 * destroyed; then they go back mapped (or being mapped), so the next stream does not wait for a map.
 */
import type { BackendStreams } from '../backend.js';
import type { DeviceContext } from './context.js';
import { alignedBytes, type DeviceArray } from '../../buffers/device-array.js';
import type { HostArray } from '../../buffers/dtype.js';
import type { Streamer, StreamJob, StreamRoute, UploadSlot } from '../../buffers/stream.js';
import { poolOf } from './pool.js';

type Settled = { readonly ok: true; readonly part: HostArray } | { readonly ok: false; readonly error: unknown };

interface InFlight {
  readonly k: number;
  readonly done: Promise<Settled>;
  readonly arrays: readonly DeviceArray[];
  /** A small result (a reduction's scalar): many may wait to be read, they hold no chunk memory. */
  readonly small: boolean;
}

const SMALL_RESULT = 64 * 1024;
/** Reads of small results in flight at most (the upload ring already bounds the chunks in flight). */
const MAX_SMALL_READS = 64;

/** Every route: the plain one, one chunk through a mapped upload buffer, the overlapped pipeline. */
const ROUTES: readonly StreamRoute[] = Object.freeze(['plain', 'mapped', 'chunked']);

/** The streams of one Dawn device: its live streamers, its chunk limit, its pipeline and upload buffers. */
export class DawnStreams implements BackendStreams {
  live: Set<Streamer> | undefined;
  readonly #ctx: DeviceContext;
  #chunkLimit: number | undefined;
  /** Upload buffers released while still being mapped again: the remap a later user of the buffer waits for. */
  readonly #remaps = new WeakMap<GPUBuffer, Promise<void>>();

  constructor(ctx: DeviceContext) {
    this.#ctx = ctx;
  }

  chunkLimit(): number {
    // One buffer and one binding (the limits are native getters: read them once per device).
    return (this.#chunkLimit ??= Math.min(this.#ctx.limits.maxBufferSize, this.#ctx.limits.maxStorageBufferBindingSize));
  }

  routes(): readonly StreamRoute[] {
    return ROUTES;
  }

  freeUploads(slots: readonly (UploadSlot | undefined)[]): void {
    // Upload buffers go back to the pool as they are, mapped or being mapped for the next stream (only
    // streams take MAP_WRITE buffers): the next stream finds them ready instead of paying a map round trip.
    // Released while being mapped for writing, each keeps the promise of that map (`#remaps`), which the
    // next stream to take it waits for.
    const ctx = this.#ctx;
    const pool = poolOf(ctx);
    for (const slot of slots) {
      if (slot === undefined) continue;
      this.#remaps.set(slot.buffer, slot.mapped);
      if (!ctx.closed) pool.release(slot.buffer);
    }
  }

  /** The overlapped pipeline (see the file's comment), over the ring's arrays and upload buffers. */
  async pipeline(job: StreamJob): Promise<void> {
    const { plan: p, ring, fn, sink } = job;
    const ctx = this.#ctx;
    const pool = poolOf(ctx);
    const slotBytes = alignedBytes(ring.chunk * 4); // the ring's chunk: a later call may use every byte of it
    const usage = GPUBufferUsage.MAP_WRITE | GPUBufferUsage.COPY_SRC;
    const timeout = p.read.timeoutMs ?? ctx.timeoutMs;
    const inflight: InFlight[] = [];
    const mapForWrite = (buffer: GPUBuffer, afterSettled: boolean): Promise<void> => {
      const mapped = (async () => {
        // A buffer used by a submission must not be mapped before that submission: wait for the batch's verdict.
        if (afterSettled) await ctx.settled(timeout);
        // The whole buffer: the next stream that takes it from the pool may use more of it.
        await ctx.guard(buffer.mapAsync(GPUMapMode.WRITE), timeout, `${p.op}: mapping an upload buffer`);
      })();
      mapped.catch(() => undefined); // awaited when the slot is next used
      return mapped;
    };
    /** Mapped once `prior` (an earlier map, which may have failed or been cut short) has settled. */
    const after = (buffer: GPUBuffer, prior: Promise<void> | undefined): Promise<void> => {
      if (buffer.mapState === 'mapped') return Promise.resolve();
      if (prior === undefined) return mapForWrite(buffer, false);
      const mapped = prior.then(
        () => (buffer.mapState === 'mapped' ? undefined : mapForWrite(buffer, false)),
        () => (buffer.mapState === 'mapped' ? undefined : mapForWrite(buffer, false)),
      );
      mapped.catch(() => undefined);
      return mapped;
    };
    // Slots kept from an earlier call: a map that failed then (a failed op's batch) is made again here.
    for (const slot of ring.slots.flat()) if (slot !== undefined) slot.mapped = after(slot.buffer, slot.mapped);
    const drainOne = async (): Promise<void> => {
      const f = inflight.shift();
      if (f === undefined) return;
      const s = await f.done;
      for (const a of f.arrays) a.destroy();
      if (!s.ok) throw s.error;
      sink.use(f.k, s.part);
    };
    let failure: { error: unknown } | undefined;
    try {
      for (let k = 0; k < p.chunks; k++) {
        while (inflight.length >= MAX_SMALL_READS || inflight.filter((f) => !f.small).length >= p.depth) await drainOne();
        const start = k * p.chunk;
        const length = Math.min(p.chunk, p.n - start);
        const bytes = alignedBytes(length * 4);
        const inputs: DeviceArray[] = [];
        let result: DeviceArray | undefined;
        const used: UploadSlot[] = [];
        try {
          for (const [i, h] of p.hosts.entries()) {
            const row = ring.slots[i] ?? [];
            let slot = row[k % p.depth];
            if (slot === undefined) {
              // An upload buffer from the pool (most come back from an earlier stream mapped).
              const buffer = pool.acquire(slotBytes, usage, `stream-upload|${p.dtypes[i] ?? 'f32'}|${ring.chunk}`, 'none');
              slot = { buffer, mapped: after(buffer, this.#remaps.get(buffer)) };
              row[k % p.depth] = slot;
            }
            await slot.mapped;
            // Both checked before the range is taken: a mapped buffer whose range was taken and not unmapped
            // would fail every later stream that gets it from the pool.
            ctx.assertUsable(); // closed (or lost) while this waited for the map: its buffers are gone
            job.checkHost(i, h);
            const t0 = performance.now();
            // The one host-side copy of the upload: straight into the mapped upload buffer.
            new Uint8Array(slot.buffer.getMappedRange(0, bytes)).set(new Uint8Array(h.buffer, h.byteOffset + start * 4, length * 4));
            slot.buffer.unmap();
            ctx.sink?.upload(length * 4, performance.now() - t0);
            used.push(slot);
            // Chunk k's array (slot k mod depth) is reused chunk after chunk and call after call: the queue
            // runs chunk k's ops before chunk k + depth's upload overwrites it.
            const a = job.input(i, k % p.depth, length);
            inputs.push(a);
            ctx.copy(slot.buffer, 0, a.buffer, 0, bytes, `${p.op}-upload|${a.dtype}|${length}`);
          }
          const v = fn(...inputs);
          const r = job.result(v instanceof Promise ? await v : v, inputs);
          result = r;
          const done = sink.read(k, start, length, r).then(
            (part): Settled => ({ ok: true, part }),
            (error: unknown): Settled => ({ ok: false, error }),
          );
          // The result is freed once read, unless it is an input chunk: the ring owns those. A result that
          // shares an input's memory counts as large: that input is not overwritten (chunk k + depth) before
          // this read has its verdict, so a failed op's output is never read as valid.
          const shared = inputs.some((a) => a.buffer === r.storageBuffer);
          inflight.push({ k, done, arrays: inputs.includes(r) ? [] : [r], small: !shared && r.byteLength <= SMALL_RESULT });
          result = undefined;
        } catch (e) {
          if (result !== undefined && !inputs.includes(result)) result.destroy();
          throw e;
        } finally {
          // The read above flushed the batch carrying the upload copies: map each slot again once it is submitted.
          for (const slot of used) slot.mapped = mapForWrite(slot.buffer, true);
        }
      }
      while (inflight.length > 0) await drainOne();
    } catch (e) {
      failure = { error: e };
    } finally {
      // Let everything in flight settle before the call ends: the next call (or destroy) may reuse the ring.
      for (const f of inflight.splice(0)) {
        await f.done;
        for (const a of f.arrays) a.destroy();
      }
    }
    if (failure !== undefined) throw failure.error;
  }
}
