-- energize: materialized=table
-- One row per calendar day (business dates in the project's time zone) from the first to the last sale or transaction, plus the unknown member -1.
WITH times AS (
  SELECT min(sold_at) AS first_at, max(sold_at) AS last_at FROM {{ ref('stg_sales') }}
  UNION ALL SELECT min(occurred_at), max(occurred_at) FROM {{ ref('stg_transactions') }}),
bounds AS (SELECT (min(first_at) AT TIME ZONE {{ var('time_zone') }})::date AS first_day,
                  (max(last_at) AT TIME ZONE {{ var('time_zone') }})::date AS last_day FROM times)
SELECT to_char(d, 'YYYYMMDD')::integer AS date_key, d AS date, extract(year FROM d)::integer AS year,
  extract(quarter FROM d)::integer AS quarter, extract(month FROM d)::integer AS month,
  to_char(d, 'FMMonth') AS month_name, extract(week FROM d)::integer AS iso_week,
  extract(isodow FROM d)::integer AS day_of_week, extract(isodow FROM d) IN (6, 7) AS is_weekend
FROM bounds, LATERAL generate_series(first_day, last_day, interval '1 day') AS g(ts), LATERAL (SELECT g.ts::date AS d) x
UNION ALL
SELECT -1, NULL, NULL, NULL, NULL, 'unknown', NULL, NULL, NULL
