import { DeviceUnavailableError, GpukitError, InvalidFileError, UsageError } from '../errors.js';

/** Exit code of a command line that asks for something impossible (commander's own errors included). */
export const EXIT_USAGE = 2;

/**
 * Runs a CLI action and turns gpukit's typed errors into one line on stderr and an exit code: 2 for usage
 * errors and files that cannot be used, 1 without an adapter or for any other gpukit error. Anything else is
 * a bug and keeps its stack.
 *
 * @example
 * ```ts
 * process.exitCode = await cliAction('bench', () => benchCommand(o));
 * ```
 */
export async function cliAction(command: string, action: () => Promise<number> | number): Promise<number> {
  try {
    return await action();
  } catch (e) {
    if (e instanceof DeviceUnavailableError) {
      console.error(`gpukit ${command}: no usable GPU adapter.\n${e.message}`);
      return 1;
    }
    if (e instanceof UsageError || e instanceof InvalidFileError) {
      console.error(`gpukit ${command}: ${oneLine(e.message)}`);
      return EXIT_USAGE;
    }
    if (e instanceof GpukitError) {
      // Other typed errors keep their lines (a shader's diagnostics), without the stack.
      console.error(`gpukit ${command}: ${e.name}: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

const oneLine = (s: string): string => s.replace(/\s*\n\s*/g, ' ');

/**
 * A failed write to standard output (a full disk, `/dev/full`, a closed pipe) becomes one line on stderr,
 * `gpukit: InvalidFileError: standard output cannot be written (ENOSPC)`, and exit code 2 — instead of an
 * unhandled 'error' event (a stack, exit 1), or exit 0 when the write came just before `process.exit()`
 * (`--help`, `--version`: the error is then never emitted, only recorded on the stream). Call once, first.
 *
 * @example
 * ```ts
 * watchStdout(); // gpukit info > /dev/full → exit 2
 * ```
 */
export function watchStdout(): void {
  let failure: Error | undefined;
  process.stdout.on('error', (e: Error) => {
    failure ??= e;
  });
  process.on('exit', () => {
    const e = failure ?? process.stdout.errored;
    if (e === null) return;
    const err = new InvalidFileError('standard output', `cannot be written (${(e as NodeJS.ErrnoException).code ?? e.message})`);
    process.stderr.write(`gpukit: ${err.name}: ${oneLine(err.message)}\n`);
    process.exitCode = EXIT_USAGE;
  });
}
