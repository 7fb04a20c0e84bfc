-- Sales performance: net revenue, orders, units and average order value per month and channel,
-- with each month's growth over the one before (completed sales).
-- columns: month, channel, orders, units, net_revenue, avg_order_value, mom_growth
WITH monthly AS (
  SELECT date_trunc('month', (f.sold_at AT TIME ZONE {{ var('time_zone') }}))::date AS month, f.channel,
    count(DISTINCT f.sale_id) AS orders, sum(f.quantity) AS units, sum(f.net_amount) AS net_revenue
  FROM {{ ref('fact_sales') }} f
  WHERE f.status = 'completed'
  GROUP BY 1, 2)
SELECT month, channel, orders, units, net_revenue, round(net_revenue / orders, 2) AS avg_order_value,
  round(net_revenue / nullif(lag(net_revenue) OVER (PARTITION BY channel ORDER BY month), 0) - 1, 4) AS mom_growth
FROM monthly
ORDER BY month, channel
