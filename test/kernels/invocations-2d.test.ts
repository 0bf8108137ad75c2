// `{ invocations: [w, h] }` launches a grid in as many dimensions as the workgroup, so a w×h image kernel with
// @workgroup_size(8, 8) covers the whole image (a scalar used to cover only n/64 rows of 8: 1/8 of it).
import { expect } from 'vitest';
import { ArgumentError } from '../../src/index.js';
import { dawnTest, expectArrayEqual } from '../fixture.js';

const IMAGE_2D = `
struct Params { w: u32, h: u32 }
@group(0) @binding(0) var<storage, read_write> out: array<u32>;
@group(0) @binding(1) var<uniform> params: Params;
@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) g: vec3u) {
  if (g.x < params.w && g.y < params.h) { out[g.x + g.y * params.w] = g.x + g.y * params.w; }
}`;

const VOLUME_3D = `
struct Params { w: u32, h: u32, d: u32, _pad: u32 }
@group(0) @binding(0) var<storage, read_write> out: array<u32>;
@group(0) @binding(1) var<uniform> params: Params;
@compute @workgroup_size(4, 4, 4)
fn main(@builtin(global_invocation_id) g: vec3u) {
  if (g.x < params.w && g.y < params.h && g.z < params.d) {
    let i = g.x + params.w * (g.y + params.h * g.z);
    out[i] = g.x * 65536u + g.y * 256u + g.z;
  }
}`;

const SENTINEL = 0xdeadbeef;

dawnTest('a 2-D workgroup over a w×h image (w, h not multiples of 8) writes every pixel exactly once', async ({ device }) => {
  const k = await device.kernel(IMAGE_2D);
  for (const [w, h] of [[37, 21], [1, 9], [65, 1], [8, 8]] as const) {
    using out = device.array(new Uint32Array(w * h).fill(SENTINEL));
    k.run({ out, params: { w, h } }, { invocations: [w, h] });
    // JS reference: pixel (x, y) holds x + y·w, computed by two loops over the image.
    const want = new Uint32Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) want[x + y * w] = x + y * w;
    expectArrayEqual(await out.toArray(), want);
  }
});

dawnTest('a scalar invocations for a 2-D or 3-D workgroup is refused, naming the dimensions it needs', async ({ device }) => {
  const k = await device.kernel(IMAGE_2D);
  using out = device.zeros(37 * 21, 'u32');
  expect(() => { k.run({ out, params: { w: 37, h: 21 } }, { invocations: 37 * 21 }); }).toThrow(ArgumentError);
  expect(() => { k.run({ out, params: { w: 37, h: 21 } }, { invocations: 37 * 21 }); }).toThrow(/workgroup is 8×8 \(2-D\), so invocations must have 2 dimensions \(\[w, h\]\)/);
  const k3 = await device.kernel(VOLUME_3D);
  expect(() => { k3.run({ out, params: { w: 1, h: 1, d: 1, _pad: 0 } }, { invocations: 1 }); }).toThrow(/\[w, h, d\]/);
});

dawnTest('[w, h, d] covers a 3-D volume with a 4×4×4 workgroup', async ({ device }) => {
  const [w, h, d] = [6, 5, 7];
  const k = await device.kernel(VOLUME_3D);
  using out = device.array(new Uint32Array(w * h * d).fill(SENTINEL));
  k.run({ out, params: { w, h, d, _pad: 0 } }, { invocations: [w, h, d] });
  const want = new Uint32Array(w * h * d);
  for (let z = 0; z < d; z++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) want[x + w * (y + h * z)] = x * 65536 + y * 256 + z;
  expectArrayEqual(await out.toArray(), want);
});
