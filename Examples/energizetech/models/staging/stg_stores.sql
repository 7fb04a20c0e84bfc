-- energize: materialized=view
-- Stores typed and trimmed.
SELECT {{ raw_column('stores', 'store_id') }}::text AS "store_id", trim({{ raw_column('stores', 'name') }}::text) AS "name",
  trim({{ raw_column('stores', 'channel') }}::text) AS "channel", trim({{ raw_column('stores', 'city') }}::text) AS "city",
  trim({{ raw_column('stores', 'state') }}::text) AS "state", trim({{ raw_column('stores', 'region') }}::text) AS "region",
  {{ raw_column('stores', 'opened_at') }}::timestamptz AS "opened_at", {{ raw_column('stores', 'updated_at') }}::timestamptz AS "updated_at"
FROM {{ raw('stores') }} r
