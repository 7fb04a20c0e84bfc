-- energize: materialized=view
-- Products typed and trimmed, list price as numeric(14,2).
SELECT {{ raw_column('products', 'sku') }}::text AS "sku", trim({{ raw_column('products', 'name') }}::text) AS "name",
  trim({{ raw_column('products', 'chemistry') }}::text) AS "chemistry",
  {{ raw_column('products', 'capacity_kwh') }}::double precision AS "capacity_kwh", {{ raw_column('products', 'voltage') }}::integer AS "voltage",
  {{ raw_column('products', 'warranty_years') }}::integer AS "warranty_years", {{ raw_column('products', 'list_price') }}::numeric(14,2) AS "list_price",
  {{ raw_column('products', 'active') }}::boolean AS "active", {{ raw_column('products', 'created_at') }}::timestamptz AS "created_at",
  {{ raw_column('products', 'updated_at') }}::timestamptz AS "updated_at"
FROM {{ raw('products') }} r
