-- energize: materialized=view
-- Rides typed and trimmed; the nested rider becomes columns; with the run that loaded each row.
-- end_station_id and ended_at are missing while a ride is under way (raw_column reads NULL
-- should no document have held them yet).
SELECT r."_id"::text AS _id, r."ride_id"::text AS ride_id,
  r."station_id"::text AS start_station_id, {{ raw_column('rides', 'end_station_id') }}::text AS end_station_id,
  r."rider"->>'id' AS rider_id, trim(r."rider"->>'plan') AS plan,
  r."started_at"::timestamptz AS started_at, {{ raw_column('rides', 'ended_at') }}::timestamptz AS ended_at,
  trim(r."status") AS status, r."updated_at"::timestamptz AS updated_at, r."_run_id"
FROM {{ raw('rides') }} r
