-- energize: materialized=view
-- Stations typed and trimmed; the nested location becomes columns, tags stay a jsonb array.
SELECT r."station_id"::text AS station_id, trim(r."name") AS name,
  trim(r."location"->>'district') AS district,
  (r."location"->>'lat')::double precision AS lat, (r."location"->>'lon')::double precision AS lon,
  r."capacity"::integer AS capacity,
  coalesce({{ raw_column('stations', 'tags') }}::jsonb, '[]'::jsonb) AS tags,
  r."opened_at"::timestamptz AS opened_at, r."updated_at"::timestamptz AS updated_at
FROM {{ raw('stations') }} r
