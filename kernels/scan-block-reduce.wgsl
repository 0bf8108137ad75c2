// scan-block-reduce: pass 1 of the reduce-then-scan prefix sum.
//   sums[b] = x[b*BLOCK] + ... + x[min(n, (b+1)*BLOCK) - 1]   for every block b < ceil(n / BLOCK).
// One invocation sums one whole block serially with vec4 loads: on a CPU adapter (lavapipe) the cost is
// per invocation, so a few long serial blocks beat a tree reduction with barriers.
//
// Bindings (@group(0)):
//   0  x       array<vec4<T>>, read        n elements; the buffer is padded to a multiple of 4 elements
//                                          (16 bytes); padding lanes are read but ignored.
//   1  sums    array<T>, read_write        ceil(n / BLOCK) elements
//   2  params  uniform { n }
// Dispatch: one invocation per block, ceil(ceil(n / BLOCK) / WG) workgroups, 2-D grid over 65535
//   (lib/serial-block).
// Overrides: WG (workgroup size), BLOCK (elements per invocation, a multiple of 4).
//#import scan-block

struct Params {
  n: u32,
}

@group(0) @binding(1) var<storage, read_write> sums: array<T>;
@group(0) @binding(2) var<uniform> params: Params;

fn run_block(b: u32, start: u32, end: u32) {
  let v0 = start / 4u;
  let v1 = end / 4u; // whole vec4s
  // Four independent partial sums (one per lane of the vec4): the f32 rounding differs from a serial
  // loop, within the tolerance the tests allow; integer sums are exact (wrapping).
  var acc = vec4<T>();
  for (var i = v0; i < v1; i++) {
    acc += x[i];
  }
  let r = end & 3u;
  if (r != 0u) {
    let v = x[v1];
    acc += select(vec4<T>(), v, vec4u(0u, 1u, 2u, 3u) < vec4u(r));
  }
  sums[b] = (acc.x + acc.y) + (acc.z + acc.w);
}
