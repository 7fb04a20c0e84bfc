#!/usr/bin/env bash
# `make demo`: on a fresh machine, installs what is missing, starts local PostgreSQL and a
# MongoDB wire-protocol server, seeds synthetic EnergizeTech data, runs the pipeline, and
# shows what landed. The servers keep running afterwards so you can look around
# (`make servers-stop` stops them).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/opt/swift/usr/bin"
scale=${ENERGIZE_DEMO_SCALE:-2}

bash scripts/install-deps.sh
bash scripts/servers.sh start
# shellcheck disable=SC1090
source "$(bash scripts/servers.sh env)"
echo "energize: building (first build takes about a minute)"
swift build --product energize 2>&1 | grep -E "error|warning: unre|Compiling energize|Build complete" || true
energize=$(swift build --product energize --show-bin-path)/energize
psql_q() { psql "$ENERGIZE_PG_URI" -X -q -P footer=off "$@"; }

step() { printf '\n== %s\n' "$*"; }
step "0. Start from an empty warehouse (drops the demo's raw tables and run history)"
psql_q -c "DROP SCHEMA IF EXISTS public CASCADE" -c "CREATE SCHEMA public" -c "DROP SCHEMA IF EXISTS energize_meta CASCADE"
echo "done"

step "1. Seed MongoDB with synthetic EnergizeTech data (scale $scale, seed 42)"
"$energize" seed --scale "$scale" --seed 42

step "2. First run: extract-load all five collections"
"$energize" run

step "3. Every MongoDB document is in PostgreSQL or in _rejects"
"$energize" verify

step "4. Second run, no source change: nothing moves"
"$energize" run

step "5. A day of changes in MongoDB (late status updates, moves, deletes, new sales), then an incremental run"
"$energize" seed --touch 5 --seed 42
"$energize" run
"$energize" verify

step "6. What landed"
psql_q -c "SELECT 'customers' AS table, count(*) AS rows FROM customers UNION ALL SELECT 'products', count(*) FROM products
           UNION ALL SELECT 'stores', count(*) FROM stores UNION ALL SELECT 'sales', count(*) FROM sales
           UNION ALL SELECT 'transactions', count(*) FROM transactions UNION ALL SELECT '_rejects (all runs)', count(*) FROM _rejects"
psql_q -c "SELECT collection, reason, count(DISTINCT document_id) AS documents FROM _rejects GROUP BY 1, 2 ORDER BY 1, 3 DESC"
psql_q -c "SELECT st.region, count(*) AS completed_sales, round(sum(s.total_amount), 2) AS revenue_brl
           FROM sales s JOIN stores st USING (store_id) WHERE s.status = 'completed'
           GROUP BY 1 ORDER BY 3 DESC"
psql_q -c "SELECT to_char(date_trunc('month', sold_at AT TIME ZONE 'America/Sao_Paulo'), 'YYYY-MM') AS month,
                  count(*) AS completed_sales, round(sum(total_amount), 2) AS revenue_brl
           FROM sales WHERE status = 'completed' GROUP BY 1 ORDER BY 1 DESC LIMIT 6"
psql_q -c "SELECT r.run_id, r.status, to_char(r.started_at, 'HH24:MI:SS') AS started,
                  round(extract(epoch FROM r.finished_at - r.started_at)::numeric, 2) AS seconds,
                  sum(s.rows_read) AS read, sum(s.rows_loaded) AS loaded, sum(s.rows_rejected) AS rejected
           FROM energize_meta.runs r JOIN energize_meta.stream_runs s USING (run_id)
           GROUP BY 1, 2, 3, 4 ORDER BY 1 DESC LIMIT 5"

cat <<TXT

== Look further
  source "$(bash scripts/servers.sh env)"     # sets ENERGIZE_PG_URI and ENERGIZE_MONGO_URI
  psql "\$ENERGIZE_PG_URI"                     # the warehouse: raw tables, _rejects, energize_meta
  $energize run --help
  make servers-stop                           # stop the local servers
TXT
