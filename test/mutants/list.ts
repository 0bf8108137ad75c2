/**
 * The curated mutants of `npm run mutants` (issue 19): deliberate bugs that the ordinary suite must catch.
 *
 * Each mutant is one or more exact textual replacements in one source file. The search string must occur
 * exactly `count` times (default 1) in the file, or the run stops with an error: a mutant whose source
 * drifted is never a silent pass. Each lists the test files (and optionally a test-name filter) that
 * should kill it, and the engine they run on.
 */

export interface Edit {
  /** Exact text to find (whitespace included). */
  readonly search: string;
  readonly replace: string;
  /** How many times `search` must occur; all of them are replaced. @default 1 */
  readonly count?: number;
}

export interface Mutant {
  readonly id: string;
  /** The bug, in words. */
  readonly what: string;
  /** Path of the mutated file, relative to the repository root. */
  readonly file: string;
  readonly edits: readonly Edit[];
  /** Test files that should kill it (run with `--maxWorkers=1`). */
  readonly tests: readonly string[];
  /** vitest `-t` filter (a regular expression on full test names). */
  readonly filter?: string;
  /** `dawn`: GPUKIT_ENGINE=dawn (core Vulkan on lavapipe); `gpujs`: GPUKIT_ENGINE=gpujs. */
  readonly engine: 'dawn' | 'gpujs';
  /** Extra environment. */
  readonly env?: Readonly<Record<string, string>>;
  /**
   * Something the mutant needs that the tree may not have yet. `tuning profile`: the mutated path runs
   * only with hardware tuning defaults (GPUKIT_TUNING_PROFILE=gpu); when src/ does not read that variable
   * the mutant is reported as not run (and the run fails: an unverified mutant is not a killed one).
   */
  readonly needs?: 'tuning profile';
  /** Why it may survive on a tree that lacks a listed test file (files not in the tree are left out of the run). */
  readonly note?: string;
}

export const MUTANTS: readonly Mutant[] = [
  // --- the six of issue 19 -----------------------------------------------------------------------------
  {
    id: 'histogram-ignores-lo',
    what: 'histogram kernel bins x·scale instead of (x − lo)·scale',
    file: 'kernels/histogram.wgsl',
    edits: [{ search: 'let t = floor((v - params.lo) * params.scale);', replace: 'let t = floor(v * params.scale);' }],
    tests: ['test/ops/histogram.test.ts'],
    engine: 'dawn',
  },
  {
    id: 'zeros-skips-clear',
    what: 'BufferPool.acquire does not clear a dirty reused buffer for zeros()',
    file: 'src/backends/dawn/pool.ts',
    edits: [{ search: "if (fill === 'zero') this.#ctx.clear(buffer, 0, buffer.size, `clear|${label}`);", replace: "if (fill === 'zero') void 0;" }],
    tests: ['test/ops/zeros.test.ts'],
    engine: 'dawn',
  },
  {
    id: 'elementwise-underdispatch-wg64',
    what: 'elementwise vec4 pass dispatches floor instead of ceil workgroups when WG ≥ 64 (the hardware default WG = 256)',
    file: 'src/backends/dawn/ops/elementwise.ts',
    edits: [
      {
        search: '{ invocations: Math.ceil(vecCount / (WG * ITEMS)) * WG }',
        replace: '{ invocations: (WG >= 64 ? Math.floor(vecCount / (WG * ITEMS)) : Math.ceil(vecCount / (WG * ITEMS))) * WG }',
      },
    ],
    tests: ['test/ops/elementwise.test.ts'],
    engine: 'dawn',
    env: { GPUKIT_TUNING_PROFILE: 'gpu' },
    note: 'the software defaults (WG = 8) and the pinned 2-D grid test (WG = 32) never reach WG ≥ 64',
    needs: 'tuning profile',
  },
  {
    id: 'fft-first-item-only',
    what: 'fft butterflies: each invocation does only its first item when ITEMS > 1 (all three radices: one stage loop)',
    file: 'kernels/fft-stockham.wgsl',
    edits: [{ search: 'for (var i = 0u; i < ITEMS; i++) {', replace: 'for (var i = 0u; i < min(ITEMS, 1u); i++) {' }],
    tests: ['test/ops/fft.test.ts', 'test/ops/candidates.test.ts'],
    filter: 'fft',
    engine: 'dawn',
    note: 'every fft default and pinned test runs ITEMS = 1; test/ops/candidates.test.ts (every tuning value, from the tuning-candidates work) pins ITEMS = 4',
  },
  {
    id: 'matmul-f16-inputs',
    what: 'matmul-rb (the software default) rounds A and B elements to f16 precision',
    file: 'kernels/matmul-rb.wgsl',
    edits: [
      { search: 'let av = a[ra[r] + p * a_p];', replace: 'let av = quantizeToF16(a[ra[r] + p * a_p]);', count: 2 },
      { search: 'bv[c] = b[p * b_p + cb[c]];', replace: 'bv[c] = quantizeToF16(b[p * b_p + cb[c]]);', count: 2 },
    ],
    tests: ['test/ops/matmul.test.ts'],
    filter: 'matmul with the tuned kernel',
    engine: 'dawn',
  },
  {
    id: 'sum-drops-last-above-1e6',
    what: 'reductions pass n − 1 to the first pass when n > 10^6 (the last element is lost)',
    file: 'src/backends/dawn/ops/reduce.ts',
    edits: [{ search: 'params: { _n: n, _span: p.active, _last:', replace: 'params: { _n: n > 1_000_000 ? n - 1 : n, _span: p.active, _last:' }],
    tests: ['test/ops/reduce.test.ts'],
    filter: 'exact data',
    engine: 'dawn',
  },
  // --- more WGSL ---------------------------------------------------------------------------------------
  {
    id: 'philox-9-rounds',
    what: 'random: Philox4x32 with 9 rounds instead of 10',
    file: 'kernels/random-philox.wgsl',
    edits: [{ search: 'for (var r = 1u; r < 10u; r++) {', replace: 'for (var r = 1u; r < 9u; r++) {' }],
    tests: ['test/ops/random.test.ts'],
    engine: 'dawn',
  },
  {
    id: 'argmin-ties-last',
    what: 'argmin/argmax f32: ties (and NaN ties) go to the last index, not the first',
    file: 'kernels/reduce-arg.wgsl',
    edits: [{ search: '| (a == b)) & (ai < bi));', replace: '| (a == b)) & (ai > bi));' }],
    tests: ['test/ops/arg.test.ts'],
    engine: 'dawn',
  },
  {
    id: 'scan-carry-drops-lane',
    what: 'scan block apply: the running carry adds the third lane of each vec4 instead of the fourth',
    file: 'kernels/scan-block-apply.wgsl',
    edits: [{ search: 's += p4;', replace: 's += p3;' }],
    tests: ['test/ops/scan.test.ts'],
    filter: 'exact data|at n = ',
    engine: 'dawn',
  },
  {
    id: 'transpose-skips-last-column',
    what: 'transpose kernel bounds check drops the last source column',
    file: 'kernels/transpose.wgsl',
    edits: [{ search: 'if (r < m && c < n) {', replace: 'if (r < m && c + 1u < n) {' }],
    tests: ['test/ops/matmul.test.ts'],
    filter: '^transpose ',
    engine: 'dawn',
  },
  // --- the strided copy past one binding or one buffer (issue 24) -----------------------------------------
  {
    id: 'strided-copy-ignores-window',
    what: 'the strided copy moves elements outside its storage window (each window clobbers its neighbours)',
    file: 'kernels/strided-copy.wgsl',
    edits: [{ search: 'if (off >= params.limit) { return; }', replace: '' }],
    tests: ['test/buffers/segment-views.test.ts'],
    engine: 'dawn',
  },
  {
    id: 'strided-copy-window-past-segment',
    what: 'a storage window of the strided copy runs past the end of its segment (into a buffer it is not)',
    file: 'src/backends/dawn/strided-copy.ts',
    edits: [{ search: 'const length = Math.min(chunk, segEnd - at, hi + 1 - at);', replace: 'const length = Math.min(chunk, hi + 1 - at);' }],
    tests: ['test/buffers/segment-views.test.ts'],
    engine: 'dawn',
  },
  {
    id: 'strided-copy-window-offset',
    what: "the view's offset is passed from the storage's start, not from the window's",
    file: 'src/backends/dawn/strided-copy.ts',
    edits: [{ search: 'offset: (view.offset - s.start) >>> 0,', replace: 'offset: view.offset >>> 0,' }],
    tests: ['test/buffers/segment-views.test.ts'],
    engine: 'dawn',
  },
  {
    id: 'strided-copy-range-first-only',
    what: "a dense chunk of the strided copy visits only the storage window of its first element",
    file: 'src/backends/dawn/strided-copy.ts',
    edits: [{ search: 'const r = rangeSpan(view.layout, from + q.start, from + q.start + q.length);', replace: 'const r = rangeSpan(view.layout, from + q.start, from + q.start + 1);' }],
    tests: ['test/buffers/segment-views.test.ts'],
    engine: 'dawn',
  },
  // --- the buffer pool -----------------------------------------------------------------------------------
  {
    id: 'pool-reuses-before-ticket',
    what: 'a released buffer joins the cache at once, without waiting for the queued work that uses it',
    file: 'src/backends/dawn/pool.ts',
    edits: [{ search: 'if (!this.#backing.closed() && ticket > this.#backing.completed()) {', replace: 'if (!this.#backing.closed() && ticket > Infinity) {' }],
    tests: ['test/reliability/batches.test.ts'],
    filter: 'freed while queued work',
    engine: 'dawn',
  },
  {
    id: 'pool-vec4-slack-not-cleared',
    what: "an 'overwrite' or host-written acquire no longer zeroes the vec4 slack past the array's end",
    file: 'src/backends/dawn/pool.ts',
    edits: [
      { search: 'if (end > start) this.#ctx.clear(buffer, start, end - start, `clear|${label}`);', replace: 'if (end > start) void 0;' },
      { search: 'this.#ctx.gpu.queue.writeBuffer(buffer, start, new Uint8Array(end - start));', replace: 'void 0;' },
    ],
    tests: ['test/reliability/batches.test.ts'],
    filter: 'vec4 binding',
    engine: 'dawn',
  },
  {
    id: 'host-pool-zeros-skips-clear',
    what: 'gpujs: the host pool does not zero a reused block for zeros()',
    file: 'src/backends/host/pool.ts',
    edits: [{ search: "if (reused && fill === 'zero') new Uint8Array(block).fill(0);", replace: "if (reused && fill === 'zero') void 0;" }],
    tests: ['test/ops/zeros.test.ts'],
    engine: 'gpujs',
  },
  // --- the batch ---------------------------------------------------------------------------------------
  {
    id: 'batch-not-replayed',
    what: 'a failed batch is marked failed but not replayed op by op (valid ops lost, the failed op not named)',
    file: 'src/backends/dawn/context.ts',
    edits: [{ search: 'await this.#replay(batch);', replace: 'void this.#replay;' }],
    tests: ['test/reliability/batches.test.ts'],
    filter: 'one invalid op in a batch',
    engine: 'dawn',
  },
  {
    id: 'batch-failure-not-inherited',
    what: "an op that reads a failed op's output is not marked failed (its output reads as if valid)",
    file: 'src/backends/dawn/context.ts',
    edits: [{ search: 'const e = this.#poison.get(b);', replace: 'const e = b === undefined ? this.#poison.get(b) : undefined;' }],
    tests: ['test/reliability/batches.test.ts'],
    filter: 'one invalid op in a batch',
    engine: 'dawn',
  },
  // --- the gpu.js fallback -------------------------------------------------------------------------------
  {
    id: 'gpujs-matmul-no-loop-cap',
    what: 'gpujs matmul builds its kernel without loopMaxIterations (gpu.js stops the k loop at 1000)',
    file: 'src/backends/host/ops/matmul.ts',
    edits: [{ search: 'MATMUL_SRC, loopCap(k),', replace: 'MATMUL_SRC, 0,' }],
    tests: ['test/fallback/loop-limit.test.ts'],
    filter: 'matmul sums all k terms',
    engine: 'gpujs',
  },
  {
    id: 'gpujs-sum-fold-off-by-one',
    what: 'gpujs sum kernel: `i + 1 < n` drops the last element of every pass',
    file: 'src/backends/host/ops/reduce.ts',
    edits: [{ search: 'if (i < n) { s += x[i]; }', replace: 'if (i + 1 < n) { s += x[i]; }' }],
    tests: ['test/ops/reduce.test.ts'],
    engine: 'gpujs',
  },
  {
    id: 'gpujs-sub-swapped',
    what: 'subtract computes y - x (since subtract joined the math ops, one body serves both engines; the gpujs pass must catch it)',
    file: 'src/ops/math.ts',
    edits: [{ search: "plain('out = x - y', true)", replace: "plain('out = y - x', true)" }],
    tests: ['test/ops/elementwise.test.ts'],
    engine: 'gpujs',
  },
  {
    id: 'gpujs-wgsl-round-half-up',
    what: 'the WGSL→JS translator rounds halves up instead of to even',
    file: 'src/backends/host/wgsl-js.ts',
    edits: [{ search: 'return f % 2 === 0 ? f : f + 1;', replace: 'return f + 1;' }],
    tests: ['test/ops/builders-engines.test.ts'],
    engine: 'gpujs',
  },
  {
    id: 'gpujs-wgsl-idiv-by-zero',
    what: 'the WGSL→JS translator divides i32 by zero as JS does (0) instead of returning x',
    file: 'src/backends/host/wgsl-js.ts',
    edits: [{ search: 'idiv: (a: number, b: number): number => (b === 0 || (a', replace: 'idiv: (a: number, b: number): number => ((a' }],
    tests: ['test/ops/builders-engines.test.ts'],
    engine: 'gpujs',
  },
  {
    id: 'gpujs-transpose-swapped',
    what: 'gpujs transpose kernel indexes the source with rows and columns swapped',
    file: 'src/backends/host/ops/transpose.ts',
    edits: [{ search: 'return a[this.thread.x * cols + this.thread.y];', replace: 'return a[this.thread.y * cols + this.thread.x];' }],
    tests: ['test/ops/matmul.test.ts'],
    filter: '^transpose ',
    engine: 'gpujs',
  },
  {
    id: 'histogram-reference-ignores-lo',
    what: "histogramCpu (gpujs's histogram) bins x·scale instead of (x − lo)·scale",
    file: 'src/reference/histogram.ts',
    edits: [{ search: 'const t = Math.fround(Math.fround(v - lo32) * scale);', replace: 'const t = Math.fround(Math.fround(v) * scale);' }],
    tests: ['test/ops/histogram.test.ts'],
    engine: 'gpujs',
  },
  {
    id: 'scatter-cas-plain-store',
    what: 'the f32 scatter-add replaces its compare-and-swap loop by a plain atomic store (lost updates under contention)',
    file: 'kernels/scatter.wgsl',
    edits: [{ search: '    let r = atomicCompareExchangeWeak(&acc[at], old, next);\n    if (r.exchanged) { break; }\n    old = r.old_value;', replace: '    atomicStore(&acc[at], next);\n    break;' }],
    tests: ['test/ops/scatter-add.test.ts'],
    engine: 'dawn',
  },
  {
    id: 'take-negative-off-by-one',
    what: 'take wraps a negative index to n − |i| − 1 instead of n − |i|',
    file: 'kernels/lib/axis-index.wgsl',
    edits: [{ search: 'if (WRAP && mag <= n) { return n - mag; }', replace: 'if (WRAP && mag < n) { return n - mag - 1u; }' }],
    tests: ['test/ops/take.test.ts'],
    engine: 'dawn',
  },
  {
    id: 'gpujs-scatter-max-ignores-nan',
    what: "gpujs's segmentMax lets a later value replace a NaN already in the segment",
    file: 'src/backends/host/ops/indexing.ts',
    edits: [{ search: 'else if (!Number.isNaN(old) && (Number.isNaN(v) || v > old)) T[at] = v;', replace: 'else if (Number.isNaN(v) || v > old || Number.isNaN(old)) T[at] = v;' }],
    tests: ['test/ops/segments.test.ts'],
    engine: 'gpujs',
  },
  // --- data larger than one binding (issue 15) --------------------------------------------------------
  {
    id: 'chunked-elementwise-local-index',
    what: 'a chunked elementwise op tells the body the chunk-local index instead of the global one',
    file: 'src/backends/dawn/ops/elementwise.ts',
    edits: [{ search: 'const base = { _base: p.start, _total: n };', replace: 'const base = { _base: 0, _total: n };' }],
    tests: ['test/ops/chunked.test.ts'],
    filter: 'elementwise',
    engine: 'dawn',
  },
  {
    id: 'one-pass-reduce-skips-lane-combine',
    what: 'a reduction pass of one workgroup writes each lane\'s partial (no tree) though it is the last pass: only one lane\'s share of a small input is the result',
    file: 'src/kernels/codegen.ts',
    edits: [{ search: "L.push('  if (_TREE || params._last != 0u) {');", replace: "L.push('  if (_TREE) {');" }],
    tests: ['test/ops/reduce-one-pass.test.ts'],
    filter: 'f32 sum',
    engine: 'dawn',
  },
  {
    id: 'chunked-reduce-overwrites-partials',
    what: "a chunked reduction writes every chunk's partials from 0 (each chunk overwrites the last)",
    file: 'src/backends/dawn/ops/reduce.ts',
    edits: [{ search: '_base: q.start, _total: n, _pbase: at,', replace: '_base: q.start, _total: n, _pbase: 0,' }],
    tests: ['test/ops/chunked.test.ts'],
    filter: 'reductions over',
    engine: 'dawn',
  },
  {
    id: 'chunked-scan-drops-carry',
    what: 'a chunked scan does not shift later chunks by the running total',
    file: 'kernels/scan-carry-add.wgsl',
    edits: [{ search: 'out[j] += c;', replace: 'out[j] += c - c;' }],
    tests: ['test/ops/chunked.test.ts'],
    filter: 'scan over',
    engine: 'dawn',
  },
  {
    id: 'chunked-sort-ignores-window',
    what: "a windowed radix scatter writes every key into each output window at its global position's low bits",
    file: 'kernels/sort-scatter.wgsl',
    edits: [{ search: 'if (!WINDOWED || w < params.out_len) { keys_out[w] = k; }', replace: 'keys_out[w % params.out_len] = k;' }],
    tests: ['test/ops/chunked.test.ts'],
    filter: 'sort and sortPairs',
    engine: 'dawn',
  },
  {
    id: 'streamer-routing-ignores-margin',
    what: 'measured routing takes any route faster than plain, however slightly (no 5 % margin for the plain route)',
    file: 'src/buffers/stream.ts',
    edits: [{ search: 'return m < (1 - ROUTE_MARGIN) * scoreOf(', replace: 'return m < (1 - 0) * scoreOf(' }],
    tests: ['test/buffers/stream.test.ts'],
    filter: 'measured routing keeps the plain route',
    engine: 'dawn',
  },
  {
    id: 'pool-host-fill-takes-gpu-written',
    what: "device.array(data) takes an idle buffer an op wrote when there is one (its writes then always go through Dawn's staging copy)",
    file: 'src/backends/dawn/pool.ts',
    edits: [{ search: "host: { prefer: clean, otherwise: 'pending' }", replace: "host: { prefer: written, otherwise: 'any' }" }],
    tests: ['test/buffers/device-array.test.ts'],
    filter: 'prefers a buffer no GPU work wrote',
    engine: 'dawn',
  },
  {
    id: 'streamer-ring-takes-gpu-written',
    what: "a measuring streamer's plain ring takes an idle GPU-written buffer while a clean one is on its way back (its writes then always go through Dawn's staging copy)",
    file: 'src/buffers/stream.ts',
    edits: [{ search: "this.#measured || this.#route === 'plain' ? 'host-kept' : 'host'", replace: "'host'" }],
    tests: ['test/buffers/stream.test.ts'],
    filter: 'plain ring never takes a buffer GPU work wrote',
    engine: 'dawn',
  },
  // --- engine agreement, IEEE edges, the placed front end (issue 24) ------------------------------------
  {
    id: 'overlap-input-not-copied',
    what: "an elementwise input that is another view of the output's memory is bound as it is instead of copied first",
    file: 'src/ops/signature.ts',
    edits: [{ search: 'named[a.name] = c;', replace: 'named[a.name] = v;' }],
    tests: ['test/ops/overlap.test.ts'],
    engine: 'dawn',
  },
  {
    id: 'scatter-values-alias-target',
    what: 'scatterAdd reads values that live in its target while it adds into it (np.add.at reads a copy)',
    file: 'src/ops/indexing.ts',
    edits: [{ search: 'const src = sharesMemory(values, target) ? copyOf(values) : values;', replace: 'const src = values;' }],
    tests: ['test/ops/overlap.test.ts'],
    engine: 'gpujs',
  },
  {
    id: 'pow-minus-one-inf-nan',
    what: "pow(±1, ±Inf) takes WGSL's indeterminate pow instead of C99's 1 ((-1)^Inf became NaN)",
    file: 'src/ops/math.ts',
    edits: [{ search: 'let magInf = select(select(0.0, infv, (ax < 1.0) == (y < 0.0)), 1.0, ax == 1.0);', replace: 'let magInf = select(select(0.0, infv, (ax < 1.0) == (y < 0.0)), nanv, ax == 1.0);' }],
    tests: ['test/ops/ieee.test.ts'],
    engine: 'dawn',
  },
  {
    id: 'clip-ignores-nan-bound',
    what: "clip with a NaN bound leaves it to WGSL's max/min, which on Dawn return the other operand (gpujs's Math.max/min propagate NaN anyway)",
    file: 'src/ops/math.ts',
    edits: [{ search: "nanv, ${e.n('lo')} || ${e.n('hi')})`", replace: "nanv, false)`" }],
    tests: ['test/ops/ieee.test.ts'],
    engine: 'dawn',
  },
  {
    id: 'placed-cpu-sum-float64',
    what: "the placed front end's CPU side returns its float64 sum unrounded (sum([3e38, 3e38]) finite on the CPU, Infinity on the GPU)",
    file: 'src/placement/placed.ts',
    edits: [{ search: '(pool, wasm) => Math.fround(wasm !== null ? wasm.sum(a) : pool === null ? sumLoop(a) : pool.sum(this.#staging.f32(0, a))),', replace: '(pool, wasm) => (wasm !== null ? wasm.sum(a) : pool === null ? sumLoop(a) : pool.sum(this.#staging.f32(0, a))),' }],
    tests: ['test/placement/sides-agree.test.ts'],
    filter: 'f32 values',
    engine: 'dawn',
  },
  // --- spellings that cost the same (issue 26 item 4) ------------------------------------------------------
  {
    id: 'matmul-splitk-sum-drops-last-layer',
    what: 'the split-k sum adds every layer but the last (a long k loses its last block of products)',
    file: 'kernels/matmul-splitk-sum.wgsl',
    edits: [{ search: 'for (var z = 1u; z < params.layers; z++)', replace: 'for (var z = 1u; z + 1u < params.layers; z++)' }],
    tests: ['test/ops/matmul-splitk.test.ts'],
    engine: 'dawn',
  },
  {
    id: 'matmul-splitk-layer-overlap',
    what: 'a split-k layer runs one step past its block (the first k of the next layer is counted twice)',
    file: 'kernels/matmul-rb.wgsl',
    edits: [{ search: 'let p_hi = min(k, p_lo + params.kc);', replace: 'let p_hi = min(k, p_lo + params.kc + 1u);' }],
    tests: ['test/ops/matmul-splitk.test.ts'],
    engine: 'dawn',
  },
  {
    id: 'elementwise-column-no-carry',
    what: "a column broadcast read in place never carries its remainder into the index (j / q drifts after q elements)",
    file: 'src/kernels/codegen.ts',
    edits: [{ search: '_rem_${r} -= params._q_${r}; _col_${r} += 1u; }', replace: '_rem_${r} -= params._q_${r}; }' }],
    tests: ['test/ops/broadcast-cols.test.ts'],
    engine: 'dawn',
  },
  {
    id: 'transpose-gather-batch-ignored',
    what: 'the transpose kernel ignores the workgroup layer (a transposed stack gathers its first matrix into every slot)',
    file: 'kernels/transpose.wgsl',
    edits: [{ search: 'let base = wid.z * m * n;', replace: 'let base = 0u * wid.z;' }],
    tests: ['test/ops/transpose-gather.test.ts'],
    engine: 'dawn',
  },
];
