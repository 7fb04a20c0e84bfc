-- energize: materialized=scd2 unique_key=customer_id surrogate_key=customer_sk tracked=name,email,type,city,state,region carried=created_at,updated_at valid_from=created_at updated_at=updated_at hard_deletes=invalidate
-- Customers, SCD type 2 on customer_id: a new version whenever a tracked attribute changes.
SELECT customer_id, name, email, type, city, state, region, created_at, updated_at FROM {{ ref('stg_customers') }}
