/**
 * Calls `call` and awaits what it returns, for the bad-argument sweeps: the error it threw or rejected with, or
 * (when it did not fail) its result, whose device arrays are destroyed here (a result, or the `keys`, `values`,
 * `counts` and `outside` arrays of a result object).
 */
export async function settle(call: () => unknown): Promise<{ readonly failed: true; readonly error: unknown } | { readonly failed: false }> {
  let result: unknown;
  try {
    result = call();
    if (result instanceof Promise) result = await result;
  } catch (error) {
    return { failed: true, error };
  }
  const r = result as { keys?: unknown; values?: unknown; counts?: unknown; outside?: unknown } | null | undefined;
  for (const a of [result, r?.keys, r?.values, r?.counts, r?.outside]) (a as { destroy?: () => void } | null | undefined)?.destroy?.();
  return { failed: false };
}
