// Every public op and factory, called with null, undefined, wrong-typed arguments and options, a Proxy of a
// DeviceArray: each call must throw (or reject with) a GpukitError subclass — the one listed, the same on
// every engine — and never a raw TypeError or RangeError from deep inside.
import { describe, expect, test } from 'vitest';
import {
  add, argmax, argmin, ArgumentError, axpy, dot, DTypeError, fft, GpukitError, histogram, ifft, LimitError, map, matmul,
  max, mean, min, mul, norm, openDevice, random, scale, scan, ShapeError, sort, sortPairs,
  sub, sum, transpose, UnsupportedOnEngineError,
  type DeviceArray, type GpuDevice,
} from '../../src/index.js';
import { argCpu, fftCpu, histogramCpu, matmulCpu, normalCpu, randomU32Cpu, scanCpu, sortCpu, sortPairsCpu, transposeCpu, uniformCpu } from '../../src/testing/index.js';
import { dawnTest, gpuTest } from '../fixture.js';
import { settle } from './settle.js';

type ErrorClass = abstract new (...args: never[]) => Error;
type Case = readonly [name: string, call: () => unknown, expected: ErrorClass];

/** Runs each case; returns one line per case that did not throw the expected typed error. */
async function probe(cases: readonly Case[]): Promise<string[]> {
  const wrong: string[] = [];
  for (const [name, call, expected] of cases) {
    const r = await settle(call);
    const error = r.failed ? r.error : undefined;
    if (!r.failed) {
      wrong.push(`${name}: did not throw`);
    } else if (!(error instanceof GpukitError)) {
      wrong.push(`${name}: raw ${error instanceof Error ? `${error.name}: ${error.message}` : typeof error}`);
    } else if (!((error as unknown) instanceof expected)) {
      wrong.push(`${name}: ${error.name} (${error.message}), expected ${expected.name}`);
    }
  }
  return wrong;
}

/** Values that are not a DeviceArray, and a Proxy of one (which passes instanceof but cannot reach its memory). */
function notArrays(x: DeviceArray): [string, unknown][] {
  return [['null', null], ['undefined', undefined], ['a string', 'x'], ['a number', 5], ['an object', {}], ['a Float32Array', new Float32Array(4)], ['a Proxy of a DeviceArray', new Proxy(x, {})]];
}

const badOptions: [string, unknown][] = [['null', null], ['a number', 5], ['a string', 'x'], ['an array', []], ['an unknown key', { bogus: 1 }]];

describe('every public function refuses bad arguments with a typed GpukitError, the same on every engine', () => {
  gpuTest('ops: arrays that are not DeviceArrays, scalars that are not numbers, options that are not objects', async ({ device }) => {
    using x = device.array([1, 2, 3, 4]);
    using y = device.array([5, 6, 7, 8]);
    using u = device.array([0, 1, 2, 3], 'u32');
    using c = device.array([1, 0, 0, 0, 0, 0, 0, 0]); // 4 complex numbers
    const cases: Case[] = [];
    for (const [what, bad] of notArrays(x)) {
      const b = bad as DeviceArray;
      for (const [op, f] of [['add', add], ['sub', sub], ['mul', mul]] as const) {
        // A number is a scalar operand now (the standard's Python scalars: test/ops/promotion.test.ts checks them).
        if (what !== 'a number') cases.push([`${op}(${what}, y)`, () => f(b, y), ArgumentError], [`${op}(x, ${what})`, () => f(x, b), ArgumentError]);
        // A plain object in out's place is the options object now (`add(x, y, { out })`): one with an unknown key is refused.
        if (what === 'an object') cases.push([`${op}(x, y, { bogus: 1 })`, () => f(x, y, { bogus: 1 } as never), ArgumentError]);
        else if (bad !== undefined) cases.push([`${op}(x, y, out = ${what})`, () => f(x, y, b), ArgumentError]);
      }
      cases.push([`scale(${what}, 2)`, () => scale(b, 2), ArgumentError], [`axpy(2, ${what}, y)`, () => axpy(2, b, y), ArgumentError], [`axpy(2, x, ${what})`, () => axpy(2, x, b), ArgumentError]);
      for (const [op, f] of [['sum', sum], ['mean', mean], ['min', min], ['max', max], ['norm', norm], ['argmin', argmin], ['argmax', argmax], ['sort', sort], ['scan', scan], ['fft', fft], ['ifft', ifft]] as const) {
        cases.push([`${op}(${what})`, () => f(b), ArgumentError]);
      }
      cases.push(
        [`dot(${what}, y)`, () => dot(b, y), ArgumentError],
        [`dot(x, ${what})`, () => dot(x, b), ArgumentError],
        [`sortPairs(${what}, u)`, () => sortPairs(b, u), ArgumentError],
        [`sortPairs(u, ${what})`, () => sortPairs(u, b as DeviceArray<'u32'>), ArgumentError],
        [`matmul(${what}, y, shape)`, () => matmul(b, y, { m: 2, k: 2, n: 2 }), ArgumentError],
        [`matmul(x, ${what}, shape)`, () => matmul(x, b, { m: 2, k: 2, n: 2 }), ArgumentError],
        [`transpose(${what}, 2, 2)`, () => transpose(b, 2, 2), ArgumentError],
        [`histogram(${what}, opts)`, () => histogram(b, { bins: 4, lo: 0, hi: 1 }), ArgumentError],
      );
    }
    for (const [what, a] of [['a string', '2'], ['null', null], ['a bigint', 2n], ['undefined', undefined]] as const) {
      cases.push([`scale(x, ${what})`, () => scale(x, a as never), ArgumentError], [`axpy(${what}, x, y)`, () => axpy(a as never, x, y), ArgumentError]);
    }
    for (const [what, opts] of badOptions) {
      const o = opts as never;
      cases.push(
        [`scan(x, ${what})`, () => scan(x, o), ArgumentError],
        [`fft(c, ${what})`, () => fft(c, o), ArgumentError],
        [`ifft(c, ${what})`, () => ifft(c, o), ArgumentError],
        [`histogram(x, ${what})`, () => histogram(x, o), ArgumentError],
        [`matmul(x, y, ${what})`, () => matmul(x, y, o), ArgumentError],
        [`random.uniform(device, 4, ${what})`, () => random.uniform(device, 4, o), ArgumentError],
        [`random.normal(device, 4, ${what})`, () => random.normal(device, 4, o), ArgumentError],
        [`random.u32(device, 4, ${what})`, () => random.u32(device, 4, o), ArgumentError],
      );
    }
    cases.push(
      ['scan(x, { exclusive: "yes" })', () => scan(x, { exclusive: 'yes' as never }), ArgumentError],
      ['fft(c, { batch: "1" })', () => fft(c, { batch: '1' as never }), ArgumentError],
      ['fft(c, { batch: 0 })', () => fft(c, { batch: 0 }), ShapeError],
      ['histogram(x) without options', () => histogram(x, undefined as never), ArgumentError],
      ['histogram(x, { bins: "4", lo: 0, hi: 1 })', () => histogram(x, { bins: '4' as never, lo: 0, hi: 1 }), ArgumentError],
      ['histogram(x, { bins: 4, lo: "0", hi: 1 })', () => histogram(x, { bins: 4, lo: '0' as never, hi: 1 }), ArgumentError],
      ['histogram(x, { bins: 4, lo: 0 })', () => histogram(x, { bins: 4, lo: 0 } as never), ArgumentError],
      ['matmul(x, y, { bogus: 1 })', () => matmul(x, y, { bogus: 1 } as never), ArgumentError],
      ['matmul(x, y, { m: 2, k: 2 })', () => matmul(x, y, { m: 2, k: 2 } as never), ArgumentError],
      ['matmul(x, y, { m: "2", k: 2, n: 2 })', () => matmul(x, y, { m: '2' as never, k: 2, n: 2 }), ArgumentError],
      ['matmul(x, y, { ..., transA: "yes" })', () => matmul(x, y, { m: 2, k: 2, n: 2, transA: 'yes' as never }), ArgumentError],
      ['matmul(x, y, { m: 2, k: 3, n: 2 })', () => matmul(x, y, { m: 2, k: 3, n: 2 }), ShapeError],
      ['transpose(x, "2", 2)', () => transpose(x, '2' as never, 2), ShapeError],
      ['transpose(x, 3, 2)', () => transpose(x, 3, 2), ShapeError],
      ['mean(u)', () => mean(u), DTypeError],
      ['dot(x, u)', () => dot(x, u), DTypeError],
      ['map(x, null)', () => map(x, null as never), ArgumentError],
      ['map(a Proxy, "x")', () => map(new Proxy(x, {}), 'x'), ArgumentError],
    );
    for (const [what, d] of [['null', null], ['undefined', undefined], ['an object', {}], ['a Proxy of the device', new Proxy(device, {})]] as const) {
      cases.push([`random.uniform(${what}, 4)`, () => random.uniform(d as never, 4), ArgumentError]);
    }
    for (const [what, n] of [['a string', '4'], ['null', null], ['-1', -1], ['1.5', 1.5]] as const) {
      cases.push([`random.u32(device, ${what})`, () => random.u32(device, n as never), ShapeError]);
    }
    for (const [what, seed] of [['1.5', 1.5], ['NaN', NaN], ['-1', -1], ['2^70', 2n ** 70n], ['a string', '1']] as const) {
      cases.push([`random.normal(device, 4, { seed: ${what} })`, () => random.normal(device, 4, { seed: seed as never }), ArgumentError]);
    }
    cases.push(
      ['random.u32(device, 4, { offset: -1 })', () => random.u32(device, 4, { offset: -1 }), ArgumentError],
      ['random.u32(device, 4, { offset: "1" })', () => random.u32(device, 4, { offset: '1' as never }), ArgumentError],
    );
    const before = device.memory.inUseBytes;
    expect(await probe(cases)).toEqual([]);
    expect(device.memory.inUseBytes, 'a refused call left memory in use').toBe(before);
    expect(cases.length).toBeGreaterThan(200);
  });

  gpuTest('device factories, write, profile and openDevice', async ({ device }) => {
    using x = device.zeros(4);
    const cases: Case[] = [];
    for (const [what, shape] of [['null', null], ['true', true], ['an object', {}], ['a bigint', 10n], ['a string', '4'], ['undefined', undefined]] as const) {
      cases.push([`empty(${what})`, () => device.empty(shape as never), ShapeError], [`zeros(${what})`, () => device.zeros(shape as never), ShapeError]);
    }
    for (const [what, dtype] of [['null', null], ['"f64"', 'f64'], ['a number', 4]] as const) {
      cases.push(
        [`empty(4, ${what})`, () => device.empty(4, dtype as never), DTypeError],
        [`zeros(4, ${what})`, () => device.zeros(4, dtype as never), DTypeError],
        [`array([1], ${what})`, () => device.array([1], dtype as never), DTypeError],
      );
    }
    for (const [what, data] of [['null', null], ['undefined', undefined], ['a string', 'abcd'], ['a number', 4], ['an object', {}]] as const) {
      // A number is data for array() since issue 26 (a 0-d array, as the standard's asarray(4)): test/ops/asarray.test.ts.
      if (what !== 'a number') cases.push([`array(${what})`, () => device.array(data as never), ArgumentError]);
      cases.push([`write(${what})`, () => x.write(data as never), ArgumentError]);
    }
    cases.push(
      ['array([1, "a"])', () => device.array([1, 'a'] as never), DTypeError],
      ['array([1], "f32", "1")', () => device.array([1], 'f32', '1' as never), ShapeError],
      ['profile(null)', () => device.profile(null as never), ArgumentError],
      ['openDevice(null)', () => openDevice(null as never), ArgumentError],
      ['openDevice("gpujs")', () => openDevice('gpujs' as never), ArgumentError],
      ['openDevice({ engine: "cuda" })', () => openDevice({ engine: 'cuda' as never }), ArgumentError],
      ['openDevice({ gpujsMode: "gpu" })', () => openDevice({ gpujsMode: 'gpu' as never }), ArgumentError],
      ['openDevice({ engin: "gpujs" })', () => openDevice({ engin: 'gpujs' } as never), ArgumentError],
    );
    // jsKernel is the gpujs engine's: on dawn it is refused as such, on gpujs its own arguments are checked.
    const jsClass = device.engine === 'gpujs' ? ArgumentError : UnsupportedOnEngineError;
    cases.push(
      ['jsKernel(null, { output: 4 })', () => device.jsKernel(null as never, { output: 4 }), jsClass],
      ['jsKernel(fn, null)', () => device.jsKernel(function f() { return 0; }, null as never), jsClass],
      ['jsKernel(fn, {})', () => device.jsKernel(function f() { return 0; }, {} as never), jsClass],
    );
    expect(await probe(cases)).toEqual([]);
  });
});

test('the CPU references refuse bad arguments with typed errors too (no device needed)', async () => {
  const f = new Float32Array(4);
  const cases: Case[] = [];
  for (const [what, bad] of [['null', null], ['undefined', undefined], ['an array', [1, 2, 3, 4]], ['a Proxy of a Float32Array', new Proxy(f, {})]] as const) {
    const b = bad as never;
    cases.push(
      [`scanCpu(${what})`, () => scanCpu(b, false), ArgumentError],
      [`sortCpu(${what})`, () => sortCpu(b), ArgumentError],
      [`sortPairsCpu(${what}, values)`, () => sortPairsCpu(b, new Uint32Array(4)), ArgumentError],
      [`matmulCpu(${what}, b, 2, 2, 1)`, () => matmulCpu(b, f, 2, 2, 1), ArgumentError],
      [`transposeCpu(${what}, 2, 2)`, () => transposeCpu(b, 2, 2), ArgumentError],
      [`fftCpu(${what}, 2, 1, false)`, () => fftCpu(b, 2, 1, false), ArgumentError],
      [`histogramCpu(${what}, 4, 0, 1)`, () => histogramCpu(b, 4, 0, 1), ArgumentError],
    );
  }
  cases.push(
    ['scanCpu(Float64Array)', () => scanCpu(new Float64Array(4) as never, false), DTypeError],
    ['sortPairsCpu(keys, 3 values)', () => sortPairsCpu(f, new Uint32Array(3)), ShapeError],
    ['matmulCpu(a, b, 3, 2, 1)', () => matmulCpu(f, f, 3, 2, 1), ShapeError],
    ['matmulCpu(a, b, "2", 2, 1)', () => matmulCpu(f, f, '2' as never, 2, 1), ShapeError],
    ['matmulCpu(a, b, 2, 2, 1, null)', () => matmulCpu(f, f, 2, 2, 1, null as never), ArgumentError],
    ['transposeCpu(a, 3, 2)', () => transposeCpu(f, 3, 2), ShapeError],
    ['fftCpu(x, 3, 1, false)', () => fftCpu(f, 3, 1, false), ShapeError],
    ['fftCpu(x, 2, 1.5, false)', () => fftCpu(f, 2, 1.5, false), ShapeError],
    ['fftCpu(x, 4, 1, false) of 4 numbers', () => fftCpu(f, 4, 1, false), ShapeError],
    ['histogramCpu(x, 4, "0", 1)', () => histogramCpu(f, 4, '0' as never, 1), ArgumentError],
    ['argCpu("argmid", x)', () => argCpu('argmid' as never, f), ArgumentError],
    ['argCpu("argmin", null)', () => argCpu('argmin', null as never), ArgumentError],
    ['randomU32Cpu(-1, 0)', () => randomU32Cpu(-1, 0), ShapeError],
    ['uniformCpu(4, 0, -1)', () => uniformCpu(4, 0, -1), ArgumentError],
    ['normalCpu(4, 2n ** 70n)', () => normalCpu(4, 2n ** 70n), ArgumentError],
  );
  expect(await probe(cases)).toEqual([]);
});

const SRC = `
override WG: u32 = 8;
@group(0) @binding(0) var<storage, read_write> v: array<f32>;
@compute @workgroup_size(WG) fn main(@builtin(global_invocation_id) g: vec3u) { if (g.x < arrayLength(&v)) { v[g.x] = 1.0; } }`;

async function kernelCases(device: GpuDevice, v: DeviceArray): Promise<Case[]> {
  const k = await device.kernel(SRC);
  const cases: Case[] = [];
  for (const [what, args] of [['null', null], ['undefined', undefined], ['an array', [v]], ['a DeviceArray', v], ['a string', 'v']] as const) {
    cases.push([`k.run(${what}, dispatch)`, () => { k.run(args as never, { invocations: 4 }); }, ArgumentError]);
  }
  for (const [what, d] of [['{}', {}], ['null', null], ['undefined', undefined], ['a number', 4], ['both keys', { invocations: 4, workgroups: 1 }], ['an unknown key', { invocation: 4 }], ['workgroups: []', { workgroups: [] }]] as const) {
    cases.push([`k.run(args, ${what})`, () => { k.run({ v }, d as never); }, ArgumentError]);
  }
  cases.push(
    ['k.run(args, { invocations: "4" })', () => { k.run({ v }, { invocations: '4' as never }); }, ArgumentError],
    ['k.run(args, { invocations: -1 })', () => { k.run({ v }, { invocations: -1 }); }, ShapeError],
    ['k.run(args, { invocations: 2 ** 40 })', () => { k.run({ v }, { invocations: 2 ** 40 }); }, LimitError],
    ['k.run({ v: a Proxy })', () => { k.run({ v: new Proxy(v, {}) }, { invocations: 4 }); }, ArgumentError],
    ['kernel(null)', () => device.kernel(null as never), ArgumentError],
    ['kernel(5)', () => device.kernel(5 as never), ArgumentError],
    ['kernel("file:///missing.wgsl")', () => device.kernel('file:///missing.wgsl'), ArgumentError],
    ['kernel(new URL("file:///missing.wgsl"))', () => device.kernel(new URL('file:///missing.wgsl')), ArgumentError],
    ['kernel(src, { constants: { WG: NaN } })', () => device.kernel(SRC, { constants: { WG: NaN } }), ArgumentError],
    ['kernel(src, { constants: { WG: "8" } })', () => device.kernel(SRC, { constants: { WG: '8' as never } }), ArgumentError],
    ['kernel(src, { constants: null })', () => device.kernel(SRC, { constants: null as never }), ArgumentError],
    ['kernel(src, { dtype: "f64" })', () => device.kernel(SRC, { dtype: 'f64' as never }), ArgumentError],
    ['kernel(src, { entryPoint: 5 })', () => device.kernel(SRC, { entryPoint: 5 as never }), ArgumentError],
    ['kernel(src, { constant: {} })', () => device.kernel(SRC, { constant: {} } as never), ArgumentError],
    ...badOptions.map(([what, o]): Case => [`kernel(src, ${what})`, () => device.kernel(SRC, o as never), ArgumentError]),
    ['elementwise(null)', () => device.elementwise(null as never), ArgumentError],
    ['elementwise({ args: 5, body })', () => device.elementwise({ args: 5 as never, body: 'x = x' }), ArgumentError],
    ['elementwise({ args }) without a body', () => device.elementwise({ args: 'x: T[]' } as never), ArgumentError],
    ['reduction(null)', () => device.reduction(null as never), ArgumentError],
    ['reduction({ args, identity }) without reduce', () => device.reduction({ args: 'x: T[]', identity: '0' } as never), ArgumentError],
    ['reduction({ ..., type: "f64" })', () => device.reduction({ args: 'x: T[]', reduce: 'a + b', identity: '0', type: 'f64' as never }), ArgumentError],
  );
  const f = await device.elementwise({ args: 'x: T[], y: T[]', body: 'y = x' });
  const r = await device.reduction({ args: 'x: T[]', reduce: 'a + b', identity: '0' });
  cases.push(
    ['an elementwise kernel given a Proxy', () => f({ x: new Proxy(v, {}) }), ArgumentError],
    ['an elementwise kernel given null', () => f(null as never), ArgumentError],
    ['a reduction given a Proxy', () => r(new Proxy(v, {})), ArgumentError],
    ['elementwise.wgsl("f64")', () => f.wgsl('f64' as never), DTypeError],
    ['elementwise.wgsl("f32", 3)', () => f.wgsl('f32', 3 as never), ArgumentError],
    ['reduction.wgsl("f64")', () => r.wgsl('f64' as never), DTypeError],
  );
  return cases;
}

describe('raw kernels and builders refuse bad arguments with a typed GpukitError', () => {
  dawnTest('kernel(), run(), elementwise() and reduction()', async ({ device }) => {
    using v = device.zeros(4);
    const cases = await kernelCases(device, v);
    expect(await probe(cases)).toEqual([]);
    // The LimitError names the real per-dimension limit, not its square.
    const max = device.limits.maxComputeWorkgroupsPerDimension;
    const k = await device.kernel(SRC);
    expect(() => { k.run({ v }, { invocations: 2 ** 40 }); }).toThrow(new RegExp(`exceeds the device limit maxComputeWorkgroupsPerDimension = ${max}$`));
    expect(() => { k.run({ v }, { invocations: 2 ** 40 }); }).toThrow(/2\^40|1099511627776 invocations/);
    await expect(device.kernel('file:///missing.wgsl')).rejects.toThrow(/cannot be read \(\/missing.wgsl\): no such file/);
    await expect(device.kernel(SRC, { constants: { WG: NaN } })).rejects.toThrow(/constants' must map override names to finite numbers \(WG is number NaN\)/);
  });
});
