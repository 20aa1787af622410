#!/usr/bin/env bash
# Fetches packages from Debian unstable (suite sid) and unpacks them under a build cache, without
# installing anything into the system: a private apt configuration (its own source list, lists and
# cache directories) runs `apt-get download`, and `dpkg -x` unpacks each .deb into its own tree.
# The archive URI is the machine's own: read at run time from /etc/apt/sources.list.d/debian.sources.
#
# Usage: scripts/sid-fetch.sh [--cache DIR] [--refresh] PKG[=VERSION-GLOB]...
#   PKG=28.5.*   take sid's candidate only if its version matches the glob (else fail, saying why)
#   --cache DIR  cache root (default: $SID_CACHE, else <repo>/.cache/sid; .cache/ is ignored by git)
#   --refresh    re-read sid's package lists even when a cached tree satisfies the request
# Prints one line per package: NAME VERSION TREE, where TREE is the directory the .deb was unpacked in.
# A tree already unpacked for a matching version is reused without touching the network.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
cache="${SID_CACHE:-$repo/.cache/sid}"
refresh=0
wanted=()
while (($#)); do
  case "$1" in
    --cache) cache="$2"; shift 2 ;;
    --refresh) refresh=1; shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    -*) echo "sid-fetch: unknown option $1" >&2; exit 2 ;;
    *) wanted+=("$1"); shift ;;
  esac
done
((${#wanted[@]})) || { echo "sid-fetch: name at least one package" >&2; exit 2; }

mkdir -p "$cache"/{apt/empty.d,apt/lists/partial,apt/cache/archives/partial,debs,x}
cache="$(cd "$cache" && pwd)"
# Several worktrees or test runs may fetch at once: one at a time per cache.
exec 9>"$cache/.lock"
flock 9

# The URI of the machine's main Debian archive: the deb822 stanza whose Suites hold a plain release
# name (not -security, -updates or -backports).
archive_uri() {
  local f=/etc/apt/sources.list.d/debian.sources
  [[ -r $f ]] || { echo "sid-fetch: $f not found: cannot tell which Debian archive to use" >&2; return 1; }
  awk '
    function flush() { if (uri != "" && plain) { print uri; found = 1; exit } uri = ""; plain = 0 }
    /^[[:space:]]*$/ { flush(); next }
    /^URIs:/ { uri = $2 }
    /^Suites:/ { for (i = 2; i <= NF; i++) if ($i !~ /-/) plain = 1 }
    END { if (!found) flush() }
  ' "$f"
}

apt_opts() {
  printf '%s\n' \
    -o "Dir::Etc::sourcelist=$cache/apt/sources.list" \
    -o "Dir::Etc::sourceparts=-" \
    -o "Dir::State::Lists=$cache/apt/lists" \
    -o "Dir::Cache=$cache/apt/cache" \
    -o "Dir::Etc::preferencesparts=$cache/apt/empty.d" \
    -o "APT::Sandbox::User=root" \
    -o "Acquire::Languages=none"
}

lists_ready=0
prepare_lists() {
  ((lists_ready)) && return 0
  local uri
  uri="$(archive_uri)"
  [[ -n $uri ]] || { echo "sid-fetch: no Debian archive URI in /etc/apt/sources.list.d/debian.sources" >&2; return 1; }
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri sid main" > "$cache/apt/sources.list"
  mapfile -t opts < <(apt_opts)
  # Lists younger than a day are reused; --refresh re-reads them.
  if ((refresh)) || [[ -z $(find "$cache/apt/lists" -maxdepth 1 -name '*_Packages*' -mmin -1440 2>/dev/null) ]]; then
    echo "sid-fetch: reading sid's package lists" >&2
    apt-get "${opts[@]}" update -qq >&2
  fi
  lists_ready=1
}

candidate() { # NAME -> sid's candidate version
  mapfile -t opts < <(apt_opts)
  apt-cache "${opts[@]}" policy "$1" | awk '/Candidate:/ { print $2 }'
}

cached_tree() { # NAME GLOB -> newest unpacked tree whose version matches
  local name="$1" glob="$2" best="" d v
  for d in "$cache"/x/"$name"_*; do
    [[ -f $d/.unpacked ]] || continue
    v="${d##*/"$name"_}"
    # shellcheck disable=SC2053
    [[ $v == $glob ]] || continue
    if [[ -z $best ]] || dpkg --compare-versions "$v" gt "${best##*/"$name"_}"; then best="$d"; fi
  done
  [[ -n $best ]] && echo "$best"
}

for spec in "${wanted[@]}"; do
  name="${spec%%=*}"
  glob='*'
  [[ $spec == *=* ]] && glob="${spec#*=}"
  tree=""
  ((refresh)) || tree="$(cached_tree "$name" "$glob" || true)"
  if [[ -z $tree ]]; then
    prepare_lists
    version="$(candidate "$name")"
    if [[ -z $version || $version == "(none)" ]]; then
      echo "sid-fetch: sid has no package $name" >&2; exit 1
    fi
    # shellcheck disable=SC2053
    if [[ $version != $glob ]]; then
      echo "sid-fetch: sid's $name is $version, which does not match $glob (set another version to use it)" >&2
      exit 1
    fi
    tree="$cache/x/${name}_$version"
    deb="$(ls "$cache"/debs/"${name}"_"${version//:/%3a}"_*.deb 2>/dev/null | head -n1 || true)"
    if [[ -z $deb ]]; then
      echo "sid-fetch: downloading $name $version" >&2
      mapfile -t opts < <(apt_opts)
      (cd "$cache/debs" && apt-get "${opts[@]}" download -qq "$name=$version" >&2)
      deb="$(ls "$cache"/debs/"${name}"_"${version//:/%3a}"_*.deb | head -n1)"
    fi
    rm -rf "$tree.tmp" "$tree"
    mkdir -p "$tree.tmp"
    dpkg -x "$deb" "$tree.tmp"
    touch "$tree.tmp/.unpacked"
    mv "$tree.tmp" "$tree"
  fi
  echo "$name ${tree##*/"$name"_} $tree"
done
