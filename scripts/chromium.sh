#!/usr/bin/env bash
# Installs Debian's chromium when it is missing (the docs site's pages are checked in a real
# browser) and prints the path of the binary.
set -euo pipefail
bash "$(dirname "$0")/apt-install.sh" "for the browser checks of the docs site" chromium
command -v chromium
