// matmul-rb: C = op(A) · op(B), f32, row-major, any m, k, n; register-blocked with scalar loads.
//   op(A) is m×k: A stored m×k, or k×m when TRANS_A.  op(B) is k×n: B stored k×n, or n×k when TRANS_B.
// Bindings (group 0): 0 a: array<T> (read), 1 b: array<T> (read), 2 out: array<T> (m×n, write),
//   3 params: uniform Params { m, k, n, pad }.
// Requirements: none beyond m, k, n >= 1 (no alignment, no padding); RM <= 16, CN <= 16. The vec4 form
//   matmul-rb4.wgsl (k % 4 == 0, n % 4 == 0) may win on hardware GPUs; on lavapipe this one is ~1.7× faster.
// Dispatch: workgroups x = ceil(n / (WG_X * CN)), y = ceil(m / RM), z = 1.
//   Each invocation computes RM rows × CN columns of C: rows wid.y*RM .. +RM-1, columns
//   wid.x*WG_X*CN + lid.x + c*WG_X (c < CN) — consecutive invocations own consecutive columns
//   (coalesced on a GPU). Edge invocations clamp their reads and skip their writes.
// Accumulators live in a function-scope array indexed only by override-bounded loops, so after the
//   driver unrolls those loops they are plain registers (spilled to the stack when RM*CN is large).
// Fastest candidate on lavapipe (llvmpipe, 8-wide AVX2, 2 threads): WG_X = 8, RM = 12, CN = 12, KU = 1
//   (~15 GFLOP/s at 1024³; RM = 16, CN = 12 is within noise). Those are the defaults below. On a
//   hardware GPU prefer WG_X = 64, RM = CN = 4 or matmul-tiled.wgsl (the autotuner decides).
// TRANS_B with k a multiple of 1024 is ~2× slower on a CPU adapter (every invocation walks its own row of
//   Bᵀ with a 4 KiB stride: cache-set aliasing); at k = 1028 it costs only ~10%.
// Rounding: products are accumulated in k order with fma(); a backend may lower fma to mul+add
//   (lavapipe does), so compare with a relative tolerance of ~1e-4·sqrt(k) against src/ops/matmul.ts.
// SPLIT_K (a composition flag): split k for products with few output blocks and a long k (32×50,000 ·
//   50,000×1): workgroup layer z (dispatch z = ceil(k / params.kc)) sums only k in [z·kc, min(k, (z+1)·kc))
//   and writes its partial m×n product at out[z·m·n ...]; kernels/matmul-splitk-sum.wgsl then adds the
//   layers in z order (a blocked sum: within the same bound).
// EPILOGUE (a composition flag; not with SPLIT_K): each element is stored as fused_epilogue(acc, row, col),
//   a function (with its bindings from 4 on) that fusion appends: an elementwise chain on the product
//   (src/backends/dawn/fusion.ts `epilogueOf`). PRODUCT (with EPILOGUE): binding 4 prod (m×n, write) gets
//   the plain product too, for a product array read after its chain ran (its bits: the unfused store's).

//#import matmul-params

@group(0) @binding(0) var<storage, read> a: array<T>;
@group(0) @binding(1) var<storage, read> b: array<T>;
@group(0) @binding(2) var<storage, read_write> out: array<T>;
//#if PRODUCT
@group(0) @binding(4) var<storage, read_write> prod: array<T>;
//#endif

override WG_X: u32 = 8;         // invocations per workgroup (all along n)
override RM: u32 = 12;          // rows of C per invocation, 1..MAX_RM
override CN: u32 = 12;          // columns of C per invocation, 1..MAX_CN
override KU: u32 = 1;           // k-steps per main-loop iteration (unroll factor), >= 1

const MAX_RM: u32 = 16u;
const MAX_CN: u32 = 16u;

@compute @workgroup_size(WG_X)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let m = params.m;
  let k = params.k;
  let n = params.n;
  let row0 = wid.y * RM;
  let col0 = wid.x * WG_X * CN + lid.x;

  // op(A)[i][p] = a[i * a_i + p * a_p],  op(B)[p][j] = b[p * b_p + j * b_j]
  let a_i = select(k, 1u, TRANS_A);
  let a_p = select(1u, m, TRANS_A);
  let b_p = select(n, 1u, TRANS_B);
  let b_j = select(1u, k, TRANS_B);

  var ra: array<u32, MAX_RM>;
  for (var r = 0u; r < RM; r++) {
    ra[r] = min(row0 + r, m - 1u) * a_i;
  }
  var cb: array<u32, MAX_CN>;
  for (var c = 0u; c < CN; c++) {
    cb[c] = min(col0 + c * WG_X, n - 1u) * b_j;
  }

  var acc: array<array<T, MAX_CN>, MAX_RM>;
  // Main loop: KU k-steps per iteration (the inner loop has a constant trip count and is unrolled).
  // On a SIMD-on-CPU adapter every loop iteration re-masks all loop-carried accumulators, so a larger
  // KU amortizes that; the tail loop handles k % KU.
//#if SPLIT_K
  let p_lo = wid.z * params.kc;
  let p_hi = min(k, p_lo + params.kc);
  let o_base = wid.z * m * n;
//#else
  let p_lo = 0u;
  let p_hi = k;
  let o_base = 0u;
//#endif
  let k_main = p_hi - (p_hi - p_lo) % KU;
  for (var p0 = p_lo; p0 < k_main; p0 += KU) {
    for (var u = 0u; u < KU; u++) {
      let p = p0 + u;
      var bv: array<T, MAX_CN>;
      for (var c = 0u; c < CN; c++) {
        bv[c] = b[p * b_p + cb[c]];
      }
      for (var r = 0u; r < RM; r++) {
        let av = a[ra[r] + p * a_p];
        for (var c = 0u; c < CN; c++) {
          acc[r][c] = fma(av, bv[c], acc[r][c]);
        }
      }
    }
  }
  for (var p = k_main; p < p_hi; p++) {
    var bv: array<T, MAX_CN>;
    for (var c = 0u; c < CN; c++) {
      bv[c] = b[p * b_p + cb[c]];
    }
    for (var r = 0u; r < RM; r++) {
      let av = a[ra[r] + p * a_p];
      for (var c = 0u; c < CN; c++) {
        acc[r][c] = fma(av, bv[c], acc[r][c]);
      }
    }
  }

  for (var r = 0u; r < RM; r++) {
    let row = row0 + r;
    if (row < m) {
      for (var c = 0u; c < CN; c++) {
        let col = col0 + c * WG_X;
        if (col < n) {
//#if EPILOGUE
          out[o_base + row * n + col] = fused_epilogue(acc[r][c], row, col);
//#if PRODUCT
          prod[row * n + col] = acc[r][c];
//#endif
//#else
          out[o_base + row * n + col] = acc[r][c];
//#endif
        }
      }
    }
  }
}
