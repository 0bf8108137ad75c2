#!/usr/bin/env bash
# The op suite (test/ops and test/device/runtime.test.ts, or the test files/patterns given) under Bun, with the Bun binary of the pinned `bun`
# devDependency (node_modules/.bin/bun): vitest itself runs on Bun (`bun --bun`), and so do its forked test
# workers (vitest forks process.execPath, which is then Bun). WebGPU is Dawn, through the `webgpu` package, which
# Bun loads as a Node-API addon. Writes a vitest JSON report to $RESULTS_DIR/bun.json (RESULTS_DIR defaults to
# a temp dir) and ends with the line `Tests: N passed, M failed` (skipped tests count as failures).
#
#   bash scripts/test-bun.sh                       # the whole op suite
#   bash scripts/test-bun.sh --maxWorkers=1        # the same, one worker
#   bash scripts/test-bun.sh test/ops/scan.test.ts # one file
set -uo pipefail
cd "$(dirname "$0")/.."
bun=node_modules/.bin/bun
[ -x "$bun" ] || { echo "test-bun: no $bun: run npm ci (bun is a pinned devDependency)"; echo "Tests: 0 passed, 1 failed"; exit 1; }
results=${RESULTS_DIR:-$(mktemp -d)}
mkdir -p "$results"
echo "test-bun: bun $("$bun" --version), WebGPU: Dawn (webgpu package)"
# With no file filter among the arguments (options such as --maxWorkers=1 pass through), the op suite.
has_files=0
for a in "$@"; do case "$a" in -*) ;; *) has_files=1 ;; esac; done
[ "$has_files" -eq 0 ] && set -- "$@" test/ops test/device/runtime.test.ts
GPUKIT_WEBGPU=dawn "$bun" --bun node_modules/vitest/vitest.mjs run --reporter=default --reporter=json --outputFile="$results/bun.json" "$@"
status=$?
node_modules/.bin/tsx scripts/test-tally.ts "$results/bun.json"
tally=$?
[ "$status" -eq 0 ] && status=$tally
exit "$status"
