/**
 * Recipe 2 — A first application (the cookbook's "how to build a GPU application").
 *
 * The whole round trip by hand: allocate device memory, copy host data in, compile a WGSL kernel,
 * launch it over a grid, copy the result out and check it against the same computation on the CPU.
 * The kernel doubles a 2-D matrix in place (the cookbook's first PyCUDA program).
 *
 * Run: npx tsx examples/02-first-application.ts
 */
import { openDevice } from '../src/index.js';

const ROWS = 300;
const COLS = 500;

// One invocation per element. The grid is 2-D (16×16 workgroups over the matrix); invocations that fall
// past the edge do nothing, so any shape works.
const DOUBLE = /* wgsl */ `
struct Params { rows: u32, cols: u32 }
@group(0) @binding(0) var<storage, read_write> m: array<f32>;
@group(0) @binding(1) var<uniform> params: Params;

@compute @workgroup_size(16, 16)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let r = gid.y;
  let c = gid.x;
  if (r < params.rows && c < params.cols) {
    m[r * params.cols + c] = 2.0 * m[r * params.cols + c];
  }
}`;

// Raw WGSL needs the dawn engine; without an adapter this says so, and how to get one.
await using device = await openDevice({ engine: 'dawn' });

// 1. Host data: a ROWS×COLS matrix of random numbers.
const host = new Float32Array(ROWS * COLS);
for (let i = 0; i < host.length; i++) host[i] = Math.random();

// 2. Allocate on the device and copy in (one call: device.array uploads a typed array).
using m = device.array(host, { shape: [ROWS, COLS] });

// 3. Compile. Bindings are found by reflection, so run() takes them by name.
const kernel = await device.kernel(DOUBLE, { label: 'double' });
console.log(`compiled '${kernel.label}': workgroup ${kernel.workgroupSize.join('×')}, bindings ${kernel.bindings.map((b) => `${b.name} (${b.kind})`).join(', ')}`);

// 4. Launch over a grid that covers the matrix: ceil(COLS/16) × ceil(ROWS/16) workgroups.
const grid: [number, number, number] = [Math.ceil(COLS / 16), Math.ceil(ROWS / 16), 1];
kernel.run({ m, params: { rows: ROWS, cols: COLS } }, { workgroups: grid });
console.log(`launched ${grid[0]}×${grid[1]} workgroups of 16×16 over a ${ROWS}×${COLS} matrix`);

// 5. Copy out (this is where the program waits for the GPU) and check against the CPU.
const out = await m.toArray();
let maxError = 0;
for (let i = 0; i < host.length; i++) maxError = Math.max(maxError, Math.abs((out[i] ?? NaN) - 2 * (host[i] ?? NaN)));
console.log(`m[0][0..3] before: ${Array.from(host.subarray(0, 4), (v) => v.toFixed(4)).join(' ')}`);
console.log(`m[0][0..3] after:  ${Array.from(out.subarray(0, 4), (v) => v.toFixed(4)).join(' ')}`);
console.log(`check: ${maxError === 0 ? 'ok' : 'FAILED'} (${ROWS * COLS} elements doubled, max error ${maxError})`);
if (maxError !== 0) process.exitCode = 1;
