#!/usr/bin/env bash
# A Redis for a gpukit fleet on this machine: Debian's redis-server in the foreground, on 127.0.0.1 only, with no
# persistence (jobs are transient). Stop it with Ctrl-C. Usage: npm run redis [-- PORT]   (default 6379)
# Workers and submitters find it through GPUKIT_REDIS_URL=redis://127.0.0.1:PORT (or --redis).
# For a fleet across machines, run Redis where every machine reaches it, with a password (see the README).
set -euo pipefail
port="${1:-6379}"
if ! command -v redis-server >/dev/null 2>&1; then
  echo "npm run redis: redis-server is not installed; on Debian/Ubuntu: sudo apt-get install redis-server (or npm run setup:test-deps)" >&2
  exit 1
fi
echo "gpukit: Redis on redis://127.0.0.1:${port} (export GPUKIT_REDIS_URL=redis://127.0.0.1:${port}); Ctrl-C stops it"
exec redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no
