-- Regional analysis: net revenue and units per region over the whole history, each region's share
-- of the nation's revenue, and its best-selling chemistry.
-- columns: region, orders, units, net_revenue, revenue_share, top_chemistry
WITH by_region AS (
  SELECT region, sum(orders) AS orders, sum(units) AS units, sum(net_revenue) AS net_revenue
  FROM {{ ref('agg_sales_month_region_product') }} GROUP BY region),
by_chemistry AS (
  SELECT DISTINCT ON (region) region, chemistry
  FROM {{ ref('agg_sales_month_region_product') }}
  GROUP BY region, chemistry ORDER BY region, sum(net_revenue) DESC, chemistry)
SELECT coalesce(r.region, '(unknown)') AS region, r.orders, r.units, r.net_revenue,
  round(r.net_revenue / sum(r.net_revenue) OVER (), 4) AS revenue_share, c.chemistry AS top_chemistry
FROM by_region r LEFT JOIN by_chemistry c ON c.region IS NOT DISTINCT FROM r.region
ORDER BY r.net_revenue DESC
