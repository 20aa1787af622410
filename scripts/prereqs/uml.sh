#!/usr/bin/env bash
# The user-mode-linux kernel of the tests (ipam-testkit's Uml fixture): Debian 12's linux.uml 6.1
# where it boots, else Debian unstable's, unpacked under the build cache by scripts/sid-fetch.sh and
# pointed at unstable's glibc with patchelf (nothing installed into the system).
#
# Why a second kernel: linux.uml 6.1 cannot start a process on a host whose CPU has AMX (Sapphire
# Rapids and later): its PID 1 dies with "userspace - ptrace set fp regs failed, errno = 14", because
# it hands the host's ptrace a register buffer of its own fixed size, which is smaller than that
# host's XSAVE area. Unstable's 7.x sizes it from the host. Which kernel a machine gets is decided by
# booting each with a one-line init (about a second), not by reading CPU flags.
#
# Leaves <cache>/uml/ with
#   linux.uml   the kernel to run (a symlink to the system's, or a patched copy of unstable's)
#   modules/    its modules, as <version>/kernel/... (a symlink)
#   version     "<version> <source>", e.g. "6.1.176 system" or "7.2.7 unstable (system 6.1 fails here: ...)"
# Quick when already there. Prints the directory on its last line.
set -euo pipefail

repo="$(cd "$(dirname "$0")/../.." && pwd)"
cache="${SID_CACHE:-$repo/.cache/sid}"
dir="$cache/uml"

# boots KERNEL with a one-line init; prints the guest's kernel release when the guest ran it
probe() {
  local kernel="$1" tmp out
  tmp="$(mktemp -d)"
  printf '#!/bin/sh\necho "UML-PROBE-RAN $(uname -r)"\nbusybox halt -f\n' > "$tmp/init.sh"
  chmod +x "$tmp/init.sh"
  (cd "$tmp" && timeout 120 "$kernel" mem=128M root=/dev/root rootfstype=hostfs rootflags=/ ro \
    init="$tmp/init.sh" con0=fd:0,fd:1 con=null </dev/null >"$tmp/console" 2>&1) 2>/dev/null || true
  # the guest's console ends its lines with CR LF
  out="$(tr -d '\r' <"$tmp/console" | awk '/UML-PROBE-RAN/ { print $2; exit }')"
  [[ -n $out ]] || grep -m1 -E "fp regs failed|Kernel panic|error while loading" "$tmp/console" >&2 || true
  rm -rf "$tmp"
  [[ -n $out ]] && echo "$out"
}

if [[ -x $dir/linux.uml && -s $dir/version && -d $dir/modules/$(cut -d' ' -f1 "$dir/version") ]]; then
  echo "user-mode-linux present: $(cat "$dir/version")"
  echo "$dir"
  exit 0
fi

tmp="$dir.tmp.$$"
rm -rf "$tmp"
mkdir -p "$tmp"
if [[ ! -x /usr/bin/linux.uml ]]; then
  echo "uml: /usr/bin/linux.uml missing: run scripts/install-test-prereqs.sh (user-mode-linux)" >&2
  exit 1
fi
if release="$(probe /usr/bin/linux.uml 2>"$tmp/why")"; then
  ln -s /usr/bin/linux.uml "$tmp/linux.uml"
  ln -s /usr/lib/uml/modules "$tmp/modules"
  echo "$release system" > "$tmp/version"
else
  why="$(head -n1 "$tmp/why")"
  echo "uml: the system's linux.uml does not boot here (${why:-no output}); taking unstable's" >&2
  declare -A tree
  while read -r name _ d; do tree[$name]="$d"; done < <(
    bash "$repo/scripts/sid-fetch.sh" --cache "$cache" user-mode-linux libc6)
  libdir="${tree[libc6]}/usr/lib/x86_64-linux-gnu"
  command -v patchelf >/dev/null || { echo "uml: patchelf missing (install-test-prereqs.sh installs it)" >&2; exit 1; }
  cp "${tree[user-mode-linux]}/usr/bin/linux.uml" "$tmp/linux.uml"
  # Its own loader and glibc (unstable's linux.uml needs a newer glibc than Debian 12's); run through
  # ld.so instead, it would re-exec the loader when it turns address randomisation off.
  patchelf --set-interpreter "$libdir/ld-linux-x86-64.so.2" --set-rpath "$libdir" "$tmp/linux.uml"
  ln -s "${tree[user-mode-linux]}/usr/lib/uml/modules" "$tmp/modules"
  release="$(probe "$tmp/linux.uml")" || { echo "uml: unstable's linux.uml does not boot here either" >&2; exit 1; }
  echo "$release unstable (the system's 6.1 fails here: ${why:-no output})" > "$tmp/version"
fi
[[ -d $tmp/modules/$release/kernel ]] || { echo "uml: no modules for $release under $tmp/modules" >&2; exit 1; }
rm -f "$tmp/why"
rm -rf "$dir"
mv "$tmp" "$dir"
echo "user-mode-linux: $(cat "$dir/version")"
echo "$dir"
