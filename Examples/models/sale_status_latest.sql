-- energize: materialized=incremental unique_key=sale_id
-- The latest status of every sale with its age in days; only sales loaded since the model's
-- last run ($1) are rebuilt, and sales that left the source are removed.
SELECT s.sale_id, s.status, s.sold_at, s.updated_at,
       (s.updated_at::date - s.sold_at::date) AS days_to_last_update
FROM {{ ref('stg_sales') }} s
-- energize: changed_scopes
SELECT sale_id FROM {{ ref('stg_sales') }} WHERE _run_id > $1::bigint AND $2::bigint IS NOT NULL
UNION (SELECT sale_id FROM {{ ref('sale_status_latest') }} EXCEPT SELECT sale_id FROM {{ ref('stg_sales') }})
