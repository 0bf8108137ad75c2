/**
 * A broadcast view far larger than any memory (2^52 elements of a 4-element array; issue 24, item 7):
 * sum, dot, mean, max and histogram refuse it at once with a typed error. Before, each built 2^27 chunk
 * descriptors first and the process died of heap exhaustion about a minute later.
 */
import { describe, expect } from 'vitest';
import { dot, histogram, LimitError, max, mean, sum, type DeviceArray } from '../../src/index.js';
import { gpuTest } from '../fixture.js';

const OPS: Record<string, (v: DeviceArray) => unknown> = {
  sum: (v) => sum(v),
  dot: (v) => dot(v, v),
  mean: (v) => mean(v),
  max: (v) => max(v),
  histogram: (v) => histogram(v, { bins: 4, lo: 0, hi: 4 }),
};

/** Each op over [1, 2, 3, 4] broadcast to 3×4: 3·10, 3·(1 + 4 + 9 + 16), 30 / 12, 4. */
const SMALL: Record<string, number> = { sum: 30, dot: 90, mean: 2.5, max: 4 };

describe('a 2^52-element broadcast view', () => {
  for (const [op, call] of Object.entries(OPS)) {
    gpuTest(`${op} refuses it at once with a LimitError`, async ({ device }) => {
      using x = device.array(new Float32Array([1, 2, 3, 4]));
      using v = x.broadcastTo([2 ** 50, 4]);
      expect(v.length).toBe(2 ** 52);
      const t0 = performance.now();
      let err: unknown;
      try {
        call(v);
      } catch (e) {
        err = e;
      }
      expect(performance.now() - t0).toBeLessThan(500);
      expect(err).toBeInstanceOf(LimitError);
      // Dawn names the op and the u32 element limit; gpujs refuses the host copy of the view (maxBufferSize).
      if (device.info.engine === 'dawn') expect((err as Error).message).toMatch(new RegExp(`^${op}: elements of its input: 4503599627370496 exceeds the device limit elements = 4294967295`));
      // The device is fine afterwards: the same op over a 3×4 broadcast of x is right (closed forms).
      using small = x.broadcastTo([3, 4]);
      const r = call(small) as DeviceArray | { counts: DeviceArray; outside: DeviceArray };
      if ('counts' in r) {
        using counts = r.counts;
        using outside = r.outside;
        // np.histogram: bins [0,1) [1,2) [2,3) [3,4], the last closed, so 4 = hi counts in it.
        expect(Array.from(await counts.toArray())).toEqual([0, 3, 3, 6]);
        expect(Array.from(await outside.toArray())).toEqual([0, 0, 0]);
      } else {
        using s = r;
        expect(await s.item()).toBe(SMALL[op]);
      }
    });
  }
});
