/**
 * toArray() and item() take one option, timeoutMs: an unknown key (a typo such as `timeout`) is an
 * ArgumentError naming it, never silently ignored (issue 24's rule: no ignored option). Both engines.
 */
import { expect } from 'vitest';
import { ArgumentError } from '../../src/index.js';
import { expectArrayEqual, gpuTest } from '../fixture.js';

gpuTest('an unknown readback option is refused, on plain arrays, views and item()', async ({ device }) => {
  using x = device.array(new Float32Array([1, 2, 3, 4]), 'f32', [2, 2]);
  using one = device.array(new Float32Array([7]));
  const bad = { timeout: 5 } as never;
  await expect(x.toArray(bad)).rejects.toThrow(ArgumentError);
  await expect(x.toArray(bad)).rejects.toThrow(/toArray: unknown option timeout; it takes timeoutMs/);
  await expect(x.toArray(new Float32Array(4), { timeoutMs: 1000, bogus: 1 } as never)).rejects.toThrow(/unknown option bogus/);
  await expect(x.T.toArray(bad)).rejects.toThrow(ArgumentError); // a view
  await expect(one.item(bad)).rejects.toThrow(ArgumentError);
  // The one option, and none, still work.
  expectArrayEqual(await x.T.toArray({ timeoutMs: 60_000 }), [1, 3, 2, 4]);
  expect(await one.item({})).toBe(7);
});
