-- A data test of the project's own: the rows it returns are failures.
-- fact_rides holds exactly the rides of staging, each with the sum of its charges: an incremental
-- run missed no change and kept no deleted ride.
WITH fact AS (SELECT ride_id, total_charged FROM {{ ref('fact_rides') }}),
source AS (
  SELECT r.ride_id, coalesce(sum(c.amount), 0) AS charged
  FROM {{ ref('stg_rides') }} r LEFT JOIN {{ ref('stg_ride_charges') }} c ON c.ride_id = r.ride_id
  GROUP BY r.ride_id)
SELECT coalesce(f.ride_id, s.ride_id) AS ride_id, f.total_charged, s.charged
FROM fact f FULL JOIN source s ON s.ride_id = f.ride_id
WHERE f.total_charged IS DISTINCT FROM s.charged
