#!/usr/bin/env bash
# `make demo`: on a fresh machine, installs what is missing, starts local PostgreSQL and a
# MongoDB wire-protocol server, seeds synthetic EnergizeTech data, runs the example project
# Examples/energizetech (its energize.yml, contracts/ and models/), and shows what landed. The servers keep running afterwards so you can look around
# (`make servers-stop` stops them).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/opt/swift/usr/bin"
scale=${ENERGIZE_DEMO_SCALE:-2}

bash scripts/install-deps.sh
bash scripts/servers.sh start
env_file=$(bash scripts/servers.sh env)
# shellcheck disable=SC1090
source "$env_file"
echo "energize: building (first build takes about a minute)"
swift build --product energize 2>&1 | grep -E "error|warning: unre|Compiling energize|Build complete" || true
swift build --product energizetech-data 2>&1 | grep -E "error|warning: unre" || true
bin=$(swift build --show-bin-path)
energize=$bin/energize
data=$bin/energizetech-data
cd Examples/energizetech
psql_q() { PGOPTIONS='-c client_min_messages=warning' psql "$ENERGIZE_PG_URI" -X -q -P footer=off "$@"; }

step() { printf '\n== %s\n' "$*"; }
step "0. Start from an empty warehouse (drops the demo's raw tables and run history)"
psql_q -c "DROP SCHEMA IF EXISTS public CASCADE" -c "CREATE SCHEMA public" -c "DROP SCHEMA IF EXISTS energize_meta CASCADE" \
       -c "DROP SCHEMA IF EXISTS staging CASCADE" -c "DROP SCHEMA IF EXISTS warehouse CASCADE"
echo "done"

step "1. Seed MongoDB with synthetic EnergizeTech data (scale $scale, seed 42)"
"$data" seed --scale "$scale" --seed 42 --force   # the local demo server: always ours

step "2. First run in Examples/energizetech: extract-load the five collections, build the warehouse, run the data tests"
"$energize" run

step "3. Every MongoDB document is in PostgreSQL or in _rejects"
"$energize" verify

step "4. Second run, no source change: nothing moves"
"$energize" run --quiet

step "5. A day of changes in MongoDB (late status updates, moves, deletes, new sales), then an incremental run"
"$data" touch 5 --seed 42
"$energize" run --quiet
"$energize" verify

step "6. What landed"
psql_q -c "SELECT 'customers' AS table, count(*) AS rows FROM customers UNION ALL SELECT 'products', count(*) FROM products
           UNION ALL SELECT 'stores', count(*) FROM stores UNION ALL SELECT 'sales', count(*) FROM sales
           UNION ALL SELECT 'transactions', count(*) FROM transactions UNION ALL SELECT '_rejects (current)', count(*) FROM _rejects"
psql_q -c "SELECT collection, reason, count(DISTINCT document_id) AS documents FROM _rejects GROUP BY 1, 2 ORDER BY 1, 3 DESC"
echo "Net revenue (BRL, completed sales) by region, last three months — warehouse.agg_sales_month_region_product:"
psql_q -c "SELECT to_char(month, 'YYYY-MM') AS month, coalesce(region, '(unknown)') AS region,
                  sum(orders) AS orders, sum(units) AS units, to_char(sum(net_revenue), 'FM999G999G999G990D00') AS net_revenue
           FROM warehouse.agg_sales_month_region_product
           WHERE month > (SELECT max(month) FROM warehouse.agg_sales_month_region_product) - interval '3 months'
           GROUP BY 1, 2 ORDER BY 1 DESC, sum(net_revenue) DESC"
echo "Market trends by chemistry, last complete month (the month in progress has only its first days) — warehouse.mart_market_trends:"
psql_q -c "SELECT to_char(month, 'YYYY-MM') AS month, chemistry, units, to_char(net_revenue, 'FM999G999G999G990D00') AS net_revenue,
                  to_char(mom_growth * 100, 'FM990D0') || ' %' AS mom_growth
           FROM warehouse.mart_market_trends m WHERE month = (SELECT max(month) FROM warehouse.mart_market_trends) - interval '1 month'
           ORDER BY m.net_revenue DESC"
echo "Stock for the month in progress: the forecast by region (3-month moving average) and its backtest error — analyses/stock_distribution.sql on warehouse.mart_regional_demand:"
psql_q -c "SELECT to_char(month, 'YYYY-MM') AS month, region, chemistry, forecast_units, to_char(share_of_forecast * 100, 'FM990D0') || ' %' AS share,
                  units_so_far, to_char(backtest_mape * 100, 'FM990D0') || ' %' AS backtest_mape
           FROM ($("$energize" compile --offline | awk '/^-- analysis stock_distribution/{found=1; next} found && /^-- analysis /{exit} found' ))
           s WHERE chemistry = 'LFP' ORDER BY forecast_units DESC"
echo "SCD2 history of a customer who moved — warehouse.dim_customer:"
psql_q -c "SELECT customer_sk, customer_id, city, state, region, to_char(valid_from, 'YYYY-MM-DD HH24:MI') AS valid_from,
                  coalesce(to_char(valid_to, 'YYYY-MM-DD HH24:MI'), '') AS valid_to, is_current
           FROM warehouse.dim_customer WHERE customer_id = (
             SELECT customer_id FROM warehouse.dim_customer WHERE customer_sk <> -1
             GROUP BY 1 HAVING count(DISTINCT city) > 1 ORDER BY 1 LIMIT 1)
           ORDER BY valid_from"
echo "Run history — energize_meta.runs / stream_runs / model_runs / test_results:"
psql_q -c "SELECT r.run_id, r.status, to_char(r.started_at, 'HH24:MI:SS') AS started,
                  round(extract(epoch FROM r.finished_at - r.started_at)::numeric, 2) AS seconds,
                  sum(s.rows_read) AS read, sum(s.rows_loaded) AS loaded, sum(s.rows_rejected) AS rejected
           FROM energize_meta.runs r JOIN energize_meta.stream_runs s USING (run_id)
           GROUP BY 1, 2, 3, 4 ORDER BY 1 DESC LIMIT 5"

step "7. The docs site: lineage, models, streams, runs"
"$energize" docs

cat <<TXT

== Look further
  source $env_file     # sets ENERGIZE_PG_URI and ENERGIZE_MONGO_URI
  psql "\$ENERGIZE_PG_URI"                     # raw tables + _rejects (public), staging, warehouse, energize_meta
  cd Examples/energizetech                    # the project: energize.yml, contracts/, models/
  $energize status                            # the last runs: streams, models, data tests
  $energize serve                             # the docs site, live: http://127.0.0.1:8080 (energize docs wrote it to target/docs)
  $energize run --help
  make servers-stop                           # stop the local servers
TXT
