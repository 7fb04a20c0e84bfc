-- energize: materialized=incremental unique_key=customer_sk
-- Completed sales per customer version (the unknown member -1 included): what mart_customer_behavior adds up per customer.
SELECT f.customer_sk, min(f.sold_at) AS first_purchase_at, max(f.sold_at) AS last_purchase_at,
  count(DISTINCT f.sale_id) AS orders, sum(f.quantity) AS units, sum(f.net_amount) AS net_revenue
FROM {{ ref('fact_sales') }} f
WHERE f.status = 'completed' AND {{ in_scope('f.customer_sk') }}
GROUP BY f.customer_sk
-- energize: changed_scopes
SELECT DISTINCT f.customer_sk FROM {{ changes('fact_sales') }} f
