// strided-copy: copies between a strided n-d view and a dense C-order array (rank ≤ 8).
// Bindings (group 0): 0 src: array<T> (read), 1 dst: array<T> (write), 2 params: uniform Params.
//   mode 0 (gather):  dst[i] = src[view(i)]   — a view made contiguous, or read back;
//   mode 1 (scatter): dst[view(i)] = src[i]   — data written into a view's elements.
//   view(i) = offset + Σ_d idx_d(i)·strides[d], idx_d the C-order coordinates of flat index i in `shape`.
// T is u32 for every 4-byte dtype (the bits are copied, never converted); half-precision arrays rewrite T
// to their own 2-byte type (the loader adds the enable directive only then).
// Offsets are computed modulo 2^32 with the strides' i32 bits: the ring arithmetic is exact, so the
// result is the true element whenever that lies in the buffer, negative strides included.
// The storage side is bound as a window (`offset` counted from its start): only elements inside it move.
// Dispatch: workgroups for ceil(n / WG) invocations, folded into 2-D beyond 65,535 (one element each).

alias T = u32;
//#import grid

struct Params {
  n: u32,
  ndim: u32,
  offset: u32,
  mode: u32,
  shape_lo: vec4<u32>,
  shape_hi: vec4<u32>,
  strides_lo: vec4<i32>,
  strides_hi: vec4<i32>,
  // Flat index of this dispatch's element 0: a dense array larger than one binding is bound window by
  // window (dst in mode 0, src in mode 1, indexed from 0), while the view's index runs on from `base`.
  base: u32,
  // Elements of the view's storage bound as src (mode 0) / dst (mode 1), from the window's start: storage
  // larger than one binding or one buffer is bound window by window, each dispatch moving the elements
  // that lie in its window (off < limit; an element before the window wraps past it) and no others.
  limit: u32,
}

@group(0) @binding(0) var<storage, read> src: array<T>;
@group(0) @binding(1) var<storage, read_write> dst: array<T>;
@group(0) @binding(2) var<uniform> params: Params;

override WG: u32 = 64;

fn extent(d: u32) -> u32 {
  if (d < 4u) { return params.shape_lo[d]; }
  return params.shape_hi[d - 4u];
}

fn stride(d: u32) -> u32 {
  if (d < 4u) { return bitcast<u32>(params.strides_lo[d]); }
  return bitcast<u32>(params.strides_hi[d - 4u]);
}

@compute @workgroup_size(WG)
fn main(grid: Grid) {
  let li = global_index(grid);
  if (li >= params.n) { return; }
  var rem = li + params.base;
  var off = params.offset;
  for (var k = 0u; k < params.ndim; k++) {
    let d = params.ndim - 1u - k;
    let e = extent(d);
    off = off + (rem % e) * stride(d);
    rem = rem / e;
  }
  if (off >= params.limit) { return; }
  if (params.mode == 0u) {
    dst[li] = src[off];
  } else {
    dst[off] = src[li];
  }
}
