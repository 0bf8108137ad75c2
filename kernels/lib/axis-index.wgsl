// lib/axis-index: the index prologue of take and scatter. The data is seen as [outer, n, inner] and the
// indices as m values; invocation o stands for element o of [outer, m, inner].
// The importing kernel declares the overrides WG, SIGNED (indices read as i32) and WRAP (a negative index
// counts from the end; else it is out of range), the bindings `indices`, `err` and `params`.
//#import grid

struct Params {
  outer: u32,
  n: u32,
  m: u32,
  inner: u32,
}

const BAD = 0xffffffffu;

// The index's position on the axis, or BAD; `record` (one invocation per index) notes a bad one in err.
fn resolve(raw: u32, record: bool) -> u32 {
  let n = params.n;
  if (SIGNED && bitcast<i32>(raw) < 0) {
    let mag = 0u - raw;
    if (WRAP && mag <= n) { return n - mag; }
    if (record) {
      atomicAdd(&err[0], 1u);
      atomicMax(&err[2], mag);
    }
    return BAD;
  }
  if (raw < n) { return raw; }
  if (record) {
    atomicAdd(&err[0], 1u);
    atomicMax(&err[1], raw);
  }
  return BAD;
}

// Invocation o's element: `outside` past the last one; else k, the resolved position of its index (BAD for
// a bad one), and at = (a * n + k) * inner + b, the element of the data it reads or updates.
struct Place {
  outside: bool,
  k: u32,
  at: u32,
}

fn place(grid: Grid) -> Place {
  let o = global_index(grid);
  let inner = params.inner;
  let m = params.m;
  // Invocation o < m checks index o (so an index is counted once, and checked even when the rest is empty).
  if (o < m) { _ = resolve(indices[o], true); }
  if (o >= params.outer * m * inner) { return Place(true, BAD, 0u); }
  let b = o % inner;
  let t = o / inner;
  let j = t % m;
  let a = t / m;
  let k = resolve(indices[j], false);
  return Place(false, k, (a * params.n + k) * inner + b);
}
