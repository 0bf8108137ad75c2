#!/usr/bin/env bash
# Installs what gpukit's own test suite needs beyond npm packages: Debian's NumPy (python3-numpy), the
# independent oracle the op tests compare against (they run /usr/bin/python3). Idempotent; needs root
# (or sudo). Usage: bash scripts/setup-test-deps.sh   (npm run setup:test-deps)
set -euo pipefail

if /usr/bin/python3 -c 'import numpy' >/dev/null 2>&1; then
  echo "setup-test-deps: NumPy already installed for /usr/bin/python3"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "setup-test-deps: needs root (or sudo) to install python3-numpy" >&2; exit 1
  fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup-test-deps: no apt-get here; install NumPy for /usr/bin/python3 by your system's means" >&2; exit 1
fi
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends python3-numpy >/dev/null
/usr/bin/python3 -c 'import numpy; print("setup-test-deps: NumPy", numpy.__version__, "installed for /usr/bin/python3")'
