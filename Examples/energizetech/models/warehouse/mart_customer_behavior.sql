-- energize: materialized=view
-- Per known customer with a completed sale: first and last purchase, orders, units, revenue, average order value, recency.
-- A view over the per-version aggregate: recency moves with every new sale, so it is computed when read.
WITH latest AS (
  SELECT max((last_purchase_at AT TIME ZONE {{ var('time_zone') }})::date) AS day FROM {{ ref('agg_sales_customer_version') }})
SELECT c.customer_id, min(a.first_purchase_at) AS first_purchase_at, max(a.last_purchase_at) AS last_purchase_at,
  sum(a.orders)::bigint AS orders, sum(a.units)::bigint AS units, sum(a.net_revenue) AS net_revenue,
  round(sum(a.net_revenue) / sum(a.orders), 2) AS avg_order_value,
  (SELECT day FROM latest) - max((a.last_purchase_at AT TIME ZONE {{ var('time_zone') }})::date) AS recency_days
FROM {{ ref('agg_sales_customer_version') }} a JOIN {{ ref('dim_customer') }} c ON c.customer_sk = a.customer_sk
WHERE a.customer_sk <> -1
GROUP BY c.customer_id
