#!/usr/bin/env bash
# The op suite (test/ops and test/device/runtime.test.ts, or the test files/patterns given) under Deno, with the Deno binary of the pinned `deno`
# devDependency (node_modules/.bin/deno), twice: on Deno's own WebGPU (wgpu, `navigator.gpu`; gpukit's
# `webgpu: 'wgpu'`), and on Dawn through the `webgpu` package, which Deno loads as a Node-API addon. vitest runs on
# Deno and so do its forked workers. (--unstable-webgpu: Deno 2.9.6 has navigator.gpu without it; older Deno
# needs it, and passes it on to the workers.)
# Writes vitest JSON reports to $RESULTS_DIR/deno-wgpu.json and $RESULTS_DIR/deno-dawn.json (RESULTS_DIR
# defaults to a temp dir) and ends with the line `Tests: N passed, M failed` over both (skipped tests count as
# failures). DENO_PASSES=wgpu (or dawn) runs one pass only.
#
#   bash scripts/test-deno.sh                       # the whole op suite, both passes
#   DENO_PASSES=wgpu bash scripts/test-deno.sh test/ops/scan.test.ts
set -uo pipefail
cd "$(dirname "$0")/.."
deno=node_modules/.bin/deno
[ -x "$deno" ] || { echo "test-deno: no $deno: run npm ci (deno is a pinned devDependency)"; echo "Tests: 0 passed, 1 failed"; exit 1; }
results=${RESULTS_DIR:-$(mktemp -d)}
mkdir -p "$results"
# With no file filter among the arguments (options such as --maxWorkers=1 pass through), the op suite.
has_files=0
for a in "$@"; do case "$a" in -*) ;; *) has_files=1 ;; esac; done
[ "$has_files" -eq 0 ] && set -- "$@" test/ops test/device/runtime.test.ts
status=0
files=()
for pass in ${DENO_PASSES:-wgpu dawn}; do
  echo "test-deno: $("$deno" --version | head -1), WebGPU: $pass"
  # The wgpu pass compiles cold: Mesa's shader cache is keyed by SPIR-V, naga's differs from Tint's, and earlier
  # runs warmed it for Dawn's only (the first full wgpu pass here: 15 min, later ones 3.5). Tests get 180 s, not 60.
  timeouts=()
  [ "$pass" = wgpu ] && timeouts=(--testTimeout=180000 --hookTimeout=180000)
  GPUKIT_WEBGPU=$pass "$deno" run -A --unstable-webgpu node_modules/vitest/vitest.mjs run \
    --reporter=default --reporter=json --outputFile="$results/deno-$pass.json" "${timeouts[@]}" "$@"
  s=$?
  [ "$s" -ne 0 ] && status=$s
  files+=("$results/deno-$pass.json")
done
node_modules/.bin/tsx scripts/test-tally.ts "${files[@]}"
tally=$?
[ "$status" -eq 0 ] && status=$tally
exit "$status"
