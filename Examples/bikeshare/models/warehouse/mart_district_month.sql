-- energize: materialized=table
-- Rides, riders, minutes and revenue per start district and month (America/Sao_Paulo); the district is
-- that of the station version valid when the ride started. Cancelled rides are counted apart.
SELECT coalesce(s.district, '(unknown)') AS district,
  date_trunc('month', f.started_at AT TIME ZONE {{ var('time_zone') }})::date AS month,
  count(*) FILTER (WHERE f.status <> 'cancelled') AS rides,
  count(*) FILTER (WHERE f.status = 'cancelled') AS cancelled_rides,
  count(DISTINCT f.rider_id) FILTER (WHERE f.status <> 'cancelled') AS riders,
  coalesce(sum(f.duration_minutes) FILTER (WHERE f.status <> 'cancelled'), 0) AS minutes,
  sum(f.total_charged) AS revenue,
  sum(f.refunded) AS refunds
FROM {{ ref('fact_rides') }} f JOIN {{ ref('dim_station') }} s ON s.station_sk = f.start_station_sk
GROUP BY 1, 2
