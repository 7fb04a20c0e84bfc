-- energize: materialized=table
-- Completed sales per month and chemistry, with month-over-month growth of net revenue (from the monthly aggregate, not the lines).
WITH monthly AS (
  SELECT month, chemistry, sum(units)::bigint AS units, sum(net_revenue) AS net_revenue
  FROM {{ ref('agg_sales_month_region_product') }} GROUP BY 1, 2)
SELECT m.month, m.chemistry, m.units, m.net_revenue,
  CASE WHEN previous.net_revenue IS NULL OR previous.net_revenue = 0 THEN NULL
       ELSE m.net_revenue / previous.net_revenue - 1 END AS mom_growth
FROM monthly m LEFT JOIN monthly previous ON previous.chemistry IS NOT DISTINCT FROM m.chemistry
  AND previous.month = (m.month - interval '1 month')::date
