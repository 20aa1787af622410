#!/usr/bin/env bash
# The address-map page's browser tests: Debian's headless chromium and its WebDriver.
# Idempotent: quick when both are present; no daemon is started on install.
set -euo pipefail

source "$(dirname "$0")/lib.sh"

packages=(chromium chromium-driver fonts-dejavu-core)
apt_install_missing "${packages[@]}"
echo "map test prerequisites present: ${packages[*]}"
