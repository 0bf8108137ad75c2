/**
 * Streams under abuse: an input (or `out`) detached or resized mid-stream, the device closed inside `fn`
 * or from another task, a streamer's `fn` calling that same streamer. Each rejects with a typed error
 * naming the stream, leaves no unhandled rejection, and (unless the device was closed) leaves the device
 * usable: the check after each case streams again and compares with a float64 loop. The data are small
 * integers, so every f32 result (a product by 2, a partial sum under 2^24) is exact and compared exactly.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ArgumentError, DestroyedError, DTypeError, openDevice, ReentrantCallError, scale, ShapeError, sum, type DeviceArray, type GpuDevice } from '../../src/index.js';
import { ENGINE, expectArrayEqual, gpuTest } from '../fixture.js';

const n = 10_007;
const chunk = 1000;

/** Integers in [-8, 8]: exact in f32, and so are their sums here. */
function ints(len: number, seed: number): Float32Array {
  return Float32Array.from({ length: len }, (_, i) => ((i * 7 + seed) % 17) - 8);
}

/** The device still streams right: a map (×2) and a sum against float64 loops, both chunked and in one chunk. */
async function expectUsable(device: GpuDevice): Promise<void> {
  const a = ints(n, 3);
  let ref = 0;
  for (const v of a) ref += v;
  const twice = Array.from(a, (v) => 2 * v);
  for (const options of [{ chunk }, {}]) {
    expectArrayEqual(await device.mapStream(a, (x) => scale(x, 2), options), twice);
    expect(await device.reduceStream(a, (x) => sum(x), { ...options, combine: 'sum' })).toBe(ref);
  }
  using s = device.streamer({ chunk, route: 'chunked' });
  expectArrayEqual(await s.map(a, (x) => scale(x, 2)), twice);
}

/** fn for input `a` that, on its second chunk, does `act` (after which the stream must fail). */
function actingAt(act: () => void): (x: DeviceArray) => DeviceArray {
  let k = 0;
  return (x) => {
    if (k++ === 1) act();
    return scale(x, 2);
  };
}

/** ES2024's resizable ArrayBuffer (Node 20 has it; the TS lib in use does not declare it). */
type ResizableBuffer = new (bytes: number, options: { maxByteLength: number }) => ArrayBuffer & { resize(bytes: number): void };

const transfer = (b: ArrayBufferLike): void => void structuredClone(b, { transfer: [b as ArrayBuffer] });

describe('an input or out changed while streaming', () => {
  // On Dawn: chunked pipeline (mapStream with a chunk), and the plain route over several chunks (a streamer
  // forced to it); on gpujs both run the plain path.
  const ways = [
    { name: 'mapStream', run: (d: GpuDevice, a: Float32Array, fn: (x: DeviceArray) => DeviceArray) => d.mapStream(a, fn, { chunk }) },
    {
      name: 'reduceStream',
      run: (d: GpuDevice, a: Float32Array, fn: (x: DeviceArray) => DeviceArray) => d.reduceStream(
        a,
        (x) => {
          using y = fn(x);
          return sum(y);
        },
        { chunk, combine: 'sum' },
      ),
    },
    {
      name: 'streamer.map',
      run: async (d: GpuDevice, a: Float32Array, fn: (x: DeviceArray) => DeviceArray) => {
        using s = d.streamer({ chunk, route: 'plain' });
        return await s.map(a, fn);
      },
    },
  ] as const;

  for (const way of ways) {
    gpuTest(`${way.name}: an input detached mid-stream is a ShapeError, and the device keeps working (was: a raw TypeError, then every stream failed)`, async ({ device }) => {
      const a = ints(n, 1);
      await expect(way.run(device, a, actingAt(() => { transfer(a.buffer); }))).rejects.toThrow(ShapeError);
      await expect(way.run(device, ints(n, 1), actingAt(() => undefined))).resolves.toBeDefined();
      await expectUsable(device);
    });

    gpuTest(`${way.name}: an input shrunk mid-stream is a ShapeError naming it, and the device keeps working`, async ({ device }) => {
      const buffer = new (ArrayBuffer as unknown as ResizableBuffer)(n * 4, { maxByteLength: n * 4 });
      const a = new Float32Array(buffer);
      a.set(ints(n, 2));
      const error = await way.run(device, a, actingAt(() => { buffer.resize(100); })).then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(ShapeError);
      expect((error as Error).message).toMatch(new RegExp(`^${way.name.replace('.', '\\.')}: input 0 was resized to 25 elements while streaming its ${n} elements`));
      await expectUsable(device);
    });
  }

  gpuTest('an input detached before the call is an ArgumentError, not an empty result (both engines)', async ({ device }) => {
    const a = ints(n, 4);
    transfer(a.buffer);
    await expect(device.mapStream(a, (x) => scale(x, 2))).rejects.toThrow(/^mapStream: input 0 is detached/);
    await expect(device.reduceStream([ints(0, 1), a], (x) => sum(x), { combine: 'sum' })).rejects.toThrow(/^reduceStream: input 1 is detached/);
    await expectUsable(device);
  });

  gpuTest("a detached 'out' is an ArgumentError on both engines (was: 0 elements on gpujs), also for an empty input", async ({ device }) => {
    for (const len of [0, n]) {
      const out = new Float32Array(len);
      transfer(out.buffer);
      const error = await device.mapStream(ints(len, 5), (x) => scale(x, 2), { out, chunk }).then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(ArgumentError);
      expect((error as Error).message).toBe("mapStream: option 'out' is detached (its ArrayBuffer was transferred)");
    }
    await expectUsable(device);
  });

  gpuTest("an 'out' detached mid-stream is a ShapeError, and the device keeps working", async ({ device }) => {
    const out = new Float32Array(n);
    await expect(device.mapStream(ints(n, 6), actingAt(() => { transfer(out.buffer); }), { out, chunk })).rejects.toThrow(/^mapStream: option 'out' was detached .* while streaming 10007 elements into it/);
    await expectUsable(device);
  });
});

describe('closing the device while a stream runs', () => {
  // Node reports an unhandled rejection on the process: any during a test fails it (vitest also would).
  let unhandled: unknown[] = [];
  const onUnhandled = (e: unknown): void => void unhandled.push(e);
  beforeEach(() => {
    unhandled = [];
    process.on('unhandledRejection', onUnhandled);
  });
  afterEach(() => void process.off('unhandledRejection', onUnhandled));

  /** Lets Dawn report what it rejects after a destroy (its AbortErrors come on a later turn of the loop). */
  const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 50));

  it('inside fn: DestroyedError, no unhandled AbortError (was: exit 1 on Dawn)', async () => {
    const other = await openDevice({ engine: ENGINE });
    const a = ints(n, 7);
    const error = await other.mapStream(a, actingAt(() => void other.close()), { chunk }).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(DestroyedError);
    await other.close();
    if (other.info.engine === 'dawn') {
      // A wait begun on a closed device (a map of an upload buffer) rejects typed, and its own promise is handled.
      await expect(other.ctx.guard(Promise.reject(new DOMException('', 'AbortError')))).rejects.toThrow(DestroyedError);
    }
    await settle();
    expect(unhandled).toEqual([]);
  });

  it('from another task, at each point of a chunked stream: DestroyedError, never an empty DOMException', async () => {
    // The close lands while the stream waits for an upload buffer's map, a readback or fn: try a few points.
    for (const delay of [0, 1, 2, 3, 5]) {
      const other = await openDevice({ engine: ENGINE });
      const a = ints(4 * n, 8);
      const p = other.mapStream(a, (x) => scale(x, 2), { chunk });
      const closed = new Promise<void>((r) => setTimeout(() => void other.close().then(r), delay));
      const result = await p.then((v) => v, (e: unknown) => e);
      await closed;
      if (result instanceof Float32Array) expectArrayEqual(result, Array.from(a, (v) => 2 * v)); // finished first
      else expect(result, `close after ${delay} ms`).toBeInstanceOf(DestroyedError);
      await settle();
      expect(unhandled, `close after ${delay} ms`).toEqual([]);
    }
  });
});

describe("a streamer's fn calling that same streamer", () => {
  /** Fails (instead of hanging) if `p` has not settled within 5 s: a deadlock is a test failure. */
  function guarded<T>(p: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const hang = new Promise<never>((_, reject) => (timer = setTimeout(() => { reject(new Error('deadlock: not settled in 5 s')); }, 5000)));
    return Promise.race([p, hang]).finally(() => { clearTimeout(timer); });
  }

  gpuTest('is refused at once with ReentrantCallError (was: a deadlock); the streamer and device keep working', async ({ device }) => {
    const a = ints(n, 9);
    using s = device.streamer({ chunk });
    const awaited = s.map(a, async (x) => {
      await s.map(a, (y) => scale(y, 3));
      return scale(x, 2);
    });
    await expect(guarded(awaited)).rejects.toThrow(/^streamer\.map: called from inside this streamer's own fn/);
    const fromReduce = s.reduce(a, async (x) => {
      await s.reduce(a, (y) => sum(y), { combine: 'sum' });
      return sum(x);
    }, { combine: 'sum' });
    await expect(guarded(fromReduce)).rejects.toThrow(ReentrantCallError);
    // Not awaited inside fn: the inner call still rejects at once, and the outer call is unharmed.
    let inner: Promise<unknown> | undefined;
    const outer = await guarded(s.map(a, (x) => {
      inner ??= s.map(a, (y) => y).then(() => null, (e: unknown) => e);
      return scale(x, 2);
    }));
    expect(await inner).toBeInstanceOf(ReentrantCallError);
    expectArrayEqual(outer, Array.from(a, (v) => 2 * v));
    // Another streamer (or a one-shot stream) inside fn is no re-entry: it runs, nested.
    using t = device.streamer({ chunk: 300 });
    const nested = await guarded(s.map(a, async (x) => {
      const part = await t.reduce(ints(1000, 1), (y) => sum(y), { combine: 'sum' });
      return scale(x, part === ints(1000, 1).reduce((u, v) => u + v, 0) ? 2 : 0);
    }));
    expectArrayEqual(nested, Array.from(a, (v) => 2 * v));
    // Calls made one after another from outside still run, on the same streamer.
    expectArrayEqual(await guarded(s.map(a, (x) => scale(x, 2))), Array.from(a, (v) => 2 * v));
    await expectUsable(device);
  });
});

describe('bad arguments name the stream and the argument, before any work', () => {
  gpuTest('unknown keys, wrong array types, a bad timeout, fold without initial, combine with fold', async ({ device }) => {
    const a = ints(n, 10);
    const f = (x: DeviceArray): DeviceArray => scale(x, 2);
    const created = device.memory.created;
    const cases: [() => Promise<unknown>, new (...args: never[]) => Error, RegExp][] = [
      // Each was silently ignored, ran the whole stream before failing, or failed without naming the stream.
      [() => device.mapStream(a, f, { chnk: 5 } as object), ArgumentError, /^mapStream: unknown options key chnk; it takes chunk, depth, timeoutMs, out$/],
      [() => device.reduceStream(a, (x) => sum(x), { combine: 'sum', dept: 2 } as { combine: 'sum' }), ArgumentError, /^reduceStream: unknown options key dept/],
      [() => device.mapStream(new Float64Array(8) as unknown as Float32Array, f), DTypeError, /^mapStream: input 0 must be a Float32Array, Int32Array or Uint32Array, got a Float64Array$/],
      [() => device.mapStream([a, new Uint8Array(n) as unknown as Float32Array], f), DTypeError, /^mapStream: input 1 must be .* got a Uint8Array$/],
      [() => device.mapStream(a, f, { out: new Float64Array(n) as unknown as Float32Array }), DTypeError, /^mapStream: option 'out' must be a Float32Array, Int32Array or Uint32Array, got a Float64Array$/],
      [() => device.mapStream(a, f, { out: new DataView(new ArrayBuffer(4 * n)) as unknown as Float32Array }), DTypeError, /^mapStream: option 'out' must be .* got a DataView$/],
      [() => device.mapStream(a, f, { timeoutMs: -1 }), ArgumentError, /^mapStream: option 'timeoutMs' must be a positive number of ms, got number -1$/],
      [() => device.reduceStream(a, (x) => sum(x), { combine: 'sum', timeoutMs: Number.NaN }), ArgumentError, /^reduceStream: option 'timeoutMs' must be a positive number of ms/],
      [() => device.reduceStream(a, (x) => sum(x), { fold: (acc: number) => acc } as unknown as { combine: 'sum' }), ArgumentError, /^reduceStream: option 'fold' needs 'initial'/],
      [() => device.reduceStream(a, (x) => sum(x), { combine: 'sum', fold: (acc: number) => acc, initial: 0 } as { combine: 'sum' }), ArgumentError, /^reduceStream: give option 'combine' or options 'fold' and 'initial', not both$/],
    ];
    for (const [run, type, message] of cases) {
      const error = await run().then(() => null, (e: unknown) => e);
      expect(error, String(message)).toBeInstanceOf(type);
      expect((error as Error).message).toMatch(message);
    }
    expect(device.memory.created, 'refused before any allocation').toBe(created);
    expect(() => device.streamer({ chnk: 5 } as object)).toThrow(/^streamer: unknown options key chnk; it takes chunk, depth, mappedUploadBytes, route$/);
    using s = device.streamer({ chunk });
    // chunk and depth are the streamer's: a call cannot change them (was: silently ignored).
    await expect(s.map(a, f, { chunk: 4 } as object)).rejects.toThrow(/^streamer\.map: unknown options key chunk; it takes out, timeoutMs$/);
    await expect(s.reduce(a, (x) => sum(x), { combine: 'sum', depth: 1 } as { combine: 'sum' })).rejects.toThrow(/^streamer\.reduce: unknown options key depth/);
    await expect(s.map(a, f, { timeoutMs: 0 })).rejects.toThrow(/^streamer\.map: option 'timeoutMs' must be a positive number/);
    await expectUsable(device);
  });
});
