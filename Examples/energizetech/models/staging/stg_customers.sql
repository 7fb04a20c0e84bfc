-- energize: materialized=view
-- Customers typed and trimmed (identifiers kept as they are).
SELECT {{ raw_column('customers', 'customer_id') }}::text AS "customer_id", trim({{ raw_column('customers', 'name') }}::text) AS "name",
  trim({{ raw_column('customers', 'email') }}::text) AS "email", trim({{ raw_column('customers', 'type') }}::text) AS "type",
  trim({{ raw_column('customers', 'city') }}::text) AS "city", trim({{ raw_column('customers', 'state') }}::text) AS "state",
  trim({{ raw_column('customers', 'region') }}::text) AS "region",
  {{ raw_column('customers', 'created_at') }}::timestamptz AS "created_at", {{ raw_column('customers', 'updated_at') }}::timestamptz AS "updated_at"
FROM {{ raw('customers') }} r
