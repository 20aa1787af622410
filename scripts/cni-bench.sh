#!/usr/bin/env bash
# CPU per CNI ADD (user+sys of the plugin process, as the runtime pays it): Debian's host-local
# against the cluster-ipam shim talking to a running daemon (the daemon's own CPU is printed apart).
# Usage: scripts/cni-bench.sh [N]   (needs the built jar, gcc, containernetworking-plugins; run as root)
set -euo pipefail
n="${1:-300}"
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d /tmp/cnib.XXXXXX)"
trap 'kill "$dpid" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
sh "$repo/packaging/cni/build.sh" "$work/cluster-ipam"
java -jar "$repo/ipam-daemon/target/ipam-daemon.jar" serve --socket "$work/p.sock" --cni-socket "$work/c.sock" --state-dir "$work/state" \
  --node-id bench --docker-host "unix://$work/none.sock" --metrics off --supernet 10.216.0.0/16 --network-prefix 16 --log-level warn \
  >"$work/daemon.log" 2>&1 &
dpid=$!
for _ in $(seq 300); do [[ -S $work/c.sock ]] && break; sleep 0.1; done
export CNI_IFNAME=eth0 CNI_NETNS=/run/netns/none CNI_PATH=/usr/lib/cni CLUSTER_IPAM_CNI_SOCKET="$work/c.sock"
hl='{"cniVersion":"1.0.0","name":"bench","ipam":{"type":"host-local","dataDir":"'$work'/hl","ranges":[[{"subnet":"10.217.0.0/16"}]]}}'
ci='{"cniVersion":"1.0.0","name":"bench","ipam":{"type":"cluster-ipam"}}'
cpu() { awk '{print $14+$15}' "/proc/$1/stat"; }    # utime+stime of a process, in ticks
run() { # PLUGIN CONF TAG -> CPU ms per ADD of the plugin processes
  local plugin="$1" conf="$2" tag="$3" t0 t1 me=$BASHPID
  for i in $(seq 20); do CNI_COMMAND=ADD CNI_CONTAINERID="warm$tag$i" "$plugin" <<<"$conf" >/dev/null; done
  t0=$(awk '{print $14+$15+$16+$17}' /proc/$me/stat)
  for i in $(seq "$n"); do CNI_COMMAND=ADD CNI_CONTAINERID="c$tag$i" "$plugin" <<<"$conf" >/dev/null; done
  t1=$(awk '{print $14+$15+$16+$17}' /proc/$me/stat)
  echo "scale=2; ($t1 - $t0) * 1000 / $(getconf CLK_TCK) / $n" | bc
}
host_local=$(run /usr/lib/cni/host-local "$hl" h)
d0=$(cpu "$dpid")
shim=$(run "$work/cluster-ipam" "$ci" s)
d1=$(cpu "$dpid")
daemon=$(echo "scale=2; ($d1 - $d0) * 1000 / $(getconf CLK_TCK) / ($n + 20)" | bc)
echo "ADDs: $n each"
echo "host-local:          $host_local ms CPU per ADD"
echo "cluster-ipam shim:   $shim ms CPU per ADD (the plugin process)"
echo "cluster-ipam daemon: $daemon ms CPU per ADD (the running daemon, embedded store)"
echo "ratio shim/host-local: $(echo "scale=2; $shim / $host_local" | bc)"
