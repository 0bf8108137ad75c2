// lib/matmul-params: the element type (parameter T: f32, or i32 / u32 for matmul-tiled's INTEGER variant),
// shape uniform and flags shared by the matmul kernels
// (matmul-rb, matmul-rb4, matmul-tiled). C (m×n) = A (m×k) · B (k×n); the kernel binds a, b, out at 0..2.

//#param alias T = f32

struct Params {
  m: u32,
  k: u32,
  n: u32,
  kc: u32, // k per layer of a split-k product (matmul-rb with SPLIT_K); unread otherwise
}

@group(0) @binding(3) var<uniform> params: Params;

override TRANS_A: bool = false; // a holds Aᵀ (k×m)
override TRANS_B: bool = false; // b holds Bᵀ (n×k)
