-- energize: materialized=incremental incremental_strategy=add unique_key=month,region,sku,chemistry count_column=orders
-- Completed sales per month, region (store's for physical, customer version's for online), sku and chemistry.
-- Lines are grouped by the month of their date_key (YYYYMM, an integer: no time-zone conversion per line).
WITH lines AS (
  SELECT f.date_key / 100 AS year_month,
    CASE WHEN f.channel = 'physical' THEN st.region ELSE c.region END AS region,
    f.sku, p.chemistry, f.sale_id, f.quantity, f.gross_amount, f.net_amount
  FROM {{ ref('fact_sales') }} f
  JOIN {{ ref('dim_customer') }} c ON c.customer_sk = f.customer_sk
  JOIN {{ ref('dim_product') }} p ON p.product_sk = f.product_sk
  JOIN {{ ref('dim_store') }} st ON st.store_sk = f.store_sk
  WHERE f.status = 'completed')
SELECT make_date(year_month / 100, year_month % 100, 1) AS month, region, sku, chemistry, count(DISTINCT sale_id) AS orders,
  sum(quantity) AS units, sum(gross_amount) AS gross_revenue, sum(net_amount) AS net_revenue
FROM lines
GROUP BY year_month, region, sku, chemistry
-- energize: deltas
-- What the fact's changed lines add to each group: old lines (energize_sign -1) taken out, new ones
-- (1) put in. fact_sales rebuilds a sale's lines together, so each of its runs logged all the old
-- and all the new lines of each sale it changed: per run, a sale counts once per group it has lines
-- in, with its sign (per run: a sale changed in two runs since has three line sets in the log).
-- Customer and product versions never change their attributes, so an old line finds its region
-- and chemistry as they were when it was added.
SELECT make_date(year_month / 100, year_month % 100, 1) AS month, region, sku, chemistry, sum(energize_sign) AS orders,
  sum(units) AS units, sum(gross_revenue) AS gross_revenue, sum(net_revenue) AS net_revenue
FROM (
  SELECT f.date_key / 100 AS year_month, CASE WHEN f.channel = 'physical' THEN st.region ELSE c.region END AS region,
    f.sku, p.chemistry, f.energize_sign, sum(f.energize_sign * f.quantity) AS units,
    sum(f.energize_sign * f.gross_amount) AS gross_revenue, sum(f.energize_sign * f.net_amount) AS net_revenue
  FROM {{ changes('fact_sales') }} f
  JOIN {{ ref('dim_customer') }} c ON c.customer_sk = f.customer_sk
  JOIN {{ ref('dim_product') }} p ON p.product_sk = f.product_sk
  JOIN {{ ref('dim_store') }} st ON st.store_sk = f.store_sk
  WHERE f.status = 'completed'
  GROUP BY 1, 2, 3, 4, f.sale_id, f.energize_run, f.energize_sign) per_sale
GROUP BY year_month, region, sku, chemistry
-- energize: rebuild_when
-- A store (type 1) that moved region took its old lines' region with it: deltas cannot take them
-- out of the old region's groups, so the aggregate is built whole.
SELECT 1 FROM {{ ref('dim_store') }} WHERE _changed_run > {{ last_run_id }}
