#!/usr/bin/env bash
# Installs the software GPU adapter (Mesa lavapipe, a Vulkan driver that runs on the CPU) on Debian (bookworm
# or later) and Ubuntu, so gpukit can run real WGSL kernels on a machine with no GPU. `npx gpukit setup` runs
# this file from the installed package; in a gpukit checkout, `npm run setup:software-gpu`.
#
# Dawn needs Mesa >= 24's lavapipe for a core adapter. Bookworm's own Mesa 22 lacks a Vulkan feature Dawn needs,
# so there lavapipe comes from bookworm-backports, added with the mirror this machine's apt sources already use
# (no registry host is written here). Later releases (trixie, Ubuntu 24.04+) have it in their own archive.
# EGL/GLES Mesa is installed too, which Dawn's OpenGL ES backend (compatibility mode, EGL_PLATFORM=surfaceless)
# uses. Other systems get told what to install, and nothing is run.
#
# Idempotent: when everything is already installed it says so and changes nothing (no root needed then).
# Otherwise it needs root (or sudo). Prints what it did.
#
# Usage: bash scripts/setup-software-gpu.sh [--dry-run]
#   --dry-run (or GPUKIT_SETUP_DRY_RUN=1): print the commands it would run, run none.
#   GPUKIT_OS_RELEASE (default /etc/os-release) and GPUKIT_APT_DIR (default /etc/apt) point it elsewhere:
#   gpukit's tests run it on a fake os-release and apt tree, with fake apt-get and dpkg-query on PATH.
set -euo pipefail

os_release=${GPUKIT_OS_RELEASE:-/etc/os-release}
apt_dir=${GPUKIT_APT_DIR:-/etc/apt}
dry=${GPUKIT_SETUP_DRY_RUN:-}
for arg in "$@"; do
  case "$arg" in
    --dry-run) dry=1 ;;
    *) echo "gpukit setup: unknown argument $arg (usage: setup-software-gpu.sh [--dry-run])" >&2; exit 2 ;;
  esac
done

say() { echo "gpukit setup: $*"; }
SUDO=""
run() {
  if [ -n "$dry" ]; then say "would run: $SUDO$*"; else $SUDO "$@"; fi
}

os_field() { # the value of one os-release field, quotes removed
  [ -r "$os_release" ] || return 0
  sed -n "s/^$1=//p" "$os_release" | head -n 1 | tr -d '"'"'"
}
id=$(os_field ID)
id_like=$(os_field ID_LIKE)
codename=$(os_field VERSION_CODENAME)
pretty=$(os_field PRETTY_NAME)

case " $id $id_like " in
  *" debian "* | *" ubuntu "*) ;;
  *)
    cat >&2 <<EOF
gpukit setup: this installs the software adapter on Debian and Ubuntu only; this system is ${pretty:-unknown (no $os_release)}.
  Nothing was installed. Install Mesa >= 24's Vulkan software driver (lavapipe), the Vulkan loader and Mesa's EGL
  with your package manager, for example:
    Fedora, RHEL:  sudo dnf install mesa-vulkan-drivers vulkan-loader mesa-libEGL
    Arch:          sudo pacman -S vulkan-swrast vulkan-icd-loader mesa
    Alpine:        sudo apk add mesa-vulkan-swrast vulkan-loader mesa-egl
  (macOS and Windows need none: Dawn uses the machine's GPU through Metal or D3D12.)
  Then check with: npx gpukit doctor
EOF
    exit 1
    ;;
esac

# "version" of an installed package, or nothing.
installed() {
  dpkg-query -W -f='${Status} ${Version}\n' "$1" 2>/dev/null | awk '$1 == "install" && $3 == "installed" { print $4 }' || true
}
mesa_major() { # 25 from 25.0.7-2~bpo12+1 or 1:24.2.8-1ubuntu1
  echo "$1" | sed 's/^[0-9]*://; s/[^0-9].*//'
}
BASE_PKGS="libvulkan1 libegl1 libgles2"
have_all() {
  local p v
  for p in $BASE_PKGS; do [ -n "$(installed "$p")" ] || return 1; done
  v=$(installed mesa-vulkan-drivers)
  [ -n "$v" ] && [ "$(mesa_major "$v")" -ge 24 ]
}

if have_all; then
  say "already installed: mesa-vulkan-drivers $(installed mesa-vulkan-drivers) (lavapipe), $BASE_PKGS; nothing to do"
  exit 0
fi

if [ -z "$dry" ] && [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo "; else
    echo "gpukit setup: needs root (or sudo) to install packages; nothing was installed" >&2; exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
mesa_target=()

if [ "$codename" = bookworm ]; then
  if ! grep -rqs 'bookworm-backports' "$apt_dir/sources.list" "$apt_dir/sources.list.d/"; then
    # Find the Debian mirror already configured (deb822 .sources or one-line .list), skipping security.
    mirror=""
    for f in "$apt_dir"/sources.list.d/*.sources; do
      [ -r "$f" ] || continue
      m=$(awk '/^URIs:/ {for (i = 2; i <= NF; i++) print $i}' "$f" | grep -v -- '-security' | grep '/debian/\?$' | head -n 1 || true)
      [ -n "$m" ] && { mirror="$m"; break; }
    done
    if [ -z "$mirror" ]; then
      for f in "$apt_dir/sources.list" "$apt_dir"/sources.list.d/*.list; do
        [ -r "$f" ] || continue
        m=$(awk '$1 == "deb" && $0 ~ /bookworm/ && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' "$f" || true)
        [ -n "$m" ] && { mirror="$m"; break; }
      done
    fi
    if [ -z "$mirror" ]; then
      echo "gpukit setup: found no Debian mirror in $apt_dir/sources*; add bookworm-backports by hand" >&2
      exit 1
    fi
    list="$apt_dir/sources.list.d/gpukit-bookworm-backports.list"
    if [ -n "$dry" ]; then say "would add bookworm-backports from $mirror to $list"; else
      echo "deb $mirror bookworm-backports main" | $SUDO tee "$list" >/dev/null
      say "added bookworm-backports from $mirror ($list)"
    fi
  fi
  mesa_target=(-t bookworm-backports)
fi

run apt-get update -qq
# shellcheck disable=SC2086
run apt-get install -y -qq --no-install-recommends $BASE_PKGS
run apt-get install -y -qq --no-install-recommends "${mesa_target[@]}" mesa-vulkan-drivers
[ -n "$dry" ] && { say "dry run: nothing was installed"; exit 0; }

ver=$(installed mesa-vulkan-drivers)
if [ -z "$ver" ] || [ "$(mesa_major "$ver")" -lt 24 ]; then
  echo "gpukit setup: ${pretty:-this release} has mesa-vulkan-drivers ${ver:-none}; Dawn needs Mesa >= 24's lavapipe." >&2
  echo "  Use a newer release (Debian trixie, Ubuntu 24.04) or a newer Mesa from your distribution's backports." >&2
  exit 1
fi
say "installed mesa-vulkan-drivers $ver (lavapipe) and $BASE_PKGS"
