-- energize: materialized=view
-- One row per typable element of sales.items (line_number 1-based in array order, missing discount = 0).
SELECT {{ raw_column('sales', 'sale_id') }}::text AS "sale_id", i.line_number::integer AS line_number, i.item->>'sku' AS sku,
  (i.item->>'quantity')::numeric::integer AS quantity, (i.item->>'unit_price')::numeric(14,2) AS unit_price,
  coalesce((i.item->>'discount')::numeric, 0) AS discount
FROM {{ raw('sales') }} r
CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof({{ raw_column('sales', 'items') }}::jsonb) = 'array' THEN {{ raw_column('sales', 'items') }}::jsonb ELSE '[]' END)
  WITH ORDINALITY AS i(item, line_number)
-- CASE, not AND: PostgreSQL does not promise to test the kind before the cast.
WHERE CASE WHEN jsonb_typeof(i.item) = 'object' AND jsonb_typeof(i.item->'sku') = 'string'
       AND jsonb_typeof(i.item->'quantity') = 'number' AND jsonb_typeof(i.item->'unit_price') = 'number'
       AND coalesce(jsonb_typeof(i.item->'discount'), 'null') IN ('number', 'null')
     THEN (i.item->>'quantity')::numeric = trunc((i.item->>'quantity')::numeric)
       AND abs((i.item->>'quantity')::numeric) < 2147483648
       AND abs((i.item->>'unit_price')::numeric) < 1000000000000
     ELSE false END
