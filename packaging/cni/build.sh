#!/bin/sh
# Builds the CNI plugin executable: packaging/cni/build.sh OUT (default ./cluster-ipam).
# Needs gcc and libc6-dev; install OUT into the runtime's CNI plugin directory (e.g. /usr/lib/cni/cluster-ipam).
set -eu
out="${1:-cluster-ipam}"
exec gcc -O2 -Wall -Wextra -o "$out" "$(dirname "$0")/cluster-ipam.c"
