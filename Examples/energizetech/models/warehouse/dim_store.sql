-- energize: materialized=type1 unique_key=store_id surrogate_key=store_sk attributes=name,channel,city,state,region,opened_at,updated_at
-- Stores, type 1: the current values of each store_id under a stable surrogate key.
SELECT store_id, name, channel, city, state, region, opened_at, updated_at FROM {{ ref('stg_stores') }}
