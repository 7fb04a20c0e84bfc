-- The forecast of every month (the backtest and the month in progress) is the mean units of the
-- three months before it, recomputed here from the mart's own rows; the month in progress is the
-- month of the latest sale.
SELECT m.month, m.region, m.chemistry, m.forecast_units, avg(p.units) AS recomputed
FROM {{ ref('mart_regional_demand') }} m
JOIN {{ ref('mart_regional_demand') }} p ON p.region = m.region AND p.chemistry = m.chemistry
  AND p.month >= (m.month - interval '3 months')::date AND p.month < m.month
GROUP BY m.month, m.region, m.chemistry, m.forecast_units
HAVING count(p.units) = 3 AND m.forecast_units IS DISTINCT FROM round(avg(p.units), 2)
  OR count(p.units) < 3 AND m.forecast_units IS NOT NULL
UNION ALL
SELECT f.month, f.region, f.chemistry, f.forecast_units, NULL
FROM {{ ref('mart_regional_demand') }} f
WHERE f.is_forecast IS DISTINCT FROM (f.month = (SELECT max(month) FROM {{ ref('agg_sales_month_region_product') }}))
