-- energize: materialized=view
-- One row per typable element of sales.items (line_number 1-based in array order, missing discount = 0), with its sale's header fields.
SELECT {{ raw_column('sales', 'sale_id') }}::text AS "sale_id", e.line_number::integer AS line_number, x.sku,
  x.quantity, x.unit_price, x.discount,
  {{ raw_column('sales', 'sold_at') }}::timestamptz AS "sold_at", {{ raw_column('sales', 'customer_id') }}::text AS "customer_id",
  {{ raw_column('sales', 'store_id') }}::text AS "store_id", trim({{ raw_column('sales', 'channel') }}::text) AS "channel",
  trim({{ raw_column('sales', 'status') }}::text) AS "status", r."_run_id"
FROM {{ raw('sales') }} r
CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof({{ raw_column('sales', 'items') }}::jsonb) = 'array' THEN {{ raw_column('sales', 'items') }}::jsonb ELSE '[]' END)
  WITH ORDINALITY AS e(item, line_number)
-- An element of the right kinds is read once into typed fields (a CASE, not AND: PostgreSQL does
-- not promise to test the kinds before converting); any other element gives no row.
-- The subquery reads the element once (`it.j`) and is kept whole (OFFSET 0): PostgreSQL then
-- types each distinct element once and reuses the result for its repeats (a Memoize node keyed
-- on the element), where most lines of a sales history repeat a few thousand elements.
CROSS JOIN LATERAL (
  SELECT t.sku, t.quantity::integer AS quantity, t.unit_price::numeric(14,2) AS unit_price, coalesce(t.discount, 0) AS discount
  FROM (SELECT e.item AS j OFFSET 0) it
  CROSS JOIN LATERAL jsonb_to_record(CASE WHEN jsonb_typeof(it.j) = 'object' AND jsonb_typeof(it.j->'sku') = 'string'
         AND jsonb_typeof(it.j->'quantity') = 'number' AND jsonb_typeof(it.j->'unit_price') = 'number'
         AND coalesce(jsonb_typeof(it.j->'discount'), 'null') IN ('number', 'null') THEN it.j END)
    AS t(sku text, quantity numeric, unit_price numeric, discount numeric)
  WHERE t.quantity = trunc(t.quantity) AND abs(t.quantity) < 2147483648 AND round(abs(t.unit_price), 2) < 1000000000000
  OFFSET 0) x
