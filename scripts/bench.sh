#!/usr/bin/env bash
# `make bench`: release build, local servers, then energize-bench (args via BENCH_ARGS,
# e.g. BENCH_ARGS="--sales 300000 --repeat 3").
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/opt/swift/usr/bin"
bash scripts/servers.sh start
# shellcheck disable=SC1090
source "$(bash scripts/servers.sh env)"
bash scripts/apt-install.sh "for the release build" libcurl4-openssl-dev
bash scripts/build-release.sh energize energize-bench
"$(swift build -c release --show-bin-path)/energize-bench" ${BENCH_ARGS:-}
