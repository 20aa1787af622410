#!/usr/bin/env bash
# The cluster simulator: N simulated hosts (each its own engine and etcd store) on a real etcd it
# starts on loopback (1 or 3 members) or is given. Builds ipam-sim/target/ipam-sim.jar when it is
# missing or older than the sources, then runs it. Options: scripts/simulate.sh --help
set -euo pipefail
cd "$(dirname "$0")/.."
jar=ipam-sim/target/ipam-sim.jar
if [[ ! -f $jar ]] || [[ -n $(find ipam-core/src/main ipam-etcd/src/main ipam-sim/src/main ipam-sim/pom.xml pom.xml -newer "$jar" -print -quit) ]]; then
  echo "building $jar" >&2
  mvn -B -ntp -o -q -Dstyle.color=never -pl ipam-sim -am -Psim-jar package -DskipTests >&2
fi
# Many hosts' stores and caches live in one JVM.
exec java -Xms512m -Xmx4g -XX:+UseParallelGC -jar "$jar" "$@"
