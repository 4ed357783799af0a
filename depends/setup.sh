#!/usr/bin/env bash
# Installs every Debian package in depends/packages.txt and prepares this host
# for USDT tracing (kernel headers for BCC, tracefs). Idempotent: run it again
# at any time; it only does what is missing and says what it did.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
say() { printf 'depends: %s\n' "$*"; }

if [ "$(uname -s)" != Linux ]; then
    say "not Linux: install the packages of $here/packages.txt by hand; USDT tracing is unavailable, the build still works (-DWITH_USDT=OFF)."
    exit 0
fi
mapfile -t wanted < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$here/packages.txt" | grep -v '^$')
missing=()
for p in "${wanted[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done

if [ "$(id -u)" -ne 0 ]; then
    if [ ${#missing[@]} -gt 0 ]; then
        say "not root: cannot install ${missing[*]}. Run as root, or install them yourself."
        exit 1
    fi
    say "not root: packages are installed, but the host is not prepared for tracing; the build works and tests that attach tracers skip (they need root)."
    exit 0
fi

if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${#missing[@]} package(s): ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
    say "all ${#wanted[@]} packages already installed"
fi

# BCC compiles its programs against the running kernel's headers. Debian has no
# headers package for every kernel; link the newest installed ones when the
# kernel's own are missing. Debian splits them in two: the -amd64 folder has
# the generated, architecture-specific part (build/), -common the rest
# (source/); BCC reads both.
modules=/lib/modules/$(uname -r)
if [ ! -e "$modules/build" ]; then
    newest=$(ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -n "$newest" ]; then
        mkdir -p "$modules"
        ln -sfn "$newest" "$modules/build"
        say "linked $modules/build -> $newest (no headers for this kernel in Debian)"
    else
        say "warning: no kernel headers under /usr/src; BCC tests will not run"
    fi
else
    say "kernel headers present at $modules/build"
fi
if [ ! -e "$modules/source" ] && [ -L "$modules/build" ]; then
    common=$(readlink -f "$modules/build" | sed 's/-amd64$/-common/')
    if [ -d "$common" ]; then
        ln -sfn "$common" "$modules/source"
        say "linked $modules/source -> $common"
    fi
fi

mount_if_absent() { # type dir
    if ! mountpoint -q "$2" 2>/dev/null; then
        mkdir -p "$2" 2>/dev/null || true
        if mount -t "$1" "$1" "$2" 2>/dev/null; then say "mounted $1 at $2"; else say "warning: could not mount $1 at $2"; fi
    fi
}
mount_if_absent tracefs /sys/kernel/tracing
mount_if_absent debugfs /sys/kernel/debug
say "done"
