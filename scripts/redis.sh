#!/usr/bin/env bash
# A Redis for a gpukit fleet on this machine: Debian's redis-server in the foreground, on 127.0.0.1 only, with no
# persistence (jobs are transient) and a password: GPUKIT_REDIS_PASSWORD if set, else a random one printed here.
# Stop it with Ctrl-C. Usage: npm run redis [-- PORT]   (default 6379)
# Workers and submitters find it through GPUKIT_REDIS_URL=redis://:PASSWORD@127.0.0.1:PORT (or --redis).
# The password goes to redis-server on its stdin, never on a command line (where any local user could read it).
# For a fleet across machines, run Redis where every machine reaches it, with TLS (rediss://; see the README).
set -euo pipefail
port="${1:-6379}"
if ! command -v redis-server >/dev/null 2>&1; then
  echo "npm run redis: redis-server is not installed; on Debian/Ubuntu: sudo apt-get install redis-server (or npm run setup:test-deps)" >&2
  exit 1
fi
password="${GPUKIT_REDIS_PASSWORD:-}"
if [ -z "$password" ]; then
  password="$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
fi
# A URL's password must not need escaping, and redis.conf must read it as one word.
if ! [[ "$password" =~ ^[A-Za-z0-9._~-]+$ ]]; then
  echo "npm run redis: GPUKIT_REDIS_PASSWORD may hold only letters, digits and . _ ~ - (it goes into a URL)" >&2
  exit 1
fi
url="redis://:${password}@127.0.0.1:${port}"
echo "gpukit: Redis on 127.0.0.1:${port}, password required; Ctrl-C stops it"
echo "export GPUKIT_REDIS_URL=${url}"
exec redis-server - --port "$port" --bind 127.0.0.1 --protected-mode yes --save '' --appendonly no <<<"requirepass ${password}"
