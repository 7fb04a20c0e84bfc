-- Customer behaviour: customers in recency, frequency and value segments (thirds of each measure),
-- with their count, revenue and average order value; plus new against returning customers.
-- columns: segment, customers, orders, net_revenue, avg_order_value
WITH scored AS (
  SELECT customer_id, orders, net_revenue,
    ntile(3) OVER (ORDER BY recency_days DESC) AS recency,
    ntile(3) OVER (ORDER BY orders) AS frequency,
    ntile(3) OVER (ORDER BY net_revenue) AS value
  FROM {{ ref('mart_customer_behavior') }}),
segmented AS (
  SELECT customer_id, orders, net_revenue,
    CASE WHEN recency = 3 AND frequency = 3 AND value = 3 THEN 'champions'
         WHEN recency = 3 THEN 'recent'
         WHEN frequency = 3 OR value = 3 THEN 'loyal, lapsing'
         WHEN recency = 1 THEN 'at risk'
         ELSE 'occasional' END AS segment
  FROM scored
  UNION ALL
  SELECT customer_id, orders, net_revenue, CASE WHEN orders = 1 THEN 'new (one order)' ELSE 'returning (two or more)' END
  FROM {{ ref('mart_customer_behavior') }})
SELECT segment, count(*) AS customers, sum(orders) AS orders, sum(net_revenue) AS net_revenue,
  round(sum(net_revenue) / sum(orders), 2) AS avg_order_value
FROM segmented
GROUP BY segment
ORDER BY segment
