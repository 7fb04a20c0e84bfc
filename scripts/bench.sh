#!/usr/bin/env bash
# `make bench`: release build, local servers, then energize-bench (args via BENCH_ARGS,
# e.g. BENCH_ARGS="--sales 300000 --repeat 3").
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/opt/swift/usr/bin"
bash scripts/servers.sh start
# shellcheck disable=SC1090
source "$(bash scripts/servers.sh env)"
swift build -c release --product energize
swift build -c release --product energize-bench
"$(swift build -c release --show-bin-path)/energize-bench" ${BENCH_ARGS:-}
