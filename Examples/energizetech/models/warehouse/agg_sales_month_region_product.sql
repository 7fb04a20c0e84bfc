-- energize: materialized=table
-- Completed sales per month, region (store's for physical, customer version's for online), sku and chemistry.
SELECT date_trunc('month', f.sold_at AT TIME ZONE {{ var('time_zone') }})::date AS month,
  CASE WHEN f.channel = 'physical' THEN st.region ELSE c.region END AS region,
  f.sku, p.chemistry, count(DISTINCT f.sale_id) AS orders, sum(f.quantity) AS units,
  sum(f.gross_amount) AS gross_revenue, sum(f.net_amount) AS net_revenue
FROM {{ ref('fact_sales') }} f
JOIN {{ ref('dim_customer') }} c ON c.customer_sk = f.customer_sk
JOIN {{ ref('dim_product') }} p ON p.product_sk = f.product_sk
JOIN {{ ref('dim_store') }} st ON st.store_sk = f.store_sk
WHERE f.status = 'completed'
GROUP BY 1, 2, 3, 4
