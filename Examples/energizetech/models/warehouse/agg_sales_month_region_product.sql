-- energize: materialized=incremental unique_key=month,region,sku,chemistry scope=month,sku
-- Completed sales per month, region (store's for physical, customer version's for online), sku and chemistry.
-- Rebuilt per month and sku that changed fact lines fall in, before and after the change (a store
-- that moves region changes its sales' lines, so every region of their month and sku is rebuilt).
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
FROM lines WHERE {{ in_scope('make_date(year_month / 100, year_month % 100, 1)', 'sku') }}
GROUP BY year_month, region, sku, chemistry
-- energize: changed_scopes
-- The month and sku of each fact line whose part in a group changed: what a line adds to its group
-- (month, sku, product version for the chemistry, channel with the store or the customer version
-- for the region, status, sale, amounts); a line rebuilt alike (a physical sale whose customer
-- became known) cancels out. Customer and product versions never change their attributes; a store
-- (type 1) may move region, so the lines of a store changed since are rebuilt too.
SELECT make_date((f.date_key / 100) / 100, (f.date_key / 100) % 100, 1) AS month, f.sku
FROM {{ changes('fact_sales') }} f
GROUP BY f.date_key / 100, f.sku, f.product_sk, f.channel, CASE WHEN f.channel = 'physical' THEN f.store_sk ELSE f.customer_sk END,
  f.status, f.sale_id, f.quantity, f.gross_amount, f.net_amount
HAVING sum(f.energize_sign) <> 0
UNION SELECT make_date(f.date_key / 10000, f.date_key / 100 % 100, 1), f.sku
FROM {{ ref('fact_sales') }} f JOIN {{ ref('dim_store') }} st ON st.store_sk = f.store_sk
WHERE st._changed_run > {{ last_run_id }}
