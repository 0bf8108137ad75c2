/**
 * Recording a chain changes no semantics: errors belong to the call (a shape or dtype error, a destroyed
 * input are thrown by the op, not later); a write to an operand after the op was recorded (write, set, an
 * op's `out`, in place, destroy) does not change the recorded result; a failed input fails exactly the
 * results computed from it. References: NumPy, or the values written before.
 */
import { describe, expect } from 'vitest';
import { add, ArgumentError, DestroyedError, GpukitError, DTypeError, exp, mul, ShapeError, sqrt, sub, take, type DeviceArray, type GpuDevice } from '../../src/index.js';
import { expectAllClose, expectArrayEqual, gpuTest } from '../fixture.js';
import { numpy, npOut } from '../ops/helpers.js';

const X = new Float32Array([1, -2, 3.5, 0, -0, 8, 1e-3, 2 ** 20]);
const NEW = new Float32Array([9, 9, 9, 9, 9, 9, 9, 9]);

/** NumPy's `2 * x + 1` and `exp(2 * x + 1)` of the original values (float32 throughout). */
function reference(x: Float32Array): { lin: Float32Array; e: Float32Array } {
  const r = numpy('x = inp["x"]\nout["lin"] = np.float32(2) * x + np.float32(1)\nout["e"] = np.exp(out["lin"])', { x });
  return { lin: npOut(r, 'lin') as Float32Array, e: npOut(r, 'e') as Float32Array };
}

/** Records y = 2x + 1 and e = exp(y) on x, runs `write` on x, and checks both against the values before. */
async function afterWrite(device: GpuDevice, write: (x: DeviceArray) => DeviceArray | undefined): Promise<void> {
  const ref = reference(X);
  const x = device.array(X);
  const m = mul(x, 2);
  const y = add(m, 1);
  const e = exp(y);
  try {
    const r = write(x);
    if (r !== undefined && r !== x) r.destroy();
    expectArrayEqual(await y.toArray(), ref.lin);
    // exp of arguments up to 2^21: WGSL's exp within 3 + 2|a| ULP; Inf matches Inf.
    expectAllClose(await e.toArray(), ref.e, 2 ** -20, 0);
  } finally {
    for (const a of [m, y, e, x]) a.destroy();
  }
}

describe('a write to an operand after the op was recorded does not change its result', () => {
  gpuTest('x.write(...)', ({ device }) => afterWrite(device, (x) => x.write(NEW)));
  gpuTest('x.set(...) of a slice', ({ device }) => afterWrite(device, (x) => {
    x.set([[2, 6]], 42);
    return undefined;
  }));
  gpuTest('an op writing x in place (out: x)', ({ device }) => afterWrite(device, (x) => add(x, 100, { out: x })));
  gpuTest('a recorded op writing x in place (sqrt(x, { out: x }))', ({ device }) => afterWrite(device, (x) => sqrt(x, { out: x })));
  gpuTest('x destroyed', ({ device }) => afterWrite(device, (x) => {
    x.destroy();
    return undefined;
  }));
});

describe('operands destroyed after the call, before the chain runs', () => {
  gpuTest('a view operand destroyed, then its owner: the recorded result is still right', async ({ device }) => {
    const owner = device.array(X, 'f32', [2, 4]);
    const view = owner.transpose();
    const y = mul(view, 2);
    view.destroy();
    owner.destroy();
    try {
      const want = [0, 1, 2, 3].flatMap((j) => [0, 1].map((i) => 2 * (X[i * 4 + j] ?? NaN)));
      expectArrayEqual(await y.toArray(), want);
    } finally {
      y.destroy();
    }
  });
});

describe('errors belong to the call', () => {
  gpuTest('a shape error is thrown by the op that mismatches, inside a recorded chain', async ({ device }) => {
    using x = device.array(X);
    using bad = device.zeros([3]);
    using m = mul(x, 2);
    expect(() => add(m, bad)).toThrow(ShapeError);
    expectArrayEqual(await m.toArray(), X.map((v) => 2 * v));
  });

  gpuTest('a dtype error is thrown at the call (exp of i32)', ({ device }) => {
    using i = device.array(new Int32Array([1, 2]));
    using j = add(i, 1);
    expect(() => exp(j)).toThrow(DTypeError);
  });

  gpuTest('a destroyed input is an error at the call, recorded or not', ({ device }) => {
    const x = device.array(X);
    const m = mul(x, 2);
    x.destroy();
    expect(() => add(x, 1)).toThrow(DestroyedError);
    m.destroy();
    expect(() => exp(m)).toThrow(DestroyedError);
  });
});

describe('a failed input fails exactly the results computed from it', () => {
  gpuTest('exp(sub(failed, 1)) throws its error; a chain on a good array beside it does not', async ({ device }) => {
    using good = device.array(new Float32Array([1, 2, 3, 4]), 'f32', [2, 2]);
    using idx = device.array(new Int32Array([0, 9]));
    using failed = take(good, idx, 0); // index 9 is out of range: checked on the GPU, the op fails
    using a = sub(failed, 1);
    using bad = exp(a);
    using b = sub(good, 1);
    using fine = exp(b);
    await expect(bad.toArray()).rejects.toThrow(ArgumentError);
    await expect(device.sync()).rejects.toThrow(GpukitError); // the op's error, reported once
    expectAllClose(await fine.toArray(), [1, 2, 3, 4].map((v) => Math.exp(v - 1)), 2 ** -20, 0);
    // The intermediate, computed on its own now, fails too; the good one's does not.
    await expect(a.toArray()).rejects.toThrow(ArgumentError);
    expectAllClose(await b.toArray(), [0, 1, 2, 3], 0, 0);
  });
});
