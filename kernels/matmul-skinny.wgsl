// matmul-skinny: C = A · B, f32, row-major, for few columns (n = NB, 1..16) and many rows
//   (4096×1024 · 1024×10): NB dot products along each row of A.
//   A is stored m×k, B is given transposed (bt: n×k, each column of B contiguous); k % 4 == 0, so both
//   are read as vec4s of four consecutive k.
// Bindings (group 0): 0 a: array<vec4<f32>> (read), 1 bt: array<vec4<f32>> (read, n×k), 2 out:
//   array<f32> (m×n, write), 3 params: uniform Params { m, k, n, pad }.
// Geometry: an invocation owns RM consecutive rows (1..16); LANES invocations share them (a power of two
//   dividing WG), so a workgroup covers WG / LANES · RM rows. Lane l takes the k-chunks l, l + LANES,
//   ...: per chunk it loads RM vec4s of A and NB of Bᵀ and adds RM·NB dot products into as many f32
//   accumulators (arrays with constant indices once the loops over the override constants unroll).
//   With LANES > 1 (then RM·NB ≤ 16 and WG ≤ 256) the lanes' sums meet in workgroup memory after one
//   barrier. A software adapter loads per SIMD lane whatever the address, so each element of Bᵀ loaded
//   should serve many rows: LANES = 1, RM = 12 there. A GPU wants lanes along k (coalesced reads).
// Rounding: per lane, products are summed in k order, four at a time (dot); with lanes along k the
//   lanes' sums are then added in lane order: within the bound of the other matmul kernels,
//   ~1e-4·sqrt(k) relative to Σ|a·b| (src/ops/matmul.ts).
// Dispatch: ceil(m / (RM · WG / LANES)) workgroups (2-D folded beyond 65,535).
// EPILOGUE (a composition flag): each element is stored as fused_epilogue(acc, row, col), a function (with
//   its bindings from 4 on) that fusion appends: an elementwise chain on the product. B_ROWS (with it):
//   binding 1 is B itself (b: array<f32>, k×n) instead of Bᵀ, each vec4 of a column gathered from four
//   rows: the same values, so the same sums, without the transpose's dispatch. PRODUCT (with EPILOGUE):
//   binding 4 prod (m×n, write) gets the plain product too (the epilogue's bindings then start at 5).

struct Params {
  m: u32,
  k: u32,
  n: u32,
  pad: u32,
}

@group(0) @binding(0) var<storage, read> a: array<vec4<f32>>;
//#if B_ROWS
@group(0) @binding(1) var<storage, read> b: array<f32>;
//#else
@group(0) @binding(1) var<storage, read> bt: array<vec4<f32>>;
//#endif
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
//#if PRODUCT
@group(0) @binding(4) var<storage, read_write> prod: array<f32>;
//#endif
@group(0) @binding(3) var<uniform> params: Params;
//#if EPILOGUE
alias T = f32; // the element type an epilogue's op bodies name
//#endif

override WG: u32 = 64;
override LANES: u32 = 1;
override RM: u32 = 1; // rows per invocation, 1..MAX_RM
override NB: u32 = 1; // n, the columns of C, 1..MAX_NB
//#import grid

const MAX_RM: u32 = 16u;
const MAX_NB: u32 = 16u;

// Lanes' sums when LANES > 1: 16 per invocation (RM·NB ≤ 16 then), for WG ≤ 256.
var<workgroup> part: array<f32, 4096>;

@compute @workgroup_size(WG)
fn main(grid: Grid) {
  let lid = grid.lid.x;
  let lane = lid % LANES;
  let row0 = (group_index(grid) * (WG / LANES) + lid / LANES) * RM;
  let k4 = params.k / 4u;
  var acc: array<array<f32, MAX_NB>, MAX_RM>;
  for (var c = lane; c < k4; c += LANES) {
    // Rows past m (the last block's) read row m - 1 and write nothing.
    var av: array<vec4<f32>, MAX_RM>;
    for (var r = 0u; r < RM; r++) { av[r] = a[min(row0 + r, params.m - 1u) * k4 + c]; }
    for (var j = 0u; j < NB; j++) {
//#if B_ROWS
      let bv = vec4<f32>(b[(4u * c) * NB + j], b[(4u * c + 1u) * NB + j], b[(4u * c + 2u) * NB + j], b[(4u * c + 3u) * NB + j]);
//#else
      let bv = bt[j * k4 + c];
//#endif
      for (var r = 0u; r < RM; r++) { acc[r][j] = acc[r][j] + dot(av[r], bv); }
    }
  }
  if (LANES == 1u) {
    for (var r = 0u; r < RM; r++) {
      for (var j = 0u; j < NB; j++) {
//#if EPILOGUE
        if (row0 + r < params.m) { out[(row0 + r) * NB + j] = fused_epilogue(acc[r][j], row0 + r, j); }
//#if PRODUCT
        if (row0 + r < params.m) { prod[(row0 + r) * NB + j] = acc[r][j]; }
//#endif
//#else
        if (row0 + r < params.m) { out[(row0 + r) * NB + j] = acc[r][j]; }
//#endif
      }
    }
    return;
  }
  // Lanes along k: each lane leaves its RM·NB sums (at most 16) in workgroup memory; after one barrier,
  // lane l adds up output l (and l + LANES, ...) over the lanes of its row block, in lane order.
  for (var r = 0u; r < RM; r++) {
    for (var j = 0u; j < NB; j++) { part[lid * 16u + r * NB + j] = acc[r][j]; }
  }
  workgroupBarrier();
  let first = lid - lane;
  for (var o = lane; o < RM * NB; o += LANES) {
    var s = 0.0;
    for (var q = 0u; q < LANES; q++) { s = s + part[(first + q) * 16u + o]; }
    let row = row0 + o / NB;
//#if EPILOGUE
    if (row < params.m) { out[row * NB + o % NB] = fused_epilogue(s, row, o % NB); }
//#if PRODUCT
    if (row < params.m) { prod[row * NB + o % NB] = s; }
//#endif
//#else
    if (row < params.m) { out[row * NB + o % NB] = s; }
//#endif
  }
}
