/**
 * Layer rules (issue 25, item 5), checked by `npm run layers` and by test/arch/layers.test.ts.
 *
 *   ops        may use the Backend interface and the implementations its manifests name, not a backend's insides
 *   backends   may not use ops (type-only imports and a few pure helpers excepted, see below)
 *   buffers    may not use ops or a backend's op implementations
 *   clients    (CLI, bench, fleet, placement, testing, bench/ scripts) use the public entry points
 *   no circular imports (value imports; a cycle made only of `import type` edges is harmless)
 *
 * Type-only imports (`import type …`) are allowed by every rule: they vanish at run time and name no code path.
 * `severity: 'warn'` marks a rule that holds only once the op-family / buffers work lands; the lead flips it to
 * 'error' at merge (search for "TODO(lead)"). test/arch/layers.test.ts fails on any 'error' violation and
 * prints the warnings.
 *
 * Run it with `npm run layers` (scripts/layers.ts, dependency-cruiser's API: its CLI refuses Node 20, the API works).
 */

/** Entry points: the facades; they may re-export anything. */
const ENTRY = ['^src/index\\.ts$', '^src/interop/index\\.ts$', '^src/testing/index\\.ts$', '^src/testing/vitest\\.ts$', '^src/fleet/index\\.ts$'];

/**
 * Engine-neutral leaves a client may import directly: no engine, no device, no op in them (their public names
 * are also exported by src/index.ts). Going through src/index.ts for an error class or a dtype table would load
 * the whole library, and from modules src/index.ts itself re-exports (placement) it would be a circular import.
 */
const NEUTRAL = [
  '^src/errors\\.ts$', // the GpukitError classes (public)
  '^src/args\\.ts$', // describeValue and argument helpers
  '^src/device/(info|engines|env|memory|runtime)\\.ts$', // DeviceInfo, engineTraits, currentRuntime (public)
  '^src/buffers/dtype\\.ts$', // DType tables
  '^src/cpu/', // the CPU contenders' loops and worker pool (the bench's, not an engine)
  '^src/kernels/load\\.ts$', // where the packaged kernels/ are (calibration kernels)
  '^src/timing/', // the profiler
  '^src/reference/', // float64 references (public through src/testing)
];

/**
 * Client layers that build on each other: the CLI fronts bench, fleet and placement; fleet workers run the
 * bench; placement reads the bench's calibration and placement files.
 */
const CLIENT_LAYERS = ['^src/(bench|fleet|placement)/'];

/**
 * Documented exceptions to "clients use the public entry points", each with its reason. Shrink this list; do not
 * grow it without a reason here.
 */
const CLIENT_EXCEPTIONS = [
  // Dawn's tuning table: `gpukit tune`, the bench's tune sweep, the bench/fleet atlas and the placement file read
  // and write it. Dawn-only by nature. TODO: reach it through the Backend (a `tuning` member) and drop this.
  '^src/backends/dawn/tuning\\.ts$',
  // `gpukit info` lists Dawn's adapters (listAdapters) before any device is open. TODO: a public listAdapters().
  '^src/backends/dawn/adapter\\.ts$',
  // EXPLORATION_CALLS: the bench's stream contender (src/bench/ops.ts) and bench/stream-vs-e2e.ts account for
  // the calls a Streamer spends exploring its chunk size. A tuning constant of the streamer, not public API.
  '^src/buffers/stream\\.ts$',
];

/**
 * Clients that are themselves re-exported by src/index.ts (openPlaced, placeOn, PlacementModel): importing the
 * entry point from them is a circular import, so they import the op and device modules directly. Their value
 * imports of src/ops/**, src/buffers/device-array.ts and src/gpu-device.ts are all public names.
 */
const REEXPORTED_CLIENTS = '^src/placement/placed\\.ts$';

/**
 * Bench scripts (bench/*.ts) and what they may import beyond the entry points: the bench harness
 * (src/bench/suite.ts, the repo's own tooling, not published API), the CPU loops they compare with, and the
 * streaming exploration constant bench/stream-vs-e2e.ts reports (EXPLORATION_CALLS, internal by design).
 */
const BENCH_SCRIPT_ALLOWED = ['^src/bench/', '^src/cpu/', '^src/buffers/stream\\.ts$'];

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'No circular imports (value imports; replaces dpdm in `npm run cycles` as far as the rules go).',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'ops-no-backend-internals',
      comment:
        'src/ops/** may use src/backends/backend.ts and src/backends/*/ops/** (the implementations the manifests name), ' +
        "not a backend's internals (contexts, pools, kernels, tuning).",
      severity: 'error',
      from: { path: '^src/ops/' },
      to: { path: '^src/backends/', pathNot: ['^src/backends/backend\\.ts$', '^src/backends/[^/]+/ops/'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'backends-no-ops',
      comment:
        'src/backends/** may not import src/ops/** except type-only imports and the pure argument/shape helpers ' +
        'signature.ts, util.ts, axis-options.ts, reduction-spec.ts and manifest.ts: argument and shape logic with no ' +
        'engine and no op in it, which the manifests\' checks and the implementations share.',
      severity: 'error',
      from: { path: '^src/backends/' },
      to: { path: '^src/ops/', pathNot: ['^src/ops/(signature|util|axis-options|reduction-spec|manifest)\\.ts$'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'buffers-no-ops',
      comment: "src/buffers/** may not import src/ops/** or a backend's op implementations (type-only imports allowed).",
      severity: 'error',
      from: { path: '^src/buffers/' },
      to: { path: ['^src/ops/', '^src/backends/[^/]+/ops/'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'buffers-no-backend-internals',
      comment:
        "src/buffers/** holds an array's backend and storage: it reaches an engine only through src/backends/backend.ts " +
        "(the streaming pipeline and the strided copy of views are the Dawn backend's: src/backends/dawn/stream.ts, strided-copy.ts).",
      severity: 'error',
      from: { path: '^src/buffers/' },
      to: { path: '^src/backends/', pathNot: ['^src/backends/backend\\.ts$'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'clients-public-api-only',
      comment:
        'The CLI, bench, fleet, placement and testing use the public entry points (src/index.ts, src/testing/index.ts, ' +
        'src/fleet/index.ts), engine-neutral leaves and each other; the exceptions are listed in .dependency-cruiser.cjs with reasons.',
      severity: 'error',
      from: { path: '^src/(cli|bench|fleet|placement|testing)/', pathNot: [...ENTRY, REEXPORTED_CLIENTS] },
      to: {
        path: '^src/',
        pathNot: ['^src/$1/', ...ENTRY, ...NEUTRAL, ...CLIENT_LAYERS, ...CLIENT_EXCEPTIONS],
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'placement-no-engine-internals',
      comment: 'src/placement/placed.ts (re-exported by src/index.ts) may use public modules directly, but no backend internals.',
      severity: 'error',
      from: { path: REEXPORTED_CLIENTS },
      to: { path: ['^src/backends/', '^src/buffers/(?!device-array\\.ts$|dtype\\.ts$)'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'core-no-interop',
      comment:
        "src/interop/ (the gpukit/interop subpath: TF.js and ONNX Runtime helpers) builds on the core; nothing in the core " +
        'imports it, so the core never loads a partner library.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/interop/' },
      to: { path: '^src/interop/' },
    },
    {
      name: 'interop-public-api-only',
      comment:
        'src/interop/ uses the public entry point, engine-neutral leaves and the Dawn backend\'s sharing primitives ' +
        '(src/backends/dawn/share.ts: wrapping an outside buffer, leasing an array\'s buffer), nothing else inside.',
      severity: 'error',
      from: { path: '^src/interop/' },
      to: { path: '^src/', pathNot: ['^src/interop/', ...ENTRY, ...NEUTRAL, '^src/backends/dawn/share\\.ts$'], dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'bench-scripts-public-api-only',
      comment: 'bench/*.ts use the public entry points and the bench harness (see BENCH_SCRIPT_ALLOWED).',
      severity: 'error',
      from: { path: '^bench/' },
      to: { path: '^src/', pathNot: [...ENTRY, ...BENCH_SCRIPT_ALLOWED], dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^node_modules', '^dist/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default', 'types'], extensions: ['.ts', '.js', '.d.ts'] },
  },
};
