-- Market trends: units and net revenue per chemistry and month, month-over-month growth, and each
-- chemistry's share of the month's revenue.
-- columns: month, chemistry, units, net_revenue, mom_growth, revenue_share
SELECT month, chemistry, units, net_revenue, round(mom_growth, 4) AS mom_growth,
  round(net_revenue / nullif(sum(net_revenue) OVER (PARTITION BY month), 0), 4) AS revenue_share
FROM {{ ref('mart_market_trends') }}
ORDER BY month, chemistry
