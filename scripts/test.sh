#!/usr/bin/env bash
# Installs the test prerequisites (etcd, dockerd, busybox, user-mode-linux, ipvsadm) and runs every
# test of every module against the real components. Run as root on a Debian machine with JDK 17 and
# Maven. Extra arguments go to Maven (e.g. -pl ipam-core).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-prereqs.sh
exec mvn -B -ntp verify "$@"
