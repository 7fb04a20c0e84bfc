#!/usr/bin/env bash
# `make test`: installs what is missing, starts the local servers, runs every test
# (unit and live integration tests), and stops the servers it started.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/opt/swift/usr/bin"

bash scripts/install-deps.sh
already_running=$(bash scripts/servers.sh status | grep -c running || true)
bash scripts/servers.sh start
if [ "$already_running" -lt 2 ]; then trap 'bash scripts/servers.sh stop' EXIT; fi
# shellcheck disable=SC1090
source "$(bash scripts/servers.sh env)"

# The live suites run against these servers; with them set, an unreachable server fails.
export ENERGIZE_LIVE_TESTS=1
# Apache Airflow, to load the DAG that `energize airflow-dag` writes.
ENERGIZE_AIRFLOW_PYTHON=$(bash scripts/airflow-venv.sh)
export ENERGIZE_AIRFLOW_PYTHON
# Headless Chromium, to open the docs site's pages.
ENERGIZE_CHROMIUM=$(bash scripts/chromium.sh)
export ENERGIZE_CHROMIUM
echo "energize: building"
swift build --build-tests
echo "energize: building and running Examples/WarehouseConsumer (a package using energize's public API)"
swift build --package-path Examples/WarehouseConsumer
swift run --package-path Examples/WarehouseConsumer --skip-build WarehouseConsumer
echo "energize: checking the DocC documentation of Warehouse (warnings are errors)"
mkdir -p .build/docs
if ! swift package --disable-sandbox generate-documentation --target Warehouse --warnings-as-errors \
     --output-path .build/docs/Warehouse > "${ENERGIZE_STATE_DIR}/docc.log" 2>&1; then
  cat "${ENERGIZE_STATE_DIR}/docc.log"
  exit 1
fi
echo "energize: checking the deployment files (docker-compose config, shellcheck, systemd-analyze verify)"
bash scripts/validate-deploy.sh .build/debug/energize
echo "energize: running tests"
set +e
swift test --skip-build 2>&1 | tee "${ENERGIZE_STATE_DIR}/test.log"
status=${PIPESTATUS[0]}
set -e
# Tests stop what they start: a server or an energize left running is a failure.
leftover=$(pgrep -af "energize-retry-|\.build/debug/energize " || true)
if [ -n "$leftover" ]; then
  echo "energize: the tests left these processes running:"
  echo "$leftover"
  status=1
fi
exit "$status"
