/**
 * A jsKernel must return one number per thread. In every gpu.js mode, a kernel returning something else (a
 * string, a boolean, an array, nothing, null) is an ArgumentError naming jsKernel — thrown when built for
 * an empty `return` or `return null` (webasm would store 0), else when reading its output — never zeros,
 * with or without array arguments (a kernel of scalars only is one op of the queue too).
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { ArgumentError, type GpuDevice } from '../../src/index.js';
import { expectArrayEqual } from '../fixture.js';
import { closeAll, openGpujsModes } from './modes.js';

interface Thread {
  readonly thread: { readonly x: number };
}

let devices: GpuDevice[] = [];
beforeAll(async () => {
  devices = await openGpujsModes();
});
afterAll(async () => {
  await closeAll(devices);
});

test('a jsKernel returning a string, a boolean or an array fails its output with an ArgumentError, with or without array arguments', async () => {
  expect(devices.map((d) => d.info.backend)).toEqual(expect.arrayContaining(['webasm', 'cpu']));
  // Each body without an argument and with an array argument it reads (the op then has an input too).
  const bad: [string, (...a: never[]) => unknown][] = [
    ['a string', function () { return 'abc'; }],
    ['a string from data', function (this: Thread, a: number[]) { return `q${a[this.thread.x] as number}`; }],
    ['a boolean', function (this: Thread) { return this.thread.x > 1; }],
    ['a boolean from data', function (this: Thread, a: number[]) { return (a[this.thread.x] as number) > 1; }],
    ['an array', function () { return [1, 2]; }],
    ['an array from data', function (this: Thread, a: number[]) { return [a[this.thread.x] as number, 2]; }],
  ];
  for (const device of devices) {
    using x = device.array(new Float32Array([1, 2, 3]));
    for (const [name, f] of bad) {
      const what = `gpu.js ${device.info.backend}: returning ${name}`;
      const k = device.jsKernel(f, { output: 3 });
      using out = f.length === 0 ? k() : k(x);
      const e = await out.toArray().catch((err: unknown) => err);
      expect(e, what).toBeInstanceOf(ArgumentError);
      expect((e as Error).message, what).toMatch(/^jsKernel: /);
      await expect(device.sync(), what).rejects.toBe(e);
    }
    // A kernel that returns a number still runs, on the same device.
    using ok = device.jsKernel(function (this: Thread, a: number[]) {
      return 2 * (a[this.thread.x] as number);
    }, { output: 3 })(x);
    expectArrayEqual(await ok.toArray(), [2, 4, 6]);
  }
});

test('a jsKernel with an empty return or return null is refused when built', () => {
  for (const device of devices) {
    const empty: (() => unknown)[] = [
      function () {
        return;
      },
      function () {
        return null;
      },
      function () {
        return undefined;
      },
      function (this: Thread) {
        if (this.thread.x > 0) return 1;
        return;
      },
    ];
    for (const f of empty) {
      const what = `${device.info.backend}: ${String(f).replace(/\s+/g, ' ')}`;
      expect(() => device.jsKernel(f, { output: 3 }), what).toThrow(ArgumentError);
      expect(() => device.jsKernel(f, { output: 3 }), what).toThrow(/it must return one number per thread/);
    }
  }
});
