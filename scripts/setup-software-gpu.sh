#!/usr/bin/env bash
# Installs the software GPU adapter (Mesa lavapipe, a Vulkan driver that runs on the CPU) on Debian bookworm,
# so gpukit can run real WGSL kernels on a machine with no GPU.
#
# Bookworm's own Mesa 22 lacks a Vulkan feature Dawn needs for a core adapter, so lavapipe comes from
# bookworm-backports (Mesa >= 24). The backports suite is added with the mirror this machine's apt sources
# already use: no registry host is written here. Bookworm's EGL/GL Mesa is installed too, which Dawn's
# OpenGL ES backend (compatibility mode, EGL_PLATFORM=surfaceless) uses.
#
# Idempotent; needs root (or sudo). Usage: bash scripts/setup-software-gpu.sh
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "setup-software-gpu: needs root (or sudo) to install packages" >&2; exit 1
  fi
fi

if ! [ -r /etc/os-release ] || ! grep -q '^VERSION_CODENAME=bookworm' /etc/os-release; then
  echo "setup-software-gpu: this script targets Debian bookworm; on another system install Mesa >= 24's" >&2
  echo "  lavapipe (the Vulkan software driver) and libvulkan1 with your package manager." >&2
  exit 1
fi

# Find the Debian mirror already configured (deb822 .sources or one-line .list), skipping security.
mirror=""
for f in /etc/apt/sources.list.d/*.sources; do
  [ -r "$f" ] || continue
  m=$(awk '/^URIs:/ {for (i = 2; i <= NF; i++) print $i}' "$f" | grep -v -- '-security' | grep '/debian/\?$' | head -n 1 || true)
  [ -n "$m" ] && { mirror="$m"; break; }
done
if [ -z "$mirror" ]; then
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -r "$f" ] || continue
    m=$(awk '$1 == "deb" && $0 ~ /bookworm/ && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' "$f" || true)
    [ -n "$m" ] && { mirror="$m"; break; }
  done
fi
if [ -z "$mirror" ]; then
  echo "setup-software-gpu: found no Debian mirror in /etc/apt/sources*; add bookworm-backports by hand" >&2
  exit 1
fi

list=/etc/apt/sources.list.d/gpukit-bookworm-backports.list
if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
  echo "deb $mirror bookworm-backports main" | $SUDO tee "$list" >/dev/null
  echo "setup-software-gpu: added bookworm-backports from $mirror"
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends libvulkan1 libegl1 libgles2 >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends -t bookworm-backports mesa-vulkan-drivers >/dev/null

ver=$(dpkg-query -W -f='${Version}' mesa-vulkan-drivers 2>/dev/null || echo none)
echo "setup-software-gpu: mesa-vulkan-drivers $ver installed (lavapipe)"
