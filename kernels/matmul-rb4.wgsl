// matmul-rb4: C = op(A) · op(B), f32, row-major, register-blocked with vec4 loads.
//   op(A) is m×k: A stored m×k, or k×m when TRANS_A.  op(B) is k×n: B stored k×n, or n×k when TRANS_B.
// Bindings (group 0): 0 a: array<vec4<T>> (read), 1 b: array<vec4<T>> (read),
//   2 out: array<vec4<T>> (m×n, write), 3 params: uniform Params { m, k, n, pad }.
// Requirements: k % 4 == 0 and n % 4 == 0 (and m % 4 == 0 and RM % 4 == 0 when TRANS_A); otherwise
//   zero-pad the operands to those multiples (padding k with zeros does not change C) or use matmul-rb.wgsl.
//   m need not be a multiple of RM and n/4 need not be a multiple of WG_X * NC: edge invocations clamp
//   their reads and skip their writes.
// Dispatch: workgroups x = ceil((n / 4) / (WG_X * NC)), y = ceil(m / RM), z = 1.
//   Each invocation computes an RM × (4·NC) block of C: rows wid.y*RM .. +RM-1 and the NC vec4 column
//   groups g = wid.x*WG_X*NC + lid.x + c*WG_X (c < NC), i.e. consecutive invocations own consecutive vec4s.
// The k loop steps 4 at a time: per step each invocation loads RM vec4s of A and 4·NC vec4s of B and
//   does 16·RM·NC multiply-adds; accumulators stay in registers (arrays with constant indices after the
//   override-sized loops are unrolled by the driver).
// On lavapipe this vec4 form is ~0.6× the scalar matmul-rb.wgsl (llvmpipe scalarizes every storage load
//   inside a loop per SIMD lane, so vec4 buys nothing there); best here WG_X = 8, RM = 16, NC = 4. It is kept
//   as the candidate for hardware GPUs, where vec4 loads matter (try WG_X = 64, RM = 4, NC = 1).
// Rounding: products are accumulated in k order with fma(); a backend may lower fma to mul+add
//   (lavapipe does), so compare with a relative tolerance of ~1e-4·sqrt(k) against src/ops/matmul.ts.
// EPILOGUE (a composition flag): each element is stored as fused_epilogue(acc, row, col), a function (with
//   its bindings from 4 on) that fusion appends. PRODUCT (with EPILOGUE): binding 4 prod (m×n as vec4s,
//   write) gets the plain product too (the epilogue's bindings then start at 5).

//#import matmul-params

@group(0) @binding(0) var<storage, read> a: array<vec4<T>>;
@group(0) @binding(1) var<storage, read> b: array<vec4<T>>;
@group(0) @binding(2) var<storage, read_write> out: array<vec4<T>>;
//#if PRODUCT
@group(0) @binding(4) var<storage, read_write> prod: array<vec4<T>>;
//#endif

override WG_X: u32 = 8;         // invocations per workgroup (all along n)
override RM: u32 = 8;           // rows of C per invocation, 1..MAX_RM (multiple of 4 when TRANS_A)
override NC: u32 = 2;           // vec4 column groups of C per invocation, 1..MAX_NC

const MAX_RM: u32 = 16u;
const MAX_NC: u32 = 4u;

@compute @workgroup_size(WG_X)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let m = params.m;
  let k4 = params.k / 4u;
  let n4 = params.n / 4u;
  let m4 = params.m / 4u;
  let row0 = wid.y * RM;
  let g0 = wid.x * WG_X * NC + lid.x;

  // Clamped (always in-bounds) read coordinates; out-of-range rows/columns are computed but not stored.
  var gc: array<u32, MAX_NC>;
  for (var c = 0u; c < NC; c++) {
    gc[c] = min(g0 + c * WG_X, n4 - 1u);
  }
  var ra: array<u32, MAX_RM>;
  for (var r = 0u; r < RM; r++) {
    if (TRANS_A) {
      ra[r] = min(row0 / 4u + r / 4u, m4 - 1u);   // vec4 index (within a row of Aᵀ) holding rows 4·(row0/4 + r/4) ..
    } else {
      ra[r] = min(row0 + r, m - 1u) * k4;          // start of row (row0 + r) of A, in vec4s
    }
  }

  var acc: array<array<vec4<T>, MAX_NC>, MAX_RM>;

  for (var p = 0u; p < k4; p++) {
    // bq[c][q] = op(B)[4p + q][4·gc[c] .. +3]
    var bq: array<array<vec4<T>, 4>, MAX_NC>;
    for (var c = 0u; c < NC; c++) {
      if (TRANS_B) {
        // rows 4·gc[c] + t of Bᵀ, k-quad p: a 4×4 block, transposed in registers
        let t0 = b[(4u * gc[c] + 0u) * k4 + p];
        let t1 = b[(4u * gc[c] + 1u) * k4 + p];
        let t2 = b[(4u * gc[c] + 2u) * k4 + p];
        let t3 = b[(4u * gc[c] + 3u) * k4 + p];
        bq[c][0] = vec4<T>(t0.x, t1.x, t2.x, t3.x);
        bq[c][1] = vec4<T>(t0.y, t1.y, t2.y, t3.y);
        bq[c][2] = vec4<T>(t0.z, t1.z, t2.z, t3.z);
        bq[c][3] = vec4<T>(t0.w, t1.w, t2.w, t3.w);
      } else {
        bq[c][0] = b[(4u * p + 0u) * n4 + gc[c]];
        bq[c][1] = b[(4u * p + 1u) * n4 + gc[c]];
        bq[c][2] = b[(4u * p + 2u) * n4 + gc[c]];
        bq[c][3] = b[(4u * p + 3u) * n4 + gc[c]];
      }
    }
    if (TRANS_A) {
      // Aᵀ rows 4p..4p+3, one vec4 covers 4 consecutive rows of C
      for (var r = 0u; r < RM; r += 4u) {
        let q0 = a[(4u * p + 0u) * m4 + ra[r]];
        let q1 = a[(4u * p + 1u) * m4 + ra[r]];
        let q2 = a[(4u * p + 2u) * m4 + ra[r]];
        let q3 = a[(4u * p + 3u) * m4 + ra[r]];
        for (var t = 0u; t < 4u; t++) {
          let av = vec4<T>(q0[t], q1[t], q2[t], q3[t]);
          for (var c = 0u; c < NC; c++) {
            acc[r + t][c] = fma(vec4<T>(av.x), bq[c][0], fma(vec4<T>(av.y), bq[c][1],
                            fma(vec4<T>(av.z), bq[c][2], fma(vec4<T>(av.w), bq[c][3], acc[r + t][c]))));
          }
        }
      }
    } else {
      for (var r = 0u; r < RM; r++) {
        let av = a[ra[r] + p];
        for (var c = 0u; c < NC; c++) {
          acc[r][c] = fma(vec4<T>(av.x), bq[c][0], fma(vec4<T>(av.y), bq[c][1],
                      fma(vec4<T>(av.z), bq[c][2], fma(vec4<T>(av.w), bq[c][3], acc[r][c]))));
        }
      }
    }
  }

  for (var r = 0u; r < RM; r++) {
    let row = row0 + r;
    if (row < m) {
      for (var c = 0u; c < NC; c++) {
        let g = g0 + c * WG_X;
        if (g < n4) {
//#if EPILOGUE
          let e = acc[r][c];
          out[row * n4 + g] = vec4<T>(fused_epilogue(e.x, row, 4u * g), fused_epilogue(e.y, row, 4u * g + 1u), fused_epilogue(e.z, row, 4u * g + 2u), fused_epilogue(e.w, row, 4u * g + 3u));
//#if PRODUCT
          prod[row * n4 + g] = e;
//#endif
//#else
          out[row * n4 + g] = acc[r][c];
//#endif
        }
      }
    }
  }
}
