#!/usr/bin/env bash
# Installs Debian's chromium when it is missing (the docs site's pages are checked in a real
# browser) and prints the path of the binary.
set -euo pipefail
if ! command -v chromium >/dev/null 2>&1; then
  echo "energize: installing chromium (apt), for the browser checks of the docs site" >&2
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium >/dev/null
fi
command -v chromium
