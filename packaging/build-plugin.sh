#!/bin/sh
# Builds cluster-ipam as a managed (v2) Docker plugin and creates it:
#   packaging/build-plugin.sh [NAME:TAG]        (default cluster-ipam:latest)
# The rootfs holds a jlink runtime (java.base plus the modules jdeps reports for the shaded jar),
# the jar, and the shared libraries ldd lists for the runtime. Environment:
#   JAR=path      the shaded jar (default ipam-daemon/target/ipam-daemon.jar)
#   OUT=dir       build directory (default ipam-daemon/target/plugin); `docker plugin create NAME OUT`
#   DOCKER=cmd    docker CLI to use (default: docker), e.g. "docker -H unix:///tmp/x/d.sock"
#   CREATE=0      only build the directory, do not run `docker plugin create`
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
NAME=${1:-cluster-ipam:latest}
JAR=${JAR:-$ROOT/ipam-daemon/target/ipam-daemon.jar}
OUT=${OUT:-$ROOT/ipam-daemon/target/plugin}
DOCKER=${DOCKER:-docker}
CREATE=${CREATE:-1}

if [ ! -f "$JAR" ]; then
  echo "no $JAR: build it first (mvn -B -pl ipam-daemon -am package -DskipTests)" >&2
  exit 1
fi
for tool in jdeps jlink ldd; do
  command -v "$tool" >/dev/null || { echo "$tool is required (a JDK 17 and libc-bin)" >&2; exit 1; }
done

rm -rf "$OUT"
mkdir -p "$OUT/rootfs"
FS="$OUT/rootfs"

# 1. A runtime with exactly the modules the jar uses (+ EC crypto for etcd TLS, a service jdeps cannot see).
MODULES="$(jdeps --print-module-deps --ignore-missing-deps --multi-release 17 "$JAR"),jdk.crypto.ec"
echo "modules: $MODULES"
STRIP=""
if command -v objcopy >/dev/null; then STRIP="--strip-native-debug-symbols=objcopy=$(command -v objcopy)"; fi
jlink --add-modules "$MODULES" --strip-debug $STRIP --no-header-files --no-man-pages --compress=2 --output "$FS/opt/java"

# 2. The jar.
mkdir -p "$FS/opt/cluster-ipam"
cp "$JAR" "$FS/opt/cluster-ipam/ipam-daemon.jar"

# 3. The shared libraries the runtime links (glibc loader, libc, libm, libz, libstdc++, libgcc_s, ...).
#    AWT/sound/font libraries come with java.desktop (java.beans is used) but are never loaded by a
#    headless server: their X11/ALSA/freetype dependencies are left out.
{
  ldd "$FS/opt/java/bin/java"
  find "$FS/opt/java/lib" -name '*.so' ! -name 'libawt*' ! -name 'libjawt.so' ! -name 'libfontmanager.so' ! -name 'libjsound.so' \
    ! -name 'libsplashscreen.so' ! -name 'liblcms.so' ! -name 'libjavajpeg.so' ! -name 'libmlib_image.so' -exec ldd {} \;
} 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}' | sort -u | while read -r lib; do
  mkdir -p "$FS$(dirname "$lib")"
  cp -L "$lib" "$FS$lib"
done
# The loader is also reached through /lib64 (x86-64) or /lib (others): keep both names working.
for ld in "$FS"/lib/*/ld-linux*.so* "$FS"/lib64/ld-linux*.so*; do
  [ -f "$ld" ] || continue
  base=$(basename "$ld")
  mkdir -p "$FS/lib64"
  [ -e "$FS/lib64/$base" ] || cp -L "$ld" "$FS/lib64/$base"
done

# 4. Directories the daemon uses: the socket dir Docker mounts, state, and a tmp for JNA's native stub.
mkdir -p "$FS/run/docker/plugins" "$FS/var/lib/cluster-ipam" "$FS/var/run" "$FS/tmp" "$FS/etc"
chmod 1777 "$FS/tmp"
echo "root:x:0:0:root:/:/nonexistent" > "$FS/etc/passwd"
echo "root:x:0:" > "$FS/etc/group"

# 5. The JDK's default class-data sharing archive (faster start; Docker wants the socket within ~10 s).
"$FS/opt/java/bin/java" -Xshare:dump >/dev/null 2>&1 || true

cp "$HERE/plugin/config.json" "$OUT/config.json"
echo "plugin directory: $OUT ($(du -sh "$FS" | cut -f1) rootfs)"

if [ "$CREATE" = 1 ]; then
  $DOCKER plugin create "$NAME" "$OUT"
  echo "created $NAME: set its environment, then enable it, e.g."
  echo "  docker plugin set $NAME IPAM_ETCD=https://10.0.0.1:2379 IPAM_NODE_ID=\$(hostname)"
  echo "  docker plugin enable $NAME"
fi
