#!/usr/bin/env bash
# Builds cluster-ipam and starts the daemon on the embedded store, as a legacy Docker plugin at
# /run/docker/plugins/cluster-ipam.sock, so that `docker network create --ipam-driver cluster-ipam`
# works right away. Run as root. Extra arguments go to `serve` (see `--help`).
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -ntp -q -DskipTests package -pl ipam-daemon -am
mkdir -p /run/docker/plugins /var/lib/cluster-ipam
exec java -jar ipam-daemon/target/ipam-daemon.jar serve "$@"
