/**
 * Every error gpukit throws is a {@link GpukitError}; the subclasses name the kind of problem so callers can
 * branch on `instanceof` (or on `code`) instead of parsing messages.
 *
 * @example
 * ```ts
 * try { await device.kernel(src); } catch (e) { if (e instanceof ShaderCompileError) console.log(e.diagnostics); }
 * ```
 */
export class GpukitError extends Error {
  /** A stable, machine-readable name of the error kind (`'ShaderCompileError'` ...). */
  readonly code: string;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = new.target.name;
  }
}

/** No adapter or device could be had (or a forced backend/adapter/feature level does not exist). */
export class DeviceUnavailableError extends GpukitError {
  /** Adapters that do exist on this machine, as `backend/featureLevel: description`. */
  readonly available: readonly string[];
  constructor(message: string, available: readonly string[] = [], options?: ErrorOptions) {
    super(available.length > 0 ? `${message}\nAdapters found: ${available.join('; ')}` : message, options);
    this.available = available;
  }
}

/** The device was lost (destroyed underneath, driver reset) or closed; every later call throws this. */
export class DeviceLostError extends GpukitError {
  readonly reason: string;
  constructor(message: string, reason = 'unknown') {
    super(message);
    this.reason = reason;
  }
}

/**
 * A readback (or `sync()`) waited longer than its timeout: the GPU is still running earlier work (a runaway
 * kernel). The device is then unusable — later calls throw {@link DeviceLostError} with reason `timeout` —
 * and `close()` abandons it without waiting for the GPU.
 */
export class TimeoutError extends DeviceLostError {
  readonly timeoutMs: number;
  constructor(message: string, timeoutMs: number) {
    super(message, 'timeout');
    this.timeoutMs = timeoutMs;
  }
}

/** One WGSL compiler message, located in the source the user wrote. */
export interface ShaderDiagnostic {
  readonly severity: 'error' | 'warning' | 'info';
  /** 1-based line in the user's source (or in the generated code when it has no user-source position). */
  readonly line: number;
  /** 1-based column. */
  readonly column: number;
  readonly message: string;
  /** The offending source line, verbatim. */
  readonly sourceLine: string;
}

/** WGSL failed to compile; `diagnostics` lists each error with its line and column. */
export class ShaderCompileError extends GpukitError {
  readonly diagnostics: readonly ShaderDiagnostic[];
  constructor(label: string, diagnostics: readonly ShaderDiagnostic[], extra = '') {
    const lines = diagnostics.map(
      (d) => `  ${d.line}:${d.column} ${d.severity}: ${d.message}\n    ${d.sourceLine}\n    ${' '.repeat(Math.max(0, d.column - 1))}^`,
    );
    super(`WGSL of '${label}' failed to compile:\n${lines.join('\n')}${extra}`);
    this.diagnostics = diagnostics;
  }
}

/** WebGPU reported a validation (or out-of-memory) error for work gpukit submitted. */
export class ValidationError extends GpukitError {}

/**
 * The device could not allocate memory (a buffer over the memory budget, or WebGPU's out-of-memory error).
 * The device stays usable: free arrays (or `device.trimMemory()`) and try again.
 */
export class OutOfMemoryError extends GpukitError {}

/** A second `device.profile()` started while one was recording on the same device. */
export class ProfileConflictError extends GpukitError {}

/**
 * A call that would wait for itself: a streamer's `map()` / `reduce()` called from inside that streamer's own
 * `fn` (calls on one streamer take turns, so it would deadlock). It is refused at once.
 *
 * @example
 * ```ts
 * await s.map(a, async (x) => { await s.map(b, f); return x; }); // rejects with ReentrantCallError
 * ```
 */
export class ReentrantCallError extends GpukitError {}

/** An array has the wrong element type for what it was passed to. */
export class DTypeError extends GpukitError {}

/** Shapes or lengths do not match, or a size is not a valid size. */
export class ShapeError extends GpukitError {}

/** A request exceeds a device limit; `limit` names it, `requested` and `allowed` give both sides. */
export class LimitError extends GpukitError {
  readonly limit: string;
  readonly requested: number;
  readonly allowed: number;
  /** `hint`, when given, says what to do instead (appended after a semicolon). */
  constructor(limit: string, requested: number, allowed: number, what: string, hint?: string) {
    super(`${what}: ${requested} exceeds the device limit ${limit} = ${allowed}${hint !== undefined ? `; ${hint}` : ''}`);
    this.limit = limit;
    this.requested = requested;
    this.allowed = allowed;
  }
}

/** A kernel argument is missing, unknown, of the wrong kind (storage vs uniform) or of the wrong value. */
export class ArgumentError extends GpukitError {}

/**
 * An integer result does not fit its dtype (WebGPU has no 64-bit integers): `sum`, `prod` or `cumsum` of
 * i32/u32 whose exact value lies outside the dtype's range. Never a wrap: the op fails with this error (on
 * Dawn at the next readback or `sync()`, as an out-of-range index does). `op` names the op.
 */
export class OverflowError extends GpukitError {
  readonly op: string;
  constructor(op: string, message: string) {
    super(message);
    this.op = op;
  }
}

/**
 * An index out of range for its axis (`x.slice(5)` on an axis of extent 5; Python's IndexError): an
 * ArgumentError, so code catching those keeps working.
 */
export class IndexError extends ArgumentError {}

/**
 * A GPU buffer gpukit did not make (a wrapped outside buffer) lacks a usage flag what was asked needs:
 * `flag` names it (`STORAGE` to bind it in a kernel, `COPY_SRC` to read it back or copy from it, `COPY_DST`
 * to write or copy into it). An ArgumentError, so code catching those keeps working.
 *
 * @example
 * ```ts
 * try { await wrapped.toArray(); } catch (e) { if (e instanceof BufferUsageError) console.error(e.flag); } // 'COPY_SRC'
 * ```
 */
export class BufferUsageError extends ArgumentError {
  readonly flag: string;
  constructor(flag: string, message: string) {
    super(message);
    this.flag = flag;
  }
}

/** An array, kernel or device was used after `destroy()` / `close()`. */
export class DestroyedError extends GpukitError {}

/** The operation needs WGSL (Dawn) and the device runs on another engine. */
export class UnsupportedOnEngineError extends GpukitError {}

/**
 * A file gpukit reads or writes cannot be used: missing, a directory or device, too large, unwritable, or not
 * the shape expected (a bench report, a tuning cache). `path` names it; the message is one line.
 *
 * @example
 * ```ts
 * try { readReport('a.json'); } catch (e) { if (e instanceof InvalidFileError) console.error(e.message); }
 * ```
 */
export class InvalidFileError extends GpukitError {
  readonly path: string;
  constructor(path: string, problem: string, options?: ErrorOptions) {
    super(`${path} ${problem}`, options);
    this.path = path;
  }
}

/**
 * A command line asks for something that cannot be done (an unknown op or contender, a size out of range, an
 * output path that cannot be written); the CLI prints the message alone and exits with code 2.
 *
 * @example
 * ```ts
 * throw new UsageError("--sizes: bad size '2^40': at most 2^32 elements");
 * ```
 */
export class UsageError extends GpukitError {}

/**
 * A fleet job (`gpukit/fleet`) did not give a result: one or more shards failed after their attempts (each
 * shard's error is in `failures`), a shard went missing, or the job was not finished in time. `jobId` names the
 * BullMQ parent job.
 *
 * @example
 * ```ts
 * try { await f.run({ module, shards }); } catch (e) { if (e instanceof FleetJobError) console.error(e.failures); }
 * ```
 */
export class FleetJobError extends GpukitError {
  readonly jobId: string;
  readonly failures: readonly { readonly index: number; readonly error: string }[];
  constructor(jobId: string, message: string, failures: readonly { readonly index: number; readonly error: string }[] = []) {
    super(message);
    this.jobId = jobId;
    this.failures = failures;
  }
}

/**
 * The fleet's Redis did not answer within the wait: down, unreachable, or refusing the connection's password.
 * `url` names it with any password hidden; the message says the last connection error.
 *
 * @example
 * ```ts
 * try { await f.workers(); } catch (e) { if (e instanceof RedisUnavailableError) console.error(e.message); }
 * ```
 */
export class RedisUnavailableError extends GpukitError {
  readonly url: string;
  constructor(url: string, message: string) {
    super(message);
    this.url = url;
  }
}
