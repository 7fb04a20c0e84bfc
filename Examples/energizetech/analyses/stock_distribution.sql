-- Stock distribution: for the month in progress, the forecast units of each region and chemistry,
-- the region's share of the chemistry's forecast (how to split the month's stock), the units sold
-- so far, and the method's mean absolute percentage error over the months it was backtested.
-- columns: month, region, chemistry, forecast_units, share_of_forecast, units_so_far, backtest_mape
WITH next_month AS (
  SELECT month, region, chemistry, forecast_units, units FROM {{ ref('mart_regional_demand') }} WHERE is_forecast),
backtest AS (
  SELECT region, chemistry, round(avg(forecast_abs_pct_error), 4) AS mape
  FROM {{ ref('mart_regional_demand') }} WHERE NOT is_forecast GROUP BY region, chemistry)
SELECT n.month, n.region, n.chemistry, n.forecast_units,
  round(n.forecast_units / nullif(sum(n.forecast_units) OVER (PARTITION BY n.chemistry), 0), 4) AS share_of_forecast,
  n.units AS units_so_far, b.mape AS backtest_mape
FROM next_month n LEFT JOIN backtest b USING (region, chemistry)
ORDER BY n.chemistry, n.forecast_units DESC NULLS LAST, n.region
