import { expect } from 'vitest';

/** What `fn` throws, or undefined when it returns. */
export function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}

/** `fn` throws an instance of `type` whose message is exactly `message`; returns the error. */
export function throwsExactly<E extends Error>(fn: () => unknown, type: abstract new (...args: never[]) => E, message: string): E {
  const e = thrownBy(fn);
  expect(e).toBeInstanceOf(type);
  expect((e as Error).message).toBe(message);
  return e as E;
}
