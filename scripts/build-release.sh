#!/usr/bin/env bash
# Builds release products the way energize ships them (the Dockerfile and `make bench` both call
# this): Swift's own libraries linked in (`--static-swift-stdlib`: about 6 MB less resident memory
# than loading them as shared libraries), libpq, libmongoc and libcurl (for Foundation's networking,
# linked through `energize serve`'s HTTP server) shared from Debian.
# $@: the products to build (default: energize). Needs libcurl's development files
# (libcurl4-openssl-dev) besides the ones scripts/install-deps.sh installs.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/opt/swift/usr/bin"
products=("$@")
[ ${#products[@]} -eq 0 ] && products=(energize)
for product in "${products[@]}"; do
  swift build -c release --product "$product" --static-swift-stdlib -Xlinker -lcurl
done
