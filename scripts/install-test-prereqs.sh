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
  patchelf           # points unstable's linux.uml at unstable's glibc where Debian 12's cannot boot (prereqs/uml.sh)
)

source "$(dirname "$0")/prereqs/lib.sh"
apt_install_missing "${packages[@]}"
echo "test prerequisites present: ${packages[*]}"
bash "$(dirname "$0")/prereqs/engines.sh"   # dockerd 28.5 + containerd 2.1 + compose 2.40 from unstable, under .cache/sid
bash "$(dirname "$0")/prereqs/uml.sh"       # the user-mode-linux kernel that boots on this CPU, under .cache/sid/uml

bash "$(dirname "$0")/prereqs/map.sh"       # chromium + chromedriver for the address-map page tests
bash "$(dirname "$0")/prereqs/cni.sh" >/dev/null   # gcc for the CNI shim, bridge 1.1.1 + podman 4.3, bridge 1.9.1 from unstable under .cache/sid
