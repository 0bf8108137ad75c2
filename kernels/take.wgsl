// take.wgsl — gather along one axis (NumPy's np.take): x seen as [outer, n, inner], indices as m values,
// out as [outer, m, inner]: out[a, j, b] = x[a, idx[j], b]. Elements move as 32-bit words (any 4-byte dtype).
// Indices are read as u32 bits; SIGNED reads them as i32, and a negative one counts from the end (WRAP).
// An index outside the axis is never wrapped nor clamped: its elements get 0 and the error word records it
// (err[0] += 1; err[1] = max bad index >= n; err[2] = max |bad negative index|), which the op reads back
// before the next readback or sync() and turns into an ArgumentError.
// Bindings (group 0): 0 x (read), 1 indices (read), 2 out (write), 3 err (atomic), 4 params (uniform).
// Dispatch: max(outer·m·inner, m) invocations (one per output element), workgroups for ceil(· / WG) (2-D beyond 65,535).

//#import axis-index

@group(0) @binding(0) var<storage, read> x: array<u32>;
@group(0) @binding(1) var<storage, read> indices: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<u32>;
@group(0) @binding(3) var<storage, read_write> err: array<atomic<u32>>;
@group(0) @binding(4) var<uniform> params: Params;

override WG: u32 = 64;
override SIGNED: bool = true;

// Negative indices always count from the end here.
const WRAP = true;

@compute @workgroup_size(WG)
fn main(grid: Grid) {
  let o = global_index(grid);
  let p = place(grid);
  if (p.outside) { return; }
  if (p.k == BAD) { out[o] = 0u; return; }
  out[o] = x[p.at];
}
