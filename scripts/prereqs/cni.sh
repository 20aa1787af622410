#!/usr/bin/env bash
# The CNI tests' prerequisites: gcc and libc6-dev (the shim is a small C program built by the tests),
# Debian 12's containernetworking-plugins (bridge 1.1.1) and podman 4.3, and unstable's
# containernetworking-plugins (bridge 1.9.1, which forwards STATUS and GC) unpacked under the build
# cache without being installed. Idempotent; quick when everything is there.
# Prints the directory of unstable's plugins on its last line.
set -euo pipefail

repo="$(cd "$(dirname "$0")/../.." && pwd)"
cache="${SID_CACHE:-$repo/.cache/sid}"

packages=(gcc libc6-dev containernetworking-plugins podman)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # No daemons may start on install: tests start their own.
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  rm -f /usr/sbin/policy-rc.d
fi

plugins="$cache/cni/plugins-1.9"
if [[ -x $plugins/bridge && -x $plugins/host-local ]]; then
  echo "$plugins"
  exit 0
fi

if [[ -f $repo/scripts/sid-fetch.sh ]]; then
  tree="$(bash "$repo/scripts/sid-fetch.sh" --cache "$cache" containernetworking-plugins='1.9.*' | awk '{print $3}')"
else
  # A private apt configuration for unstable; the archive URI is the machine's own.
  apt="$cache/cni/apt"
  mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/empty.d" "$apt/debs"
  uri="$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources)"
  [[ -n $uri ]] || { echo "cni: no archive URI in /etc/apt/sources.list.d/debian.sources" >&2; exit 1; }
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri sid main" > "$apt/sources.list"
  opts=(-o "Dir::Etc::sourcelist=$apt/sources.list" -o "Dir::Etc::sourceparts=-" -o "Dir::State::Lists=$apt/lists"
    -o "Dir::Cache=$apt/cache" -o "Dir::Etc::preferencesparts=$apt/empty.d" -o "APT::Sandbox::User=root" -o "Acquire::Languages=none")
  apt-get "${opts[@]}" update -qq >&2
  (cd "$apt/debs" && apt-get "${opts[@]}" download -qq containernetworking-plugins >&2)
  deb="$(ls "$apt"/debs/containernetworking-plugins_*.deb | head -n1)"
  tree="$apt/x"
  rm -rf "$tree" && mkdir -p "$tree" && dpkg -x "$deb" "$tree"
fi
version="$(ls -d "$tree"/usr/lib/cni 2>/dev/null || true)"
[[ -n $version ]] || { echo "cni: no usr/lib/cni in $tree" >&2; exit 1; }
rm -rf "$plugins.tmp" && mkdir -p "$plugins.tmp"
cp -a "$tree"/usr/lib/cni/. "$plugins.tmp"/
rm -rf "$plugins" && mv "$plugins.tmp" "$plugins"
echo "$plugins"
