-- energize: materialized=table
-- Demand for stock distribution: completed sales' units and net revenue per region, chemistry and
-- month, each region's share of the nation's units, a 3-month moving average, month-over-month
-- growth, and a forecast of the next month by the 3-month moving average (the mean of the three
-- months before; NULL with fewer than three), backtested: every past month carries the forecast
-- that method made for it and its error. One more month per region and chemistry, after the last
-- month with sales, holds only the forecast. Months without sales count 0 units. Built from the
-- monthly aggregate (not the lines), so it is rebuilt whole, cheaply, when that aggregate changed.
WITH monthly AS (
  SELECT month, coalesce(region, '(unknown)') AS region, coalesce(chemistry, '(unknown)') AS chemistry,
    sum(units)::bigint AS units, sum(net_revenue) AS net_revenue
  FROM {{ ref('agg_sales_month_region_product') }} GROUP BY 1, 2, 3),
bounds AS (SELECT min(month) AS first_month, max(month) AS last_month FROM monthly),
grid AS (
  SELECT m::date AS month, k.region, k.chemistry, m::date = b.last_month AS is_forecast
  FROM bounds b
  CROSS JOIN generate_series(b.first_month, b.last_month, interval '1 month') m
  CROSS JOIN (SELECT DISTINCT region, chemistry FROM monthly) k),
filled AS (
  SELECT g.month, g.region, g.chemistry, g.is_forecast,
    coalesce(m.units, 0) AS units, coalesce(m.net_revenue, 0) AS net_revenue
  FROM grid g LEFT JOIN monthly m ON m.month = g.month AND m.region = g.region AND m.chemistry = g.chemistry),
windowed AS (
  SELECT f.*,
    sum(f.units) OVER (PARTITION BY f.month, f.chemistry) AS national_units,
    avg(f.units) OVER (w ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS moving_average,
    count(f.units) OVER (w ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS moving_months,
    lag(f.units) OVER w AS previous_units,
    avg(f.units) OVER (w ROWS BETWEEN 3 PRECEDING AND 1 PRECEDING) AS forecast,
    count(f.units) OVER (w ROWS BETWEEN 3 PRECEDING AND 1 PRECEDING) AS forecast_months
  FROM filled f
  WINDOW w AS (PARTITION BY f.region, f.chemistry ORDER BY f.month))
SELECT month, region, chemistry, is_forecast, units, net_revenue,
  CASE WHEN national_units > 0 THEN units::numeric / national_units END AS share_of_national_units,
  CASE WHEN NOT is_forecast AND moving_months = 3 THEN round(moving_average, 2) END AS units_3m_avg,
  CASE WHEN NOT is_forecast AND previous_units > 0 THEN units::numeric / previous_units - 1 END AS mom_growth,
  CASE WHEN forecast_months = 3 THEN round(forecast, 2) END AS forecast_units,
  CASE WHEN forecast_months = 3 AND NOT is_forecast THEN units - round(forecast, 2) END AS forecast_error,
  CASE WHEN forecast_months = 3 AND NOT is_forecast AND units > 0 THEN abs(units - round(forecast, 2)) / units END AS forecast_abs_pct_error
FROM windowed
