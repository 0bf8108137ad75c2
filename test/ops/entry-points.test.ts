/**
 * What plain JavaScript can pass to the elementwise, math and indexing entry points — null, undefined, a
 * number, a string, an object, a plain array, a host typed array, a function, a symbol — in each argument
 * position: a GpukitError (typed, naming the op), never a raw TypeError from inside. Both engines.
 */
import { expect } from 'vitest';
import * as gk from '../../src/index.js';
import { DeviceArray, GpukitError } from '../../src/index.js';
import { gpuTest } from '../fixture.js';

const BAD: readonly unknown[] = [null, undefined, 3, 'a', {}, [1, 2], new Float32Array(2), () => 1, Symbol('s')];

function show(v: unknown): string {
  return typeof v === 'symbol' ? 'a symbol' : typeof v === 'function' ? 'a function' : v instanceof Float32Array ? 'a Float32Array' : v === undefined ? 'undefined' : JSON.stringify(v);
}

gpuTest('every argument position of the elementwise, math and indexing ops refuses bad values with a typed error', async ({ device }) => {
  using x = device.array(new Float32Array([1, 2, 3, 4]));
  using idx = device.array(new Int32Array([0, 1, 2, 3]));
  using mask = gk.gt(x, x);
  const calls: Record<string, readonly unknown[]> = {
    add: [x, x], sub: [x, x], mul: [x, x], scale: [x, 2], axpy: [2, x, x], map: [x, 'x * 2.0'],
    div: [x, x], pow: [x, x], maximum: [x, x], minimum: [x, x], neg: [x], abs: [x], exp: [x], log: [x], log1p: [x], expm1: [x],
    sqrt: [x], rsqrt: [x], sin: [x], cos: [x], tanh: [x], sigmoid: [x], relu: [x], floor: [x], ceil: [x], round: [x], sign: [x],
    clip: [x, 0, 1], eq: [x, x], ne: [x, x], lt: [x, x], le: [x, x], gt: [x, x], ge: [x, x], where: [mask, x, x], astype: [x, 'i32'],
    softmax: [x, -1], logsumexp: [x, -1, false], take: [x, idx], scatterAdd: [x, idx, x], segmentSum: [x, idx, 4], segmentMax: [x, idx, 4],
  };
  const raw: string[] = [];
  for (const [name, args] of Object.entries(calls)) {
    const f = (gk as unknown as Record<string, (...a: unknown[]) => unknown>)[name];
    expect(typeof f, name).toBe('function');
    for (let k = 0; k < args.length; k++) {
      for (const b of BAD) {
        const a = [...args];
        a[k] = b;
        try {
          const r = f?.(...a);
          // A bad value some positions accept (undefined for an optional argument): the op ran; free its result.
          if (r instanceof DeviceArray && r !== x) r.destroy();
        } catch (e) {
          if (!(e instanceof GpukitError)) raw.push(`${name}, argument ${k} = ${show(b)}: ${(e as Error).constructor.name}: ${(e as Error).message}`);
        }
      }
    }
  }
  for (const b of BAD) {
    await gk.bincount(b as DeviceArray).catch((e: unknown) => {
      if (!(e instanceof GpukitError)) raw.push(`bincount(${show(b)}): ${(e as Error).message}`);
    });
  }
  expect(raw).toEqual([]);
  // Calls that ran on x in place (scatterAdd with an accepted value) leave no failure behind for the fixture.
  await device.sync().catch(() => undefined);
});
