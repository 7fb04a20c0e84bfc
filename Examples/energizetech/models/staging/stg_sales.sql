-- energize: materialized=view
-- Sales headers typed and trimmed, total as numeric(14,2), with the run that loaded each row.
SELECT {{ raw_column('sales', '_id') }}::text AS "_id", {{ raw_column('sales', 'sale_id') }}::text AS "sale_id",
  {{ raw_column('sales', 'customer_id') }}::text AS "customer_id", {{ raw_column('sales', 'store_id') }}::text AS "store_id",
  trim({{ raw_column('sales', 'channel') }}::text) AS "channel",
  {{ raw_column('sales', 'sold_at') }}::timestamptz AS "sold_at", trim({{ raw_column('sales', 'status') }}::text) AS "status",
  {{ raw_column('sales', 'total_amount') }}::numeric(14,2) AS "total_amount", trim({{ raw_column('sales', 'currency') }}::text) AS "currency",
  {{ raw_column('sales', 'updated_at') }}::timestamptz AS "updated_at", r."_run_id"
FROM {{ raw('sales') }} r
