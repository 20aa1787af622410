# Sourced by the test-prerequisite scripts (bash). Not run on its own.

# apt_install_missing PKG...: installs those of the Debian packages PKG that are not installed yet,
# without recommends and without starting any daemon on install (the tests start their own, on their
# own ports and roots). Quick when every package is present: nothing but dpkg-query runs.
apt_install_missing() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  echo "installing: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  local rc=0
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || rc=$?
  rm -f /usr/sbin/policy-rc.d
  return "$rc"
}
