#!/bin/bash
# Times one `energize run` from a saved warehouse state, to compare builds or model files on the
# same day of changes (BENCHMARKS.md: aggregates that add deltas).
# $1: an energize binary; $2: a project folder (its energize.yml); more arguments go to `energize run`; $STATE: a `pg_dump -Fc` of the
# project's schemas taken before the day (the day's changes already in MongoDB); $SCHEMAS: those
# schemas (default: the bench project's). Restores them, runs, prints the seconds; the run's
# output is in $OUT (default /tmp/bench-day.out).
set -uo pipefail
# shellcheck disable=SC1090
source "$(bash "$(dirname "$0")/servers.sh" env)"
schemas=${SCHEMAS:-bench bench_staging bench_warehouse bench_meta}
psql -qX "$ENERGIZE_PG_URI" -c "DROP SCHEMA IF EXISTS $(echo "$schemas" | sed 's/ /, /g') CASCADE" >/dev/null 2>&1
pg_restore -d "$ENERGIZE_PG_URI" "$STATE" 2>&1 | grep -v warning | head -3
psql -qX "$ENERGIZE_PG_URI" -c 'VACUUM ANALYZE' >/dev/null 2>&1
binary=$(realpath "$1")
cd "$2" || exit 2
start=$(date +%s.%N)
"$binary" run "${@:3}" > "${OUT:-/tmp/bench-day.out}" 2>&1
status=$?
end=$(date +%s.%N)
echo "status $status, $(echo "$end - $start" | bc) s"
