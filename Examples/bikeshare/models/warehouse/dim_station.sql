-- energize: materialized=scd2 unique_key=station_id surrogate_key=station_sk tracked=name,district,capacity carried=lat,lon,opened_at,updated_at valid_from=opened_at updated_at=updated_at hard_deletes=invalidate
-- Stations, SCD type 2 on station_id: a new version when the name, district or capacity changes.
SELECT station_id, name, district, capacity, lat, lon, opened_at, updated_at FROM {{ ref('stg_stations') }}
