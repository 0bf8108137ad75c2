import { describe, expect } from 'vitest';
import { add, axpy, DestroyedError, LimitError, openDevice, ShapeError, sum, ArgumentError, DTypeError } from '../../src/index.js';
import { gpuTest } from '../fixture.js';

describe('bad input is refused with a typed error that names the problem', () => {
  gpuTest('arrays from another device', async ({ device }) => {
    await using other = await openDevice();
    using x = device.zeros(8);
    using y = other.zeros(8);
    expect(() => add(x, y)).toThrow(ArgumentError);
    expect(() => add(x, y)).toThrow(/different devices/);
    const k = await device.kernel('@group(0) @binding(0) var<storage, read_write> v: array<f32>;\n@compute @workgroup_size(1) fn main() { v[0] = 1.0; }');
    expect(() => { k.run({ v: y }, { workgroups: 1 }); }).toThrow(/'v' is an array of another device/);
  });

  gpuTest('non-finite and negative sizes', async ({ device }) => {
    expect(() => device.empty(Infinity)).toThrow(ShapeError);
    expect(() => device.empty(-3)).toThrow(/non-negative integer, got -3/);
    expect(() => device.zeros([2, -1])).toThrow(/in shape \[2, -1\]/);
    expect(() => device.empty([2 ** 40, 2 ** 20])).toThrow(ShapeError);
  });

  gpuTest('a destroyed array passed to an op', async ({ device }) => {
    const x = device.zeros(8);
    using y = device.zeros(8);
    x.destroy();
    expect(() => add(x, y)).toThrow(DestroyedError);
    expect(() => sum(x)).toThrow(/was destroyed/);
  });

  gpuTest('an array bigger than one storage binding is refused up front by ops, not truncated', async ({ device }) => {
    const max = device.limits.maxStorageBufferBindingSize;
    const n = max / 4 + 64;
    using big = device.empty(n); // a transfer-sized array is fine: only binding it is limited
    using other = device.empty(n);
    expect(() => axpy(1, big, other)).toThrow(LimitError);
    expect(() => sum(big)).toThrow(/maxStorageBufferBindingSize/);
  });

  gpuTest('scalars of the wrong kind to a builder', async ({ device }) => {
    const f = await device.elementwise({ args: 'x: T[], y: T[], k: i32', body: 'y = x * T(k)' });
    using x = device.zeros(4);
    expect(() => f({ x, k: 1.5 })).toThrow(/params.k: 1.5 is not an i32/);
    expect(() => f({ x, k: 'a' as never })).toThrow(/'k' is a scalar argument/);
    using xi = device.zeros(4, 'u32');
    using yf = device.zeros(4);
    expect(() => f({ x: xi, y: yf, k: 1 })).toThrow(DTypeError);
  });

  gpuTest('ops on a closed device', async () => {
    const d = await openDevice();
    const x = d.zeros(4);
    await d.close();
    expect(() => sum(x)).toThrow(/closed/);
    expect(() => add(x, x)).toThrow(/closed/);
  });
});
