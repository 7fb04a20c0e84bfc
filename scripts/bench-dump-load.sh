#!/bin/bash
# $1: an energize binary; $DUMP (default /tmp/dumpbench/energizetech): a mongodump folder of the EnergizeTech
# collections. Loads it into an empty schema (BENCHMARKS.md: corrupt-document checks on the dump path).
psql "$ENERGIZE_PG_URI" -qXc "DROP SCHEMA IF EXISTS bench_dump CASCADE" >/dev/null 2>&1
exec "$1" run --project "$(dirname "$0")/../Examples/energizetech" --from-dump "${DUMP:-/tmp/dumpbench/energizetech}" --raw-schema bench_dump --skip-transform --quiet
