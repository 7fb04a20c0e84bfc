-- energize: materialized=incremental unique_key=ride_id
-- One row per ride (grain ride_id) with the station versions valid at unlock (start) and at return
-- (end), the duration and what was charged; rebuilt per ride.
WITH charged AS (
  SELECT ride_id, count(*) AS charges, sum(amount) AS total_charged,
    -coalesce(sum(amount) FILTER (WHERE kind = 'refund'), 0) AS refunded
  FROM {{ ref('stg_ride_charges') }} GROUP BY ride_id)
SELECT r.ride_id, r.rider_id, r.plan, r.start_station_id, r.end_station_id,
  {{ scd2_lookup('dim_station', 'r.start_station_id', 'r.started_at') }} AS start_station_sk,
  {{ scd2_lookup('dim_station', 'r.end_station_id', 'coalesce(r.ended_at, r.started_at)') }} AS end_station_sk,
  r.started_at, r.ended_at, (r.started_at AT TIME ZONE {{ var('time_zone') }})::date AS started_on, r.status,
  round(extract(epoch FROM r.ended_at - r.started_at) / 60, 1) AS duration_minutes,
  coalesce(c.charges, 0)::integer AS charges, coalesce(c.total_charged, 0)::numeric(12,2) AS total_charged,
  coalesce(c.refunded, 0)::numeric(12,2) AS refunded
FROM {{ ref('stg_rides') }} r LEFT JOIN charged c ON c.ride_id = r.ride_id
-- energize: changed_scopes
SELECT ride_id FROM {{ ref('stg_rides') }} WHERE _run_id > {{ last_run_id }}
UNION SELECT r.ride_id FROM {{ ref('stg_rides') }} r JOIN ({{ new_versions('dim_station') }}) d
  ON d.station_id = r.start_station_id AND r.started_at >= d.since
UNION SELECT r.ride_id FROM {{ ref('stg_rides') }} r JOIN ({{ new_versions('dim_station') }}) d
  ON d.station_id = r.end_station_id AND coalesce(r.ended_at, r.started_at) >= d.since
UNION (SELECT ride_id FROM {{ this }} EXCEPT SELECT ride_id FROM {{ ref('stg_rides') }})
