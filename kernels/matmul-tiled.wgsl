// matmul-tiled: C = op(A) · op(B), f32 (or i32 / u32 with INTEGER), row-major, any m, k, n; classic shared-memory tiling
//   (the hardware-GPU candidate: one output per invocation, TILE×TILE tiles of A and B staged in
//   workgroup memory). On a CPU adapter (lavapipe) this is the slowest variant: barriers are expensive.
//   op(A) is m×k: A stored m×k, or k×m when TRANS_A.  op(B) is k×n: B stored k×n, or n×k when TRANS_B.
// Bindings (group 0): 0 a: array<T> (read), 1 b: array<T> (read), 2 out: array<T> (m×n, write),
//   3 params: uniform Params { m, k, n, pad }.
// Requirements: none (edges are zero-filled in the tiles). TILE*TILE <= maxComputeInvocationsPerWorkgroup
//   and 2*TILE*TILE*4 bytes <= maxComputeWorkgroupStorageSize (TILE = 16: 256 invocations, 2 KiB).
// Dispatch: workgroups x = ceil(n / TILE), y = ceil(m / TILE), z = 1; workgroup size TILE×TILE;
//   invocation (lid.x, lid.y) computes C[wid.y*TILE + lid.y][wid.x*TILE + lid.x].
// Rounding: products are accumulated in k order with fma(); a backend may lower fma to mul+add
//   (lavapipe does), so compare with a relative tolerance of ~1e-4·sqrt(k) against src/ops/matmul.ts.
// INTEGER (T = i32 or u32): products and sums in T, which WGSL defines as wrapping modulo 2^32 (two's
//   complement for i32): bit-exact NumPy's int32 / uint32 matmul, whatever the order of the sums.
// EPILOGUE (f32 only): each element is stored as fused_epilogue(acc, row, col), a function (with its
//   bindings from 4 on) that fusion appends: an elementwise chain on the product (src/backends/dawn/fusion.ts).
//   PRODUCT (with EPILOGUE): binding 4 prod (m×n, write) gets the plain product too (the epilogue's from 5).

//#import matmul-params

@group(0) @binding(0) var<storage, read> a: array<T>;
@group(0) @binding(1) var<storage, read> b: array<T>;
@group(0) @binding(2) var<storage, read_write> out: array<T>;
//#if PRODUCT
@group(0) @binding(4) var<storage, read_write> prod: array<T>;
//#endif

override TILE: u32 = 16;        // tile edge; the workgroup is TILE×TILE invocations

var<workgroup> ta: array<T, TILE * TILE>;
var<workgroup> tb: array<T, TILE * TILE>;

// Element (r, c) of a row-major rows×cols matrix held in a / b, 0 past its edges (the read is clamped inside);
// one function per buffer: WGSL passes no storage pointer to a function (without unrestricted_pointer_parameters).
fn a_at(r: u32, c: u32, rows: u32, cols: u32) -> T { return select(T(0), a[min(r, rows - 1u) * cols + min(c, cols - 1u)], r < rows && c < cols); }
fn b_at(r: u32, c: u32, rows: u32, cols: u32) -> T { return select(T(0), b[min(r, rows - 1u) * cols + min(c, cols - 1u)], r < rows && c < cols); }

@compute @workgroup_size(TILE, TILE)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let m = params.m;
  let k = params.k;
  let n = params.n;
  let row = wid.y * TILE + lid.y;
  let col = wid.x * TILE + lid.x;
  // For the transposed layouts the tile is loaded with lid.x running along the stored row, so that
  // neighbouring invocations still read neighbouring addresses.
  let a_row = select(row, wid.y * TILE + lid.x, TRANS_A);
  let b_col = select(col, wid.x * TILE + lid.y, TRANS_B);

  var acc = T(0);
  for (var t = 0u; t < k; t += TILE) {
    if (TRANS_A) { // a is k×m: element (p = t + lid.y, i = a_row) goes to ta[i_local][p_local]
      ta[lid.x * TILE + lid.y] = a_at(t + lid.y, a_row, k, m);
    } else {
      ta[lid.y * TILE + lid.x] = a_at(a_row, t + lid.x, m, k);
    }
    if (TRANS_B) { // b is n×k: element (j = b_col, p = t + lid.x) goes to tb[p_local][j_local]
      tb[lid.x * TILE + lid.y] = b_at(b_col, t + lid.x, n, k);
    } else {
      tb[lid.y * TILE + lid.x] = b_at(t + lid.y, b_col, k, n);
    }
    workgroupBarrier();
    for (var i = 0u; i < TILE; i++) {
//#if INTEGER
      acc = acc + ta[lid.y * TILE + i] * tb[i * TILE + lid.x];
//#else
      acc = fma(ta[lid.y * TILE + i], tb[i * TILE + lid.x], acc);
//#endif
    }
    workgroupBarrier();
  }
  if (row < m && col < n) {
//#if EPILOGUE
    out[row * n + col] = fused_epilogue(acc, row, col);
//#if PRODUCT
    prod[row * n + col] = acc;
//#endif
//#else
    out[row * n + col] = acc;
//#endif
  }
}
