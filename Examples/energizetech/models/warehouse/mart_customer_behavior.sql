-- energize: materialized=table
-- Per known customer with a completed sale: first and last purchase, orders, units, revenue, average order value, recency.
WITH completed AS (
  SELECT f.*, c.customer_id FROM {{ ref('fact_sales') }} f JOIN {{ ref('dim_customer') }} c ON c.customer_sk = f.customer_sk
  WHERE f.status = 'completed'),
latest AS (SELECT max((sold_at AT TIME ZONE {{ var('time_zone') }})::date) AS day FROM completed)
SELECT customer_id, min(sold_at) AS first_purchase_at, max(sold_at) AS last_purchase_at,
  count(DISTINCT sale_id) AS orders, sum(quantity) AS units, sum(net_amount) AS net_revenue,
  round(sum(net_amount) / count(DISTINCT sale_id), 2) AS avg_order_value,
  (SELECT day FROM latest) - max((sold_at AT TIME ZONE {{ var('time_zone') }})::date) AS recency_days
FROM completed WHERE customer_sk <> -1
GROUP BY customer_id
