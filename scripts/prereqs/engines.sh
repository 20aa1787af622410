#!/usr/bin/env bash
# The second Docker engine of the tests: Debian unstable's dockerd 28.5 with its containerd 2.1, CLI and
# Compose v2, unpacked under the build cache by scripts/sid-fetch.sh (nothing installed into the
# system). The system's runc and docker-init (tini) stay: unstable's runc needs a newer glibc.
#
# Leaves <cache>/engines/docker-28.5/ with
#   bin/          dockerd, docker-proxy, containerd, containerd-shim-runc-v2, ctr, docker,
#                 docker-compose: put it FIRST in PATH so dockerd starts the matching containerd
#   cli-plugins/  docker-compose, for DOCKER_CONFIG=<dir>/cli-plugins/.. style use ("docker compose")
#   version       the output of `dockerd --version`
# Quick when already there. Prints the engine directory on its last line.
set -euo pipefail

repo="$(cd "$(dirname "$0")/../.." && pwd)"
cache="${SID_CACHE:-$repo/.cache/sid}"
engine="$cache/engines/docker-28.5"

if [[ -x $engine/bin/dockerd && -s $engine/version && -x $engine/cli-plugins/docker-compose ]]; then
  echo "engine present: $(cat "$engine/version")"
  echo "$engine"
  exit 0
fi

# The unpacked trees of these versions (other versions fail loudly rather than change the engine).
declare -A tree
while read -r name _ dir; do tree[$name]="$dir"; done < <(
  bash "$repo/scripts/sid-fetch.sh" --cache "$cache" \
    docker.io='28.5.*' docker-cli='28.5.*' containerd='2.1.*' docker-compose='2.40.*')

tmp="$engine.tmp.$$"
rm -rf "$tmp"
mkdir -p "$tmp/bin" "$tmp/cli-plugins"
link() { [[ -x $1 ]] || { echo "engines: $1 missing from the unpacked package" >&2; exit 1; }; ln -sr "$1" "$tmp/$2"; }
link "${tree[docker.io]}/usr/sbin/dockerd" bin/dockerd
link "${tree[docker.io]}/usr/sbin/docker-proxy" bin/docker-proxy
link "${tree[docker-cli]}/usr/bin/docker" bin/docker
link "${tree[containerd]}/usr/bin/containerd" bin/containerd
link "${tree[containerd]}/usr/bin/containerd-shim-runc-v2" bin/containerd-shim-runc-v2
link "${tree[containerd]}/usr/bin/ctr" bin/ctr
link "${tree[docker-compose]}/usr/libexec/docker/cli-plugins/docker-compose" bin/docker-compose
link "${tree[docker-compose]}/usr/libexec/docker/cli-plugins/docker-compose" cli-plugins/docker-compose
"$tmp/bin/dockerd" --version > "$tmp/version"
"$tmp/bin/containerd" --version >/dev/null
"$tmp/bin/docker-compose" version >/dev/null

rm -rf "$engine"
mv "$tmp" "$engine"
echo "engine ready: $(cat "$engine/version")"
echo "$engine"
