#!/usr/bin/env bash
# Installs what the test suite needs on a fresh Debian machine of this kind (run as root).
# Idempotent: packages already present are skipped quickly.
set -euo pipefail

packages=(
  etcd-server        # /usr/bin/etcd for the etcd store tests
  docker.io          # dockerd for the real-Docker tests
  busybox-static     # a tiny image for containers (no image can be pulled here)
  user-mode-linux    # a stock 6.1 kernel as a process, with ip_vs modules
  ipvsadm            # cross-check of the IPVS table inside user-mode-linux
  iproute2           # ip netns / veth for the multi-host test bed
  util-linux         # nsenter / unshare
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # No daemons may start on install: tests start their own, on their own ports and roots.
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  rm -f /usr/sbin/policy-rc.d
fi
echo "test prerequisites present: ${packages[*]}"
bash "$(dirname "$0")/prereqs/engines.sh"   # dockerd 28.5 + containerd 2.1 + compose 2.40 from unstable, under .cache/sid

bash "$(dirname "$0")/prereqs/map.sh"       # chromium + chromedriver for the address-map page tests
bash "$(dirname "$0")/prereqs/cni.sh" >/dev/null   # gcc for the CNI shim, bridge 1.1.1 + podman 4.3, bridge 1.9.1 from unstable under .cache/sid
