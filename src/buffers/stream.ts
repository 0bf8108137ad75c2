/**
 * Streaming a host array through the device in chunks: `device.streamer()` (a {@link Streamer} that keeps
 * its ring of device arrays and upload buffers between calls), and `device.mapStream()` /
 * `device.reduceStream()`, one-shot streamers.
 * This module is the engine-neutral part: the plan of a call, the ring of device arrays a streamer keeps,
 * the choice of a route (measured or fixed) and the plain route (write each chunk into the ring's arrays,
 * `fn`, read back; on an engine with host memory, every call chunk after chunk). The routes that overlap
 * transfers with compute (`'mapped'`, `'chunked'`) are the backend's (`Backend.streams.pipeline`: on
 * Dawn, chunk k+1 is copied into a mapped upload buffer while the GPU computes chunk k and chunk k−1 comes
 * back, so a memory-bound op over a host array of any size, larger than device memory too, runs in one
 * pass with its transfers overlapped: src/backends/dawn/stream.ts).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { checkOptions, describeValue, type OptionCheck } from '../args.js';
import type { Backend } from '../backends/backend.js';
import { ArgumentError, DestroyedError, DTypeError, GpukitError, LimitError, ReentrantCallError, ShapeError } from '../errors.js';
import { DeviceArray, type ReadOptions } from './device-array.js';
import { dtypeOfHost, hostArray, type DType, type HostArray } from './dtype.js';

/** One host array, or several of the same length (chunk k of each is passed to `fn` in order). */
export type StreamInputs = HostArray | readonly HostArray[];

/**
 * What a stream runs on each chunk: the chunks of the inputs as device arrays (1-D, `chunk` elements, the
 * last one shorter) → an array the stream reads back. The stream owns what `fn` returns and destroys it
 * once read (return a fresh array, as ops do; returning an input chunk is fine); destroy any temporaries
 * `fn` makes itself (`using`).
 */
export type StreamFn = (...chunks: DeviceArray[]) => DeviceArray | Promise<DeviceArray>;

/** Options of both streams. */
export interface StreamOptions extends ReadOptions {
  /**
   * Elements per chunk (the last chunk may be shorter). A single chunk of at most
   * {@link MAPPED_UPLOAD_BYTES} of input runs on the plain path (upload, `fn`, `toArray`); a larger one goes
   * once through the mapped upload buffers. @default {@link defaultStreamChunk}(n): one chunk up to 2^21 elements (nothing worth
   * overlapping), else about n / 8 — at least 2^20, at most 2^22 (16 MiB of f32 per input)
   */
  readonly chunk?: number;
  /** Chunks in flight at once (the staging ring's slots): device memory is about depth × the chunk arrays. @default 3 */
  readonly depth?: number;
}

/** Options of `device.mapStream()`. */
export interface MapStreamOptions extends StreamOptions {
  /**
   * Where the results go: a typed array of `fn`'s result dtype (Float32Array for f32 and f16) and the
   * inputs' length. @default a new one
   */
  readonly out?: HostArray;
}

/** How `reduceStream` combines the chunks' scalars, in float64 on the host. */
export type StreamCombine = 'sum' | 'min' | 'max';

/** Options of `device.reduceStream()` with a named combine: `fn` returns a scalar per chunk. */
export interface ReduceStreamOptions extends StreamOptions {
  readonly combine: StreamCombine;
}

/** Options of `device.reduceStream()` with a fold over each chunk's result (any small array). */
export interface FoldStreamOptions<A> extends StreamOptions {
  /** Called once per chunk, in chunk order, with that chunk's result read back. */
  readonly fold: (acc: A, part: HostArray, chunk: number) => A;
  readonly initial: A;
}

/**
 * The chunk a stream of n elements uses by default: all of it up to 2^21 elements, else about n / 8 in
 * multiples of 2^16, clamped to [2^20, 2^22]. Each chunk costs a submission and two map round trips
 * (~0.5 ms on lavapipe), so a few large chunks hide the transfers best; eight keep the ramp-up and the tail
 * of the pipeline (the first upload, the last download, which nothing overlaps) an eighth of the work.
 *
 * @example defaultStreamChunk(1 << 24) // 2^21: eight chunks
 */
export function defaultStreamChunk(n: number): number {
  if (n <= 1 << 21) return Math.max(n, 1);
  const eighth = Math.ceil(n / 8 / 65536) * 65536;
  return Math.min(1 << 22, Math.max(1 << 20, eighth));
}
const DEFAULT_DEPTH = 3;

/** What a call streams: its inputs, their chunks and how many are in flight (also read by a backend's pipeline). */
export interface Plan {
  readonly op: string;
  readonly hosts: readonly HostArray[];
  readonly dtypes: readonly DType[];
  readonly n: number;
  readonly chunk: number;
  readonly chunks: number;
  readonly depth: number;
  readonly read: ReadOptions;
}

function plan(op: string, inputs: unknown, fn: unknown, chunkOpt: number | undefined, depthOpt: number | undefined, timeoutMs: number | undefined, maxBytes: number): Plan {
  if (typeof fn !== 'function') throw new ArgumentError(`${op}: fn must be a function of the chunks, got ${describeValue(fn)}`);
  const list: readonly unknown[] = Array.isArray(inputs) ? inputs : [inputs];
  if (list.length === 0) throw new ArgumentError(`${op}: give at least one host array to stream`);
  const hosts: HostArray[] = [];
  const dtypes: DType[] = [];
  let n = 0;
  for (let i = 0; i < list.length; i++) {
    const h = list[i];
    if (!ArrayBuffer.isView(h)) throw new ArgumentError(`${op}: input ${i} must be a Float32Array, Int32Array or Uint32Array, got ${describeValue(h)}`);
    // A detached array reads as empty: streaming it would give an empty result (or a sum of 0), not an error.
    if (isDetached(h)) throw new ArgumentError(`${op}: input ${i} is detached (its ArrayBuffer was transferred)`);
    if (!isStreamable(h)) throw new DTypeError(`${op}: input ${i} must be a Float32Array, Int32Array or Uint32Array, got a ${h.constructor.name}`);
    dtypes.push(dtypeOfHost(h));
    hosts.push(h);
    const len = (h).length;
    if (i === 0) n = len;
    else if (len !== n) throw new ShapeError(`${op}: every input must have the same length: input 0 has ${n} elements, input ${i} has ${len}`);
  }
  const chunk = chunkOpt ?? defaultStreamChunk(n);
  if (!Number.isSafeInteger(chunk) || chunk < 1) throw new ArgumentError(`${op}: option 'chunk' must be a positive integer number of elements, got ${describeValue(chunk)}`);
  if (chunk * 4 > maxBytes) throw new LimitError('maxBufferSize', chunk * 4, maxBytes, `${op}: a chunk of ${chunk} elements (${chunk * 4} bytes)`);
  const depth = depthOpt ?? DEFAULT_DEPTH;
  if (!Number.isSafeInteger(depth) || depth < 1 || depth > 16) throw new ArgumentError(`${op}: option 'depth' must be an integer from 1 to 16, got ${describeValue(depth)}`);
  const chunks = Math.max(1, Math.ceil(n / chunk));
  const read: ReadOptions = timeoutMs !== undefined ? { timeoutMs } : NO_READ_OPTIONS;
  return { op, hosts, dtypes, n, chunk: chunks === 1 ? Math.max(n, 1) : chunk, chunks, depth, read };
}

const NO_READ_OPTIONS: ReadOptions = Object.freeze({});

/**
 * Whether a typed array's memory was transferred away (it then reads as 0 elements). Node 20 has no
 * `ArrayBuffer.prototype.detached`; a view onto a detached buffer cannot be made.
 */
function isDetached(h: ArrayBufferView): boolean {
  if (h.byteLength !== 0) return false;
  try {
    new Uint8Array(h.buffer, 0, 0);
    return false;
  } catch {
    return true;
  }
}

/** The host arrays a stream takes (and writes into, as `out`). */
function isStreamable(h: ArrayBufferView): h is HostArray {
  return h instanceof Float32Array || h instanceof Int32Array || h instanceof Uint32Array;
}

/** Any value: the key is known; its value is checked where it is used (with a message of its own). */
const ANY: OptionCheck = () => undefined;
/** A read's timeout, checked before the stream starts (the reads would refuse it only after the first chunk ran). */
const TIMEOUT: OptionCheck = (t) => (typeof t === 'number' && Number.isFinite(t) && t > 0 ? undefined : 'must be a positive number of ms');

/** The option keys of each stream call (an unknown key, a typo, would be silently ignored). */
const STREAM_KEYS = { chunk: ANY, depth: ANY, timeoutMs: TIMEOUT } as const;
const MAP_KEYS = { out: ANY, timeoutMs: TIMEOUT } as const;
const REDUCE_KEYS = { combine: ANY, fold: ANY, initial: ANY, timeoutMs: TIMEOUT } as const;
const STREAMER_KEYS = { chunk: ANY, depth: ANY, mappedUploadBytes: ANY, route: ANY } as const;

/**
 * Input i before its chunk is copied: `fn` runs between chunks (and may await), so a host array may have been
 * transferred or resized since the stream began. Checked before any byte of it is read.
 */
function checkHost(p: Plan, i: number, h: HostArray): void {
  if (h.length === p.n) return;
  const what = isDetached(h) ? 'was detached (its ArrayBuffer transferred)' : `was resized to ${h.length} elements`;
  throw new ShapeError(`${p.op}: input ${i} ${what} while streaming its ${p.n} elements: keep the inputs as they are until the stream resolves`);
}

/** The plan with another chunk size (already checked against the limits by the caller). */
function withChunk(p: Plan, chunk: number): Plan {
  const chunks = Math.max(1, Math.ceil(p.n / chunk));
  const c = chunks === 1 ? Math.max(p.n, 1) : chunk;
  return c === p.chunk ? p : { ...p, chunk: c, chunks };
}

/**
 * The chunk of the `'chunked'` route when the caller set none: {@link defaultStreamChunk}(n) above 2^21
 * elements, else a quarter of n (so that smaller calls, when measured or forced, still overlap something).
 */
function chunkedChunk(n: number): number {
  return n > 1 << 21 ? defaultStreamChunk(n) : Math.max(1, Math.ceil(n / 4));
}

/** What a stream does with each chunk's result: reads it back (`read`), then uses it, in chunk order (`use`). */
export interface Sink {
  read(k: number, start: number, length: number, result: DeviceArray): Promise<HostArray>;
  use(k: number, part: HostArray): void;
}

function resultOf(p: Plan, backend: Backend, r: unknown, inputs: readonly DeviceArray[]): DeviceArray {
  const ok = r instanceof DeviceArray && !r.destroyed && r.backend === backend;
  if (!ok) {
    for (const a of inputs) a.destroy();
    if (r instanceof DeviceArray && r.destroyed) throw new ArgumentError(`${p.op}: fn returned a destroyed array`);
    throw new ArgumentError(`${p.op}: fn must return a DeviceArray of this device (the chunk's result), got ${r instanceof DeviceArray ? `an array of another device` : describeValue(r)}`);
  }
  return r as DeviceArray;
}

/**
 * Bytes of input per call above which a one-chunk stream on Dawn (the fixed rule) uploads through the
 * pipeline's mapped upload buffers rather than `queue.writeBuffer`. Dawn writes straight into an idle
 * buffer no GPU work ever wrote (where the host can map device memory); into any other it stages the write
 * in a 4 MiB upload ring, and what does not fit (one large write, or several that add up) gets freshly
 * allocated staging memory on every call — on lavapipe about 1.5 ms per 4 MiB, more than the op. A mapped
 * upload buffer from the pool is allocated once and comes back mapped, but costs a map round trip (~30 µs)
 * and, on lavapipe, a second copy, so small inputs stay on `writeBuffer`.
 */
export const MAPPED_UPLOAD_BYTES = 4 << 20;

/**
 * An upload buffer of a ring (made and freed by the backend's pipeline: on Dawn a MAP_WRITE
 * buffer), and the promise of it being mapped for writing.
 */
export interface UploadSlot {
  readonly buffer: GPUBuffer;
  mapped: Promise<void>;
}

/**
 * What a streamer keeps between calls, for one chunk size and one list of input dtypes: per input, `depth`
 * device arrays of a full chunk, one of the last (shorter) chunk, and the `depth` upload buffers of the
 * backend's pipeline (none on the plain route).
 */
export interface Ring {
  readonly key: string;
  /**
   * 'm': the mapped route's ring of a measuring streamer, kept apart from the plain route's (same chunk):
   * a copy into an array makes Dawn stage every later `writeBuffer` into it (see
   * `DeviceContext.gpuWritten`), so mapped's copies would slow plain's writes. '' otherwise.
   */
  readonly kind: string;
  readonly chunk: number;
  readonly dtypes: readonly DType[];
  /** arrays[input][slot]: chunk k of that input is uploaded into slot k mod depth. */
  readonly arrays: (DeviceArray | undefined)[][];
  /** tails[input]: the last chunk when it is shorter than `chunk` (kept while its length stays). */
  readonly tails: (DeviceArray | undefined)[];
  readonly slots: (UploadSlot | undefined)[][];
}

/**
 * One call over a ring by a backend's pipeline route (`Backend.streams.pipeline`): the plan,
 * the ring, `fn`, the sink, and the engine-neutral steps the pipeline shares with the plain route.
 */
export interface StreamJob {
  readonly plan: Plan;
  readonly ring: Ring;
  readonly fn: StreamFn;
  readonly sink: Sink;
  /** The ring's array for chunk k of input i (`slot` = k mod depth, `length` elements), which the pipeline copies into. */
  input(i: number, slot: number, length: number): DeviceArray;
  /** Throws ShapeError if input i was detached or resized since the call began (check before reading any byte of it). */
  checkHost(i: number, h: HostArray): void;
  /** `fn`'s result checked (a live array of this device), else the inputs are destroyed and ArgumentError thrown. */
  result(r: unknown, inputs: readonly DeviceArray[]): DeviceArray;
  /** The same call by the plain route (for an engine that has no pipeline). */
  plain(): Promise<void>;
}

function freeRing(ring: Ring, backend: Backend): void {
  for (const a of ring.arrays.flat()) a?.destroy();
  for (const a of ring.tails) a?.destroy();
  backend.streams.freeUploads(ring.slots.flat());
}

/**
 * The input array for chunk k of input i (`length` elements): the ring's, made on first use. `fill`:
 * `'host-kept'` / `'host'` for the plain route, which writes it with `queue.writeBuffer` (a buffer no GPU
 * work wrote, so the writes go straight into its memory where Dawn can; see run()); `'overwrite'` for the
 * pipeline, which copies into it from the upload buffers.
 */
function chunkArray(ring: Ring, ctx: Backend, dtype: DType, i: number, slot: number, length: number, fill: 'host' | 'host-kept' | 'overwrite'): DeviceArray {
  if (length === ring.chunk) {
    const row = ring.arrays[i] ?? [];
    return (row[slot] ??= new DeviceArray(ctx, dtype, [length], undefined, fill));
  }
  const t = ring.tails[i];
  if (t !== undefined && t.length === length) return t;
  t?.destroy();
  return (ring.tails[i] = new DeviceArray(ctx, dtype, [length], undefined, fill));
}

/** Whether `r` is one of the inputs (not a view of one): the ring owns it, nobody destroys it. */
function isInput(r: DeviceArray, inputs: readonly DeviceArray[]): boolean {
  return inputs.includes(r);
}

/**
 * The plain path — one chunk on Dawn of at most `mappedBytes` of input (nothing to overlap: write into the
 * ring's arrays, `fn`, the read, exactly as a caller with resident arrays writes them), every chunk in turn
 * on an engine with only this route (gpujs: host memory).
 */
async function plainRun(p: Plan, backend: Backend, ring: Ring, fn: StreamFn, sink: Sink, fill: 'host' | 'host-kept'): Promise<void> {
  const { hosts, dtypes } = p;
  for (let k = 0; k < p.chunks; k++) {
    const start = k * p.chunk;
    const length = Math.min(p.chunk, p.n - start);
    const inputs: DeviceArray[] = [];
    let result: DeviceArray | undefined;
    try {
      for (let i = 0; i < hosts.length; i++) {
        const h = hosts[i] as HostArray;
        checkHost(p, i, h);
        const a = chunkArray(ring, backend, dtypes[i] ?? 'f32', i, k % p.depth, length, fill);
        inputs.push(a);
        a.write(start === 0 && length === h.length ? h : h.subarray(start, start + length));
      }
      const v = fn(...inputs);
      result = resultOf(p, backend, v instanceof Promise ? await v : v, inputs); // a plain result costs no tick
      sink.use(k, await sink.read(k, start, length, result));
    } finally {
      if (result !== undefined && !isInput(result, inputs)) result.destroy();
    }
  }
}

/** The device of a stream: its backend. */
export type StreamDevice = Backend;

function hostTypeOf(dtype: DType): string {
  return dtype === 'i32' ? 'Int32Array' : dtype === 'u32' ? 'Uint32Array' : 'Float32Array';
}

/** Options of `device.streamer()`: fixed for the streamer's life. */
export interface StreamerOptions {
  /**
   * Elements per chunk (the last chunk of a call may be shorter). @default {@link defaultStreamChunk}(n) of
   * each call's length n
   */
  readonly chunk?: number;
  /** Chunks in flight at once (the ring's slots): device memory is about depth × the chunk arrays. @default 3 */
  readonly depth?: number;
  /**
   * Bytes of input (all inputs together) above which a one-chunk call on Dawn uploads through the ring's
   * mapped upload buffers instead of writing its arrays with `queue.writeBuffer`. Setting it (or `chunk`)
   * fixes the routing by size instead of measuring it (see `route`). @default {@link MAPPED_UPLOAD_BYTES}
   */
  readonly mappedUploadBytes?: number;
  /**
   * How a call on Dawn moves its data. `'plain'`: `queue.writeBuffer` into the ring's arrays, `fn`, read
   * back (chunk after chunk if there are several); `'mapped'`: one chunk of the whole input through a
   * mapped upload buffer; `'chunked'`: the overlapped pipeline over chunks (of `chunk`, else
   * {@link defaultStreamChunk}(n) above 2^21 elements and n / 4 below). `'auto'` with neither `chunk` nor
   * `mappedUploadBytes` set is **measured routing**: per size class (the call's kind, input count and
   * ⌈log2⌉ of its input bytes) the first calls try each route that applies, in two passes (each time one
   * untimed call, then 2 timed ones), then the class uses the route with the lowest wall-clock time (from the call until its
   * result is read; the lower quartile of its last 5 timed calls), the plain route unless another is at
   * least 15 % faster, re-checking another route every 64th call, or on the next call after one 2× slower
   * than its route's recent median, so a drifting machine is followed. With `chunk` or
   * `mappedUploadBytes` set, `'auto'` is the fixed rule (chunks > 1 → chunked; one chunk over
   * `mappedUploadBytes` → mapped; else plain). Every route runs the same ops on the same chunks of data,
   * so maps are bit-identical and reductions differ only by how the chunks' scalars are added. gpujs
   * ignores it (host memory: chunk after chunk). @default 'auto'
   */
  readonly route?: StreamRoute | 'auto';
}

/** The ways a streamer call can move its data (see {@link StreamerOptions.route}). */
export type StreamRoute = 'plain' | 'mapped' | 'chunked';

/** Timed calls per route while a size class explores (after one untimed call that switches to it). */
const EXPLORE_SAMPLES = 4;
/**
 * Calls a size class of measured routing takes to explore (3 routes at most, each in 2 passes of one
 * untimed call and EXPLORE_SAMPLES / 2 timed ones): warm a streamer up with more before timing it.
 */
export const EXPLORATION_CALLS = 3 * 2 * (1 + EXPLORE_SAMPLES / 2);
/** Samples kept per route and class: their lower quartile picks the route. */
const ROUTE_WINDOW = 5;
/** How much faster (as a share of plain's score) another route must be to replace the plain route. */
const ROUTE_MARGIN = 0.15;
/** A class using its best route re-checks another one every this many calls. */
const RECHECK_EVERY = 64;
/** A call this many times its route's median makes the next call re-check another route. */
const SLOW_CALL = 2;
/**
 * The mapped route is a candidate of measured routing above this many bytes of input: below it the
 * writes fit Dawn's 4 MiB staging ring, and a map round trip cannot win back its cost.
 */
const MIN_MAPPED_BYTES = MAPPED_UPLOAD_BYTES;
/** The chunked route is a candidate from this many elements (fewer: too little to overlap). */
const MIN_CHUNKED = 1 << 21;
/** Rings a measuring streamer keeps (one per route: plain, mapped, chunked); the least recently used goes. */
const MAX_RINGS = 3;

/** What measured routing knows of one size class. */
interface RouteClass {
  readonly routes: readonly StreamRoute[];
  /** The last {@link ROUTE_WINDOW} timed calls per route, ms. */
  readonly samples: number[][];
  /** The route in use (index into routes); −1 while exploring. */
  best: number;
  /** The route explored or re-checked now. */
  current: number;
  calls: number;
  /** Calls of the re-checked route still to make (the first is untimed: it follows another route). */
  probing: number;
  /** The next other route to re-check (rotates). */
  probe: number;
  recheck: boolean;
  /** Exploration's pass: 0 takes half of each route's samples, 1 the rest (so a burst of load lands on one route's samples less). */
  pass: 0 | 1;
}

function medianOf(xs: readonly number[]): number {
  const a = [...xs].sort((x, y) => x - y);
  return a.length === 0 ? Infinity : a.length % 2 === 1 ? (a[a.length >> 1] ?? Infinity) : ((a[a.length / 2 - 1] ?? 0) + (a[a.length / 2] ?? 0)) / 2;
}

/**
 * What a route's timed calls say of it: their lower quartile (the fastest of 4, the second fastest of 5).
 * Each route does fixed work, and on a shared machine noise only adds time: a few calls slowed by another
 * job or a GC (2× and more, interleaved with other work here) move a median of 4–5 calls, not this.
 */
function scoreOf(xs: readonly number[]): number {
  const a = [...xs].sort((x, y) => x - y);
  return a.length === 0 ? Infinity : (a[Math.floor((a.length - 1) / 4)] ?? Infinity);
}

/**
 * The route with the lowest score ({@link scoreOf}), where the plain route (when a candidate) is the
 * incumbent: another route replaces it only with a score at least {@link ROUTE_MARGIN} below plain's.
 * The plain route is the work a caller holding its own device arrays does (write, op, read), so a
 * streamer that keeps it is never slower than that beyond the noise, and one that leaves it does so for
 * a clear, measured gain.
 */
function bestOf(c: RouteClass): number {
  let best = 0;
  let m = Infinity;
  for (let i = 0; i < c.routes.length; i++) {
    const v = scoreOf(c.samples[i] ?? []);
    if (v < m) [best, m] = [i, v];
  }
  const plain = c.routes.indexOf('plain');
  if (plain < 0 || best === plain) return best;
  return m < (1 - ROUTE_MARGIN) * scoreOf(c.samples[plain] ?? []) ? best : plain;
}

/**
 * The route for the next call of class c: while exploring, each route in turn until it has half its
 * samples, then each in turn again for the rest (two passes: a burst of other load then slows the samples
 * of more than one route); then the best one, or (every {@link RECHECK_EVERY}th call, or after a slow one)
 * two calls of another.
 */
function pickRoute(c: RouteClass): number {
  if (c.best < 0) {
    const goal = c.pass === 0 ? EXPLORE_SAMPLES / 2 : EXPLORE_SAMPLES;
    if ((c.samples[c.current]?.length ?? 0) < goal) return c.current;
    const next = c.samples.findIndex((w) => w.length < goal);
    if (next >= 0) return (c.current = next);
    c.pass = 1;
    return (c.current = c.samples.findIndex((w) => w.length < EXPLORE_SAMPLES));
  }
  if (c.probing > 0) {
    c.probing--;
    return c.current;
  }
  c.calls++;
  if (!c.recheck && c.calls % RECHECK_EVERY !== 0) return c.best;
  c.recheck = false;
  c.current = (c.best + (c.probe % (c.routes.length - 1)) + 1) % c.routes.length;
  c.probing = 1;
  return c.current;
}

/**
 * Records a finished call of route i of class c, ms long. `timed`: the call before it (of any class) took
 * the same class and route — else its time carries the switch (the other route's deferred work, such as
 * re-mapping its upload buffers, or this route's first use) and is no sample.
 */
function recordRoute(c: RouteClass, i: number, ms: number, timed: boolean): void {
  if (!timed) return;
  const w = c.samples[i] ?? [];
  const before = w.length >= EXPLORE_SAMPLES ? medianOf(w) : Infinity;
  w.push(ms);
  if (w.length > ROUTE_WINDOW) w.shift();
  if (c.best < 0) {
    if (c.samples.every((x) => x.length >= EXPLORE_SAMPLES)) c.best = bestOf(c);
    return;
  }
  if (i === c.best) {
    if (ms > SLOW_CALL * before) c.recheck = true;
    c.best = bestOf(c); // its own calls may show it slower than another route's last samples now
    return;
  }
  // A re-check: faster than the best's median → check the same route again next (a drift is followed
  // within a few calls); else the next re-check tries the route after it.
  if (ms >= scoreOf(c.samples[c.best] ?? [])) c.probe++;
  else c.recheck = true;
  c.best = bestOf(c);
}

/** Options of `streamer.map()`. */
export interface StreamerMapOptions extends ReadOptions {
  /** Where the results go (see {@link MapStreamOptions.out}). @default a new one */
  readonly out?: HostArray;
}

/** Options of `streamer.reduce()`: a named combine, or a fold. */
export type StreamerReduceOptions<A> = (ReadOptions & { readonly combine: StreamCombine }) | (ReadOptions & Omit<FoldStreamOptions<A>, 'chunk' | 'depth'>);

/** A streamer call whose `fn` runs in this async context (until the call ends). */
interface ActiveCall {
  readonly streamer: Streamer;
  running: boolean;
}

/**
 * The streamer calls whose `fn` the current code runs inside: a call on one of them from there would wait
 * for its own turn (calls on a streamer take turns) and never start, so it is refused.
 */
const insideFn = new AsyncLocalStorage<readonly ActiveCall[]>();

/**
 * A reusable stream: `map()` and `reduce()` run as `device.mapStream()` / `reduceStream()` do, but keep
 * their device arrays and mapped upload buffers between calls (re-made only when the chunk size, the input
 * dtypes or the number of inputs changes), so a stream called again and again pays no allocation: at one
 * chunk a call writes into resident arrays, runs `fn` and reads the result back — what a caller with its
 * own resident arrays does. Without a set `chunk` or `mappedUploadBytes`, a streamer on Dawn measures
 * which route (plain, mapped upload, chunked pipeline) is fastest per size class and uses it (see
 * {@link StreamerOptions.route}). Calls on one streamer run one after another. `destroy()` (or `using`) frees its
 * memory; closing the device destroys it too.
 *
 * @example
 * ```ts
 * using s = device.streamer({ depth: 3 });
 * for (const [a, b] of batches) results.push(await s.map([a, b], (x, y) => add(x, y)));
 * const total = await s.reduce(a, (x) => sum(x), { combine: 'sum' });
 * ```
 */
export class Streamer {
  readonly #backend: Backend;
  /** The routes the backend streams by (`'plain'` always; more where it has a pipeline). */
  readonly #routes: readonly StreamRoute[];
  readonly #maxBytes: number;
  readonly #chunk: number | undefined;
  /** Made for one call (`mapStream` / `reduceStream`): its ring is sized for that call alone. */
  readonly #oneShot: boolean;
  readonly #depth: number;
  readonly #mappedBytes: number;
  readonly #route: StreamRoute | 'auto';
  /** Measured routing: on (Dawn, not one-shot, no chunk / mappedUploadBytes / route set). */
  readonly #measured: boolean;
  readonly #classes = new Map<string, RouteClass>();
  /** The rings, least recently used first (one unless the streamer measures its routing). */
  readonly #rings = new Map<string, Ring>();
  #last: Ring | undefined;
  #lastRoute: StreamRoute | undefined;
  /** The class and route index of the last finished call (measured routing times only repeats). */
  #prevClass: RouteClass | undefined;
  #prevIndex: number | undefined;
  #destroyed: string | undefined;
  /** Calls started and not finished (running or waiting for the one before). */
  #pending = 0;
  /** The turns of the calls waiting, in call order. */
  readonly #waiting: (() => void)[] = [];

  /** @internal Made by `device.streamer()`. */
  constructor(device: StreamDevice, options: StreamerOptions = {}, op = 'streamer', oneShot = false) {
    device.assertUsable();
    // The largest chunk in bytes (one buffer and one binding on Dawn), found once per device by its backend.
    const maxBytes = device.streams.chunkLimit();
    const routes = device.streams.routes();
    if (typeof options !== 'object' || (options as unknown) === null) throw new ArgumentError(`${op}: options must be an object, got ${describeValue(options)}`);
    if (!oneShot) checkOptions(op, options, STREAMER_KEYS);
    // The same checks as each call's plan, made once here so a bad option fails at creation.
    if (options.chunk !== undefined) plan(op, [new Float32Array(0)], () => undefined, options.chunk, options.depth, undefined, maxBytes);
    const depth = options.depth ?? DEFAULT_DEPTH;
    if (!Number.isSafeInteger(depth) || depth < 1 || depth > 16) throw new ArgumentError(`${op}: option 'depth' must be an integer from 1 to 16, got ${describeValue(depth)}`);
    const mapped = options.mappedUploadBytes ?? MAPPED_UPLOAD_BYTES;
    if (typeof mapped !== 'number' || !(mapped >= 0)) throw new ArgumentError(`${op}: option 'mappedUploadBytes' must be a number of bytes ≥ 0, got ${describeValue(mapped)}`);
    const route = (options.route as unknown) ?? 'auto';
    if (route !== 'auto' && route !== 'plain' && route !== 'mapped' && route !== 'chunked') {
      throw new ArgumentError(`${op}: option 'route' must be 'auto', 'plain', 'mapped' or 'chunked', got ${describeValue(route)}`);
    }
    this.#route = route;
    this.#measured = route === 'auto' && routes.length > 1 && !oneShot && options.chunk === undefined && options.mappedUploadBytes === undefined;
    this.#backend = device;
    this.#routes = routes;
    this.#maxBytes = maxBytes;
    this.#chunk = options.chunk;
    this.#oneShot = oneShot;
    this.#depth = depth;
    this.#mappedBytes = mapped;
    // The live streamers of the device (its backend's), destroyed when it closes.
    const streams = device.streams;
    let set = streams.live;
    if (set === undefined) {
      const s = new Set<Streamer>();
      streams.live = set = s;
      device.onClose(() => {
        for (const x of s) x.#close();
        s.clear();
      });
    }
    set.add(this);
  }

  /**
   * Runs `fn` over the inputs chunk by chunk into one host array, as `device.mapStream()` does.
   *
   * @example
   * ```ts
   * const y = await s.map([a, b], (x, z) => add(x, z), { out: y0 });
   * ```
   */
  map(inputs: StreamInputs, fn: StreamFn, options: StreamerMapOptions = {}): Promise<HostArray> {
    return mapWith(this, 'streamer.map', inputs, fn, options, MAP_KEYS); // async: argument errors reject
  }

  /**
   * Runs `fn` over the inputs chunk by chunk and combines the chunks' results on the host, as
   * `device.reduceStream()` does.
   *
   * @example
   * ```ts
   * const total = await s.reduce(a, (x) => sum(x), { combine: 'sum' });
   * ```
   */
  reduce(inputs: StreamInputs, fn: StreamFn, options: ReadOptions & { readonly combine: StreamCombine }): Promise<number>;
  reduce<A>(inputs: StreamInputs, fn: StreamFn, options: ReadOptions & Omit<FoldStreamOptions<A>, 'chunk' | 'depth'>): Promise<A>;
  reduce<A>(inputs: StreamInputs, fn: StreamFn, options: StreamerReduceOptions<A>): Promise<number | A> {
    return reduceWith(this, 'streamer.reduce', inputs, fn, options, REDUCE_KEYS); // async: argument errors reject
  }

  get destroyed(): boolean {
    return this.#destroyed !== undefined;
  }

  /** The route the last finished call took (`undefined` before any; always `'plain'` on gpujs). */
  get lastRoute(): StreamRoute | undefined {
    return this.#lastRoute;
  }

  /**
   * @internal Tests: replaces a call's measured time (route, wall-clock ms) by what it returns, so
   * measured routing can be checked without timing anything.
   */
  routeTiming: ((route: StreamRoute, ms: number) => number) | undefined;

  /** Frees the streamer's arrays and upload buffers (after a call in progress has finished). Idempotent. */
  destroy(): void {
    if (this.#destroyed !== undefined) return;
    this.#destroyed = 'was destroyed';
    this.#backend.streams.live?.delete(this);
    if (this.#pending === 0) this.#free();
  }

  /** The same as `destroy()`, so `using s = device.streamer()` frees its ring at the end of its scope. */
  [Symbol.dispose](): void {
    this.destroy();
  }

  #check(op: string): void {
    if (this.#destroyed !== undefined) throw new DestroyedError(`${op}: this streamer ${this.#destroyed}`);
  }

  #close(): void {
    // The device frees the pool's buffers itself: forget them.
    this.#destroyed ??= 'belongs to a closed device';
    this.#rings.clear();
    this.#last = undefined;
  }

  #free(): void {
    const rings = [...this.#rings.values()];
    this.#rings.clear();
    this.#last = undefined;
    for (const ring of rings) freeRing(ring, this.#backend);
  }

  /** The ring for chunk size `chunk` and the plan's dtypes: the last one used, a kept one, or a new one. */
  #ringFor(p: Plan, chunk: number, route: StreamRoute): Ring {
    const last = this.#last;
    const kind = this.#measured && route === 'mapped' ? 'm' : '';
    if (last !== undefined && last.chunk === chunk && last.kind === kind && sameDtypes(last.dtypes, p.dtypes)) return last;
    const key = `${kind}${chunk}|${p.dtypes.join(',')}`;
    let ring = this.#rings.get(key);
    if (ring !== undefined) this.#rings.delete(key); // re-inserted below: most recently used
    else {
      const keep = this.#measured ? MAX_RINGS - 1 : 0;
      for (const [k, r] of this.#rings) {
        if (this.#rings.size <= keep) break;
        this.#rings.delete(k);
        freeRing(r, this.#backend);
      }
      ring = { key, kind, chunk, dtypes: p.dtypes, arrays: p.hosts.map(() => []), tails: p.hosts.map(() => undefined), slots: p.hosts.map(() => []) };
    }
    this.#rings.set(key, ring);
    return (this.#last = ring);
  }

  /** The route and plan of a call (measured routing's class too, when it measures). */
  #routeOf(op: string, p: Plan): Routed {
    // An engine with the plain route only (host memory) runs every call by it, chunk after chunk.
    if (this.#routes.length === 1) return { route: 'plain', p };
    const fits = p.n * 4 <= this.#maxBytes;
    if (this.#measured) {
      const bytes = p.n * 4 * p.hosts.length;
      if (fits && bytes <= MIN_MAPPED_BYTES && p.n < MIN_CHUNKED) return { route: 'plain', p }; // the one candidate (the default chunk is n here)
      const key = `${op}|${p.hosts.length}|${Math.ceil(Math.log2(Math.max(bytes, 1)))}`;
      let cls = this.#classes.get(key);
      if (cls === undefined) {
        const routes: StreamRoute[] = !fits ? [] : bytes > MIN_MAPPED_BYTES ? ['plain', 'mapped'] : ['plain'];
        if (p.n >= MIN_CHUNKED || !fits) routes.push('chunked');
        cls = { routes, samples: routes.map(() => []), best: routes.length === 1 ? 0 : -1, current: 0, calls: 0, probing: 0, probe: 0, recheck: false, pass: 0 };
        this.#classes.set(key, cls);
      }
      if (cls.routes.length === 1) return { route: cls.routes[0] ?? 'plain', p: this.#chunkFor(cls.routes[0] ?? 'plain', p, fits) };
      const index = pickRoute(cls);
      const route = cls.routes[index] ?? 'plain';
      return { route, p: this.#chunkFor(route, p, fits), cls, index };
    }
    if (this.#route !== 'auto') return { route: this.#route, p: this.#chunkFor(this.#route, p, fits) };
    return { route: p.chunks > 1 ? 'chunked' : p.n * 4 * p.hosts.length > this.#mappedBytes ? 'mapped' : 'plain', p };
  }

  /** The plan for a route: the caller's chunk if set, else one chunk (plain, mapped: when it fits) or the chunked route's. */
  #chunkFor(route: StreamRoute, p: Plan, fits: boolean): Plan {
    if (this.#chunk !== undefined) return p;
    if (route === 'chunked') return withChunk(p, chunkedChunk(p.n));
    return fits ? withChunk(p, Math.max(p.n, 1)) : p;
  }

  /** @internal One call: runs after the calls before it, over a ring (made if the plan needs another). */
  async run(op: string, inputs: unknown, fn: unknown, read: ReadOptions, sinkOf: (p: Plan) => Sink): Promise<void> {
    this.#check(op);
    const outer = insideFn.getStore() ?? [];
    if (outer.some((c) => c.streamer === this && c.running)) {
      throw new ReentrantCallError(`${op}: called from inside this streamer's own fn; it would wait for itself. Use another streamer (or device.mapStream / reduceStream) inside fn`);
    }
    const planned = plan(op, inputs, fn, this.#chunk, this.#depth, read.timeoutMs, this.#maxBytes);
    const sink = sinkOf(planned);
    const active: ActiveCall = { streamer: this, running: true };
    const calls = [...outer, active];
    const inner: StreamFn = (...chunks) => insideFn.run(calls, fn as StreamFn, ...chunks);
    // Calls on one streamer take turns on its ring: a call made while another runs waits for its turn.
    if (this.#pending++ > 0) {
      const turn = new Promise<void>((r) => this.#waiting.push(r));
      try {
        await turn;
        this.#check(op); // destroyed (or its device closed) while this call waited
      } catch (e) {
        this.#done();
        throw e;
      }
    }
    try {
      const backend = this.#backend;
      backend.assertUsable();
      const { route, p, cls, index } = this.#routeOf(op, planned);
      // A streamer with a set chunk keeps one ring for every length: a shorter call uses the tail arrays.
      const ring = this.#ringFor(p, this.#oneShot ? p.chunk : (this.#chunk ?? p.chunk), route);
      const timed = cls !== undefined && this.#prevClass === cls && this.#prevIndex === index;
      this.#prevClass = undefined; // a call that fails leaves no "same route as before"
      const t0 = cls !== undefined ? performance.now() : 0;
      // The plain route's arrays: never a GPU-written buffer where only plain calls use the ring and it is
      // kept (a measuring streamer's, or one forced to plain); else ('host': one-shot calls, whose arrays
      // are made and freed call after call, and rings the pipeline shares) another idle buffer while a
      // never-GPU-written one is on its way back.
      const plain = (): Promise<void> => plainRun(p, backend, ring, inner, sink, this.#measured || this.#route === 'plain' ? 'host-kept' : 'host');
      if (route !== 'plain') {
        await backend.streams.pipeline({
          plan: p,
          ring,
          fn: inner,
          sink,
          input: (i, slot, length) => chunkArray(ring, backend, p.dtypes[i] ?? 'f32', i, slot, length, 'overwrite'),
          checkHost: (i, h) => {
            checkHost(p, i, h);
          },
          result: (r, inputs) => resultOf(p, backend, r, inputs),
          plain,
        });
      } else await plain();
      this.#lastRoute = route;
      if (cls !== undefined && index !== undefined) {
        const ms = performance.now() - t0;
        recordRoute(cls, index, this.routeTiming !== undefined ? this.routeTiming(route, ms) : ms, timed);
      }
      this.#prevClass = cls;
      this.#prevIndex = index;
    } catch (e) {
      // A raw WebGPU error (an OperationError of a buffer destroyed underneath, an AbortError) from a device
      // closed or lost meanwhile: the typed error of that.
      if (!(e instanceof GpukitError)) {
        this.#backend.assertUsable();
      }
      throw e;
    } finally {
      active.running = false;
      this.#done();
    }
  }

  #done(): void {
    this.#pending--;
    if (this.destroyed && this.#pending === 0) this.#free();
    this.#waiting.shift()?.();
  }
}

/** A call's route and plan (and measured routing's class and route index, when it measures). */
interface Routed {
  readonly route: StreamRoute;
  readonly p: Plan;
  readonly cls?: RouteClass;
  readonly index?: number;
}

function sameDtypes(a: readonly DType[], b: readonly DType[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A chunk's result as the typed array that stores it (a bool result as a Uint32Array of 0/1, as streams hand results on). */
function readStored(result: DeviceArray, read: ReadOptions, out?: HostArray): Promise<HostArray> {
  // Not async: the readback's own promise, so the ring's timing is the plain toArray's (no extra tick).
  if (result.dtype !== 'bool') return (out !== undefined ? result.toArray(out as never, read) : result.toArray(read)) as Promise<HostArray>;
  if (out !== undefined && !(out instanceof Uint32Array)) return Promise.reject(new DTypeError(`fn returned a bool array: the output stream holds it as a Uint32Array of 0/1, got a ${out.constructor.name}`));
  return result.toArray(read).then((bytes) => {
    const words = out ?? new Uint32Array(bytes.length);
    words.set(bytes);
    return words;
  });
}

async function mapWith(s: Streamer, op: string, inputs: StreamInputs, fn: StreamFn, options: StreamerMapOptions, keys: Readonly<Record<string, OptionCheck>>): Promise<HostArray> {
  if (typeof options !== 'object' || (options as unknown) === null) throw new ArgumentError(`${op}: options must be an object, got ${describeValue(options)}`);
  checkOptions(op, options, keys);
  let out: HostArray | undefined = options.out;
  const read: ReadOptions = options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : NO_READ_OPTIONS;
  await s.run(op, inputs, fn, read, (p) => {
    if (out !== undefined) {
      if (!ArrayBuffer.isView(out)) throw new ArgumentError(`${op}: option 'out' must be a typed array, got ${describeValue(out)}`);
      if (isDetached(out)) throw new ArgumentError(`${op}: option 'out' is detached (its ArrayBuffer was transferred)`);
      if (!isStreamable(out)) throw new DTypeError(`${op}: option 'out' must be a Float32Array, Int32Array or Uint32Array, got a ${(out as ArrayBufferView).constructor.name}`);
      if (out.length !== p.n) throw new ShapeError(`${op}: option 'out' has ${out.length} elements but the inputs have ${p.n}`);
    }
    return {
      read(k, start, length, result) {
        if (result.length !== length) {
          throw new ShapeError(`${op}: fn returned ${result.length} elements for chunk ${k} of ${length}: a map returns one element per input element (reduceStream combines per-chunk results)`);
        }
        if (out === undefined) out = hostArray(result.dtype, p.n);
        else if (hostTypeOf(result.dtype) !== out.constructor.name) {
          throw new DTypeError(`${op}: fn returns ${result.dtype} but option 'out' is a ${out.constructor.name}: pass a ${hostTypeOf(result.dtype)}`);
        } else if (out.length !== p.n) {
          const what = isDetached(out) ? 'was detached (its ArrayBuffer transferred)' : `was resized to ${out.length} elements`;
          throw new ShapeError(`${op}: option 'out' ${what} while streaming ${p.n} elements into it`);
        }
        return readStored(result, p.read, out.subarray(start, start + length));
      },
      use: () => undefined,
    };
  });
  return out ?? hostArray('f32', 0);
}

async function reduceWith<A>(s: Streamer, op: string, inputs: StreamInputs, fn: StreamFn, options: StreamerReduceOptions<A>, keys: Readonly<Record<string, OptionCheck>>): Promise<number | A> {
  if (typeof options !== 'object' || (options as unknown) === null) throw new ArgumentError(`${op}: options must be an object with 'combine' ('sum', 'min' or 'max') or 'fold' and 'initial', got ${describeValue(options)}`);
  checkOptions(op, options, keys);
  const read: ReadOptions = options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {};
  if ('fold' in options) {
    if ('combine' in options) throw new ArgumentError(`${op}: give option 'combine' or options 'fold' and 'initial', not both`);
    if (typeof options.fold !== 'function') throw new ArgumentError(`${op}: option 'fold' must be a function (acc, part, chunk) => acc, got ${describeValue(options.fold)}`);
    if (!('initial' in options)) throw new ArgumentError(`${op}: option 'fold' needs 'initial' (the accumulator the first chunk's fold starts from)`);
    let acc = options.initial;
    await s.run(op, inputs, fn, read, (p) => ({
      read: (_k, _s, _l, result) => readStored(result, p.read),
      use: (k, part) => {
        acc = options.fold(acc, part, k);
      },
    }));
    return acc;
  }
  const combine = options.combine as unknown;
  if (combine !== 'sum' && combine !== 'min' && combine !== 'max') {
    throw new ArgumentError(`${op}: option 'combine' must be 'sum', 'min' or 'max' (or pass 'fold' and 'initial'), got ${describeValue(combine)}`);
  }
  let acc = combine === 'sum' ? 0 : combine === 'min' ? Infinity : -Infinity;
  await s.run(op, inputs, fn, read, (p) => ({
    read(k, _s, _l, result) {
      if (result.length !== 1) throw new ShapeError(`${op}: fn returned ${result.length} elements for chunk ${k}; combine '${combine}' takes one scalar per chunk (use 'fold' for larger results)`);
      return readStored(result, p.read);
    },
    use(_k, part) {
      const v = part[0] ?? NaN;
      // min / max propagate NaN, as the ops do (Math.min / Math.max already do).
      acc = combine === 'sum' ? acc + v : combine === 'min' ? Math.min(acc, v) : Math.max(acc, v);
    },
  }));
  return acc;
}

const ONE_SHOT_MAP_KEYS = { ...STREAM_KEYS, ...MAP_KEYS } as const;
const ONE_SHOT_REDUCE_KEYS = { ...STREAM_KEYS, ...REDUCE_KEYS } as const;

function streamerOf(device: StreamDevice, op: string, options: StreamOptions): Streamer {
  if (typeof options !== 'object' || (options as unknown) === null) throw new ArgumentError(`${op}: options must be an object, got ${describeValue(options)}`);
  return new Streamer(device, { ...(options.chunk !== undefined ? { chunk: options.chunk } : {}), ...(options.depth !== undefined ? { depth: options.depth } : {}) }, op, true);
}

/** @internal `device.streamer()`. */
export function streamer(device: StreamDevice, options: StreamerOptions = {}): Streamer {
  return new Streamer(device, options);
}

/**
 * @internal `device.mapStream()`: `fn` over each chunk, its results written into one host array — a
 * one-shot streamer, destroyed when the call ends (its upload buffers go back to the pool mapped).
 */
export async function mapStream(device: StreamDevice, inputs: StreamInputs, fn: StreamFn, options: MapStreamOptions = {}): Promise<HostArray> {
  using s = streamerOf(device, 'mapStream', options);
  return await mapWith(s, 'mapStream', inputs, fn, options, ONE_SHOT_MAP_KEYS);
}

/** @internal `device.reduceStream()`: `fn` over each chunk, the results combined on the host (a one-shot streamer). */
export async function reduceStream<A>(device: StreamDevice, inputs: StreamInputs, fn: StreamFn, options: ReduceStreamOptions | FoldStreamOptions<A>): Promise<number | A> {
  const op = 'reduceStream';
  if (typeof options !== 'object' || (options as unknown) === null) throw new ArgumentError(`${op}: options must be an object with 'combine' ('sum', 'min' or 'max') or 'fold' and 'initial', got ${describeValue(options)}`);
  using s = streamerOf(device, op, options);
  return await reduceWith(s, op, inputs, fn, options, ONE_SHOT_REDUCE_KEYS);
}
