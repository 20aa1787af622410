#!/usr/bin/env bash
# The CNI tests' prerequisites: gcc and libc6-dev (the shim is a small C program built by the tests),
# Debian 12's containernetworking-plugins (bridge 1.1.1) and podman 4.3, and unstable's
# containernetworking-plugins (bridge 1.9.1, which forwards STATUS and GC) unpacked under the build
# cache without being installed. Idempotent; quick when everything is there.
# Prints the directory of unstable's plugins on its last line.
set -euo pipefail

repo="$(cd "$(dirname "$0")/../.." && pwd)"
cache="${SID_CACHE:-$repo/.cache/sid}"

source "$repo/scripts/prereqs/lib.sh"
apt_install_missing gcc libc6-dev containernetworking-plugins podman

plugins="$cache/cni/plugins-1.9"
if [[ -x $plugins/bridge && -x $plugins/host-local ]]; then
  echo "$plugins"
  exit 0
fi

tree="$(bash "$repo/scripts/sid-fetch.sh" --cache "$cache" containernetworking-plugins='1.9.*' | awk '{print $3}')"
version="$(ls -d "$tree"/usr/lib/cni 2>/dev/null || true)"
[[ -n $version ]] || { echo "cni: no usr/lib/cni in $tree" >&2; exit 1; }
rm -rf "$plugins.tmp" && mkdir -p "$plugins.tmp"
cp -a "$tree"/usr/lib/cni/. "$plugins.tmp"/
rm -rf "$plugins" && mv "$plugins.tmp" "$plugins"
echo "$plugins"
