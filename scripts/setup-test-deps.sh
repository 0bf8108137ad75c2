#!/usr/bin/env bash
# Installs what gpukit's own test suite needs beyond npm packages: Debian's NumPy (python3-numpy), the
# independent oracle the op tests compare against (they run /usr/bin/python3), and Debian's redis-server, the
# Redis the fleet tests (test/fleet/) start on a free 127.0.0.1 port of their own. Idempotent; needs root (or
# sudo) only when something is missing. No Redis service is started or enabled here: the tests and
# `npm run redis` run their own redis-server processes and stop them by pid.
# Usage: bash scripts/setup-test-deps.sh   (npm run setup:test-deps)
set -euo pipefail

missing=()
/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1 || missing+=(python3-numpy)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
if [ "${#missing[@]}" -eq 0 ]; then
  echo "setup-test-deps: NumPy and redis-server already installed"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "setup-test-deps: needs root (or sudo) to install ${missing[*]}" >&2; exit 1
  fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup-test-deps: no apt-get here; install ${missing[*]} by your system's means" >&2; exit 1
fi
$SUDO apt-get update -qq
# Where an init system runs, Debian's package also starts its own service on 6379; the tests never use it.
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
/usr/bin/python3 -c 'import numpy; print("setup-test-deps: NumPy", numpy.__version__, "installed for /usr/bin/python3")'
echo "setup-test-deps: $(redis-server --version | cut -d' ' -f1-3) installed"
