// transpose: out = aᵀ, f32. a is an m×n row-major matrix, out is n×m row-major.
// Bindings (group 0): 0 a: array<T> (read), 1 out: array<T> (write), 2 params: uniform Params { m, n, pad0, pad1 }.
// Requirements: none (any m, n >= 1).
// Dispatch: workgroups x = ceil(n / (WG_X * BC)), y = ceil(m / (WG_Y * BR)), z = the number of matrices
//   (a stack of m×n matrices one after the other, each transposed in place of its own: workgroup z moves
//   matrix z, at element z·m·n of a and of out; z = 1 for one matrix); workgroup WG_X×WG_Y.
//   Each invocation moves a BR×BC block: source rows r0 + i*WG_Y (i < BR) and columns c0 + j*WG_X (j < BC),
//   with r0 = wid.y*WG_Y*BR + lid.y and c0 = wid.x*WG_X*BC + lid.x (consecutive invocations read
//   consecutive source addresses). No workgroup memory: on a CPU adapter barriers cost more than they
//   save; a GPU would prefer a shared-memory tile, which the autotuner can add as another candidate.

alias T = f32;

struct Params {
  m: u32,
  n: u32,
  pad0: u32,
  pad1: u32,
}

@group(0) @binding(0) var<storage, read> a: array<T>;
@group(0) @binding(1) var<storage, read_write> out: array<T>;
@group(0) @binding(2) var<uniform> params: Params;

override WG_X: u32 = 8;   // invocations along n (source columns)
override WG_Y: u32 = 8;   // invocations along m (source rows)
override BR: u32 = 1;     // source rows per invocation
override BC: u32 = 1;     // source columns per invocation

@compute @workgroup_size(WG_X, WG_Y)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let m = params.m;
  let n = params.n;
  let r0 = wid.y * WG_Y * BR + lid.y;
  let c0 = wid.x * WG_X * BC + lid.x;
  let base = wid.z * m * n;
  for (var i = 0u; i < BR; i++) {
    let r = r0 + i * WG_Y;
    for (var j = 0u; j < BC; j++) {
      let c = c0 + j * WG_X;
      if (r < m && c < n) {
        out[base + c * m + r] = a[base + r * n + c];
      }
    }
  }
}
