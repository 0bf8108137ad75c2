import { describe, expect } from 'vitest';
import { random, randomU32Cpu, uniformCpu, normalCpu } from '../../src/index.js';
import { philox4x32_10 } from '../../src/ops/random.js';
import { expectAllClose, expectArrayEqual, gpuTest } from '../fixture.js';
import { test } from 'vitest';

describe('Philox4x32-10', () => {
  test('the CPU reference matches the Random123 known-answer vectors', () => {
    expect(philox4x32_10([0, 0, 0, 0], [0, 0]).map((v) => v.toString(16))).toEqual(['6627e8d5', 'e169c58d', 'bc57ac4c', '9b00dbd8']);
    const ones = 0xffffffff;
    expect(philox4x32_10([ones, ones, ones, ones], [ones, ones]).map((v) => v.toString(16))).toEqual(['408f276d', '41c83b0e', 'a20bc7c6', '6d5451fd']);
    expect(philox4x32_10([0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0]).map((v) => v.toString(16))).toEqual(['d16cfe09', '94fdcceb', '5001e420', '24126ea1']);
  });

  for (const n of [0, 1, 3, 4, 5, 63, 64, 65, 1001, 262_147]) {
    gpuTest(`u32 and uniform streams are bit-identical to the CPU at n = ${n}`, async ({ device }) => {
      using r = random.u32(device, n, { seed: 1234 });
      using u = random.uniform(device, n, { seed: 1234, offset: 7 });
      expectArrayEqual(await r.toArray(), randomU32Cpu(n, 1234));
      expectArrayEqual(await u.toArray(), uniformCpu(n, 1234, 7));
    });
  }

  gpuTest('normal agrees with the CPU within 1e-6 and has mean 0, variance 1', async ({ device }) => {
    const n = 1 << 18;
    using z = random.normal(device, n, { seed: 99n });
    const got = await z.toArray();
    expectAllClose(got, normalCpu(n, 99n), 0, 1e-6);
    let s = 0;
    let s2 = 0;
    for (const v of got) {
      s += v;
      s2 += v * v;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.01);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.01);
  });

  gpuTest('a stream drawn in pieces with offsets equals the stream drawn at once', async ({ device }) => {
    using all = random.uniform(device, 1000, { seed: 5 });
    using a = random.uniform(device, 333, { seed: 5 });
    using b = random.uniform(device, 667, { seed: 5, offset: 333 });
    const whole = await all.toArray();
    const joined = new Float32Array(1000);
    joined.set(await a.toArray());
    joined.set(await b.toArray(), 333);
    expectArrayEqual(joined, whole);
    const distinct = new Set(whole).size;
    expect(distinct).toBeGreaterThan(990);
  });

  gpuTest('bad offsets are refused', async ({ device }) => {
    expect(() => random.uniform(device, 4, { offset: -1 })).toThrow(/offset must be a non-negative safe integer/);
  });
});
