-- energize: materialized=table
-- Completed sales per month and chemistry, with month-over-month growth of net revenue.
WITH monthly AS (
  SELECT date_trunc('month', f.sold_at AT TIME ZONE {{ var('time_zone') }})::date AS month, p.chemistry, sum(f.quantity) AS units, sum(f.net_amount) AS net_revenue
  FROM {{ ref('fact_sales') }} f JOIN {{ ref('dim_product') }} p ON p.product_sk = f.product_sk
  WHERE f.status = 'completed' GROUP BY 1, 2)
SELECT m.month, m.chemistry, m.units, m.net_revenue,
  CASE WHEN previous.net_revenue IS NULL OR previous.net_revenue = 0 THEN NULL
       ELSE m.net_revenue / previous.net_revenue - 1 END AS mom_growth
FROM monthly m LEFT JOIN monthly previous ON previous.chemistry IS NOT DISTINCT FROM m.chemistry
  AND previous.month = (m.month - interval '1 month')::date
